/// The version of lineage, as `lineage --version` prints it and exports name their producer.
public enum LineageVersion {
    public static let version = "0.1.0"
}
