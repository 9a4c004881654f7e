import Foundation
import Testing
@testable import Alignment
import Tensors

@Suite struct TimeGeneralizationTests {
    nonisolated(unsafe) static let fixture = similarityFixture("temporal_generalization")

    @Test(arguments: [0, 1, 2])
    func matchesMNEGeneralizingEstimator(index: Int) throws {
        let entry = (Self.fixture["cases"] as! [[String: Any]])[index]
        let score = TemporalGeneralization.Score(rawValue: entry["scoring"] as! String)!
        let result = try TemporalGeneralization.matrix(
            trainX: fixtureTensor(entry["train_x"]), trainLabels: fixtureTensor(entry["train_y"]),
            testX: fixtureTensor(entry["test_x"]), testLabels: fixtureTensor(entry["test_y"]),
            shrinkage: fixtureNumber(entry["shrinkage"]), score: score)
        expectClose(result, fixtureTensor(entry["expected"]), tolerance: 1e-9, "\(score) classes=\(entry["classes"]!)")
    }

    @Test func areaUnderCurveCountsTiesAsHalf() {
        #expect(TemporalGeneralization.areaUnderCurve([0.1, 0.4, 0.35, 0.8], positive: [false, false, true, true]) == 0.75)
        #expect(TemporalGeneralization.areaUnderCurve([1, 1, 1, 1], positive: [false, true, false, true]) == 0.5)
        #expect(TemporalGeneralization.areaUnderCurve([1, 2], positive: [true, true]).isNaN)
    }

    @Test func errorMessages() throws {
        let x = try Tensor(shape: [4, 2, 3], scalars: (0..<24).map(Double.init))
        let y = Tensor([0.0, 1, 0, 1])
        expectAlignmentError("temporal_generalization: trainX must be 3-D [trials, sensors, times], got shape [4]") {
            _ = try TemporalGeneralization.matrix(trainX: y, trainLabels: y, testX: x, testLabels: y)
        }
        expectAlignmentError("temporal_generalization: trainX [4, 2, 3] and testX [4, 1, 6] have different numbers of sensors") {
            _ = try TemporalGeneralization.matrix(trainX: x, trainLabels: y, testX: try x.reshaped([4, 1, 6]), testLabels: y)
        }
        expectAlignmentError("temporal_generalization: trainLabels [3] must have one label per trial of trainX [4, 2, 3]") {
            _ = try TemporalGeneralization.matrix(trainX: x, trainLabels: Tensor([0.0, 1, 0]), testX: x, testLabels: y)
        }
        expectAlignmentError("temporal_generalization: training needs at least 2 classes, got 1") {
            _ = try TemporalGeneralization.matrix(trainX: x, trainLabels: Tensor([1.0, 1, 1, 1]), testX: x, testLabels: y)
        }
        expectAlignmentError("temporal_generalization: test label 2 does not occur in training") {
            _ = try TemporalGeneralization.matrix(trainX: x, trainLabels: y, testX: x, testLabels: Tensor([0.0, 1, 2, 1]))
        }
        expectAlignmentError("temporal_generalization: roc_auc needs exactly 2 classes, got 3") {
            _ = try TemporalGeneralization.matrix(trainX: x, trainLabels: Tensor([0.0, 1, 2, 1]), testX: x,
                                                  testLabels: y, score: .auc)
        }
        expectAlignmentError("temporal_generalization: shrinkage must lie in [0, 1], got 2.0") {
            _ = try TemporalGeneralization.matrix(trainX: x, trainLabels: y, testX: x, testLabels: y, shrinkage: 2)
        }
    }
}

@Suite struct TimeResolvedRSATests {
    @Test func curveEqualsPerTimeComparisons() throws {
        var random = SimilarityRandom(31)
        let x = try Tensor(shape: [6, 4, 5], scalars: (0..<120).map { _ in random.normal() })
        let model = try RSA.rdm(random.matrix(6, 3), metric: .euclidean)
        let rdms = try RSA.rdmOverTime(x)
        let curve = try TimeResolved.rsa(rdms, model: model)
        #expect(curve.shape == [5])
        for time in 0..<5 {
            let single = try RSA.compare(try rdms.get([.index(time)]), model)
            expectClose(try curve.scalar(at: [time]), try single.item(), tolerance: 1e-12)
        }
        expectClose(try TimeResolved.rsa(recording: x, model: model), curve, tolerance: 1e-12)
        let two = try TimeResolved.rsa(rdms, model: Tensor.stack([model, model], axis: 0), method: .pearson)
        #expect(two.shape == [2, 5])
    }

