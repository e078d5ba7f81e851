import ArgumentParser
import Foundation
import LineageCore
import LineageEngine
import LineageStore

/// Fields shared by transforms and runs: what ran, from which code, with which parameters.
struct ExecutionOptions: ParsableArguments {
    @Option(help: "The name of the transform or run.")
    var name: String?

    @Option(help: "The command that ran.")
    var command: String?

    @Option(help: ArgumentHelp("A parameter KEY=VALUE (repeatable).", valueName: "key=value"))
    var param: [String] = []

    @Option(name: .customLong("params-file"), help: ArgumentHelp("Parameters from a JSON object file.", valueName: "file"))
    var paramsFile: String?

    @Option(help: ArgumentHelp("An input dataset: id or name such as dataset:train (repeatable).", valueName: "dataset"))
    var input: [String] = []

    @Option(name: .customLong("code-repo"), help: "The code's repository URL.")
    var codeRepo: String?

    @Option(name: .customLong("code-commit"), help: "The code's git commit.")
    var codeCommit: String?

    @Option(name: .customLong("code-path"), help: "The script's path in the repository.")
    var codePath: String?

    @Flag(name: .customLong("code-dirty"), help: "The working tree had uncommitted changes.")
    var codeDirty = false

    @Option(name: .customLong("code-from"), help: ArgumentHelp("Capture the code version (commit, dirty flag, diff digest) of the git working tree holding this script.", valueName: "path"))
    var codeFrom: String?

    @Option(help: ArgumentHelp("An environment fact KEY=VALUE, e.g. python=3.11 (repeatable).", valueName: "key=value"))
    var env: [String] = []

    @Option(name: .customLong("started-at"), help: ArgumentHelp("Start time, UTC.", valueName: "time"))
    var startedAt: String?

    @Option(name: .customLong("ended-at"), help: ArgumentHelp("End time, UTC.", valueName: "time"))
    var endedAt: String?

    @Option(name: .customLong("exit-status"), help: "The command's exit status.")
    var exitStatus: Int?

    /// Applies the flags on top of `fields`.
    func apply(to fields: inout JSONObject) throws {
        if let name { fields["name"] = .string(name) }
        if let command { fields["command"] = .string(command) }
        var params = fields["params"]?.objectValue ?? JSONObject()
        if let paramsFile {
            for member in try FieldInput.jsonObject(file: paramsFile, what: "params file") { params[member.key] = member.value }
        }
        for member in try FieldInput.pairs(param, flag: "--param") { params[member.key] = member.value }
        if !params.isEmpty { fields["params"] = .object(params) }
        if !input.isEmpty {
            fields["inputs"] = .array((fields["inputs"]?.arrayValue ?? []) + input.map(JSONValue.string))
        }
        var code = fields["code"]?.objectValue ?? JSONObject()
        if let codeFrom {
            guard FileManager.default.fileExists(atPath: codeFrom) else {
                throw LineageError.input("--code-from \(Names.printable(codeFrom)) does not exist; give the script's path")
            }
            for member in try CodeVersion.capture(path: codeFrom) ?? JSONObject() { code[member.key] = member.value }
        }
        if let codeRepo { code["repo"] = .string(codeRepo) }
        if let codeCommit { code["commit"] = .string(codeCommit) }
        if let codePath { code["path"] = .string(codePath) }
        if codeDirty { code["dirty"] = .bool(true) } else if !code.isEmpty, code["dirty"] == nil { code["dirty"] = .bool(false) }
        if !code.isEmpty { fields["code"] = .object(code) }
        if !env.isEmpty {
            var environment = fields["environment"]?.objectValue ?? JSONObject()
            for member in try FieldInput.pairs(env, flag: "--env") { environment[member.key] = member.value }
            fields["environment"] = .object(environment)
        }
        if let startedAt { fields["startedAt"] = .string(startedAt) }
        if let endedAt { fields["endedAt"] = .string(endedAt) }
        if let exitStatus { fields["exitStatus"] = .number(Double(exitStatus)) }
    }
}
