import ArgumentParser
import Foundation
import LineageCore
import LineageEngine
import LineageStore

extension Lineage {
    /// `lineage retention`: payloads expire under the store's retention rules.
    struct RetentionCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "retention",
            _superCommandName: "lineage",
            abstract: "Erase the payloads that outlived the store's retention rules.",
            discussion: """
                Rules live in the store's policy file (.lineage/policy.yaml, `retention:`); prediction payloads are kept \
                180 days when no rule says otherwise. Records are never deleted: only payloads expire. See docs/privacy.md.
                """,
            subcommands: [Apply.self]
        )

        /// `lineage retention apply`.
        struct Apply: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "apply", _superCommandName: "lineage retention",
                abstract: "Erase every payload past its retention period, except those under a legal hold (for cron).")

            @OptionGroup var erasure: ErasureOptions
            @OptionGroup var storeOptions: StoreOptions

            func run() throws {
                let store = try storeOptions.open()
                let report = try store.applyRetention(dryRun: erasure.dryRun, actor: erasure.dryRun ? "" : try erasure.resolvedActor())
                erasure.render(report)
            }
        }
    }
}
