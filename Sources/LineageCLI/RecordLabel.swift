import Foundation
import LineageCore
import LineageStore

/// Short names for records in output.
enum RecordLabel {
    /// The name a user can type back: `dataset:train@2`, `deployment:fraud/prod`, `pred-8812`, or a short id.
    static func reference(_ entry: IndexedRecord) -> String {
        switch entry.kind {
        case .prediction:
            return entry.name ?? shortID(entry.id)
        case .deployment:
            return entry.name.map { "deployment:\($0)" } ?? shortID(entry.id)
        default:
            guard let name = entry.name else { return shortID(entry.id) }
            return "\(entry.kind):\(name)" + (entry.version.map { "@\($0)" } ?? "")
        }
    }

    /// What a record is, for people: `dataset train@2`, `deployment fraud/prod`, `approval sha256:…`.
    static func title(_ entry: IndexedRecord) -> String {
        "\(entry.kind) " + (entry.name ?? shortID(entry.id)) + (entry.version.map { "@\($0)" } ?? "")
    }

    /// `sha256:` and the first 12 hex digits.
    static func shortID(_ id: Digest) -> String { id.short }

    /// One line of a listing: short id, time, kind, reference.
    static func row(_ entry: IndexedRecord) -> String {
        let time = RecordTime.format(milliseconds: entry.timeMilliseconds)
        let kind = entry.kind.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)
        return "\(Terminal.styled(shortID(entry.id), "33"))  \(time)  \(kind)  \(reference(entry))"
    }

    /// One NDJSON line of a listing: `{"id", "seq", "ref", "record"}`.
    static func jsonLine(_ entry: IndexedRecord, _ record: Record) -> String {
        JSONValue.object(JSONObject([("id", .string(entry.id.description)), ("seq", .number(Double(entry.seq))),
                                     ("ref", .string(reference(entry))), ("record", .object(record.object))])).canonicalString
    }
}
