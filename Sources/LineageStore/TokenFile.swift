import Foundation
#if canImport(Glibc)
import Glibc
#endif
import LineageCore

/// An API token of `lineage serve`: a name, a role, and the SHA-256 of its secret (the secret
/// itself is printed once, when the token is made, and kept nowhere).
public struct APIToken: Sendable, Equatable {
    public let name: String
    public let role: String
    /// SHA-256 of the secret.
    public let hash: Digest
    /// Milliseconds since 1970.
    public let created: Int64
    public let expires: Int64?
    public let revoked: Bool

    var json: JSONValue {
        var object = JSONObject([("name", .string(name)), ("role", .string(role)), ("sha256", .string(hash.description)),
                                 ("created", .number(Double(created)))])
        if let expires { object["expires"] = .number(Double(expires)) }
        if revoked { object["revoked"] = .bool(true) }
        return .object(object)
    }
}

/// The store's API tokens, in `keys/tokens.json` (mode 0600): read by the server on every request
/// (so a revocation takes effect at once), written whole through a temporary file and a rename.
/// Usable from any thread: it holds only the file's path.
public struct TokenFile: Sendable {
    public let path: String

    public init(storePath: String) { path = storePath + "/keys/tokens.json" }

    /// Every token made, revoked ones included.
    public func tokens() throws -> [APIToken] {
        guard let bytes = FileBytes.read(path) else {
            if FileManager.default.fileExists(atPath: path) {
                throw LineageError.storage("the token file \(path) cannot be read; check its permissions")
            }
            return []
        }
        guard let items = (try? JSONParser.parse(bytes))?.arrayValue else {
            throw LineageError.storage("the token file \(path) is damaged (not a JSON array); restore it from a backup, or remove it and make the tokens again")
        }
        return try items.map { item in
            guard let object = item.objectValue, let name = object["name"]?.stringValue, let role = object["role"]?.stringValue,
                  let hash = object["sha256"]?.stringValue.flatMap({ Digest($0) }), let created = object["created"]?.integerValue else {
                throw LineageError.storage("the token file \(path) holds an entry that is not a token; restore it from a backup")
            }
            return APIToken(name: name, role: role, hash: hash, created: created, expires: object["expires"]?.integerValue,
                            revoked: object["revoked"] == .bool(true))
        }
    }

    /// The token whose secret is `secret`, if any (revoked and expired ones included: the caller says why it refuses).
    public func token(secret: String) throws -> APIToken? {
        let hash = Digest(hashing: Array(secret.utf8))
        return try tokens().first { $0.hash == hash }
    }

    /// Makes a token and returns it with its secret (`lin_` and 43 base64url characters: 256 random bits).
    public func create(name: String, role: String, expires: Int64?, now: Int64) throws -> (token: APIToken, secret: String) {
        try Names.validate(name, what: "token name")
        var existing = try tokens()
        guard !existing.contains(where: { $0.name == name && !$0.revoked }) else {
            throw LineageError.input("a token named \(Names.printable(name)) exists; revoke it first (`lineage token revoke \(name)`) or choose another name")
        }
        var generator = SystemRandomNumberGenerator()
        let random = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let secret = "lin_" + Data(random).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        let token = APIToken(name: name, role: role, hash: Digest(hashing: Array(secret.utf8)), created: now, expires: expires, revoked: false)
        existing.append(token)
        try write(existing)
        return (token, secret)
    }

    /// Revokes the live token called `name`.
    public func revoke(name: String) throws {
        var all = try tokens()
        guard let index = all.firstIndex(where: { $0.name == name && !$0.revoked }) else {
            throw LineageError.notFound("no live token named \(Names.printable(name)); `lineage token list` shows them")
        }
        let old = all[index]
        all[index] = APIToken(name: old.name, role: old.role, hash: old.hash, created: old.created, expires: old.expires, revoked: true)
        try write(all)
    }

    private func write(_ tokens: [APIToken]) throws {
        let directory = (path as NSString).deletingLastPathComponent
        let temporary = path + ".tmp"
        let bytes = Data((JSONValue.array(tokens.map(\.json)).prettyString() + "\n").utf8)
        guard (try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])) != nil,
              FileManager.default.createFile(atPath: temporary, contents: bytes, attributes: [.posixPermissions: 0o600]),
              rename(temporary, path) == 0 else {
            throw LineageError.storage("cannot write the token file \(path): check that the store is writable")
        }
    }
}
