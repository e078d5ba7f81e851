import LineageCore
import LineageEngine
import LineageStore

/// The human-readable summary of one record: a headline and a few detail lines by kind.
struct RecordDetails {
    let entry: IndexedRecord
    let record: Record
    /// What the payload store holds for each committed field.
    let payloads: [String: PayloadState]

    var headline: String {
        Terminal.styled(RecordLabel.title(entry), "1") + "  " + Terminal.styled(RecordLabel.shortID(entry.id), "2")
    }

    /// Detail lines, most telling first.
    var lines: [String] {
        var out: [String] = []
        func add(_ label: String, _ value: JSONValue?) {
            guard let value else { return }
            out.append("\(label): \(Self.inline(value))")
        }
        switch entry.kind {
        case .dataset, .model:
            var parts = [record["digest"]?.stringValue ?? "?"]
            if let size = record["size"]?.integerValue { parts.append(ByteCount.format(size)) }
            if let files = record["files"]?.integerValue, files != 1 { parts.append("\(files) files") }
            if let format = record["format"]?.stringValue { parts.append(format) }
            out.append("content: " + parts.joined(separator: ", "))
            add("uri", record["uri"])
            add("license", record["license"])
            if entry.kind == .dataset && record["derivedFrom"] == nil { out.append("source dataset") }
        case .transform, .run:
            add("command", record["command"])
            add("params", record["params"])
            add("metrics", record["metrics"])
            if let code = record["code"]?.objectValue {
                let commit = code["commit"]?.stringValue ?? "unknown commit"
                let dirty = code["dirty"] == .bool(true) ? " (dirty)" : ""
                let place = [code["repo"]?.stringValue, code["path"]?.stringValue].compactMap { $0 }.joined(separator: " ")
                out.append("code: " + (place.isEmpty ? "" : place + " @ ") + commit + dirty)
            }
            var status: [String] = []
            if let s = record["status"]?.stringValue { status.append(s) }
            if let e = record["exitStatus"]?.integerValue { status.append("exit \(e)") }
            if !status.isEmpty { out.append("status: " + status.joined(separator: ", ")) }
            add("environment", record["environment"])
        case .deployment:
            var parts = [record["action"]?.stringValue ?? "deploy", "environment " + (record["environment"]?.stringValue ?? "?")]
            if let endpoint = record["endpoint"]?.stringValue { parts.append("endpoint " + endpoint) }
            if let approver = record["approver"]?.stringValue { parts.append("approved by " + approver) }
            out.append(parts.joined(separator: ", "))
        case .approval:
            out.append("approved by \(record["approver"]?.stringValue ?? "?") for \(record["purpose"]?.stringValue ?? "?")")
            add("reason", record["reason"])
        case .prediction:
            add("output", record["output"])
            add("explanation", record["explanation"])
            add("monitored", record["monitored"])
            for (field, digest) in record.commitments {
                let state = payloads[field].map { " (" + RecordDetails.describe($0, field: field) + ")" } ?? ""
                out.append("\(field): committed \(RecordLabel.shortID(digest))\(state)")
            }
            var meta: [String] = []
            if let latency = record["latencyMs"]?.numberValue { meta.append("latency \(CanonicalNumber.format(latency)) ms") }
            if let caller = record["caller"]?.stringValue { meta.append("caller " + caller) }
            if let session = record["session"]?.stringValue { meta.append("session " + session) }
            if !meta.isEmpty { out.append(meta.joined(separator: ", ")) }
        case .review:
            out.append("\(record["decision"]?.stringValue ?? "?") by \(record["reviewer"]?.stringValue ?? "?")")
            add("reason", record["reason"])
            add("output", record["output"])
        case .access, .erasure, .hold:
            add("action", record["action"])
            add("reason", record["reason"])
        case .alert:
            let value = record["value"]?.numberValue.map { " value \(CanonicalNumber.format($0))" } ?? ""
            let threshold = record["threshold"]?.numberValue.map { ", threshold \(CanonicalNumber.format($0))" } ?? ""
            out.append("\(record["action"]?.stringValue ?? "?") \(record["rule"]?.stringValue ?? "?") on \(record["scope"]?.stringValue ?? "?")\(value)\(threshold)")
            add("window", record["window"])
            add("detail", record["detail"])
            add("reason", record["reason"])
        }
        out.append("at \(record["time"]?.stringValue ?? "?") by \(record["actor"]?.stringValue ?? "?")")
        return out
    }

    /// A one-line rendering of a value: strings bare, objects as key=value pairs.
    /// What the payload store holds for a committed field, in words.
    static func describe(_ state: PayloadState, field: String) -> String {
        switch state {
        case .stored: "payload stored"
        case .erased(let erasure):
            "\(field) erased on \(erasure.time.prefix(10)) by \(erasure.actor): \(erasure.reason)"
        case .missing: "payload not stored: given only as a commitment, or lost"
        case .notCopied: "payload not in this copy: payloads stay with the store that owns the log"
        case .damaged(let reason): "payload damaged: \(reason)"
        }
    }

    static func inline(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): return Names.printable(s).dropFirst().dropLast().description
        case .object(let object) where object.members.isEmpty: return "(none)"
        case .object(let object): return object.members.map { "\($0.key)=\(inline($0.value))" }.joined(separator: ", ")
        case .array(let items) where items.isEmpty: return "(none)"
        case .array(let items): return items.map(inline).joined(separator: " ")
        default: return value.canonicalString
        }
    }
}
