import Foundation
import LineageStore

/// `lineage-server`, the program beside `lineage` that holds everything networked (Hummingbird,
/// SwiftNIO, the HTTP client), kept out of `lineage` so that every other command starts fast.
/// `serve`, `witness serve` and `cosign` become it.
enum ServerProgram {
    /// Replaces this process with `lineage-server ARGUMENTS…`; returns only by throwing.
    static func exec(_ arguments: [String]) throws -> Never {
        let server = try path()
        let argv: [UnsafeMutablePointer<CChar>?] = ([server] + arguments).map { strdup($0) } + [nil]
        execv(server, argv)
        throw LineageError.storage("cannot start \(server): \(String(cString: strerror(errno)))")
    }

    /// Runs `lineage-server ARGUMENTS…` as a child with `input` on its standard input (its errors go
    /// to this process's standard error); returns its exit status, and its standard output when
    /// `capturing` (else it goes to this process's, after what this process printed so far).
    static func run(_ arguments: [String], input: Data, capturing: Bool = false) throws -> (status: Int32, output: Data) {
        try Self.run(path(), arguments, input: input, capturing: capturing)
    }

    /// Runs `executable ARGUMENTS…` with `input` on its standard input (see above).
    static func run(_ executable: String, _ arguments: [String], input: Data, capturing: Bool = false) throws -> (status: Int32, output: Data) {
        fflush(nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe(), output = Pipe()
        process.standardInput = pipe
        if capturing { process.standardOutput = output }
        do { try process.run() } catch { throw LineageError.storage("cannot run \(executable): \(error.localizedDescription)") }
        pipe.fileHandleForWriting.write(input)
        try? pipe.fileHandleForWriting.close()
        let captured = capturing ? output.fileHandleForReading.readDataToEndOfFile() : Data()
        process.waitUntilExit()
        return (process.terminationStatus, captured)
    }

    /// The path of `lineage-server` beside this program, checked to be there.
    private static func path() throws -> String {
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let server = URL(fileURLWithPath: me).deletingLastPathComponent().appendingPathComponent("lineage-server").path
        guard FileManager.default.isExecutableFile(atPath: server) else {
            throw LineageError.storage("the server program \(server) is missing; install lineage-server beside lineage (make release builds both)")
        }
        return server
    }

    /// True for an http or https URL with a host (a webhook, a server to copy payloads from).
    static func isHTTPURL(_ url: String) -> Bool {
        guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""), !(parsed.host ?? "").isEmpty else { return false }
        return true
    }

    /// Splits and checks `--listen HOST:PORT`: the host (without brackets) and the port.
    static func address(_ listen: String) -> (host: String, port: String)? {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        return (String(listen[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]")), String(port))
    }
}
