import Foundation
import LineageCore

/// The content digest of files and directories, computed by streaming, never loading a whole file.
///
/// One file: SHA-256 of its bytes. A directory, or several paths: SHA-256 of a manifest with one
/// line `<sha256 hex>  <relative path>\n` per regular file, sorted by path bytes. That is the output
/// of `sha256sum` over the sorted file list, so anyone can recompute it with standard tools.
public struct ArtifactDigest: Sendable {
    /// The content digest (of the file, or of the manifest).
    public let digest: Digest
    /// Total bytes hashed.
    public let size: Int64
    /// Regular files hashed.
    public let files: Int
    /// The manifest lines, for directories and several paths; nil for one file.
    public let manifest: [String]?

    /// Called with (bytes done, bytes in all) as hashing goes.
    public typealias Progress = (Int64, Int64) -> Void

    static let chunkSize = 1 << 20

    /// Hashes the given paths.
    public static func compute(paths: [String], progress: Progress? = nil) throws -> ArtifactDigest {
        guard !paths.isEmpty else { throw LineageError.input("no path was given; name at least one file or directory") }
        var entries: [(relative: String, absolute: String)] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw LineageError.input("\(Names.printable(path)) does not exist; check the path")
            }
            if paths.count == 1 && !isDirectory.boolValue {
                let (digest, size) = try hashFile(path, total: try fileSize(path), done: 0, progress: progress)
                return ArtifactDigest(digest: digest, size: size, files: 1, manifest: nil)
            }
            let base = (path as NSString).lastPathComponent
            if isDirectory.boolValue {
                for relative in try regularFiles(under: path) {
                    entries.append((paths.count == 1 ? relative : base + "/" + relative, path + "/" + relative))
                }
            } else {
                entries.append((base, path))
            }
        }
        entries.sort { $0.relative.utf8.lexicographicallyPrecedes($1.relative.utf8) }
        for (a, b) in zip(entries, entries.dropFirst()) where a.relative == b.relative {
            throw LineageError.input("two paths would both be stored as \(Names.printable(a.relative)); give paths with different names")
        }
        let total = try entries.reduce(Int64(0)) { $0 + (try fileSize($1.absolute)) }
        var done: Int64 = 0
        var lines: [String] = []
        for entry in entries {
            let (digest, size) = try hashFile(entry.absolute, total: total, done: done, progress: progress)
            done += size
            lines.append(digest.hex + "  " + entry.relative + "\n")
        }
        let manifestDigest = Digest(hashing: Array(lines.joined().utf8))
        return ArtifactDigest(digest: manifestDigest, size: done, files: entries.count, manifest: lines)
    }

    static func fileSize(_ path: String) throws -> Int64 {
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            return (attributes[.size] as? NSNumber)?.int64Value ?? 0
        } catch {
            throw LineageError.input("cannot read \(Names.printable(path)): \(error.localizedDescription)")
        }
    }

    static func regularFiles(under directory: String) throws -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else {
            throw LineageError.input("cannot list the directory \(Names.printable(directory)); check its permissions")
        }
        var files: [String] = []
        while let relative = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: directory + "/" + relative, isDirectory: &isDirectory), !isDirectory.boolValue {
                files.append(relative)
            }
        }
        return files
    }

    static func hashFile(_ path: String, total: Int64, done: Int64, progress: Progress?) throws -> (Digest, Int64) {
        // Opening a FIFO would wait for a writer, and a device may never end: only regular files are read.
        var info = stat()
        if stat(path, &info) == 0, (info.st_mode & S_IFMT) != S_IFREG {
            throw LineageError.input("\(Names.printable(path)) is not a regular file (a FIFO, socket or device); lineage records files and directories only")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw LineageError.input("cannot read \(Names.printable(path)): it is missing or not readable")
        }
        defer { try? handle.close() }
        var hasher = StreamingDigest()
        var size: Int64 = 0
        while true {
            let chunk: Data
            do {
                chunk = try handle.read(upToCount: chunkSize) ?? Data()
            } catch {
                throw LineageError.input("cannot read \(Names.printable(path)): \(error.localizedDescription)")
            }
            if chunk.isEmpty { break }
            chunk.withUnsafeBytes { hasher.update($0) }
            size += Int64(chunk.count)
            progress?(done + size, total)
        }
        return (hasher.finalize(), size)
    }
}
