import Foundation
import LineageCore
import LineageStore

/// Which predictions' payloads an erasure is about.
public enum ErasureSelection: Sendable {
    /// Predictions by reference (a prediction id, an id or a short id).
    case predictions([String])
    /// Every prediction of a data subject (given in clear; the store hashes it).
    case subject(String)
    /// The predictions a listing filter matches (its kind is taken as `prediction`).
    case query(ListingFilter)
}

/// A legal hold in force: a `hold` record with action `add` that no release names.
public struct Hold: Sendable {
    public let entry: IndexedRecord
    public let reason: String
    /// The scope: `prediction`, `deployment`, `model` or `subject`, and the value (an id or keyed subject).
    public let scope: String
    public let value: String

    /// True if this hold covers `record`, a prediction served by `deployment` (its record, if any)
    /// of the model version `model`.
    func covers(_ record: Record, deployment: Record?) -> Bool {
        switch scope {
        case "prediction": record.id.description == value
        case "subject": record["subject"]?.stringValue == value
        case "deployment": record["deployment"]?.stringValue == value
        case "model": (record["model"] ?? deployment?["model"])?.stringValue == value
        default: false
        }
    }
}

/// What an erasure covers, before anything is written.
public struct ErasurePlan {
    /// A prediction whose stored payloads are to go.
    public struct Target {
        public let entry: IndexedRecord
        public let record: Record
        /// The stored payloads to erase, by field.
        public let commitments: [(field: String, commitment: Digest)]
        /// The holds that cover it (erased only with `overrideHold`).
        public let holds: [Hold]
    }

    /// Predictions matched with payloads to erase and no hold in the way (or holds overridden).
    public var targets: [Target] = []
    /// Predictions matched whose payloads a hold keeps.
    public var held: [Target] = []
    /// Predictions matched with nothing stored to erase (already erased, or given only as commitments).
    public var nothingStored = 0

    /// The number of payloads the plan erases.
    public var payloadCount: Int { targets.reduce(0) { $0 + $1.commitments.count } }
}

/// What `erase` did.
public struct ErasureReport {
    public let plan: ErasurePlan
    /// The erasure records written (none for a dry run or when nothing was to be erased).
    public let records: [Digest]
    public let dryRun: Bool

    public init(plan: ErasurePlan, records: [Digest], dryRun: Bool) {
        self.plan = plan
        self.records = records
        self.dryRun = dryRun
    }

    /// The `erase --json` shape: `{"dryRun", "erased": [{"prediction", "id", "fields"}], "held":
    /// [{"prediction", "id", "holds"}], "nothingStored", "payloads", "records"}`.
    public var json: JSONValue {
        func target(_ t: ErasurePlan.Target, _ extra: (String, JSONValue)) -> JSONValue {
            .object(JSONObject([("prediction", .string(t.entry.name ?? "")), ("id", .string(t.entry.id.description)), extra]))
        }
        return .object(JSONObject([
            ("dryRun", .bool(dryRun)),
            ("erased", .array(plan.targets.map { target($0, ("fields", .array($0.commitments.map { .string($0.field) }))) })),
            ("held", .array(plan.held.map { target($0, ("holds", .array($0.holds.map { .string($0.entry.id.description) }))) })),
            ("nothingStored", .number(Double(plan.nothingStored))),
            ("payloads", .number(Double(plan.payloadCount))),
            ("records", .array(records.map { .string($0.description) })),
        ]))
    }
}

extension Store {
    /// The most commitments one erasure record names; a larger erasure writes several records in
    /// one batch.
    public static let commitmentsPerErasureRecord = 10_000

    /// The legal holds in force.
    public func holds() throws -> [Hold] {
        var added: [Hold] = [], released = Set<String>()
        try query(RecordQuery(kind: .hold), readingRecords: true) { entry in
            let record = try read(entry)
            if record["action"]?.stringValue == "release" {
                if let hold = record["hold"]?.stringValue { released.insert(hold) }
            } else if let scope = ["prediction", "deployment", "model", "subject"].first(where: { record[$0] != nil }),
                      let value = record[scope]?.stringValue {
                added.append(Hold(entry: entry, reason: record["reason"]?.stringValue ?? "", scope: scope, value: value))
            }
            return true
        }
        return added.filter { !released.contains($0.entry.id.description) }
    }

