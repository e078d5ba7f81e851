import Foundation
import LineageCore
import LineageStore

/// An evidence bundle that verified offline: its subject, every record upstream of it, the signed
/// checkpoint they are proven against, and who signed it.
public struct BundleVerification: Sendable {
    public let subject: Digest
    public let verified: EvidenceBundle.Verified
    /// The leaf index in the log of each record of `verified.records`, in the same order.
    public let leafIndices: [UInt64]
    /// The witnesses' cosignatures on the checkpoint that verified (only those of `witnesses`).
    public let cosignatures: [Cosignature.Verified]
    /// True for a C2SP tlog-proof (one record, without its upstream), false for an evidence bundle.
    public let isTlogProof: Bool

    /// Parses and verifies a bundle (`lineage prove`'s JSON) against `trusted` keys: bad JSON or
    /// structure is an input error, a bundle that does not verify a negative verdict. With
    /// `witnesses`, the checkpoint must also carry valid cosignatures (C2SP tlog-cosignature) by at
    /// least `quorum` of them.
    public init(bundle bytes: [UInt8], trusting trusted: [VerifierKey], witnesses: [VerifierKey] = [], quorum: Int = 0) throws {
        let checkpointNote: String
        if TlogProof.looksLike(bytes) {
            let proof: TlogProof
            do { proof = try TlogProof(parsing: String(decoding: bytes, as: UTF8.self)) } catch { throw LineageError.input(error.message) }
            do { verified = try proof.verify(trusting: trusted) } catch {
                throw LineageError(.verdict, "the proof does not verify: \(error.message)")
            }
            (subject, leafIndices, checkpointNote, isTlogProof) = (verified.records[0].id, [proof.index], proof.checkpoint, true)
        } else {
            let parsed: EvidenceBundle
            do {
                parsed = try EvidenceBundle(json: try JSONParser.parse(bytes))
            } catch let error as JSONError {
                throw LineageError.input("the bundle is not valid JSON (nor a c2sp.org/tlog-proof@v1): \(error)")
            } catch let error as RecordError {
                throw LineageError.input(error.message)
            }
            do {
                verified = try parsed.verify(trusting: trusted)
            } catch {
                throw LineageError(.verdict, "the bundle does not verify: \(error.message)")
            }
            subject = parsed.subject
            let leaves = Dictionary((parsed.entries + parsed.otherLogs.flatMap(\.entries)).map { ($0.id, $0.leafIndex) },
                                    uniquingKeysWith: { first, _ in first })
            (leafIndices, checkpointNote, isTlogProof) = (verified.records.map { leaves[$0.id] ?? 0 }, parsed.checkpoint, false)
        }
        let note = try LineageError.catching { try SignedNote(parsing: checkpointNote) }
        let (cosigned, failed) = Cosignature.verify(note, witnesses: witnesses)
        cosignatures = cosigned
        if cosigned.count < quorum {
            let who = cosigned.isEmpty ? "none of them" : cosigned.map(\.key.name).joined(separator: ", ")
            let bad = failed.isEmpty ? "" : "; the cosignature of \(failed.joined(separator: ", ")) does not verify (altered, or made by another key)"
            throw LineageError(.verdict, "the bundle's checkpoint (size \(verified.checkpoint.size)) is cosigned by \(cosigned.count) of the \(witnesses.count) witnesses given (\(who)), fewer than the quorum of \(quorum)\(bad); ask the log's owner to run `lineage cosign`, then `lineage prove` again")
        }
    }

    /// The checkpoint's root, base64.
    public var rootBase64: String { Data(verified.checkpoint.rootHash).base64EncodedString() }

