import Tensors

/// Where a ridge fit reads its targets (Y) from, one block of columns at a time, so that Y never has to be in memory
/// all at once (an HDF5 dataset of 200 000 voxels, say).
///
/// The fit reads each block once per cross-validation fold and once more for the refit; a source should therefore
/// make `targets(_:)` cheap to repeat (a column-block hyperslab read, a view of an in-memory tensor).
public protocol TargetSource {
    /// Number of rows (samples, time points); must equal the row count of X.
    var rowCount: Int { get }
    /// Number of targets (voxels, sensors, channels).
    var targetCount: Int { get }
    /// Targets `range` for every row: a float tensor of shape `[rowCount, range.count]`.
    func targets(_ range: Range<Int>) throws -> Tensor
    /// A block width that reads fastest in multiples (the column width of a chunked file's chunks); 1 when any.
    var blockAlignment: Int { get }
}

extension TargetSource {
    public var blockAlignment: Int { 1 }
}

/// A 2-d tensor `[n, t]` is a target source of `n` rows and `t` targets; a 1-d tensor `[n]` is one target.
extension Tensor: TargetSource {
    public var rowCount: Int { shape.first ?? 0 }
    public var targetCount: Int { rank == 1 ? 1 : (rank >= 2 ? shape[1] : 0) }

    /// A view of columns `range` (no copy). Throws `AlignmentError` when the tensor is not 1-d or 2-d.
    public func targets(_ range: Range<Int>) throws -> Tensor {
        switch rank {
        case 1: return try reshaped([shape[0], 1]).sliced(axis: 1, range)
        case 2: return try sliced(axis: 1, range)
        default:
            throw AlignmentError("ridge_cv", "Y must be [n, targets] (or [n]), got shape \(formatShape(shape))")
        }
    }
}
