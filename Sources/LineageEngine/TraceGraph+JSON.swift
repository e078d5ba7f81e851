import LineageCore
import LineageStore

extension TraceGraph {
    /// The `trace --json` shape: `{"root", "origin", "nodes": [{"id", "kind", "ref", "seq", "origin", "record", "payloads"?}],
    /// "edges": [{"from", "to", "relation"}], "unresolved": [ID]}` (a node's `seq` is its position in its origin's log;
    /// `unresolved`: records linked to in logs not pulled);
    /// `payloads` (and `erasures`) say of each committed payload what the payload store holds (see `PayloadState.add`).
    public func json(payloadStates: (IndexedRecord, Record) -> [String: PayloadState]) -> JSONValue {
        let nodes: [JSONValue] = order.compactMap { id in
            guard let entry = entries[id], let record = records[id] else { return nil }
            var node = JSONObject()
            node["id"] = .string(id.description)
            node["kind"] = .string(entry.kind.rawValue)
            node["ref"] = .string(RecordLabel.reference(entry))
            node["seq"] = .number(Double(entry.seq))
            node["origin"] = .string(origin(of: id))
            node["record"] = .object(record.object)
            PayloadState.add(payloadStates(entry, record), to: &node)
            return .object(node)
        }
        let edges: [JSONValue] = edges.map { edge in
            .object(JSONObject([("from", .string(edge.from.description)), ("to", .string(edge.to.description)),
                                ("relation", .string(edge.relation))]))
        }
        return .object(JSONObject([("root", .string(root.description)), ("origin", .string(origin)), ("nodes", .array(nodes)),
                                   ("edges", .array(edges)), ("unresolved", .array(unresolved.sorted { $0.description < $1.description }.map { .string($0.description) }))]))
    }
}
