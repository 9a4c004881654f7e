import Foundation
import Testing
@testable import Alignment
import Tensors

@Suite struct SimilarityRDMTests {
    nonisolated(unsafe) static let fixture = similarityFixture("rdm")

    static func metric(_ name: String) throws -> RDMMetric {
        try RDMMetric.named(name, precision: fixtureTensor(fixture["precision"]))
    }

    @Test(arguments: ["euclidean", "correlation", "mahalanobis", "sqeuclidean", "euclidean_distance", "cosine"])
    func matchesRsatoolboxAndScipy(metric name: String) throws {
        let cases = Self.fixture["cases"] as! [[String: Any]]
        let entry = cases.first { $0["metric"] as! String == name }!
        let x = fixtureTensor(Self.fixture["x"])
        let result = try RSA.rdm(x, metric: Self.metric(name))
        expectClose(result, fixtureTensor(entry["expected"]), tolerance: 1e-9, "\(name)")
        // float32 input and a transposed view give the same matrix.
        expectClose(try RSA.rdm(x.astype(.float32), metric: Self.metric(name)), fixtureTensor(entry["expected"]),
                    tolerance: 1e-5, "\(name) float32")
        let transposedView = x.transposed().contiguous().transposed()
        expectClose(try RSA.rdm(transposedView, metric: Self.metric(name)), result, tolerance: 1e-12)
    }

