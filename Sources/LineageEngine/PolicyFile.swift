import Foundation
import LineageCore
import LineageStore

/// Reading a gate policy from a YAML (or JSON) file.
public enum PolicyFile {
    public static func load(_ path: String) throws -> Policy {
        let text = String(decoding: try FieldInput.readFile(path, what: "policy file"), as: UTF8.self)
        let parsed = try YAMLFile.load(text, path: path)
        do {
            return try Policy(json: try json(parsed ?? [String: Any]()))
        } catch let error as RecordError {
            throw LineageError.input("the policy file \(Names.printable(path)): \(error.message)")
        }
    }

    /// Converts what Yams loaded into JSON values.
    public static func json(_ value: Any) throws -> JSONValue {
        switch value {
        case let text as String: return .string(text)
        case let flag as Bool: return .bool(flag)
        case let number as Int: return .number(Double(number))
        case let number as Double: return .number(number)
        case let items as [Any]: return .array(try items.map(json))
        case let mapping as [String: Any]:
            return .object(JSONObject(try mapping.map { ($0.key, try json($0.value)) }))
        case let mapping as [AnyHashable: Any]:
            return .object(JSONObject(try mapping.map { ("\($0.key)", try json($0.value)) }))
        case is NSNull: return .null
        default: throw RecordError("the policy holds a value that is not text, a number, a list or a mapping")
        }
    }
}
