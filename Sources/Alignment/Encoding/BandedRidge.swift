import Foundation
import Tensors

/// A banded ridge model: several feature bands (e.g. a vision layer, motion energy, word embeddings), each with its
/// own penalty per target, `min ‖Y − Σ_b X_b W_b‖² + Σ_b α_b ‖W_b‖²`.
public struct BandedRidgeModel: Sendable {
    /// `[p, t]`, rows ordered band after band (p = Σ band sizes); predictions are `[X_1 … X_B] · weights + intercept`.
    public let weights: Tensor
    /// `[t]`.
    public let intercept: Tensor
    public let bandSizes: [Int]
    /// `[B, t]` float64: himalaya's `deltas_`, `log(γ_b / α)`; the penalty of band b is `α_b = exp(−δ_b)`.
    public let deltas: Tensor
    /// `[t]` float64: the chosen α (the penalty applied to the γ-scaled features); NaN for targets with no score.
    public let alphas: Tensor
    /// `[B, t]` float64: the chosen band weights γ (on the simplex).
    public let bandWeights: Tensor
    /// `[n_iter, B]` float64: the band weights searched, in order.
    public let searchedBandWeights: Tensor
    /// `[n_iter, t]` float64: for each searched γ, the cross-validated score of the best α (mean over folds).
    public let cvScores: Tensor
    public let constantTargetCount: Int

    /// Predictions `[m, t]` from the bands `[m, p_b]` (same sizes and order as the fit).
    /// Throws `AlignmentError` when the number or widths of the bands differ from the fit.
    public func predict(_ bands: [Tensor]) throws -> Tensor {
        guard bands.count == bandSizes.count, zip(bands, bandSizes).allSatisfy({ $0.rank == 2 && $0.shape[1] == $1 })
        else {
            throw AlignmentError("predict", "expected \(bandSizes.count) bands of widths \(bandSizes), got shapes "
                                    + bands.map { formatShape($0.shape) }.joined(separator: ", "))
        }
        let x = try Tensor.concatenate(bands.map { $0.astype(weights.dtype) }, axis: 1)
        return try Tensor.matmul(x, weights) + intercept
    }
}

extension Ridge {
    /// Banded ridge by random search on the simplex, himalaya's `GroupRidgeCV(solver="random_search")`
    /// (`solve_group_ridge_random_search`): for each band weighting γ (γ_b ≥ 0, Σ γ_b = 1) the bands are scaled by
    /// `√γ_b` and an ordinary ridge is cross-validated over `alphas`; each target keeps the (γ, α) whose mean
    /// validation score beats its best so far by more than the dtype's epsilon (ties toward larger α by the
    /// `1e-10 · log α` slope, as himalaya). Weights are refit on all rows with each target's (γ, α) — one
    /// factorisation per distinct γ — and expressed for the unscaled bands (`W_b = √γ_b · W_b(scaled)`).
    ///
    /// - `bands`: B ≥ 1 tensors `[n, p_b]`. `y`: `[n, t]` or any `TargetSource`.
    /// - `bandWeights`: the γ to search, `[n_iter, B]` (rows are normalised to sum 1); when nil, `iterations` γ are
    ///   drawn from Dirichlet distributions cycling through `concentration` (himalaya's
    ///   `generate_dirichlet_samples`, with bm's generator seeded by `seed`: the same γ as himalaya only when passed
    ///   explicitly), the first replaced by the uniform weighting `1/B`.
    /// - other arguments as `crossValidated`. Defaults differ from himalaya's (`alphas=1`, no intercept, neg-MSE):
    ///   bm uses its ridge defaults (15 alphas, intercept, R²).
    /// Throws `AlignmentError` for no bands, bands with different row counts, γ of the wrong width, negative or all
    /// zero, `iterations` < 1, a concentration ≤ 0, and everything `crossValidated` throws.
    public static func bandedCrossValidated(
        _ bands: [Tensor], _ y: some TargetSource, alphas: [Double] = defaultRidgeAlphas, iterations: Int = 100,
        concentration: [Double] = [0.1, 1.0], bandWeights: Tensor? = nil, seed: UInt64 = 0,
        folds: CrossValidation = .kFold(5), fitIntercept: Bool = true, score: RidgeScore = .r2,
        solver: RidgeSolver = .automatic, nan: NaNPolicy = .refuse, targetBlockSize: Int? = nil, progress: Bool? = nil
    ) throws -> BandedRidgeModel {
        let operation = "banded_ridge_cv"
        guard !bands.isEmpty else { throw AlignmentError(operation, "no feature bands given") }
        for (index, band) in bands.enumerated() {
            guard band.rank == 2 else {
                throw AlignmentError(operation, "band \(index) must be [n, features], got shape \(formatShape(band.shape))")
            }
            guard band.shape[0] == bands[0].shape[0] else {
                throw AlignmentError(operation, "band \(index) has \(band.shape[0]) rows but band 0 has \(bands[0].shape[0])")
            }
        }
        let sizes = bands.map { $0.shape[1] }
        let gammas = try searchWeights(bandWeights, bandCount: bands.count, iterations: iterations,
                                       concentration: concentration, seed: seed, operation: operation)
        let allFloat32 = bands.allSatisfy { $0.dtype == .float32 }
        let x = try Tensor.concatenate(bands.map { $0.astype(allFloat32 ? .float32 : .float64) }, axis: 1)
        let setup = try RidgeSetup(x, y, alphas: alphas, folds: folds, solver: solver, nan: nan,
                                   targetBlockSize: targetBlockSize, operation: operation)
        if setup.dtype == .float32 {
            return try BandedSearch<Float>(setup: setup, sizes: sizes, gammas: gammas, source: y,
                                           fitIntercept: fitIntercept, score: score, progress: progress).run()
        }
        return try BandedSearch<Double>(setup: setup, sizes: sizes, gammas: gammas, source: y,
                                        fitIntercept: fitIntercept, score: score, progress: progress).run()
    }

