import Alignment
import Datasets
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Tensors

/// The encoding-model figures (scripts/bench_peers/alignment.py runs himalaya and scikit-learn on the same problems):
///
/// - Ridge CV with a penalty per target, N = 2000 rows, P = 512 features, T = 10 000 targets, 15 alphas, 5 folds,
///   float32; the GEMM-bound floor (the fit's GEMM flops over the sgemm rate measured on the fit's shapes) and the
///   peak resident memory against the size of X and Y.
/// - Banded ridge, three bands of 256/128/128 features, the same N and T, 20 random-search band weightings (the same
///   ones for himalaya: they are handed over through `BM_BENCH_EXCHANGE`, with the data and bm's held-out scores,
///   so that the peer checks that the answers agree).
/// - With `BM_BENCH_LARGE=path.h5` (written by scripts/bench_peers/alignment_large.py): N = 8000, P = 1024,
///   T = 50 000 in memory, and all targets of the file (T = 200 000) streamed from HDF5.
///
/// Timing: one small warm-up fit, then the streaming fit once and the in-memory fit twice (best kept); the peers
/// get a warm-up and one timed fit (theirs take tens of seconds).
/// The streaming fit (weights to a sink) runs first so that its peak RSS is measured before the in-memory model's.
func alignmentBenchmarks() throws -> [Figure] {
    if let path = ProcessInfo.processInfo.environment["BM_BENCH_LARGE"] {
        return try largeAlignmentBenchmarks(path)
    }
    // BM_BENCH_ALIGNMENT_PARTS=ridge (or banded) runs one part only, for quicker iterations.
    let parts = ProcessInfo.processInfo.environment["BM_BENCH_ALIGNMENT_PARTS"]?.split(separator: ",").map(String.init)
        ?? ["ridge", "banded"]
    var figures: [Figure] = []
    if parts.contains("ridge") { figures += try ridgeBenchmarks() }
    if parts.contains("banded") { figures += try bandedRidgeBenchmarks() }
    return figures
}

