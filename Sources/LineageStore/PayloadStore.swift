import CFileSync
import Foundation
import LineageCore

/// What the payload store holds for one commitment.
public enum PayloadLookup: Sendable {
    case stored(salt: [UInt8], payload: [UInt8])
    /// Its salt and key were destroyed.
    case erased
    /// No pack or file holds it.
    case absent
    /// It is there but cannot be read back: the reason says why.
    case damaged(String)
}

/// The erasable payload store (`payloads/`): raw inputs and outputs that may hold personal data,
/// kept outside git. Each batch's payloads go into one pack (`packs/<commit>.pack`, see
/// `PayloadPack`), each sealed with a key of its own; erasing a payload zeroes its salt and key in
/// place, which leaves every record, the log and every proof valid and the sealed bytes unreadable.
/// Files are the owner's alone (0600 in directories of 0700).
///
/// Stores written before packs kept one plain file per payload (`<2 hex>/<62 hex>`: the salt in hex
/// on the first line, then the bytes); those are still read, and erasing one deletes it.
struct PayloadStore {
    let path: String

    var packsDirectory: String { path + "/packs" }

    func packFile(_ name: String) -> String { packsDirectory + "/" + name + ".pack" }

    /// Writes a batch's payloads as the pack `name` and makes it durable before returning: a writer
    /// calls this before it moves the log ref, so no acknowledged record's payload can be lost by a
    /// crash, and a pack whose batch never landed is removed by the next writer (`removeOrphans`).
    /// The pack is written under a temporary name and renamed, so none is ever seen half-written.
    func writePack(_ payloads: [CommittedPayload], name: String) throws {
        guard !payloads.isEmpty else { return }
        try makeDirectory(path)
        try makeDirectory(packsDirectory)
        // The flush also covers the batch's git objects written just before: one for the whole
        // batch, instead of one fsync per file.
        try install(PayloadPack.encode(payloads), as: name, what: "store the batch's payloads", removeOnFailure: true)
    }

    /// Keeps `bytes`, a pack copied from another store of the log, as the pack `name` (the caller
    /// checks it against the log next, and removes it if it does not match).
    func installCopy(_ bytes: [UInt8], name: String) throws {
        try makeDirectory(path)
        try makeDirectory(packsDirectory)
        try install(bytes, as: name, what: "keep the payload pack of batch \(name.prefix(12))", removeOnFailure: true)
    }

    /// Rewrites the pack `name` without the sealed bytes of its erased payloads (unreadable already:
    /// their keys are gone); returns the bytes freed, 0 when there was nothing to drop.
    func compact(_ name: String, erased: Set<Digest>) throws -> Int {
        guard let pack = FileBytes.read(packFile(name)), let compacted = PayloadPack.compacted(pack, erased: erased) else { return 0 }
        try install(compacted, as: name, what: "compact the payload pack \(name)", removeOnFailure: false)
        return pack.count - compacted.count
    }

    /// Writes `bytes` as the pack `name`: under a temporary name, renamed (so no pack is ever seen
    /// half-written), then flushed with one `syncfs`. `what` names the operation in errors;
    /// `removeOnFailure` deletes the pack again if it cannot be made durable.
    private func install(_ bytes: [UInt8], as name: String, what: String, removeOnFailure: Bool) throws {
        let temporary = packsDirectory + "/.tmp-\(getpid())-" + name
        try write(bytes, to: temporary, what: what)
        guard rename(temporary, packFile(name)) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw LineageError.storage("cannot \(what): \(reason); nothing was written")
        }
        let descriptor = open(packsDirectory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw LineageError.storage("cannot open \(packsDirectory): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        guard lineage_syncfs(descriptor) == 0 else {
            let reason = String(cString: strerror(errno))
            if removeOnFailure { unlink(packFile(name)) }
            throw LineageError.storage("cannot \(what): the file system could not make it durable (\(reason))")
        }
    }

    /// Deletes the pack `name` (of a batch that did not land).
    func removePack(_ name: String) { unlink(packFile(name)) }

