import Foundation
import LineageCore
import LineageStore

/// A DVC pipeline as its dvc.lock (schema 2.0) records it, with the metrics files its dvc.yaml
/// declares, and the checks that the workspace beside it still holds what dvc.lock says.
public struct DVCPipeline {
    /// A dep or out of a stage: a path and the hash DVC recorded for it.
    public struct Entry {
        public let path: String
        public let md5: String
        /// No `hash: md5` key: written by DVC 2, whose MD5 of text files is taken after CRLF -> LF.
        public let legacy: Bool
        public let size: Int?
    }

    public struct Stage {
        public let name: String
        public let command: JSONValue?
        public let deps: [Entry]
        public let outs: [Entry]
        /// (params file, dotted key, value) as dvc.lock recorded them.
        public let params: [(file: String, key: String, value: JSONValue)]
        /// SHA-256 of the stage's dvc.lock entry: the same entry is the same execution.
        public let fingerprint: Digest
    }

    /// One way the workspace disagrees with dvc.lock.
    public struct Disagreement {
        public let stage: String
        public let sentence: String
    }

    public static let modelExtensions: Set<String> = ["pkl", "joblib", "onnx", "pt", "pth", "h5", "keras", "model"]
    public static let scriptExtensions: Set<String> = ["py", "sh", "r", "ipynb"]

    public let lockPath: String
    /// The directory holding dvc.lock: paths in it are relative to this.
    public let root: String
    /// In dependency order: a stage comes after the stages whose outs it reads.
    public let stages: [Stage]
    /// Outs that dvc.yaml declares as metrics (or, without a dvc.yaml, JSON outs named *metrics*).
    public let metrics: Set<String>

    public static func isScript(_ path: String) -> Bool { scriptExtensions.contains((path as NSString).pathExtension.lowercased()) }
    public static func isModel(_ path: String) -> Bool { modelExtensions.contains((path as NSString).pathExtension.lowercased()) }