    /// The GEMM route against a plain double loop, on several shapes.
    @Test(arguments: [(2, 1), (5, 3), (17, 40), (1, 4)])
    func matchesNaiveLoops(rows: Int, columns: Int) throws {
        var random = SimilarityRandom(UInt64(rows * 100 + columns))
        let x = random.matrix(rows, columns)
        let values = x.scalars(as: Double.self)
        func row(_ i: Int) -> [Double] { Array(values[(i * columns)..<((i + 1) * columns)]) }
        for (metric, reference) in [
            (RDMMetric.euclidean, { (a: [Double], b: [Double]) in zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(columns) }),
            (.squaredEuclidean, { (a: [Double], b: [Double]) in zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }),
            (.cosine, { (a: [Double], b: [Double]) in
                1 - zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } / (a.reduce(0) { $0 + $1 * $1 } * b.reduce(0) { $0 + $1 * $1 }).squareRoot() }),
        ] {
            let result = try RSA.rdm(x, metric: metric).scalars(as: Double.self)
            for i in 0..<rows {
                for j in 0..<rows {
                    let expected = i == j ? 0 : reference(row(i), row(j))
                    #expect(abs(result[i * rows + j] - expected) < 1e-10)
                }
            }
        }
        if columns >= 2 {
            let result = try RSA.rdm(x, metric: .correlation).scalars(as: Double.self)
            for i in 0..<rows { for j in 0..<rows where i != j {
                #expect(abs(result[i * rows + j] - (1 - pearson(row(i), row(j)))) < 1e-10)
            } }
        }
    }

    /// float32 correlation/cosine go through a float32 GEMM of the upper block triangle (n ≥ 512): same matrix.
    @Test(arguments: [(600, 20), (513, 3), (40, 7)])
    func singlePrecisionRouteMatchesFloat64(rows: Int, columns: Int) throws {
        var random = SimilarityRandom(UInt64(rows + columns))
        let x = random.matrix(rows, columns)
        for metric in [RDMMetric.correlation, .cosine] {
            let single = try RSA.rdm(x.astype(.float32), metric: metric)
            let double = try RSA.rdm(x, metric: metric)
            expectClose(single, double, tolerance: 1e-5)
            let values = single.scalars(as: Double.self)
            #expect((0..<rows).allSatisfy { i in values[i * rows + i] == 0 })
            #expect((0..<rows).allSatisfy { i in (0..<rows).allSatisfy { values[i * rows + $0] == values[$0 * rows + i] } })
        }
    }

    @Test func crossnobisMatchesRsatoolbox() throws {
        let entry = Self.fixture["crossnobis"] as! [String: Any]
        let x = fixtureTensor(entry["x"])
        let result = try RSA.crossnobis(x, conditions: fixtureTensor(entry["conditions"]),
                                        partitions: fixtureTensor(entry["runs"]), precision: fixtureTensor(entry["precision"]))
        expectClose(result, fixtureTensor(entry["expected"]), tolerance: 1e-9)
        let identity = try RSA.crossnobis(x, conditions: fixtureTensor(entry["conditions"]),
                                          partitions: fixtureTensor(entry["runs"]))
        expectClose(identity, fixtureTensor(entry["expected_identity"]), tolerance: 1e-9)
    }

    @Test func crossnobisDefaultPartitionsAreOccurrenceOrder() throws {
        // Conditions 0,1,0,1,0,1: occurrences k form fold k, which is the explicit partition [0,0,1,1,2,2].
        var random = SimilarityRandom(5)
        let x = random.matrix(6, 4)
        let conditions = Tensor([0.0, 1, 0, 1, 0, 1])
        let implicit = try RSA.crossnobis(x, conditions: conditions)
        let explicit = try RSA.crossnobis(x, conditions: conditions, partitions: Tensor([0.0, 0, 1, 1, 2, 2]))
        expectClose(implicit, explicit, tolerance: 1e-12)
    }

    @Test func rdmOverTimeIsTheRdmOfEachSlice() throws {
        var random = SimilarityRandom(9)
        let values = (0..<(4 * 3 * 5)).map { _ in random.normal() }
        let x = try Tensor(shape: [4, 3, 5], scalars: values)
        let result = try RSA.rdmOverTime(x, metric: .euclidean)
        #expect(result.shape == [5, 4, 4])
        for time in 0..<5 {
            let slice = try Tensor(shape: [4, 3], scalars: (0..<12).map { values[($0 / 3 * 3 + $0 % 3) * 5 + time] })
            let expected = try RSA.rdm(slice, metric: .euclidean).scalars(as: Double.self)
            let actual = Array(result.scalars(as: Double.self)[(time * 16)..<((time + 1) * 16)])
            for (a, b) in zip(actual, expected) { #expect(abs(a - b) < 1e-12) }
        }
    }

    @Test(arguments: [DType.float64, .float32])
    func constantPatternsGiveNaNAndAWarning(dtype: DType) throws {
        let x = try Tensor([[1.0, 2, 3], [2, 2, 2], [3, 1, 0]]).astype(dtype)
        let warnings = AlignmentWarnings()
        let result = try RSA.rdm(x, metric: .correlation, warnings: warnings).scalars(as: Double.self)
        #expect(result[1].isNaN && result[3].isNaN && result[5].isNaN && result[7].isNaN)
        #expect(result[4] == 0)
        #expect(!result[2].isNaN)
        #expect(warnings.messages == ["rdm: 1 constant pattern(s) have undefined correlation distance; their rows and columns are NaN"])
    }

    @Test func nanColumnsAreRefusedOrOmitted() throws {
        let x = try Tensor([[1.0, .nan, 3, 4], [2, 5, 2, 1], [3, 1, 0, 2]])
        expectAlignmentError("rdm: X has NaN in column 1 (use nan: .omit to drop such columns)") {
            _ = try RSA.rdm(x)
        }
        let infinite = try Tensor([[1.0, 2], [Double.infinity, 1]])
        expectAlignmentError("rdm: X has an infinite value in column 0 (use nan: .omit to drop such columns)") {
            _ = try RSA.rdm(infinite)
        }
        let omitted = try RSA.rdm(x, metric: .euclidean, nan: .omit)
        let reference = try RSA.rdm(try Tensor([[1.0, 3, 4], [2, 2, 1], [3, 0, 2]]), metric: .euclidean)
        expectClose(omitted, reference, tolerance: 1e-12)
        expectAlignmentError("rdm: X [2, 1] has no channels left after omitting non-finite columns") {
            _ = try RSA.rdm(try Tensor([[Double.nan], [1]]), nan: .omit)
        }
    }

    @Test func errorMessages() throws {
        expectAlignmentError("rdm: X must be 2-D [rows, columns], got shape [3]") { _ = try RSA.rdm(Tensor([1.0, 2, 3])) }
        expectAlignmentError("rdm: precision [2, 2] must be [3, 3] for X with 3 channels") {
            _ = try RSA.rdm(try Tensor([[1.0, 2, 3], [4, 5, 7]]), metric: .mahalanobis(precision: try Tensor([[1.0, 0], [0, 1]])))
        }
        expectAlignmentError("rdm: unknown metric 'manhattan' (expected euclidean, sqeuclidean, euclidean_distance, correlation, cosine, mahalanobis)") {
            _ = try RDMMetric.named("manhattan")
        }
        expectAlignmentError("rdm: metric 'mahalanobis' needs a noise precision matrix") { _ = try RDMMetric.named("mahalanobis") }
        expectAlignmentError("rdm_over_time: X must be 3-D [conditions, sensors, times], got shape [2, 2]") {
            _ = try RSA.rdmOverTime(try Tensor([[1.0, 2], [3, 4]]))
        }
        let x = try Tensor([[1.0, 2], [3, 4], [5, 6], [7, 9]])
        expectAlignmentError("rdm_crossnobis: conditions [3] must have one label per row of X [4, 2]") {
            _ = try RSA.crossnobis(x, conditions: Tensor([0.0, 1, 0]))
        }
        expectAlignmentError("rdm_crossnobis: cross-validation needs at least 2 partitions, got 1") {
            _ = try RSA.crossnobis(x, conditions: Tensor([0.0, 1, 2, 3]))
        }
        expectAlignmentError("rdm_crossnobis: default partitions need the same number of observations per condition, got counts [1, 3]") {
            _ = try RSA.crossnobis(x, conditions: Tensor([0.0, 1, 1, 1]))
        }
        expectAlignmentError("rdm_crossnobis: condition 1 has no observation outside partition 0") {
            _ = try RSA.crossnobis(x, conditions: Tensor([0.0, 1, 0, 2]), partitions: Tensor([0.0, 0, 1, 1]))
        }
        expectAlignmentError("rdm_crossnobis: partitions [2] must have one label per row of X [4, 2]") {
            _ = try RSA.crossnobis(x, conditions: Tensor([0.0, 1, 0, 1]), partitions: Tensor([0.0, 1]))
        }
        expectAlignmentError("rdm_crossnobis: precision [3, 3] must be [2, 2] for X with 2 channels") {
            _ = try RSA.crossnobis(x, conditions: Tensor([0.0, 1, 0, 1]), precision: Tensor.eye(3))
        }
        expectAlignmentError("upper_triangle: rdm must be [n, n] or [k, n, n], got shape [2, 3]") {
            _ = try RSA.upperTriangle(try Tensor([[1.0, 2, 3], [4, 5, 6]]))
        }
    }

    @Test func upperTriangleOrder() throws {
        let matrix = try Tensor([[0.0, 1, 2], [1, 0, 3], [2, 3, 0]])
        #expect(try RSA.upperTriangle(matrix).scalars(as: Double.self) == [1, 2, 3])
        let stack = try Tensor([[[0.0, 1], [1, 0]], [[0, 5], [5, 0]]])
        #expect(try RSA.upperTriangle(stack).shape == [2, 1])
    }
}

