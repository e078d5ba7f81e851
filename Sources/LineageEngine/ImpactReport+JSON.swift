import LineageCore
import LineageStore

extension ImpactReport {
    /// The `impact --json` shape: `{"root", "origin", "records": [{"id", "kind", "ref", "relation", "from", "origin"}],
    /// "deployments": [{"id", "ref", "current", "predictions", "origin"}], "predictionsWithoutDeployment"}`.
    public var json: JSONValue {
        .object(JSONObject([
            ("root", .string(root.id.description)), ("origin", .string(origin)),
            ("records", .array(items.map { item in
                .object(JSONObject([("id", .string(item.entry.id.description)), ("kind", .string(item.entry.kind.rawValue)),
                                    ("ref", .string(RecordLabel.reference(item.entry))), ("relation", .string(item.relation)),
                                    ("from", .string(item.from.description)), ("origin", .string(item.origin))]))
            })),
            ("deployments", .array(deployments.map { deployment in
                .object(JSONObject([("id", .string(deployment.entry.id.description)), ("ref", .string(RecordLabel.reference(deployment.entry))),
                                    ("current", .bool(deployment.current)), ("predictions", .number(Double(deployment.predictions))),
                                    ("origin", .string(deployment.origin))]))
            })),
            ("predictionsWithoutDeployment", .number(Double(predictionsWithoutDeployment))),
        ]))
    }
}
