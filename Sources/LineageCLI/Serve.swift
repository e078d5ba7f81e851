import ArgumentParser
import Foundation
import LineageCore
import LineageEngine
import LineageStore

extension Lineage {
    /// `lineage serve`: the store over HTTP.
    struct Serve: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "serve",
            abstract: "Serve the store over HTTP: ingest NDJSON, show, trace, query, impact, diff, prove, checkpoint, key, verify.",
            discussion: """
                Routes (JSON shapes as docs/json.md): GET /healthz; POST /v1/records (NDJSON, as lineage ingest); \
                GET /v1/records/REF, /v1/records/REF/trace, /impact, /proof; GET /v1/query?kind=&name=&model=&\
                deployment=&linkedTo=&actor=&since=&until=&where=&limit=&format=csv; GET /v1/diff?a=&b=; \
                GET /v1/checkpoint, /v1/key, /v1/verify. Errors answer {"error", "status"}. Plain HTTP is served \
                on loopback only; a wider address needs --insecure-listen (put a TLS proxy in front). \
                Not yet: identity, roles and the access log (see docs/server.md). SIGTERM or SIGINT stops it \
                after the requests in flight.
                """
        )

        @Option(help: ArgumentHelp("The address to listen on, HOST:PORT (port 0: any free port, printed).", valueName: "host:port"))
        var listen = "127.0.0.1:8470"

        @Flag(help: "Allow plain HTTP on an address other than loopback.")
        var insecureListen = false

        @Option(name: .customLong("max-body"), help: "The largest request body accepted, in bytes.")
        var maxBody = 64 << 20

        @OptionGroup var storeOptions: StoreOptions

        func validate() throws {
            guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else {
                throw ValidationError("--listen '\(listen)' is not HOST:PORT (e.g. 127.0.0.1:8470)")
            }
            let host = String(listen[..<colon])
            if !insecureListen, !["127.0.0.1", "localhost", "::1", "[::1]"].contains(host) {
                throw ValidationError("--listen \(listen) is not a loopback address: plain HTTP there would send tokens and records in clear; put a TLS proxy in front and pass --insecure-listen")
            }
            if maxBody < 1 || maxBody > 1 << 30 { throw ValidationError("--max-body must be from 1 to 1073741824") }
        }

        func run() throws {
            let path = try storeOptions.open().path
            let colon = listen.lastIndex(of: ":")!
            let host = String(listen[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            // The server is its own executable beside this one (see lineage-server); this process becomes it.
            let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
            let server = URL(fileURLWithPath: me).deletingLastPathComponent().appendingPathComponent("lineage-server").path
            guard FileManager.default.isExecutableFile(atPath: server) else {
                throw LineageError.storage("the server program \(server) is missing; install lineage-server beside lineage (make release builds both)")
            }
            let arguments = [server, "--store", path, "--host", host, "--port", String(listen[listen.index(after: colon)...]),
                             "--max-body", String(maxBody)]
            let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
            execv(server, argv)
            throw LineageError.storage("cannot start \(server): \(String(cString: strerror(errno)))")
        }
    }
}
