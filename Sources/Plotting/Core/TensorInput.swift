import Tensors

/// Conversions of user tensors into the plain arrays marks store, with the shape checks and messages in one place.
enum TensorInput {
    /// The values of a 1-D tensor as Doubles. Throws when `tensor` is not 1-D.
    static func vector(_ tensor: Tensor, name: String, operation: String) throws -> [Double] {
        guard tensor.rank == 1 else {
            throw PlottingError(operation, "\(name) must be 1-D, got shape \(formatShape(tensor.shape))")
        }
        return tensor.scalars(as: Double.self)
    }

    /// A 1-D tensor whose length must equal `count` (the length of `reference`).
    static func vector(_ tensor: Tensor, name: String, matching count: Int, reference: String,
                       operation: String) throws -> [Double] {
        let values = try vector(tensor, name: name, operation: operation)
        guard values.count == count else {
            throw PlottingError(operation, "\(reference) has \(count) values but \(name) has \(values.count)")
        }
        return values
    }

    /// A 2-D tensor as row-major Doubles with its row and column counts.
    static func matrix(_ tensor: Tensor, name: String, operation: String) throws
        -> (values: [Double], rows: Int, columns: Int) {
        guard tensor.rank == 2 else {
            throw PlottingError(operation, "\(name) must be 2-D [rows, columns], got shape \(formatShape(tensor.shape))")
        }
        return (tensor.scalars(as: Double.self), tensor.shape[0], tensor.shape[1])
    }

    /// An integer index tensor of shape [count, width] (mesh faces, triangles) with every entry in 0..<limit.
    static func indexRows(_ tensor: Tensor, width: Int, name: String, limit: Int, limitName: String,
                          operation: String) throws -> [Int] {
        guard tensor.rank == 2, tensor.shape[1] == width else {
            throw PlottingError(operation, "\(name) must have shape [count, \(width)], got \(formatShape(tensor.shape))")
        }
        guard tensor.dtype == .int64 else {
            throw PlottingError(operation, "\(name) must hold integer vertex indices (int64), got \(tensor.dtype)")
        }
        let indices = tensor.scalars(as: Int64.self).map(Int.init)
        if let bad = indices.first(where: { $0 < 0 || $0 >= limit }) {
            throw PlottingError(operation, "\(name) refers to vertex \(bad), but there are \(limit) \(limitName)")
        }
        return indices
    }

    /// Throws when any value is NaN or infinite.
    static func requireFinite(_ values: [Double], name: String, operation: String) throws {
        if let index = values.firstIndex(where: { !$0.isFinite }) {
            throw PlottingError(operation, "\(name) must be finite, but \(name)[\(index)] is \(values[index])")
        }
    }

    /// Throws when a range is not finite or has low > high.
    static func requireLimits(_ limits: ClosedRange<Double>?, name: String, operation: String) throws {
        guard let limits else { return }
        guard limits.lowerBound.isFinite, limits.upperBound.isFinite, limits.lowerBound < limits.upperBound else {
            throw PlottingError(operation, "\(name) must be finite with low < high, got \(limits.lowerBound)..."
                                + "\(limits.upperBound)")
        }
    }
}
