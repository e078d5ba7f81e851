import ArgumentParser
import Foundation
import LineageCore
import LineageStore

extension Lineage {
    /// `lineage import dvc`: DVC pipeline stages from a dvc.lock.
    struct ImportDVC: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dvc",
            _superCommandName: "lineage import",
            abstract: "Import the stages of a DVC pipeline (dvc.lock, schema 2.0) with their deps, params and outs.",
            discussion: """
                Each stage becomes a transform, or a run when it writes a model file (.pkl, .joblib, .onnx, .pt, \
                .pth, .h5, .keras, .model) or its name contains "train". Data deps become input datasets (the \
                outputs of earlier stages, or source datasets); script deps (.py, .sh, .R, .ipynb) become the \
                stage's code path; outs become datasets derived from the stage, models produced by it, and a \
                metrics JSON file's numbers the run's metrics. DVC's md5 is kept in externalDigests.md5; the \
                SHA-256 is computed when the file or directory is present beside dvc.lock, else it is the \
                SHA-256 of the DVC descriptor. Importing the same dvc.lock again adds nothing.
                """
        )

        @Argument(help: ArgumentHelp("The dvc.lock file, or the directory holding it.", valueName: "path"))
        var path: String = "dvc.lock"

        @OptionGroup var writeOptions: WriteOptions
        @OptionGroup var storeOptions: StoreOptions

        static let modelExtensions = ["pkl", "joblib", "onnx", "pt", "pth", "h5", "keras", "model"]
        static let scriptExtensions = ["py", "sh", "r", "ipynb"]

        func run() throws {
            var lockPath = path
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: lockPath, isDirectory: &isDirectory), isDirectory.boolValue { lockPath += "/dvc.lock" }
            let text = String(decoding: try FieldInput.readFile(lockPath, what: "dvc.lock"), as: UTF8.self)
            let root = (lockPath as NSString).deletingLastPathComponent.isEmpty ? "." : (lockPath as NSString).deletingLastPathComponent
            guard let lock = try YAMLFile.load(text, path: lockPath) as? [String: Any] else {
                throw LineageError.input("\(Names.printable(lockPath)) is not a dvc.lock mapping")
            }
            guard let schema = lock["schema"] as? String else {
                throw LineageError.input("\(Names.printable(lockPath)) has no schema version: dvc.lock files from DVC 1.x are not supported; run `dvc repro` with DVC 2 or later")
            }
            guard schema == "2.0" else {
                throw LineageError.input("dvc.lock schema version \(schema) is not supported (this lineage reads 2.0)")
            }
            guard let stages = lock["stages"] as? [String: Any] else { throw LineageError.input("\(Names.printable(lockPath)) has no stages") }
            // Stages in the order that respects their data dependencies.
            let names = try order(stages)
            let time = ((try? FileManager.default.attributesOfItem(atPath: lockPath))?[.modificationDate] as? Date).map {
                Int64($0.timeIntervalSince1970) * 1000
            } ?? 0
            let store = try storeOptions.open()
            let actor = writeOptions.resolvedActor
            let (counts, _) = try store.write(actor: actor) { tx in
                var added = 0, existing = 0
                func count(_ outcome: WriteTransaction.Outcome) -> Digest {
                    if case .added = outcome { added += 1 } else { existing += 1 }
                    return outcome.id
                }
                var produced: [String: Digest] = [:]
                for name in names {
                    let stage = stages[name] as? [String: Any] ?? [:]
                    let deps = (stage["deps"] as? [[String: Any]]) ?? []
                    let outs = (stage["outs"] as? [[String: Any]]) ?? []
                    var inputs: [Digest] = []
                    var scripts: [String] = []
                    for dep in deps {
                        guard let depPath = dep["path"] as? String else { continue }
                        if Self.scriptExtensions.contains((depPath as NSString).pathExtension.lowercased()) {
                            scripts.append(depPath)
                            continue
                        }
                        if let id = produced[depPath] { inputs.append(id); continue }
                        inputs.append(count(try tx.register(.dataset, fields: try artifact(dep, root: root, directory: true), timeMilliseconds: time, actor: actor)))
                    }
                    let isModel = { (out: [String: Any]) in Self.modelExtensions.contains(((out["path"] as? String ?? "") as NSString).pathExtension.lowercased()) }
                    let isRun = name.lowercased().contains("train") || outs.contains(where: isModel)
                    var fields = JSONObject()
                    fields["name"] = .string(try ImportedArtifact.name(name, what: "DVC stage"))
                    if let command = stage["cmd"] as? String { fields["command"] = .string(command) }
                    else if let commands = stage["cmd"] as? [String] { fields["command"] = .array(commands.map(JSONValue.string)) }
                    var params = JSONObject()
                    for case let (_, values as [String: Any]) in (stage["params"] as? [String: Any]) ?? [:] {
                        for (key, value) in values { params[key] = try PolicyFile.json(value) }
                    }
                    if !params.isEmpty { fields["params"] = .object(params) }
                    if let script = scripts.first { fields["code"] = .object(JSONObject([("path", .string(script))])) }
                    var tags = JSONObject([("dvc.stage", .string(name))])
                    for dep in deps where scripts.contains(dep["path"] as? String ?? "") {
                        tags["dvc.md5:" + (dep["path"] as? String ?? "")] = .string(dep["md5"] as? String ?? "")
                    }
                    fields["tags"] = .object(tags)
                    fields["inputs"] = .array(inputs.map { .string($0.description) })
                    if isRun {
                        var metrics = JSONObject()
                        for out in outs where (out["path"] as? String ?? "").hasSuffix(".json") {
                            let file = try Self.projectFile(out["path"] as? String ?? "", root: root)
                            if let data = FileManager.default.contents(atPath: file), let object = (try? JSONParser.parse([UInt8](data)))?.objectValue {
                                for member in object where member.value.numberValue != nil { metrics[member.key] = member.value }
                            }
                        }
                        if !metrics.isEmpty { fields["metrics"] = .object(metrics) }
                        fields["status"] = .string("succeeded")
                    }
                    let stageID = count(try tx.register(isRun ? .run : .transform, fields: fields, timeMilliseconds: time, actor: actor))
                    for out in outs {
                        guard let outPath = out["path"] as? String else { continue }
                        var outFields = try artifact(out, root: root, directory: !isModel(out))
                        let model = isRun && isModel(out)
                        outFields[model ? "producedBy" : "derivedFrom"] = .string(stageID.description)
                        if model { outFields["files"] = nil }
                        produced[outPath] = count(try tx.register(model ? .model : .dataset, fields: outFields, timeMilliseconds: time, actor: actor))
                    }
                }
                return (added, existing)
            }
            if writeOptions.json {
                print(JSONValue.object(JSONObject([("stages", .number(Double(names.count))), ("added", .number(Double(counts.0))),
                                                   ("existing", .number(Double(counts.1)))])).canonicalString)
            } else {
                print("Imported \(names.count) DVC stages (\(counts.0) new records, \(counts.1) already recorded)")
            }
        }

        /// The file a dvc.lock path names inside the project at `root`; a path that leaves the
        /// project (absolute, through `..`, or through a symbolic link) is refused: a crafted
        /// dvc.lock must not make lineage read and record files elsewhere.
        static func projectFile(_ relative: String, root: String) throws -> String {
            let refuse = LineageError.input("dvc.lock names the path \(Names.printable(relative)), which is outside the project \(Names.printable(root)); lineage imports only files inside the project")
            guard !relative.isEmpty, !relative.hasPrefix("/") else { throw refuse }
            var depth = 0
            for part in relative.split(separator: "/") where part != "." {
                depth += part == ".." ? -1 : 1
                if depth < 0 { throw refuse }
            }
            let file = root + "/" + relative
            // Symbolic links: the real path must stay inside the project's real path.
            if let real = realpath(file, nil), let base = realpath(root, nil) {
                defer { free(real); free(base) }
                let resolved = String(cString: real), project = String(cString: base)
                guard resolved == project || resolved.hasPrefix(project == "/" ? "/" : project + "/") else { throw refuse }
            }
            return file
        }

        /// Dataset or model fields for a dep or out: SHA-256 of the file when present, DVC's md5 kept.
        func artifact(_ entry: [String: Any], root: String, directory: Bool) throws -> JSONObject {
            let relative = entry["path"] as? String ?? ""
            let md5 = entry["md5"] as? String ?? ""
            let file = try Self.projectFile(relative, root: root)
            let present = FileManager.default.fileExists(atPath: file)
            var fields = try ImportedArtifact.contentFields(
                localFile: present ? file : nil,
                descriptor: .object(JSONObject([("md5", .string(md5)), ("path", .string(relative))])), countFiles: true)
            if !present, let size = entry["size"] as? Int { fields["size"] = .number(Double(size)) }
            fields["name"] = .string(try ImportedArtifact.name(relative, what: "DVC path"))
            fields["uri"] = .string(relative)
            fields["externalDigests"] = .object(JSONObject([("md5", .string(md5))]))
            return fields
        }

        /// Stage names ordered so that a stage comes after the stages whose outs it depends on.
        func order(_ stages: [String: Any]) throws -> [String] {
            var producer: [String: String] = [:]
            for (name, value) in stages {
                for out in ((value as? [String: Any])?["outs"] as? [[String: Any]]) ?? [] {
                    if let path = out["path"] as? String { producer[path] = name }
                }
            }
            var ordered: [String] = [], visiting: Set<String> = [], done: Set<String> = []
            func visit(_ name: String) throws {
                if done.contains(name) { return }
                guard !visiting.contains(name) else { throw LineageError.input("the DVC stages depend on each other in a cycle through \(Names.printable(name))") }
                visiting.insert(name)
                for dep in ((stages[name] as? [String: Any])?["deps"] as? [[String: Any]]) ?? [] {
                    if let path = dep["path"] as? String, let upstream = producer[path], upstream != name { try visit(upstream) }
                }
                visiting.remove(name)
                done.insert(name)
                ordered.append(name)
            }
            for name in stages.keys.sorted() { try visit(name) }
            return ordered
        }
    }
}
