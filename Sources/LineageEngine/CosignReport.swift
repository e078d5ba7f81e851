import LineageCore

/// What `lineage cosign` got from the store's witnesses for the latest checkpoint.
public struct CosignReport: Sendable {
    /// One witness's answer.
    public struct Outcome: Sendable {
        public let name: String
        public let url: String
        /// When it cosigned (seconds since the epoch); nil when it did not.
        public let time: UInt64?
        /// Why it did not cosign.
        public let problem: String?
        /// True when the witness refused the checkpoint (a verdict), false when it could not be asked.
        public let refused: Bool

        public init(name: String, url: String, time: UInt64?, problem: String?, refused: Bool) {
            (self.name, self.url, self.time, self.problem, self.refused) = (name, url, time, problem, refused)
        }
    }

    /// The size of the checkpoint the witnesses were asked to cosign.
    public let size: UInt64
    public let outcomes: [Outcome]
    /// The checkpoint with the log's signature and every cosignature obtained.
    public let note: String

    public init(size: UInt64, outcomes: [Outcome], note: String) {
        (self.size, self.outcomes, self.note) = (size, outcomes, note)
    }

    /// 0 when every witness cosigned; 1 when one refused the checkpoint; 4 when one could not be asked.
    public var exitCode: Int32 {
        if outcomes.allSatisfy({ $0.time != nil }) { return 0 }
        return outcomes.contains(where: \.refused) ? 1 : 4
    }

    /// The `cosign --json` shape: `{"size", "witnesses": [{"name", "url", "cosigned", "time"?,
    /// "problem"?}], "checkpoint", "exitCode"}`.
    public var json: JSONValue {
        .object(JSONObject([
            ("size", .number(Double(size))),
            ("witnesses", .array(outcomes.map { outcome in
                var object = JSONObject([("name", .string(outcome.name)), ("url", .string(outcome.url)), ("cosigned", .bool(outcome.time != nil))])
                if let time = outcome.time { object["time"] = .string(RecordTime.format(milliseconds: Int64(time) * 1000)) }
                if let problem = outcome.problem { object["problem"] = .string(problem) }
                return .object(object)
            })),
            ("checkpoint", .string(note)), ("exitCode", .number(Double(exitCode))),
        ]))
    }

    /// The text `lineage cosign` prints: one line per witness, then a summary.
    public var text: String {
        var lines = outcomes.map { outcome in
            outcome.time.map { "\(outcome.name): cosigned at \(RecordTime.format(milliseconds: Int64($0) * 1000))" }
                ?? "\(outcome.name): \(outcome.refused ? "REFUSED" : "not reached"): \(outcome.problem ?? "")"
        }
        let done = outcomes.filter { $0.time != nil }.count
        lines.append("The checkpoint of size \(size) is cosigned by \(done) of \(outcomes.count) witness\(outcomes.count == 1 ? "" : "es").")
        return lines.joined(separator: "\n")
    }
}
