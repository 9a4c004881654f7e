import Tensors

/// Every primitive's vector-Jacobian product, in one place (tinygrad's rule: composites are built from primitives,
/// so this table is the whole of reverse mode's calculus).
///
/// Each rule receives the values of the primitive's inputs, its output `y` and the gradient `g` of the final output
/// with respect to `y` (shape of `y`), and returns one gradient per input (nil where `needed` is false, so that work
/// for constants is skipped). Rules for broadcasting operations may return a gradient of the broadcast shape: the
/// backward pass passes every gradient through `unbroadcast(_:to:)` once.
///
/// Conventions at points where the derivative does not exist (documented because they differ between frameworks):
/// - `abs` at 0: 0 (sign(0)), as JAX and PyTorch.
/// - `maximum`/`minimum` at ties: the gradient is split evenly (½ to each), as JAX and PyTorch.
/// - `max` over axes with several maximal elements: split evenly among them, as JAX and PyTorch's `amax`.
/// - `clip` at a bound: gradient 1 (the bounds are inclusive), as PyTorch's `clamp`.
/// - `a ** b` with respect to b where a == 0: 0 (JAX's convention), not NaN from log(0).
enum Derivatives {
    static func vectorJacobianProducts(_ primitive: Primitive, inputs x: [Tensor], output y: Tensor,
                                       gradient g: Tensor, needed: [Bool]) throws -> [Tensor?] {
        /// Evaluates `rule` only for inputs that need a gradient.
        func only(_ index: Int, _ rule: () throws -> Tensor) rethrows -> Tensor? {
            needed[index] ? try rule() : nil
        }
        switch primitive {
        case .add:
            return [only(0) { g }, only(1) { g }]
        case .subtract:
            return [only(0) { g }, try only(1) { try -g }]
        case .multiply:
            return [try only(0) { try g * x[1] }, try only(1) { try g * x[0] }]
        case .divide:
            // d(a/b)/db = -a/b² = -y/b.
            return [try only(0) { try g / x[1] }, try only(1) { try -(g * y / x[1]) }]
        case .negate:
            return [try -g]
        case .powerScalar(let exponent):
            if exponent == 0 { return [try Tensor.zeros(x[0].shape, dtype: g.dtype)] }
            return [try g * x[0].pow(exponent - 1) * exponent]
        case .power:
            return [
                try only(0) { try g * x[1] * x[0].pow(x[1] - 1) },
                try only(1) {
                    let logBase = try Tensor.where(x[0] .== 0, Tensor.weakScalar(0, partner: y.dtype), x[0].log())
                    return try g * y * logBase
                },
            ]
        case .exp:
            return [try g * y]
        case .log:
            return [try g / x[0]]
        case .log1p:
            return [try g / (x[0] + 1)]
        case .sqrt:
            return [try g * 0.5 / y]
        case .tanh:
            return [try g * (1 - y * y)]
        case .sigmoid:
            return [try g * y * (1 - y)]
        case .erf:
            // erf'(x) = 2/√π · exp(-x²).
            return [try g * ((x[0] * x[0]).negated().exp() * (2 / Double.pi.squareRoot()))]
        case .abs:
            return [try g * x[0].sign()]
        case .maximum, .minimum:
            let isMaximum: Bool = if case .maximum = primitive { true } else { false }
            let winsA = try isMaximum ? x[0] .> x[1] : x[0] .< x[1]
            let tie = try x[0] .== x[1]
            let weightA = try winsA.astype(g.dtype) + tie.astype(g.dtype) * 0.5
            return [try only(0) { try g * weightA }, try only(1) { try g * (1 - weightA) }]
        case .select(let condition):
            let zero = Tensor.weakScalar(0, partner: g.dtype)
            return [try only(0) { try Tensor.where(condition, g, zero) },
                    try only(1) { try Tensor.where(condition, zero, g) }]
        case .matmul:
            return try matmulProducts(x[0], x[1], gradient: g, needed: needed)
        case .sum(let axes, let keepDims):
            return [try restoreReducedAxes(g, axes: axes, keepDims: keepDims).broadcast(to: x[0].shape)]
        case .mean(let axes, let keepDims):
            let count = axes.reduce(1) { $0 * x[0].shape[$1] }
            return [try restoreReducedAxes(g, axes: axes, keepDims: keepDims).broadcast(to: x[0].shape)
                    / Double(Swift.max(count, 1))]
        case .max(let axes, let keepDims):
            let maximum = try restoreReducedAxes(y, axes: axes, keepDims: keepDims)
            let isMaximal = try (x[0] .== maximum).astype(g.dtype)
            let ties = try isMaximal.sum(axes: axes, keepDims: true)
            return [try restoreReducedAxes(g, axes: axes, keepDims: keepDims) * isMaximal / ties]
        case .reshape:
            return [try g.reshaped(x[0].shape)]
        case .permute(let axes):
            var inverse = [Int](repeating: 0, count: axes.count)
            for (position, axis) in axes.enumerated() { inverse[axis] = position }
            return [try g.permuted(inverse)]
        case .broadcast:
            return [g]  // unbroadcast sums the stretched axes
        case .get(let indices):
            return [try scatterAdd(g, indices: indices, into: x[0].shape)]
        case .concatenate(let axis):
            var boundaries: [Int] = [], position = 0
            for input in x.dropLast() { position += input.shape[axis]; boundaries.append(position) }
            return try g.split(at: boundaries, axis: axis)
        case .stack(let axis):
            return try (0..<x.count).map { try g.selecting($0, axis: axis) }
        case .clip(let minimum, let maximum):
            let aboveMinimum = try minimum.map { try x[0] .>= $0 }
            let belowMaximum = try maximum.map { try x[0] .<= $0 }
            let inside: Tensor? = switch (aboveMinimum, belowMaximum) {
            case let (above?, below?): try Tensor.logicalAnd(above, below)
            case let (above, below): above ?? below
            }
            return [try inside.map { try g * $0.astype(g.dtype) } ?? g]
        case .linear:
            return try FusedKernels.dispatch(y.dtype,
                float: { try FusedKernels.linearProducts(Float.self, x[0], x[1], hasBias: x.count == 3, gradient: g,
                                                         needed: needed) },
                double: { try FusedKernels.linearProducts(Double.self, x[0], x[1], hasBias: x.count == 3, gradient: g,
                                                          needed: needed) })
        case .layerNorm(let epsilon):
            return try FusedKernels.dispatch(y.dtype,
                float: { try FusedKernels.layerNormProducts(Float.self, x[0], x[1], epsilon: epsilon, gradient: g) },
                double: { try FusedKernels.layerNormProducts(Double.self, x[0], x[1], epsilon: epsilon, gradient: g) })
        case .gelu:
            return [try FusedKernels.dispatch(y.dtype,
                float: { try FusedKernels.geluProduct(Float.self, x[0], gradient: g) },
                double: { try FusedKernels.geluProduct(Double.self, x[0], gradient: g) })]
        case .softmax:
            return [try FusedKernels.dispatch(y.dtype,
                float: { try FusedKernels.softmaxProduct(Float.self, y, gradient: g) },
                double: { try FusedKernels.softmaxProduct(Double.self, y, gradient: g) })]
        case .attention(let heads, let probabilities):
            return [try FusedKernels.dispatch(y.dtype,
                float: { try AttentionKernels.backward(Float.self, x[0], probabilities: probabilities, heads: heads,
                                                       gradient: g) },
                double: { try AttentionKernels.backward(Double.self, x[0], probabilities: probabilities, heads: heads,
                                                        gradient: g) })]
        }
    }

