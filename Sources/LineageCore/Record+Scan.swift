extension Record {
    /// The record `bytes` hold, read without building its object, when `CanonicalScan` is sure they
    /// are canonical and every member is valid against the schema by the checks below. Nil leaves
    /// the record to the full path, which accepts it or names what is wrong.
    static func scanned(_ bytes: [UInt8]) -> Record? {
        bytes.withUnsafeBufferPointer { b -> Record? in
            guard let members = CanonicalScan.members(b) else { return nil }
            func text(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: b[range]) }
            func string(_ member: CanonicalScan.Member) -> Range<Int>? {
                member.type == .string ? (member.value.lowerBound + 1)..<(member.value.upperBound - 1) : nil
            }
            guard let kindMember = members.first(where: { text($0.key).elementsEqual("kind".utf8) }),
                  let kindText = string(kindMember),
                  let kind = RecordKind(rawValue: String(decoding: text(kindText), as: UTF8.self)) else { return nil }
            let schema = RecordSchema.of(kind)
            var links: [Link] = []
            var predictionID: String?
            var time: Int64 = 0
            var hasDeployment = false, hasModel = false
            // Members and the schema's fields are both in name order: walk them together.
            var next = 0
            for member in members {
                let name = text(member.key)
                while next < schema.sortedFields.count, schema.sortedFields[next].name.lexicographicallyPrecedes(name) {
                    if schema.sortedFields[next].field.required { return nil }
                    next += 1
                }
                guard next < schema.sortedFields.count, schema.sortedFields[next].name.elementsEqual(name) else { return nil }
                let field = schema.sortedFields[next].field
                next += 1
                let value = string(member).map(text)
                switch field.type {
                case .string, .any:
                    if case .string = field.type, value == nil { return nil }
                case .predictionID:
                    guard let value, !value.isEmpty, value.count <= Names.maximumPredictionIDLength,
                          value.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
                    if kind == .prediction { predictionID = String(decoding: value, as: UTF8.self) }
                case .name:
                    guard let value, (try? Names.validate(String(decoding: value, as: UTF8.self), what: "")) != nil else { return nil }
                case .integer(let minimum):
                    guard case .integer(let n) = member.type, n >= minimum else { return nil }
                    if field.name == "schemaVersion", n != RecordSchema.version { return nil }
                case .number:
                    guard member.type.isNumber else { return nil }
                case .boolean:
                    guard member.type == .bool else { return nil }
                case .object:
                    guard member.type == .object else { return nil }
                case .time:
                    guard let value, let t = RecordTime.parse(utf8: value) else { return nil }
                    if field.name == "time" { time = t }
                case .digest, .commitment:
                    guard let value, Digest(utf8: value) != nil else { return nil }
                case .link:
                    guard let value, let target = Digest(utf8: value) else { return nil }
                    links.append(Link(relation: field.name, target: target))
                    if field.name == "deployment" { hasDeployment = true }
                    if field.name == "model" { hasModel = true }
                case .choice(let options):
                    guard let value, options.contains(where: { $0.utf8.elementsEqual(value) }) else { return nil }
                case .command, .code, .digests, .links:
                    return nil
                }
            }
            while next < schema.sortedFields.count {
                if schema.sortedFields[next].field.required { return nil }
                next += 1
            }
            if kind == .prediction, hasDeployment == hasModel { return nil }
            // Links in schema order, as `links(kind:object:)` lists them.
            if links.count > 1 {
                let order = schema.linkFields.map(\.name)
                links.sort { order.firstIndex(of: $0.relation)! < order.firstIndex(of: $1.relation)! }
            }
            return Record(storage: Storage(kind: kind, canonicalBytes: bytes, links: links, predictionID: predictionID,
                                           timeMilliseconds: time))
        }
    }
}