func ridgeBenchmarks() throws -> [Figure] {
    let rows = 2000, features = 512, targets = 10_000, folds = 5
    let processBaseline = currentResidentBytes()
    let alphas = defaultRidgeAlphas
    let x = try Tensor.randomNormal([rows, features], seed: 11, dtype: .float32)
    let y = try syntheticTargets(x, targets: targets, scales: [Double](repeating: 0.05, count: features))
    let dataBytes = Double((rows * features + rows * targets) * 4)
    // BM_BENCH_RIDGE_BLOCK=b fits with b targets per block instead of the default (to compare block sizes).
    let blockSize = ProcessInfo.processInfo.environment["BM_BENCH_RIDGE_BLOCK"].flatMap { Int($0) }

    // Warm-up: a small fit, so that BLAS threads and page pools are up before timing.
    _ = try Ridge.crossValidated(try x.sliced(axis: 0, 0..<200), try y.get([.slice(start: 0, stop: 200, step: 1),
                                                                           .slice(start: 0, stop: 64, step: 1)]))
    releaseFreedMemory()
    let beforeFit = currentResidentBytes()
    resetPeakResident()

    var checksum: Float = 0
    let streamingStart = DispatchTime.now().uptimeNanoseconds
    let summary = try Ridge.fitStreaming(x, y, alphas: alphas, folds: .kFold(folds), targetBlockSize: blockSize,
                                         progress: false) { _, block in
        checksum += block.pointer(Float.self)[0]
    }
    let streaming = seconds(since: streamingStart)
    let streamingPeak = peakResidentBytes()
    // The in-memory fits start from the same state: the streaming fit's freed memory handed back, the
    // high-water mark reset to the RSS measured here.
    releaseFreedMemory()
    let beforeInMemory = currentResidentBytes()
    resetPeakResident()

    var inMemory = Double.infinity
    var model: RidgeModel?
    for _ in 0..<2 {
        model = nil
        let start = DispatchTime.now().uptimeNanoseconds
        model = try Ridge.crossValidated(x, y, alphas: alphas, folds: .kFold(folds), targetBlockSize: blockSize,
                                         progress: false)
        inMemory = min(inMemory, seconds(since: start))
    }
    let inMemoryPeak = peakResidentBytes()
    precondition(model!.alphas.count == targets && summary.alphas.count == targets && checksum.isFinite)

    // The GEMM flops of the fit and the sgemm rate measured on the same shapes (after the fits, so that the
    // measurement's buffers are not in the fits' resident memory; best of three, the machine being shared).
    let validation = rows / folds, training = rows - validation, rank = min(training, features)
    let projectionFlops = Double(folds) * 2 * Double(rank * training) * Double(targets)
    let predictionFlops = Double(folds * alphas.count) * 2 * Double(validation * rank) * Double(targets)
    let refitFlops = 2 * Double(rank * rows) * Double(targets) + 2 * Double(features * rank) * Double(targets)
    let projectionRate = sgemmRate(m: rank, k: training, n: 2000)
    let predictionRate = sgemmRate(m: validation, k: rank, n: 2000)
    let refitRate = sgemmRate(m: rank, k: rows, n: 2000)
    let floor = projectionFlops / projectionRate + predictionFlops / predictionRate + refitFlops / refitRate
    // The factorisations' GEMMs (XᵀX in float64 and U = X V per fold and for the refit) at the same rate: the
    // floor of everything but the eigendecompositions.
    let factorisationFlops = Double(folds + 1) * (2 * Double(training * features * features)
                                                  + 2 * Double(training * features * rank))
    let floorWithFactorisations = floor + factorisationFlops / projectionRate
    let totalFlops = projectionFlops + predictionFlops + refitFlops

    let common: [String: Double] = ["gemm_floor_seconds": floor, "gflop": totalFlops / 1e9,
                                    "data_mib": dataBytes / 1048576,
                                    "fraction_of_floor_with_factorisations": inMemory / floorWithFactorisations]
    return [
        // The same measurement under each peer's name, so that scripts/bench prints both ratios.
        Figure(name: "ridge_cv_vs_himalaya", seconds: inMemory,
               extra: common.merging(["fraction_of_floor": inMemory / floor]) { a, _ in a }),
        Figure(name: "ridge_cv_vs_sklearn", seconds: inMemory),
        // Memory of each fit (the allocator's free lists trimmed and the RSS high-water mark reset just before it):
        // fit_peak_over_data = (X + Y + peak − RSS before the fit) / (X + Y), the issue's "peak RSS of the fit
        // relative to X and Y" (the runtime's own baseline left out); process_peak_over_data is the whole
        // process's peak RSS over X + Y (runtime, libraries and everything else resident included).
        Figure(name: "ridge_cv_streaming", seconds: streaming,
               extra: memoryFigures(peak: streamingPeak, before: beforeFit, baseline: processBaseline,
                                    data: dataBytes).merging(["fraction_of_floor": streaming / floor]) { a, _ in a }),
        Figure(name: "ridge_cv_in_memory_peak", seconds: inMemory,
               extra: memoryFigures(peak: inMemoryPeak, before: beforeInMemory, baseline: processBaseline,
                                    data: dataBytes, weights: Double(features * targets * 4))),
        Figure(name: "gemm_floor", seconds: floor,
               extra: ["sgemm_gflops_projection": projectionRate / 1e9, "sgemm_gflops_prediction": predictionRate / 1e9,
                       "sgemm_gflops_refit": refitRate / 1e9, "floor_with_factorisations": floorWithFactorisations]),
    ]
}

/// The memory figures of one fit, in MiB and as ratios to X + Y (`data` bytes): the process's peak RSS, the RSS
/// just before the fit (runtime baseline + X + Y + whatever else is resident), the fit's increase over it, and
/// with `weights` (the returned `[p, t]` matrix, part of the increase) the same against X + Y + weights.
func memoryFigures(peak: Double, before: Double, baseline: Double, data: Double, weights: Double? = nil)
    -> [String: Double]
{
    let mebibyte = 1048576.0
    var figures = ["process_peak_rss_mib": peak / mebibyte, "rss_before_fit_mib": before / mebibyte,
                   "process_baseline_mib": baseline / mebibyte, "data_mib": data / mebibyte,
                   "fit_increase_mib": (peak - before) / mebibyte,
                   "fit_peak_over_data": (data + peak - before) / data,
                   "process_peak_over_data": peak / data]
    if let weights {
        figures["weights_mib"] = weights / mebibyte
        figures["fit_peak_over_data_and_weights"] = (data + peak - before) / (data + weights)
        figures["fit_increase_without_weights_mib"] = (peak - before - weights) / mebibyte
    }
    return figures
}

