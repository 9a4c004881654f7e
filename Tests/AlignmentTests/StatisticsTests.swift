import Foundation
import Testing
@testable import Alignment
import Tensors

@Suite struct StatisticsScipyTests {
    nonisolated(unsafe) static let fixture = similarityFixture("statistics")

    @Test func studentTSurvivalMatchesScipyTo1e10() {
        for entry in Self.fixture["t_sf"] as! [[String: Any]] {
            let t = fixtureNumber(entry["t"]), nu = fixtureNumber(entry["df"]), expected = fixtureNumber(entry["sf"])
            let actual = Distributions.studentTSurvival(t, degreesOfFreedom: nu)
            #expect(abs(actual - expected) <= 1e-10 * expected, "t=\(t) df=\(nu): \(actual) vs \(expected)")
        }
    }

    @Test func incompleteBetaMatchesScipy() {
        for entry in Self.fixture["beta"] as! [[String: Any]] {
            let actual = Distributions.regularizedIncompleteBeta(fixtureNumber(entry["x"]), a: fixtureNumber(entry["a"]),
                                                                 b: fixtureNumber(entry["b"]))
            expectClose(actual, fixtureNumber(entry["expected"]), tolerance: 1e-12)
        }
        #expect(Distributions.regularizedIncompleteBeta(0.5, a: -1, b: 1).isNaN)
        #expect(Distributions.studentTSurvival(1, degreesOfFreedom: 0).isNaN)
        #expect(Distributions.studentTSurvival(.infinity, degreesOfFreedom: 3) == 0)
    }

    @Test(arguments: ["1samp", "rel", "ind", "welch"], Alternative.allCases)
    func tTestsMatchScipy(test: String, alternative: Alternative) throws {
        let entry = (Self.fixture["t_tests"] as! [[String: Any]]).first {
            $0["test"] as! String == test && $0["alternative"] as! String == alternative.rawValue
        }!
        let sample = fixtureTensor(Self.fixture["sample"]), other = fixtureTensor(Self.fixture["other"])
        let small = fixtureTensor(Self.fixture["small"])
        let result: TestResult
        switch test {
        case "1samp": result = try Inference.tTestOneSample(sample, popmean: 0.1, alternative: alternative)
        case "rel": result = try Inference.tTestPaired(sample, other, alternative: alternative)
        case "ind": result = try Inference.tTestIndependent(sample, small, alternative: alternative)
        default: result = try Inference.tTestIndependent(sample, small, equalVariance: false, alternative: alternative)
        }
        expectClose(result.statistic, fixtureTensor(entry["statistic"]), tolerance: 1e-10)
        expectClose(result.pValue, fixtureTensor(entry["p"]), tolerance: 1e-10)
        if let df = entry["df"] { expectClose(result.degreesOfFreedom, fixtureTensor(df), tolerance: 1e-10) }
    }

    @Test func tTestOfOneColumnIsScalar() throws {
        let result = try Inference.tTestOneSample(Tensor([1.0, 2, 3, 4.5]))
        #expect(result.statistic.shape == [])
        #expect(result.degreesOfFreedom.scalars(as: Double.self) == [3])
    }

    @Test func wilcoxonMatchesScipy() throws {
        for entry in Self.fixture["wilcoxon"] as! [[String: Any]] {
            let alternative = Alternative(rawValue: entry["alternative"] as! String)!
            let y = entry["y"].map(fixtureTensor)
            let result = try Inference.wilcoxon(fixtureTensor(entry["x"]), y, alternative: alternative,
                                                correction: entry["correction"] as? Bool ?? false)
            let label = "\(entry["label"]!) \(alternative)"
            expectClose(try result.statistic.item(), fixtureNumber(entry["statistic"]), tolerance: 1e-12, "\(label)")
            expectClose(try result.pValue.item(), fixtureNumber(entry["p"]), tolerance: 1e-10, "\(label)")
        }
    }

    @Test func signedRankDistributionSumsToOne() {
        for n in [1, 5, 20, 50] {
            let pmf = Inference.signedRankDistribution(n)
            #expect(pmf.count == n * (n + 1) / 2 + 1)
            #expect(abs(pmf.reduce(0, +) - 1) < 1e-12)
            #expect(abs(pmf[0] - pow(0.5, Double(n))) < 1e-300 + 1e-12 * pow(0.5, Double(n)))
        }
    }

