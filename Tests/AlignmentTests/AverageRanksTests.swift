import Foundation
import Testing
@testable import Alignment
import Tensors

/// The radix ranking (AverageRanks.swift) against a naive model: a comparison sort of the indices, then average
/// ranks over runs of equal values. NaNs sort by bit pattern as the model below spells out: a negative NaN below
/// −inf, a positive one above +inf, equal patterns tied.
@Suite struct AverageRanksTests {
    /// How a value compares in the model: category (negative NaN, number, positive NaN), then the value.
    static func modelLess(_ a: Double, _ b: Double) -> Bool {
        func category(_ v: Double) -> Int { v.isNaN ? (v.sign == .minus ? 0 : 2) : 1 }
        if category(a) != category(b) { return category(a) < category(b) }
        return category(a) == 1 && a < b
    }

    static func modelEqual(_ a: Double, _ b: Double) -> Bool { !modelLess(a, b) && !modelLess(b, a) }

    static func modelOrder(_ values: [Double]) -> [Int] {
        values.indices.sorted { modelLess(values[$0], values[$1]) || (modelEqual(values[$0], values[$1]) && $0 < $1) }
    }

    static func modelRanks(_ values: [Double]) -> (ranks: [Double], ties: [Int]) {
        let order = modelOrder(values)
        var ranks = [Double](repeating: 0, count: values.count), ties = [Int]()
        var first = 0
        while first < values.count {
            var last = first
            while last + 1 < values.count && modelEqual(values[order[last + 1]], values[order[first]]) { last += 1 }
            for position in first...last { ranks[order[position]] = Double(first + last) / 2 + 1 }
            ties.append(last - first + 1)
            first = last + 1
        }
        return (ranks, ties)
    }

    /// Value families that reach every route: short vectors (comparison sort), one value throughout, keys whose
    /// spread fits the prefix, keys cut short (many exponents, near-equal values that share a prefix), heavy ties.
    enum Family: String, CaseIterable {
        case distances, roundedNormals, wideRange, nearlyEqual, constant, fewValues, withNaNAndInfinities
    }

    static func values(_ family: Family, count: Int, seed: UInt64) -> [Double] {
        var random = SimilarityRandom(seed &+ UInt64(count))
        switch family {
        case .distances:  // 1 − r from float32 correlations, as a correlation RDM holds
            return (0..<count).map { _ in 1 - Double(Float(random.normal() / 64)) }
        case .roundedNormals:
            var values = (0..<count).map { _ in (random.normal() * 20).rounded() / 4 }
            if count >= 2 { values[0] = -0.0; values[1] = 0.0 }
            return values
        case .wideRange:  // exponents from 1e-300 to 1e300, both signs, an exact zero
            var values = (0..<count).map { _ in
                (random.next() < 0.5 ? -1.0 : 1.0) * pow(10, (random.next() * 600 - 300).rounded())
                    * (1 + random.next())
            }
            if count >= 1 { values[0] = 0 }
            return values
        case .nearlyEqual:  // one outlier widens the key range, so thousands of values share truncated prefixes
            var values = (0..<count).map { _ in 1 + Double(Int(random.next() * 1000)) * 0x1p-52 }
            if count >= 1 { values[0] = 1e300 }
            if count >= 2 { values[1] = -1e-300 }
            return values
        case .constant:
            return [Double](repeating: 0.25, count: count)
        case .fewValues:
            return (0..<count).map { _ in Double(Int(random.next() * 3)) }
        case .withNaNAndInfinities:
            return (0..<count).map { _ in
                switch random.next() {
                case ..<0.05: return .nan
                case ..<0.08: return -Double.nan
                case ..<0.1: return .infinity
                case ..<0.12: return -.infinity
                default: return random.normal()
                }
            }
        }
    }

    static let sizes = [0, 1, 2, 3, 17, 2047, 2048, 2049, 5000, 70_001]

    @Test(arguments: Family.allCases, sizes)
    func ranksOrderAndCentredRanksMatchTheModel(family: Family, count: Int) {
        let values = Self.values(family, count: count, seed: 7)
        let expected = Self.modelRanks(values)
        let actual = averageRanks(values)
        #expect(actual.ranks == expected.ranks, "\(family) n=\(count)")
        #expect(actual.ties == expected.ties, "\(family) n=\(count)")
        #expect(stableOrder(values) == Self.modelOrder(values), "\(family) n=\(count)")
        let middle = Double(count + 1) / 2
        let centred = values.withUnsafeBufferPointer(centredAverageRanks)
        #expect(centred == expected.ranks.map { $0 - middle }, "\(family) n=\(count)")
    }

    /// Spearman comparisons of RDMs long enough for the radix route, against Pearson of the model's ranks: without
    /// NaN, with NaN at places that differ between RDMs, and with ties (with and without a shared NaN pattern).
    @Test(arguments: [(70, false, false), (90, true, false), (80, false, true), (75, true, true)])
    func spearmanComparisonMatchesModel(n: Int, withNaN: Bool, tied: Bool) throws {
        var random = SimilarityRandom(UInt64(n))
        func rdmStack(_ k: Int, nanAt: [(Int, Int)]) -> (Tensor, [[Double]]) {
            var matrices = [[Double]]()
            for _ in 0..<k {
                var matrix = [Double](repeating: 0, count: n * n)
                for i in 0..<n { for j in (i + 1)..<n {
                    let value = tied ? (random.normal() * 3).rounded() : 1 - Double(Float(random.normal() / 30))
                    matrix[i * n + j] = value; matrix[j * n + i] = value
                } }
                for (i, j) in nanAt { matrix[i * n + j] = .nan; matrix[j * n + i] = .nan }
                matrices.append(matrix)
            }
            return (try! Tensor(shape: [k, n, n], scalars: matrices.flatMap { $0 }), matrices)
        }
        let (a, matricesA) = rdmStack(2, nanAt: withNaN ? [(0, 5), (3, 9)] : [])
        // Tied cases share one NaN pattern (one transform per RDM); the others differ pairwise.
        let (b, matricesB) = rdmStack(3, nanAt: withNaN ? (tied ? [(0, 5), (3, 9)] : [(0, 5), (1, 2)]) : [])
        let result = try RSA.compare(a, b, method: .spearman).scalars(as: Double.self)
        for i in 0..<2 {
            for j in 0..<3 {
                var x = [Double](), y = [Double]()
                for row in 0..<n { for column in (row + 1)..<n {
                    let u = matricesA[i][row * n + column], v = matricesB[j][row * n + column]
                    if !u.isNaN && !v.isNaN { x.append(u); y.append(v) }
                } }
                let expected = pearson(Self.modelRanks(x).ranks, Self.modelRanks(y).ranks)
                #expect(abs(result[i * 3 + j] - expected) <= 1e-12, "n=\(n) nan=\(withNaN) tied=\(tied) (\(i), \(j))")
            }
        }
    }
}
