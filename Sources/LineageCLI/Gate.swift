import ArgumentParser
import Foundation
import LineageCore
import LineageEngine
import LineageStore

extension Lineage {
    /// `lineage gate`: the CI check that a model may ship.
    struct Gate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gate",
            _superCommandName: "lineage",
            abstract: "Refuse a model whose lineage is missing or whose policy fails (for CI).",
            discussion: """
                Passes only when the artifact's SHA-256 is a registered model whose lineage is complete back to \
                source datasets (a producing run, every run and transform with input datasets and a code commit, \
                every dataset hashed) and, with --policy, when every policy rule holds: required approvals, metric \
                thresholds, allowed signers, maximum age, forbidden dataset licences (docs/policy.md). \
                Exit 0 on pass, 1 on refusal, 2 for a bad policy or a missing file.
                """
        )

        @Argument(help: ArgumentHelp("The model artifact file, or a model reference such as model:fraud@3.", valueName: "artifact-file|model"))
        var target: String

        @Option(help: ArgumentHelp("A YAML policy file.", valueName: "file"))
        var policy: String?

        @Flag(help: "Also print GitHub Actions annotations (::error / ::notice).")
        var github = false

        @OptionGroup var output: OutputOptions
        @OptionGroup var storeOptions: StoreOptions

        func run() throws {
            try JSONFailure.reporting(json: output.json) {
                let rules = try policy.map(PolicyFile.load) ?? Policy()
                let store = try storeOptions.open()
                let report: GateReport
                let now = Int64(Date().timeIntervalSince1970 * 1000)
                if FileManager.default.fileExists(atPath: target) {
                    let artifact = try ArtifactDigest.compute(paths: [target], progress: Terminal.progress("hashing"))
                    report = try store.gate(artifact: artifact.digest, label: Names.printable(target), policy: rules, now: now)
                } else {
                    report = try store.gate(reference: target, policy: rules, now: now)
                }
                print(render(report))
                if !report.passed { throw ExitCode(LineageError.Kind.verdict.rawValue) }
            }
        }

        func render(_ report: GateReport) -> String {
            let subject = report.model.map { "\(RecordLabel.reference($0)) (\($0.id))" } ?? target
            if output.json { return report.json(target: target).prettyString() }
            var lines = ["lineage gate: \(report.passed ? "PASSED" : "REFUSED") \(subject)"]
            for check in report.checks {
                lines.append("  \(check.passed ? "✓" : "✗") \(check.name): \(check.message)")
            }
            if github {
                for check in report.checks where !check.passed {
                    lines.append("::error title=lineage gate (\(check.name))::\(Self.escape(check.message))")
                }
                if report.passed { lines.append("::notice title=lineage gate::\(Self.escape(subject)) may ship") }
            }
            return lines.joined(separator: "\n")
        }

        /// GitHub's workflow-command escaping.
        static func escape(_ text: String) -> String {
            text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
        }
    }
}
