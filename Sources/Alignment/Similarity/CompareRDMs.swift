import Foundation
import Tensors

/// How two RDMs are compared, on their strict upper triangles. Names and formulas are rsatoolbox's (`compare`).
public enum RDMComparison: String, Sendable, CaseIterable {
    /// Spearman's ρ: Pearson correlation of average ranks (`'spearman'`).
    case spearman
    /// Pearson correlation (`'corr'`).
    case pearson = "corr"
    /// Kendall's τ_a = (concordant − discordant) / (L(L−1)/2), ties counting as neither (`'tau-a'`).
    case kendallTauA = "tau-a"
    /// ρ_a = 12 Σ (r₁ − r̄)(r₂ − r̄) / (L³ − L) over average ranks: Spearman's ρ under random tie breaking (`'rho-a'`).
    case rhoA = "rho-a"
    /// Cosine similarity (`'cosine'`).
    case cosine
    /// Pearson correlation whitened by the covariance of distance estimates under i.i.d. pattern noise
    /// (Diedrichsen et al. 2021; `'corr_cov'`): mean-centre, then `cosine_cov`.
    case correlationWhitened = "corr_cov"
    /// Whitened cosine (`'cosine_cov'`): the cosine of the double-centred second-moment matrices `−½ H D H`
    /// (off-diagonal entries counted twice), equivalently the linear CKA of the two RDMs.
    case cosineWhitened = "cosine_cov"

    /// The method of a name as written in scripts (rsatoolbox spellings, plus "pearson" and "kendall_tau_a").
    /// - Throws: `AlignmentError` naming the unknown method and the accepted ones.
    public static func named(_ name: String) throws -> RDMComparison {
        if let method = RDMComparison(rawValue: name) { return method }
        switch name {
        case "pearson", "correlation": return .pearson
        case "kendall_tau_a", "tau_a": return .kendallTauA
        case "rho_a": return .rhoA
        default:
            let names = RDMComparison.allCases.map(\.rawValue).joined(separator: ", ")
            throw AlignmentError("compare_rdms", "unknown method '\(name)' (expected one of \(names))")
        }
    }
}

extension RSA {
    /// Compares every RDM of `a` with every RDM of `b` on the strict upper triangle (diagonal excluded).
    ///
    /// Entries that are NaN in either RDM of a pair are excluded for that pair; when every RDM has NaN at the same
    /// places this is exactly rsatoolbox (which refuses differing NaN positions). A comparison that is undefined
    /// (a constant vector for the correlations, a zero vector for cosine) gives NaN and a message in `warnings`,
    /// where rsatoolbox returns 0.
    /// - Parameters: `a` [n, n] or [k, n, n]; `b` [n, n] or [m, n, n]; `method`.
    /// - Returns: float64 of shape `[k]?` + `[m]?` (the axes of stacked inputs): 0-d for two single RDMs.
    /// - Throws: `AlignmentError` for non-square inputs or different n (both shapes named), an infinite entry (RDM
    ///   and pair named), or a pair with fewer than 2 shared finite entries.
    public static func compare(_ a: Tensor, _ b: Tensor, method: RDMComparison = .spearman,
                               warnings: AlignmentWarnings? = nil) throws -> Tensor {
        let operation = "compare_rdms"
        let (vectors1, n) = try upperTriangleVectors(a, "a", operation)
        let (vectors2, nb) = try upperTriangleVectors(b, "b", operation)
        guard n == nb else {
            throw AlignmentError(operation, "a \(formatShape(a.shape)) and b \(formatShape(b.shape)) describe different numbers of conditions")
        }
        let complete1 = try requireNoInfinity(vectors1, "a", n: n, operation)
        let complete2 = try requireNoInfinity(vectors2, "b", n: n, operation)
        let values = try compareVectors(vectors1, vectors2, n: n, method: method, operation: operation, warnings: warnings,
                                        complete: complete1 && complete2)
        var shape = [Int]()
        if a.rank == 3 { shape.append(vectors1.count) }
        if b.rank == 3 { shape.append(vectors2.count) }
        return Inputs.tensor(values, shape: shape)
    }

