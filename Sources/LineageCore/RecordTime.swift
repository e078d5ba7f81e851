/// Record timestamps: UTC, millisecond precision, written `YYYY-MM-DDTHH:MM:SS.sssZ`.
public enum RecordTime {
    /// Formats milliseconds since 1970 as a record timestamp.
    public static func format(milliseconds: Int64) -> String {
        let ms = Int(((milliseconds % 1000) + 1000) % 1000)
        let seconds = (milliseconds - Int64(ms)) / 1000
        let days = Int(seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400)
        let secondOfDay = Int(seconds - Int64(days) * 86400)
        let (y, m, d) = civil(fromDays: days)
        if (0...9999).contains(y) {
            // Written digit by digit into the string's own storage: one allocation.
            return String(unsafeUninitializedCapacity: 24) { buffer in
                var end = 0
                func put(_ value: Int, _ width: Int, _ separator: Unicode.Scalar) {
                    var rest = value
                    for i in stride(from: end + width - 1, through: end, by: -1) {
                        buffer[i] = UInt8(ascii: "0") + UInt8(rest % 10)
                        rest /= 10
                    }
                    buffer[end + width] = UInt8(ascii: separator)
                    end += width + 1
                }
                put(y, 4, "-"); put(m, 2, "-"); put(d, 2, "T")
                put(secondOfDay / 3600, 2, ":"); put(secondOfDay / 60 % 60, 2, ":"); put(secondOfDay % 60, 2, ".")
                put(ms, 3, "Z")
                return end
            }
        }
        return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) + "T" + pad(secondOfDay / 3600, 2) + ":"
            + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2) + "." + pad(ms, 3) + "Z"
    }

    /// Parses a record timestamp; nil unless it is exactly the canonical form of a real instant.
    public static func parse(_ text: String) -> Int64? {
        Array(text.utf8).withUnsafeBufferPointer { parse(utf8: $0) }
    }

    /// Parses the UTF-8 bytes of a record timestamp.
    static func parse(utf8 u: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard u.count == 24, u[10] == UInt8(ascii: "T"), u[19] == UInt8(ascii: "."), u[23] == UInt8(ascii: "Z"),
              let seconds = secondsOfDateTime(u), let ms = digits(u, 20, 3) else { return nil }
        return seconds * 1000 + Int64(ms)
    }

    /// The decimal number in `count` digits from `from`; nil if one is not a digit.
    @inline(__always)
    static func digits(_ u: UnsafeBufferPointer<UInt8>, _ from: Int, _ count: Int) -> Int? {
        var v = 0
        for i in from..<(from + count) {
            let digit = u[i] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            v = v * 10 + Int(digit)
        }
        return v
    }

    /// Seconds since 1970 of `YYYY-MM-DD?HH:MM:SS` at the start of `u` (the separator at 10 is the
    /// caller's to check), nil unless it is a real instant from the year 1 on.
    @inline(__always)
    static func secondsOfDateTime(_ u: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard u.count >= 19, u[4] == UInt8(ascii: "-"), u[7] == UInt8(ascii: "-"), u[13] == UInt8(ascii: ":"), u[16] == UInt8(ascii: ":"),
              let y = digits(u, 0, 4), let mo = digits(u, 5, 2), let d = digits(u, 8, 2), let h = digits(u, 11, 2),
              let mi = digits(u, 14, 2), let s = digits(u, 17, 2),
              y >= 1, (1...12).contains(mo), d >= 1, d <= daysIn(month: mo, year: y), h < 24, mi < 60, s < 60 else { return nil }
        return Int64(days(fromCivil: y, mo, d)) * 86400 + Int64(h * 3600 + mi * 60 + s)
    }

    /// Parses any RFC 3339 date-time (`2026-11-01T09:00:00Z`, `2026-11-01t09:00:00.123456+02:00`):
    /// a fraction of any length (kept to the millisecond, truncated), `Z` or an offset. Returns UTC
    /// milliseconds; nil for anything RFC 3339 does not allow, for the year 0000, and for a leap
    /// second (:60), which a record cannot hold.
    public static func parseRFC3339(_ text: String) -> Int64? {
        Array(text.utf8).withUnsafeBufferPointer { parseRFC3339(utf8: $0) }
    }

    private static func parseRFC3339(utf8 u: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard u.count >= 20, u.count <= 64, u[10] | 0x20 == UInt8(ascii: "t"), let seconds = secondsOfDateTime(u) else { return nil }
        var i = 19, ms = 0
        if u[i] == UInt8(ascii: ".") {
            i += 1
            let start = i
            while i < u.count, u[i] &- UInt8(ascii: "0") < 10 {
                if i - start < 3 { ms = ms * 10 + Int(u[i] - UInt8(ascii: "0")) }
                i += 1
            }
            guard i > start else { return nil }
            for _ in min(i - start, 3)..<3 { ms *= 10 }
        }
        guard i < u.count else { return nil }
        var offset = 0
        if u[i] | 0x20 == UInt8(ascii: "z") {
            i += 1
        } else {
            guard u[i] == UInt8(ascii: "+") || u[i] == UInt8(ascii: "-"), i + 6 == u.count, u[i + 3] == UInt8(ascii: ":"),
                  let oh = digits(u, i + 1, 2), let om = digits(u, i + 4, 2), oh < 24, om < 60 else { return nil }
            offset = (oh * 60 + om) * (u[i] == UInt8(ascii: "-") ? -1 : 1)
            i += 6
        }
        guard i == u.count else { return nil }
        let utc = seconds * 1000 + Int64(ms) - Int64(offset) * 60_000
        return utc >= earliest ? utc : nil
    }

    /// The earliest time a record or query may name: 0001-01-01T00:00:00Z.
    public static let earliest: Int64 = -62_135_596_800_000

    /// The longest duration accepted: 10,000 years, in milliseconds.
    public static let longestDuration: Int64 = 10_000 * 366 * 86_400_000

    /// Parses a duration, `45s`, `30m`, `12h`, `90d` or `2w`, into milliseconds; nil for anything
    /// else, and for more than `longestDuration` (so no arithmetic on it can overflow).
    public static func duration(_ text: String) -> Int64? {
        guard let unit = text.last, let count = Int64(text.dropLast()), count >= 0 else { return nil }
        let seconds: Int64
        switch unit {
        case "s": seconds = 1
        case "m": seconds = 60
        case "h": seconds = 3600
        case "d": seconds = 86400
        case "w": seconds = 7 * 86400
        default: return nil
        }
        let (milliseconds, overflow) = count.multipliedReportingOverflow(by: seconds * 1000)
        return overflow || milliseconds > longestDuration ? nil : milliseconds
    }

    /// Parses what a user types for a point in time: a duration back from `now` (`90d`, `12h`,
    /// `30m`, `2w`), a date (`2026-11-01`, midnight UTC), or a UTC time with or without
    /// milliseconds (`2026-11-01T12:00:00Z`). Returns nil for anything else.
    public static func parseUserTime(_ text: String, now: Int64) -> Int64? {
        let digits = text.utf8.dropLast()
        if let unit = text.last, unit != "Z", unit.isLetter, !digits.isEmpty, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            // Digits and a unit: a duration, or nothing (one too long to subtract is refused).
            guard let milliseconds = duration(text) else { return nil }
            let (time, overflow) = now.subtractingReportingOverflow(milliseconds)
            return overflow || time < earliest ? nil : time
        }
        if text.utf8.count == 10 { return parse(text + "T00:00:00.000Z") }
        if text.utf8.count == 20, text.hasSuffix("Z") { return parse(String(text.dropLast()) + ".000Z") }
        return parse(text)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let s = String(value)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    // Howard Hinnant's civil calendar algorithms.
    static func civil(fromDays z: Int) -> (Int, Int, Int) {
        let z = z + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    static func days(fromCivil year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
