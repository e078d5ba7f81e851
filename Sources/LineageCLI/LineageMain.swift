import ArgumentParser
import Foundation
import LineageCore
import LineageStore

/// The process entry point: runs the command and turns every failure into one sentence on
/// stderr and the documented exit code (0 ok, 1 verdict, 2 bad input, 3 not found, 4 store error).
public enum LineageMain {
    /// Parses the command line, runs the command, and exits with the documented code.
    public static func main() {
        do {
            var command = try Lineage.parseAsRoot()
            try command.run()
        } catch let error as LineageError {
            Terminal.error(error.message, verdict: error.kind == .verdict)
            exit(error.kind.rawValue)
        } catch let error as RecordError {
            Terminal.error(error.message)
            exit(LineageError.Kind.input.rawValue)
        } catch let code as ExitCode {
            exit(code.rawValue)
        } catch {
            let code = Lineage.exitCode(for: error)
            if code == .success {
                Lineage.exit(withError: error)
            }
            var message = Lineage.message(for: error)
            if message.hasPrefix("Error: ") { message.removeFirst("Error: ".count) }
            Terminal.error(message + " (see --help)")
            exit(LineageError.Kind.input.rawValue)
        }
    }
}
