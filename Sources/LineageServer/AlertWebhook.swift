import AsyncHTTPClient
import Foundation
import LineageCore
import NIOCore

/// Posts monitoring events (`MonitorReport.events`) to a webhook: each as its own JSON object, or
/// for Slack (`slack`) as the `{"text": …}` message an incoming webhook takes.
public enum AlertWebhook {
    /// How long each post may take, connection attempts included (the HTTP client retries a
    /// refused connection until then).
    static let timeout = TimeAmount.seconds(5)

    /// Posts every event in turn; returns a sentence for each that did not get a 2xx answer.
    public static func post(_ events: [JSONValue], to url: String, slack: Bool) async -> [String] {
        var failures: [String] = []
        for event in events {
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "User-Agent", value: "lineage-monitor")
            let body = slack ? JSONValue.object(JSONObject([("text", event.objectValue?["text"] ?? .string(""))])) : event
            request.body = .bytes(ByteBuffer(bytes: body.canonicalBytes))
            do {
                let response = try await HTTPClient.shared.execute(request, timeout: timeout)
                _ = try? await response.body.collect(upTo: 1 << 16)
                if !(200..<300).contains(response.status.code) {
                    failures.append("the webhook answered \(response.status.code) for the \(event.objectValue?["rule"]?.stringValue ?? "?") event")
                }
            } catch {
                failures.append("the webhook could not be reached for the \(event.objectValue?["rule"]?.stringValue ?? "?") event (\(error))")
            }
        }
        return failures
    }
}