/// Banded ridge with three bands (256/128/128 features) on N = 2000 training rows, T = 10 000, 20 band weightings,
/// 15 alphas, 5 folds, neg-MSE (himalaya's default) — timed once after a small warm-up. 500 further rows from the
/// same model are held out: bm's held-out R² per target goes to the exchange folder with the data and the γ, and
/// the peer compares himalaya's.
func bandedRidgeBenchmarks() throws -> [Figure] {
    let training = 2000, heldOut = 500, rows = training + heldOut, targets = 10_000, iterations = 20
    let sizes = [256, 128, 128]
    let features = sizes.reduce(0, +)
    let x = try Tensor.randomNormal([rows, features], seed: 31, dtype: .float32)
    // The first band carries most of the signal, the second some, the third none: γ matters.
    let scales = sizes.enumerated().flatMap { band, size in [Double](repeating: [0.06, 0.03, 0][band], count: size) }
    let y = try syntheticTargets(x, targets: targets, scales: scales)
    var starts = [0]
    for size in sizes { starts.append(starts.last! + size) }
    func bands(_ rowRange: Range<Int>) throws -> [Tensor] {
        try sizes.indices.map { band in
            try x.get([.slice(start: rowRange.lowerBound, stop: rowRange.upperBound, step: 1),
                       .slice(start: starts[band], stop: starts[band + 1], step: 1)]).contiguous()
        }
    }
    let trainBands = try bands(0..<training), testBands = try bands(training..<rows)
    let yTrain = try y.sliced(axis: 0, 0..<training).contiguous()
    let yTest = try y.sliced(axis: 0, training..<rows).contiguous()
    _ = try Ridge.bandedCrossValidated(try trainBands.map { try $0.sliced(axis: 0, 0..<200) },
                                       try yTrain.get([.slice(start: 0, stop: 200, step: 1),
                                                       .slice(start: 0, stop: 64, step: 1)]),
                                       iterations: 2, score: .negativeMeanSquaredError, progress: false)
    // bm's own Dirichlet draws (seeded); the peer is handed the same γ (`searchedBandWeights`).
    let start = DispatchTime.now().uptimeNanoseconds
    let model = try Ridge.bandedCrossValidated(trainBands, yTrain, iterations: iterations, seed: 5,
                                               folds: .kFold(5), score: .negativeMeanSquaredError, progress: false)
    let elapsed = seconds(since: start)
    let heldOutScores = try r2PerColumn(truth: yTest, prediction: try model.predict(testBands))
    if let folder = ProcessInfo.processInfo.environment["BM_BENCH_EXCHANGE"] {
        try NPY.save(folder + "/banded_x.npy", x)
        try NPY.save(folder + "/banded_y.npy", y)
        try NPY.save(folder + "/banded_gammas.npy", model.searchedBandWeights)
        try NPY.save(folder + "/banded_bm_test_r2.npy", Tensor(heldOutScores))
        try NPY.save(folder + "/banded_bm_cv_scores.npy", model.cvScores)
    }
    let finite = heldOutScores.filter(\.isFinite)
    return [Figure(name: "banded_ridge_vs_himalaya", seconds: elapsed,
                   extra: ["mean_held_out_r2": finite.reduce(0, +) / Double(max(finite.count, 1))])]
}

/// N = 8000, P = 1024: T = 50 000 targets read from the HDF5 file into memory and fitted (`crossValidated`, weights
/// kept), then every target of the file streamed from disk (`fitStreaming`, weights to a sink), each with its peak
/// RSS against X + Y (Y as the in-memory tensor, or the one block of the streamed fit) and the RSS high-water mark
/// reset before it.
func largeAlignmentBenchmarks(_ path: String) throws -> [Figure] {
    let processBaseline = currentResidentBytes()
    let file = try HDF5File.open(path)
    let x = try file.dataset("x").read()
    let source = try HDF5TargetSource(try file.dataset("y"))
    let rows = x.shape[0], features = x.shape[1]
    let inMemoryTargets = min(50_000, source.targetCount)
    var figures: [Figure] = []
    // Warm-up on a corner of the data.
    _ = try Ridge.crossValidated(try x.sliced(axis: 0, 0..<400), try source.targets(0..<64).sliced(axis: 0, 0..<400),
                                 progress: false)

    do {
        let y = try source.targets(0..<inMemoryTargets).contiguous()
        let dataBytes = Double(x.count * 4 + y.count * 4)
        releaseFreedMemory()
        let before = currentResidentBytes()
        resetPeakResident()
        let start = DispatchTime.now().uptimeNanoseconds
        let model = try Ridge.crossValidated(x, y, progress: false)
        let elapsed = seconds(since: start)
        let peak = peakResidentBytes()
        precondition(model.alphas.count == inMemoryTargets)
        figures.append(Figure(name: "ridge_cv_large_in_memory", seconds: elapsed,
                              extra: memoryFigures(peak: peak, before: before, baseline: processBaseline,
                                                   data: dataBytes, weights: Double(features * inMemoryTargets * 4))
                                .merging(["rows": Double(rows), "features": Double(features),
                                          "targets": Double(inMemoryTargets)]) { a, _ in a }))
    }
    releaseFreedMemory()
    let before = currentResidentBytes()
    resetPeakResident()
    var checksum: Float = 0
    let start = DispatchTime.now().uptimeNanoseconds
    let summary = try Ridge.fitStreaming(x, source, progress: false) { _, block in
        checksum += block.pointer(Float.self)[0]
    }
    let elapsed = seconds(since: start)
    let peak = peakResidentBytes()
    precondition(summary.alphas.count == source.targetCount && checksum.isFinite)
    figures.append(Figure(name: "ridge_cv_large_streamed_hdf5", seconds: elapsed,
                          extra: ["targets": Double(source.targetCount), "peak_rss_mib": peak / 1048576,
                                  "rss_before_fit_mib": before / 1048576,
                                  "y_on_disk_mib": Double(rows * source.targetCount * 4) / 1048576]))
    return figures
}

