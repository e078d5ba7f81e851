import ArgumentParser
import Foundation
import LineageCore
import LineageEngine
import LineageStore

extension Lineage {
    /// `lineage clone`: a working copy of another store's log.
    struct Clone: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "clone",
            _superCommandName: "lineage",
            abstract: "Copy a store's log from a URL into a working, verified store.",
            discussion: """
                Fetches the log and its published keys with the stock git program (any URL git takes: ssh://, \
                https://, git://, file:// or a path), checks every batch as `lineage verify` does, builds the index, \
                and remembers the log's checkpoint: later pulls accept only an append-only extension of it. The \
                keys are taken on first use unless --key-fingerprint pins the key that must vouch for them (ask the \
                log's owner for `lineage key show --fingerprint`). The copy adds no records of its own; \
                `lineage pull` keeps it in step. Payloads are not copied. See docs/sync.md.
                """
        )

        @Argument(help: ArgumentHelp("The remote: a lineage store or a git repository a store pushed to.", valueName: "url"))
        var url: String

        @Argument(help: ArgumentHelp("The directory to hold the copy's .lineage (default: the current directory).", valueName: "directory"))
        var directory: String?

        @Option(help: ArgumentHelp("The fingerprint (SHA256:…) of the key that must vouch for the log's keys.", valueName: "fingerprint"))
        var keyFingerprint: String?

        @Option(help: ArgumentHelp("Which log to copy, when the remote holds several.", valueName: "origin"))
        var origin: String?

        @Flag(name: .shortAndLong, help: "Print nothing on success but a first-use warning.")
        var quiet = false

        @OptionGroup var output: OutputOptions
        @OptionGroup var storeOptions: StoreOptions

        func validate() throws {
            if let keyFingerprint, !keyFingerprint.hasPrefix("SHA256:") {
                throw ValidationError("--key-fingerprint takes a fingerprint as `lineage key show --fingerprint` prints it (SHA256:…)")
            }
        }

        func run() throws {
            let explicit = storeOptions.store ?? directory.map { ($0 as NSString).appendingPathComponent(StoreLocation.directoryName) }
            let path = StoreLocation.forInit(explicit: explicit, variable: storeOptions.store == nil && directory == nil ? Environment.value("LINEAGE_STORE") : nil,
                                             workingDirectory: Environment.workingDirectory)
            let counter = Terminal.counter("Verifying", unit: "records")
            let remoteURL = Store.absolute(remoteURL: url, workingDirectory: Environment.workingDirectory)
            let (store, report) = try Store.clone(url: remoteURL, into: path, origin: origin, keyFingerprint: keyFingerprint, progress: counter?.update)
            counter?.finish()
            if output.json { print(report.json.prettyString()) } else if !quiet {
                print("Cloned the log \(report.origin) from \(remoteURL) into \(store.path): \(report.size) records in \(report.batches) batches, every one verified.")
                for other in report.others {
                    print("Also copied the log \(other.origin): \(other.size) records in \(other.batches) batches, every one verified.")
                }
            }
            for pulled in [report] + report.others {
                Self.warnFirstUse(pulled, pin: pulled.origin == report.origin ? "lineage clone --key-fingerprint"
                                  : "lineage pull origin --origin \(pulled.origin) --key-fingerprint")
            }
        }

        /// The loud warning for keys taken on first use; `pin`: the command that pins them.
        static func warnFirstUse(_ report: PullReport, pin: String) {
            guard let first = report.firstKey, !first.pinned else { return }
            let howToPin = "pin it with `\(pin) \(first.key.fingerprint) …` next time"
            Terminal.standardError("""
                lineage: TRUST ON FIRST USE: the keys of the log \(report.origin) are vouched for by the key \(first.key.fingerprint)
                lineage:   (\(first.key.text)).
                lineage: Check this fingerprint with the log's owner (`lineage key show --fingerprint` on their store);
                lineage: \(howToPin).

                """)
        }
    }
}