    /// All comparisons of upper-triangle vectors, row-major [k, m].
    /// `complete`: whether every vector is known to be entirely finite (from `requireNoInfinity`); nil checks here.
    static func compareVectors(_ vectors1: [[Double]], _ vectors2: [[Double]], n: Int, method: RDMComparison,
                               operation: String, warnings: AlignmentWarnings?, complete: Bool? = nil) throws -> [Double] {
        let length = n * (n - 1) / 2
        var result = [Double](repeating: .nan, count: vectors1.count * vectors2.count)
        var undefined = 0
        // The common case — no NaN anywhere — needs no masks (and no copies of the vectors).
        let complete = complete ?? (vectors1 + vectors2).allSatisfy(allFinite)
        func mask(_ v: [Double]) -> [Bool] { complete ? [] : v.map { !$0.isNaN } }
        let masks1 = vectors1.map(mask), masks2 = vectors2.map(mask)
        let reference = masks1.first ?? masks2.first ?? []
        let shared = complete || (masks1.allSatisfy { $0 == reference } && masks2.allSatisfy { $0 == reference })
        if shared, method != .kendallTauA {
            // One NaN pattern for all: transform each vector once, then one product per pair.
            let valid = complete ? [Bool](repeating: true, count: length)
                : (masks1.first ?? masks2.first ?? [Bool](repeating: true, count: length))
            let count = complete ? length : valid.filter { $0 }.count
            guard count >= 2 else { throw AlignmentError(operation, "the RDMs share fewer than 2 finite entries") }
            let transformed = try transformAll(vectors1 + vectors2, valid: valid, complete: complete, n: n,
                                               method: method)
            let t1 = Array(transformed[..<vectors1.count]), t2 = Array(transformed[vectors1.count...])
            for i in t1.indices {
                try Cancellation.check(operation)
                for j in t2.indices {
                    result[i * t2.count + j] = combine(t1[i], t2[j], count: count, method: method)
                    if result[i * t2.count + j].isNaN { undefined += 1 }
                }
            }
        } else {
            for i in vectors1.indices {
                try Cancellation.check(operation)
                for j in vectors2.indices {
                    let valid = complete ? [Bool](repeating: true, count: length)
                        : zip(masks1[i], masks2[j]).map { $0 && $1 }
                    let count = complete ? length : valid.filter { $0 }.count
                    guard count >= 2 else {
                        throw AlignmentError(operation, "RDM \(i) of a and RDM \(j) of b share fewer than 2 finite entries")
                    }
                    let x = complete ? vectors1[i] : select(vectors1[i], valid)
                    let y = complete ? vectors2[j] : select(vectors2[j], valid)
                    let value: Double
                    if method == .kendallTauA {
                        value = kendallTauA(x, y)
                    } else {
                        value = combine(try transform(x, valid: valid, n: n, method: method),
                                        try transform(y, valid: valid, n: n, method: method), count: count, method: method)
                    }
                    if value.isNaN { undefined += 1 }
                    result[i * vectors2.count + j] = value
                }
            }
        }
        if undefined > 0 {
            warnings?.add("\(operation): \(undefined) comparison(s) involve a constant or zero RDM and are NaN")
        }
        return result
    }

    /// `transform` of every vector (restricted to `valid` unless `complete`), the vectors spread over threads.
    static func transformAll(_ vectors: [[Double]], valid: [Bool], complete: Bool, n: Int,
                             method: RDMComparison) throws -> [[Double]] {
        let results = ResultSlots<Result<[Double], any Error>>(count: vectors.count)
        let work = vectors.first.map { $0.count } ?? 0
        RidgeParallel.forRanges(vectors.count, workPerItem: work) { range in
            for index in range {
                results.set(index, Result(catching: {
                    try transform(complete ? vectors[index] : select(vectors[index], valid), valid: valid, n: n,
                                  method: method)
                }))
            }
        }
        return try results.values.map { try $0!.get() }
    }

