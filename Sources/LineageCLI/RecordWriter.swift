import Foundation
import LineageCore
import LineageEngine
import LineageStore

/// Writes one record built from a command's flags and prints its id and label.
struct RecordWriter {
    let options: WriteOptions
    let storeOptions: StoreOptions

    /// A payload to keep in the erasable payload store, committed to in `field`.
    struct Payload {
        let field: String
        let bytes: [UInt8]
    }

    /// Adds the record, its payloads and the common options; prints the outcome.
    func write(_ kind: RecordKind, fields given: JSONObject, payloads: [Payload] = []) throws {
        let store = try storeOptions.open()
        var fields = given
        if !options.tags.isEmpty {
            let tags = try FieldInput.pairs(options.tags, flag: "--tag")
            fields["tags"] = .object(JSONObject(tags.members.map { ($0.key, JSONValue.string(Self.text($0.value))) }))
        }
        if let time = options.time { fields["time"] = .string(time) }
        let result = try store.writeRecord(kind, fields: fields, payloads: payloads.map { ($0.field, $0.bytes) }, actor: try options.resolvedActor())
        if options.json {
            print(result.json.canonicalString)
        } else {
            print("\(result.id)  \(result.reference ?? kind.rawValue)" + (result.existing ? "  (already recorded)" : "")
                  + (result.sameBytesAs.isEmpty ? "" : "  (the same bytes as \(result.sameBytesAs.joined(separator: ", ")), recorded again with its new producer)"))
        }
    }

    static func text(_ value: JSONValue) -> String {
        value.stringValue ?? value.canonicalString
    }
}