@Suite struct SimilarityCompareTests {
    nonisolated(unsafe) static let fixture = similarityFixture("compare")

    static var cases: [(String, Bool)] {
        (fixture["cases"] as! [[String: Any]]).map { ($0["method"] as! String, $0["nan"] as! Bool) }
    }

    @Test(arguments: cases)
    func matchesRsatoolbox(method: String, withNaN: Bool) throws {
        let entry = (Self.fixture["cases"] as! [[String: Any]]).first {
            $0["method"] as! String == method && $0["nan"] as! Bool == withNaN
        }!
        var a = fixtureTensor(Self.fixture["a"]).scalars(as: Double.self)
        var b = fixtureTensor(Self.fixture["b"]).scalars(as: Double.self)
        let n = 9
        if withNaN {
            for (i, j) in [(0, 3), (5, 7)] {
                for k in 0..<3 { a[k * n * n + i * n + j] = .nan; a[k * n * n + j * n + i] = .nan }
                for k in 0..<3 { b[k * n * n + i * n + j] = .nan; b[k * n * n + j * n + i] = .nan }
            }
        }
        let result = try RSA.compare(try Tensor(shape: [3, n, n], scalars: a), try Tensor(shape: [3, n, n], scalars: b),
                                     method: RDMComparison.named(method))
        expectClose(result, fixtureTensor(entry["expected"]), tolerance: 1e-9, "\(method) nan=\(withNaN)")
    }

