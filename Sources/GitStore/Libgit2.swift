import Clibgit2

/// Initialises libgit2 exactly once per process, before any repository is opened.
enum Libgit2 {
    private static let initialised: Bool = {
        git_libgit2_init()
        // libgit2 re-hashes every object it reads with SHA-1. lineage never trusts SHA-1: it checks
        // every record's SHA-256 itself, so this second pass over each segment is skipped.
        lineage_git_set_strict_hash_verification(0)
        return true
    }()

    static func ensureInitialised() {
        _ = initialised
    }

    /// The version of the libgit2 library linked at run time, as "major.minor.patch".
    static var version: String {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        git_libgit2_version(&major, &minor, &patch)
        return "\(major).\(minor).\(patch)"
    }
}
