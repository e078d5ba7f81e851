import ArgumentParser
import Foundation
import LineageCore
import LineageEngine
import LineageStore

extension Lineage {
    /// `lineage erase`: a data subject's request, or any erasure of raw payloads.
    struct Erase: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "erase",
            _superCommandName: "lineage",
            abstract: "Erase the raw payloads of predictions, keeping every record and proof valid.",
            discussion: """
                Destroys the stored input and output payloads of the predictions named (by id, by data subject, or \
                by query filters), writes an erasure record naming the commitments and predictions, and prints what \
                it erased. The records, the log and every evidence bundle stay valid: only the raw bytes and their \
                salts go. A payload under a legal hold (`lineage hold add`) is kept unless --override-hold is given, \
                which the erasure record then says. See docs/privacy.md.
                """
        )

        @Option(name: .customLong("prediction"), help: ArgumentHelp("A prediction id or record id (repeatable).", valueName: "id"))
        var predictions: [String] = []

        @Option(help: ArgumentHelp("A data subject's id, as predictions were recorded with it (`subject`).", valueName: "subject"))
        var subject: String?

        @Option(help: ArgumentHelp("Filters as `lineage query` takes them, in one argument, e.g. \"--deployment deployment:fraud/prod --until 2026-01-01\".", valueName: "filters"))
        var query: String?

        @Option(help: ArgumentHelp("Why: kept in the erasure record (e.g. \"GDPR Art. 17 request #4411\").", valueName: "text"))
        var reason: String

        @Option(help: ArgumentHelp("The policy or legal basis to name in the erasure record.", valueName: "name"))
        var policy: String?

        @Flag(help: "Erase payloads under a legal hold too; the erasure record says so.")
        var overrideHold = false

        @OptionGroup var erasure: ErasureOptions
        @OptionGroup var storeOptions: StoreOptions

        func validate() throws {
            let given = [!predictions.isEmpty, subject != nil, query != nil].filter { $0 }.count
            guard given == 1 else { throw ValidationError("give exactly one of --prediction, --subject or --query") }
        }

        func run() throws {
            let store = try storeOptions.open()
            let selection: ErasureSelection
            if let subject {
                selection = .subject(subject)
            } else if let query {
                selection = .query(try Erase.filter(query))
            } else {
                selection = .predictions(predictions)
            }
            let plan = try store.planErasure(selection, overrideHold: overrideHold)
            let report = erasure.dryRun ? ErasureReport(plan: plan, records: [], dryRun: true)
                : try store.erase(plan, reason: reason, policy: policy, overrideHold: overrideHold, actor: try erasure.resolvedActor())
            erasure.render(report)
        }

        /// The listing filter a `--query` argument gives, parsed as `lineage query`'s options.
        static func filter(_ text: String) throws -> ListingFilter {
            let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            let parsed: Lineage.Query
            do { parsed = try Lineage.Query.parse(words) } catch {
                throw LineageError.input("--query \(Names.printable(text)): \(Lineage.Query.message(for: error)); give filters as `lineage query` takes them")
            }
            return try parsed.filter(now: Int64(Date().timeIntervalSince1970 * 1000))
        }
    }
}

/// The options `erase` and `retention apply` share.
struct ErasureOptions: ParsableArguments {
    @Flag(help: "Show what would be erased; change nothing.")
    var dryRun = false

    @Option(help: ArgumentHelp("Who erases (default: $LINEAGE_ACTOR, else git's user.email, else user@host).", valueName: "actor"))
    var actor: String?

    @OptionGroup var output: OutputOptions

    /// The actor to stamp on the erasure records.
    func resolvedActor() throws -> String { try WriteOptionsActor(actor: actor).resolve() }

/// Prints an erasure report as text, or JSON with `--json`.
func render(_ report: ErasureReport) {
        if output.json {
            print(report.json.prettyString())
            return
        }
        let plan = report.plan
        let count = "\(plan.payloadCount) payload\(plan.payloadCount == 1 ? "" : "s") of \(plan.targets.count) prediction\(plan.targets.count == 1 ? "" : "s")"
        if plan.targets.isEmpty && plan.held.isEmpty && plan.nothingStored == 0 {
            print("Nothing to erase: no prediction matches.")
        } else if plan.targets.isEmpty {
            print("Nothing to erase.")
        } else if report.dryRun {
            print("Would erase \(count) (dry run: nothing changed):")
        } else {
            print("Erased \(count); erasure record\(report.records.count == 1 ? "" : "s") \(report.records.map(\.description).joined(separator: ", ")).")
        }
        for target in plan.targets.prefix(50) {
            print("  \(target.entry.name ?? target.entry.id.description): \(target.commitments.map(\.field).joined(separator: ", "))"
                  + (target.holds.isEmpty ? "" : " (hold overridden)"))
        }
        if plan.targets.count > 50 { print("  … and \(plan.targets.count - 50) more (--json lists all)") }
        if plan.nothingStored > 0 {
            print("\(plan.nothingStored) prediction\(plan.nothingStored == 1 ? " has" : "s have") no stored payload (already erased, or given only as commitments).")
        }
        if !plan.held.isEmpty {
            print("Kept under a legal hold: \(plan.held.count) prediction\(plan.held.count == 1 ? "" : "s") (e.g. \(plan.held[0].entry.name ?? ""): \(plan.held[0].holds[0].reason)); --override-hold erases them.")
        }
    }
}