    /// `g` with the reduced axes put back as length 1, so that it broadcasts against the reduction's input.
    static func restoreReducedAxes(_ g: Tensor, axes: [Int], keepDims: Bool) throws -> Tensor {
        guard !keepDims else { return g }
        var result = g
        for axis in axes.sorted() { result = try result.unsqueezed(axis: axis) }
        return result
    }

    /// matmul's products with numpy's vector rules: a vector operand is promoted to a matrix (a row for `a`, a column
    /// for `b`), the promoted axis restored in `g`, and the batch broadcast undone before the promotion is removed.
    /// dA = g · Bᵀ, dB = Aᵀ · g.
    static func matmulProducts(_ a: Tensor, _ b: Tensor, gradient g: Tensor, needed: [Bool]) throws -> [Tensor?] {
        let matrixA = a.rank == 1 ? try a.unsqueezed(axis: 0) : a
        let matrixB = b.rank == 1 ? try b.unsqueezed(axis: 1) : b
        var matrixG = g
        if a.rank == 1 { matrixG = try matrixG.unsqueezed(axis: b.rank == 1 ? 0 : -2) }
        if b.rank == 1 { matrixG = try matrixG.unsqueezed(axis: -1) }
        let gradientA = try needed[0] ? unbroadcast(Tensor.matmul(matrixG, matrixB.swappingAxes(-1, -2)),
                                                    to: matrixA.shape).reshaped(a.shape) : nil
        let gradientB = try needed[1] ? unbroadcast(Tensor.matmul(matrixA.swappingAxes(-1, -2), matrixG),
                                                    to: matrixB.shape).reshaped(b.shape) : nil
        return [gradientA, gradientB]
    }