    /// The predictions `selection` names, in log order.
    func predictions(_ selection: ErasureSelection) throws -> [IndexedRecord] {
        switch selection {
        case .predictions(let references):
            return try references.map { reference in
                let entry = try resolve(reference)
                guard entry.kind == .prediction else {
                    throw LineageError.input("\(Names.printable(reference)) is a \(entry.kind), not a prediction: only predictions have payloads to erase")
                }
                return entry
            }
        case .subject(let subject):
            guard !subject.isEmpty else { throw LineageError.input("--subject is empty: give the data subject's id as predictions were recorded with it") }
            let keyed = try subjectHasher().hash(subject)
            return try lookups.predictions(subject: keyed).filter { try read($0)["subject"]?.stringValue == keyed }
        case .query(var filter):
            filter.kind = .prediction
            var found: [IndexedRecord] = []
            try list(filter, bodies: false) { found.append($0.entry) }
            return found
        }
    }

    /// Works out what erasing the payloads of the predictions `selection` names would erase, and
    /// which a legal hold keeps (unless `overrideHold`). Writes nothing.
    public func planErasure(_ selection: ErasureSelection, overrideHold: Bool) throws -> ErasurePlan {
        try plan(try predictions(selection), overrideHold: overrideHold)
    }

    /// The plan for erasing the stored payloads of `entries`.
    func plan(_ entries: [IndexedRecord], overrideHold: Bool) throws -> ErasurePlan {
        let holds = try self.holds()
        var deployments: [String: Record] = [:]
        var plan = ErasurePlan()
        var seen = Set<Digest>()
        for entry in entries where seen.insert(entry.id).inserted {
            let record = try read(entry)
            let states = payloadStates(of: entry, record: record)
            let stored = record.commitments.filter { field, _ in
                switch states[field] {
                case .stored?, .damaged?: true
                default: false
                }
            }.map { (field: $0.field, commitment: $0.digest) }
            guard !stored.isEmpty else {
                plan.nothingStored += 1
                continue
            }
            var deployment: Record?
            if !holds.isEmpty, let id = record["deployment"]?.stringValue {
                if deployments[id] == nil, let digest = Digest(id) { deployments[id] = try read(id: digest) }
                deployment = deployments[id]
            }
            let covering = holds.filter { $0.covers(record, deployment: deployment) }
            let target = ErasurePlan.Target(entry: entry, record: record, commitments: stored, holds: covering)
            if covering.isEmpty || overrideHold { plan.targets.append(target) } else { plan.held.append(target) }
        }
        return plan
    }

    /// Carries out `plan`: writes erasure records naming the commitments and predictions (one batch;
    /// one record per `commitmentsPerErasureRecord` commitments), then destroys the payloads. The
    /// plan is made again under the store's write lock, so that a hold added or an erasure made
    /// since it was shown is respected. The records land first: a crash before the payloads are
    /// destroyed leaves an erasure the next command completes, never payloads gone without a record
    /// saying why.
    public func erase(_ plan: ErasurePlan, reason: String, policy: String?, overrideHold: Bool, actor: String) throws -> ErasureReport {
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw LineageError.input("--reason is empty: say why these payloads are erased (it goes into the erasure record)")
        }
        guard !plan.targets.isEmpty else { return ErasureReport(plan: plan, records: [], dryRun: false) }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        var final = plan
        let (ids, _) = try write(actor: actor) { transaction -> [Digest] in
            let fresh = try self.plan(plan.targets.map(\.entry), overrideHold: overrideHold)
            final.targets = fresh.targets
            final.held += fresh.held
            final.nothingStored += fresh.nothingStored
            return try Store.chunks(of: fresh.targets).map { chunk in
                var fields = JSONObject()
                fields["commitments"] = .array(chunk.flatMap { $0.commitments.map { .string($0.commitment.description) } })
                fields["reason"] = .string(reason)
                if let policy { fields["policy"] = .string(policy) }
                fields["records"] = .array(chunk.map { .string($0.entry.id.description) })
                if chunk.contains(where: { !$0.holds.isEmpty }) { fields["overrideHold"] = .bool(true) }
                return try transaction.register(.erasure, fields: fields, timeMilliseconds: now, actor: actor).id
            }
        }
        // Landing indexed the records and destroyed the payloads; this makes sure, and says so if it cannot.
        try applyErasures(ids.map { try read(id: $0) })
        return ErasureReport(plan: final, records: ids, dryRun: false)
    }

    /// `targets` cut into runs of at most `commitmentsPerErasureRecord` commitments, one per record.
    private static func chunks(of targets: [ErasurePlan.Target]) -> [[ErasurePlan.Target]] {
        var chunks: [[ErasurePlan.Target]] = []
        var count = 0
        for target in targets {
            if chunks.isEmpty || count + target.commitments.count > commitmentsPerErasureRecord {
                chunks.append([])
                count = 0
            }
            chunks[chunks.count - 1].append(target)
            count += target.commitments.count
        }
        return chunks
    }
}
