/// What the build knows of its own sources; `generatedCommit` is written before every build by the
/// BuildInfo plugin (Plugins/BuildInfo).
public enum BuildInfo {
    /// The git commit the binary was built from (12 hex digits, "-dirty" when tracked files had
    /// uncommitted changes), `LINEAGE_COMMIT` if the builder set it, else "unknown".
    public static var commit: String { generatedCommit }
}