    /// NaN marks a missing dissimilarity; ±inf is a mistake upstream and is refused, naming the RDM and the pair.
    /// Returns whether every value is finite (no NaN either).
    @discardableResult
    static func requireNoInfinity(_ vectors: [[Double]], _ name: String, n: Int, _ operation: String) throws -> Bool {
        var complete = true
        for (index, vector) in vectors.enumerated() where !allFinite(vector) {
            complete = false
            guard let position = vector.firstIndex(where: { $0.isInfinite }) else { continue }
            var k = 0
            for i in 0..<n {
                for j in (i + 1)..<Swift.max(n, i + 1) {
                    if k == position { throw AlignmentError(operation, "\(name) has an infinite value in RDM \(index) at (\(i), \(j))") }
                    k += 1
                }
            }
        }
        return complete
    }

    /// Whether every value is finite: `v − v` is 0 for finite values and NaN for NaN and ±inf, summed with four
    /// independent partial sums (one cheap pass; the common case of RDMs without missing entries).
    static func allFinite(_ vector: [Double]) -> Bool {
        vector.withUnsafeBufferPointer { values in
            var partial = SIMD4<Double>()
            var index = 0
            while index + 4 <= values.count {
                for lane in 0..<4 { partial[lane] += values[index + lane] - values[index + lane] }
                index += 4
            }
            var total = partial.sum()
            while index < values.count { total += values[index] - values[index]; index += 1 }
            return total == 0
        }
    }

    static func select(_ v: [Double], _ valid: [Bool]) -> [Double] { zip(v, valid).compactMap { $1 ? $0 : nil } }

    /// The per-vector transform after which each method is a normalised (or, for ρ_a, scaled) inner product.
    static func transform(_ v: [Double], valid: [Bool], n: Int, method: RDMComparison) throws -> [Double] {
        func centred(_ x: [Double]) -> [Double] { let m = mean(x); return x.map { $0 - m } }
        switch method {
        case .cosine: return v
        case .pearson: return centred(v)
        case .spearman, .rhoA: return v.withUnsafeBufferPointer(centredAverageRanks)
        case .cosineWhitened: return try covarianceWeighting(v, valid: valid, n: n)
        case .correlationWhitened: return try covarianceWeighting(centred(v), valid: valid, n: n)
        case .kendallTauA: return v
        }
    }

    static func combine(_ x: [Double], _ y: [Double], count: Int, method: RDMComparison) -> Double {
        // Four partial sums of each (independent chains, so the pass is bound by memory, not by add latency).
        var dots = SIMD4<Double>(), xxs = SIMD4<Double>(), yys = SIMD4<Double>()
        var tail = 0
        x.withUnsafeBufferPointer { x in
            y.withUnsafeBufferPointer { y in
                var index = 0
                while index + 4 <= x.count {
                    let a = SIMD4(x[index], x[index + 1], x[index + 2], x[index + 3])
                    let b = SIMD4(y[index], y[index + 1], y[index + 2], y[index + 3])
                    dots += a * b; xxs += a * a; yys += b * b
                    index += 4
                }
                tail = index
            }
        }
        var dot = dots.sum(), xx = xxs.sum(), yy = yys.sum()
        for index in tail..<x.count { dot += x[index] * y[index]; xx += x[index] * x[index]; yy += y[index] * y[index] }
        if method == .rhoA {
            let length = Double(count)
            return xx > 0 && yy > 0 ? dot * 12 / (length * length * length - length) : .nan
        }
        guard xx > 0, yy > 0 else { return .nan }
        return Swift.max(-1, Swift.min(1, dot / (xx * yy).squareRoot()))
    }

