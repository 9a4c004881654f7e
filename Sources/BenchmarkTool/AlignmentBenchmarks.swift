import Alignment
import Foundation
import Tensors

/// The encoding-model figures (scripts/bench_peers/alignment.py runs himalaya and scikit-learn on the same problem):
/// Ridge CV with a penalty per target, N = 2000 rows, P = 512 features, T = 10 000 targets, 15 alphas, 5 folds,
/// float32. Also the GEMM-bound floor (the fit's GEMM flops over the sgemm rate measured on the fit's shapes) and
/// the peak resident memory against the size of X and Y.
///
/// Timing: one small warm-up fit, then the streaming fit once and the in-memory fit twice (best kept); the peers
/// get a warm-up and one timed fit (theirs take tens of seconds).
/// The streaming fit (weights to a sink) runs first so that its peak RSS is measured before the in-memory model's.
func alignmentBenchmarks() throws -> [Figure] {
    let rows = 2000, features = 512, targets = 10_000, folds = 5
    let processBaseline = currentResidentBytes()
    let alphas = defaultRidgeAlphas
    let x = try Tensor.randomNormal([rows, features], seed: 11, dtype: .float32)
    let y = try syntheticTargets(x, targets: targets)
    let dataBytes = Double((rows * features + rows * targets) * 4)

    // Warm-up: a small fit, so that BLAS threads and page pools are up before timing.
    _ = try Ridge.crossValidated(try x.sliced(axis: 0, 0..<200), try y.get([.slice(start: 0, stop: 200, step: 1),
                                                                           .slice(start: 0, stop: 64, step: 1)]))
    let validation = rows / folds, training = rows - validation, rank = min(training, features)
    let ratesBefore = (projection: sgemmRate(m: rank, k: training, n: 2000),
                       prediction: sgemmRate(m: validation, k: rank, n: 2000),
                       refit: sgemmRate(m: rank, k: rows, n: 2000))
    let beforeFit = currentResidentBytes()
    resetPeakResident()

    var checksum: Float = 0
    let streamingStart = DispatchTime.now().uptimeNanoseconds
    let summary = try Ridge.fitStreaming(x, y, alphas: alphas, folds: .kFold(folds), progress: false) { _, block in
        checksum += block.pointer(Float.self)[0]
    }
    let streaming = seconds(since: streamingStart)
    let streamingPeak = peakResidentBytes()
    resetPeakResident()

    var inMemory = Double.infinity
    var model: RidgeModel?
    for _ in 0..<2 {
        model = nil
        let start = DispatchTime.now().uptimeNanoseconds
        model = try Ridge.crossValidated(x, y, alphas: alphas, folds: .kFold(folds), progress: false)
        inMemory = min(inMemory, seconds(since: start))
    }
    let inMemoryPeak = peakResidentBytes()
    precondition(model!.alphas.count == targets && summary.alphas.count == targets && checksum.isFinite)

    // The GEMM flops of the fit and the sgemm rate measured on the same shapes.
    let projectionFlops = Double(folds) * 2 * Double(rank * training) * Double(targets)
    let predictionFlops = Double(folds * alphas.count) * 2 * Double(validation * rank) * Double(targets)
    let refitFlops = 2 * Double(rank * rows) * Double(targets) + 2 * Double(features * rank) * Double(targets)
    // The rates are measured before and after the fits and the best kept: the machine is shared, and the floor
    // should be the least time the GEMMs could take.
    let projectionRate = max(ratesBefore.projection, sgemmRate(m: rank, k: training, n: 2000))
    let predictionRate = max(ratesBefore.prediction, sgemmRate(m: validation, k: rank, n: 2000))
    let refitRate = max(ratesBefore.refit, sgemmRate(m: rank, k: rows, n: 2000))
    let floor = projectionFlops / projectionRate + predictionFlops / predictionRate + refitFlops / refitRate
    let totalFlops = projectionFlops + predictionFlops + refitFlops

    let common: [String: Double] = ["gemm_floor_seconds": floor, "gflop": totalFlops / 1e9,
                                    "data_mib": dataBytes / 1048576]
    return [
        // The same measurement under each peer's name, so that scripts/bench prints both ratios.
        Figure(name: "ridge_cv_vs_himalaya", seconds: inMemory,
               extra: common.merging(["fraction_of_floor": inMemory / floor]) { a, _ in a }),
        Figure(name: "ridge_cv_vs_sklearn", seconds: inMemory),
        // Peak RSS during each fit (the high-water mark is reset before it), against X + Y; and the same without
        // the process's own baseline before any data existed (runtime, BLAS buffers).
        Figure(name: "ridge_cv_streaming", seconds: streaming,
               extra: ["peak_rss_mib": streamingPeak / 1048576, "peak_rss_over_data": streamingPeak / dataBytes,
                       "peak_minus_process_baseline_over_data": (streamingPeak - processBaseline) / dataBytes,
                       "data_plus_fit_working_memory_over_data": (dataBytes + streamingPeak - beforeFit) / dataBytes,
                       "fraction_of_floor": streaming / floor]),
        Figure(name: "ridge_cv_in_memory_peak", seconds: inMemory,
               extra: ["peak_rss_mib": inMemoryPeak / 1048576, "peak_rss_over_data": inMemoryPeak / dataBytes,
                       "process_baseline_mib": processBaseline / 1048576, "rss_before_fit_mib": beforeFit / 1048576,
                       "peak_minus_process_baseline_over_data": (inMemoryPeak - processBaseline) / dataBytes,
                       "data_plus_fit_working_memory_over_data": (dataBytes + inMemoryPeak - beforeFit) / dataBytes,
                       "peak_rss_over_data_and_weights": inMemoryPeak / (dataBytes + Double(features * targets * 4))]),
        Figure(name: "gemm_floor", seconds: floor,
               extra: ["sgemm_gflops_projection": projectionRate / 1e9, "sgemm_gflops_prediction": predictionRate / 1e9,
                       "sgemm_gflops_refit": refitRate / 1e9]),
    ]
}

private func seconds(since start: UInt64) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// Y = X W + noise, built in place block by block so that no [n, t] temporary beyond Y itself is allocated.
private func syntheticTargets(_ x: Tensor, targets: Int) throws -> Tensor {
    let rows = x.shape[0]
    var y = try Tensor.randomNormal([rows, targets], std: 2, seed: 12, dtype: .float32)
    y.makeUniqueContiguous()
    let output = y.mutablePointer(Float.self)
    for start in stride(from: 0, to: targets, by: 1000) {
        let width = min(1000, targets - start)
        let weights = try Tensor.randomNormal([x.shape[1], width], std: 0.05, seed: UInt64(100 + start),
                                              dtype: .float32)
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

/// Resets the kernel's resident high-water mark (VmHWM) to the current RSS (Linux: "5" to /proc/self/clear_refs).
private func resetPeakResident() {
    if let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") {
        handle.write("5".data(using: .utf8)!)
        try? handle.close()
    }
}
