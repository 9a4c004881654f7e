import Tensors

/// The tensor engine's figures, named as in scripts/bench_peers/tensors.py so that the driver can pair them.
func tensorBenchmarks() throws -> [Figure] {
    var figures: [Figure] = []
    let n = 10_000_000
    let a = try Tensor.randomUniform([n], low: -1, high: 1, seed: 1, dtype: .float32)
    let b = try Tensor.randomUniform([n], low: -1, high: 1, seed: 2, dtype: .float32)
    figures.append(Figure(name: "add_f32_1e7", seconds: try bestTime(repeats: 10) { _ = try a + b }))
    figures.append(Figure(name: "mul_f32_1e7", seconds: try bestTime(repeats: 10) { _ = try a * b }))
    figures.append(Figure(name: "sum_f32_1e7", seconds: try bestTime(repeats: 10) { _ = try a.sum() }))
    figures.append(Figure(name: "exp_f32_1e7", seconds: try bestTime(repeats: 5) { _ = try a.exp() }))
    let matrix = try Tensor.randomNormal([4000, 1000], seed: 3, dtype: .float32)
    figures.append(Figure(name: "sum_axis0_f32_4000x1000",
                          seconds: try bestTime(repeats: 10) { _ = try matrix.sum(axes: [0]) }))
    figures.append(Figure(name: "mean_axis1_f32_4000x1000",
                          seconds: try bestTime(repeats: 10) { _ = try matrix.mean(axes: [1]) }))
    return figures
}
