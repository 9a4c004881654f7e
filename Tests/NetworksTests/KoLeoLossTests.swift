import Autodiff
import Foundation
import Networks
import Tensors
import Testing

/// The KoLeo formula with loops: rows normalised, each row's nearest other row by cosine, −mean log distance.
func koLeoByLoops(_ rows: [[Double]]) -> Double {
    let epsilon = 1e-8
    let unit = rows.map { row -> [Double] in
        let norm = Swift.max(row.map { $0 * $0 }.reduce(0, +).squareRoot(), epsilon)
        return row.map { $0 / norm }
    }
    var total = 0.0
    for i in unit.indices {
        let others = unit.indices.filter { $0 != i }
        let dots = others.map { j in zip(unit[i], unit[j]).map { $0 * $1 }.reduce(0, +) }
        let nearest = others[dots.indices.max { dots[$0] < dots[$1] }!]
        let distance = zip(unit[i], unit[nearest]).map { ($0 - $1 + epsilon) * ($0 - $1 + epsilon) }
            .reduce(0, +).squareRoot()
        total += Foundation.log(distance + epsilon)
    }
    return -total / Double(rows.count)
}

@Suite struct KoLeoLossTests {
    @Test(arguments: [(2, 3), (3, 2), (5, 4), (8, 16), (17, 5)])
    func valueMatchesLoops(shape: (rows: Int, columns: Int)) throws {
        let features = try Tensor.randomNormal([shape.rows, shape.columns], seed: UInt64(shape.rows * 31 + shape.columns))
        let loss = try koLeoLoss(Variable(features)).value.item() as Double
        let expected = koLeoByLoops(dinoRows(features))
        #expect(abs(loss - expected) < 1e-12 * Swift.max(1, abs(expected)), "\(loss) vs \(expected)")
        // float32 features give the same value to float32 precision.
        let single = try koLeoLoss(Variable(features.astype(.float32))).value.astype(.float64).item() as Double
        #expect(abs(single - expected) < 1e-4 * Swift.max(1, abs(expected)))
    }

    @Test func gradientMatchesFiniteDifferences() throws {
        let features = try Tensor.randomNormal([6, 4], seed: 9)
        let leaf = Variable(features, requiresGradient: true)
        let gradient = try Variable.gradients(of: try koLeoLoss(leaf), with: [leaf])[0].scalars(as: Double.self)
        var values = features.scalars(as: Double.self)
        for index in values.indices {
            let saved = values[index]
            values[index] = saved + 1e-6
            let plus = koLeoByLoops(dinoRows(try Tensor(shape: [6, 4], scalars: values)))
            values[index] = saved - 1e-6
            let minus = koLeoByLoops(dinoRows(try Tensor(shape: [6, 4], scalars: values)))
            values[index] = saved
            #expect(abs((plus - minus) / 2e-6 - gradient[index]) < 1e-6, "element \(index)")
        }
    }

    @Test func spreadFeaturesCostLessThanClusteredOnes() throws {
        // Four orthogonal directions vs four rows close to one direction: the estimator of differential entropy
        // is larger (the loss smaller) for the spread batch.
        let spread = try Tensor(shape: [4, 4], scalars: [1.0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1])
        let clustered = try Tensor(shape: [4, 4], scalars: [1.0, 0.01, 0, 0, 1, 0, 0.02, 0, 1, 0, 0, 0.03, 1, 0.01,
                                                            0.01, 0])
        let spreadLoss = try koLeoLoss(Variable(spread)).value.item() as Double
        let clusteredLoss = try koLeoLoss(Variable(clustered)).value.item() as Double
        #expect(abs(spreadLoss + Foundation.log(2.0.squareRoot())) < 1e-7)
        #expect(clusteredLoss > spreadLoss + 3)
    }

    @Test func needsAMatrixOfAtLeastTwoRows() throws {
        #expect(dinoErrorText { _ = try koLeoLoss(Variable(try Tensor.zeros([1, 4]))) }
            == "koLeoLoss: features must be [n, d] with n ≥ 2, got [1, 4]")
        #expect(dinoErrorText { _ = try koLeoLoss(Variable(try Tensor.zeros([4]))) }
            == "koLeoLoss: features must be [n, d] with n ≥ 2, got [4]")
    }

    @Test func dinoTrainingWithKoLeoStaysFiniteAndTheTermReachesTheWeights() throws {
        let data = try SyntheticShapes.generate(count: 16, size: 16, classes: 4, seed: 7)
        var configuration = try trainerTinyDINO()
        configuration.koLeoWeight = 0.1
        let result = try train(try trainerTinyModel(), data: data.images, objective: .dino(configuration), steps: 3,
                               batch: 4, learningRate: StepSchedule(base: 1e-3, final: 1e-4), seed: 2)
        #expect(result.losses.count == 3 && result.losses.allSatisfy { $0.isFinite })
        // The same seed without KoLeo: the reported loss includes the term, and the term reaches the gradients
        // (the trained weights differ).
        let plain = try train(try trainerTinyModel(), data: data.images, objective: .dino(try trainerTinyDINO()),
                              steps: 3, batch: 4, learningRate: StepSchedule(base: 1e-3, final: 1e-4), seed: 2)
        #expect(plain.losses[0] != result.losses[0])
        let weights = { (run: TrainingResult) in run.student!.backbone.blocks[0].attention.qkv.weight.value }
        #expect(weights(plain).scalars(as: Float.self) != weights(result).scalars(as: Float.self))
    }
}
