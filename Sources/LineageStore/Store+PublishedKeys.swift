import Foundation
import GitStore
import LineageCore

/// The keys a log's owner publishes beside the log, so that a copy can check it: a signed commit
/// on `refs/lineage/keys/<origin>` whose tree holds one file, `trusted` (the verifier keys, as in
/// `keys/trusted`). The owner's store writes a new one whenever its keys change, signed by the key
/// that signed before the change, so a copy that trusts the old key can accept the new one.
extension Store {
    /// The ref of an origin's published keys.
    public static func keysReference(_ origin: String) -> String { "refs/lineage/keys/" + origin }

    /// The published keys of one commit on a keys ref, checked: the commit is signed by one of the
    /// keys it lists, or by `trusting` when given.
    struct PublishedKeys {
        let commit: ObjectID
        /// The key whose signature the commit carries.
        let signer: VerifierKey
        let keys: [VerifierKey]
    }

    /// Publishes the trusted keys on the keys ref, signed with `key` (the store's signing key,
    /// or the one it had before a rotation). Nothing happens when the ref already lists them.
    func publishKeys(signingWith key: SigningKey) throws {
        let keys = try trustedKeys()
        let reference = Store.keysReference(origin)
        do {
            let parent = try repository.referenceTarget(reference)
            if let parent, let published = try? readPublishedKeys(parent, trusting: keys), published.keys == keys { return }
            let text = keys.map(\.text).joined(separator: "\n") + "\n"
            let tree = try repository.writeTree([TreeEntry(name: "trusted", id: try repository.writeBlob(Array(text.utf8)))])
            let commit = try repository.writeCommit(
                tree: tree, parents: parent.map { [$0] } ?? [], message: "Lineage keys of \(origin)\n",
                signature: BatchMessage.signature(actor: "lineage", time: Int64(Date().timeIntervalSince1970))) { content in
                try SSHSignature.sign(content, with: key)
            }
            try repository.updateReference(reference, to: commit, expecting: parent, message: "lineage: publish keys")
        } catch {
            throw LineageError.wrap(error, context: "cannot publish the store's keys")
        }
    }

    /// Publishes the keys when the store owns its log and the keys ref is missing (a store made
    /// before keys were published). Cheap: one ref lookup.
    func ensureKeysPublished() throws {
        guard copiedFrom == nil, FileBytes.read(signingKeyPath) != nil,
              (try? repository.referenceTarget(Store.keysReference(origin))) == nil else { return }
        try publishKeys(signingWith: try signingKey())
    }

    /// Reads and checks the published keys of `commit`: signed by one of `trusting`, or, when that
    /// is nil (a first clone), by one of the keys the commit itself lists.
    func readPublishedKeys(_ commit: ObjectID, trusting: [VerifierKey]?) throws -> PublishedKeys {
        let info = try repository.readCommit(commit)
        guard let entry = try repository.readTree(info.tree).first(where: { $0.name == "trusted" }),
              let text = String(validating: try repository.readBlob(entry.id), as: UTF8.self) else {
            throw LineageError(.verdict, "the published keys (commit \(commit.hex.prefix(12))) hold no readable list of keys")
        }
        let keys = try text.split(separator: "\n").filter { !$0.isEmpty }.map { line in
            do { return try VerifierKey(parsing: String(line)) } catch {
                throw LineageError(.verdict, "the published keys (commit \(commit.hex.prefix(12))) hold a malformed key: \(error)")
            }
        }
        guard let signature = try repository.commitSignature(commit) else {
            throw LineageError(.verdict, "the published keys (commit \(commit.hex.prefix(12))) are not signed")
        }
        do {
            let signer = try SSHSignature.verify(signature.signature, message: signature.signedData, trusting: trusting ?? keys)
            return PublishedKeys(commit: commit, signer: signer, keys: keys)
        } catch {
            let who = (try? SSHSignature.verify(signature.signature, message: signature.signedData, trusting: keys))?.fingerprint
            throw LineageError(.verdict, "the published keys (commit \(commit.hex.prefix(12))) are signed by \(who ?? "an unknown key"), which this store does not trust: the remote's key differs from the one pinned here")
        }
    }
}