    @Test func singleRDMsGiveAScalarAndStacksGiveTheirAxes() throws {
        let a = fixtureTensor(Self.fixture["a"])
        let first = try a.get([.index(0)])
        #expect(try RSA.compare(first, first).shape == [])
        expectClose(try RSA.compare(first, first, method: .pearson).item(), 1, tolerance: 1e-12)
        #expect(try RSA.compare(a, first).shape == [3])
        #expect(try RSA.compare(first, a).shape == [3])
    }

    /// Kendall τ_a with a naive O(L²) loop, including ties.
    @Test(arguments: [1, 2, 3])
    func kendallTauAMatchesNaivePairs(seed: Int) {
        var random = SimilarityRandom(UInt64(seed))
        let x = (0..<40).map { _ in (random.normal() * 2).rounded() }
        let y = (0..<40).map { i in (x[i] + random.normal()).rounded() }
        var concordance = 0.0
        for i in 0..<40 { for j in (i + 1)..<40 {
            let s = (x[i] - x[j]) * (y[i] - y[j])
            concordance += s > 0 ? 1 : s < 0 ? -1 : 0
        } }
        #expect(abs(RSA.kendallTauA(x, y) - concordance / Double(40 * 39 / 2)) < 1e-12)
    }

    @Test func pairwiseNaNExclusionDropsEntriesOfEitherRDM() throws {
        let a = try Tensor([[0.0, 1, 2, 3], [1, 0, .nan, 5], [2, .nan, 0, 6], [3, 5, 6, 0]])
        let b = try Tensor([[0.0, 2, 1, .nan], [2, 0, 4, 6], [1, 4, 0, 5], [.nan, 6, 5, 0]])
        let result = try RSA.compare(a, b, method: .pearson).item()
        // Shared finite upper-triangle entries: (0,1), (0,2), (1,3), (2,3).
        expectClose(result, pearson([1, 2, 5, 6], [2, 1, 6, 5]), tolerance: 1e-12)
    }

    @Test func constantRDMGivesNaNWithAWarning() throws {
        let constant = try Tensor([[0.0, 1, 1], [1, 0, 1], [1, 1, 0]])
        let other = try Tensor([[0.0, 1, 2], [1, 0, 3], [2, 3, 0]])
        let warnings = AlignmentWarnings()
        #expect(try RSA.compare(constant, other, method: .spearman, warnings: warnings).item().isNaN)
        #expect(warnings.messages == ["compare_rdms: 1 comparison(s) involve a constant or zero RDM and are NaN"])
    }

    @Test func errorMessages() throws {
        let three = try Tensor([[0.0, 1, 2], [1, 0, 3], [2, 3, 0]])
        let two = try Tensor([[0.0, 1], [1, 0]])
        expectAlignmentError("compare_rdms: a [3, 3] and b [2, 2] describe different numbers of conditions") {
            _ = try RSA.compare(three, two)
        }
        expectAlignmentError("compare_rdms: b must be [n, n] or [k, n, n], got shape [3]") {
            _ = try RSA.compare(three, Tensor([1.0, 2, 3]))
        }
        let infinite = try Tensor([[0.0, 1, 2], [1, 0, .infinity], [2, .infinity, 0]])
        expectAlignmentError("compare_rdms: b has an infinite value in RDM 0 at (1, 2)") {
            _ = try RSA.compare(three, infinite)
        }
        expectAlignmentError("compare_rdms: the RDMs share fewer than 2 finite entries") {
            _ = try RSA.compare(two, two)
        }
        let holes = try Tensor([[0.0, .nan, 2], [.nan, 0, 3], [2, 3, 0]])
        let others = try Tensor([[0.0, 1, .nan], [1, 0, 3], [.nan, 3, 0]])
        expectAlignmentError("compare_rdms: RDM 0 of a and RDM 0 of b share fewer than 2 finite entries") {
            _ = try RSA.compare(holes, others)
        }
        expectAlignmentError("compare_rdms: unknown method 'tau-b' (expected one of spearman, corr, tau-a, rho-a, cosine, corr_cov, cosine_cov)") {
            _ = try RDMComparison.named("tau-b")
        }
    }
}