    /// The names of the packs present.
    func packNames() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: packsDirectory)) ?? []
        return names.filter { $0.hasSuffix(".pack") && !$0.hasPrefix(".") }.map { String($0.dropLast(5)) }
    }

    /// Removes packs that no landed batch owns (`isLanded` says which do) and temporary files
    /// left by a killed writer. The caller holds the store's write lock. Returns the count removed.
    func removeOrphans(isLanded: (String) -> Bool) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: packsDirectory)) ?? []
        var removed = 0
        for name in names where name.hasPrefix(".tmp-") || (name.hasSuffix(".pack") && !isLanded(String(name.dropLast(5)))) {
            if unlink(packsDirectory + "/" + name) == 0 { removed += 1 }
        }
        return removed
    }

    /// Looks up `commitment` in the pack `name` (the pack of the batch holding its record), then
    /// among the plain files of older stores.
    func lookup(_ commitment: Digest, pack name: String?) -> PayloadLookup {
        if let name, let pack = PackFile(path: packFile(name)) {
            defer { pack.close() }
            switch pack.find(commitment) {
            case .some(let index): return pack.payload(at: index)
            case nil: break
            }
        }
        return legacy(commitment)
    }

    /// Every entry of the pack `name`, with the payloads opened, for `verify`; nil if it cannot be read.
    func entries(of name: String) -> (entries: [(PayloadPack.Entry, PayloadLookup)], problem: String?) {
        guard let pack = PackFile(path: packFile(name)) else { return ([], "the pack \(name) cannot be read") }
        defer { pack.close() }
        var entries: [(PayloadPack.Entry, PayloadLookup)] = []
        for index in 0..<pack.count {
            guard let entry = pack.entry(index) else { return (entries, "entry \(index) of the pack \(name) is damaged") }
            entries.append((entry, pack.payload(at: index)))
        }
        return (entries, nil)
    }

    /// True if the pack `name` has an entry not erased (read from its table alone).
    func holdsStoredPayloads(_ name: String) -> Bool {
        guard let pack = PackFile(path: packFile(name)) else { return false }
        defer { pack.close() }
        return (0..<pack.count).contains { pack.entry($0).map { !$0.erased } ?? true }
    }

    /// Zeroes the salt and key of each of `commitments` found in the pack `name` and deletes the
    /// plain files of older stores; returns the commitments erased now. Erasing again is harmless.
    func shred(_ commitments: Set<Digest>, pack name: String?) throws -> Set<Digest> {
        var erased = Set<Digest>()
        if let name, let pack = PackFile(path: packFile(name), writable: true) {
            defer { pack.close() }
            for commitment in commitments {
                guard let index = pack.find(commitment), let entry = pack.entry(index), !entry.erased else { continue }
                try pack.erase(at: index)
                erased.insert(commitment)
            }
            try pack.sync()
        }
        for commitment in commitments.subtracting(erased) where unlink(legacyFile(commitment)) == 0 { erased.insert(commitment) }
        return erased
    }

    private func legacyFile(_ commitment: Digest) -> String {
        let hex = commitment.hex
        return "\(path)/\(hex.prefix(2))/\(hex.dropFirst(2))"
    }

    private func legacy(_ commitment: Digest) -> PayloadLookup {
        guard let data = FileBytes.read(legacyFile(commitment)) else { return .absent }
        guard let newline = data.firstIndex(of: 0x0A), let salt = Hex.decode(String(decoding: data[..<newline], as: UTF8.self)) else {
            return .damaged("its file has no salt line")
        }
        return .stored(salt: salt, payload: Array(data[(newline + 1)...]))
    }

    private func makeDirectory(_ directory: String) throws {
        if mkdir(directory, 0o700) != 0, errno != EEXIST {
            throw LineageError.storage("cannot create \(directory): \(String(cString: strerror(errno)))")
        }
    }

    private func write(_ bytes: [UInt8], to file: String, what: String) throws {
        let descriptor = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw LineageError.storage("cannot \(what): \(String(cString: strerror(errno))); nothing was written")
        }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress! + written, bytes.count - written) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else {
                let reason = String(cString: strerror(errno))
                close(descriptor)
                unlink(file)
                throw LineageError.storage("cannot \(what): \(reason); nothing was written")
            }
            written += count
        }
        guard close(descriptor) == 0 else {
            unlink(file)
            throw LineageError.storage("cannot \(what): \(String(cString: strerror(errno))); nothing was written")
        }
    }
}

