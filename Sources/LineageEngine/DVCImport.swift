import Foundation
import LineageCore
import LineageStore

/// What importing a DVC pipeline did.
public struct DVCImportResult: Sendable {
    /// Stages recorded (or found recorded).
    public let stages: Int
    /// Stages skipped as stale (with --skip-stale), and why.
    public let skipped: [(stage: String, why: String)]
    public let added: Int
    public let existing: Int

    /// The `import dvc --json` shape: `{"stages", "skipped", "added", "existing"}`.
    public var json: JSONValue {
        .object(JSONObject([("stages", .number(Double(stages))), ("skipped", .number(Double(skipped.count))),
                            ("added", .number(Double(added))), ("existing", .number(Double(existing)))]))
    }

    public var summary: String {
        "Imported \(stages) DVC stages (\(added) new records, \(existing) already recorded)" + (skipped.isEmpty ? "" : "; skipped \(skipped.count) stale")
    }
}

extension Store {
    /// Records the stages of `pipeline` in one batch. A workspace that disagrees with dvc.lock is
    /// refused, naming each disagreement, unless `skipStale`: then the stale stages and those
    /// downstream of them are skipped.
    public func importDVC(_ pipeline: DVCPipeline, skipStale: Bool, actor: String) throws -> DVCImportResult {
        let disagreements = try pipeline.disagreements()
        if !disagreements.isEmpty && !skipStale {
            throw LineageError.input("the workspace disagrees with \(Names.printable(pipeline.lockPath)) (`dvc status` would say modified): "
                + disagreements.map(\.sentence).joined(separator: "; ")
                + ". Run `dvc repro` (or `dvc commit` if the workspace is what you mean to record) and import again, or pass --skip-stale to import only the stages that agree")
        }
        let skipped = pipeline.downstream(of: Set(disagreements.map(\.stage)))
        let reasons = pipeline.stages.filter { skipped.contains($0.name) }.map { stage -> (String, String) in
            let why = disagreements.filter { $0.stage == stage.name }.map(\.sentence)
            return (stage.name, why.isEmpty ? "it reads the outs of a skipped stage" : why.joined(separator: "; "))
        }
        let time = ((try? FileManager.default.attributesOfItem(atPath: pipeline.lockPath))?[.modificationDate] as? Date).map {
            Int64($0.timeIntervalSince1970) * 1000
        } ?? 0
        let importer = DVCImporter(pipeline: pipeline, time: time, actor: actor)
        let stages = pipeline.stages.filter { !skipped.contains($0.name) }
        let (counts, _) = try write(actor: actor) { tx in try importer.record(stages, in: tx) }
        return DVCImportResult(stages: stages.count, skipped: reasons, added: counts.added, existing: counts.existing)
    }
}

/// Turns the stages of a DVC pipeline into records, reusing what an earlier import recorded.
struct DVCImporter {
    let pipeline: DVCPipeline
    let time: Int64
    let actor: String

    /// Records `stages` (in dependency order); returns how many records were added and how many
    /// were already there.
    func record(_ stages: [DVCPipeline.Stage], in tx: WriteTransaction) throws -> (added: Int, existing: Int) {
        var added = 0, existing = 0
        func count(_ outcome: WriteTransaction.Outcome) -> Digest {
            if case .added = outcome { added += 1 } else { existing += 1 }
            return outcome.id
        }
        var produced: [String: Digest] = [:]
        for stage in stages {
            let scripts = stage.deps.filter { DVCPipeline.isScript($0.path) }
            let data = stage.deps.filter { !DVCPipeline.isScript($0.path) }
            var inputs: [Digest] = []
            for dep in data {
                if let id = produced[dep.path] { inputs.append(id); continue }
                inputs.append(count(try artifact(.dataset, dep, link: nil, in: tx)))
            }
            let outs = stage.outs.filter { !pipeline.metrics.contains($0.path) }
            let isRun = stage.name.lowercased().contains("train") || outs.contains { DVCPipeline.isModel($0.path) }
            let kind: RecordKind = isRun ? .run : .transform
            let stageID: Digest
            if let earlier = try tx.newest(kind, named: try ImportedArtifact.name(stage.name, what: "DVC stage"), where: {
                $0["tags"]?.objectValue?["dvc.lock"]?.stringValue == stage.fingerprint.description
            }) {
                existing += 1
                stageID = earlier
            } else {
                stageID = count(try tx.register(kind, fields: try fields(stage, scripts: scripts, inputs: inputs, isRun: isRun),
                                                timeMilliseconds: time, actor: actor))
            }
            // A stage with no data deps made its outs from nothing recorded: they are source data.
            let source = data.isEmpty
            for out in outs {
                let model = isRun && DVCPipeline.isModel(out.path)
                produced[out.path] = count(try artifact(model ? .model : .dataset, out,
                                                        link: source && !model ? nil : (model ? "producedBy" : "derivedFrom", stageID),
                                                        madeBy: source ? stage.name : nil, in: tx))
            }
        }
        return (added, existing)
    }

