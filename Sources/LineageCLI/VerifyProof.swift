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

        @Flag(help: "After the verdict, say what was checked and print every record of the bundle readably.")
        var explain = false

        @Option(help: ArgumentHelp("A payload file from `lineage payload export`: checked against its record's commitment in the bundle (repeatable).", valueName: "file"))
        var payload: [String] = []

        @Option(name: .customLong("witness-key"), help: ArgumentHelp("A witness's key (as `lineage witness init` printed it, or a file holding it); the checkpoint must carry its cosignature. Repeatable.", valueName: "key"))
        var witnessKeys: [String] = []

        @Option(help: ArgumentHelp("How many of the --witness-key witnesses must have cosigned (default: all of them).", valueName: "n"))
        var quorum: Int?

        @OptionGroup var trustedKeys: TrustedKeyOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if let quorum {
                if witnessKeys.isEmpty { throw ValidationError("--quorum needs the witnesses' keys: give them with --witness-key") }
                if quorum < 1 || quorum > witnessKeys.count {
                    throw ValidationError("--quorum must be from 1 to the number of --witness-key given (\(witnessKeys.count))")
                }
            }
        }

        func run() throws {
            try JSONFailure.reporting(json: output.json) {
                let trusted = try trustedKeys.parsed()
                let witnesses = try witnessKeys.map { try VerifierKeyArgument.parse($0, cosigner: true) }
                let verification = try BundleVerification(bundle: try FieldInput.readFile(bundle, what: "bundle"), trusting: trusted,
                                                          witnesses: witnesses, quorum: quorum ?? witnesses.count)
                var payloads: [PayloadEvidence] = []
                for file in payload {
                    let evidence: PayloadEvidence
                    do { evidence = try PayloadEvidence(json: try JSONParser.parse(try FieldInput.readFile(file, what: "payload file"))) }
                    catch let error as JSONError { throw LineageError.input("\(file) is not valid JSON: \(error)") }
                    catch let error as RecordError { throw LineageError.input("\(file): \(error.message)") }
                    try verification.check(evidence)
                    payloads.append(evidence)
                }
                if output.json {
                    var json = verification.json.objectValue ?? JSONObject()
                    if !payload.isEmpty {
                        json["payloads"] = .array(payloads.map { .object(JSONObject([("record", .string($0.record.description)), ("field", .string($0.field)),
                                                                                    ("commitment", .string($0.commitment.description)), ("bytes", .number(Double($0.payload.count)))])) })
                    }
                    print(JSONValue.object(json).prettyString())
                    return
                }
                print(verification.summary)
                for evidence in payloads {
                    print(BundleVerification.payloadSummary(evidence, record: verification.verified.records.first { $0.id == evidence.record }))
                }
                if explain { print(Self.explanation(verification), terminator: "") }
            }
        }
    }
}

extension Lineage.VerifyProof {
    /// What `--explain` prints: the checks that passed, then each record (subject first) with its
    /// id, its leaf in the log and its fields, so an auditor reads the evidence without other tools.
    static func explanation(_ verification: BundleVerification) -> String {
        let checkpoint = verification.verified.checkpoint
        var text = """

            Checked, with no store and no network:
              - the checkpoint is signed by \(verification.verified.signers.map(\.text).joined(separator: ", ")), a key you gave;
              - it commits to the log \(checkpoint.origin): \(checkpoint.size) records, Merkle root \(verification.rootBase64);
              - each record's id is the SHA-256 of its canonical bytes, recomputed here;
              - each record's inclusion proof leads from its leaf to that root;
              - every record the subject links to, directly or upstream, is in the bundle, and nothing else is.

            """
        for log in verification.verified.otherLogs {
            text += "  - \(log.records) upstream record\(log.records == 1 ? " lies" : "s lie") in the log \(log.checkpoint.origin), proven the same way against its checkpoint (\(log.checkpoint.size) records, root \(Data(log.checkpoint.rootHash).base64EncodedString())), signed by \(log.signers.map(\.text).joined(separator: ", ")).\n"
        }
        text += "\nThe \(verification.verified.records.count) records (the subject first, then its upstream):\n"
        // The log each record lies in: the subject's log first, then the other logs in the bundle's order.
        let logs = [(checkpoint, verification.verified.records.count - verification.verified.otherLogs.reduce(0) { $0 + $1.records })]
            + verification.verified.otherLogs.map { ($0.checkpoint, $0.records) }
        let logOf = logs.flatMap { log in Array(repeating: log.0, count: log.1) }
        for (i, (record, leaf)) in zip(verification.verified.records, verification.leafIndices).enumerated() {
            let log = i < logOf.count ? logOf[i] : checkpoint
            let label = [record.kind.rawValue, record.predictionID ?? record.name.map { name in record.version.map { "\(name)@\($0)" } ?? name } ?? ""]
                .filter { !$0.isEmpty }.joined(separator: " ")
                + (record.kind == .deployment ? record.object["environment"]?.stringValue.map { " to \($0)" } ?? "" : "")
            text += "\n\(label)\n  id: \(record.id)\n  leaf: \(leaf) of \(log.size)\(log.origin == checkpoint.origin ? "" : " in the log \(log.origin)")\n"
            for member in record.object.members where member.key != "kind" {
                text += "  \(member.key): \(RecordDetails.inline(member.value))\n"
            }
        }
        return text
    }
}