/// An open pack file, read with `pread`: its entry table is searched without loading the pack.
/// Used by one thread at a time, then closed.
private final class PackFile {
    let descriptor: Int32
    let count: Int
    let size: UInt64

    init?(path: String, writable: Bool = false) {
        descriptor = open(path, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        var info = stat()
        var header = [UInt8](repeating: 0, count: PayloadPack.headerSize)
        guard fstat(descriptor, &info) == 0, PackFile.read(descriptor, into: &header, at: 0),
              let count = PayloadPack.count(header: header),
              UInt64(PayloadPack.headerSize) + UInt64(count) * UInt64(PayloadPack.entrySize) <= UInt64(info.st_size) else {
            Foundation.close(descriptor)
            return nil
        }
        self.count = count
        self.size = UInt64(info.st_size)
    }

    func close() { Foundation.close(descriptor) }

    private static func read(_ descriptor: Int32, into buffer: inout [UInt8], at offset: UInt64) -> Bool {
        let wanted = buffer.count
        let got = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress!, wanted, off_t(offset)) }
        return got == wanted
    }

    private func entryOffset(_ index: Int) -> UInt64 { UInt64(PayloadPack.headerSize + index * PayloadPack.entrySize) }

    func entry(_ index: Int) -> PayloadPack.Entry? {
        var bytes = [UInt8](repeating: 0, count: PayloadPack.entrySize)
        guard PackFile.read(descriptor, into: &bytes, at: entryOffset(index)) else { return nil }
        return PayloadPack.entry(bytes[...])
    }

    /// The index of `commitment`'s entry, by binary search of the sorted table.
    func find(_ commitment: Digest) -> Int? {
        var low = 0, high = count - 1
        var bytes = [UInt8](repeating: 0, count: 32)
        while low <= high {
            let middle = (low + high) / 2
            guard PackFile.read(descriptor, into: &bytes, at: entryOffset(middle)) else { return nil }
            if bytes == commitment.bytes { return middle }
            if bytes.lexicographicallyPrecedes(commitment.bytes) { low = middle + 1 } else { high = middle - 1 }
        }
        return nil
    }

    func payload(at index: Int) -> PayloadLookup {
        guard let entry = entry(index) else { return .damaged("its entry in the pack is damaged") }
        if entry.erased { return .erased }
        guard entry.length <= size, entry.offset <= size - entry.length else { return .damaged("its entry points outside the pack") }
        var sealed = [UInt8](repeating: 0, count: Int(entry.length))
        guard PackFile.read(descriptor, into: &sealed, at: entry.offset) else { return .damaged("its sealed bytes cannot be read") }
        guard let payload = try? PayloadPack.open(sealed, entry: entry) else {
            return .damaged("its sealed bytes do not open with its key (altered on disk)")
        }
        return .stored(salt: entry.salt, payload: payload)
    }

    /// Zeroes the entry's salt and key and marks it erased.
    func erase(at index: Int) throws {
        let secret = PayloadPack.erasedSecret
        let state = [PayloadPack.erasedState]
        let base = entryOffset(index)
        guard secret.withUnsafeBytes({ pwrite(descriptor, $0.baseAddress!, $0.count, off_t(base) + off_t(PayloadPack.secretOffset)) }) == secret.count,
              state.withUnsafeBytes({ pwrite(descriptor, $0.baseAddress!, 1, off_t(base) + off_t(PayloadPack.stateOffset)) }) == 1 else {
            throw LineageError.storage("cannot erase a payload: \(String(cString: strerror(errno)))")
        }
    }

    func sync() throws {
        guard fsync(descriptor) == 0 else { throw LineageError.storage("cannot make the erasure durable: \(String(cString: strerror(errno)))") }
    }
}
