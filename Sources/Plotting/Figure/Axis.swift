import Foundation

/// How an axis maps data to position.
public enum AxisScale: String, Sendable, CaseIterable {
    /// Position proportional to the value.
    case linear
    /// Position proportional to log10(value); every value shown must be positive.
    case log
}

/// A tick label: `text`, optionally followed by a raised `superscript` (for powers of ten, `10` and `-3`).
struct TickLabel: Equatable {
    var text: String
    var superscript: String? = nil
}

/// One axis's mapping from data to the fraction [0, 1] of its length, and its ticks.
struct Axis {
    var scale: AxisScale
    /// Data limits, low < high (positive for log axes).
    var low: Double
    var high: Double
    /// When true, `high` is at the start (left or top) of the axis, as matrices are drawn.
    var inverted = false

    /// Fraction of the axis length from its start at `low` to its end at `high`.
    func fraction(_ value: Double) -> Double {
        let raw: Double
        switch scale {
        case .linear: raw = (value - low) / (high - low)
        case .log: raw = (Foundation.log10(value) - Foundation.log10(low)) / (Foundation.log10(high) - Foundation.log10(low))
        }
        return inverted ? 1 - raw : raw
    }

    struct Ticks {
        var positions: [Double]
        var labels: [TickLabel]
        /// Unlabelled short ticks (log axes' 2…9 × 10^k).
        var minorPositions: [Double] = []
        /// Shown at the end of the axis when labels are scaled: labels × 10^k.
        var multiplier: TickLabel? = nil
    }

    /// Ticks for an axis that has room for at most `maximumCount` labelled ticks.
    func ticks(maximumCount: Int) -> Ticks {
        switch scale {
        case .linear: return Axis.linearTicks(low: low, high: high, maximumCount: maximumCount)
        case .log: return Axis.logTicks(low: low, high: high, maximumCount: maximumCount)
        }
    }

    // MARK: Nice numbers

    /// Heckbert's "nice number" (Graphics Gems, 1990): a number of the form {1, 2, 5, 10} × 10^k near `value`,
    /// rounded to the nearest (`round`) or the next at least as large.
    static func niceNumber(_ value: Double, round: Bool) -> Double {
        guard value > 0, value.isFinite else { return 1 }
        let exponent = (Foundation.log10(value)).rounded(.down)
        let power = Foundation.pow(10, exponent)
        let fraction = value / power
        let nice: Double
        if round {
            nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
        } else {
            nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        }
        return nice * power
    }

    /// Ticks at multiples of a nice step inside [low, high]: the smallest step of the form {1, 2, 2.5, 5} × 10^k
    /// (matplotlib's MaxNLocator steps, refining Heckbert's {1, 2, 5}) that puts at most `maximumCount` ticks on the
    /// axis (at least two). Labels have the fewest decimals that tell the ticks apart; values of 10^5 or more, or
    /// below 10^-3, are shown scaled with a ×10^k multiplier, as matplotlib does.
    static func linearTicks(low: Double, high: Double, maximumCount: Int) -> Ticks {
        let limit = Swift.max(2, maximumCount)
        let span = high - low
        guard span > 0, span.isFinite else {
            guard low.isFinite else { return Ticks(positions: [], labels: []) }
            return Ticks(positions: [low], labels: [TickLabel(text: formatNumber(low, decimals: 2))])
        }
        let roughPower = (Foundation.log10(span / Double(limit))).rounded(.down)
        var step = niceNumber(span, round: false)
        var positions = multiples(of: step, from: low, to: high)
        search: for power in [roughPower - 1, roughPower, roughPower + 1, roughPower + 2] {
            for mantissa in [1.0, 2, 2.5, 5] {
                let candidate = mantissa * Foundation.pow(10, power)
                let candidatePositions = multiples(of: candidate, from: low, to: high)
                if candidatePositions.count <= limit && candidatePositions.count >= 2 {
                    step = candidate
                    positions = candidatePositions
                    break search
                }
            }
        }
        if positions.count < 2 {
            // A range narrower than any nice step that fits twice: show its ends.
            step = span
            positions = [low, high]
        }
        let largest = positions.map(abs).max() ?? 0
        var exponent = 0
        if largest >= 1e5 || (largest > 0 && largest < 1e-3) {
            exponent = Int((Foundation.log10(largest)).rounded(.down))
        }
        let scale = Foundation.pow(10, Double(exponent))
        // 2.5 × 10^k steps need one more decimal than their power of ten.
        let mantissa = step / Foundation.pow(10, (Foundation.log10(step) + 1e-9).rounded(.down))
        let extra = abs(mantissa - 2.5) < 1e-6 ? 1 : 0
        let decimals = Swift.max(0, -Int((Foundation.log10(step / scale) + 1e-9).rounded(.down)) + extra)
        let labels = positions.map { TickLabel(text: formatNumber($0 / scale, decimals: decimals)) }
        let multiplier = exponent == 0 ? nil : TickLabel(text: "×10", superscript: formatInteger(exponent))
        return Ticks(positions: positions, labels: labels, multiplier: multiplier)
    }