@Suite struct SimilarityNoiseCeilingTests {
    nonisolated(unsafe) static let fixture = similarityFixture("noise_ceiling")

    @Test(arguments: ["spearman", "corr", "cosine", "corr_cov", "cosine_cov", "rho-a"])
    func matchesRsatoolbox(method: String) throws {
        let entry = (Self.fixture["cases"] as! [[String: Any]]).first { $0["method"] as! String == method }!
        let ceiling = try RSA.noiseCeiling(fixtureTensor(Self.fixture["rdms"]), method: RDMComparison.named(method))
        expectClose(ceiling.lower, fixtureNumber(entry["lower"]), tolerance: 1e-9, "\(method) lower")
        expectClose(ceiling.upper, fixtureNumber(entry["upper"]), tolerance: 1e-9, "\(method) upper")
    }

    @Test func bootstrapIsSeededAndBracketsTheEstimate() throws {
        let rdms = fixtureTensor(Self.fixture["rdms"])
        for unit in RSA.BootstrapUnit.allCases {
            let first = try RSA.bootstrapNoiseCeiling(rdms, over: unit, resamples: 200, seed: 7)
            let second = try RSA.bootstrapNoiseCeiling(rdms, over: unit, resamples: 200, seed: 7)
            #expect(first.samples.scalars(as: Double.self).elementsEqual(second.samples.scalars(as: Double.self)) { $0 == $1 || ($0.isNaN && $1.isNaN) })
            #expect(first.lowerInterval.low < first.estimate.lower + 0.05)
            #expect(first.upperInterval.high > first.estimate.upper - 0.05)
            #expect(first.lowerInterval.low < first.lowerInterval.high)
            let third = try RSA.bootstrapNoiseCeiling(rdms, over: unit, resamples: 200, seed: 8)
            #expect(third.samples.scalars(as: Double.self) != first.samples.scalars(as: Double.self))
        }
    }

    /// A stimulus resample drops the pairs between copies of a condition: with all stimuli drawn once, the
    /// bootstrap sample equals the plain ceiling.
    @Test func stimulusResampleMarksDuplicatePairsMissing() throws {
        let rdms = fixtureTensor(Self.fixture["rdms"])
        let (stack, n) = try RSA.rdmStack(rdms, "rdms", "test")
        let chosen = [0, 0, 2, 3, 3, 5, 6, 7, 8]
        var vectors = [[Double]]()
        for matrix in stack {
            var values = [Double]()
            for a in 0..<chosen.count { for b in (a + 1)..<chosen.count {
                values.append(chosen[a] == chosen[b] ? .nan : matrix[chosen[a] * n + chosen[b]])
            } }
            vectors.append(values)
        }
        let ceiling = try RSA.ceiling(vectors, groups: Array(0..<stack.count), n: chosen.count, method: .spearman,
                                      operation: "test", warnings: nil)
        #expect(ceiling.lower.isFinite && ceiling.upper.isFinite && ceiling.lower < ceiling.upper)
    }

