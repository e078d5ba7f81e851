import Foundation
import LineageCore
import LineageStore

/// A file a run read or wrote, named and hashed.
public struct RunArtifact: Sendable {
    public let name: String
    public let path: String
    public let digest: ArtifactDigest

    public init(name: String, path: String, digest: ArtifactDigest) {
        self.name = name
        self.path = path
        self.digest = digest
    }

    /// Its dataset fields: name, digest, size, files and a file: URI.
    var fields: JSONObject {
        JSONObject([("name", .string(name)), ("digest", .string(digest.digest.description)),
                    ("size", .number(Double(digest.size))), ("files", .number(Double(digest.files))),
                    ("uri", .string(URL(fileURLWithPath: path).standardizedFileURL.absoluteString))])
    }
}

/// A run as recorded, with what it produced.
public struct RecordedRun: Sendable {
    /// An output as recorded: the dataset or model version, and the versions that held its bytes already.
    public struct Output: Sendable {
        public let path: String
        public let id: Digest
        public let entry: IndexedRecord?
        public let sameBytesAs: [String]
    }

    public let id: Digest
    public let entry: IndexedRecord?
    public let outputs: [Output]

    public var reference: String? { entry.map(RecordLabel.reference) }

    /// The `run --json` shape: `{"run": {"id", "ref"}, "status", "error", "exitStatus", "outputs":
    /// [{"path", "id", "kind", "ref"}], "exitCode"}`.
    public func json(status: String, error: String?, exitStatus: Int32?, exitCode: Int32) -> JSONValue {
        .object(JSONObject([
            ("run", .object(JSONObject([("id", .string(id.description)), ("ref", reference.map(JSONValue.string) ?? .null)]))),
            ("status", .string(status)), ("error", error.map(JSONValue.string) ?? .null),
            ("exitStatus", exitStatus.map { .number(Double($0)) } ?? .null),
            ("outputs", .array(outputs.map { output in
                .object(JSONObject([("path", .string(output.path)), ("id", .string(output.id.description)),
                                    ("kind", .string(output.entry?.kind.rawValue ?? "")),
                                    ("ref", output.entry.map { .string(RecordLabel.reference($0)) } ?? .null)]))
            })),
            ("exitCode", .number(Double(exitCode))),
        ]))
    }
}

extension Store {
    /// Registers the datasets a run reads, before it runs (they exist whatever happens to it).
    public func registerInputs(_ inputs: [RunArtifact], time: Int64, actor: String) throws -> [Digest] {
        try write(actor: actor) { tx in
            try inputs.map { try tx.register(.dataset, fields: $0.fields, timeMilliseconds: time, actor: actor).id }
        }.0
    }

    /// Records a run (`fields`) and, in the same batch, what it produced: `outputs` as datasets
    /// derived from it, `models` as model versions produced by it.
    public func recordRun(_ fields: JSONObject, time: Int64, outputs: [RunArtifact], models: [RunArtifact], actor: String) throws -> RecordedRun {
        let ((runID, produced), _) = try write(actor: actor) { tx in
            let run = try tx.register(.run, fields: fields, timeMilliseconds: time, actor: actor).id
            var ids: [(String, Digest)] = []
            for (artifact, isModel) in outputs.map({ ($0, false) }) + models.map({ ($0, true) }) {
                var artifactFields = artifact.fields
                artifactFields[isModel ? "producedBy" : "derivedFrom"] = .string(run.description)
                if isModel { artifactFields["files"] = nil }
                ids.append((artifact.path, try tx.register(isModel ? .model : .dataset, fields: artifactFields, timeMilliseconds: time, actor: actor).id))
            }
            return (run, ids)
        }
        let entry = try lookups.record(id: runID)
        let recorded = try produced.map { path, id -> RecordedRun.Output in
            let output = try lookups.record(id: id)
            // Only an output this run added can repeat an earlier version's bytes.
            let added = output.map { $0.seq > (entry?.seq ?? .max) } ?? false
            return RecordedRun.Output(path: path, id: id, entry: output,
                                      sameBytesAs: try added ? output.map(sameBytes)?.map(RecordLabel.reference) ?? [] : [])
        }
        return RecordedRun(id: runID, entry: entry, outputs: recorded)
    }
}
