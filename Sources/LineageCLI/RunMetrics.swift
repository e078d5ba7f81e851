import Foundation
import LineageCore
import LineageEngine
import LineageStore

/// Metrics a running command reports with `lineage metric K=V`: one JSON object per line in the
/// file named by $LINEAGE_METRICS_FILE. Later values of a key replace earlier ones.
enum RunMetrics {
    static func read(reportedIn path: String) throws -> JSONObject {
        var metrics = JSONObject()
        guard let data = FileManager.default.contents(atPath: path) else { return metrics }
        for line in data.split(separator: 0x0A) where !line.isEmpty {
            guard let object = (try? JSONParser.parse(Array(line)))?.objectValue else { continue }
            for member in object { metrics[member.key] = member.value }
        }
        return metrics
    }
}
