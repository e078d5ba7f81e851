import CFileSync
import Foundation
import LineageCore

/// The erasable payload store (`payloads/`): raw inputs and outputs that may hold personal data,
/// each with the salt of its commitment. Nothing here is in git; erasing a payload deletes its file
/// and leaves every record, the log and every proof valid. Files are the owner's alone (0600 in
/// directories of 0700).
struct PayloadStore {
    let path: String

    func file(for commitment: Digest) -> String {
        let hex = commitment.hex
        return "\(path)/\(hex.prefix(2))/\(hex.dropFirst(2))"
    }

    func exists(_ commitment: Digest) -> Bool { FileManager.default.fileExists(atPath: file(for: commitment)) }

    /// Stores a batch's payloads, each under its commitment (the file holds the salt in hex on the
    /// first line, then the bytes), and makes them durable before returning: a writer calls this
    /// before it moves the log ref, so no acknowledged record's payload can be lost by a crash.
    /// Each file is written under a temporary name and renamed, so none is ever seen half-written.
    func writeDurably(_ staged: [(Digest, [UInt8], [UInt8])]) throws {
        guard !staged.isEmpty else { return }
        try makeDirectory(path)
        for (commitment, salt, payload) in staged {
            let target = file(for: commitment)
            let directory = (target as NSString).deletingLastPathComponent
            try makeDirectory(directory)
            let temporary = directory + "/.tmp-\(getpid())-" + commitment.hex.prefix(16)
            var bytes = Array((Hex.encode(salt) + "\n").utf8)
            bytes.append(contentsOf: payload)
            try write(bytes, to: temporary, commitment: commitment)
            guard rename(temporary, target) == 0 else {
                let reason = String(cString: strerror(errno))
                unlink(temporary)
                throw LineageError.storage("cannot store payload \(commitment): \(reason); nothing was written")
            }
        }
        // One flush of the file system for the whole batch (its files, their names, and the batch's
        // git objects written just before), instead of one fsync per file.
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw LineageError.storage("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        guard lineage_syncfs(descriptor) == 0 else {
            throw LineageError.storage("cannot make the payloads durable (\(String(cString: strerror(errno)))); nothing was written")
        }
    }

    private func makeDirectory(_ directory: String) throws {
        if mkdir(directory, 0o700) != 0, errno != EEXIST {
            throw LineageError.storage("cannot create \(directory): \(String(cString: strerror(errno)))")
        }
    }

    private func write(_ bytes: [UInt8], to file: String, commitment: Digest) throws {
        let descriptor = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw LineageError.storage("cannot store payload \(commitment): \(String(cString: strerror(errno))); nothing was written")
        }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress! + written, bytes.count - written) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else {
                let reason = String(cString: strerror(errno))
                close(descriptor)
                unlink(file)
                throw LineageError.storage("cannot store payload \(commitment): \(reason); nothing was written")
            }
            written += count
        }
        guard close(descriptor) == 0 else {
            unlink(file)
            throw LineageError.storage("cannot store payload \(commitment): \(String(cString: strerror(errno))); nothing was written")
        }
    }

    /// Reads a payload and its salt back; nil when there is none (never stored, or erased).
    func read(_ commitment: Digest) -> (salt: [UInt8], payload: [UInt8])? {
        guard let data = FileBytes.read(file(for: commitment)),
              let newline = data.firstIndex(of: 0x0A),
              let salt = Hex.decode(String(decoding: data[..<newline], as: UTF8.self)) else { return nil }
        return (salt, Array(data[(newline + 1)...]))
    }
}
