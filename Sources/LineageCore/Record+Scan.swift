extension Record {
    /// The record `bytes` hold, read without building its object, when `CanonicalScan` is sure they
    /// are canonical and every member is valid against the schema by the checks below. Nil leaves
    /// the record to the full path, which accepts it or names what is wrong.
    static func scanned(_ bytes: [UInt8]) -> Record? {
        bytes.withUnsafeBufferPointer { b -> Record? in
            guard let members = CanonicalScan.members(b),
                  let kindText = members.first(where: { Bytes.order(Bytes.kind, $0.name(in: b)) == 0 })?.text(in: b),
                  let kind = RecordKind(utf8: kindText) else { return nil }
            let schema = RecordSchema.of(kind)
            var links: [Link] = []
            var predictionID: String?
            var subject: String?
            var time: Int64 = 0
            var hasDeployment = false, hasModel = false
            // Members and the schema's fields are both in name order: walk them together.
            var next = 0
            for member in members {
                let name = member.name(in: b)
                while next < schema.sortedFields.count, Bytes.order(schema.sortedFields[next].name, name) < 0 {
                    if schema.sortedFields[next].field.required { return nil }
                    next += 1
                }
                guard next < schema.sortedFields.count, Bytes.order(schema.sortedFields[next].name, name) == 0 else { return nil }
                let role = schema.sortedFields[next].role
                // `kind` was read, and so checked, above.
                if role == .kind {
                    next += 1
                    continue
                }
                let field = schema.sortedFields[next].field
                next += 1
                let value = member.text(in: b)
                guard let scanned = field.type.scanned(value, member.type, field: field.name) else { return nil }
                // What the record keeps of some fields.
                switch (role, scanned) {
                case (.predictionID, _): predictionID = String(decoding: value!, as: UTF8.self)
                case (.subject, _): subject = String(decoding: value!, as: UTF8.self)
                case (.time, .time(let t)): time = t
                case (.deployment, .digest(let target)):
                    links.append(Link(relation: field.name, target: target))
                    hasDeployment = true
                case (.model, .digest(let target)):
                    links.append(Link(relation: field.name, target: target))
                    hasModel = true
                case (.link, .digest(let target)): links.append(Link(relation: field.name, target: target))
                default: break
                }
            }
            while next < schema.sortedFields.count {
                if schema.sortedFields[next].field.required { return nil }
                next += 1
            }
            if kind == .prediction, hasDeployment == hasModel { return nil }
            if kind == .hold { return nil } // its cross-field rules are checked by `validate` alone
            // Links in schema order, as `links(kind:object:)` lists them.
            if links.count > 1 {
                let order = schema.linkFields.map(\.name)
                links.sort { order.firstIndex(of: $0.relation)! < order.firstIndex(of: $1.relation)! }
            }
            return Record(storage: Storage(kind: kind, canonicalBytes: bytes, links: links, predictionID: predictionID, subject: subject,
                                           timeMilliseconds: time))
        }
    }
}

