import Foundation
import GitStore
import LineageCore

/// The commit message and identity of a batch commit, readable with `git log`.
enum BatchMessage {
    /// A short label for one record, e.g. `dataset train@2` or `prediction pred-8812`.
    static func label(kind: RecordKind, name: String?, version: Int?, id: Digest) -> String {
        let shown = name ?? String(id.hex.prefix(12))
        return "\(kind) \(shown)" + (version.map { "@\($0)" } ?? "")
    }

    /// The most records a subject names one by one; larger batches are summed up by kind.
    static let namedRecords = 3

    /// The message: a subject naming the records (`labels`, needed only for batches of up to
    /// `namedRecords`), trailers, and the batch's signed checkpoint.
    static func compose(labels: [String], kinds: [RecordKind], batch: Int64, firstSeq: Int64, origin: String,
                        checkpointNote: String) -> String {
        let subject: String
        if kinds.count <= namedRecords {
            subject = "Record " + labels.joined(separator: ", ")
        } else {
            var counts: [RecordKind: Int] = [:]
            for kind in kinds { counts[kind, default: 0] += 1 }
            let parts = RecordKind.allCases.compactMap { kind in counts[kind].map { "\($0) \(kind)\($0 == 1 ? "" : "s")" } }
            subject = "Record \(kinds.count) records: " + parts.joined(separator: ", ")
        }
        return """
            \(subject)

            Lineage-Origin: \(origin)
            Lineage-Batch: \(batch)
            Lineage-Records: \(firstSeq)..\(firstSeq + Int64(kinds.count) - 1)

            \(checkpointNote)
            """
    }

    /// The parts of a batch commit message that verification checks.
    struct Parsed {
        var origin: String?
        var batch: Int64?
        var firstSeq: Int64?
        var lastSeq: Int64?
        /// The signed checkpoint note, from its origin line to the end.
        var checkpointNote: String?
    }

    static func parse(_ message: String, origin: String) -> Parsed {
        var parsed = Parsed()
        for line in message.split(separator: "\n") {
            if line.hasPrefix("Lineage-Origin: ") { parsed.origin = String(line.dropFirst("Lineage-Origin: ".count)) }
            if line.hasPrefix("Lineage-Batch: ") { parsed.batch = Int64(line.dropFirst("Lineage-Batch: ".count)) }
            if line.hasPrefix("Lineage-Records: ") {
                let bounds = line.dropFirst("Lineage-Records: ".count).components(separatedBy: "..")
                if bounds.count == 2 {
                    parsed.firstSeq = Int64(bounds[0])
                    parsed.lastSeq = Int64(bounds[1])
                }
            }
        }
        if let start = message.range(of: "\n\n" + origin + "\n") {
            parsed.checkpointNote = String(message[message.index(start.lowerBound, offsetBy: 2)...])
        }
        return parsed
    }

    /// The committer: the actor's name, made safe for a git ident line.
    static func signature(actor: String, time: Int64) -> Signature {
        let kept = String(actor.unicodeScalars.filter { $0.value >= 0x20 && $0 != "<" && $0 != ">" && $0.value != 0x7F }.map(Character.init))
        let name = Names.trimmed(kept)
        return Signature(name: name.isEmpty ? "lineage" : String(name), email: "lineage@localhost", time: time)
    }
}
