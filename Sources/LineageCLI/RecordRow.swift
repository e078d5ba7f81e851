import Foundation
import LineageCore
import LineageEngine
import LineageStore

extension RecordLabel {
    /// One line of a listing: short id, time, kind, reference.
    static func row(_ entry: IndexedRecord) -> String {
        let time = RecordTime.format(milliseconds: entry.timeMilliseconds)
        let kind = entry.kind.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)
        return "\(Terminal.styled(shortID(entry.id), "33"))  \(time)  \(kind)  \(reference(entry))"
    }
}
