import Foundation
import LineageCore

/// The erasable payload store (`payloads/`): raw inputs and outputs that may hold personal data,
/// each with the salt of its commitment. Nothing here is in git; erasing a payload deletes its file
/// and leaves every record, the log and every proof valid.
struct PayloadStore {
    let path: String

    func file(for commitment: Digest) -> String {
        let hex = commitment.hex
        return "\(path)/\(hex.prefix(2))/\(hex.dropFirst(2))"
    }

    func exists(_ commitment: Digest) -> Bool { FileManager.default.fileExists(atPath: file(for: commitment)) }

    /// Stores `payload` under its commitment: the file holds the salt (hex) on the first line, then the bytes.
    func write(_ payload: [UInt8], salt: [UInt8], commitment: Digest) throws {
        let target = file(for: commitment)
        do {
            try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            var bytes = Array((Hex.encode(salt) + "\n").utf8)
            bytes.append(contentsOf: payload)
            try Data(bytes).write(to: URL(fileURLWithPath: target), options: .atomic)
        } catch {
            throw LineageError.storage("cannot write payload \(commitment): \(error.localizedDescription)")
        }
    }

    /// Reads a payload and its salt back; nil when there is none (never stored, or erased).
    func read(_ commitment: Digest) -> (salt: [UInt8], payload: [UInt8])? {
        guard let data = FileManager.default.contents(atPath: file(for: commitment)),
              let newline = data.firstIndex(of: 0x0A),
              let salt = Hex.decode(String(decoding: data[..<newline], as: UTF8.self)) else { return nil }
        return (salt, [UInt8](data[(newline + 1)...]))
    }
}
