import Crypto
import Foundation
import LineageCore

/// DVC's content hash of a workspace file or directory, to tell whether the workspace still holds
/// what a dvc.lock recorded (what `dvc status` calls "modified").
///
/// A file: the MD5 of its bytes (`hash: md5`, DVC 3), or for entries from DVC 2 (no `hash` key,
/// "md5-dos2unix") the MD5 after CRLF -> LF when its first 512 bytes look like text. A directory:
/// `<md5>.dir`, the MD5 of the JSON list `[{"md5": …, "relpath": …}, …]` of its files sorted by
/// path, as Python's `json.dumps(…, sort_keys=True)` writes it.
public enum DVCHash {
    /// The hash DVC would record for `path` (a regular file or a directory).
    public static func of(_ path: String, legacy: Bool) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw LineageError.input("\(Names.printable(path)) does not exist")
        }
        guard isDirectory.boolValue else { return try file(path, legacy: legacy) }
        let files = try ArtifactDigest.regularFiles(under: path)
            .sorted { Array($0.unicodeScalars.map(\.value)).lexicographicallyPrecedes($1.unicodeScalars.map(\.value)) }
        var listing = "["
        for (index, relative) in files.enumerated() {
            if index > 0 { listing += ", " }
            listing += "{\"md5\": \"\(try file(path + "/" + relative, legacy: legacy))\", \"relpath\": \(pythonJSON(relative))}"
        }
        listing += "]"
        return Hex.encode(Insecure.MD5.hash(data: Array(listing.utf8))) + ".dir"
    }

    static func file(_ path: String, legacy: Bool) throws -> String {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw LineageError.input("\(Names.printable(path)) is not a regular file; DVC tracks files and directories only")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw LineageError.input("cannot read \(Names.printable(path)): it is not readable")
        }
        defer { try? handle.close() }
        var hasher = Insecure.MD5()
        var first = true, text = false, carriageReturn = false
        while true {
            let chunk: Data
            do { chunk = try handle.read(upToCount: ArtifactDigest.chunkSize) ?? Data() } catch {
                throw LineageError.input("cannot read \(Names.printable(path)): \(error.localizedDescription)")
            }
            if first { text = legacy && looksLikeText(chunk.prefix(512)); first = false }
            if chunk.isEmpty { break }
            guard text else { hasher.update(data: chunk); continue }
            // dos2unix: drop each CR that comes right before an LF (also across chunk boundaries).
            var out: [UInt8] = []
            out.reserveCapacity(chunk.count + 1)
            for byte in chunk {
                if carriageReturn && byte != 0x0A { out.append(0x0D) }
                carriageReturn = byte == 0x0D
                if !carriageReturn { out.append(byte) }
            }
            hasher.update(data: out)
        }
        if carriageReturn { hasher.update(data: [0x0D]) }
        return Hex.encode(hasher.finalize())
    }

    /// DVC's `istextblock`: empty, or no NUL and at most 30% bytes outside printable ASCII and \n\r\t\f\b.
    static func looksLikeText(_ block: Data) -> Bool {
        if block.isEmpty { return true }
        if block.contains(0) { return false }
        let other = block.filter { !((32..<127).contains($0) || [0x0A, 0x0D, 0x09, 0x0C, 0x08].contains($0)) }.count
        return Double(other) / Double(block.count) <= 0.30
    }

    /// A string as Python's json.dumps writes it (ensure_ascii): quotes, backslash escapes, \uXXXX.
    static func pythonJSON(_ text: String) -> String {
        var out = "\""
        for unit in text.utf16 {
            switch unit {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x08: out += "\\b"
            case 0x0C: out += "\\f"
            case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(unit)!)
            default: out += "\\u" + String(format: "%04x", unit)
            }
        }
        return out + "\""
    }
}
