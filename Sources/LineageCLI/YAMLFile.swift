import Foundation
import LineageCore
import LineageStore
import Yams

/// Reads the YAML files lineage takes (gate policies, dvc.lock) as plain values, refusing what a
/// hostile file could use to exhaust memory: anchors and aliases (a few hundred bytes of nested
/// aliases expand to gigabytes) and files over a size limit. Errors are one sentence naming the
/// file, the line and the column.
enum YAMLFile {
    /// The largest YAML file read.
    static let maximumBytes = 16 << 20

    /// The document in `text` (read from `path`) as Yams' plain values (String, Int, Double, Bool,
    /// NSNull, arrays and dictionaries), or nil for an empty document.
    static func load(_ text: String, path: String) throws -> Any? {
        guard text.utf8.count <= maximumBytes else {
            throw LineageError.input("\(Names.printable(path)) is larger than \(maximumBytes >> 20) MiB; a YAML file this large is not one lineage reads")
        }
        do {
            // The parser keeps the anchors alive (nodes hold them weakly) while the document is checked.
            let parser = try Parser(yaml: text)
            guard let root = try parser.singleRoot() else { return nil }
            if let anchored = firstAnchor(in: root) {
                throw LineageError.input("\(Names.printable(path)) uses the YAML anchor &\(anchored) (and aliases to it), which lineage does not accept: write the values out")
            }
            return Constructor.default.any(from: root)
        } catch let error as YamlError {
            throw LineageError.input("\(Names.printable(path)) is not valid YAML: \(sentence(error))")
        }
    }

    /// The first anchor in document order. Aliases always follow the anchor they name, so this
    /// stops before any aliased copy is walked.
    private static func firstAnchor(in node: Node) -> String? {
        if let anchor = node.anchor { return anchor.rawValue }
        switch node {
        case .mapping(let mapping):
            for (key, value) in mapping {
                if let found = firstAnchor(in: key) ?? firstAnchor(in: value) { return found }
            }
        case .sequence(let sequence):
            for item in sequence {
                if let found = firstAnchor(in: item) { return found }
            }
        case .scalar, .alias:
            break
        }
        return nil
    }

    /// A YAML error as one clause: the problem, where, and what it was reading.
    private static func sentence(_ error: YamlError) -> String {
        func at(_ mark: Mark) -> String { "line \(mark.line), column \(mark.column)" }
        func within(_ context: YamlError.Context?) -> String {
            context.map { " (\($0.text) at \(at($0.mark)))" } ?? ""
        }
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            return "\(problem) at \(at(mark))\(within(context))"
        case let .reader(problem, offset, _, _):
            return problem + (offset.map { " at byte \($0)" } ?? "")
        case let .duplicatedKeysInMapping(duplicates, context):
            return "the key \(duplicates.joined(separator: ", ")) appears twice in one mapping at \(at(context.mark))"
        default:
            return String(describing: error).split(separator: "\n").first.map(String.init) ?? "unreadable"
        }
    }
}
