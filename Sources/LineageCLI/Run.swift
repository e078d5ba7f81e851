import ArgumentParser
import Foundation
import LineageCore
import LineageEngine
import LineageStore

extension Lineage {
    /// `lineage run`: runs a training command and records it, its inputs, code, environment and outputs.
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            _superCommandName: "lineage",
            abstract: "Run a training or data command and record it with its inputs, code, environment and outputs.",
            discussion: """
                Registers each --input as a dataset (reusing the version with the same digest), captures the git \
                commit, dirty flag and diff digest of the working tree holding the script, and the OS, CPU and tool \
                versions (with the Python interpreter and a digest of `pip freeze` for Python commands). The command \
                runs with its output streaming through and these variables set: LINEAGE_STORE, LINEAGE_RUN_NAME, \
                LINEAGE_PARAMS (JSON) and LINEAGE_METRICS_FILE (where `lineage metric K=V` writes). The run is \
                recorded with its exit status and duration even when it fails; then --output files are registered \
                as datasets derived from it and --model files as model versions produced by it.

                Exits with the command's own status; 127 when the command cannot be started; 2 when the command \
                succeeded but a declared output is missing (the run is then recorded as failed).
                """
        )

        @Option(help: "The run's name (default: the script's name).")
        var name: String?

        @Option(help: ArgumentHelp("A file or directory the command reads, as PATH or NAME=PATH (repeatable).", valueName: "path"))
        var input: [String] = []

        @Option(help: ArgumentHelp("A data file or directory the command writes, as PATH or NAME=PATH (repeatable).", valueName: "path"))
        var output: [String] = []

        @Option(help: ArgumentHelp("A model artifact the command writes, as NAME=PATH (repeatable).", valueName: "name=path"))
        var model: [String] = []

        @Option(help: ArgumentHelp("A hyperparameter KEY=VALUE (repeatable).", valueName: "key=value"))
        var param: [String] = []

        @Option(name: .customLong("params-file"), help: ArgumentHelp("Hyperparameters from a JSON object file.", valueName: "file"))
        var paramsFile: String?

        @Option(name: .customLong("metrics-file"), help: ArgumentHelp("A JSON object of metrics the command writes, read when it ends.", valueName: "file"))
        var metricsFile: String?

        @OptionGroup var writeOptions: WriteOptions
        @OptionGroup var storeOptions: StoreOptions

        @Argument(parsing: .postTerminator, help: ArgumentHelp("The command, after --.", valueName: "command"))
        var command: [String] = []

        func validate() throws {
            if command.isEmpty { throw ValidationError("give the command to run after --, e.g. lineage run --input data.csv -- python train.py") }
            if let name { do { try Names.validate(name, what: "run name") } catch { throw ValidationError(error.message) } }
        }

        func run() throws {
            let store = try storeOptions.open()
            var params = try paramsFile.map { try FieldInput.jsonObject(file: $0, what: "params file") } ?? JSONObject()
            for member in try FieldInput.pairs(param, flag: "--param") { params[member.key] = member.value }
            let inputs = try RunArtifacts.named(input, flag: "--input")
            let outputs = try RunArtifacts.named(output, flag: "--output")
            let models = try RunArtifacts.named(model, flag: "--model", requireName: true)
            let runName = try name ?? RunArtifacts.defaultName(for: command)
            let actor = try writeOptions.resolvedActor()

            // Inputs are registered first: they exist before the run whatever happens to it.
            let inputIDs = try store.registerInputs(try inputs.map(RunArtifacts.hashed), time: Self.now(), actor: actor)

            let script = command.dropFirst().first { FileManager.default.fileExists(atPath: $0) } ?? FileManager.default.currentDirectoryPath
            let code = try CodeVersion.capture(path: script)
            let environment = RunEnvironment.capture(command: command)
            let metricsPath = NSTemporaryDirectory() + "lineage-metrics-" + UUID().uuidString + ".ndjson"
            guard FileManager.default.createFile(atPath: metricsPath, contents: nil) else {
                throw LineageError.storage("cannot create the metrics file \(metricsPath): check that the temporary directory is writable (TMPDIR)")
            }
            defer { try? FileManager.default.removeItem(atPath: metricsPath) }
            var childEnvironment = ProcessInfo.processInfo.environment
            childEnvironment["LINEAGE_STORE"] = store.path
            childEnvironment["LINEAGE_RUN_NAME"] = runName
            childEnvironment["LINEAGE_PARAMS"] = JSONValue.object(params).canonicalString
            childEnvironment["LINEAGE_METRICS_FILE"] = metricsPath
            childEnvironment["LINEAGE_ACTOR"] = actor

            let started = Self.now()
            let (status, startError) = ChildProcess.run(command, environment: childEnvironment)
            let ended = Self.now()

            var metrics = try RunMetrics.read(reportedIn: metricsPath)
            if let metricsFile, FileManager.default.fileExists(atPath: metricsFile) {
                for member in try FieldInput.jsonObject(file: metricsFile, what: "metrics file") { metrics[member.key] = member.value }
            }
            var failure: String? = startError.map { "the command \(Names.printable(command[0])) could not be started: \($0)" }
            if failure == nil, status != 0 { failure = "the command exited with status \(status!)" }
            let missing = (outputs + models).filter { !FileManager.default.fileExists(atPath: $0.path) }
            if failure == nil, let first = missing.first {
                failure = "the command did not produce the declared output \(Names.printable(first.path))"
            }
            let present = { (artifacts: [RunArtifacts.Artifact]) in
                try artifacts.filter { FileManager.default.fileExists(atPath: $0.path) }.map(RunArtifacts.hashed)
            }

            var fields = JSONObject()
            fields["name"] = .string(runName)
            fields["command"] = .array(command.map(JSONValue.string))
            fields["params"] = params.isEmpty ? nil : .object(params)
            fields["metrics"] = metrics.isEmpty ? nil : .object(metrics)
            fields["code"] = code.map(JSONValue.object)
            fields["environment"] = .object(environment)
            fields["startedAt"] = .string(RecordTime.format(milliseconds: started))
            fields["endedAt"] = .string(RecordTime.format(milliseconds: ended))
            fields["durationMs"] = .number(Double(ended - started))
            fields["exitStatus"] = status.map { .number(Double($0)) } ?? .number(127)
            fields["status"] = .string(failure == nil ? "succeeded" : "failed")
            fields["error"] = failure.map(JSONValue.string)
            fields["inputs"] = .array(inputIDs.map { .string($0.description) })
            let recorded = try store.recordRun(fields, time: ended, outputs: try present(outputs), models: try present(models), actor: actor)
            for output in recorded.outputs where !output.sameBytesAs.isEmpty {
                print("lineage: \(Names.printable(output.path)) has the same bytes as \(output.sameBytesAs.joined(separator: ", ")), already recorded; recorded as \(output.entry.map(RecordLabel.reference) ?? output.id.description), produced by this run")
            }
            Terminal.standardError("lineage: recorded \(recorded.reference ?? "run") \(recorded.id)" + (failure.map { " as failed: \($0)" } ?? "") + "\n")
            let exitCode: Int32 = startError != nil ? 127 : status.flatMap { $0 != 0 ? $0 : nil } ?? (missing.isEmpty ? 0 : LineageError.Kind.input.rawValue)
            if writeOptions.json {
                // What was recorded, also when the command failed: scripts read the run's id from here.
                print(recorded.json(status: failure == nil ? "succeeded" : "failed", error: failure, exitStatus: status, exitCode: exitCode).prettyString())
            }
            if exitCode != 0 { throw ExitCode(exitCode) }
        }

        static func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
    }
}

