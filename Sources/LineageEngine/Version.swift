import LineageBuildInfo

/// The version of lineage, as `lineage --version` prints it and exports name their producer.
public enum LineageVersion {
    /// The release number.
    public static let version = "0.1.0"
    /// The git commit the binary was built from ("unknown" outside a git checkout).
    public static let commit = BuildInfo.commit
    /// What `lineage --version` prints: the version and the commit.
    public static let description = "\(version) (commit \(commit))"
}
