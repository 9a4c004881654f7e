import Foundation
import Tensors

/// How far apart two representations are after the best rotation.
public struct ProcrustesResult: Sendable, Equatable {
    /// `min_R ‖X − YR‖_F = √(2 − 2‖XᵀY‖_*)` over orthogonal R, for centred unit-norm X and Y: a metric.
    public let distance: Double
    /// `arccos ‖XᵀY‖_*` (Williams et al. 2021), in [0, π/2].
    public let angularDistance: Double
    /// scipy.spatial.procrustes's disparity `1 − ‖XᵀY‖²_*` (it also fits a scale).
    public let disparity: Double
}

extension Similarity {
    /// Orthogonal Procrustes comparison after centring each column and scaling each matrix to unit Frobenius
    /// norm. `‖XᵀY‖_*` (the nuclear norm: the sum of singular values) is the similarity of the best rotation.
    /// - Parameters: `x` [n, p], `y` [n, q]; p ≠ q is allowed (the smaller is implicitly zero-padded).
    /// - Throws: `AlignmentError` for non-2-D inputs, different n (both shapes named), non-finite values, or a
    ///   matrix that is constant across examples (its norm after centring is 0).
    public static func procrustes(_ x: Tensor, _ y: Tensor) throws -> ProcrustesResult {
        let operation = "procrustes"
        guard x.rank == 2, y.rank == 2 else {
            throw AlignmentError(operation, "X \(formatShape(x.shape)) and Y \(formatShape(y.shape)) must both be 2-D [examples, features]")
        }
        guard x.shape[0] == y.shape[0] else {
            throw AlignmentError(operation, "X \(formatShape(x.shape)) and Y \(formatShape(y.shape)) have different numbers of examples")
        }
        try requireFinite(x, "X", operation)
        try requireFinite(y, "Y", operation)
        let xc = try centredColumns(x.astype(.float64)), yc = try centredColumns(y.astype(.float64))
        let nx = frobeniusSquared(xc).squareRoot(), ny = frobeniusSquared(yc).squareRoot()
        guard nx > 0 else { throw AlignmentError(operation, "X is constant across examples: nothing to align") }
        guard ny > 0 else { throw AlignmentError(operation, "Y is constant across examples: nothing to align") }
        let singular = try Linalg.svdvals(Tensor.matmul(xc.transposed(), yc)).scalars(as: Double.self)
        let nuclear = Swift.min(1, singular.reduce(0, +) / (nx * ny))
        return ProcrustesResult(distance: Swift.max(0, 2 - 2 * nuclear).squareRoot(), angularDistance: acos(nuclear),
                                disparity: 1 - nuclear * nuclear)
    }
}