/// R² per column of `truth` `[m, t]` (the held-out rows' own mean in the denominator, as scikit-learn).
private func r2PerColumn(truth: Tensor, prediction: Tensor) throws -> [Double] {
    let m = truth.shape[0], t = truth.shape[1]
    let y = truth.astype(.float64).contiguous(), p = prediction.astype(.float64).contiguous()
    let yv = y.pointer(Double.self), pv = p.pointer(Double.self)
    var means = [Double](repeating: 0, count: t), residual = means, total = means
    for row in 0..<m { for column in 0..<t { means[column] += yv[row * t + column] / Double(m) } }
    for row in 0..<m {
        for column in 0..<t {
            let value = yv[row * t + column]
            residual[column] += (value - pv[row * t + column]) * (value - pv[row * t + column])
            total[column] += (value - means[column]) * (value - means[column])
        }
    }
    return (0..<t).map { total[$0] > 0 ? 1 - residual[$0] / total[$0] : .nan }
}

private func seconds(since start: UInt64) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// Y = X W + noise with `W[f, :] ~ N(0, scales[f]²)`, built in place block by block so that no [n, t] temporary
/// beyond Y itself is allocated.
private func syntheticTargets(_ x: Tensor, targets: Int, scales: [Double]) throws -> Tensor {
    let rows = x.shape[0]
    var y = try Tensor.randomNormal([rows, targets], std: 2, seed: 12, dtype: .float32)
    y.makeUniqueContiguous()
    let output = y.mutablePointer(Float.self)
    let featureScales = try Tensor(shape: [x.shape[1], 1], scalars: scales).astype(.float32)
    for start in stride(from: 0, to: targets, by: 1000) {
        let width = min(1000, targets - start)
        let weights = try Tensor.randomNormal([x.shape[1], width], seed: UInt64(100 + start), dtype: .float32)
            * featureScales
        let signal = try Tensor.matmul(x, weights)
        let values = signal.pointer(Float.self)
        for row in 0..<rows {
            for column in 0..<width { output[row * targets + start + column] += values[row * width + column] }
        }
    }
    return y
}

/// Best-of-3 sgemm rate (flop/s) of the bare BLAS call `[m, k] @ [k, n]`.
private func sgemmRate(m: Int, k: Int, n: Int) -> Double {
    let a = (try? Tensor.randomNormal([m, k], seed: 21, dtype: .float32))!
    let b = (try? Tensor.randomNormal([k, n], seed: 22, dtype: .float32))!
    var c = [Float](repeating: 0, count: m * n)
    let time = bestTime(repeats: 3) {
        c.withUnsafeMutableBufferPointer { buffer in
            Linalg.rawSGEMM(m: m, n: n, k: k, a: a.pointer(Float.self), b: b.pointer(Float.self), c: buffer.baseAddress!)
        }
    }
    return 2 * Double(m * n * k) / time
}

/// Current resident memory (VmRSS) in bytes.
private func currentResidentBytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        return (line.split(separator: " ").compactMap { Double($0) }.first ?? 0) * 1024
    }
    return 0
}

/// Hands the allocator's free lists back to the system (glibc `malloc_trim`), so that memory freed after building
/// the data (random draws, temporaries) is not counted in the fit's resident peak.
private func releaseFreedMemory() {
    #if canImport(Glibc)
    // Not in Swift's Glibc module: looked up in the C library the process already has loaded.
    if let symbol = dlsym(dlopen(nil, RTLD_NOW), "malloc_trim") {
        typealias Trim = @convention(c) (Int) -> Int32
        _ = unsafeBitCast(symbol, to: Trim.self)(0)
    }
    #endif
}

/// Resets the kernel's resident high-water mark (VmHWM) to the current RSS (Linux: "5" to /proc/self/clear_refs).
private func resetPeakResident() {
    if let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") {
        handle.write("5".data(using: .utf8)!)
        try? handle.close()
    }
}