    @Test func errorMessages() throws {
        let rdms = try Tensor(shape: [2, 3, 3], scalars: [Double](repeating: 1, count: 18))
        expectAlignmentError("time_resolved_rsa: rdms [2, 3, 3] and model [2, 2] describe different numbers of conditions") {
            _ = try TimeResolved.rsa(rdms, model: try Tensor([[0.0, 1], [1, 0]]))
        }
        expectAlignmentError("time_resolved_rsa: rdms must be [times, n, n], got shape [3, 3]") {
            _ = try TimeResolved.rsa(try rdms.get([.index(0)]), model: try rdms.get([.index(0)]))
        }
    }
}

@Suite struct TimeHierarchyTests {
    @Test func preferredLayerAndSpatialScore() throws {
        // Voxel v prefers layer v % 4; its hierarchy position grows with that layer.
        let layers = 4, voxels = 12
        var scores = [Double](repeating: 0.1, count: layers * voxels)
        for v in 0..<voxels { scores[(v % layers) * voxels + v] = 0.5 }
        let scoreTensor = try Tensor(shape: [layers, voxels], scalars: scores)
        let best = try Hierarchy.preferredLayer(scoreTensor).scalars(as: Double.self)
        #expect(best == (0..<voxels).map { Double($0 % layers) })
        let weighted = try Hierarchy.preferredLayer(scoreTensor, summary: .weightedMean).scalars(as: Double.self)
        let expectedWeighted: Double = (0.5 + 0.2 + 0.3) / 0.8
        expectClose(weighted[1], expectedWeighted, tolerance: 1e-12)
        let positions: [Double] = (0..<voxels).map { (v: Int) -> Double in Double(v % layers) * 10 + Double(v) * 0.01 }
        let hierarchy = Tensor(positions)
        let result = try Hierarchy.spatialScore(scores: scoreTensor, hierarchy: hierarchy, draws: 200, seed: 1)
        expectClose(result.rho, spearman(best, hierarchy.scalars(as: Double.self)), tolerance: 1e-12)
        #expect(result.rho > 0.9 && result.pValue < 0.02)
        #expect(result.null.shape == [200])
    }

    @Test func temporalScoreUsesPeakTimes() throws {
        let curves = try Tensor([[0.0, 1, 0.5, 0.2, 0], [0, 0.3, 1, 0.4, 0], [0, 0.1, 0.2, 0.9, 0.3]])
        let score = try Hierarchy.temporalScore(curves: curves, times: Tensor([0.0, 0.05, 0.1, 0.15, 0.2]))
        #expect(score.peakTimes.scalars(as: Double.self) == [0.05, 0.1, 0.15])
        expectClose(score.rho, 1, tolerance: 1e-12)
        // Of the 3! orderings of the depths, the observed one and its reverse reach |ρ| = 1.
        expectClose(score.pValue, 2.0 / 6, tolerance: 1e-12)
    }

    /// The exact null enumerates every ordering once; its p is the share of orderings at least as extreme, counted
    /// here by brute force over the orderings listed as index tuples.
    @Test(arguments: [2, 3, 4, 5, 6, 7])
    func temporalScorePValueIsExactOverOrderings(layers: Int) throws {
        var orderings = [[Double]]()
        Hierarchy.forEachPermutation(of: (0..<layers).map(Double.init)) { orderings.append($0) }
        #expect(orderings.count == (1...layers).reduce(1, *))
        #expect(Set(orderings).count == orderings.count)
        // Peaks that follow depth except that the last two layers swap (and one tie for 5 layers or more).
        var peaks = (0..<layers).map { 0.05 * Double($0 + 1) }
        peaks.swapAt(layers - 1, layers - 2)
        if layers >= 5 { peaks[1] = peaks[2] }
        let times = Array(Set(peaks)).sorted()
        let curves = try Tensor(shape: [layers, times.count], scalars: peaks.flatMap { peak in
            times.map { $0 == peak ? 1.0 : 0.0 }
        })
        let score = try Hierarchy.temporalScore(curves: curves, times: Tensor(times))
        let depth = (0..<layers).map(Double.init)
        expectClose(score.rho, spearman(peaks, depth), tolerance: 1e-12)
        let extreme = orderings.filter { abs(spearman(peaks, $0)) >= abs(score.rho) - 1e-12 }.count
        expectClose(score.pValue, Double(extreme) / Double(orderings.count), tolerance: 1e-12)
    }

