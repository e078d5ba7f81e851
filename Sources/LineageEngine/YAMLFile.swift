import Foundation
import LineageCore
import LineageStore
import Yams

/// Reads the YAML files lineage takes (gate policies, dvc.lock) as plain values, refusing what a
/// hostile file could use to exhaust memory: anchors and aliases (a few hundred bytes of nested
/// aliases expand to gigabytes) and files over a size limit. Errors are one sentence naming the
/// file, the line and the column.
public enum YAMLFile {
    /// The largest YAML file read.
    public static let maximumBytes = 16 << 20

    /// The document in `text` (read from `path`) as Yams' plain values (String, Int, Double, Bool,
    /// NSNull, arrays and dictionaries), or nil for an empty document.
    public static func load(_ text: String, path: String) throws -> Any? {
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
            let key = line(of: error).flatMap { keyPath(before: $0, in: text) }.map { " (in the key \(Names.printable($0)))" } ?? ""
            throw LineageError.input("\(Names.printable(path)) is not valid YAML: \(sentence(error))\(key)")
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

    /// The line (1-based) a YAML error points at: where the construct it was reading began, if known.
    private static func line(of error: YamlError) -> Int? {
        switch error {
        case let .scanner(context, _, mark, _), let .parser(context, _, mark, _), let .composer(context, _, mark, _):
            context?.mark.line ?? mark.line
        case let .duplicatedKeysInMapping(_, context): context.mark.line
        default: nil
        }
    }

    /// The dotted path of the block-mapping key that holds line `line` (`train.lr`): the nearest key
    /// at or above it, then each less-indented key above that.
    public static func keyPath(before line: Int, in text: String) -> String? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).prefix(max(line, 0))
        var path: [String] = []
        var indent = Int.max
        for candidate in lines.reversed() {
            let body = candidate.drop { $0 == " " }
            let depth = candidate.count - body.count
            guard depth < indent, let key = mappingKey(body) else { continue }
            path.insert(key, at: 0)
            indent = depth
            if depth == 0 { break }
        }
        return path.isEmpty ? nil : path.joined(separator: ".")
    }

    /// The key of a `key: value` or `- key: value` line, if it is one.
    private static func mappingKey(_ line: Substring) -> String? {
        var body = line
        if body.hasPrefix("- ") { body = body.dropFirst(2).drop { $0 == " " } }
        guard let first = body.first, first != "#", first != "-", first != "[", first != "{",
              let colon = body.firstIndex(of: ":") else { return nil }
        let after = body.index(after: colon)
        guard after == body.endIndex || body[after] == " " else { return nil }
        let key = body[..<colon].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
        return key.isEmpty ? nil : key
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
