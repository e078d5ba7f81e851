import Foundation
import GitStore

/// Who records, when a command is not told: the name stamped on records as `actor`.
public enum DefaultActor {
    /// `explicit` (an `--actor`), else `$LINEAGE_ACTOR`, else git's `user.email` as git sees it in
    /// `directory`, else `$USER@host`. Throws rather than guess further (never "unknown@host").
    public static func resolve(explicit: String?, environment: (String) -> String?, directory: String) throws -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let actor = environment("LINEAGE_ACTOR"), !actor.isEmpty { return actor }
        if let email = Repository.userEmail(near: directory) { return email }
        if let user = environment("USER"), !user.isEmpty { return user + "@" + ProcessInfo.processInfo.hostName }
        throw LineageError.input("cannot tell who is recording: give --actor NAME, set LINEAGE_ACTOR, or set git's user.email")
    }
}
