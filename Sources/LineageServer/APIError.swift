import Hummingbird
import LineageCore
import LineageStore

/// A failure as the API answers it: the HTTP status and one JSON object `{"error": SENTENCE, "status": N}`.
struct APIError: HTTPResponseError {
    let status: HTTPResponse.Status
    let message: String

    init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
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
        return Response.json(body, status: status)
    }
}

extension Response {
    /// A JSON body (`application/json`), pretty-printed as the CLI's `--json`.
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: .init(byteBuffer: ByteBuffer(string: value.prettyString() + "\n")))
    }
}

/// Turns every error a route throws (and unknown routes) into an `APIError` response.
struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            throw APIError(error)
        }
    }
}
