import Foundation
import Testing
import Tensors
@testable import Alignment

/// bm's ridge against himalaya and scikit-learn answers (scripts/fixtures/ridge_fixtures.py), to 1e-5 relative.
@Suite struct RidgeFixtureTests {
    @Test(arguments: ["himalaya_p8_neg_mse", "himalaya_p80_neg_mse", "himalaya_p8_r2", "himalaya_p80_r"],
          [RidgeSolver.automatic, .primal, .dual])
    func himalayaRidgeCV(name: String, solver: RidgeSolver) throws {
        let fixture = RidgeFixtures.named(name)
        let (x, y, test) = fixture.problem()
        let score = try RidgeScore(named: fixture["score"] as! String)
        let model = try Ridge.crossValidated(tensor(x), tensor(y), alphas: fixture.doubles("alphas"),
                                             folds: .kFold(5), fitIntercept: true, score: score, solver: solver)
        let grid = model.summary.alphaGrid
        let expectedAlphas = fixture.doubles("best_alphas").map { grid[nearestIndex($0, in: grid)] }
        #expect(model.alphas.scalars(as: Double.self) == expectedAlphas)
        // himalaya's cv_scores_ include its 1e-10·log α tie slope; remove it before comparing.
        let expectedScores = zip(fixture.doubles("cv_scores"), fixture.doubles("best_alphas")).map { $0 - log($1) * 1e-10 }
        #expect(maxRelativeError(model.bestScores.scalars(as: Double.self), expectedScores) < 1e-5)
        #expect(maxRelativeError(model.weights.scalars(as: Double.self), fixture.matrix("coef").flatMap { $0 }) < 1e-5)
        #expect(maxRelativeError(model.intercept.scalars(as: Double.self), fixture.doubles("intercept")) < 1e-5)
        let predicted = try model.predict(tensor(test))
        #expect(maxRelativeError(predicted.scalars(as: Double.self),
                                 fixture.matrix("test_predictions").flatMap { $0 }) < 1e-5)
    }

    @Test(arguments: ["sklearn_loo_p8", "sklearn_loo_p80"])
    func scikitLearnLeaveOneOut(name: String) throws {
        let fixture = RidgeFixtures.named(name)
        let (x, y, test) = fixture.problem()
        let model = try Ridge.crossValidated(tensor(x), tensor(y), alphas: fixture.doubles("alphas"),
                                             folds: .kFold(x.count), fitIntercept: true,
                                             score: .negativeMeanSquaredError)
        #expect(close(model.alphas.scalars(as: Double.self), fixture.doubles("best_alphas"), 1e-9))
        #expect(maxRelativeError(model.cvScores.scalars(as: Double.self),
                                 fixture.matrix("cv_scores_all").flatMap { $0 }) < 1e-5)
        #expect(maxRelativeError(model.weights.scalars(as: Double.self), fixture.matrix("coef").flatMap { $0 }) < 1e-5)
        #expect(maxRelativeError(model.intercept.scalars(as: Double.self), fixture.doubles("intercept")) < 1e-5)
        #expect(maxRelativeError(try model.predict(tensor(test)).scalars(as: Double.self),
                                 fixture.matrix("test_predictions").flatMap { $0 }) < 1e-5)
    }

    /// The same problems in float32 agree to float32 precision.
    @Test func float32AgreesWithHimalaya() throws {
        let fixture = RidgeFixtures.named("himalaya_p8_neg_mse")
        let (x, y, _) = fixture.problem()
        let model = try Ridge.crossValidated(tensor(x, dtype: .float32), tensor(y, dtype: .float32),
                                             alphas: fixture.doubles("alphas"), score: .negativeMeanSquaredError)
        #expect(model.weights.dtype == .float32)
        #expect(maxRelativeError(model.weights.astype(.float64).scalars(as: Double.self),
                                 fixture.matrix("coef").flatMap { $0 }) < 1e-3)
    }
}

func nearestIndex(_ value: Double, in grid: [Double]) -> Int {
    grid.indices.min { abs(log(grid[$0]) - log(value)) < abs(log(grid[$1]) - log(value)) }!
}
