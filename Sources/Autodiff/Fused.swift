import Tensors

/// Fused primitives: operations a network repeats millions of times, each one kernel forward and one backward
/// (rules in `Derivatives`), instead of a chain of elementwise primitives that each allocate their result. Each equals
/// the composite written beside it in its documentation (the tests compare them); inputs of mixed dtypes, which the
/// composites promote, go through the composite.
extension Variable {
    /// The affine map of a linear layer, y = x·Wᵀ + b (PyTorch's `F.linear`), as one matrix product over x seen as
    /// a `[rows, inputs]` matrix (no copy for a contiguous x).
    /// - `input` `[..., inputs]`, `weight` `[outputs, inputs]`, `bias` `[outputs]` or nil; result `[..., outputs]`.
    /// - Throws `shapeMismatch` naming the shapes when they do not fit.
    public static func linear(_ input: Variable, weight: Variable, bias: Variable?) throws -> Variable {
        try checkLinearShapes(input.shape, weight: weight.shape, bias: bias?.shape)
        let dtypes = Set([input.dtype, weight.dtype] + (bias.map { [$0.dtype] } ?? []))
        guard dtypes.count == 1, input.dtype.isFloatingPoint else {
            let product = try matmul(input, weight.transposed())
            return try bias.map { try product + $0 } ?? product
        }
        let value = try FusedKernels.dispatch(input.dtype,
            float: { try FusedKernels.linear(Float.self, input.value, weight.value, bias?.value) },
            double: { try FusedKernels.linear(Double.self, input.value, weight.value, bias?.value) })
        return record(.linear, [input, weight] + (bias.map { [$0] } ?? []), value: value)
    }

    /// The hidden layer of a transformer's MLP, GELU(x·Wᵀ + b) = `linear(input, weight:, bias:).gelu()`. When no
    /// input requires a gradient (inference) it is one kernel that writes the GELU over the product in place, so
    /// that the hidden activations take one buffer instead of two; otherwise it records `linear` and `gelu`.
    /// - Shapes and errors as `linear`: `input` `[..., inputs]`, `weight` `[outputs, inputs]`, `bias` `[outputs]` or
    ///   nil; result `[..., outputs]`.
    public static func linearGELU(_ input: Variable, weight: Variable, bias: Variable?) throws -> Variable {
        let tracked = input.requiresGradient || weight.requiresGradient || bias?.requiresGradient == true
        let dtypes = Set([input.dtype, weight.dtype] + (bias.map { [$0.dtype] } ?? []))
        guard !tracked, dtypes.count == 1, input.dtype.isFloatingPoint else {
            return try linear(input, weight: weight, bias: bias).gelu()
        }
        try checkLinearShapes(input.shape, weight: weight.shape, bias: bias?.shape)
        return Variable(try FusedKernels.dispatch(input.dtype,
            float: { try FusedKernels.linearGELU(Float.self, input.value, weight.value, bias?.value) },
            double: { try FusedKernels.linearGELU(Double.self, input.value, weight.value, bias?.value) }))
    }

    /// A transformer's MLP, GELU(x·W1ᵀ + b1)·W2ᵀ + b2 = `linear(linearGELU(input, weight1, bias1), weight2, bias2)`.
    /// When no input requires a gradient (inference) it is one kernel that runs both products a chunk of rows at a
    /// time through one reused hidden buffer, so that the `[..., hidden]` activations are never allocated as a
    /// whole; otherwise it records `linear`, `gelu` and `linear`.
    /// - `input` `[..., inputs]`, `weight1` `[hidden, inputs]`, `bias1` `[hidden]` or nil, `weight2`
    ///   `[outputs, hidden]`, `bias2` `[outputs]` or nil; result `[..., outputs]`.
    /// - Throws `shapeMismatch` naming the shapes when they do not fit (as `linear`, for either product).
    public static func geluFeedForward(_ input: Variable, weight1: Variable, bias1: Variable?, weight2: Variable,
                                       bias2: Variable?) throws -> Variable {
        try checkLinearShapes(input.shape, weight: weight1.shape, bias: bias1?.shape)
        try checkLinearShapes(Array(input.shape.dropLast()) + [weight1.shape[0]], weight: weight2.shape,
                              bias: bias2?.shape)
        let operands = [input, weight1, weight2] + (bias1.map { [$0] } ?? []) + (bias2.map { [$0] } ?? [])
        let sizes = [input.shape.last!, weight1.shape[0], weight2.shape[0]]
        guard !operands.contains(where: \.requiresGradient), Set(operands.map(\.dtype)).count == 1,
              input.dtype.isFloatingPoint, input.count > 0, !sizes.contains(0) else {
            return try linear(linearGELU(input, weight: weight1, bias: bias1), weight: weight2, bias: bias2)
        }
        return Variable(try FusedKernels.dispatch(input.dtype,
            float: { try FusedKernels.geluFeedForward(Float.self, input.value, weight1.value, bias1?.value,
                                                      weight2.value, bias2?.value) },
            double: { try FusedKernels.geluFeedForward(Double.self, input.value, weight1.value, bias1?.value,
                                                       weight2.value, bias2?.value) }))
    }

