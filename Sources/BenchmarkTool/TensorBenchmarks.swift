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
    return figures + (try linearAlgebraBenchmarks())
}

/// matmul against the bare sgemm call, and the LAPACK decompositions numpy users lean on.
func linearAlgebraBenchmarks() throws -> [Figure] {
    var figures: [Figure] = []
    let size = 2048
    let x = try Tensor.randomNormal([size, size], seed: 4, dtype: .float32)
    let y = try Tensor.randomNormal([size, size], seed: 5, dtype: .float32)
    let flops = 2 * Double(size * size * size)
    let product = try bestTime { _ = try Tensor.matmul(x, y) }
    figures.append(Figure(name: "matmul_f32_2048", seconds: product, extra: ["gflops": flops / product / 1e9]))
    var output = [Float](repeating: 0, count: size * size)
    let raw = bestTime {
        output.withUnsafeMutableBufferPointer { buffer in
            Linalg.rawSGEMM(m: size, n: size, k: size, a: x.pointer(Float.self), b: y.pointer(Float.self),
                            c: buffer.baseAddress!)
        }
    }
    figures.append(Figure(name: "raw_sgemm_2048", seconds: raw,
                          extra: ["gflops": flops / raw / 1e9, "matmul_fraction_of_raw": raw / product]))
    let tall = try Tensor.randomNormal([4000, 1000], seed: 6)
    figures.append(Figure(name: "svd_f64_4000x1000", seconds: try bestTime(repeats: 3) { _ = try Linalg.svd(tall) }))
    let square = try Tensor.randomNormal([2000, 2000], seed: 7)
    let symmetric = try Tensor.matmul(square, square.transposed())
    figures.append(Figure(name: "eigh_f64_2000", seconds: try bestTime(repeats: 3) { _ = try Linalg.eigh(symmetric) }))
    return figures
}
