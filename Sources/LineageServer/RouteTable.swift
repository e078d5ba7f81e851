import LineageEngine

/// The API's paths and the methods each takes, read from docs/openapi.yaml (the one description of
/// the API, embedded in the server): a known path asked with another method answers 405 with
/// `Allow`, as HTTP says, rather than 404.
struct RouteTable: Sendable {
    /// Each path as segments (`{name}` matches any one segment, a last `{name+}` one or more) and
    /// the methods it takes.
    let routes: [(segments: [String], methods: [String])]

    /// The routes of the embedded OpenAPI document.
    static let api = RouteTable(openAPI: OpenAPIDocument.yaml)

    init(openAPI text: String) {
        let document = (try? YAMLFile.load(text, path: "docs/openapi.yaml")) as? [String: Any]
        let paths = document?["paths"] as? [String: Any] ?? [:]
        let methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
        routes = paths.map { path, operations in
            (path.split(separator: "/").map(String.init),
             ((operations as? [String: Any]) ?? [:]).keys.filter(methods.contains).map { $0.uppercased() }.sorted())
        }
    }

    /// The route of `path`: its segments and the methods it takes; nil when no route has that path.
    private func match(_ path: String) -> (segments: [String], methods: [String])? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        return routes.first { route in
            let greedy = route.segments.last?.hasSuffix("+}") == true
            return (greedy ? segments.count >= route.segments.count : route.segments.count == segments.count)
                && zip(route.segments, segments).allSatisfy { pattern, segment in pattern.hasPrefix("{") || pattern == segment }
        }
    }

    /// The methods `path` takes, or nil when no route has that path.
    func methods(for path: String) -> [String]? { match(path)?.methods }

    /// The path as the API names it (`/v1/records/{ref}`), or nil when no route has that path.
    func route(for path: String) -> String? { match(path).map { "/" + $0.segments.joined(separator: "/") } }
}
