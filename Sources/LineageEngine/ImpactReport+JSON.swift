import LineageCore
import LineageStore

extension ImpactReport {
    /// The `impact --json` shape: `{"root", "records": [{"id", "kind", "ref", "relation", "from"}],
    /// "deployments": [{"id", "ref", "current", "predictions"}], "predictionsWithoutDeployment"}`.
    public var json: JSONValue {
        .object(JSONObject([
            ("root", .string(root.id.description)),
            ("records", .array(items.map { item in
                .object(JSONObject([("id", .string(item.entry.id.description)), ("kind", .string(item.entry.kind.rawValue)),
                                    ("ref", .string(RecordLabel.reference(item.entry))), ("relation", .string(item.relation)),
                                    ("from", .string(item.from.description))]))
            })),
            ("deployments", .array(deployments.map { deployment in
                .object(JSONObject([("id", .string(deployment.entry.id.description)), ("ref", .string(RecordLabel.reference(deployment.entry))),
                                    ("current", .bool(deployment.current)), ("predictions", .number(Double(deployment.predictions)))]))
            })),
            ("predictionsWithoutDeployment", .number(Double(predictionsWithoutDeployment))),
        ]))
    }
}