    /// The gradient of `self[indices]` for an input of `shape`: each element of `g` added at the input position it
    /// was read from. Basic indices read each position at most once, so a plain write suffices; index arrays may
    /// repeat a position, so their gradients accumulate (`Tensor.set` would keep only the last write).
    static func scatterAdd(_ g: Tensor, indices: [TensorIndex], into shape: [Int]) throws -> Tensor {
        var result = try Tensor.zeros(shape, dtype: g.dtype)
        let advanced = indices.contains { if case .array = $0 { true } else { false } }
        if !advanced {
            try result.set(indices, to: g)
            return result
        }
        let positions = try flatPositions(of: indices, in: shape).contiguous()
        precondition(positions.shape == g.shape, "internal: index gradient \(g.shape) for selection \(positions.shape)")
        let source = g.contiguous()
        result.makeUniqueContiguous()
        let sources = positions.pointer(Int64.self)
        switch g.dtype {
        case .float64: accumulate(source.pointer(Double.self), at: sources, count: positions.count,
                                  into: result.mutablePointer(Double.self))
        case .float32: accumulate(source.pointer(Float.self), at: sources, count: positions.count,
                                  into: result.mutablePointer(Float.self))
        default: preconditionFailure("internal: gradient of dtype \(g.dtype)")
        }
        return result
    }

    /// The flat (row-major) input position of every element `self[indices]` reads from an input of `shape`.
    /// Each axis's coordinate is read by indexing a broadcast view of `arange(shape[axis])` with the same expression
    /// (whatever mix of ints, slices, arrays and masks it holds), so memory grows with the selection, not with the
    /// input: a few rows taken from a large embedding table cost a few rows.
    static func flatPositions(of indices: [TensorIndex], in shape: [Int]) throws -> Tensor {
        let strides = Tensor.contiguousStrides(for: shape)
        var positions = try Tensor(scalar: Int64(0)).broadcast(to: shape).get(indices)
        for axis in shape.indices where shape[axis] > 1 {
            var axisShape = [Int](repeating: 1, count: shape.count)
            axisShape[axis] = shape[axis]
            let coordinates = try Tensor.arange(Double(shape[axis]), dtype: .int64).reshaped(axisShape)
                .broadcast(to: shape).get(indices)
            positions = try positions + coordinates * Tensor(scalar: Int64(strides[axis]))
        }
        return positions
    }

    private static func accumulate<T: TensorFloat>(_ values: UnsafePointer<T>, at positions: UnsafePointer<Int64>,
                                                   count: Int, into destination: UnsafeMutablePointer<T>) {
        for index in 0..<count { destination[Int(positions[index])] += values[index] }
    }
}

/// The gradient `g` of a broadcast result reduced to the gradient of an input of `shape`: summed over the leading
/// axes broadcasting added and over the axes where the input had length 1 (numpy's broadcasting, undone).
/// The one place where broadcasting is undone. `shape` must broadcast to `g.shape` (an internal invariant).
func unbroadcast(_ g: Tensor, to shape: [Int]) throws -> Tensor {
    if g.shape == shape { return g }
    let leading = g.rank - shape.count
    precondition(leading >= 0, "internal: unbroadcast \(g.shape) to \(shape)")
    var axes = Array(0..<leading)
    for (axis, length) in shape.enumerated() where length == 1 && g.shape[axis + leading] != 1 {
        axes.append(axis + leading)
    }
    let summed = axes.isEmpty ? g : try g.sum(axes: axes, keepDims: true)
    return try summed.reshaped(shape)
}
