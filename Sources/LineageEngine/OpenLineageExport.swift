import LineageCore
import LineageStore

/// OpenLineage 2-0-2 RunEvents: one COMPLETE (or FAIL) event per transform and run, with the
/// datasets it read as inputs and the datasets and models it produced as outputs.
public enum OpenLineageExport {
    static let producer = "urn:lineage:cli:" + LineageVersion.version
    static let schemaURL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"

    public static func events(_ graph: TraceGraph, origin: String) -> [JSONValue] {
        graph.order.compactMap { id -> JSONValue? in
            guard let record = graph.records[id], record.kind == .transform || record.kind == .run else { return nil }
            let inputs = graph.edges(from: id).filter { $0.relation == "inputs" }.compactMap { dataset($0.to, graph, origin: origin) }
            let outputs = graph.edges.filter { $0.to == id && ($0.relation == "derivedFrom" || $0.relation == "producedBy") }
                .compactMap { dataset($0.from, graph, origin: origin) }
            var run = JSONObject([("runId", .string(uuid(id)))])
            let params = record["params"]?.objectValue ?? JSONObject()
            if !params.isEmpty {
                run["facets"] = .object(JSONObject([("executionParameters", facet(
                    "https://openlineage.io/spec/facets/1-0-0/ExecutionParametersRunFacet.json#/$defs/ExecutionParametersRunFacet",
                    [("parameters", .array(params.members.map { member in
                        .object(JSONObject([("key", .string(member.key)), ("value", .string(member.value.stringValue ?? member.value.canonicalString))]))
                    }))]))]))
            }
            let job = JSONObject([
                ("namespace", .string(origin)), ("name", .string(record.name ?? id.hex)),
                ("facets", .object(JSONObject([("jobType", facet(
                    "https://openlineage.io/spec/facets/2-0-4/JobTypeJobFacet.json#/$defs/JobTypeJobFacet",
                    [("processingType", .string("BATCH")), ("integration", .string("LINEAGE")),
                     ("jobType", .string(record.kind == .run ? "TRAINING" : "TRANSFORM"))]))]))),
            ])
            let failed = record["status"]?.stringValue == "failed"
            return .object(JSONObject([
                ("eventType", .string(failed ? "FAIL" : "COMPLETE")),
                ("eventTime", .string(record["endedAt"]?.stringValue ?? record["time"]?.stringValue ?? "")),
                ("producer", .string(producer)), ("schemaURL", .string(schemaURL)),
                ("run", .object(run)), ("job", .object(job)),
                ("inputs", .array(inputs)), ("outputs", .array(outputs)),
            ]))
        }
    }

    static func dataset(_ id: Digest, _ graph: TraceGraph, origin: String) -> JSONValue? {
        guard let record = graph.records[id], record.kind == .dataset || record.kind == .model, let name = record.name else { return nil }
        let version = "\(record.version ?? 0) (\(record["digest"]?.stringValue ?? ""))"
        return .object(JSONObject([
            ("namespace", .string(origin)), ("name", .string(record.kind == .model ? "model:" + name : name)),
            ("facets", .object(JSONObject([("version", facet(
                "https://openlineage.io/spec/facets/1-0-1/DatasetVersionDatasetFacet.json#/$defs/DatasetVersionDatasetFacet",
                [("datasetVersion", .string(version))]))]))),
        ]))
    }

    static func facet(_ schema: String, _ fields: [(String, JSONValue)]) -> JSONValue {
        .object(JSONObject([("_producer", .string(producer)), ("_schemaURL", .string(schema))] + fields))
    }

    /// A stable UUID (version 8, RFC 9562) derived from a record id.
    static func uuid(_ id: Digest) -> String {
        var bytes = Array(id.bytes.prefix(16))
        bytes[6] = bytes[6] & 0x0F | 0x80
        bytes[8] = bytes[8] & 0x3F | 0x80
        let hex = Hex.encode(bytes)
        let parts = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20)]
        return parts.joined(separator: "-")
    }
}
