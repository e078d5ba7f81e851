import ArgumentParser
import LineageCore
import LineageEngine
import LineageStore

extension Lineage {
    /// `lineage impact`: everything downstream of a record.
    struct Impact: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "impact",
            _superCommandName: "lineage",
            abstract: "List everything downstream of a record: what this data touched.",
            discussion: """
                Transforms, derived datasets, runs, models, approvals and deployments (current and past) reached \
                through any link from the record, and how many predictions each deployment served. Predictions \
                are counted, never listed one by one. Records of other origins' logs this store pulled count too \
                (marked with their origin).
                """
        )

        @Argument(help: ArgumentHelp("A dataset (or any record): id, short id or name such as dataset:train.", valueName: "ref"))
        var reference: String

        @OptionGroup var output: OutputOptions
        @OptionGroup var access: AccessOptions
        @OptionGroup var storeOptions: StoreOptions

        func run() throws {
            let store = try storeOptions.open()
            let report = try store.impact(reference)
            try access.log(store, "impact", records: [report.root.id] + report.items.map(\.entry.id) + report.deployments.map(\.entry.id))
            if output.json {
                print(report.json.prettyString())
                return
            }
            print("Downstream of \(RecordLabel.title(report.root))  \(RecordLabel.shortID(report.root.id))")
            if report.items.isEmpty { print("  nothing links to it") }
            for kind in RecordKind.allCases where kind != .deployment {
                for item in report.items where item.entry.kind == kind {
                    print("  \(RecordLabel.title(item.entry))  \(RecordLabel.shortID(item.entry.id))  (\(item.relation))\(Self.marked(item.origin, report))")
                }
            }
            for deployment in report.deployments {
                print("  \(RecordLabel.title(deployment.entry))  \(RecordLabel.shortID(deployment.entry.id))  \(deployment.current ? "current" : "past"), \(deployment.predictions) prediction\(deployment.predictions == 1 ? "" : "s")\(Self.marked(deployment.origin, report))")
            }
            if report.predictionsWithoutDeployment > 0 {
                print("  \(report.predictionsWithoutDeployment) predictions made by these models without a deployment")
            }
        }

        /// The origin of a record from another log than the root's, for the listing.
        static func marked(_ origin: String, _ report: ImpactReport) -> String {
            origin == report.origin ? "" : "  [log \(origin)]"
        }
    }
}
