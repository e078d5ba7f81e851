import LineageCore
import LineageStore

/// Short names for records in output.
public enum RecordLabel {
    /// The name a user can type back: `dataset:train@2`, `deployment:fraud/prod`, `pred-8812`, or a short id.
    public static func reference(_ entry: IndexedRecord) -> String {
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
    public static func title(_ entry: IndexedRecord) -> String {
        "\(entry.kind) " + (entry.name ?? shortID(entry.id)) + (entry.version.map { "@\($0)" } ?? "")
    }

    /// `sha256:` and the first 12 hex digits.
    public static func shortID(_ id: Digest) -> String { id.short }

    /// One NDJSON line of a listing (`log`, `query --json`): `{"id", "seq", "ref", "record"}`.
    public static func json(_ entry: IndexedRecord, _ record: Record) -> JSONValue {
        .object(JSONObject([("id", .string(entry.id.description)), ("seq", .number(Double(entry.seq))),
                            ("ref", .string(reference(entry))), ("record", .object(record.object))]))
    }
}
