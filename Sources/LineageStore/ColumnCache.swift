import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Values taken from predictions for monitoring, kept in the store's `columns/` directory: derived
/// data like the index, rebuilt from the log whenever it is missing. Each column is a file of
/// fixed-width entries, one per log position (a sparse file: only the blocks read so far take
/// space), with a `.filled` file of one byte per block of 256 positions saying which blocks hold
/// their values. Only whole blocks are kept (the log only grows, so they never change); a block is
/// marked filled after its values (and the labels they name) are on disk, so a crash leaves at
/// worst blocks to compute again. Labels (outputs that are not numbers) are numbered in a
/// `.labels` file, one JSON string a line.
///
/// Thread safety: an instance is used by one thread. Processes share the files under an exclusive
/// `flock` of `columns/lock`, held from opening to `close()`, so that two never number labels at once.
final class ColumnCache {
    /// Positions per block.
    static let block = 256

    private let directory: String
    private let lockDescriptor: Int32

    /// Opens (creating) the cache of the store at `storePath` for a log whose first batch is
    /// `logIdentity`; a cache made for another log is emptied. Nil when the store cannot be
    /// written (the caller then computes everything in memory).
    init?(storePath: String, logIdentity: String) {
        directory = (storePath as NSString).appendingPathComponent("columns")
        mkdir(directory, 0o755)
        lockDescriptor = open(directory + "/lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard lockDescriptor >= 0 else { return nil }
        guard flock(lockDescriptor, LOCK_EX) == 0 else {
            Glibc.close(lockDescriptor)
            return nil
        }
        let identityFile = directory + "/log"
        if FileBytes.read(identityFile).map({ String(decoding: $0, as: UTF8.self) }) != logIdentity {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where name != "lock" {
                unlink(directory + "/" + name)
            }
            guard ColumnCache.writeFile(identityFile, Array(logIdentity.utf8)) else {
                close()
                return nil
            }
        }
    }

    /// Releases the lock.
    func close() {
        flock(lockDescriptor, LOCK_UN)
        Glibc.close(lockDescriptor)
    }

    /// Which of `blocks` of column `name` hold their values.
    func filled(_ name: String, blocks: Range<Int>) -> [Bool] {
        let bytes = pread(directory + "/" + name + ".filled", offset: blocks.lowerBound, count: blocks.count)
        return (0..<blocks.count).map { $0 < bytes.count && bytes[$0] == 1 }
    }

    /// The entries of `blocks` of column `name` (`width` bytes each); zeros where nothing was written.
    func read(_ name: String, width: Int, blocks: Range<Int>) -> [UInt8] {
        let count = blocks.count * ColumnCache.block * width
        var bytes = pread(directory + "/" + name + ".col", offset: blocks.lowerBound * ColumnCache.block * width, count: count)
        if bytes.count < count { bytes += [UInt8](repeating: 0, count: count - bytes.count) }
        return bytes
    }

    /// Writes whole blocks of column `name`, starting at `firstBlock`, and flushes them to disk; they
    /// are not marked filled yet.
    func write(_ name: String, width: Int, firstBlock: Int, _ bytes: ArraySlice<UInt8>) -> Bool {
        let descriptor = open(directory + "/" + name + ".col", O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return false }
        defer { Glibc.close(descriptor) }
        return ColumnCache.pwriteAll(descriptor, bytes, offset: firstBlock * ColumnCache.block * width) && fdatasync(descriptor) == 0
    }

    /// Marks `blocks` of column `name` filled.
    func markFilled(_ name: String, blocks: [Int]) {
        let descriptor = open(directory + "/" + name + ".filled", O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return }
        defer { Glibc.close(descriptor) }
        for block in blocks { _ = ColumnCache.pwriteAll(descriptor, [1], offset: block) }
    }

    /// The labels column `name` has numbered, in order.
    func labels(_ name: String) -> [String] {
        guard let bytes = FileBytes.read(directory + "/" + name + ".labels") else { return [] }
        return bytes.split(separator: 0x0A).compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line), options: [.fragmentsAllowed])) as? String
        }
    }

    /// Appends newly numbered labels to column `name`'s list and flushes it: before any value naming them.
    func appendLabels(_ name: String, _ labels: [String]) -> Bool {
        guard !labels.isEmpty else { return true }
        var bytes: [UInt8] = []
        for label in labels {
            guard let line = try? JSONSerialization.data(withJSONObject: label, options: [.fragmentsAllowed]) else { return false }
            bytes += line + [0x0A]
        }
        let descriptor = open(directory + "/" + name + ".labels", O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return false }
        defer { Glibc.close(descriptor) }
        return ColumnCache.pwriteAll(descriptor, bytes[...], offset: -1) && fdatasync(descriptor) == 0
    }

    private func pread(_ path: String, offset: Int, count: Int) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0, count > 0 else { return [] }
        defer { Glibc.close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = bytes.withUnsafeMutableBytes { Glibc.pread(descriptor, $0.baseAddress! + done, count - done, off_t(offset + done)) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { break }
            done += n
        }
        return Array(bytes[..<done])
    }

    /// Writes all of `bytes` at `offset` (appends when `offset` is negative).
    private static func pwriteAll(_ descriptor: Int32, _ bytes: ArraySlice<UInt8>, offset: Int) -> Bool {
        bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = offset < 0 ? Glibc.write(descriptor, raw.baseAddress! + done, raw.count - done)
                    : Glibc.pwrite(descriptor, raw.baseAddress! + done, raw.count - done, off_t(offset + done))
                if n < 0, errno == EINTR { continue }
                guard n > 0 else { return false }
                done += n
            }
            return true
        }
    }

    private static func writeFile(_ path: String, _ bytes: [UInt8]) -> Bool {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return false }
        defer { Glibc.close(descriptor) }
        return pwriteAll(descriptor, bytes[...], offset: 0) && fsync(descriptor) == 0
    }
}
