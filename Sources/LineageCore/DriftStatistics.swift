import Foundation

/// The statistics monitoring rules compare distributions with (docs/monitoring.md). Pure
/// functions of two samples; tested against scipy and numpy on the same data.
public enum DriftStatistics {
    /// The `q`-quantile of sorted values by linear interpolation between closest ranks (numpy's
    /// default, `method="linear"`).
    public static func quantile(sorted values: [Double], _ q: Double) -> Double {
        precondition(!values.isEmpty)
        let position = q * Double(values.count - 1)
        let low = Int(position.rounded(.down)), high = min(low + 1, values.count - 1)
        return values[low] + (values[high] - values[low]) * (position - Double(low))
    }

    /// The population stability index of `current` against `reference`: `bins` buckets cut at the
    /// reference's quantiles (the outer ones open), each bucket's share floored at `floor` so that an
    /// empty bucket counts as rare, not infinite: Σ (c − r) · ln(c / r). Below 0.1 is usually read as
    /// stable, above 0.25 as a shift.
    public static func psi(reference: [Double], current: [Double], bins: Int = 10, floor: Double = 1e-4) -> Double {
        guard !reference.isEmpty, !current.isEmpty, bins >= 2 else { return 0 }
        let sorted = Self.sorted(reference)
        let edges = (1..<bins).map { quantile(sorted: sorted, Double($0) / Double(bins)) }
        func shares(_ values: [Double]) -> [Double] {
            var counts = [Double](repeating: 0, count: bins)
            edges.withUnsafeBufferPointer { edges in
                for value in values {
                    // The first edge greater than the value names its bucket (numpy's searchsorted,
                    // side="right"): the number of edges at or below it, edges being sorted.
                    var bucket = 0
                    for edge in edges { bucket &+= edge <= value ? 1 : 0 }
                    counts[bucket] += 1
                }
            }
            return counts.map { max($0 / Double(values.count), floor) }
        }
        let r = shares(reference), c = shares(current)
        return zip(r, c).reduce(0) { $0 + ($1.1 - $1.0) * log($1.1 / $1.0) }
    }

    /// The two-sample Kolmogorov–Smirnov statistic: the largest distance between the two samples'
    /// empirical distribution functions (scipy.stats.ks_2samp's `statistic`).
    public static func ksStatistic(_ a: [Double], _ b: [Double]) -> Double {
        guard !a.isEmpty, !b.isEmpty else { return 0 }
        let x = Self.sorted(a), y = Self.sorted(b)
        var i = 0, j = 0, d = 0.0
        while i < x.count, j < y.count {
            let value = min(x[i], y[j])
            while i < x.count, x[i] <= value { i += 1 }
            while j < y.count, y[j] <= value { j += 1 }
            d = max(d, abs(Double(i) / Double(x.count) - Double(j) / Double(y.count)))
        }
        return d
    }

    /// `values` in ascending order: a radix sort of their bit patterns (six passes of 11 bits,
    /// skipping a pass where every value has the same digit) for large samples, where comparison
    /// sorting would be most of a drift rule's time. Values are finite.
    public static func sorted(_ values: [Double]) -> [Double] {
        guard values.count > 4096 else { return values.sorted() }
        // Order-preserving keys: flip every bit of negatives, the sign bit of the rest.
        var keys = values.map { value -> UInt64 in
            let bits = value.bitPattern
            return bits >> 63 == 1 ? ~bits : bits | (1 << 63)
        }
        var scratch = [UInt64](repeating: 0, count: keys.count)
        var counts = [Int](repeating: 0, count: 1 << 11)
        for shift in stride(from: 0, to: 64, by: 11) {
            for i in counts.indices { counts[i] = 0 }
            for key in keys { counts[Int(truncatingIfNeeded: key >> UInt64(shift)) & 0x7FF] += 1 }
            if counts.contains(keys.count) { continue }
            var total = 0
            for i in counts.indices { (counts[i], total) = (total, total + counts[i]) }
            for key in keys {
                let digit = Int(truncatingIfNeeded: key >> UInt64(shift)) & 0x7FF
                scratch[counts[digit]] = key
                counts[digit] += 1
            }
            swap(&keys, &scratch)
        }
        return keys.map { key in Double(bitPattern: key >> 63 == 1 ? key & ~(1 << 63) : ~key) }
    }

    /// The mean and the population standard deviation.
    public static func meanAndDeviation(_ values: [Double]) -> (mean: Double, deviation: Double) {
        guard !values.isEmpty else { return (0, 0) }
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
        return (mean, variance.squareRoot())
    }
}

extension DriftStatistics {
    /// The population stability index of label shares: each label a bucket (shares floored as in `psi`).
    public static func categoricalPSI(reference: [String], current: [String], floor: Double = 1e-4) -> Double {
        guard !reference.isEmpty, !current.isEmpty else { return 0 }
        let labels = Set(reference).union(current)
        func shares(_ values: [String]) -> [String: Double] {
            var counts: [String: Double] = [:]
            for value in values { counts[value, default: 0] += 1 }
            return counts.mapValues { $0 / Double(values.count) }
        }
        let r = shares(reference), c = shares(current)
        return labels.reduce(0) { sum, label in
            let p = max(r[label] ?? 0, floor), q = max(c[label] ?? 0, floor)
            return sum + (q - p) * log(q / p)
        }
    }
}

extension DriftStatistics {
    /// The area under the ROC curve of scores against outcomes (true: positive), by the
    /// Mann–Whitney statistic with ties counted half (scikit-learn's `roc_auc_score`); nil without
    /// both a positive and a negative.
    public static func auc(_ scored: [(score: Double, positive: Bool)]) -> Double? {
        let positives = scored.filter(\.positive).count, negatives = scored.count - positives
        guard positives > 0, negatives > 0 else { return nil }
        // Average ranks (ties share the mean of their ranks), then U of the positives.
        let sorted = scored.sorted { $0.score < $1.score }
        var rankSum = 0.0, i = 0
        while i < sorted.count {
            var j = i
            while j + 1 < sorted.count, sorted[j + 1].score == sorted[i].score { j += 1 }
            let rank = Double(i + j + 2) / 2
            for k in i...j where sorted[k].positive { rankSum += rank }
            i = j + 1
        }
        let u = rankSum - Double(positives) * Double(positives + 1) / 2
        return u / (Double(positives) * Double(negatives))
    }
}
