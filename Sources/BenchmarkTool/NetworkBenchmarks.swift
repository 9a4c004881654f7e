import Autodiff
import Dispatch
import Foundation
import Networks
import Tensors

/// The vision transformer's figures, named as in scripts/bench_peers/networks.py (JAX on the CPU): forward and
/// forward+backward (gradient of mean(tokens²) with respect to every parameter) of two DINOv2-style models, one AdamW
/// step on their parameters, and the peak resident memory of each model's measurements.
/// `models` selects "vit_small" (depth 4, width 64, 4 heads, 32×32 images, patch 4, batch 64) and "vit_s16"
/// (ViT-S/16 at 224×224, batch 8); the `networks_small` and `networks_s16` suites run one each.
func networkBenchmarks(models: Set<String> = ["vit_small", "vit_s16"]) throws -> [Figure] {
    var figures: [Figure] = []
    if models.contains("vit_small") {
        figures += try visionTransformerFigures(name: "vit_small", imageSize: 32, patchSize: 4, width: 64, depth: 4,
                                                heads: 4, batch: 64, repeats: 15, forward: true)
    }
    if models.contains("vit_s16") {
        figures += try visionTransformerFigures(name: "vit_s16", imageSize: 224, patchSize: 16, width: 384,
                                                depth: 12, heads: 6, batch: 8, repeats: 3, forward: false)
    }
    return figures
}

/// One warm-up call, then the median of `repeats` calls (the peer measures the same way).
func medianTime(repeats: Int, _ body: () throws -> Void) rethrows -> Double {
    try body()
    var times: [Double] = []
    for _ in 0..<repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    times.sort()
    return times.count % 2 == 1 ? times[times.count / 2]
        : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
}

/// Resets the kernel's peak resident set size of this process (VmHWM), so that each model's peak is its own.
func resetPeakResidentBytes() {
    try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
}

func visionTransformerFigures(name: String, imageSize: Int, patchSize: Int, width: Int, depth: Int, heads: Int,
                              batch: Int, repeats: Int, forward: Bool) throws -> [Figure] {
    resetPeakResidentBytes()
    var figures: [Figure] = []
    let model = try VisionTransformer(imageSize: imageSize, patchSize: patchSize, width: width, depth: depth,
                                      heads: heads, seed: 0)
    let images = try Tensor.randomNormal([batch, 3, imageSize, imageSize], seed: 1, dtype: .float32)
    if forward {
        let seconds = try medianTime(repeats: repeats) { _ = try model(images, in: ForwardPass()) }
        figures.append(Figure(name: "\(name)_forward", seconds: seconds,
                              extra: ["images_per_second": Double(batch) / seconds]))
    }
    func lossAndGradients() throws -> [(name: String, gradient: Tensor)] {
        let pass = ForwardPass(recordsGradients: true)
        let loss = try model(images, in: pass).square().mean()
        return try pass.gradients(of: loss, for: model)
    }
    let seconds = try medianTime(repeats: repeats) { _ = try lossAndGradients() }
    figures.append(Figure(name: "\(name)_forward_backward", seconds: seconds,
                          extra: ["images_per_second": Double(batch) / seconds]))
    let gradients = try lossAndGradients()
    let optimizer = try AdamW(model, learningRate: 1e-3, weightDecay: 0.05)
    figures.append(Figure(name: "\(name)_adamw_step", seconds: try medianTime(repeats: repeats) {
        try optimizer.step(gradients)
    }, extra: ["parameters": Double(model.parameterCount)]))
    figures.append(Figure(name: "peak_rss_\(name)", seconds: 0, extra: ["bytes": peakResidentBytes()]))
    return figures
}
