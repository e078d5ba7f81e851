import ArgumentParser
import Foundation
import LineageCore
import LineageEngine
import LineageStore

extension Lineage {
    /// `lineage session`: many commands in one process, for hooks and tools that would otherwise
    /// start one process per call (like `git cat-file --batch`).
    struct Session: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "session",
            _superCommandName: "lineage",
            abstract: "Run commands read from standard input, one JSON array of arguments per line, in one process.",
            discussion: """
                Each input line is a JSON array of strings: the arguments you would give after `lineage`, \
                e.g. ["record","run","--name","train","--metric","auc=0.9","--json"]. For each line, one JSON \
                object is written to standard output: {"exit": CODE, "stdout": TEXT} and, when the command \
                failed, "error": the one-sentence message. Exit codes are those of the command run alone. \
                The session ends at the end of input and exits 0; a line that is not a JSON array of strings \
                gets exit 2 and the session goes on. The Python hook (examples/python/lineage_hook.py) keeps \
                one session open, so recording a run costs no process start-up.
                """
        )

        func run() throws {
            OpenStores.inSession = true
            defer {
                OpenStores.closeAll()
                OpenStores.inSession = false
            }
            var reader = LineReader(descriptor: STDIN_FILENO, maximumLineLength: 1 << 20)
            while let line = reader.next() {
                let reply: JSONObject
                var bytes: [UInt8] = []
                switch line {
                case .text(let text, _), .unterminated(let text, _): bytes = text
                case .tooLong: bytes = []
                }
                if LineReader.isBlank(bytes), case .text = line { continue }
                if let arguments = Session.arguments(bytes) {
                    reply = Session.execute(arguments)
                } else {
                    reply = JSONObject([("exit", .number(2)), ("stdout", .string("")),
                                        ("error", .string("a session line must be a JSON array of strings, like [\"log\",\"--json\"]"))])
                }
                FileHandle.standardOutput.write(Data((JSONValue.object(reply).canonicalString + "\n").utf8))
            }
        }

        /// The arguments on one input line, or nil when it is not a JSON array of strings.
        static func arguments(_ line: [UInt8]) -> [String]? {
            guard case .array(let items)? = try? JSONParser.parse(line) else { return nil }
            let strings = items.compactMap(\.stringValue)
            return strings.count == items.count ? strings : nil
        }

        /// Runs one command in this process, capturing what it prints.
        static func execute(_ arguments: [String]) -> JSONObject {
            var failure: (code: Int32, message: String)?
            let output = CapturedOutput.capture {
                do {
                    guard arguments.first != "session" else {
                        throw LineageError.input("a session cannot start another session")
                    }
                    guard !arguments.contains("-") else {
                        throw LineageError.input("a command in a session cannot read standard input ('-'): its input is the session's; pass a file instead")
                    }
                    var command = try Lineage.parseCommand(arguments)
                    try command.run()
                } catch {
                    failure = LineageMain.describe(error)
                }
            }
            if let help = failure, help.code == 0 {
                return JSONObject([("exit", .number(0)), ("stdout", .string(output + help.message + "\n"))])
            }
            var reply = JSONObject([("exit", .number(Double(failure?.code ?? 0))), ("stdout", .string(output))])
            if let failure, !failure.message.isEmpty { reply["error"] = .string(failure.message) }
            return reply
        }
    }
}

/// Standard output redirected to a temporary file while a command runs in-process.
enum CapturedOutput {
    /// One scratch file for the whole session, emptied before each command (a file made per command
    /// cost a file-system allocation each time). A session runs one command at a time.
    nonisolated(unsafe) private static var scratch: UnsafeMutablePointer<FILE>?

    /// Runs `body` with standard output going to a temporary file; returns what it wrote.
    static func capture(_ body: () -> Void) -> String {
        fflush(nil) // every output stream, stdout included
        if scratch == nil { scratch = tmpfile() }
        guard let file = scratch, ftruncate(fileno(file), 0) == 0 else { body(); return "" }
        rewind(file)
        let saved = dup(STDOUT_FILENO)
        dup2(fileno(file), STDOUT_FILENO)
        body()
        fflush(nil) // every output stream, stdout included
        dup2(saved, STDOUT_FILENO)
        close(saved)
        var bytes: [UInt8] = []
        rewind(file)
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&buffer, 1, buffer.count, file)
            if n <= 0 { break }
            bytes += buffer[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
