import Hummingbird
import LineageCore
import LineageStore

/// A failure as the API answers it: the HTTP status and one JSON object `{"error": SENTENCE, "status": N}`.
struct APIError: HTTPResponseError {
    let status: HTTPResponse.Status
    let message: String
    /// Headers the answer carries beside its body (`Allow` on a 405).
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.headers = headers
    }

    /// The status for a lineage error: bad input 400, not found 404, a negative verdict 409, the store 500.
    init(_ error: any Error) {
        switch error {
        case let error as APIError:
            self = error
        case let error as LineageError:
            switch error.kind {
            case .input: self.init(.badRequest, error.message)
            case .notFound: self.init(.notFound, error.message)
            case .verdict: self.init(.conflict, error.message)
            default: self.init(.internalServerError, error.message)
            }
        case let error as RecordError:
            self.init(.badRequest, error.message)
        case let error as HTTPError:
            self.init(error.status, error.body ?? error.status.reasonPhrase)
        default:
            self.init(.internalServerError, LineageError.wrap(error).message)
        }
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = JSONValue.object(JSONObject([("error", .string(message)), ("status", .number(Double(status.code)))]))
        var response = Response.json(body, status: status)
        response.headers.append(contentsOf: headers)
        return response
    }
}

extension Response {
    /// A JSON body (`application/json`), pretty-printed as the CLI's `--json`.
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: .init(byteBuffer: ByteBuffer(string: value.prettyString() + "\n")))
    }
}

/// Turns every error a route throws (and unknown routes) into an `APIError` response; a known path
/// asked with a method it does not take answers 405 with `Allow` (docs/openapi.yaml lists both).
struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            if let methods = RouteTable.api.methods(for: request.uri.path), !methods.contains(request.method.rawValue) {
                throw APIError(.methodNotAllowed, "\(request.uri.path) takes \(methods.joined(separator: " or ")), not \(request.method.rawValue)",
                               headers: [.allow: methods.joined(separator: ", ")])
            }
            throw APIError(.notFound, "no route \(request.method.rawValue) \(request.uri.path); the routes are listed at /openapi.yaml and in docs/server.md")
        } catch {
            throw APIError(error)
        }
    }
}
