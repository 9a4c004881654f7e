import Foundation
@testable import Alignment
import Tensors
import Testing

@Suite struct PRFTests {
    static let size = 20, extent = 10.0
    static let run = PRFSupport.mixedRun(size: size, extent: extent)

    @Test func predictionsMatchTheNaiveModel() throws {
        let stimulus = try PRFStimulus(apertures: Self.run, extent: Self.extent)
        let candidates = PRFSupport.planted + [PRFCandidate(x: 14, y: -14, sigma: 0.5)]
        let predictions = try stimulus.predictions(candidates).scalars(as: Double.self)
        for (column, candidate) in candidates.enumerated() {
            let naive = PRFSupport.naivePrediction(Self.run, extent: Self.extent, x: candidate.x, y: candidate.y, sigma: candidate.sigma)
            let single = stimulus.prediction(x: candidate.x, y: candidate.y, sigma: candidate.sigma)
            for t in 0..<stimulus.frames {
                #expect(abs(predictions[t * candidates.count + column] - naive[t]) <= 1e-9 * max(1, abs(naive[t])))
                #expect(abs(single[t] - naive[t]) <= 1e-9 * max(1, abs(naive[t])))
            }
        }
    }

    @Test func hrfConvolutionMatchesTheNaiveLoop() throws {
        let kernel = [0.1, 0.5, 0.3, -0.05, 0.02]
        let stimulus = try PRFStimulus(apertures: Self.run, extent: Self.extent, hrf: Tensor(kernel))
        let field = PRFSupport.planted[1]
        let expected = PRFSupport.convolve(PRFSupport.naivePrediction(Self.run, extent: Self.extent, x: field.x, y: field.y,
                                                                      sigma: field.sigma), kernel)
        let got = stimulus.prediction(x: field.x, y: field.y, sigma: field.sigma)
        for (a, b) in zip(got, expected) { #expect(abs(a - b) <= 1e-9 * max(1, abs(b))) }
    }

    /// The GEMM of unit-norm columns equals Pearson's r computed pair by pair, including views and float32.
    @Test(arguments: [(12, 5, 4), (30, 1, 7), (3, 6, 1), (50, 9, 9)])
    func gridCorrelationsMatchNaiveLoops(frames: Int, candidates: Int, vertices: Int) throws {
        var predictions = try Tensor.randomNormal([frames, candidates], seed: 3)
        // A constant column correlates 0 with everything.
        try predictions.set([.all, .index(0)], to: Tensor(scalar: 2.5))
        let base = try Tensor.randomNormal([vertices, frames], seed: 4).astype(.float32)
        let responses = base.transposed()
        let correlations = try PopulationReceptiveField.gridCorrelations(predictions: predictions, responses: responses)
        #expect(correlations.shape == [candidates, vertices])
        let p = predictions.scalars(as: Double.self), r = responses.astype(.float64).contiguous().scalars(as: Double.self)
        let c = correlations.scalars(as: Double.self)
        for g in 0..<candidates {
            for v in 0..<vertices {
                let a = (0..<frames).map { p[$0 * candidates + g] }, b = (0..<frames).map { r[$0 * vertices + v] }
                #expect(abs(c[g * vertices + v] - PRFSupport.pearson(a, b)) <= 1e-6)
            }
        }
    }

    @Test func gridOnlyFitRecoversPlantedGridPointsExactly() throws {
        let grid = try PRFGrid(xs: [-5, -2, 0, 3, 6], ys: [-4, 0, 2, 5], sigmas: [0.8, 1.5, 3])
        let planted = [PRFCandidate(x: 3, y: 2, sigma: 1.5), PRFCandidate(x: -5, y: -4, sigma: 3), PRFCandidate(x: 0, y: 5, sigma: 0.8)]
        let responses = PRFSupport.responses(Self.run, extent: Self.extent, planted: planted)
        let fit = try PopulationReceptiveField.fit(apertures: Self.run, responses: responses, extent: Self.extent,
                                                   grid: grid, refine: false)
        #expect(fit.x.scalars(as: Double.self) == planted.map(\.x))
        #expect(fit.y.scalars(as: Double.self) == planted.map(\.y))
        #expect(fit.sigma.scalars(as: Double.self) == planted.map(\.sigma))
        for (r2, gain, offset) in zip(fit.r2.scalars(as: Double.self), zip(fit.gain.scalars(as: Double.self), fit.offset.scalars(as: Double.self))).map({ ($0, $1.0, $1.1) }) {
            #expect(r2 > 1 - 1e-9)
            #expect(abs(gain - 2) < 1e-6)
            #expect(abs(offset - 5) < 1e-6)
        }
    }

    @Test func noiselessFitRecoversOffGridFields() throws {
        let responses = PRFSupport.responses(Self.run, extent: Self.extent, planted: PRFSupport.planted)
        let fit = try PopulationReceptiveField.fit(apertures: Self.run, responses: responses, extent: Self.extent)
        let (x, y, sigma, r2) = (fit.x.scalars(as: Double.self), fit.y.scalars(as: Double.self),
                                 fit.sigma.scalars(as: Double.self), fit.r2.scalars(as: Double.self))
        let angle = fit.angle.scalars(as: Double.self), eccentricity = fit.eccentricity.scalars(as: Double.self)
        for (vertex, field) in PRFSupport.planted.enumerated() {
            #expect(abs(x[vertex] - field.x) < 0.05, "vertex \(vertex) x \(x[vertex]) vs \(field.x)")
            #expect(abs(y[vertex] - field.y) < 0.05, "vertex \(vertex) y \(y[vertex]) vs \(field.y)")
            #expect(abs(sigma[vertex] / field.sigma - 1) < 0.03, "vertex \(vertex) sigma \(sigma[vertex]) vs \(field.sigma)")
            #expect(r2[vertex] > 0.999)
            #expect(abs(angle[vertex] - atan2(y[vertex], x[vertex]) * 180 / .pi) < 1e-9)
            #expect(abs(eccentricity[vertex] - hypot(x[vertex], y[vertex])) < 1e-9)
        }
    }

    @Test func noisyFitWithHRFRecoversFields() throws {
        let hrf = try HRF.kernel(tr: 1, oversampling: 1, timeLength: 20)
        let responses = PRFSupport.responses(Self.run, extent: Self.extent, planted: PRFSupport.planted, noise: 0.3,
                                             hrf: hrf.scalars(as: Double.self), seed: 7)
        let fit = try PopulationReceptiveField.fit(apertures: Self.run, responses: responses, extent: Self.extent, hrf: hrf)
        let (x, y, r2) = (fit.x.scalars(as: Double.self), fit.y.scalars(as: Double.self), fit.r2.scalars(as: Double.self))
        for (vertex, field) in PRFSupport.planted.enumerated() {
            let error = hypot(x[vertex] - field.x, y[vertex] - field.y)
            #expect(error < 1.0, "vertex \(vertex): centre off by \(error) degrees")
            #expect(r2[vertex] > 0.7, "vertex \(vertex): r2 \(r2[vertex])")
        }
        // The same responses fitted without the HRF explain less: the model's timing is wrong.
        let unconvolved = try PopulationReceptiveField.fit(apertures: Self.run, responses: responses, extent: Self.extent)
        #expect(try unconvolved.r2.mean().item() < fit.r2.mean().item())
    }

    /// The shuffled control: responses with their frames permuted carry no retinotopy, so the fit explains little
    /// and the centres are unrelated to the planted ones.
    @Test func permutedFramesAreNotRecovered() throws {
        let responses = PRFSupport.responses(Self.run, extent: Self.extent, planted: PRFSupport.planted, noise: 0.3, seed: 9)
        let order = try Tensor.randomPermutation(responses.shape[0], seed: 11).scalars(as: Int64.self).map(Int.init)
        let shuffled = try Tensor.stack(order.map { try responses.get([.index($0)]) }, axis: 0)
        let real = try PopulationReceptiveField.fit(apertures: Self.run, responses: responses, extent: Self.extent)
        let control = try PopulationReceptiveField.fit(apertures: Self.run, responses: shuffled, extent: Self.extent)
        let realR2 = real.r2.scalars(as: Double.self), controlR2 = control.r2.scalars(as: Double.self)
        #expect(realR2.min()! > 0.8)
        #expect(controlR2.max()! < 0.5, "control r2 \(controlR2)")
        let errors = zip(PRFSupport.planted, zip(control.x.scalars(as: Double.self), control.y.scalars(as: Double.self)))
            .map { hypot($1.0 - $0.x, $1.1 - $0.y) }
        #expect(errors.reduce(0, +) / Double(errors.count) > 2, "control centre errors \(errors)")
    }

    @Test func constantResponsesGiveNaN() throws {
        var responses = PRFSupport.responses(Self.run, extent: Self.extent, planted: Array(PRFSupport.planted.prefix(2)))
        try responses.set([.all, .index(1)], to: Tensor(scalar: 3.0))
        let fit = try PopulationReceptiveField.fit(apertures: Self.run, responses: responses, extent: Self.extent, refine: false)
        #expect(fit.r2.scalars(as: Double.self)[0].isFinite)
        for field in [fit.x, fit.y, fit.sigma, fit.angle, fit.eccentricity, fit.r2, fit.gain, fit.offset] {
            #expect(field.scalars(as: Double.self)[1].isNaN)
        }
    }

    @Test func standardGridSpansTheField() throws {
        let grid = try PRFGrid.standard(extent: 8, pixelSize: 0.5, positions: 5, sizes: 4)
        #expect(grid.xs == [-8, -4, 0, 4, 8])
        #expect(grid.count == 5 * 5 * 4)
        #expect(abs(grid.sigmas[0] - 0.4) < 1e-12 && abs(grid.sigmas[3] - 8) < 1e-12)
        #expect(grid.candidate(0) == PRFCandidate(x: -8, y: -8, sigma: grid.sigmas[0]))
        #expect(grid.candidate(4 * 4 + 3) == PRFCandidate(x: -8, y: 8, sigma: grid.sigmas[3]))
        #expect(grid.candidate(4 * 5 * 4 + 1) == PRFCandidate(x: 8, y: -8, sigma: grid.sigmas[1]))
    }

    static let errorCases: [(String, @Sendable () throws -> Void)] = [
        ("prf_fit: apertures must be [frames, height, width], got shape [4, 5]",
         { _ = try PRFStimulus(apertures: Tensor.zeros([4, 5]), extent: 10) }),
        ("prf_fit: apertures [2, 3, 3] need at least 3 frames, got 2",
         { _ = try PRFStimulus(apertures: Tensor.ones([2, 3, 3]), extent: 10) }),
        ("prf_fit: apertures [4, 0, 3] have no pixels", { _ = try PRFStimulus(apertures: Tensor.zeros([4, 0, 3]), extent: 10) }),
        ("prf_fit: apertures [4, 3, 3] are all zero: no frame stimulates any pixel",
         { _ = try PRFStimulus(apertures: Tensor.zeros([4, 3, 3]), extent: 10) }),
        ("prf_fit: extent must be a finite number of degrees > 0, got -2.0",
         { _ = try PRFStimulus(apertures: Tensor.ones([4, 3, 3]), extent: -2) }),
        ("prf_fit: hrf must be a 1-d kernel [taps] sampled once per frame, got shape [2, 2]",
         { _ = try PRFStimulus(apertures: Tensor.ones([4, 3, 3]), extent: 10, hrf: Tensor.ones([2, 2])) }),
        ("prf_fit: apertures hold NaN or infinite values",
         { _ = try PRFStimulus(apertures: Tensor.full([4, 3, 3], value: Double.nan), extent: 10) }),
        ("prf_fit: apertures have 98 frames but responses [90, 5] have 90 rows",
         { _ = try PopulationReceptiveField.fit(apertures: run, responses: Tensor.zeros([90, 5]), extent: 10) }),
        ("prf_fit: responses must be [frames, vertices], got shape [98]",
         { _ = try PopulationReceptiveField.fit(apertures: run, responses: Tensor.zeros([98]), extent: 10) }),
        ("prf_fit: responses hold NaN or infinite values",
         { _ = try PopulationReceptiveField.fit(apertures: run, responses: Tensor.full([98, 2], value: Double.infinity), extent: 10) }),
        ("prf_fit: the grid is empty: 0 x positions × 3 y positions × 2 sizes",
         { _ = try PRFGrid(xs: [], ys: [1, 2, 3], sigmas: [1, 2]) }),
        ("prf_fit: the grid is empty: 3 x positions × 3 y positions × 0 sizes",
         { _ = try PRFGrid(xs: [1, 2, 3], ys: [1, 2, 3], sigmas: []) }),
        ("prf_fit: grid sizes (sigma) must be > 0 degrees, got 0.0", { _ = try PRFGrid(xs: [1], ys: [1], sigmas: [1, 0]) }),
        ("prf_fit: the grid is empty: 0 positions per axis × 8 sizes",
         { _ = try PRFGrid.standard(extent: 10, pixelSize: 1, positions: 0) }),
        ("prf_fit: predictions [5, 2] and responses [4, 3] have different numbers of frames",
         { _ = try PopulationReceptiveField.gridCorrelations(predictions: Tensor.zeros([5, 2]), responses: Tensor.zeros([4, 3])) }),
    ]

    @Test(arguments: 0..<errorCases.count)
    func errorsNameTheProblem(index: Int) {
        let (message, body) = Self.errorCases[index]
        #expect(throws: AlignmentError.self) { try body() }
        do { try body() } catch { #expect(String(describing: error) == message) }
    }
}
