import Alignment
import Tensors

/// The alignment toolkit's figures, named as in scripts/bench_peers/similarity.py (rsatoolbox and numpy peers).
func similarityBenchmarks() throws -> [Figure] {
    var figures: [Figure] = []
    // A correlation RDM of 1000 stimuli × 4096 features (a network layer), then its Spearman comparison with a
    // second RDM: rsatoolbox's calc_rdm(method='correlation') + compare(method='spearman').
    let activations = try Tensor.randomNormal([1000, 4096], seed: 11, dtype: .float32)
    let other = try RSA.rdm(try Tensor.randomNormal([1000, 64], seed: 12, dtype: .float32))
    figures.append(Figure(name: "rdm_correlation_1000x4096", seconds: try bestTime(repeats: 3) {
        _ = try RSA.rdm(activations, metric: .correlation)
    }))
    figures.append(Figure(name: "rdm_and_spearman_1000x4096", seconds: try bestTime(repeats: 3) {
        _ = try RSA.compare(try RSA.rdm(activations, metric: .correlation), other, method: .spearman)
    }))
    let first = try RSA.rdm(activations, metric: .correlation)
    figures.append(Figure(name: "spearman_compare_1000", seconds: try bestTime(repeats: 3) {
        _ = try RSA.compare(first, other, method: .spearman)
    }))
    // Linear CKA of two 5000 × 2048 float32 representations (Kornblith's feature-space formula in numpy).
    let x = try Tensor.randomNormal([5000, 2048], seed: 13, dtype: .float32)
    let y = try Tensor.randomNormal([5000, 2048], seed: 14, dtype: .float32)
    figures.append(Figure(name: "cka_linear_5000x2048", seconds: try bestTime(repeats: 3) {
        _ = try Similarity.cka(x, y)
    }))
    return figures
}