    /// Layer normalisation over the last axis with a scale and shift, as one kernel:
    /// y = (x - mean)/√(var + epsilon)·weight + bias (biased variance; `layerNormalized(axes: [-1])·weight + bias`).
    /// - `weight`, `bias` `[features]`, `self` `[..., features]`, same shape out.
    /// - Throws `shapeMismatch` naming the shapes.
    public func layerNormalized(weight: Variable, bias: Variable, epsilon: Double = 1e-5) throws -> Variable {
        guard rank >= 1, let features = shape.last, weight.shape == [features], bias.shape == [features] else {
            throw TensorError(.shapeMismatch, "layer_norm", "input \(formatShape(shape)) with weight "
                              + "\(formatShape(weight.shape)) and bias \(formatShape(bias.shape)): expected "
                              + "[..., features], [features], [features]")
        }
        guard dtype == weight.dtype, dtype == bias.dtype, dtype.isFloatingPoint else {
            return try layerNormalized(axes: [-1], epsilon: epsilon) * weight + bias
        }
        let value = try FusedKernels.dispatch(dtype,
            float: { try FusedKernels.layerNorm(Float.self, self.value, weight.value, bias.value, epsilon: epsilon) },
            double: { try FusedKernels.layerNorm(Double.self, self.value, weight.value, bias.value, epsilon: epsilon) })
        return Variable.record(.layerNorm(epsilon: epsilon), [self, weight, bias], value: value)
    }

    /// The exact GELU, x·Φ(x) = x/2 · (1 + erf(x/√2)), as one elementwise primitive with derivative
    /// Φ(x) + x·φ(x). float32 evaluates erf by XLA's rational approximation (error about 4e-7).
    public func gelu() throws -> Variable {
        guard dtype.isFloatingPoint else { return try self * 0.5 * ((self / 2.0.squareRoot()).erf() + 1) }
        let value = try FusedKernels.dispatch(dtype,
            float: { try FusedKernels.gelu(Float.self, self.value) },
            double: { try FusedKernels.gelu(Double.self, self.value) })
        return Variable.record(.gelu, [self], value: value)
    }

    /// softmax along `axis`: exp(xᵢ - m) / Σⱼ exp(xⱼ - m) with m the maximum (so nothing overflows). Same shape.
    /// The last axis of a floating-point variable is one fused primitive (dx = y·(g - Σ g·y)); other axes are built
    /// from primitives. Throws `invalidAxis`.
    public func softmax(axis: Int = -1) throws -> Variable {
        let position = try Shapes.normalizeAxis(axis, rank: Swift.max(rank, 1), operation: "softmax")
        guard rank >= 1, position == rank - 1, dtype.isFloatingPoint else {
            let shift = Variable(try value.max(axes: [axis], keepDims: true))
            let exponentials = try (self - shift).exp()
            return try exponentials / exponentials.sum(axes: [axis], keepDims: true)
        }
        let value = try FusedKernels.dispatch(dtype,
            float: { try FusedKernels.softmax(Float.self, self.value) },
            double: { try FusedKernels.softmax(Double.self, self.value) })
        return Variable.record(.softmax, [self], value: value)
    }

    /// Multi-head scaled dot-product self-attention from a fused query/key/value projection:
    /// for each head h, softmax(Q_h·K_hᵀ/√d)·V_h, the heads side by side.
    /// - `qkv` `[n, tokens, 3·features]`, each row query | key | value, each of `heads` blocks of d = features/heads
    ///   (the layout of `x·W_qkvᵀ` reshaped to `[n, tokens, 3, heads, d]`).
    /// - Returns `[n, tokens, features]` (heads concatenated along the last axis).
    /// - Throws `shapeMismatch` when `qkv` is not `[n, tokens, 3·heads·d]`, `invalidArgument` for heads < 1.
    public static func selfAttention(_ qkv: Variable, heads: Int) throws -> Variable {
        let operation = "self_attention"
        guard heads >= 1 else { throw TensorError(.invalidArgument, operation, "heads must be positive, got \(heads)") }
        guard qkv.rank == 3, qkv.shape[2] > 0, qkv.shape[2] % (3 * heads) == 0 else {
            throw TensorError(.shapeMismatch, operation, "qkv of shape \(formatShape(qkv.shape)) is not "
                              + "[n, tokens, 3 · \(heads) heads · head width]")
        }
        guard qkv.dtype.isFloatingPoint else {
            throw TensorError(.dtype, operation, "qkv must be float32 or float64, got \(qkv.dtype)")
        }
        // The probabilities are kept only for a backward pass.
        let keeping = qkv.requiresGradient
        let (output, probabilities) = try FusedKernels.dispatch(qkv.dtype,
            float: { try AttentionKernels.forward(Float.self, qkv.value, heads: heads, keepingProbabilities: keeping) },
            double: {
                try AttentionKernels.forward(Double.self, qkv.value, heads: heads, keepingProbabilities: keeping)
            })
        guard let probabilities else { return Variable(output) }
        return record(.attention(heads: heads, probabilities: probabilities), [qkv], value: output)
    }

    /// Throws `shapeMismatch` unless the input is `[..., k]`, the weight `[outputs, k]` and the bias nil or
    /// `[outputs]`.
    static func checkLinearShapes(_ input: [Int], weight: [Int], bias: [Int]?) throws {
        let operation = "linear"
        guard input.count >= 1, weight.count == 2, input[input.count - 1] == weight[1] else {
            throw TensorError(.shapeMismatch, operation, "input \(formatShape(input)) and weight "
                              + "\(formatShape(weight)): expected [..., k] and [outputs, k]")
        }
        if let bias, bias != [weight[0]] {
            throw TensorError(.shapeMismatch, operation, "bias \(formatShape(bias)) for weight "
                              + "\(formatShape(weight)): expected [\(weight[0])]")
        }
    }
}