/// The files a run reads and writes, as named on the command line.
enum RunArtifacts {
    struct Artifact {
        let name: String
        let path: String
    }

    /// Parses `PATH` or `NAME=PATH` items; a bare path is named after its file name without extension.
    static func named(_ items: [String], flag: String, requireName: Bool = false) throws -> [Artifact] {
        try items.map { item in
            if let equals = item.firstIndex(of: "="), !FileManager.default.fileExists(atPath: item) {
                let name = String(item[..<equals]), path = String(item[item.index(after: equals)...])
                try LineageError.catching { try Names.validate(name, what: "\(flag) name") }
                return Artifact(name: name, path: path)
            }
            if requireName { throw LineageError.input("\(flag) \(Names.printable(item)) needs a name: write NAME=PATH") }
            return Artifact(name: try defaultName(forPath: item), path: item)
        }
    }

    static func defaultName(forPath path: String) throws -> String {
        let base = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        let cleaned = String(base.unicodeScalars.map { Names.isNameByte(UInt8(truncatingIfNeeded: $0.value)) && $0.isASCII ? Character($0) : "-" })
        let trimmed = cleaned.drop { !$0.isLetter && !$0.isNumber }
        guard !trimmed.isEmpty else { throw LineageError.input("cannot name \(Names.printable(path)) automatically: write NAME=PATH") }
        return String(trimmed.prefix(Names.maximumLength)).replacingOccurrences(of: "..", with: "-")
    }

    /// The default run name: the script's name, else the program's.
    static func defaultName(for command: [String]) throws -> String {
        let script = command.dropFirst().first { !$0.hasPrefix("-") && FileManager.default.fileExists(atPath: $0) } ?? command[0]
        return try defaultName(forPath: script)
    }

    /// The artifact named and hashed (a progress line on a terminal).
    static func hashed(_ artifact: Artifact) throws -> RunArtifact {
        RunArtifact(name: artifact.name, path: artifact.path,
                    digest: try ArtifactDigest.compute(paths: [artifact.path], progress: Terminal.progress("hashing \(artifact.name)")))
    }
}