    @Test func errorMessages() throws {
        expectAlignmentError("noise_ceiling: rdms must be [subjects, n, n], got shape [3, 3]") {
            _ = try RSA.noiseCeiling(try Tensor([[0.0, 1, 2], [1, 0, 3], [2, 3, 0]]))
        }
        expectAlignmentError("noise_ceiling: needs at least 2 subjects, got 1") {
            _ = try RSA.noiseCeiling(try Tensor([[[0.0, 1, 2], [1, 0, 3], [2, 3, 0]]]))
        }
        let rdms = fixtureTensor(Self.fixture["rdms"])
        expectAlignmentError("bootstrap_noise_ceiling: resamples must be >= 1, got 0") {
            _ = try RSA.bootstrapNoiseCeiling(rdms, resamples: 0, seed: 1)
        }
        expectAlignmentError("bootstrap_noise_ceiling: level must lie in (0, 1), got 1.5") {
            _ = try RSA.bootstrapNoiseCeiling(rdms, level: 1.5, seed: 1)
        }
    }
}

@Suite struct SimilarityCKATests {
    nonisolated(unsafe) static let fixture = similarityFixture("cka")

    @Test func matchesKornblithReference() throws {
        let x = fixtureTensor(Self.fixture["x"]), y = fixtureTensor(Self.fixture["y"])
        for entry in Self.fixture["cases"] as! [[String: Any]] {
            let kernel: CKAKernel
            switch entry["kernel"] as! String {
            case "linear": kernel = .linear
            case "rbf": kernel = .rbf(sigma: fixtureNumber(entry["parameter"]))
            default: kernel = .rbfMedian(fraction: fixtureNumber(entry["parameter"]))
            }
            let debiased = entry["debiased"] as! Bool
            let value = try Similarity.cka(x, y, kernel: kernel, debiased: debiased)
            expectClose(value, fixtureNumber(entry["expected"]), tolerance: 1e-9, "\(kernel) debiased=\(debiased)")
            // float32 inputs agree to float32 precision.
            let single = try Similarity.cka(x.astype(.float32), y.astype(.float32), kernel: kernel, debiased: debiased)
            expectClose(single, fixtureNumber(entry["expected"]), tolerance: 1e-5)
        }
    }

    /// Feature-space (blocked norms for p ≥ 256) and example-space routes against the n × n Gram-matrix formula.
    @Test(arguments: [(30, 50, 8), (300, 260, 8), (12, 300, 40), (40, 1030, 3)])
    func linearRoutesEqualGramFormula(n: Int, p: Int, q: Int) throws {
        var random = SimilarityRandom(UInt64(n + p + q))
        let x = random.matrix(n, p), y = random.matrix(n, q)
        let fast = try Similarity.cka(x, y)
        let k = try Similarity.centredGram(Similarity.gram(x, .linear), unbiased: false)
        let l = try Similarity.centredGram(Similarity.gram(y, .linear), unbiased: false)
        let kl = zip(k, l).reduce(0) { $0 + $1.0 * $1.1 }
        let slow = kl / (k.reduce(0) { $0 + $1 * $1 } * l.reduce(0) { $0 + $1 * $1 }).squareRoot()
        expectClose(fast, slow, tolerance: 1e-12)
        // Invariant to orthogonal transforms and isotropic scaling, 1 with itself.
        expectClose(try Similarity.cka(x, try x * 3.0), 1, tolerance: 1e-12)
    }

    @Test func procrustesMatchesScipy() throws {
        let entry = Self.fixture["procrustes"] as! [String: Any]
        let result = try Similarity.procrustes(fixtureTensor(entry["x"]), fixtureTensor(entry["y"]))
        expectClose(result.disparity, fixtureNumber(entry["disparity"]), tolerance: 1e-9)
        expectClose(result.distance * result.distance, 2 - 2 * (1 - result.disparity).squareRoot(), tolerance: 1e-12)
        let same = try Similarity.procrustes(fixtureTensor(entry["x"]), fixtureTensor(entry["x"]))
        #expect(same.distance < 1e-6 && same.disparity < 1e-12)
    }