    /// rsatoolbox's `_cov_weighting`: the distance vector as the double-centred second moment `G = −½ H D H`
    /// (off-diagonal entries then diagonal, off-diagonals × √2). With missing entries the centring is the
    /// weighted least-squares projection rsatoolbox uses.
    static func covarianceWeighting(_ v: [Double], valid: [Bool], n: Int) throws -> [Double] {
        var pairs = [(Int, Int)]()
        var k = 0
        for i in 0..<n { for j in (i + 1)..<Swift.max(n, i + 1) { if valid[k] { pairs.append((i, j)) }; k += 1 } }
        let m = pairs.count
        var w = v.map { -0.5 * $0 } + [Double](repeating: 0, count: n)
        if m == n * (n - 1) / 2 {
            var rowSums = [Double](repeating: 0, count: n)
            for (index, (i, j)) in pairs.enumerated() { rowSums[i] += w[index]; rowSums[j] += w[index] }
            let rowMeans = rowSums.map { $0 / Double(n) }
            let grand = rowSums.reduce(0, +) / Double(n * n)
            for (index, (i, j)) in pairs.enumerated() { w[index] += grand - rowMeans[i] - rowMeans[j] }
            for i in 0..<n { w[m + i] += grand - 2 * rowMeans[i] }
        } else {
            // Minimise the weighted residual: w − S (SᵀWS)⁻¹ SᵀW w with S the row/column indicators.
            var normal = Matrix(rows: n, columns: n)
            var u = [Double](repeating: 0, count: n)
            for (index, (i, j)) in pairs.enumerated() {
                normal[i, i] += 0.5; normal[j, j] += 0.5; normal[i, j] += 0.5; normal[j, i] += 0.5
                u[i] += w[index]; u[j] += w[index]
            }
            for i in 0..<n { normal[i, i] += 1 }
            let inverse = Matrix(rows: n, columns: n, values: Inputs.values(try Linalg.inv(normal.tensor)))
            var c = [Double](repeating: 0, count: n)
            for i in 0..<n { for j in 0..<n { c[i] += u[j] * inverse[j, i] } }
            for (index, (i, j)) in pairs.enumerated() { w[index] -= 0.5 * (c[i] + c[j]) }
            for i in 0..<n { w[m + i] -= c[i] }
        }
        let root2 = 2.0.squareRoot()
        for index in 0..<m { w[index] *= root2 }
        return w
    }

    /// Kendall's τ_a in O(L log L): sort by (x, y), count discordant pairs as inversions of y (merge sort), and
    /// remove ties: `τ_a = (T − t_x − t_y + t_xy − 2·discordant) / T`, `T = L(L−1)/2`.
    static func kendallTauA(_ x: [Double], _ y: [Double]) -> Double {
        let length = x.count
        let order = x.indices.sorted { x[$0] < x[$1] || (x[$0] == x[$1] && y[$0] < y[$1]) }
        var sortedY = order.map { y[$0] }
        let discordant = countInversions(&sortedY)
        func tiePairs(_ values: [Double]) -> Int {
            var counts = [Double: Int]()
            for value in values { counts[value, default: 0] += 1 }
            return counts.values.reduce(0) { $0 + $1 * ($1 - 1) / 2 }
        }
        var joint = [String: Int]()
        // + 0 folds −0 into +0, which compare equal but have different bit patterns.
        for index in x.indices { joint["\((x[index] + 0).bitPattern),\((y[index] + 0).bitPattern)", default: 0] += 1 }
        let jointTies = joint.values.reduce(0) { $0 + $1 * ($1 - 1) / 2 }
        let total = length * (length - 1) / 2
        let numerator = total - tiePairs(x) - tiePairs(y) + jointTies - 2 * discordant
        return Swift.max(-1, Swift.min(1, Double(numerator) / Double(total)))
    }

    /// Number of pairs i < j with values[i] > values[j] (strict), sorting `values` in place.
    static func countInversions(_ values: inout [Double]) -> Int {
        var buffer = values
        var inversions = 0
        var width = 1
        let n = values.count
        while width < n {
            var start = 0
            while start < n {
                let middle = Swift.min(start + width, n), end = Swift.min(start + 2 * width, n)
                var left = start, right = middle, out = start
                while left < middle && right < end {
                    if values[right] < values[left] { buffer[out] = values[right]; right += 1; inversions += middle - left }
                    else { buffer[out] = values[left]; left += 1 }
                    out += 1
                }
                while left < middle { buffer[out] = values[left]; left += 1; out += 1 }
                while right < end { buffer[out] = values[right]; right += 1; out += 1 }
                start += 2 * width
            }
            swap(&values, &buffer)
            width *= 2
        }
        return inversions
    }
}

/// One slot per parallel task, each written by exactly one task (so no two threads touch the same slot).
final class ResultSlots<Value>: @unchecked Sendable {
    private(set) var values: [Value?]
    private let lock = NSLock()

    init(count: Int) { values = [Value?](repeating: nil, count: count) }

    func set(_ index: Int, _ value: Value) {
        lock.lock()
        values[index] = value
        lock.unlock()
    }
}
