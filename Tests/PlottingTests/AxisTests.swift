import Foundation
@testable import Plotting
import Testing

@Suite struct AxisTests {
    @Test(arguments: [
        (0.7, false, 1.0), (1.0, false, 1.0), (1.3, false, 2.0), (4.9, false, 5.0), (7.0, false, 10.0),
        (0.7, true, 0.5), (1.2, true, 1.0), (2.9, true, 2.0), (6.9, true, 5.0), (8.0, true, 10.0),
        (0.034, true, 0.05), (1234.0, false, 2000.0),
    ])
    func niceNumbers(value: Double, round: Bool, expected: Double) {
        #expect(abs(Axis.niceNumber(value, round: round) - expected) < 1e-12 * expected)
    }

    /// The reference: the smallest step m × 10^k, m ∈ {1, 2, 2.5, 5}, whose multiples inside [low, high] number
    /// between 2 and the maximum, found by trying every k.
    static func referenceStep(low: Double, high: Double, maximum: Int) -> Double? {
        for power in -15...15 {
            for mantissa in [1.0, 2, 2.5, 5] {
                let step = mantissa * pow(10, Double(power))
                let first = ((low - step * 1e-9) / step).rounded(.up)
                let last = ((high + step * 1e-9) / step).rounded(.down)
                let count = last - first + 1
                if count >= 2 && count <= Double(maximum) { return step }
            }
        }
        return nil
    }

    @Test(arguments: [
        (0.0, 1.0, 6), (-0.1, 0.59, 7), (0.0, 0.92, 5), (-3.2, 17.5, 8), (1e-6, 7e-6, 5), (2.5e5, 9.1e5, 4),
        (-1e-3, 1e-3, 3), (99.5, 100.5, 6), (0.0, 0.001, 10), (-42.0, -41.0, 4), (0.0, 1e9, 6),
    ])
    func linearTicksUseTheSmallestNiceStepThatFits(low: Double, high: Double, maximum: Int) throws {
        let ticks = Axis.linearTicks(low: low, high: high, maximumCount: maximum)
        let expected = try #require(AxisTests.referenceStep(low: low, high: high, maximum: maximum))
        #expect(ticks.positions.count >= 2 && ticks.positions.count <= maximum)
        #expect(ticks.positions.allSatisfy { $0 >= low - 1e-12 * abs(high - low) && $0 <= high + 1e-12 * abs(high - low) })
        for (a, b) in zip(ticks.positions, ticks.positions.dropFirst()) {
            #expect(abs((b - a) - expected) < 1e-9 * expected, "step \(b - a), expected \(expected)")
        }
        // Labels tell ticks apart.
        let texts = ticks.labels.map { $0.text + ($0.superscript ?? "") }
        #expect(Set(texts).count == texts.count, "\(texts)")
    }

    @Test func linearTickLabels() {
        let ticks = Axis.linearTicks(low: -1, high: 1, maximumCount: 5)
        #expect(ticks.labels.map(\.text) == ["−1.0", "−0.5", "0.0", "0.5", "1.0"])
        #expect(ticks.multiplier == nil)
        let quarters = Axis.linearTicks(low: 0, high: 0.92, maximumCount: 4)
        #expect(quarters.labels.map(\.text) == ["0.00", "0.25", "0.50", "0.75"])
        let large = Axis.linearTicks(low: 0, high: 4e5, maximumCount: 5)
        #expect(large.labels.map(\.text) == ["0", "1", "2", "3", "4"])
        #expect(large.multiplier == TickLabel(text: "×10", superscript: "5"))
        let small = Axis.linearTicks(low: 0, high: 3e-4, maximumCount: 4)
        #expect(small.multiplier == TickLabel(text: "×10", superscript: "−4"))
        #expect(small.labels.map(\.text) == ["0", "1", "2", "3"])
    }

    @Test func numberFormatting() {
        #expect(Axis.formatNumber(-0.0001, decimals: 2) == "0.00")
        #expect(Axis.formatNumber(-1.5, decimals: 1) == "−1.5")
        #expect(Axis.formatNumber(2, decimals: 0) == "2")
        #expect(Axis.formatInteger(-3) == "−3")
    }

    @Test func logTicksAtDecades() {
        let ticks = Axis.logTicks(low: 0.05, high: 2000, maximumCount: 8)
        #expect(ticks.positions == [0.1, 1, 10, 100, 1000])
        #expect(ticks.labels.map(\.text) == ["0.1", "1", "10", "100", "1000"])
        #expect(ticks.minorPositions.contains(0.05) && ticks.minorPositions.contains(2000))
        #expect(ticks.minorPositions.count == 5 + 32 + 1)  // 5…9 × 0.01, 2…9 × 0.1 … 100, 2 × 1000
        let wide = Axis.logTicks(low: 1e-8, high: 1e8, maximumCount: 5)
        #expect(wide.positions.count <= 5 && wide.positions.count >= 2)
        #expect(wide.labels.first == TickLabel(text: "10", superscript: "−8"))
        #expect(wide.minorPositions.isEmpty)
        let narrow = Axis.logTicks(low: 2, high: 8, maximumCount: 4)
        #expect(narrow.positions == [2, 4, 6, 8])
    }

    @Test func fractions() {
        let linear = Axis(scale: .linear, low: -2, high: 2)
        #expect(linear.fraction(0) == 0.5)
        let log = Axis(scale: .log, low: 1, high: 1000)
        #expect(abs(log.fraction(10) - 1.0 / 3) < 1e-12)
        let inverted = Axis(scale: .linear, low: 0, high: 4, inverted: true)
        #expect(inverted.fraction(1) == 0.75)
    }
}
