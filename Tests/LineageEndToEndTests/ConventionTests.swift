import Foundation
import Testing

/// The conventions of git and gh: version, suggestions, pager, colour, actor, help, docs, install.
@Suite("CLI conventions")
struct ConventionTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// Runs lineage on a pseudo-terminal (`script`), so stdout and stderr are a terminal; returns
    /// what the terminal showed (both streams) and the exit status.
    static func onTerminal(_ w: Workspace, _ arguments: [String], environment extra: [String: String] = [:]) throws -> Outcome {
        let quoted = ([Workspace.binary] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let saved = w.environment
        defer { w.environment = saved }
        for (name, value) in extra { w.environment[name] = value }
        return try w.run("/usr/bin/script", ["-qec", quoted, "/dev/null"], in: nil, stdin: nil)
    }

    /// A store holding one dataset, `dataset:raw`.
    static func storeWithDataset() throws -> Workspace {
        let w = try Workspace()
        try w.ok("init", "--origin", "example.com/conventions")
        try w.write("raw.csv", "a\n1\n")
        try w.ok("add", "dataset", "raw.csv", "--name", "raw")
        return w
    }

    @Test("--version prints the version and the commit it was built from")
    func versionNamesCommit() throws {
        let w = try Workspace()
        let version = try w.ok("--version").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(version.wholeMatch(of: /\d+\.\d+\.\d+ \(commit ([0-9a-f]{12}(-dirty)?|unknown)\)/) != nil, "\(version)")
    }

    @Test("a mistyped command gets a suggestion and exit 2; help for no such command exits 2")
    func suggestions() throws {
        let w = try Workspace()
        let typo = try w.lineage("trac", "pred-8812")
        #expect(typo.status == 2)
        #expect(typo.stderr == "lineage: error: 'trac' is not a lineage command; did you mean 'trace'? (see lineage --help)\n")
        let nested = try w.lineage("record", "predictoin")
        #expect(nested.status == 2)
        #expect(nested.stderr.contains("did you mean 'prediction'?"))
        let option = try w.lineage("log", "--jsn")
        #expect(option.status == 2)
        #expect(option.stderr.contains("Did you mean '--json'?"))
        let help = try w.lineage("help", "nosuch")
        #expect(help.status == 2)
        #expect(help.stdout.isEmpty)
        #expect(help.stderr.contains("'nosuch' is not a lineage command"))
        #expect(try w.lineage("help", "record", "run").status == 0)
    }

    @Test("every --help ends with examples")
    func helpEndsWithExamples() throws {
        let w = try Workspace()
        for path in try HelpSnapshotTests.commandPaths() {
            let help = try w.ok(Array(path.dropFirst()) + ["--help"])
            let tail = help.components(separatedBy: "\nEXAMPLES:\n").last ?? ""
            #expect(help.contains("\nEXAMPLES:\n") && tail.split(separator: "\n").allSatisfy { $0.hasPrefix("  ") && $0.contains("lineage") },
                    "\(path.joined(separator: " ")) --help does not end with examples")
        }
    }

    @Test("long output goes through the pager on a terminal only; --no-pager and lineage --no-pager turn it off")
    func pager() throws {
        let w = try Self.storeWithDataset()
        let pager = ["PAGER": "sed s/^/PAGED:/"]
        for command in [["log"], ["query", "--kind", "dataset"], ["trace", "dataset:raw"], ["show", "dataset:raw"]] {
            let paged = try Self.onTerminal(w, command, environment: pager)
            #expect(paged.status == 0)
            #expect(paged.stdout.contains("PAGED:"), "\(command) on a terminal: \(paged.stdout)")
            let unpaged = try Self.onTerminal(w, command + ["--no-pager"], environment: pager)
            #expect(!unpaged.stdout.contains("PAGED:") && unpaged.stdout.contains("raw"), "\(command) --no-pager: \(unpaged.stdout)")
        }
        #expect(!(try Self.onTerminal(w, ["--no-pager", "log"], environment: pager)).stdout.contains("PAGED:"))
        #expect(!(try Self.onTerminal(w, ["log"], environment: ["PAGER": "cat"])).stdout.contains("PAGED:"))
        w.environment["PAGER"] = "sed s/^/PAGED:/"
        #expect(!(try w.ok("log")).contains("PAGED:"), "piped output must never be paged")
    }

    @Test("NO_COLOR turns off every colour, the error label included; a terminal without it gets colour")
    func noColour() throws {
        let w = try Self.storeWithDataset()
        w.environment["NO_COLOR"] = nil
        w.environment["TERM"] = "xterm"
        let escape = "\u{1B}["
        let coloured = try Self.onTerminal(w, ["log", "--no-pager"])
        #expect(coloured.stdout.contains(escape))
        let colouredError = try Self.onTerminal(w, ["show", "nosuch"])
        #expect(colouredError.stdout.contains(escape + "31mlineage: error:"))
        for command in [["log", "--no-pager"], ["show", "nosuch"], ["trace", "dataset:raw", "--no-pager"]] {
            let plain = try Self.onTerminal(w, command, environment: ["NO_COLOR": "1"])
            #expect(!plain.stdout.contains(escape), "\(command) with NO_COLOR: \(plain.stdout.debugDescription)")
        }
        let piped = try w.lineage("show", "nosuch")
        #expect(piped.stderr.hasPrefix("lineage: error:"))
    }

    @Test("the default actor is git's user.email, else $USER@host; with neither, a refusal that writes nothing")
    func defaultActor() throws {
        let w = try Workspace()
        try w.ok("init", "--origin", "example.com/actor")
        try w.write("a.csv", "a\n1\n")
        try w.write("b.csv", "b\n2\n")
        try w.write("c.csv", "c\n3\n")
        try w.write("home/.gitconfig", "[user]\n\temail = dana@example.com\n")
        w.environment["LINEAGE_ACTOR"] = nil
        w.environment["XDG_CONFIG_HOME"] = nil
        w.environment["HOME"] = w.path + "/home"
        w.environment["USER"] = "erin"
        try w.ok("add", "dataset", "a.csv", "--name", "a")
        #expect(try w.ok("show", "dataset:a", "--json").contains("\"actor\": \"dana@example.com\""))

        w.environment["HOME"] = w.path + "/nohome"
        try w.ok("add", "dataset", "b.csv", "--name", "b")
        #expect(try w.ok("show", "dataset:b", "--json").contains("\"actor\": \"erin@"))

        w.environment["USER"] = nil
        let head = try w.logHead()
        let refused = try w.lineage("add", "dataset", "c.csv", "--name", "c")
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("cannot tell who is recording"))
        #expect(try w.logHead() == head)
    }

    @Test("ingest of a file shows percent, rate and time left on a terminal; a stream shows a count and rate")
    func ingestProgress() throws {
        let w = try Workspace()
        try w.ok("init", "--origin", "example.com/progress")
        try w.write("m.bin", "model")
        try w.ok("record", "model", "--name", "m", "--file", "m.bin")
        try w.ok("record", "deployment", "--model", "model:m@1", "--environment", "prod")
        let lines = (0..<1500).map { #"{"predictionId":"p-\#($0)","deployment":"deployment:m/prod","input":"sha256:\#(String(repeating: "a", count: 64))","output":{"label":1}}"# }
        try w.write("p.ndjson", lines.joined(separator: "\n") + "\n")
        // One record a batch: the file takes long enough for several progress lines.
        let file = try Self.onTerminal(w, ["ingest", "p.ndjson", "--batch-size", "1"])
        #expect(file.status == 0, "\(file.stdout)")
        #expect(file.stdout.contains(/ingesting: \d+%, \d+ records/), "\(file.stdout.debugDescription)")
        #expect(file.stdout.contains(/\d+\/s, \d+s left/), "\(file.stdout.debugDescription)")
        // A stream (a pipe into lineage, stderr still a terminal): a count and a rate, no percentage.
        let stream = try w.run("/usr/bin/script", ["-qec", "(sed -n 1,20p p.ndjson; sleep 1.2; sed -n 21,40p p.ndjson) | sed 's/p-/q-/' | '\(Workspace.binary)' ingest - --batch-size 1", "/dev/null"], in: nil, stdin: nil)
        #expect(stream.status == 0, "\(stream.stdout)")
        #expect(stream.stdout.contains(/ingesting: \d+ records, \d+\/s/), "\(stream.stdout.debugDescription)")
        #expect(!stream.stdout.contains("%,"))
    }

    @Test("docs/commands.md names every option that --help shows")
    func commandsDocumented() throws {
        let w = try Workspace()
        let check = try w.run("/usr/bin/env", ["python3", Self.root + "/Tests/validators/check_commands_doc.py", Workspace.binary, Self.root + "/docs/commands.md"], in: nil, stdin: nil)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
    }

    @Test("make install's script: binaries, a man page per command with examples, completions bash can load; uninstall removes them")
    func install() throws {
        let w = try Workspace()
        let generateManual = Self.root + "/.build/debug/generate-manual"
        try #require(FileManager.default.isExecutableFile(atPath: generateManual), "build it first: swift build --product generate-manual (make test does)")
        let prefix = w.path + "/prefix"
        let binDir = URL(fileURLWithPath: Workspace.binary).deletingLastPathComponent().path
        let installed = try w.run(Self.root + "/scripts/install.sh", [binDir, prefix, generateManual], in: nil, stdin: nil)
        #expect(installed.status == 0, "\(installed.stderr)")
        #expect(try w.run(prefix + "/bin/lineage", ["--version"], in: nil, stdin: nil).status == 0)
        let pages = try FileManager.default.contentsOfDirectory(atPath: prefix + "/share/man/man1")
        for path in try HelpSnapshotTests.commandPaths() {
            #expect(pages.contains(path.joined(separator: ".") + ".1"), "no man page for \(path.joined(separator: " "))")
        }
        let man = try w.run("/usr/bin/env", ["MANWIDTH=200", "man", "-l", prefix + "/share/man/man1/lineage.trace.1"], in: nil, stdin: nil)
        #expect(man.status == 0)
        #expect(man.stdout.contains("EXAMPLES") && man.stdout.contains("lineage trace pred-8812 --json"), "\(man.stdout)")
        let completion = try w.run("/bin/bash", ["-c", "source '\(prefix)/share/bash-completion/completions/lineage' && COMP_WORDS=(lineage tra) COMP_CWORD=1 && _lineage && echo \"${COMPREPLY[*]}\""], in: nil, stdin: nil)
        #expect(completion.status == 0, "\(completion.stderr)")
        #expect(completion.stdout.contains("trace"), "\(completion.stdout)")
        for file in ["share/zsh/site-functions/_lineage", "share/fish/vendor_completions.d/lineage.fish", "bin/lineage-server"] {
            #expect(FileManager.default.fileExists(atPath: prefix + "/" + file), "\(file) was not installed")
        }
        #expect(try w.run(Self.root + "/scripts/install.sh", ["--uninstall", prefix], in: nil, stdin: nil).status == 0)
        let left = try w.run("/usr/bin/find", [prefix, "-type", "f"], in: nil, stdin: nil).stdout
        #expect(left.isEmpty, "uninstall left \(left)")
    }

    @Test("examples/ci: the composite action and the workflow pass GitHub's schemas (check-jsonschema); a broken one does not")
    func ciExamplesValidate() throws {
        let w = try Workspace()
        func validate(_ schema: String, _ file: String) throws -> Outcome {
            try w.run("/usr/bin/env", ["python3", "-m", "check_jsonschema", "--builtin-schema", schema, file], in: nil, stdin: nil)
        }
        let action = try validate("vendor.github-actions", Self.root + "/examples/ci/action.yml")
        #expect(action.status == 0, "\(action.stdout)\(action.stderr)")
        let workflow = try validate("vendor.github-workflows", Self.root + "/examples/ci/gate-model.yml")
        #expect(workflow.status == 0, "\(workflow.stdout)\(workflow.stderr)")
        let text = try String(contentsOfFile: Self.root + "/examples/ci/action.yml", encoding: .utf8)
        try w.write("broken.yml", text.replacingOccurrences(of: "using: composite", with: "using: compsite"))
        #expect(try validate("vendor.github-actions", w.path + "/broken.yml").status != 0, "the validator accepts a broken action")
        let uses = try String(contentsOfFile: Self.root + "/examples/ci/gate-model.yml", encoding: .utf8)
        #expect(uses.contains("uses: ./examples/ci"), "the workflow does not install lineage with the action")
    }
}
