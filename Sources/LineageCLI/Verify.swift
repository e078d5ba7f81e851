import ArgumentParser
import Foundation
import LineageCore
import LineageEngine
import LineageStore

extension Lineage {
    /// `lineage verify`: checks the whole store.
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            _superCommandName: "lineage",
            abstract: "Check that nothing in the store was altered, removed, reordered or inserted.",
            discussion: """
                Recomputes every record id, link, Merkle leaf and root; checks every batch's signed checkpoint \
                and git commit signature against the trusted keys; checks that the index matches the log. \
                With --against, also proves by an RFC 6962 consistency proof that the log is an append-only \
                extension of a checkpoint saved earlier (`lineage checkpoint > saved.txt`): the check that \
                catches history rewritten and re-signed with the store's own key. The copies of other origins' \
                logs that `lineage pull` keeps are verified the same way, and links into them are checked to reach \
                records of the kind their field allows. Exits 1 naming the first record or batch that fails. See \
                docs/integrity.md.
                """
        )

        @Option(help: ArgumentHelp("A signed checkpoint saved earlier; the log must extend it.", valueName: "checkpoint-file"))
        var against: String?

        @OptionGroup var output: OutputOptions
        @OptionGroup var storeOptions: StoreOptions

        func run() throws {
            try JSONFailure.reporting(json: output.json) {
                let earlier = try against.map { path in
                    String(decoding: try FieldInput.readFile(path, what: "checkpoint file"), as: UTF8.self)
                }
                let store = try storeOptions.open(syncingIndex: false)
                let progress = Terminal.counter("verifying", unit: "records")
                let report: VerifyReport
                do {
                    report = try store.verify(against: earlier) { done in progress?.update(done) }
                    progress?.finish()
                } catch {
                    progress?.finish()
                    throw error
                }
                // Then the copies of other origins' logs held here, each as a store of its own.
                let held = try store.verifyHeldOrigins()
                let root = report.rootBase64
                if output.json {
                    guard case .object(var object) = report.json(origin: store.origin) else { return }
                    object["origins"] = .array(held.map { $0.1.json(origin: $0.0) })
                    print(JSONValue.object(object).prettyString())
                    return
                }
                print("OK: \(report.records) records in \(report.batches) batches of \(store.origin): every id, link, leaf and root recomputed; \(report.checkpointSignatures) checkpoint and \(report.commitSignatures) commit signatures verified; \(report.indexedRecords) index rows match the log.")
                if report.payloadsStored + report.payloadsErased + report.payloadsAwaitingErasure > 0 {
                    print("Payloads: \(report.payloadsStored) stored and matching their commitments, \(report.payloadsErased) erased (each named by an erasure record)"
                          + (report.payloadsAwaitingErasure > 0 ? ", \(report.payloadsAwaitingErasure) erased in the log but still readable (the store owner's next command destroys them)" : "") + ".")
                }
                if report.orphanPacks > 0 {
                    print("\(report.orphanPacks) payload pack\(report.orphanPacks == 1 ? "" : "s") of batches that never landed (a writer was killed); the next write removes them.")
                }
                Self.printForeignLinks(report, of: store.origin)
                print("Log size \(report.records), root \(root)")
                for (origin, report) in held {
                    print("OK: the copy of the log \(origin) (pulled): \(report.records) records in \(report.batches) batches, every one checked as above; root \(report.rootBase64).")
                    Self.printForeignLinks(report, of: origin)
                }
                if let size = report.extendsCheckpointOfSize {
                    print("The log is an append-only extension of the earlier checkpoint of size \(size).")
                }
            }
        }
    
        /// Says where links out of a log lead, when any do.
        static func printForeignLinks(_ report: VerifyReport, of origin: String) {
            if report.foreignLinks > 0 {
                print("Links from \(origin) reach \(report.foreignLinks) record\(report.foreignLinks == 1 ? "" : "s") of other logs held here, each of the kind its field allows.")
            }
            if let first = report.unresolvedLinks.first {
                print("Links from \(origin) reach \(report.unresolvedLinks.count) record\(report.unresolvedLinks.count == 1 ? "" : "s") of logs not held here (first \(first)): `lineage pull` the remote their origin pushes to, to check them.")
            }
        }
    }
}