    /// Beyond `exactLayers` the null is `draws` seeded random orderings: a perfect order over 12 layers is rare.
    @Test func temporalScorePValueDrawsBeyondEightLayers() throws {
        let layers = 12
        let curves = try Tensor(shape: [layers, layers], scalars: (0..<layers).flatMap { layer in
            (0..<layers).map { $0 == layer ? 1.0 : 0.0 }
        })
        let times = Tensor((0..<layers).map { 0.01 * Double($0) })
        let score = try Hierarchy.temporalScore(curves: curves, times: times, draws: 999, seed: 3)
        expectClose(score.rho, 1, tolerance: 1e-12)
        expectClose(score.pValue, 1.0 / 1000, tolerance: 1e-12)
        let same = try Hierarchy.temporalScore(curves: curves, times: times, draws: 999, seed: 3)
        #expect(same.pValue == score.pValue)
        #expect(try Hierarchy.temporalScore(curves: curves, times: times, draws: 0).pValue.isNaN)
        // Every layer at the same peak: no rank correlation, ρ and p NaN.
        let flat = try Tensor(shape: [3, 2], scalars: [1.0, 0, 1, 0, 1, 0])
        let undefined = try Hierarchy.temporalScore(curves: flat, times: Tensor([0.0, 0.1]))
        #expect(undefined.rho.isNaN && undefined.pValue.isNaN)
    }

    @Test func halfTimeInterpolatesOnLogSteps() throws {
        // Voxel 0 reaches 0.5 of its final 1.0 between steps 10 (0.2) and 100 (0.8): fraction ½ → 10^1.5.
        let curves = try Tensor([[0.2, 0.6, -1], [0.8, 0.7, -0.5], [1.0, 0.8, -0.2]])
        let result = try Hierarchy.halfTime(curves: curves, steps: Tensor([10.0, 100, 1000])).scalars(as: Double.self)
        expectClose(result[0], pow(10, 1.5), tolerance: 1e-12)
        #expect(result[1] == 10)
        #expect(result[2].isNaN)
    }

    @Test func spinTestRotationsAreOrthogonalAndNullIsSeeded() throws {
        var random = SimilarityRandom(41)
        for _ in 0..<5 {
            let r = Hierarchy.randomRotation([random.next(), random.next(), random.next()])
            let product = try Tensor.matmul(r.tensor, r.tensor.transposed())
            expectClose(product, try Tensor.eye(3), tolerance: 1e-12)
            expectClose(try Linalg.det(r.tensor).item(), 1, tolerance: 1e-12)
        }
        // Points on a sphere with a smooth map: spun nulls are wider than permutation nulls (autocorrelation kept).
        let count = 200
        var points = [Double](), x = [Double](), y = [Double]()
        for index in 0..<count {
            let z = 1 - 2 * (Double(index) + 0.5) / Double(count), radius = (1 - z * z).squareRoot()
            let angle = Double(index) * 2.399963229728653
            points += [radius * cos(angle), radius * sin(angle), z]
            x.append(radius * cos(angle) + 0.3 * random.normal()); y.append(z + 0.3 * random.normal())
        }
        let coordinates = try Tensor(shape: [count, 3], scalars: points)
        let spin = try Hierarchy.spinTest(Tensor(x), Tensor(y), coordinates: coordinates, draws: 100, seed: 3)
        let again = try Hierarchy.spinTest(Tensor(x), Tensor(y), coordinates: coordinates, draws: 100, seed: 3)
        #expect(spin.null.scalars(as: Double.self) == again.null.scalars(as: Double.self))
        let permutation = try Hierarchy.spinTest(Tensor(x), Tensor(y), coordinates: nil, draws: 100, seed: 3)
        let spread = { (t: Tensor) in variance(t.scalars(as: Double.self), ddof: 1) }
        #expect(spread(spin.null) > spread(permutation.null))
        expectClose(spin.rho, spearman(x, y), tolerance: 1e-12)
    }

