import LineageCore
import LineageStore

/// W3C PROV-JSON: transforms and runs are activities, everything else is an entity, actors are
/// agents; inputs become `used`, outputs `wasGeneratedBy`, other links `wasDerivedFrom`.
public enum ProvExport {
    public static func document(_ graph: TraceGraph, origin: String) -> JSONValue {
        var entities = JSONObject(), activities = JSONObject(), agents = JSONObject()
        var used = JSONObject(), generated = JSONObject(), derived = JSONObject()
        var associated = JSONObject(), attributed = JSONObject()
        func qname(_ id: Digest) -> String { "lineage:" + id.hex }
        func agent(_ actor: String) -> String { "lineage:agent-" + Digest(hashing: Array(actor.utf8)).hex.prefix(16) }
        func time(_ value: JSONValue?) -> JSONValue? {
            value?.stringValue.map { .object(JSONObject([("$", .string($0)), ("type", .string("xsd:dateTime"))])) }
        }
        var counter = 0
        func relationID() -> String {
            counter += 1
            return "_:r\(counter)"
        }
        for id in graph.order {
            guard let record = graph.records[id], let entry = graph.entries[id] else { continue }
            var attributes = JSONObject([("prov:type", .string("lineage:\(record.kind)")),
                                         ("prov:label", .string("\(record.kind) \(entry.name ?? id.hex)"))])
            if let digest = record["digest"]?.stringValue { attributes["lineage:digest"] = .string(digest) }
            if let version = record.version { attributes["lineage:version"] = .number(Double(version)) }
            attributes["lineage:id"] = .string(id.description)
            let actor = record["actor"]?.stringValue ?? "unknown"
            agents[agent(actor)] = .object(JSONObject([("prov:label", .string(actor)), ("prov:type", .string("prov:Agent"))]))
            let isActivity = record.kind == .transform || record.kind == .run
            if isActivity {
                attributes["prov:startTime"] = time(record["startedAt"] ?? record["time"])
                attributes["prov:endTime"] = time(record["endedAt"] ?? record["time"])
                activities[qname(id)] = .object(attributes)
                associated[relationID()] = .object(JSONObject([("prov:activity", .string(qname(id))), ("prov:agent", .string(agent(actor)))]))
            } else {
                entities[qname(id)] = .object(attributes)
                attributed[relationID()] = .object(JSONObject([("prov:entity", .string(qname(id))), ("prov:agent", .string(agent(actor)))]))
            }
            for edge in graph.edges(from: id) {
                guard let target = graph.records[edge.to] else { continue }
                let targetIsActivity = target.kind == .transform || target.kind == .run
                if isActivity && !targetIsActivity {
                    used[relationID()] = .object(JSONObject([("prov:activity", .string(qname(id))), ("prov:entity", .string(qname(edge.to)))]))
                } else if !isActivity && targetIsActivity {
                    generated[relationID()] = .object(JSONObject([("prov:entity", .string(qname(id))), ("prov:activity", .string(qname(edge.to)))]))
                } else if !isActivity {
                    derived[relationID()] = .object(JSONObject([("prov:generatedEntity", .string(qname(id))), ("prov:usedEntity", .string(qname(edge.to))),
                                                                ("lineage:relation", .string(edge.relation))]))
                }
            }
        }
        var document = JSONObject([("prefix", .object(JSONObject([("lineage", .string("urn:lineage:\(origin):"))])))])
        for (key, value) in [("entity", entities), ("activity", activities), ("agent", agents), ("used", used), ("wasGeneratedBy", generated),
                             ("wasDerivedFrom", derived), ("wasAssociatedWith", associated), ("wasAttributedTo", attributed)] where !value.isEmpty {
            document[key] = .object(value)
        }
        return .object(document)
    }
}
