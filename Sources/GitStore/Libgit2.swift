import Clibgit2

/// Initialises libgit2 exactly once per process, before any repository is opened.
enum Libgit2 {
    private static let initialised: Bool = {
        git_libgit2_init()
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
