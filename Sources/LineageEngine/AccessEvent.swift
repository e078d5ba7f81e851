import Foundation
import LineageCore
import LineageStore

/// One read (or refused write), as an `access` record tells it: what was done, through which
/// interface, which records were shown or which query ran, by whom, in which role and why. The one
/// way access records are made, by `lineage serve` for every request and by the CLI's read commands
/// when the store is set to (`lineage config access-log on`).
public struct AccessEvent: Sendable {
    public var action: String
    public var interface: String
    public var records: [Digest] = []
    public var query: String?
    public var role: String?
    public var token: String?
    public var purpose: String?
    public var request: String?
    public var client: String?
    public var outcome: String?
    public var status: Int?

    public init(action: String, interface: String) {
        self.action = action
        self.interface = interface
    }

    /// The `access` record of this event by `actor` at `time` (milliseconds since 1970).
    public func record(actor: String, time: Int64) throws -> Record {
        var fields = JSONObject([("action", .string(action)), ("interface", .string(interface))])
        fields["outcome"] = outcome.map(JSONValue.string)
        fields["status"] = status.map { .number(Double($0)) }
        if !records.isEmpty { fields["records"] = .array(records.map { .string($0.description) }) }
        fields["query"] = query.map(JSONValue.string)
        fields["role"] = role.map(JSONValue.string)
        fields["token"] = token.map(JSONValue.string)
        fields["purpose"] = purpose.map(JSONValue.string)
        fields["request"] = request.map(JSONValue.string)
        fields["client"] = client.map(JSONValue.string)
        return try Record.make(.access, fields: fields, timeMilliseconds: time, actor: actor)
    }
}

extension Store {
    /// Whether this store's CLI reads are logged (`lineage config access-log on`).
    public var logsCLIReads: Bool {
        get throws { try StoreSettings.read(storePath: path).accessLog }
    }

    /// Appends the access record of a read made with the CLI, as its own signed batch, when the
    /// store is set to log CLI reads; does nothing otherwise. Called before the read's result is
    /// shown, so a read whose record could not be written shows nothing.
    public func logCLIRead(_ event: AccessEvent, actor: () throws -> String) throws {
        guard try logsCLIReads else { return }
        let reader = try actor()
        let record = try event.record(actor: reader, time: Int64(Date().timeIntervalSince1970 * 1000))
        _ = try write(actor: reader) { tx in _ = try tx.add(record) }
    }
}
