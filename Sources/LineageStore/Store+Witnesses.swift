import Foundation
import GitStore
import LineageCore

/// A witness a store asks to cosign its checkpoints (C2SP tlog-witness), kept in the store's
/// config as `witness.<name>.url` and `witness.<name>.key`.
public struct WitnessEntry: Sendable, Equatable {
    /// The witness's name (its key's name).
    public var name: String { key.name }
    /// Its submission prefix: `add-checkpoint` is posted to URL/add-checkpoint.
    public let url: String
    /// Its public key (type 0x04).
    public let key: VerifierKey
}

extension Store {
    /// The witnesses this store asks to cosign, by name.
    public func witnesses() throws -> [WitnessEntry] {
        let entries: [(name: String, value: String)]
        do { entries = try repository.configEntries(matching: #"^witness\..*\.(url|key)$"#) } catch {
            throw LineageError.wrap(error, context: "cannot read the store's witnesses")
        }
        var urls: [String: String] = [:], keys: [String: String] = [:]
        for entry in entries {
            let name = String(entry.name.dropFirst("witness.".count).dropLast(4))
            if entry.name.hasSuffix(".url") { urls[name] = entry.value } else { keys[name] = entry.value }
        }
        return try urls.keys.sorted().compactMap { name in
            guard let text = keys[name] else { return nil }
            let key = try LineageError.catching { try VerifierKey(parsing: text) }
            return WitnessEntry(url: urls[name]!, key: key)
        }
    }

    /// Adds a witness: its URL (http or https) and its public key, whose name names it.
    public func addWitness(url: String, key: VerifierKey) throws {
        guard key.isCosigner else {
            throw LineageError.input("\(key.name)'s key is not a witness key (type 0x04, as `lineage witness init` prints it)")
        }
        guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
            throw LineageError.input("the witness URL \(Names.printable(url)) is not an http:// or https:// URL")
        }
        if try witnesses().contains(where: { $0.name == key.name }) {
            throw LineageError.input("a witness named \(key.name) is already listed; remove it first with `lineage witness remove \(key.name)`")
        }
        do {
            try repository.setConfigValue("witness.\(key.name).url", url)
            try repository.setConfigValue("witness.\(key.name).key", key.text)
        } catch {
            throw LineageError.wrap(error, context: "cannot add the witness")
        }
    }

    /// Removes a witness by name.
    public func removeWitness(name: String) throws {
        guard try witnesses().contains(where: { $0.name == name }) else {
            throw LineageError.notFound("there is no witness named \(Names.printable(name)); `lineage witness list` shows them")
        }
        do {
            try repository.removeConfigValue("witness.\(name).url")
            try repository.removeConfigValue("witness.\(name).key")
        } catch {
            throw LineageError.wrap(error, context: "cannot remove the witness")
        }
    }

    private var cosignedDirectory: String { path + "/cosigned/" + origin }

    /// The sizes of the cosigned checkpoints kept (`cosigned/<origin>/<size>`), smallest first, from
    /// the file names alone: a store that cosigns every minute keeps many, and most readers need one.
    public func cosignedSizes() -> [UInt64] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: cosignedDirectory) else { return [] }
        return names.compactMap { $0.count == 12 ? UInt64($0) : nil }.sorted()
    }

    /// The cosigned checkpoint of exactly `size`, with every signature it got; nil when none is kept.
    public func cosigned(size: UInt64) throws -> (checkpoint: Checkpoint, note: String)? {
        let file = cosignedDirectory + "/" + String(format: "%012llu", size)
        guard let bytes = FileBytes.read(file) else { return nil }
        let note = String(decoding: bytes, as: UTF8.self)
        guard let checkpoint = try? Checkpoint(parsing: SignedNote(parsing: note).text), checkpoint.origin == origin, checkpoint.size == size else {
            throw LineageError.storage("the cosigned checkpoint \(file) cannot be read; remove it and run `lineage cosign`")
        }
        return (checkpoint, note)
    }

    /// The newest `limit` cosigned checkpoints kept, smallest first (for `push`).
    func cosignedCheckpoints(newest limit: Int) throws -> [(checkpoint: Checkpoint, note: String)] {
        try cosignedSizes().suffix(limit).compactMap { try cosigned(size: $0) }
    }

    /// How many cosigned checkpoints `push` sends: the newest, which hold every record any older one
    /// holds (a bundle is proved against the newest that holds its record), so the ref stays small
    /// however long the log cosigns every minute.
    static let publishedCosigned = 64

    /// Keeps a cosigned checkpoint (the log's signed note with the witnesses' cosignature lines).
    public func saveCosigned(_ note: String) throws {
        let checkpoint = try LineageError.catching { try Checkpoint(parsing: SignedNote(parsing: note).text) }
        let name = String(format: "%012llu", checkpoint.size)
        do {
            try FileManager.default.createDirectory(atPath: cosignedDirectory, withIntermediateDirectories: true)
            try Data(note.utf8).write(to: URL(fileURLWithPath: cosignedDirectory + "/" + name), options: .atomic)
        } catch {
            throw LineageError.storage("cannot keep the cosigned checkpoint in \(cosignedDirectory): \(error.localizedDescription)")
        }
    }

    /// What a witness needs to cosign the latest checkpoint: the log's signed note, its checkpoint,
    /// and the consistency proof from `oldSize` (empty for 0). Throws a verdict when `oldSize` is
    /// beyond the log (the witness saw more than this log holds) or the log does not hold it.
    public func witnessRequest(oldSize: UInt64) throws -> (note: String, checkpoint: Checkpoint, proof: [[UInt8]]) {
        let (note, checkpoint) = try indexedCheckpoint()
        guard oldSize <= checkpoint.size else {
            throw LineageError(.verdict, "it has cosigned this log at size \(oldSize), beyond the \(checkpoint.size) records it holds now: the log was rolled back, or another copy of it grew (a fork)")
        }
        let proof = oldSize == 0 || oldSize == checkpoint.size ? []
            : try Merkle.consistencyProof(StoreTree(store: self), oldSize: oldSize, newSize: checkpoint.size)
        return (note, checkpoint, proof)
    }
}

