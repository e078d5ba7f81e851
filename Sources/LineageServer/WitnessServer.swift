import Foundation
import Hummingbird
import HTTPTypes
import LineageCore
import LineageEngine

/// `lineage witness serve`: a C2SP tlog-witness over HTTP. `POST /add-checkpoint` (the submission
/// prefix is the server's root) answers as `Witness.addCheckpoint` decides; `GET /` names the
/// witness, its key and the logs it witnesses.
public struct WitnessServer: Sendable {
    let witness: Witness
    let host: String
    let port: Int

    public init(witness: Witness, host: String, port: Int) {
        self.witness = witness
        self.host = host
        self.port = port
    }

    /// Serves until SIGTERM or SIGINT; `onListening` gets the address bound.
    public func run(onListening: @escaping @Sendable (String) -> Void) async throws {
        let router = Router()
        let witness = self.witness
        router.post("add-checkpoint") { request, _ -> Response in
            let body: ByteBuffer
            do { body = try await request.body.collect(upTo: Witness.maximumRequest) } catch {
                return Self.answer(Witness.Answer(status: 413, contentType: "text/plain; charset=utf-8", body: "the request is larger than \(Witness.maximumRequest) bytes\n"))
            }
            return Self.answer(witness.addCheckpoint(Array(buffer: body)))
        }
        router.get("/") { _, _ -> Response in
            let text = "lineage witness \(witness.verifier.name)\nkey \(witness.verifier.text)\n" + witness.logs.map { "log \($0.text)\n" }.joined()
            return Self.answer(Witness.Answer(status: 200, contentType: "text/plain; charset=utf-8", body: text))
        }
        let app = Application(
            router: router,
            server: .http1(configuration: .init(idleTimeout: .seconds(30))),
            configuration: .init(address: .hostname(host, port: port), serverName: "lineage-witness"),
            onServerRunning: { channel in
                onListening("http://" + (channel.localAddress.map { "\($0.ipAddress ?? "?"):\($0.port ?? 0)" } ?? "?"))
            }
        )
        try await app.runService()
    }

    static func answer(_ answer: Witness.Answer) -> Response {
        Response(status: .init(code: answer.status), headers: [.contentType: answer.contentType],
                 body: .init(byteBuffer: ByteBuffer(string: answer.body)))
    }
}