    @Test func correlationsMatchScipy() {
        let entry = Self.fixture["correlations"] as! [String: Any]
        let x = fixtureTensor(entry["x"]).scalars(as: Double.self), y = fixtureTensor(entry["y"]).scalars(as: Double.self)
        expectClose(spearman(x, y), fixtureNumber(entry["spearman"]), tolerance: 1e-12)
        expectClose(pearson(x, y), fixtureNumber(entry["pearson"]), tolerance: 1e-12)
        // Without ties Kendall's τ_b (scipy) equals τ_a.
        expectClose(RSA.kendallTauA(x, y), fixtureNumber(entry["kendall"]), tolerance: 1e-12)
    }

    @Test func benjaminiHochbergMatchesScipy() throws {
        let entry = Self.fixture["fdr"] as! [String: Any]
        expectClose(try Inference.benjaminiHochberg(fixtureTensor(entry["p"])), fixtureTensor(entry["expected"]),
                    tolerance: 1e-12)
    }

    @Test func glmMatchesNumpyAndScipy() throws {
        let entry = Self.fixture["glm"] as! [String: Any]
        let fit = try Inference.glm(design: fixtureTensor(entry["design"]), fixtureTensor(entry["y"]))
        expectClose(fit.betas, fixtureTensor(entry["betas"]), tolerance: 1e-10)
        expectClose(fit.residualVariance, fixtureTensor(entry["sigma2"]), tolerance: 1e-10)
        #expect(fit.degreesOfFreedom == 17)
        let contrast = try fit.contrast(fixtureTensor(entry["contrast"]))
        expectClose(contrast.statistic, fixtureTensor(entry["t"]), tolerance: 1e-10)
        expectClose(contrast.pValue, fixtureTensor(entry["p"]), tolerance: 1e-10)
    }

    @Test func glmRankDeficientDesignUsesMinimumNorm() throws {
        // Two identical columns: the minimum-norm solution splits the weight equally.
        let design = try Tensor([[1.0, 1, 0], [1, 1, 1], [1, 1, 2], [1, 1, 3.5]])
        let y = Tensor([1.0, 3, 5.2, 8])
        let fit = try Inference.glm(design: design, y)
        let betas = fit.betas.scalars(as: Double.self)
        #expect(abs(betas[0] - betas[1]) < 1e-10)
        #expect(fit.degreesOfFreedom == 2)
    }
}