extension Store {
    /// The ref that carries a log's cosigned checkpoints between stores (`push`, `pull`): a commit
    /// whose tree holds one file per checkpoint, named by its size, each the log's signed note with
    /// its cosignatures. Unsigned: every note checks itself.
    static func cosignedReference(_ origin: String) -> String { "refs/lineage/cosigned/" + origin }

    /// Puts the newest cosigned checkpoints (`publishedCosigned`) on their ref, for `push`; nothing
    /// when there are none or the ref already holds them.
    func publishCosigned() throws {
        let notes = try cosignedCheckpoints(newest: Store.publishedCosigned)
        guard !notes.isEmpty else { return }
        let reference = Store.cosignedReference(origin)
        do {
            let parent = try repository.referenceTarget(reference)
            let tree = try repository.writeTree(try notes.map { entry in
                TreeEntry(name: String(format: "%012llu", entry.checkpoint.size), id: try repository.writeBlob(Array(entry.note.utf8)))
            })
            if let parent, try repository.readCommit(parent).tree == tree { return }
            let commit = try repository.writeCommit(tree: tree, parents: parent.map { [$0] } ?? [], message: "Lineage cosigned checkpoints of \(origin)\n",
                                                    signature: BatchMessage.signature(actor: "lineage", time: Int64(Date().timeIntervalSince1970)))
            try repository.updateReference(reference, to: commit, expecting: parent, message: "lineage: cosigned checkpoints")
        } catch {
            throw LineageError.wrap(error, context: "cannot publish the cosigned checkpoints")
        }
    }

    /// Keeps the cosigned checkpoints of a fetched commit that are this log's: signed by a trusted
    /// key, and of a size and root this log holds. Others are ignored. A checkpoint kept already is
    /// replaced only by one with more signatures. Returns how many were kept.
    func importCosigned(_ commit: ObjectID) throws -> Int {
        let keys = try trustedKeys()
        let size = try index.compactRange().size
        let tree = StoreTree(store: self)
        var kept = 0
        do {
            for entry in try repository.readTree(try repository.readCommit(commit).tree) {
                guard let text = String(validating: try repository.readBlob(entry.id), as: UTF8.self),
                      let note = try? SignedNote(parsing: text), let checkpoint = try? Checkpoint(parsing: note.text),
                      checkpoint.origin == origin, checkpoint.size > 0, checkpoint.size <= size,
                      (try? note.verify(trusting: keys)) != nil,
                      try Merkle.rangeHash(tree, 0, checkpoint.size) == checkpoint.rootHash else { continue }
                if let old = try? cosigned(size: checkpoint.size), let oldNote = try? SignedNote(parsing: old.note), oldNote.signatures.count >= note.signatures.count { continue }
                try saveCosigned(text)
                kept += 1
            }
        } catch let error as LineageError {
            throw error
        } catch {
            throw LineageError.wrap(error, context: "cannot read the cosigned checkpoints pulled")
        }
        return kept
    }
}
