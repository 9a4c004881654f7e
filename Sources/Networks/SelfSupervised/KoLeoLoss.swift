import Autodiff
import Tensors

/// DINOv2's KoLeo regulariser (the Kozachenko–Leonenko differential-entropy estimator of Sablayrolles et al. 2019,
/// "Spreading vectors for similarity search"), which spreads a batch's features over the sphere. With features
/// x `[n, d]`:
///
///     x̂_i = x_i / max(‖x_i‖, ε)
///     nn(i) = argmax_{j ≠ i} x̂_i · x̂_j          (nearest other row; no gradient flows through the choice)
///     loss = −1/n · Σ_i log(‖x̂_i − x̂_nn(i) + ε‖ + ε)
///
/// ε = 1e-8, as DINOv2's `KoLeoLoss` (whose `PairwiseDistance` adds ε to the difference). DINOv2 adds
/// 0.1 · KoLeo of each global crop's student class tokens (before the head) to the DINO loss; without it a short
/// run concentrates the class tokens on a few directions (docs/training.md).
/// Throws `shapeMismatch` unless `features` is `[n, d]` with n ≥ 2.
public func koLeoLoss(_ features: Variable, epsilon: Double = 1e-8) throws -> Variable {
    guard features.value.shape.count == 2, features.value.shape[0] >= 2 else {
        throw TensorError(.shapeMismatch, "koLeoLoss", "features must be [n, d] with n ≥ 2, got "
                          + "\(features.value.shape)")
    }
    let n = features.value.shape[0]
    let norms = try features.square().sum(axes: [1], keepDims: true).sqrt()
    let unit = try features / norms.clipped(min: epsilon)
    // Nearest neighbours from the values alone: the diagonal is pushed below every cosine (≥ −1).
    let similarities = try Tensor.matmul(unit.value, unit.value.transposed()).astype(.float64).scalars(as: Double.self)
    var nearest = [Int64](repeating: 0, count: n)
    for i in 0..<n {
        var best = -Double.infinity
        for j in 0..<n where j != i && similarities[i * n + j] > best {
            (best, nearest[i]) = (similarities[i * n + j], Int64(j))
        }
    }
    let neighbours = try unit.take(try Tensor(shape: [n], scalars: nearest), axis: 0)
    let distances = try (unit - neighbours + epsilon).square().sum(axes: [1]).sqrt()
    return try (distances + epsilon).log().mean().negated()
}