@Suite struct StatisticsResamplingTests {
    @Test func signFlipTestDetectsAnEffectAndIsSeeded() throws {
        var random = SimilarityRandom(11)
        let values = (0..<(16 * 3)).map { index in random.normal() + (index % 3 == 0 ? 1.5 : 0) }
        let x = try Tensor(shape: [16, 3], scalars: values)
        let first = try Inference.signFlipTest(x, permutations: 2000, seed: 4)
        let second = try Inference.signFlipTest(x, permutations: 2000, seed: 4)
        #expect(first.pValue.scalars(as: Double.self) == second.pValue.scalars(as: Double.self))
        let p = first.pValue.scalars(as: Double.self)
        #expect(p[0] < 0.01)
        #expect(p[1] > 0.01 && p[2] > 0.01)
        #expect(p.allSatisfy { $0 >= 1.0 / 2001 })
        // Max-statistic p-values are never smaller than the per-target ones.
        let corrected = try Inference.signFlipTest(x, permutations: 2000, seed: 4, maxStatistic: true)
        for (c, u) in zip(corrected.pValue.scalars(as: Double.self), p) { #expect(c >= u) }
    }

    /// With every sign pattern equally likely, the sign-flip p of a one-subject... exact check on 4 subjects:
    /// the observed mean is the largest of the 16 patterns' means, so the one-sided p tends to 1/16.
    @Test func signFlipPValueApproachesTheExactPermutationP() throws {
        let x = Tensor([1.0, 2, 3, 4])
        let result = try Inference.signFlipTest(x, permutations: 20_000, seed: 1, alternative: .greater)
        #expect(abs(try result.pValue.item() - 1.0 / 16) < 0.01)
    }

    @Test func labelPermutationTest() throws {
        let x = Tensor([5.0, 6, 7, 5.5, 6.5, 1, 2, 1.5, 2.5, 0.5])
        let labels = Tensor([1.0, 1, 1, 1, 1, 0, 0, 0, 0, 0])
        let result = try Inference.permutationTest(x, labels: labels, permutations: 5000, seed: 2, alternative: .greater)
        expectClose(try result.statistic.item(), 4.5, tolerance: 1e-12)
        // Exactly one of the C(10,5) = 252 labelings is this extreme.
        #expect(abs(try result.pValue.item() - 1.0 / 252) < 0.004)
    }

    @Test func bootstrapIntervalContainsTheMean() throws {
        var random = SimilarityRandom(12)
        let x = Tensor((0..<50).map { _ in random.normal() + 2 })
        let (lower, upper) = try Inference.bootstrapConfidenceInterval(x, resamples: 2000, seed: 3)
        let m = x.scalars(as: Double.self).reduce(0, +) / 50
        #expect(try lower.item() < m && m < upper.item())
        // Width close to the normal-theory 2 · 1.96 · s / √n.
        let s = variance(x.scalars(as: Double.self), ddof: 1).squareRoot()
        #expect(abs((try upper.item() - lower.item()) - 2 * 1.96 * s / 50.0.squareRoot()) < 0.1)
    }

    @Test func quantileIsNumpyLinear() {
        #expect(Inference.quantile([1, 2, 3, 4], 0.5) == 2.5)
        #expect(Inference.quantile([1, 2, 3, 4], 0.25) == 1.75)
    }

    @Test func clusterPermutationFindsTheInjectedCluster() throws {
        var random = SimilarityRandom(21)
        let subjects = 12, times = 40
        var values = [Double]()
        for _ in 0..<subjects { for time in 0..<times { values.append(random.normal() + (15..<25 ~= time ? 1.5 : 0)) } }
        let x = try Tensor(shape: [subjects, times], scalars: values)
        let (t, clusters) = try Inference.clusterPermutationTest(x, permutations: 500, seed: 5)
        #expect(t.shape == [times])
        let significant = clusters.filter { $0.pValue < 0.05 }
        #expect(significant.count == 1)
        if let cluster = significant.first {
            #expect(cluster.start >= 13 && cluster.start <= 17 && cluster.end >= 23 && cluster.end <= 27)
            let tValues = t.scalars(as: Double.self)
            expectClose(cluster.mass, tValues[cluster.start..<cluster.end].reduce(0, +), tolerance: 1e-12)
        }
        // The t curve equals the one-sample t test at each time.
        expectClose(t, try Inference.tTestOneSample(x).statistic, tolerance: 1e-10)
    }

    @Test func tQuantileInvertsTheSurvival() {
        let q = Inference.studentTQuantile(upperTail: 0.025, degreesOfFreedom: 11)
        expectClose(q, 2.200985160082949, tolerance: 1e-9)
    }

    @Test func errorMessages() throws {
        expectAlignmentError("ttest_1samp: x needs at least 2 observations along axis 0, got 1") {
            _ = try Inference.tTestOneSample(Tensor([1.0]))
        }
        expectAlignmentError("ttest_1samp: x must have at least one axis (observations first), got a scalar") {
            _ = try Inference.tTestOneSample(Tensor(scalar: 1.0))
        }
        expectAlignmentError("ttest_1samp: x has NaN at index 1") {
            _ = try Inference.tTestOneSample(Tensor([1.0, .nan, 2]))
        }
        expectAlignmentError("ttest_rel: a [3] and b [2] must have the same shape") {
            _ = try Inference.tTestPaired(Tensor([1.0, 2, 3]), Tensor([1.0, 2]))
        }
        expectAlignmentError("ttest_rel: a − b needs at least 2 observations along axis 0, got 1") {
            _ = try Inference.tTestPaired(Tensor([1.0]), Tensor([2.0]))
        }
        expectAlignmentError("ttest_ind: a [3, 2] and b [3] differ after axis 0") {
            _ = try Inference.tTestIndependent(try Tensor([[1.0, 2], [3, 4], [5, 6]]), Tensor([1.0, 2, 3]))
        }
        expectAlignmentError("ttest_ind: each sample needs at least 2 observations, got 3 and 1") {
            _ = try Inference.tTestIndependent(Tensor([1.0, 2, 3]), Tensor([1.0]))
        }
        expectAlignmentError("wilcoxon: x [3] and y [2] must have the same shape") {
            _ = try Inference.wilcoxon(Tensor([1.0, 2, 3]), Tensor([1.0, 2]))
        }
        expectAlignmentError("wilcoxon: x must be 1-D, got shape [1, 2]") {
            _ = try Inference.wilcoxon(try Tensor([[1.0, 2]]))
        }
        expectAlignmentError("wilcoxon: x has an infinite value at index 0") {
            _ = try Inference.wilcoxon(Tensor([Double.infinity, 2]))
        }
        expectAlignmentError("wilcoxon: the exact distribution is computed for at most 50 observations, got 51") {
            _ = try Inference.wilcoxon(Tensor((0..<51).map { Double($0) + 0.5 }), method: .exact)
        }
        expectAlignmentError("fdr_bh: p-values must lie in [0, 1], got 1.5 at flat index 1") {
            _ = try Inference.benjaminiHochberg(Tensor([0.1, 1.5]))
        }
        expectAlignmentError("sign_flip_test: permutations must be >= 1, got 0") {
            _ = try Inference.signFlipTest(Tensor([1.0, 2]), permutations: 0, seed: 1)
        }
        expectAlignmentError("sign_flip_test: x has no subjects along axis 0") {
            _ = try Inference.signFlipTest(Tensor([Double]()), seed: 1)
        }
        expectAlignmentError("permutation_test: labels [2] must have one entry per row of x [3]") {
            _ = try Inference.permutationTest(Tensor([1.0, 2, 3]), labels: Tensor([0.0, 1]), seed: 1)
        }
        expectAlignmentError("permutation_test: labels must be 0 or 1") {
            _ = try Inference.permutationTest(Tensor([1.0, 2, 3]), labels: Tensor([0.0, 1, 2]), seed: 1)
        }
        expectAlignmentError("permutation_test: both groups need at least one observation, got 3 and 0") {
            _ = try Inference.permutationTest(Tensor([1.0, 2, 3]), labels: Tensor([1.0, 1, 1]), seed: 1)
        }
        expectAlignmentError("bootstrap_ci: level must lie in (0, 1), got 0.0") {
            _ = try Inference.bootstrapConfidenceInterval(Tensor([1.0, 2]), level: 0, seed: 1)
        }
        expectAlignmentError("bootstrap_ci: resamples must be >= 1, got 0") {
            _ = try Inference.bootstrapConfidenceInterval(Tensor([1.0, 2]), resamples: 0, seed: 1)
        }
        expectAlignmentError("cluster_permutation_test: x must be 2-D [rows, columns], got shape [3]") {
            _ = try Inference.clusterPermutationTest(Tensor([1.0, 2, 3]), seed: 1)
        }
        expectAlignmentError("cluster_permutation_test: threshold must be a positive number, got -1.0") {
            _ = try Inference.clusterPermutationTest(try Tensor([[1.0, 2], [3, 4]]), threshold: -1, seed: 1)
        }
        expectAlignmentError("glm: design [3, 2] and Y [4] have different numbers of rows") {
            _ = try Inference.glm(design: try Tensor([[1.0, 2], [1, 3], [1, 4]]), Tensor([1.0, 2, 3, 4]))
        }
        expectAlignmentError("glm: design [2, 2] has rank 2: no residual degrees of freedom") {
            _ = try Inference.glm(design: try Tensor([[1.0, 2], [1, 3]]), Tensor([1.0, 2]))
        }
        expectAlignmentError("glm: Y has NaN in column 0 (use nan: .omit to drop such columns)") {
            _ = try Inference.glm(design: try Tensor([[1.0, 2], [1, 3], [1, 5]]), Tensor([1.0, .nan, 2]))
        }
        let fit = try Inference.glm(design: try Tensor([[1.0, 2], [1, 3], [1, 5]]), Tensor([1.0, 3, 2]))
        expectAlignmentError("glm_contrast: contrast [3] must be [2] for a design with 2 columns") {
            _ = try fit.contrast(Tensor([1.0, 0, 0]))
        }
    }
}
