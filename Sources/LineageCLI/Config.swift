import ArgumentParser
import LineageStore

extension Lineage {
    /// `lineage config`: how this store is used.
    struct Config: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "config",
            _superCommandName: "lineage",
            abstract: "Show or change how this store is used: whether CLI reads are logged.",
            subcommands: [AccessLog.self]
        )

        /// `lineage config access-log [on|off]`.
        struct AccessLog: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "access-log",
                _superCommandName: "lineage config",
                abstract: "Show, or turn on or off, access records for reads made with the CLI.",
                discussion: """
                    When on, show, trace, log, query, impact, diff, prove, export and payload export each append an \
                    access record (interface cli, the actor, the records read or the query, --purpose) to the signed \
                    log before showing their result. Off by default: reads through lineage serve are always logged, \
                    but a CLI read runs where the store's files are, and whoever can run it can read those files \
                    directly; turn it on where the CLI is how people are expected to read (each read then costs a \
                    signed batch).
                    """
            )

            enum Setting: String, ExpressibleByArgument, CaseIterable { case on, off }

            @Argument(help: ArgumentHelp("on or off (default: print the current setting).", valueName: "on|off"))
            var setting: Setting?

            @OptionGroup var storeOptions: StoreOptions

            func run() throws {
                let store = try storeOptions.open()
                var settings = try StoreSettings.read(storePath: store.path)
                if let setting {
                    settings.accessLog = setting == .on
                    try settings.write(storePath: store.path)
                }
                print(settings.accessLog ? "on" : "off")
            }
        }
    }
}