    /// The run or transform fields of a stage.
    private func fields(_ stage: DVCPipeline.Stage, scripts: [DVCPipeline.Entry], inputs: [Digest], isRun: Bool) throws -> JSONObject {
        var fields = JSONObject()
        fields["name"] = .string(try ImportedArtifact.name(stage.name, what: "DVC stage"))
        fields["command"] = stage.command
        var params = JSONObject()
        for param in stage.params { params[param.key] = param.value }
        if !params.isEmpty { fields["params"] = .object(params) }
        let scriptFiles = try scripts.map(pipeline.file)
        if let code = try CodeVersion.capture(path: scriptFiles.first ?? pipeline.root, covering: scriptFiles.isEmpty ? nil : scriptFiles) {
            fields["code"] = .object(code)
        } else if let script = scripts.first {
            fields["code"] = .object(JSONObject([("path", .string(script.path))]))
        }
        var tags = JSONObject([("dvc.stage", .string(stage.name)), ("dvc.lock", .string(stage.fingerprint.description))])
        for script in scripts { tags["dvc.md5:" + script.path] = .string(script.md5) }
        fields["tags"] = .object(tags)
        if !inputs.isEmpty { fields["inputs"] = .array(inputs.map { .string($0.description) }) }
        if isRun {
            var metrics = JSONObject()
            for out in stage.outs where pipeline.metrics.contains(out.path) {
                guard let data = FileManager.default.contents(atPath: try pipeline.file(out)) else { continue }
                guard let object = (try? JSONParser.parse([UInt8](data)))?.objectValue else {
                    throw LineageError.input("the metrics file \(Names.printable(out.path)) is not a JSON object; DVC metrics files must be JSON objects of numbers")
                }
                Self.flatten(object, prefix: "", into: &metrics)
            }
            if !metrics.isEmpty { fields["metrics"] = .object(metrics) }
            fields["status"] = .string("succeeded")
        }
        return fields
    }

    /// Numbers of a (nested) metrics object, keyed by their dotted path.
    static func flatten(_ object: JSONObject, prefix: String, into metrics: inout JSONObject) {
        for member in object {
            if member.value.numberValue != nil { metrics[prefix + member.key] = member.value }
            else if let nested = member.value.objectValue { flatten(nested, prefix: prefix + member.key + ".", into: &metrics) }
        }
    }

    /// The dataset or model record of a dep or out: an earlier import's record of the same name,
    /// DVC hash and link when there is one, else a new one (SHA-256 of the file when present).
    private func artifact(_ kind: RecordKind, _ entry: DVCPipeline.Entry, link: (field: String, id: Digest)?, madeBy: String? = nil,
                          in tx: WriteTransaction) throws -> WriteTransaction.Outcome {
        let name = try ImportedArtifact.name(entry.path, what: "DVC path")
        if !entry.md5.isEmpty, let earlier = try tx.newest(kind, named: name, where: { record in
            record["externalDigests"]?.objectValue?["md5"]?.stringValue == entry.md5
                && (link.map { record[$0.field]?.stringValue == $0.id.description } ?? (record["derivedFrom"] == nil))
        }) {
            return .existing(earlier)
        }
        let file = try pipeline.file(entry)
        let present = FileManager.default.fileExists(atPath: file)
        var fields = try ImportedArtifact.contentFields(
            localFile: present ? file : nil,
            descriptor: .object(JSONObject([("md5", .string(entry.md5)), ("path", .string(entry.path))])), countFiles: kind == .dataset)
        if !present, let size = entry.size { fields["size"] = .number(Double(size)) }
        fields["name"] = .string(name)
        fields["uri"] = .string(entry.path)
        fields["externalDigests"] = .object(JSONObject([("md5", .string(entry.md5))]))
        if let link { fields[link.field] = .string(link.id.description) }
        if let madeBy { fields["tags"] = .object(JSONObject([("dvc.stage", .string(madeBy))])) }
        return try tx.register(kind, fields: fields, timeMilliseconds: time, actor: actor)
    }
}
