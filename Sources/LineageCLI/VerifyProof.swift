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
                let bytes = try FieldInput.readFile(bundle, what: "bundle")
                let parsed: EvidenceBundle
                do {
                    parsed = try EvidenceBundle(json: try JSONParser.parse(bytes))
                } catch let error as JSONError {
                    throw LineageError.input("the bundle is not valid JSON: \(error)")
                } catch let error as RecordError {
                    throw LineageError.input(error.message)
                }
                let verified: EvidenceBundle.Verified
                do {
                    verified = try parsed.verify(trusting: trusted)
                } catch {
                    throw LineageError(.verdict, "the bundle does not verify: \((error as? RecordError)?.message ?? "\(error)")")
                }
                let root = Data(verified.checkpoint.rootHash).base64EncodedString()
                if output.json {
                    print(JSONValue.object(JSONObject([
                        ("ok", .bool(true)), ("subject", .string(parsed.subject.description)),
                        ("records", .number(Double(verified.records.count))), ("origin", .string(verified.checkpoint.origin)),
                        ("size", .number(Double(verified.checkpoint.size))), ("root", .string(root)),
                        ("signers", .array(verified.signers.map { .string($0.text) })),
                    ])).prettyString())
                } else {
                    print("OK: \(parsed.subject) and its \(verified.records.count - 1) upstream records are in the log \(verified.checkpoint.origin) of size \(verified.checkpoint.size), root \(root), signed by \(verified.signers.map(\.name).joined(separator: ", ")).")
                }
            }
        }
    }
}
