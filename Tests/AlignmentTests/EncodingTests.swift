import Foundation
import Testing
import Tensors
@testable import Alignment

/// encode, banded ridge (against himalaya's GroupRidgeCV) and variance partitioning.
@Suite struct EncodingTests {
    static func message(_ body: () throws -> Void) -> String? {
        do { try body() } catch let error as AlignmentError { return error.description } catch { return "\(error)" }
        return nil
    }

    @Test(arguments: [RidgeSolver.automatic, .dual])
    func bandedMatchesHimalayaGroupRidgeCV(solver: RidgeSolver) throws {
        let fixture = RidgeFixtures.named("himalaya_group_3_5")
        let (x, y, test) = fixture.problem()
        let sizes = (fixture["band_sizes"] as! [Int])
        let xTensor = tensor(x), testTensor = tensor(test)
        let bands = [try xTensor.sliced(axis: 1, 0..<sizes[0]), try xTensor.sliced(axis: 1, sizes[0]..<(sizes[0] + sizes[1]))]
        let testBands = [try testTensor.sliced(axis: 1, 0..<sizes[0]),
                         try testTensor.sliced(axis: 1, sizes[0]..<(sizes[0] + sizes[1]))]
        let gammas = try Tensor(fixture.matrix("gammas"))
        let model = try Ridge.bandedCrossValidated(bands, tensor(y), alphas: fixture.doubles("alphas"),
                                                   bandWeights: gammas, folds: .kFold(5), fitIntercept: true,
                                                   score: .negativeMeanSquaredError, solver: solver)
        #expect(maxRelativeError(model.deltas.scalars(as: Double.self), fixture.matrix("deltas").flatMap { $0 }) < 1e-5)
        #expect(maxRelativeError(model.weights.scalars(as: Double.self), fixture.matrix("coef").flatMap { $0 }) < 1e-5)
        #expect(maxRelativeError(model.intercept.scalars(as: Double.self), fixture.doubles("intercept")) < 1e-5)
        // himalaya's cv_scores_ include the 1e-10·log α slope of the best α of each γ; allow for it.
        #expect(maxRelativeError(model.cvScores.scalars(as: Double.self), fixture.matrix("cv_scores").flatMap { $0 }) < 1e-5)
        #expect(maxRelativeError(try model.predict(testBands).scalars(as: Double.self),
                                 fixture.matrix("test_predictions").flatMap { $0 }) < 1e-5)
    }

    /// With a single band, banded ridge is ordinary ridge whatever γ.
    @Test func oneBandIsRidge() throws {
        let x = tensor(lcgMatrix(seed: 4, rows: 30, columns: 4)), y = tensor(lcgMatrix(seed: 5, rows: 30, columns: 3))
        let banded = try Ridge.bandedCrossValidated([x], y, alphas: [0.1, 1, 10], iterations: 3)
        let plain = try Ridge.crossValidated(x, y, alphas: [0.1, 1, 10])
        #expect(close(banded.weights.scalars(as: Double.self), plain.weights.scalars(as: Double.self), 1e-10))
        #expect(close(banded.alphas.scalars(as: Double.self), plain.alphas.scalars(as: Double.self), 0))
    }

    @Test func dirichletSamplesAreOnTheSimplexAndSeeded() throws {
        let first = try Ridge.searchWeights(nil, bandCount: 3, iterations: 9, concentration: [0.1, 1], seed: 7,
                                            operation: "test")
        let again = try Ridge.searchWeights(nil, bandCount: 3, iterations: 9, concentration: [0.1, 1], seed: 7,
                                            operation: "test")
        #expect(first == again)
        #expect(first.count == 9 && first[0] == [1.0 / 3, 1.0 / 3, 1.0 / 3])
        #expect(first.allSatisfy { abs($0.reduce(0, +) - 1) < 1e-12 && $0.allSatisfy { $0 >= 0 } })
        #expect(Set(first.map { $0.description }).count == 9)
    }

    @Test func bandedErrors() throws {
        let x = tensor(lcgMatrix(seed: 4, rows: 30, columns: 4)), y = tensor(lcgMatrix(seed: 5, rows: 30, columns: 3))
        #expect(Self.message { _ = try Ridge.bandedCrossValidated([], y) } == "banded_ridge_cv: no feature bands given")
        #expect(Self.message { _ = try Ridge.bandedCrossValidated([x, try x.sliced(axis: 0, 0..<10)], y) }
                == "banded_ridge_cv: band 1 has 10 rows but band 0 has 30")
        #expect(Self.message { _ = try Ridge.bandedCrossValidated([x, Tensor([1.0])], y) }
                == "banded_ridge_cv: band 1 must be [n, features], got shape [1]")
        #expect(Self.message { _ = try Ridge.bandedCrossValidated([x, x], y, bandWeights: try Tensor([[1.0, 2, 3]])) }
                == "banded_ridge_cv: bandWeights must be [iterations, 2], got shape [1, 3]")
        #expect(Self.message { _ = try Ridge.bandedCrossValidated([x, x], y, bandWeights: try Tensor([[0.0, 0]])) }
                == "banded_ridge_cv: bandWeights row 0 must be finite, ≥ 0 and not all 0, got [0.0, 0.0]")
        #expect(Self.message { _ = try Ridge.bandedCrossValidated([x, x], y, iterations: 0) }
                == "banded_ridge_cv: iterations must be at least 1, got 0")
        #expect(Self.message { _ = try Ridge.bandedCrossValidated([x, x], y, concentration: [0]) }
                == "banded_ridge_cv: concentration must be a non-empty list of values > 0, got [0.0]")
        #expect(Self.message { _ = try Ridge.bandedCrossValidated([x, x], y, alphas: [-2]) }
                == "banded_ridge_cv: alphas must all be finite and > 0, got -2.0")
        let model = try Ridge.bandedCrossValidated([x, x], y, iterations: 2)
        #expect(Self.message { _ = try model.predict([x]) }
                == "predict: expected 2 bands of widths [4, 4], got shapes [30, 4]")
    }

    @Test func encodeOnTestRowsEqualsFitThenPredict() throws {
        let x = tensor(lcgMatrix(seed: 8, rows: 40, columns: 5)), y = tensor(lcgMatrix(seed: 9, rows: 40, columns: 3))
        let testRows = [3, 10, 11, 20, 33, 39, 0, 5]
        let result = try Ridge.encode(x, y, test: .rows(testRows), alphas: [0.1, 10])
        let train = Tensor((0..<40).filter { !testRows.contains($0) }.map { Int64($0) })
        let model = try Ridge.crossValidated(try x.take(train, axis: 0), try y.take(train, axis: 0), alphas: [0.1, 10])
        let expected = try model.predict(try x.take(Tensor(testRows.map { Int64($0) }), axis: 0))
        #expect(close(result.prediction.scalars(as: Double.self), expected.scalars(as: Double.self), 1e-12))
        let measured = rows(try y.take(Tensor(testRows.map { Int64($0) }), axis: 0))
        let predicted = rows(expected)
        for target in 0..<3 {
            let truth = measured.map { $0[target] }, guess = predicted.map { $0[target] }
            #expect(abs(result.r2.scalars(as: Double.self)[target] - naiveScore(truth, guess, .r2)) < 1e-12)
            #expect(abs(result.correlation.scalars(as: Double.self)[target] - naiveScore(truth, guess, .pearson)) < 1e-12)
        }
        let mask = (0..<40).map { testRows.contains($0) }
        let masked = try Ridge.encode(x, y, test: .mask(mask), alphas: [0.1, 10])
        #expect(masked.testRows == testRows.sorted())
        #expect(result.alphas.shape == [1, 3])
    }

    @Test func encodeCrossValidatedPredictsEveryRow() throws {
        let x = tensor(lcgMatrix(seed: 8, rows: 40, columns: 5))
        var y = try Tensor.matmul(x, tensor(lcgMatrix(seed: 2, rows: 5, columns: 2)))
        y = try y + tensor(lcgMatrix(seed: 3, rows: 40, columns: 2)) * 0.1
        let result = try Ridge.encode(x, y, test: .crossValidated(folds: 4))
        #expect(result.testRows == Array(0..<40))
        #expect(result.models.count == 4 && result.alphas.shape == [4, 2])
        #expect(result.correlation.scalars(as: Double.self).allSatisfy { $0 > 0.9 })
        let fold = try Ridge.crossValidated(try x.sliced(axis: 0, 10..<40), try y.sliced(axis: 0, 10..<40))
        #expect(close(try result.prediction.sliced(axis: 0, 0..<10).scalars(as: Double.self),
                      try fold.predict(try x.sliced(axis: 0, 0..<10)).scalars(as: Double.self), 1e-12))
    }

    @Test func encodeErrors() throws {
        let x = tensor(lcgMatrix(seed: 8, rows: 10, columns: 2)), y = tensor(lcgMatrix(seed: 9, rows: 10, columns: 1))
        #expect(Self.message { _ = try Ridge.encode(x, y, test: .mask([true])) } == "encode: test mask has 1 entries for 10 rows")
        #expect(Self.message { _ = try Ridge.encode(x, y, test: .rows([12])) } == "encode: test row 12 is outside 0..<10")
        #expect(Self.message { _ = try Ridge.encode(x, y, test: .rows([1, 1])) } == "encode: test row 1 is listed twice")
        #expect(Self.message { _ = try Ridge.encode(x, y, test: .rows([])) } == "encode: no test rows")
        #expect(Self.message { _ = try Ridge.encode(x, y, test: .rows(Array(0..<10))) }
                == "encode: no training rows (every row is a test row)")
        #expect(Self.message { _ = try Ridge.encode(x, y, test: .crossValidated(folds: 11)) }
                == "encode: folds: 11 folds need at least 11 rows, got 10")
        #expect(Self.message { _ = try Ridge.encode(x, try y.sliced(axis: 0, 0..<5)) } == "encode: X has 10 rows but Y has 5")
        #expect(Self.message { _ = try Ridge.encode(Tensor([1.0]), y) } == "encode: X must be [n, features], got shape [1]")
    }

    /// Band A carries the signal, band B is noise: B's unique variance is near zero, A's near the full R², and the
    /// partition adds up (unique A + unique B + shared = R²(A ∪ B)).
    @Test func variancePartitioningOfSignalAndNoise() throws {
        let a = tensor(lcgMatrix(seed: 21, rows: 80, columns: 3)), b = tensor(lcgMatrix(seed: 22, rows: 80, columns: 3))
        let y = try Tensor.matmul(a, tensor(lcgMatrix(seed: 23, rows: 3, columns: 2))) * 4
            + tensor(lcgMatrix(seed: 24, rows: 80, columns: 2)) * 0.2
        let partition = try Ridge.variancePartitioning([a, b], y, test: .crossValidated(folds: 4), alphas: [0.01, 1, 100],
                                                       iterations: 5)
        #expect(partition.subsets == [[0], [1], [0, 1]])
        let scores = rows(partition.subsetR2)
        let unique = rows(partition.unique), shared = partition.shared.scalars(as: Double.self)
        for target in 0..<2 {
            #expect(scores[0][target] > 0.8 && scores[1][target] < 0.1)
            #expect(abs(unique[1][target]) < 0.05)
            #expect(abs(unique[0][target] + unique[1][target] + shared[target] - scores[2][target]) < 1e-12)
            #expect(abs(shared[target] - (scores[0][target] + scores[1][target] - scores[2][target])) < 1e-12)
        }
        #expect(Self.message { _ = try Ridge.variancePartitioning([], y) }
                == "variance_partitioning: needs between 1 and 6 bands, got 0")
    }
}
