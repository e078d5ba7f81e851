import Foundation
import LineageStore

/// `lineage-server`, the program beside `lineage` that holds everything networked (Hummingbird,
/// SwiftNIO, the HTTP client), kept out of `lineage` so that every other command starts fast.
/// `serve`, `witness serve` and `cosign` become it.
enum ServerProgram {
    /// Replaces this process with `lineage-server ARGUMENTS…`; returns only by throwing.
    static func exec(_ arguments: [String]) throws -> Never {
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let server = URL(fileURLWithPath: me).deletingLastPathComponent().appendingPathComponent("lineage-server").path
        guard FileManager.default.isExecutableFile(atPath: server) else {
            throw LineageError.storage("the server program \(server) is missing; install lineage-server beside lineage (make release builds both)")
        }
        let argv: [UnsafeMutablePointer<CChar>?] = ([server] + arguments).map { strdup($0) } + [nil]
        execv(server, argv)
        throw LineageError.storage("cannot start \(server): \(String(cString: strerror(errno)))")
    }

    /// Splits and checks `--listen HOST:PORT`: the host (without brackets) and the port.
    static func address(_ listen: String) -> (host: String, port: String)? {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        return (String(listen[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]")), String(port))
    }
}