    /// Reads `path` (a dvc.lock, or the directory holding one) and the dvc.yaml beside it.
    public static func load(_ path: String) throws -> DVCPipeline {
        var lockPath = path
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: lockPath, isDirectory: &isDirectory), isDirectory.boolValue { lockPath += "/dvc.lock" }
        let shown = Names.printable(lockPath)
        let text = String(decoding: try FieldInput.readFile(lockPath, what: "dvc.lock"), as: UTF8.self)
        let directory = (lockPath as NSString).deletingLastPathComponent
        let root = directory.isEmpty ? "." : directory
        guard let lock = try YAMLFile.load(text, path: lockPath) as? [String: Any] else {
            throw LineageError.input("\(shown) is not a dvc.lock mapping")
        }
        guard let schema = lock["schema"] as? String else {
            throw LineageError.input("\(shown) has no schema version: dvc.lock files from DVC 1.x are not supported; run `dvc repro` with DVC 2 or later")
        }
        guard schema == "2.0" else {
            throw LineageError.input("dvc.lock schema version \(schema) is not supported (this lineage reads 2.0)")
        }
        guard let stageMap = lock["stages"] as? [String: Any] else { throw LineageError.input("\(shown) has no stages") }
        var stages: [String: Stage] = [:]
        for (name, value) in stageMap {
            guard let stage = value as? [String: Any] else { throw LineageError.input("\(shown): stage \(Names.printable(name)) is not a mapping") }
            func entries(_ key: String) throws -> [Entry] {
                try ((stage[key] as? [Any]) ?? []).map { item in
                    guard let entry = item as? [String: Any], let path = entry["path"] as? String else {
                        throw LineageError.input("\(shown): an entry of \(key) in stage \(Names.printable(name)) has no path")
                    }
                    _ = try projectFile(path, root: root)
                    let md5 = entry["md5"] as? String ?? ""
                    return Entry(path: path, md5: md5, legacy: entry["hash"] as? String != "md5", size: entry["size"] as? Int)
                }
            }
            var params: [(String, String, JSONValue)] = []
            for case let (file, values as [String: Any]) in (stage["params"] as? [String: Any]) ?? [:] {
                for (key, value) in values { params.append((file, key, try PolicyFile.json(value))) }
            }
            let command: JSONValue? = (stage["cmd"] as? String).map(JSONValue.string)
                ?? (stage["cmd"] as? [String]).map { .array($0.map(JSONValue.string)) }
            stages[name] = Stage(name: name, command: command, deps: try entries("deps"), outs: try entries("outs"),
                                 params: params.sorted { ($0.0, $0.1) < ($1.0, $1.1) },
                                 fingerprint: Digest(hashing: try PolicyFile.json(stage).canonicalBytes))
        }
        return DVCPipeline(lockPath: lockPath, root: root, stages: try order(stages),
                           metrics: try declaredMetrics(root: root, stages: Array(stages.values)))
    }

    /// The metrics files dvc.yaml declares; without a dvc.yaml, the JSON outs named like metrics.
    private static func declaredMetrics(root: String, stages: [Stage]) throws -> Set<String> {
        let yamlPath = root + "/dvc.yaml"
        guard FileManager.default.fileExists(atPath: yamlPath) else {
            return Set(stages.flatMap(\.outs).map(\.path).filter {
                $0.hasSuffix(".json") && ($0 as NSString).lastPathComponent.lowercased().contains("metrics")
            })
        }
        let text = String(decoding: try FieldInput.readFile(yamlPath, what: "dvc.yaml"), as: UTF8.self)
        var found: Set<String> = []
        for case let (_, stage as [String: Any]) in ((try YAMLFile.load(text, path: yamlPath) as? [String: Any])?["stages"] as? [String: Any]) ?? [:] {
            for item in (stage["metrics"] as? [Any]) ?? [] {
                if let path = item as? String { found.insert(path) }
                else if let mapping = item as? [String: Any] { found.formUnion(mapping.keys) }
            }
        }
        return found
    }

    /// Stages ordered so that a stage comes after the stages whose outs it depends on.
    private static func order(_ stages: [String: Stage]) throws -> [Stage] {
        var producer: [String: String] = [:]
        for stage in stages.values { for out in stage.outs { producer[out.path] = stage.name } }
        var ordered: [Stage] = [], visiting: Set<String> = [], done: Set<String> = []
        func visit(_ name: String) throws {
            if done.contains(name) { return }
            guard !visiting.contains(name) else { throw LineageError.input("the DVC stages depend on each other in a cycle through \(Names.printable(name))") }
            visiting.insert(name)
            for dep in stages[name]?.deps ?? [] {
                if let upstream = producer[dep.path], upstream != name { try visit(upstream) }
            }
            visiting.remove(name)
            done.insert(name)
            if let stage = stages[name] { ordered.append(stage) }
        }
        for name in stages.keys.sorted() { try visit(name) }
        return ordered
    }

    /// The file a dvc.lock path names inside the project at `root`; a path that leaves the
    /// project (absolute, through `..`, or through a symbolic link) is refused: a crafted
    /// dvc.lock must not make lineage read and record files elsewhere.
    public static func projectFile(_ relative: String, root: String) throws -> String {
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

    /// The stages in `stale` and every stage downstream of one.
    public func downstream(of stale: Set<String>) -> Set<String> {
        var skipped = stale
        var skippedOuts = Set<String>()
        for stage in stages {
            if stage.deps.contains(where: { skippedOuts.contains($0.path) }) { skipped.insert(stage.name) }
            if skipped.contains(stage.name) { skippedOuts.formUnion(stage.outs.map(\.path)) }
        }
        return skipped
    }

    public func file(_ entry: Entry) throws -> String { try Self.projectFile(entry.path, root: root) }

    /// Every way the workspace disagrees with dvc.lock, as `dvc status` would report it: a dep or
    /// out present with other content, a param with another value. Files that are absent (data not
    /// pulled, or a dvc.lock copied alone) are not disagreements: records are then made from
    /// dvc.lock's descriptors. Params files other than YAML and JSON are not read.
    public func disagreements() throws -> [Disagreement] {
        var hashes: [String: String] = [:]
        var parsedParams: [String: Any?] = [:]
        var found: [Disagreement] = []
        for stage in stages {
            for entry in stage.deps + stage.outs {
                let path = try file(entry)
                guard FileManager.default.fileExists(atPath: path) else { continue }
                let key = entry.path + (entry.legacy ? "\u{0}legacy" : "")
                let hash = try hashes[key] ?? DVCHash.of(path, legacy: entry.legacy)
                hashes[key] = hash
                if hash != entry.md5 {
                    found.append(Disagreement(stage: stage.name, sentence: "\(Names.printable(entry.path)) is md5 \(hash) in the workspace but \(entry.md5.isEmpty ? "unhashed" : entry.md5) in dvc.lock (stage \(stage.name))"))
                }
            }
            for param in stage.params {
                let format = (param.file as NSString).pathExtension.lowercased()
                guard ["yaml", "yml", "json"].contains(format) else { continue }
                if parsedParams[param.file] == nil {
                    let path = try Self.projectFile(param.file, root: root)
                    parsedParams[param.file] = FileManager.default.fileExists(atPath: path)
                        ? .some(try YAMLFile.load(String(decoding: try FieldInput.readFile(path, what: "params file"), as: UTF8.self), path: path))
                        : .some(nil)
                }
                guard case .some(.some(let document)) = parsedParams[param.file] else { continue }
                let current = try Self.value(at: param.key, in: document)
                if current != param.value {
                    found.append(Disagreement(stage: stage.name, sentence: "\(Names.printable(param.file)) has \(param.key) = \(current?.canonicalString ?? "nothing") where dvc.lock has \(param.value.canonicalString) (stage \(stage.name))"))
                }
            }
        }
        return found
    }

    /// The value at a dotted key (`train.lr`) of a params file, as JSON; nil when absent.
    private static func value(at key: String, in document: Any?) throws -> JSONValue? {
        var node = document
        for part in key.split(separator: ".", omittingEmptySubsequences: false) {
            guard let mapping = node as? [String: Any] else { return nil }
            node = mapping[String(part)]
        }
        return try node.map(PolicyFile.json)
    }
}