    /// The γ rows to search: given (normalised) or Dirichlet samples as himalaya's `generate_dirichlet_samples`.
    static func searchWeights(_ given: Tensor?, bandCount: Int, iterations: Int, concentration: [Double], seed: UInt64,
                              operation: String) throws -> [[Double]] {
        if let given {
            guard given.rank == 2 && given.shape[1] == bandCount && given.shape[0] >= 1 else {
                throw AlignmentError(operation, "bandWeights must be [iterations, \(bandCount)], got shape "
                                        + formatShape(given.shape))
            }
            let values = given.astype(.float64).contiguous().scalars(as: Double.self)
            return try (0..<given.shape[0]).map { row in
                let weights = Array(values[(row * bandCount)..<((row + 1) * bandCount)])
                let total = weights.reduce(0, +)
                guard weights.allSatisfy({ $0 >= 0 && $0.isFinite }) && total > 0 else {
                    throw AlignmentError(operation, "bandWeights row \(row) must be finite, ≥ 0 and not all 0, "
                                            + "got \(weights)")
                }
                return weights.map { $0 / total }
            }
        }
        guard iterations >= 1 else { throw AlignmentError(operation, "iterations must be at least 1, got \(iterations)") }
        guard !concentration.isEmpty, concentration.allSatisfy({ $0 > 0 }) else {
            throw AlignmentError(operation, "concentration must be a non-empty list of values > 0, got \(concentration)")
        }
        var generator = RandomGenerator(seed: seed)
        let perConcentration = (iterations + concentration.count - 1) / concentration.count
        var samples = try concentration.map { value in
            try (0..<perConcentration).map { _ in try dirichlet(value, count: bandCount, generator: &generator) }
        }
        // Interleave concentrations ([a0, b0, a1, b1, …]) as himalaya does, keep `iterations`, start from uniform.
        var ordered: [[Double]] = []
        for index in 0..<perConcentration { for list in samples.indices { ordered.append(samples[list][index]) } }
        samples = []
        ordered = Array(ordered.prefix(iterations))
        ordered[0] = [Double](repeating: 1 / Double(bandCount), count: bandCount)
        return ordered
    }

    /// One Dirichlet(concentration, …, concentration) sample: normalised Gamma(concentration) draws (Marsaglia–Tsang,
    /// with the `U^(1/a)` boost below 1).
    static func dirichlet(_ concentration: Double, count: Int, generator: inout RandomGenerator) throws -> [Double] {
        func uniform() throws -> Double { try generator.uniform([1]).scalars(as: Double.self)[0] }
        func normal() throws -> Double { try generator.normal([1]).scalars(as: Double.self)[0] }
        func gamma(_ shape: Double) throws -> Double {
            if shape < 1 { return try gamma(shape + 1) * Foundation.pow(Swift.max(try uniform(), 1e-300), 1 / shape) }
            let d = shape - 1.0 / 3, c = 1 / (9 * d).squareRoot()
            while true {
                let z = try normal(), v = Foundation.pow(1 + c * z, 3)
                if v <= 0 { continue }
                let u = try uniform()
                if Foundation.log(Swift.max(u, 1e-300)) < 0.5 * z * z + d - d * v + d * Foundation.log(v) { return d * v }
            }
        }
        var draws = try (0..<count).map { _ in try gamma(concentration) }
        var total = draws.reduce(0, +)
        if !(total > 0) { draws = [Double](repeating: 1, count: count); total = Double(count) }
        return draws.map { $0 / total }
    }
}

/// The random search and refit of `bandedCrossValidated` for one compute dtype.
struct BandedSearch<T: TensorFloat> {
    let setup: RidgeSetup
    let sizes: [Int]
    let gammas: [[Double]]
    let source: any TargetSource
    let fitIntercept: Bool
    let score: RidgeScore
    let progress: Bool?

    /// The features with band b scaled by √γ_b.
    func scaled(_ gamma: [Double]) throws -> Tensor {
        var factors: [Double] = []
        for (size, weight) in zip(sizes, gamma) { factors += [Double](repeating: weight.squareRoot(), count: size) }
        return try (setup.features * Tensor(factors).astype(setup.dtype)).contiguous()
    }