    /// The `verify-proof --json` shape: `{"ok": true, "format", "subject", "records", "origin", "size", "root", "signers",
    /// "cosigners": [{"name", "key", "time"}],
    /// "erasures": [{"id", "time", "actor", "reason", "commitments"}],
    /// "logs": [{"origin", "size", "root", "signers", "records"}]}` (`logs`: the other logs upstream records lie in).
    public var json: JSONValue {
        .object(JSONObject([
            ("ok", .bool(true)), ("format", .string(isTlogProof ? TlogProof.header : EvidenceBundle.format)), ("subject", .string(subject.description)),
            ("records", .number(Double(verified.records.count))), ("origin", .string(verified.checkpoint.origin)),
            ("size", .number(Double(verified.checkpoint.size))), ("root", .string(rootBase64)),
            ("signers", .array(verified.signers.map { .string($0.text) })),
            ("cosigners", .array(cosignatures.map { .object(JSONObject([("name", .string($0.key.name)), ("key", .string($0.key.text)),
                                                                        ("time", .string(RecordTime.format(milliseconds: Int64($0.time) * 1000)))])) })),
            ("erasures", .array(verified.erasures.map { erasure in
                .object(JSONObject([("id", .string(erasure.id.description)), ("time", erasure["time"] ?? .null),
                                    ("actor", erasure["actor"] ?? .null), ("reason", erasure["reason"] ?? .null),
                                    ("commitments", erasure["commitments"] ?? .array([]))]))
            })),
            ("logs", .array(verified.otherLogs.map { log in
                .object(JSONObject([("origin", .string(log.checkpoint.origin)), ("size", .number(Double(log.checkpoint.size))),
                                    ("root", .string(Data(log.checkpoint.rootHash).base64EncodedString())),
                                    ("signers", .array(log.signers.map { .string($0.text) })), ("records", .number(Double(log.records)))]))
            })),
        ]))
    }

    /// In words: what was proven, by whom.
    public var summary: String {
        (isTlogProof ? "OK: \(subject) is leaf \(leafIndices[0]) of the log \(verified.checkpoint.origin) of size \(verified.checkpoint.size), root \(rootBase64), signed by \(verified.signers.map(\.name).joined(separator: ", ")) (a tlog-proof: this record only, not its upstream)."
            : "OK: \(subject) and its \(verified.records.count - 1) upstream records are in the log \(verified.checkpoint.origin) of size \(verified.checkpoint.size), root \(rootBase64), signed by \(verified.signers.map(\.name).joined(separator: ", "))"
                + verified.otherLogs.enumerated().map { i, log in
                    "\(i == 0 ? ", except" : " and") \(log.records) in the log \(log.checkpoint.origin) of size \(log.checkpoint.size), root \(Data(log.checkpoint.rootHash).base64EncodedString()), signed by \(log.signers.map(\.name).joined(separator: ", "))"
                }.joined() + ".")
            + (cosignatures.isEmpty ? "" : "\nCosigned by \(cosignatures.count) witness\(cosignatures.count == 1 ? "" : "es"): " + cosignatures.map { "\($0.key.name) at \(RecordTime.format(milliseconds: Int64($0.time) * 1000))" }.joined(separator: ", ") + ".")
            + verified.erasures.map { erasure in
                "\nErased, as proven in the same log: \(erasure["commitments"]?.arrayValue?.count ?? 0) payload(s) named by erasure record \(erasure.id) on \(erasure["time"]?.stringValue ?? "?") by \(erasure["actor"]?.stringValue ?? "?"): \(erasure["reason"]?.stringValue ?? "")"
            }.joined()
    }
}

extension BundleVerification {
    /// Checks a payload file against the verified bundle: its record must be one of the bundle's
    /// records, holding the payload's commitment, and `SHA-256(salt || payload)` must be that
    /// commitment. A payload that fails is a negative verdict.
    public func check(_ evidence: PayloadEvidence) throws {
        guard let record = verified.records.first(where: { $0.id == evidence.record }) else {
            throw LineageError(.verdict, "the payload file is for record \(evidence.record), which is not in the bundle")
        }
        do { try evidence.check(against: record) } catch {
            throw LineageError(.verdict, error.message)
        }
    }

    /// In words: which payload matched which commitment, and, when it is short UTF-8 text, what it says.
    public static func payloadSummary(_ evidence: PayloadEvidence, record: Record?) -> String {
        let name = record?.predictionID ?? record.map { $0.kind.rawValue } ?? evidence.record.description
        var text = "OK: the \(evidence.field) payload of \(name) (\(evidence.payload.count) bytes) matches its commitment \(evidence.commitment)"
        if evidence.payload.count <= 4096, let utf8 = String(validating: evidence.payload, as: UTF8.self),
           !utf8.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" && $0 != "\t" }) {
            text += "; it reads: \(utf8)"
        }
        return text + "."
    }
}
