import AsyncHTTPClient
import Foundation
import LineageCore
import LineageEngine
import LineageStore
import NIOCore

/// Asks a store's witnesses (C2SP tlog-witness `add-checkpoint`) to cosign its latest checkpoint
/// and keeps what they cosigned with the checkpoint (see `Store.saveCosigned`).
public enum WitnessClient {
    /// How long a witness has to answer.
    static let timeout = TimeAmount.seconds(10)

    /// Asks every witness of the store at `storePath`, one after the other.
    public static func cosign(storePath: String) async throws -> CosignReport {
        let store = try Store.open(at: storePath)
        let witnesses = try store.witnesses()
        guard !witnesses.isEmpty else {
            throw LineageError.notFound("this store lists no witness; add one with `lineage witness add URL --key KEY`")
        }
        let sizes = store.cosignedSizes()
        let (note, checkpoint, _) = try store.witnessRequest(oldSize: 0)
        var lines: [String] = [], outcomes: [CosignReport.Outcome] = []
        for witness in witnesses {
            // The size this witness cosigned last, as far as the latest few kept say; the witness corrects it (409).
            var old = try sizes.suffix(10).reversed().first { size in
                try store.cosigned(size: size).flatMap { try? SignedNote(parsing: $0.note) }
                    .map { !Cosignature.verify($0, witnesses: [witness.key]).verified.isEmpty } ?? false
            } ?? 0
            var outcome: CosignReport.Outcome?
            for _ in 0..<2 where outcome == nil {
                do {
                    let proof = try store.witnessRequest(oldSize: old).proof
                    switch try await ask(witness, old: old, proof: proof, note: note) {
                    case .cosigned(let line, let time):
                        lines.append(line)
                        outcome = .init(name: witness.name, url: witness.url, time: time, problem: nil, refused: false)
                    case .conflict(let size):
                        if size == old || size > checkpoint.size {
                            _ = try store.witnessRequest(oldSize: size)  // throws the verdict for a size beyond the log
                            outcome = .init(name: witness.name, url: witness.url, time: nil,
                                            problem: "it has cosigned another checkpoint of this log at size \(size) (409): the log's history differs from what it saw",
                                            refused: true)
                        }
                        old = size
                    }
                } catch let failure as Failure {
                    outcome = .init(name: witness.name, url: witness.url, time: nil, problem: failure.message, refused: failure.refused)
                } catch let error as LineageError {
                    outcome = .init(name: witness.name, url: witness.url, time: nil, problem: error.message, refused: error.kind == .verdict)
                }
            }
            outcomes.append(outcome ?? .init(name: witness.name, url: witness.url, time: nil, problem: "it answered 409 twice", refused: true))
        }
        let merged = note + lines.joined()
        if !lines.isEmpty { try store.saveCosigned(merged) }
        return CosignReport(size: checkpoint.size, outcomes: outcomes, note: merged)
    }

    enum Reply {
        case cosigned(line: String, time: UInt64)
        case conflict(size: UInt64)
    }

    struct Failure: Error {
        let message: String
        let refused: Bool
    }

    /// Posts one `add-checkpoint` and reads the answer; checks the cosignature against the witness's key.
    static func ask(_ witness: WitnessEntry, old: UInt64, proof: [[UInt8]], note: String) async throws -> Reply {
        let body = "old \(old)\n" + proof.map { Data($0).base64EncodedString() + "\n" }.joined() + "\n" + note
        var request = HTTPClientRequest(url: witness.url.hasSuffix("/") ? witness.url + "add-checkpoint" : witness.url + "/add-checkpoint")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        request.body = .bytes(ByteBuffer(string: body))
        let response: HTTPClientResponse, text: String
        do {
            response = try await HTTPClient.shared.execute(request, timeout: timeout)
            text = String(buffer: try await response.body.collect(upTo: 64 << 10))
        } catch {
            throw Failure(message: "it cannot be reached at \(witness.url) (\(error))", refused: false)
        }
        let said = text.split(separator: "\n").first.map { String($0.prefix(300)) } ?? ""
        switch response.status.code {
        case 200:
            guard let signed = try? SignedNote(parsing: note + text),
                  let verified = Cosignature.verify(signed, witnesses: [witness.key]).verified.first,
                  let line = text.split(separator: "\n").first(where: { $0.hasPrefix("— \(witness.name) ") }) else {
                throw Failure(message: "it answered 200 with no valid cosignature by its key \(witness.key.text)", refused: false)
            }
            return .cosigned(line: String(line) + "\n", time: verified.time)
        case 409:
            guard let size = UInt64(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                throw Failure(message: "it answered 409 without a tree size", refused: false)
            }
            return .conflict(size: size)
        case 422:
            throw Failure(message: "it refused the consistency proof (422): \(said)", refused: true)
        case 403, 404:
            throw Failure(message: "it does not witness this log with this key (\(response.status.code)): \(said)", refused: true)
        default:
            throw Failure(message: "it answered \(response.status.code): \(said)", refused: false)
        }
    }
}
