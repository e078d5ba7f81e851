import AsyncHTTPClient
import Foundation
import LineageCore
import LineageStore
import NIOCore

/// Copies the payload packs a store lacks from the server of the store it copies (`lineage pull
/// --payloads URL`): one `GET /v1/payloads/packs/{commit}` per batch, with a replica (or admin) token in
/// `LINEAGE_TOKEN`, each pack checked against the log before it is kept (`Store.importPayloadPack`).
public enum PayloadCopier {
    /// What a copy did.
    public struct Report: Sendable {
        public var packs = 0, stored = 0, erased = 0, withoutPayloads = 0

        public var text: String {
            "Payloads: \(packs) pack\(packs == 1 ? "" : "s") copied and checked against the log, \(stored) payload\(stored == 1 ? "" : "s") readable, \(erased) erased; \(withoutPayloads) batch\(withoutPayloads == 1 ? "" : "es") hold none."
        }

        public var json: JSONValue {
            .object(JSONObject([("packs", .number(Double(packs))), ("stored", .number(Double(stored))), ("erased", .number(Double(erased))),
                                ("batchesWithoutPayloads", .number(Double(withoutPayloads)))]))
        }
    }

    /// How long each pack may take.
    static let timeout = TimeAmount.seconds(300)
    /// The largest pack taken.
    static let maximumPack = 1 << 31

    public static func copy(storePath: String, from url: String, token: String?) async throws -> Report {
        guard let token, !token.isEmpty else {
            throw LineageError.input("--payloads needs a token of the server's replica (or admin) role in LINEAGE_TOKEN (payloads are raw data; no other role may read them)")
        }
        let store = try Store.open(at: storePath)
        var report = Report()
        let base = url.hasSuffix("/") ? String(url.dropLast()) : url
        for batch in try store.batchesWithoutPayloadPacks() {
            var request = HTTPClientRequest(url: base + "/v1/payloads/packs/" + batch.commit.hex)
            request.headers.add(name: "Authorization", value: "Bearer " + token)
            request.headers.add(name: "X-Lineage-Purpose", value: "copy of the store (lineage pull --payloads)")
            let response: HTTPClientResponse, body: ByteBuffer
            do {
                response = try await HTTPClient.shared.execute(request, timeout: timeout)
                body = try await response.body.collect(upTo: maximumPack)
            } catch {
                throw LineageError.storage("cannot fetch payloads from \(base) (\(error)); the packs copied so far are kept")
            }
            switch response.status.code {
            case 200:
                let (stored, erased) = try store.importPayloadPack(Array(buffer: body), batch: batch, from: base)
                report.packs += 1
                report.stored += stored
                report.erased += erased
            case 404:
                report.withoutPayloads += 1
            case 401, 403:
                throw LineageError.input("the server at \(base) refused the payloads (\(response.status.code)): they need a token of the replica (or admin) role in LINEAGE_TOKEN; \(report.packs) packs were copied before")
            default:
                throw LineageError.storage("the server at \(base) answered \(response.status.code) for the payloads of batch \(batch.commit.hex.prefix(12)): \(String(buffer: body).prefix(200))")
            }
        }
        return report
    }
}
