import ArgumentParser
import Foundation
import LineageCore
import LineageEngine
import LineageStore

extension Lineage {
    /// `lineage hold`: legal holds that keep payloads from erasure.
    struct HoldCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "hold",
            _superCommandName: "lineage",
            abstract: "Put payloads under a legal hold, release it, or list holds in force.",
            discussion: """
                A held payload is never erased by retention, and `lineage erase` keeps it unless --override-hold is \
                given. Holds and releases are records in the log. See docs/privacy.md.
                """,
            subcommands: [Add.self, Release.self, List.self]
        )

        /// `lineage hold add`.
        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "add", _superCommandName: "lineage hold",
                abstract: "Hold the payloads of a model version, a deployment, a prediction or a data subject.")

            @Option(help: ArgumentHelp("A model version (e.g. model:fraud@3).", valueName: "model"))
            var model: String?
            @Option(help: ArgumentHelp("A deployment (e.g. deployment:fraud/prod).", valueName: "deployment"))
            var deployment: String?
            @Option(help: ArgumentHelp("A prediction id or record id.", valueName: "id"))
            var prediction: String?
            @Option(help: ArgumentHelp("A data subject's id, as predictions were recorded with it.", valueName: "subject"))
            var subject: String?
            @Option(help: ArgumentHelp("Why (e.g. the case or matter number).", valueName: "text"))
            var reason: String
            @OptionGroup var options: WriteOptions
            @OptionGroup var storeOptions: StoreOptions

            func validate() throws {
                guard [model, deployment, prediction, subject].compactMap({ $0 }).count == 1 else {
                    throw ValidationError("give exactly one of --model, --deployment, --prediction or --subject")
                }
            }

            func run() throws {
                var fields = JSONObject()
                fields["action"] = .string("add")
                fields["reason"] = .string(reason)
                if let model { fields["model"] = .string(model) }
                if let deployment { fields["deployment"] = .string(deployment) }
                if let prediction { fields["prediction"] = .string(prediction) }
                if let subject { fields["subject"] = .string(subject) }
                try RecordWriter(options: options, storeOptions: storeOptions).write(.hold, fields: fields)
            }
        }

        /// `lineage hold release`.
        struct Release: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "release", _superCommandName: "lineage hold",
                abstract: "Release a legal hold: its payloads fall under retention again.")

            @Argument(help: ArgumentHelp("The hold record (its id or short id).", valueName: "hold"))
            var hold: String
            @Option(help: ArgumentHelp("Why it is released.", valueName: "text"))
            var reason: String
            @OptionGroup var options: WriteOptions
            @OptionGroup var storeOptions: StoreOptions

            func run() throws {
                let store = try storeOptions.open()
                let entry = try store.resolve(hold)
                guard entry.kind == .hold, try store.read(entry)["action"]?.stringValue == "add" else {
                    throw LineageError.input("\(Names.printable(hold)) is not a hold: give the id `lineage hold list` shows")
                }
                guard try store.holds().contains(where: { $0.entry.id == entry.id }) else {
                    throw LineageError.input("the hold \(entry.id.short) was released already")
                }
                var fields = JSONObject()
                fields["action"] = .string("release")
                fields["reason"] = .string(reason)
                fields["hold"] = .string(entry.id.description)
                try RecordWriter(options: options, storeOptions: storeOptions).write(.hold, fields: fields)
            }
        }

        /// `lineage hold list`.
        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "list", _superCommandName: "lineage hold",
                abstract: "List the legal holds in force.")

            @OptionGroup var output: OutputOptions
            @OptionGroup var storeOptions: StoreOptions

            func run() throws {
                let holds = try storeOptions.open().holds()
                if output.json {
                    for hold in holds {
                        print(JSONValue.object(JSONObject([("id", .string(hold.entry.id.description)), ("scope", .string(hold.scope)),
                                                           ("value", .string(hold.value)), ("reason", .string(hold.reason)),
                                                           ("time", .string(RecordTime.format(milliseconds: hold.entry.timeMilliseconds)))])).canonicalString)
                    }
                    return
                }
                if holds.isEmpty { print("No legal hold is in force.") }
                for hold in holds {
                    print("\(hold.entry.id.short)  \(hold.scope) \(hold.value)  since \(RecordTime.format(milliseconds: hold.entry.timeMilliseconds))  \(hold.reason)")
                }
            }
        }
    }
}
