import ArgumentParser
import Foundation
import LineageCore
import LineageEngine
import LineageStore

extension Lineage {
    /// `lineage verify-proof`: checks an evidence bundle with no store.
    struct VerifyProof: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify-proof",
            _superCommandName: "lineage",
            abstract: "Check an evidence bundle offline, with no store, against a public key.",
            discussion: """
                Verifies the checkpoint's signature with the given key; recomputes every record's id and Merkle \
                leaf from its bytes; checks each inclusion proof against the size and root read only from the \
                verified checkpoint; and checks that every upstream record is in the bundle. Exits 0 when all \
                hold, 1 naming the first thing that does not.
                """
        )

        @Argument(help: ArgumentHelp("The bundle written by `lineage prove` (- for standard input).", valueName: "bundle"))
        var bundle: String

        @OptionGroup var trustedKeys: TrustedKeyOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            try JSONFailure.reporting(json: output.json) {
                let trusted = try trustedKeys.parsed()
                let verification = try BundleVerification(bundle: try FieldInput.readFile(bundle, what: "bundle"), trusting: trusted)
                print(output.json ? verification.json.prettyString() : verification.summary)
            }
        }
    }
}
