import ArgumentParser
import Foundation
import LineageCore
import LineageEngine
import LineageStore

/// The process entry point: runs the command and turns every failure into one sentence on
/// stderr and the documented exit code (0 ok, 1 verdict, 2 bad input, 3 not found, 4 store error).
public enum LineageMain {
    /// Parses the command line, runs the command, and exits with the documented code.
    public static func main() {
        // A file-size limit (ulimit -f) then fails a write with EFBIG, reported as a storage error,
        // instead of killing the process mid-write.
        signal(SIGXFSZ, SIG_IGN)
        // Swift repairs invalid UTF-8 in arguments to U+FFFD: lineage would record what was not given.
        for i in 1..<Int(CommandLine.argc) {
            guard let argument = CommandLine.unsafeArgv[i], !Names.isValidUTF8(argument) else { continue }
            Terminal.error("argument \(i) is not valid UTF-8; give text in UTF-8 (a payload's raw bytes go in a file: --input-file)", verdict: false)
            exit(LineageError.Kind.input.rawValue)
        }
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            var command = try Lineage.parseCommand(arguments)
            defer { OpenStores.closeBeforeExit() }
            try command.run()
        } catch {
            if !(error is LineageError), !(error is RecordError), !(error is ExitCode), Lineage.exitCode(for: error) == .success {
                // --help and --version: printed on stdout, exit 0; help ends with the command's examples.
                let text = Lineage.fullMessage(for: error)
                let isHelp = text.hasPrefix("OVERVIEW:") || text.hasPrefix("USAGE:")
                print(isHelp ? HelpExamples.appending(to: text, path: Lineage.helpPath(arguments)) : text + "\n", terminator: "")
                exit(0)
            }
            let (code, message) = describe(error)
            if !message.isEmpty { Terminal.error(message, verdict: (error as? LineageError)?.kind == .verdict) }
            exit(code)
        }
    }

    /// The exit code and one-sentence message for a failure (empty for commands that only pass an
    /// exit status on; the help or version text, with code 0, for --help and --version).
    static func describe(_ error: any Error) -> (code: Int32, message: String) {
        switch error {
        case let error as LineageError:
            return (error.kind.rawValue, error.message)
        case let error as RecordError:
            return (LineageError.Kind.input.rawValue, error.message)
        case let code as ExitCode:
            return (code.rawValue, "")
        default:
            // A failure of the index (SQLite) is a storage error, not bad input.
            guard String(reflecting: type(of: error)) != "GRDB.DatabaseError" else {
                let wrapped = LineageError.wrap(error)
                return (wrapped.kind.rawValue, wrapped.message)
            }
            let code = Lineage.exitCode(for: error)
            if code == .success {
                // --help and --version: ArgumentParser prints them and exits 0.
                return (0, Lineage.fullMessage(for: error))
            }
            var message = Lineage.message(for: error)
            if message.hasPrefix("Error: ") { message.removeFirst("Error: ".count) }
            return (LineageError.Kind.input.rawValue, message + " (see --help)")
        }
    }
}