extension Record {
    /// The record `make` builds from the object on `line` with link references resolved, straight
    /// from the line's bytes when they are already in canonical form (members in order, no
    /// whitespace, values the scan takes): bulk ingest mostly meets such lines. `resolve` gives the
    /// id of a record a link names, if that record is of one of the kinds given. Also returns the
    /// members it added (`kind`, `schemaVersion`, `time`, `actor`, those the line lacks). Nil when
    /// the line is not that simple, not valid, or links to something `resolve` does not know (a name
    /// or an id), for the caller to take the full path.
    ///
    /// `raw`, for a prediction's `input`, `outputPayload` or `subject` holding a raw value (not a
    /// commitment or keyed hash): given the field and the value's bytes (a string's contents, or
    /// any other value's canonical JSON), returns the string that replaces it, or nil to take the
    /// full path. It is called only once the line is known to be canonical.
    public static func make(
        scanning line: [UInt8], defaultKind: RecordKind, timeMilliseconds: Int64, actor: String,
        resolve: (String, [RecordKind]) -> Digest?, raw: ((String, [UInt8]) -> String?)? = nil
    ) -> (record: Record, added: [String])? {
        line.withUnsafeBufferPointer { b -> (record: Record, added: [String])? in
            guard let members = CanonicalScan.members(b) else { return nil }
            var kind = defaultKind
            var given = (kind: false, schemaVersion: false, time: false, actor: false)
            if let member = members.first(where: { Bytes.order(Bytes.kind, $0.name(in: b)) == 0 }) {
                guard let text = member.text(in: b), let named = RecordKind(rawValue: String(decoding: text, as: UTF8.self)) else { return nil }
                kind = named
                given.kind = true
            }
            // Versioned kinds are numbered by the store.
            guard !kind.isVersioned else { return nil }
            let schema = RecordSchema.of(kind)
            var replaced: [(member: Int, value: [UInt8])] = []
            for (i, member) in members.enumerated() {
                let name = member.name(in: b)
                if Bytes.order(Bytes.schemaVersion, name) == 0 {
                    // `make` writes the current version whatever the line says: only that one is kept.
                    guard member.type == .integer(RecordSchema.version) else { return nil }
                    given.schemaVersion = true
                } else if Bytes.order(Bytes.time, name) == 0 {
                    given.time = true
                } else if Bytes.order(Bytes.actor, name) == 0 {
                    given.actor = true
                } else if let field = schema.linkFields.first(where: { Bytes.order($0.name.utf8, name) == 0 }) {
                    // Ids too: the caller knows whether the record they name exists and is of a kind allowed.
                    guard case .link(let allowed) = field.type, let reference = member.text(in: b),
                          let id = resolve(String(decoding: reference, as: UTF8.self), allowed) else { return nil }
                    if Digest(utf8: reference) != id { replaced.append((i, Array(("\"" + id.description + "\"").utf8))) }
                } else if kind == .prediction, let field = Bytes.rawFields.first(where: { Bytes.order($0.utf8, name) == 0 }) {
                    let text = member.text(in: b)
                    let isRaw = field == "subject" ? text.map { !SubjectHasher.isKeyed(String(decoding: $0, as: UTF8.self)) } ?? true
                                                   : text.flatMap { Digest(utf8: $0) } == nil
                    guard isRaw else { continue }
                    guard let raw, field != "subject" || text != nil,
                          let replacement = raw(field, text.map { Array($0) } ?? Array(member.raw(in: b))) else { return nil }
                    replaced.append((i, Array(("\"" + replacement + "\"").utf8)))
                }
            }
            // The members `make` adds, in name order.
            var added: [(name: String, value: JSONValue)] = []
            if !given.actor { added.append(("actor", .string(actor))) }
            if !given.kind { added.append(("kind", .string(kind.rawValue))) }
            if !given.schemaVersion { added.append(("schemaVersion", .number(Double(RecordSchema.version)))) }
            if !given.time { added.append(("time", .string(RecordTime.format(milliseconds: timeMilliseconds)))) }
            var out: [UInt8] = []
            out.reserveCapacity(b.count + 160)
            out.append(UInt8(ascii: "{"))
            func put(_ name: some Sequence<UInt8>, _ write: (inout [UInt8]) -> Void) {
                if out.count > 1 { out.append(UInt8(ascii: ",")) }
                out.append(UInt8(ascii: "\""))
                out.append(contentsOf: name)
                out.append(contentsOf: "\":".utf8)
                write(&out)
            }
            var next = 0, nextReplaced = 0
            for (i, member) in members.enumerated() {
                let name = member.name(in: b)
                while next < added.count, Bytes.order(added[next].name.utf8, name) < 0 {
                    put(added[next].name.utf8, added[next].value.writeCanonical)
                    next += 1
                }
                if nextReplaced < replaced.count, replaced[nextReplaced].member == i {
                    put(name) { $0.append(contentsOf: replaced[nextReplaced].value) }
                    nextReplaced += 1
                } else {
                    put(name) { $0.append(contentsOf: member.raw(in: b)) }
                }
            }
            for member in added[next...] { put(member.name.utf8, member.value.writeCanonical) }
            out.append(UInt8(ascii: "}"))
            guard let record = scanned(out) else { return nil }
            return (record, added.map(\.name))
        }
    }
}

/// Byte-string comparison for member names, written out: the generic `elementsEqual` and
/// `lexicographicallyPrecedes` showed in profiles of reading records.
enum Bytes {
    static let kind = Array("kind".utf8), schemaVersion = Array("schemaVersion".utf8), time = Array("time".utf8),
               actor = Array("actor".utf8)
    /// A prediction's fields that ingest takes raw and replaces (commitments, the keyed subject).
    static let rawFields = ["input", "outputPayload", "subject"]

    /// Negative, zero or positive as `a` sorts before, equal to or after `b`.
    static func order(_ a: some Collection<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        var i = b.startIndex
        for x in a {
            guard i < b.endIndex else { return 1 }
            if x != b[i] { return x < b[i] ? -1 : 1 }
            i += 1
        }
        return i == b.endIndex ? 0 : -1
    }
}
