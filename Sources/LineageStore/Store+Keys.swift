import Foundation
#if canImport(Glibc)
import Glibc
#endif
import LineageCore

/// The store's keys, kept outside git objects:
/// - `keys/signing.key`: the private Ed25519 key (mode 0600) that signs checkpoints and commits;
/// - `keys/trusted`: verifier keys whose signatures `verify` accepts, one per line;
/// - `allowed_signers`: the same keys for `git verify-commit` (set as `gpg.ssh.allowedSignersFile`).
extension Store {
    var keysDirectory: String { path + "/keys" }
    var signingKeyPath: String { keysDirectory + "/signing.key" }
    var trustedKeysPath: String { keysDirectory + "/trusted" }
    /// The allowed-signers file for `git verify-commit`.
    public var allowedSignersPath: String { path + "/allowed_signers" }

    /// Creates a new signing key named after the origin and trusts it. Refuses to replace an
    /// existing key unless `replace` is set (the old key stays trusted, so old batches still verify).
    @discardableResult
    public func generateSigningKey(replace: Bool = false) throws -> VerifierKey {
        if let from = copiedFrom {
            throw LineageError.input("this store is a copy of the log \(origin) (cloned from \(from)): only the store that owns a log signs it; rotate the key there, and `lineage pull` brings the new key here")
        }
        if FileManager.default.fileExists(atPath: signingKeyPath) && !replace {
            throw LineageError.input("this store already has a signing key; pass --replace to rotate it (the old key stays trusted)")
        }
        // The new keys are published signed by the old key, which copies of the log already trust.
        let previous = replace ? try signingKey() : nil
        let key = try LineageError.catching { try SigningKey(generatingFor: origin) }
        do {
            try FileManager.default.createDirectory(atPath: keysDirectory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            let temporary = signingKeyPath + ".tmp"
            guard FileManager.default.createFile(atPath: temporary, contents: Data((key.text + "\n").utf8),
                                                 attributes: [.posixPermissions: 0o600]) else {
                throw LineageError.storage("cannot write the signing key to \(keysDirectory): check that the store is writable")
            }
            guard rename(temporary, signingKeyPath) == 0 else {
                throw LineageError.storage("cannot write the signing key: \(String(cString: strerror(errno)))")
            }
        } catch let error as LineageError {
            throw error
        } catch {
            throw LineageError.storage("cannot write the signing key: \(error.localizedDescription)")
        }
        let verifier = try LineageError.catching { try key.verifier }
        try trust(verifier, publishing: false)
        try configureSignatureChecks()
        try publishKeys(signingWith: previous ?? key)
        return verifier
    }

    /// Points `git verify-commit` at the allowed-signers file.
    func configureSignatureChecks() throws {
        do {
            try repository.setConfigValue("gpg.format", "ssh")
            try repository.setConfigValue("gpg.ssh.allowedSignersFile", allowedSignersPath)
        } catch {
            throw LineageError.wrap(error, context: "cannot configure git to check signatures")
        }
    }

    /// The store's private signing key.
    public func signingKey() throws -> SigningKey {
        guard let bytes = FileBytes.read(signingKeyPath) else {
            if let from = copiedFrom {
                throw LineageError.input("this store is a copy of the log \(origin) (cloned from \(from)): only the store that owns a log adds records to it; record there, and bring what it records here with `lineage pull`")
            }
            throw LineageError.notFound("this store has no signing key; create one with `lineage key generate`")
        }
        return try LineageError.catching { try SigningKey(parsing: String(decoding: bytes, as: UTF8.self)) }
    }

    /// Every key whose signatures this store accepts: its own keys, current and past, and keys
    /// trusted with `lineage key trust`. A file that exists but cannot be read is an error, never
    /// an empty list (which `trust` would then write back, dropping every key).
    public func trustedKeys() throws -> [VerifierKey] {
        var info = stat()
        if stat(trustedKeysPath, &info) != 0 {
            if errno == ENOENT { return [] }
            throw LineageError.storage("cannot read the trusted keys in \(trustedKeysPath) (\(String(cString: strerror(errno)))); check the permissions of \(keysDirectory)")
        }
        guard let bytes = FileBytes.read(trustedKeysPath), let text = String(validating: bytes, as: UTF8.self) else {
            throw LineageError.storage("cannot read the trusted keys in \(trustedKeysPath) (\(String(cString: strerror(errno)))); check its permissions")
        }
        return try text.split(separator: "\n").filter { !$0.isEmpty && !$0.hasPrefix("#") }.map { line in
            try LineageError.catching { try VerifierKey(parsing: String(line)) }
        }
    }

    /// Adds a verifier key to the trusted keys and the allowed-signers file and, on the store that
    /// owns the log, republishes its keys (see `publishKeys`) unless told not to.
    public func trust(_ key: VerifierKey, publishing: Bool = true) throws {
        try trust([key])
        if publishing, copiedFrom == nil, FileBytes.read(signingKeyPath) != nil { try publishKeys(signingWith: try signingKey()) }
    }

    /// Adds verifier keys to the trusted keys and the allowed-signers file.
    func trust(_ added: [VerifierKey]) throws {
        var keys = try trustedKeys()
        for key in added where !keys.contains(key) { keys.append(key) }
        let trusted = keys.map(\.text).joined(separator: "\n") + "\n"
        let allowed = keys.map { "\($0.name) namespaces=\"git\" \($0.sshPublicKey)" }.joined(separator: "\n") + "\n"
        do {
            try FileManager.default.createDirectory(atPath: keysDirectory, withIntermediateDirectories: true)
            try Data(trusted.utf8).write(to: URL(fileURLWithPath: trustedKeysPath), options: .atomic)
            try Data(allowed.utf8).write(to: URL(fileURLWithPath: allowedSignersPath), options: .atomic)
        } catch {
            throw LineageError.storage("cannot write the trusted keys: \(error.localizedDescription)")
        }
    }

    /// The store's hasher of data subjects (see `SubjectHasher`), keyed with `keys/subject-key`.
    public func subjectHasher() throws -> SubjectHasher {
        SubjectHasher(key: try secret(named: "subject-key", purpose: "subject key"))
    }

    /// A 32-byte secret of the store kept in `keys/NAME` (mode 0600, never in git), created on
    /// first use. Two processes creating it at once agree on one file.
    func secret(named name: String, purpose: String) throws -> [UInt8] {
        let file = keysDirectory + "/" + name
        if let secret = FileBytes.read(file), secret.count == 32 { return secret }
        if FileManager.default.fileExists(atPath: file) {
            throw LineageError.storage("the \(purpose) \(file) cannot be read or is not 32 bytes; check its permissions")
        }
        var generator = SystemRandomNumberGenerator()
        let secret = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let temporary = file + ".\(getpid()).tmp"
        if mkdir(keysDirectory, 0o700) != 0, errno != EEXIST {
            throw LineageError.storage("cannot create \(keysDirectory): \(String(cString: strerror(errno)))")
        }
        guard FileManager.default.createFile(atPath: temporary, contents: Data(secret), attributes: [.posixPermissions: 0o600]) else {
            throw LineageError.storage("cannot write the \(purpose) to \(keysDirectory): check that the store is writable")
        }
        defer { unlink(temporary) }
        // link() fails if another process created the file first: then its secret is the one.
        if link(temporary, file) != 0, errno != EEXIST {
            throw LineageError.storage("cannot write the \(purpose): \(String(cString: strerror(errno)))")
        }
        guard let stored = FileBytes.read(file), stored.count == 32 else {
            throw LineageError.storage("cannot read back the \(purpose) \(file)")
        }
        return stored
    }
}
