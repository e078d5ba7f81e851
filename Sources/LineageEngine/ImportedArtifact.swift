import LineageCore
import LineageStore

/// The content fields of an artifact named by another tool: the SHA-256 of the file or directory
/// when it is at hand, else the SHA-256 of the tool's own descriptor of it.
public enum ImportedArtifact {
    public static func contentFields(localFile: String?, descriptor: JSONValue, countFiles: Bool) throws -> JSONObject {
        var fields = JSONObject()
        if let localFile {
            let digest = try ArtifactDigest.compute(paths: [localFile])
            fields["digest"] = .string(digest.digest.description)
            fields["size"] = .number(Double(digest.size))
            if countFiles { fields["files"] = .number(Double(digest.files)) }
        } else {
            fields["digest"] = .string(Digest(hashing: descriptor.canonicalBytes).description)
        }
        return fields
    }

    /// A record name from another tool's name: disallowed characters become '-'.
    public static func name(_ text: String, what: String) throws -> String {
        guard let name = Names.forPath(text) else {
            throw LineageError.input("the \(what) name \(Names.printable(text)) has no usable characters")
        }
        return name
    }
}
