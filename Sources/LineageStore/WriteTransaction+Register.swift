import LineageCore

extension WriteTransaction {
    /// Builds and adds a record of `kind` from `fields`, filling in what the store decides:
    /// - datasets and models get the next version of their name, unless the same digest is already
    ///   registered under that name with the same producer (`producedBy`, `derivedFrom`) or none is
    ///   given, in which case the existing version is returned; the same bytes from another run or
    ///   transform are a new version linked to it, so that a re-run is never lost;
    /// - a source dataset (no `derivedFrom`) whose digest is already recorded, under any name, is
    ///   that record: the same data gets no second, upstream-less "source" that would hide where it
    ///   came from;
    /// - deployments supersede the current deployment of the same model name and environment.
    @discardableResult
    public func register(_ kind: RecordKind, fields: JSONObject, timeMilliseconds: Int64, actor: String) throws -> Outcome {
        var fields = fields
        if kind.isVersioned, let name = fields["name"]?.stringValue, let digest = fields["digest"]?.stringValue.flatMap({ Digest($0) }) {
            try Names.validate(name, what: "\(kind) name")
            let versions = try versions(kind: kind, name: name)
            let same = versions.filter { $0.digest == digest }
            if fields["version"] == nil, !same.isEmpty {
                let producer = fields[kind == .model ? "producedBy" : "derivedFrom"]
                if producer == nil { return .existing(same[0].id) }
                if let match = try same.first(where: { try recordOf($0.id)[kind == .model ? "producedBy" : "derivedFrom"] == producer }) {
                    return .existing(match.id)
                }
            }
            if kind == .dataset, fields["version"] == nil, fields["derivedFrom"] == nil, let recorded = try recordedDataset(digest: digest) {
                return .existing(recorded)
            }
            if fields["version"] == nil {
                fields["version"] = .number(Double((versions.compactMap(\.version).max() ?? 0) + 1))
            }
        }
        if kind == .deployment, fields["supersedes"] == nil,
           let model = fields["model"]?.stringValue.flatMap({ Digest($0) }),
           let modelName = try known(model)?.name,
           let environment = fields["environment"]?.stringValue {
            if let current = try currentDeployment(name: modelName + "/" + environment) {
                fields["supersedes"] = .string(current.description)
            }
        }
        let record = try Record.make(kind, fields: fields, timeMilliseconds: timeMilliseconds, actor: actor)
        return try add(record)
    }

    /// A record of this batch or the store.
    func recordOf(_ id: Digest) throws -> Record {
        if let pending = records.last(where: { $0.id == id }) { return pending }
        return try store.read(id: id)
    }

    /// The latest dataset with this content digest, in this batch or the store.
    func recordedDataset(digest: Digest) throws -> Digest? {
        if let pending = records.last(where: { $0.kind == .dataset && $0.artifactDigest == digest }) { return pending.id }
        return try store.index.records(digest: digest).filter { $0.kind == .dataset }.max(by: { $0.seq < $1.seq })?.id
    }

    /// The latest deployment called `model/environment`, in this batch or the store.
    func currentDeployment(name: String) throws -> Digest? {
        if let pending = records.last(where: { $0.kind == .deployment && (try? indexName(of: $0)) == name }) {
            return pending.id
        }
        return try store.index.records(kind: .deployment, name: name).max(by: { $0.seq < $1.seq })?.id
    }
}
