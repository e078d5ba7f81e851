import LineageCore
import LineageStore

/// The one way link fields get record ids: names (`model:fraud@3`, `deployment:fraud/prod`), short
/// ids and prediction ids in the fields a record kind declares as links are replaced with full ids,
/// and each target's kind is checked against what the field allows.
public enum LinkResolver {
    /// Resolves through `target` (an id and kind for a reference, nil when it does not know it).
    /// Returns false, leaving `fields` as they were, when `target` does not know a reference.
    public static func resolve(_ fields: inout JSONObject, kind: RecordKind,
                               target: (String) throws -> (Digest, RecordKind)?) throws -> Bool {
        var resolved = fields
        for field in RecordSchema.of(kind).linkFields {
            var allowed: [RecordKind] = []
            switch field.type {
            case .link(let kinds), .links(let kinds): allowed = kinds
            default: break
            }
            func resolve(_ reference: String) throws -> String? {
                let found: (Digest, RecordKind)?
                do { found = try target(reference) } catch let error as LineageError {
                    throw LineageError(error.kind, "field '\(field.name)': " + error.message)
                }
                guard let (id, targetKind) = found else { return nil }
                guard allowed.contains(targetKind) else {
                    throw RecordError("field '\(field.name)' must link to a \(allowed.map(\.rawValue).joined(separator: " or ")), but \(Names.printable(reference)) is a \(targetKind)")
                }
                return id.description
            }
            switch fields[field.name] {
            case .string(let reference)?:
                guard let id = try resolve(reference) else { return false }
                resolved[field.name] = .string(id)
            case .array(let items)?:
                var ids: [JSONValue] = []
                for item in items {
                    guard let id = try resolve(item.stringValue ?? "") else { return false }
                    ids.append(.string(id))
                }
                resolved[field.name] = .array(ids)
            default: break
            }
        }
        fields = resolved
        return true
    }

    /// Resolves against `store`: a reference it does not hold is a not-found error naming the field.
    public static func resolve(_ fields: inout JSONObject, kind: RecordKind, in store: Store) throws {
        _ = try resolve(&fields, kind: kind) { reference in
            if let id = Digest(reference) {
                guard let found = try store.recordInFamily(id: id) else {
                    throw LineageError.notFound(store.missingLinkAdvice(id.description))
                }
                return (found.entry.id, found.entry.kind)
            }
            let entry = try store.resolveInFamily(reference).entry
            return (entry.id, entry.kind)
        }
    }
}
