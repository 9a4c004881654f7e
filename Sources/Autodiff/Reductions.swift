import Tensors

/// Reductions on variables, mirroring `Tensor`'s names and axis rules (nil = all axes, negative axes count from the
/// end, `keepDims` keeps reduced axes as length 1).
extension Variable {
    /// Σ over `axes`. Throws `invalidAxis` for an axis out of range or repeated.
    public func sum(axes: [Int]? = nil, keepDims: Bool = false) throws -> Variable {
        let result = try value.sum(axes: axes, keepDims: keepDims)
        let normalized = try Shapes.normalizeAxes(axes, rank: rank, operation: "sum")
        return Variable.record(.sum(axes: normalized, keepDims: keepDims), [self], value: result)
    }

    /// The arithmetic mean over `axes` (NaN for an empty reduction). Throws `invalidAxis`.
    public func mean(axes: [Int]? = nil, keepDims: Bool = false) throws -> Variable {
        let result = try value.mean(axes: axes, keepDims: keepDims)
        let normalized = try Shapes.normalizeAxes(axes, rank: rank, operation: "mean")
        return Variable.record(.mean(axes: normalized, keepDims: keepDims), [self], value: result)
    }

    /// The largest element over `axes`. The gradient goes to the maximal elements, split evenly among ties
    /// (JAX's and PyTorch `amax`'s convention); NaN where the maximum is NaN.
    /// Throws `invalidAxis`, and `invalidShape` for an empty reduction.
    public func max(axes: [Int]? = nil, keepDims: Bool = false) throws -> Variable {
        let result = try value.max(axes: axes, keepDims: keepDims)
        let normalized = try Shapes.normalizeAxes(axes, rank: rank, operation: "max")
        return Variable.record(.max(axes: normalized, keepDims: keepDims), [self], value: result)
    }

    /// The smallest element over `axes`: `-max(-x)`, so ties split the gradient evenly. Throws as `max`.
    public func min(axes: [Int]? = nil, keepDims: Bool = false) throws -> Variable {
        try -((-self).max(axes: axes, keepDims: keepDims))
    }
}
