import Foundation
import LineageCore
import LineageEngine
import LineageStore

/// The three renderings of a trace: an indented tree, a JSON graph and Graphviz dot.
enum TraceRendering {
    static func tree(_ graph: TraceGraph, payloadStates: @escaping (IndexedRecord, Record) -> [String: PayloadState]) -> String {
        var out = ""
        var shown: Set<Digest> = []
        func details(_ id: Digest) -> RecordDetails? {
            guard let entry = graph.entries[id], let record = graph.records[id] else { return nil }
            return RecordDetails(entry: entry, record: record, payloads: payloadStates(entry, record))
        }
        func visit(_ id: Digest, relation: String?, prefix: String, connector: String, childPrefix: String) {
            let relationText = relation.map { Terminal.styled($0, "2") + " → " } ?? ""
            guard let node = details(id) else {
                if graph.unresolved.contains(id) {
                    out += prefix + connector + relationText + "\(id)  (in a log not pulled here: `lineage pull` the remote its origin pushes to)\n"
                }
                return
            }
            let seen = shown.contains(id)
            shown.insert(id)
            let origin = graph.origins[id].map { "  [log \($0)]" } ?? ""
            out += prefix + connector + relationText + node.headline + origin + (seen ? "  (shown above)" : "") + "\n"
            guard !seen else { return }
            let children = graph.edges(from: id)
            for line in node.lines {
                out += childPrefix + (children.isEmpty ? "  " : "│ ") + Terminal.styled(line, "2") + "\n"
            }
            for (i, edge) in children.enumerated() {
                let last = i == children.count - 1
                visit(edge.to, relation: edge.relation, prefix: childPrefix, connector: last ? "└─ " : "├─ ",
                      childPrefix: childPrefix + (last ? "   " : "│  "))
            }
        }
        visit(graph.root, relation: nil, prefix: "", connector: "", childPrefix: "")
        return out
    }

    static func dot(_ graph: TraceGraph) -> String {
        func quoted(_ text: String) -> String {
            "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n") + "\""
        }
        var out = "digraph lineage {\n  rankdir=BT;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n"
        for id in graph.order {
            guard let entry = graph.entries[id] else { continue }
            let label = "\(entry.kind)\n\(RecordLabel.reference(entry))\n\(RecordLabel.shortID(id))"
            out += "  \(quoted(id.description)) [label=\(quoted(label))];\n"
        }
        for edge in graph.edges {
            out += "  \(quoted(edge.from.description)) -> \(quoted(edge.to.description)) [label=\(quoted(edge.relation))];\n"
        }
        return out + "}\n"
    }

    static func mermaid(_ graph: TraceGraph) -> String {
        var names: [Digest: String] = [:]
        var out = "graph BT\n"
        for (i, id) in graph.order.enumerated() {
            guard let entry = graph.entries[id] else { continue }
            names[id] = "n\(i)"
            let label = "\(entry.kind): \(RecordLabel.reference(entry))".replacingOccurrences(of: "\"", with: "#quot;")
            out += "  n\(i)[\"\(label)\"]\n"
        }
        for edge in graph.edges {
            guard let from = names[edge.from], let to = names[edge.to] else { continue }
            out += "  \(from) -->|\(edge.relation)| \(to)\n"
        }
        return out
    }
}