    /// Ticks at powers of ten (every k-th decade when there are many), minor ticks at 2…9 × 10^k; on a range inside
    /// one decade, linear nice ticks instead.
    static func logTicks(low: Double, high: Double, maximumCount: Int) -> Ticks {
        guard low > 0, low < high, high.isFinite else { return Ticks(positions: [], labels: []) }
        let lowExponent = Int((Foundation.log10(low) - 1e-9).rounded(.up))
        let highExponent = Int((Foundation.log10(high) + 1e-9).rounded(.down))
        if highExponent - lowExponent + 1 < 2 {
            var ticks = linearTicks(low: low, high: high, maximumCount: maximumCount)
            ticks.positions = ticks.positions.filter { $0 > 0 }
            ticks.labels = ticks.positions.map { TickLabel(text: formatNumber($0, decimals: decimalsFor($0))) }
            ticks.multiplier = nil
            return ticks
        }
        let decades = highExponent - lowExponent + 1
        let every = Swift.max(1, Int((Double(decades) / Double(Swift.max(2, maximumCount))).rounded(.up)))
        var positions: [Double] = []
        var labels: [TickLabel] = []
        for exponent in stride(from: lowExponent, through: highExponent, by: every) {
            positions.append(Foundation.pow(10, Double(exponent)))
            if (-3...4).contains(exponent) {
                let value = Foundation.pow(10, Double(exponent))
                labels.append(TickLabel(text: formatNumber(value, decimals: Swift.max(0, -exponent))))
            } else {
                labels.append(TickLabel(text: "10", superscript: formatInteger(exponent)))
            }
        }
        var minor: [Double] = []
        if every == 1 && decades <= 8 {
            for exponent in (lowExponent - 1)...highExponent {
                for multiple in 2...9 {
                    let value = Double(multiple) * Foundation.pow(10, Double(exponent))
                    if value >= low && value <= high { minor.append(value) }
                }
            }
        }
        return Ticks(positions: positions, labels: labels, minorPositions: minor)
    }

    private static func decimalsFor(_ value: Double) -> Int {
        // The decimals of a {1, 2, 5} × 10^k value: enough to show its leading digit.
        Swift.max(0, -Int((Foundation.log10(value) + 1e-9).rounded(.down)))
    }

    private static func multiples(of step: Double, from low: Double, to high: Double) -> [Double] {
        let tolerance = step * 1e-9
        let first = ((low - tolerance) / step).rounded(.up)
        let last = ((high + tolerance) / step).rounded(.down)
        guard first <= last, last - first < 1000 else { return [] }
        return stride(from: first, through: last, by: 1).map { $0 * step }
    }

    /// `value` with `decimals` digits after the point, a true minus sign, and no negative zero.
    static func formatNumber(_ value: Double, decimals: Int) -> String {
        var text = String(format: "%.\(Swift.min(decimals, 12))f", value)
        if text.hasPrefix("-") {
            let digits = text.dropFirst()
            text = digits.allSatisfy({ $0 == "0" || $0 == "." }) ? String(digits) : "−" + digits
        }
        return text
    }

    static func formatInteger(_ value: Int) -> String {
        value < 0 ? "−\(-value)" : "\(value)"
    }
}