    @Test func errorMessagesAndWarnings() throws {
        let x = try Tensor([[1.0, 2], [3, 4], [5, 7]])
        expectAlignmentError("cka: X [3, 2] and Y [2, 2] have different numbers of examples") {
            _ = try Similarity.cka(x, try Tensor([[1.0, 2], [3, 4]]))
        }
        expectAlignmentError("cka: X [3] and Y [3, 2] must both be 2-D [examples, features]") {
            _ = try Similarity.cka(Tensor([1.0, 2, 3]), x)
        }
        expectAlignmentError("cka: needs at least 4 examples for the debiased estimator, got 3") {
            _ = try Similarity.cka(x, x, debiased: true)
        }
        expectAlignmentError("cka: rbf sigma must be a positive number, got 0.0") {
            _ = try Similarity.cka(x, x, kernel: .rbf(sigma: 0))
        }
        expectAlignmentError("cka: Y has NaN in column 1 (use nan: .omit to drop such columns)") {
            _ = try Similarity.cka(x, try Tensor([[1.0, 2], [3, .nan], [5, 7]]))
        }
        let warnings = AlignmentWarnings()
        let constant = try Tensor([[1.0, 2], [1, 2], [1, 2]])
        #expect(try Similarity.cka(x, constant, warnings: warnings).isNaN)
        #expect(warnings.messages == ["cka: a representation has zero variance; CKA is undefined (NaN)"])
        expectAlignmentError("procrustes: Y is constant across examples: nothing to align") {
            _ = try Similarity.procrustes(x, constant)
        }
        expectAlignmentError("procrustes: X [3, 2] and Y [2, 2] have different numbers of examples") {
            _ = try Similarity.procrustes(x, try Tensor([[1.0, 2], [3, 4]]))
        }
    }
}

@Suite struct SimilarityEdgeShapeTests {
    @Test func emptyAndSingleRowRDMs() throws {
        #expect(try RSA.rdm(Tensor(shape: [0, 3], scalars: [Double]())).shape == [0, 0])
        let single = try RSA.rdm(try Tensor([[1.0, 2, 3]]), metric: .euclidean)
        #expect(single.shape == [1, 1] && single.scalars(as: Double.self) == [0])
        #expect(try RSA.upperTriangle(single).shape == [0])
    }

    @Test func integerInputIsConvertedToFloat64() throws {
        let x = try Tensor([[1.0, 5, 3], [2, 2, 8], [0, 1, 1]])
        let asIntegers = x.astype(.int64)
        expectClose(try RSA.rdm(asIntegers, metric: .correlation), try RSA.rdm(x, metric: .correlation), tolerance: 0)
        #expect(try RSA.rdm(asIntegers).dtype == .float64)
    }

    @Test func testsOverEmptyTrailingAxes() throws {
        let result = try Inference.tTestOneSample(Tensor(shape: [4, 0], scalars: [Double]()))
        #expect(result.statistic.shape == [0] && result.pValue.shape == [0])
        let threeD = try Inference.tTestOneSample(try Tensor(shape: [3, 2, 2], scalars: (0..<12).map { Double($0 * $0 % 7) }))
        #expect(threeD.statistic.shape == [2, 2])
    }
}

@Suite struct SimilarityRankTests {
    /// The radix route (≥ 4096 values) against a comparison sort, with ties, negative zeros and infinities.
    @Test(arguments: [10, 5000, 70_000])
    func averageRanksMatchComparisonSort(count: Int) {
        var random = SimilarityRandom(UInt64(count))
        var values = (0..<count).map { _ in (random.normal() * 20).rounded() / 4 }
        values[0] = -0.0; values[1] = 0.0; values[2] = -.infinity; values[3] = .infinity
        let order = values.indices.sorted { values[$0] < values[$1] || (values[$0] == values[$1] && $0 < $1) }
        var expected = [Double](repeating: 0, count: count)
        var first = 0
        while first < count {
            var last = first
            while last + 1 < count && values[order[last + 1]] == values[order[first]] { last += 1 }
            for position in first...last { expected[order[position]] = Double(first + last) / 2 + 1 }
            first = last + 1
        }
        #expect(averageRanks(values).ranks == expected)
        #expect(stableOrder(values) == order)
    }
}
