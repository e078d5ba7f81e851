import Foundation
import LineageCore
import LineageStore

/// Turning command-line flags and JSON files into record fields.
public enum FieldInput {
    /// Parses `KEY=VALUE` pairs into an object; a value that reads as a JSON number, boolean or
    /// null keeps that type, anything else is a string.
    public static func pairs(_ items: [String], flag: String) throws -> JSONObject {
        var object = JSONObject()
        for item in items {
            guard let equals = item.firstIndex(of: "="), equals != item.startIndex else {
                throw LineageError.input("\(flag) \(Names.printable(item)) is not KEY=VALUE")
            }
            let key = String(item[..<equals])
            let raw = String(item[item.index(after: equals)...])
            let value = typedValue(raw)
            if case .string = value, looksLikeNumber(raw) {
                throw LineageError.input("\(flag) \(Names.printable(item)): the number \(raw) is out of range; give a finite number, or quote it in JSON to keep it as text")
            }
            object[key] = value
        }
        return object
    }

    /// True for text written as a JSON number (which `typedValue` keeps as text only when it is
    /// out of range, like 1e999).
    public static func looksLikeNumber(_ raw: String) -> Bool {
        var bytes = Substring(raw).utf8[...]
        func digits() -> Bool {
            let start = bytes.startIndex
            while let b = bytes.first, b >= 0x30, b <= 0x39 { bytes.removeFirst() }
            return bytes.startIndex != start
        }
        if bytes.first == UInt8(ascii: "-") { bytes.removeFirst() }
        guard digits() else { return false }
        if bytes.first == UInt8(ascii: ".") {
            bytes.removeFirst()
            guard digits() else { return false }
        }
        if let e = bytes.first, e | 0x20 == UInt8(ascii: "e") {
            bytes.removeFirst()
            if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { bytes.removeFirst() }
            guard digits() else { return false }
        }
        return bytes.isEmpty
    }

    public static func typedValue(_ raw: String) -> JSONValue {
        if let value = try? JSONParser.parse(raw) {
            switch value {
            case .number, .bool, .null: return value
            default: break
            }
        }
        return .string(raw)
    }

    /// Parses a JSON argument given on the command line.
    public static func json(_ text: String, flag: String) throws -> JSONValue {
        do {
            return try JSONParser.parse(text)
        } catch {
            throw LineageError.input("\(flag) is not valid JSON: \(error)")
        }
    }

    /// Reads the bytes of a file, or of standard input for "-".
    /// The largest file read whole (a JSON record, a policy, a payload).
    public static let maximumFileBytes = 64 << 20

    /// Reads a whole regular file, or standard input for "-", of at most `maximumFileBytes`: a FIFO,
    /// a device or a larger file is refused rather than waited for or held in memory.
    public static func readFile(_ path: String, what: String) throws -> [UInt8] {
        let tooLarge = "the \(what) \(path == "-" ? "on standard input" : Names.printable(path)) is larger than \(maximumFileBytes >> 20) MiB, more than lineage reads for it"
        if path == "-" {
            let data = try FileHandle.standardInput.read(upToCount: maximumFileBytes + 1) ?? Data()
            guard data.count <= maximumFileBytes else { throw LineageError.input(tooLarge) }
            return [UInt8](data)
        }
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw LineageError.input("the \(what) \(Names.printable(path)) does not exist; check the path")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw LineageError.input("the \(what) \(Names.printable(path)) is \((info.st_mode & S_IFMT) == S_IFDIR ? "a directory" : "not a regular file"); give the path of a file")
        }
        guard Int(info.st_size) <= maximumFileBytes else { throw LineageError.input(tooLarge) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LineageError.input("the \(what) \(Names.printable(path)) cannot be read; check its permissions")
        }
        guard data.count <= maximumFileBytes else { throw LineageError.input(tooLarge) }
        return [UInt8](data)
    }

    /// Reads a JSON object from a file or "-".
    public static func jsonObject(file path: String, what: String) throws -> JSONObject {
        let bytes = try readFile(path, what: what)
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw LineageError.input("the \(what) \(path == "-" ? "on standard input" : Names.printable(path)) is not valid JSON: \(error)")
        }
        guard let object = value.objectValue else {
            throw LineageError.input("the \(what) must hold a JSON object, not \(value.typeName)")
        }
        return object
    }
}