    func run() throws -> BandedRidgeModel {
        let targetCount = source.targetCount, alphas = setup.alphas
        let epsilon = T.dtype == .float32 ? Double(Float.ulpOfOne) : Double.ulpOfOne
        var bestKey = [Double](repeating: -.infinity, count: targetCount)
        var bestGamma = [Int?](repeating: nil, count: targetCount)
        var bestAlpha = [Int](repeating: 0, count: targetCount)
        var cvScores = [Double](repeating: .nan, count: gammas.count * targetCount)
        var constant = [Bool](repeating: false, count: targetCount), omitted = constant
        var targetMeans: [Double]?
        let blockCount = (targetCount + setup.blockSize - 1) / Swift.max(setup.blockSize, 1)
        var bar = ProgressBar(label: setup.operation, total: gammas.count * setup.splits.count * blockCount
                                + blockCount * Swift.min(gammas.count, targetCount), enabled: progress)
        defer { bar.finish() }
        for (gammaIndex, gamma) in gammas.enumerated() {
            let engine = setup.engine(T.self, features: try scaled(gamma), source: source, fitIntercept: fitIntercept,
                                      score: score, progress: false)
            let scores = try engine.crossValidate(bar: &bar)
            constant = scores.constant
            omitted = scores.omitted
            targetMeans = scores.targetMeans
            let means = scores.means.pointer(Double.self)
            for target in 0..<targetCount {
                var key = -Double.infinity, choice: Int?
                for alphaIndex in alphas.indices {
                    let mean = means[alphaIndex * targetCount + target]
                    guard !mean.isNaN else { continue }
                    let candidate = mean + Foundation.log(alphas[alphaIndex]) * 1e-10
                    if candidate > key { key = candidate; choice = alphaIndex }
                }
                guard let choice else { continue }
                cvScores[gammaIndex * targetCount + target] = means[choice * targetCount + target]
                if key > bestKey[target] + epsilon {
                    bestKey[target] = key
                    bestGamma[target] = gammaIndex
                    bestAlpha[target] = choice
                }
            }
        }

        // Refit: one factorisation per distinct γ, over the targets that chose it.
        let featureCount = setup.features.shape[1]
        var weights = RidgeKernels.matrix(featureCount, targetCount, dtype: T.dtype)
        weights.makeUniqueContiguous()
        let output = weights.mutablePointer(T.self)
        var intercept = [Double](repeating: 0, count: targetCount)
        // Targets without a (γ, α) (constant ones) take the intercept of any refit: their mean. With no chosen γ at
        // all, one refit with γ₀ still provides it.
        var groups = Set(bestGamma.compactMap { $0 }).sorted()
        if groups.isEmpty { groups = [0] }
        for (groupIndex, gammaIndex) in groups.enumerated() {
            let gamma = gammas[gammaIndex]
            var rowScale: [T] = []
            for (size, weight) in zip(sizes, gamma) {
                rowScale += [T](repeating: T(fromDouble: weight.squareRoot()), count: size)
            }
            let chosen = (0..<targetCount).map { bestGamma[$0] == gammaIndex ? bestAlpha[$0] : nil }
            let engine = setup.engine(T.self, features: try scaled(gamma), source: source, fitIntercept: fitIntercept,
                                      score: score, progress: false)
            let groupIntercept = try engine.refit(blocks: engine.blocks, chosen: chosen, constant: constant,
                                                  omitted: omitted, targetMeans: targetMeans, bar: &bar) { range, block in
                let values = block.pointer(T.self), width = range.count
                for feature in 0..<featureCount {
                    for column in 0..<width where chosen[range.lowerBound + column] != nil {
                        output[feature * targetCount + range.lowerBound + column] =
                            values[feature * width + column] * rowScale[feature]
                    }
                }
            }
            let values = groupIntercept.astype(.float64).scalars(as: Double.self)
            for target in 0..<targetCount where chosen[target] != nil || (groupIndex == 0 && bestGamma[target] == nil) {
                intercept[target] = values[target]
            }
        }
        var deltas = [Double](repeating: .nan, count: sizes.count * targetCount)
        var chosenGammas = deltas
        for target in 0..<targetCount {
            guard let gammaIndex = bestGamma[target] else { continue }
            for band in sizes.indices {
                chosenGammas[band * targetCount + target] = gammas[gammaIndex][band]
                deltas[band * targetCount + target] = Foundation.log(gammas[gammaIndex][band] / alphas[bestAlpha[target]])
            }
        }
        return BandedRidgeModel(
            weights: weights, intercept: Tensor(intercept).astype(T.dtype), bandSizes: sizes,
            deltas: try Tensor(shape: [sizes.count, targetCount], scalars: deltas),
            alphas: Tensor((0..<targetCount).map { bestGamma[$0] == nil ? .nan : alphas[bestAlpha[$0]] }),
            bandWeights: try Tensor(shape: [sizes.count, targetCount], scalars: chosenGammas),
            searchedBandWeights: try Tensor(shape: [gammas.count, sizes.count], scalars: gammas.flatMap { $0 }),
            cvScores: try Tensor(shape: [gammas.count, targetCount], scalars: cvScores),
            constantTargetCount: constant.filter { $0 }.count)
    }
}