    @Test func errorMessages() throws {
        expectAlignmentError("spatial_score: scores [2, 3] must be [layers, voxels] and hierarchy [2] [voxels]") {
            _ = try Hierarchy.spatialScore(scores: try Tensor([[1.0, 2, 3], [4, 5, 6]]), hierarchy: Tensor([1.0, 2]))
        }
        expectAlignmentError("preferred_layer: scores has NaN in column 1 (use nan: .omit to drop such columns)") {
            _ = try Hierarchy.preferredLayer(try Tensor([[1.0, .nan], [2, 3]]))
        }
        expectAlignmentError("temporal_score: times [2] must have one entry per column of curves [2, 3]") {
            _ = try Hierarchy.temporalScore(curves: try Tensor([[1.0, 2, 3], [4, 5, 6]]), times: Tensor([0.0, 1]))
        }
        expectAlignmentError("temporal_score: draws must be >= 0, got -1") {
            _ = try Hierarchy.temporalScore(curves: try Tensor([[1.0, 2], [3, 4]]), times: Tensor([0.0, 1]), draws: -1)
        }
        expectAlignmentError("temporal_score: depths has NaN at index 1") {
            _ = try Hierarchy.temporalScore(curves: try Tensor([[1.0, 2], [3, 4]]), times: Tensor([0.0, 1]),
                                            depths: Tensor([0.0, .nan]))
        }
        expectAlignmentError("temporal_score: needs at least 2 layers, got 1") {
            _ = try Hierarchy.temporalScore(curves: try Tensor([[1.0, 2]]), times: Tensor([0.0, 1]))
        }
        expectAlignmentError("half_time: steps must be positive and strictly increasing (they are interpolated on a log scale)") {
            _ = try Hierarchy.halfTime(curves: try Tensor([[1.0], [2]]), steps: Tensor([0.0, 10]))
        }
        expectAlignmentError("half_time: steps [3] must have one entry per row of curves [2, 1]") {
            _ = try Hierarchy.halfTime(curves: try Tensor([[1.0], [2]]), steps: Tensor([1.0, 10, 100]))
        }
        expectAlignmentError("spin_test: coordinates [3, 2] must be [3, 3] for 3 vertices") {
            _ = try Hierarchy.spinTest(Tensor([1.0, 2, 3]), Tensor([1.0, 3, 2]), coordinates: try Tensor([[1.0, 0], [0, 1], [1, 1]]))
        }
        expectAlignmentError("spin_test: coordinates of vertex 1 are at the origin") {
            _ = try Hierarchy.spinTest(Tensor([1.0, 2, 3]), Tensor([1.0, 3, 2]),
                                       coordinates: try Tensor([[1.0, 0, 0], [0, 0, 0], [0, 0, 1]]))
        }
        expectAlignmentError("spin_test: x [3] and y [2] must have the same length") {
            _ = try Hierarchy.spinTest(Tensor([1.0, 2, 3]), Tensor([1.0, 3]), coordinates: nil)
        }
        expectAlignmentError("spin_test: draws must be >= 0, got -1") {
            _ = try Hierarchy.spinTest(Tensor([1.0, 2, 3]), Tensor([1.0, 3, 2]), coordinates: nil, draws: -1)
        }
    }
}

@Suite struct TimeRemainingErrorTests {
    @Test func errorMessages() throws {
        let x = try Tensor(shape: [4, 2, 3], scalars: (0..<24).map(Double.init))
        let y = Tensor([0.0, 1, 0, 1])
        expectAlignmentError("temporal_generalization: testX must be 3-D [trials, sensors, times], got shape [4]") {
            _ = try TemporalGeneralization.matrix(trainX: x, trainLabels: y, testX: y, testLabels: y)
        }
        expectAlignmentError("temporal_generalization: testLabels [2] must have one label per trial of testX [4, 2, 3]") {
            _ = try TemporalGeneralization.matrix(trainX: x, trainLabels: y, testX: x, testLabels: Tensor([0.0, 1]))
        }
        expectAlignmentError("rdm_over_time: X at time 1 has no finite sensors") {
            var values = [Double](repeating: 1, count: 12)
            values[1] = .nan; values[4] = .nan; values[7] = .nan; values[10] = .nan
            _ = try RSA.rdmOverTime(try Tensor(shape: [2, 2, 3], scalars: values), nan: .omit)
        }
        expectAlignmentError("temporal_score: depths [2] must have one entry per layer of curves [3, 2]") {
            _ = try Hierarchy.temporalScore(curves: try Tensor([[1.0, 2], [3, 4], [5, 6]]), times: Tensor([0.0, 1]),
                                            depths: Tensor([1.0, 2]))
        }
        expectAlignmentError("spin_test: needs at least 3 vertices, got 2") {
            _ = try Hierarchy.spinTest(Tensor([1.0, 2]), Tensor([1.0, 3]), coordinates: nil)
        }
        expectAlignmentError("preferred_layer: scores has no layers") {
            _ = try Hierarchy.preferredLayer(Tensor(shape: [0, 3], scalars: [Double]()))
        }
        expectAlignmentError("cka: rbf median fraction must be a positive number, got -1.0") {
            _ = try Similarity.cka(try Tensor([[1.0], [2], [4]]), try Tensor([[1.0], [2], [3]]), kernel: .rbfMedian(fraction: -1))
        }
        expectAlignmentError("procrustes: X is constant across examples: nothing to align") {
            _ = try Similarity.procrustes(try Tensor([[1.0], [1], [1]]), try Tensor([[1.0], [2], [3]]))
        }
        expectAlignmentError("bootstrap_ci: x has no observations along axis 0") {
            _ = try Inference.bootstrapConfidenceInterval(Tensor([Double]()), seed: 1)
        }
        expectAlignmentError("cluster_permutation_test: x needs at least 2 subjects along axis 0, got 1") {
            _ = try Inference.clusterPermutationTest(try Tensor([[1.0, 2, 3]]), seed: 1)
        }
    }
}
