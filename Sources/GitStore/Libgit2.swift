import Clibgit2

/// Initialises libgit2 exactly once per process, before any repository is opened.
enum Libgit2 {
    private static let initialised: Bool = {
        git_libgit2_init()
        // libgit2 re-hashes every object it reads with SHA-1. lineage never trusts SHA-1: it checks
        // every record's SHA-256 itself, so this second pass over each segment is skipped.
        lineage_git_set_strict_hash_verification(0)
        // Before writing a tree or a commit, libgit2 reads back every object it points to, to check
        // that it exists. lineage writes those objects itself just before (a batch's segments, then
        // its tree, then the commit on the log head), so each would be read for nothing.
        lineage_git_set_strict_object_creation(0)
        // A store is read with its own configuration only: the user's ~/.gitconfig, XDG and system
        // files are not read, so an unreadable $HOME cannot break every command, and no setting of the
        // user's can change how a store is written or read.
        for level in [GIT_CONFIG_LEVEL_GLOBAL, GIT_CONFIG_LEVEL_XDG, GIT_CONFIG_LEVEL_SYSTEM, GIT_CONFIG_LEVEL_PROGRAMDATA] {
            lineage_git_set_config_search_path(level, "")
        }
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
