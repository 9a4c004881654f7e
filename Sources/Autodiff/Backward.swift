import Tensors

/// The result of one backward pass: the gradient of the output with respect to each requested variable, and the
/// order in which those gradients became final.
public struct BackwardPass: Sendable {
    /// `gradients[i]` is ∂output/∂variables[i] (summed against the seed), of `variables[i].shape` and, for a
    /// floating-point variable, its dtype (float64 otherwise). A variable the output does not depend on (or that does
    /// not require a gradient) gets zeros.
    public let gradients: [Tensor]
    /// Indices into the requested variables, in the order their gradients were completed during the reverse sweep.
    /// For a network's layer outputs this is reverse layer order: the last layer's gradient is final first.
    /// Variables the output does not depend on are not listed.
    public let completionOrder: [Int]
}

extension Variable {
    /// Reverse mode: the gradients of `output` with respect to `variables` (leaves or intermediate results).
    ///
    /// The graph reachable from `output` is sorted topologically and swept in reverse; each node's gradient is final
    /// once every consumer has been processed, and is then pushed to its inputs through the primitive's
    /// vector-Jacobian product (`Derivatives`). Gradients of intermediate nodes that were not requested are released
    /// as soon as they have been used.
    ///
    /// - `output`: any shape. A scalar output is seeded with 1; a non-scalar one needs `seed` (the vector `v` in
    ///   `vᵀ·J`, of `output.shape`).
    /// - `observe`: called once per requested variable, with its index in `variables` and its gradient, at the
    ///   moment that gradient becomes final (in `completionOrder`), for streaming use such as recording each
    ///   layer's gradient without keeping all of them.
    /// - Throws: `invalidArgument` for a non-scalar output without a seed, `shapeMismatch` for a seed of another shape,
    ///   `dtype` for an output that is not floating point; whatever a vector-Jacobian product throws (`cancelled`).
    public static func backward(of output: Variable, with variables: [Variable], seed: Tensor? = nil,
                                observe: ((Int, Tensor) throws -> Void)? = nil) throws -> BackwardPass {
        let operation = "gradient"
        guard output.dtype.isFloatingPoint else {
            throw TensorError(.dtype, operation, "cannot differentiate an output of dtype \(output.dtype)")
        }
        let start: Tensor
        if let seed {
            guard seed.shape == output.shape else {
                throw TensorError(.shapeMismatch, operation, "seed of shape \(formatShape(seed.shape)) for an output "
                                  + "of shape \(formatShape(output.shape))")
            }
            start = seed.astype(output.dtype)
        } else {
            guard output.count == 1 else {
                throw TensorError(.invalidArgument, operation, "output of shape \(formatShape(output.shape)) is not "
                                  + "a scalar: pass a seed of that shape")
            }
            start = try Tensor.ones(output.shape, dtype: output.dtype)
        }

        var requested: [ObjectIdentifier: [Int]] = [:]
        for (index, variable) in variables.enumerated() {
            requested[ObjectIdentifier(variable), default: []].append(index)
        }
        var results = [Tensor?](repeating: nil, count: variables.count)
        var completionOrder: [Int] = []

        var gradients: [ObjectIdentifier: Tensor] = [:]
        if output.requiresGradient { gradients[ObjectIdentifier(output)] = start }
        for variable in topologicalOrder(from: output).reversed() {
            let key = ObjectIdentifier(variable)
            guard let gradient = gradients.removeValue(forKey: key) else { continue }
            for index in requested[key] ?? [] {
                // Rules may pass on broadcast views (a sum's gradient); callers get dense tensors.
                results[index] = gradient.contiguous()
                completionOrder.append(index)
                try observe?(index, results[index]!)
            }
            guard let node = variable.node else { continue }
            let inputs = node.inputs
            let products = try Derivatives.vectorJacobianProducts(
                node.primitive, inputs: inputs.map(\.value), output: variable.value, gradient: gradient,
                needed: inputs.map(\.requiresGradient))
            precondition(products.count == inputs.count, "internal: \(node.primitive.name) gave \(products.count) "
                         + "gradients for \(inputs.count) inputs")
            for (input, product) in zip(inputs, products) where input.requiresGradient {
                guard let product else { continue }
                let inputGradient = try unbroadcast(product, to: input.shape).astype(gradientType(of: input))
                let inputKey = ObjectIdentifier(input)
                if var total = gradients.removeValue(forKey: inputKey) {
                    // A second consumer's gradient is added into the first in place (copied first only when its
                    // storage is shared, as a gradient passed through `add` to both inputs is).
                    total.makeUniqueContiguous()
                    try FusedKernels.dispatch(total.dtype,
                        float: { try FusedKernels.accumulate(Float.self, &total, inputGradient) },
                        double: { try FusedKernels.accumulate(Double.self, &total, inputGradient) })
                    gradients[inputKey] = total
                } else {
                    gradients[inputKey] = inputGradient
                }
            }
        }
        let filled = try zip(variables, results).map { variable, result in
            try result ?? Tensor.zeros(variable.shape, dtype: gradientType(of: variable))
        }
        return BackwardPass(gradients: filled, completionOrder: completionOrder)
    }

    /// `backward(of:with:seed:)`'s gradients alone.
    public static func gradients(of output: Variable, with variables: [Variable], seed: Tensor? = nil) throws
        -> [Tensor] {
        try backward(of: output, with: variables, seed: seed).gradients
    }

    /// The dtype of gradients with respect to `variable`: its own when floating point, float64 otherwise.
    static func gradientType(of variable: Variable) -> DType {
        variable.dtype.isFloatingPoint ? variable.dtype : .float64
    }

    /// Every variable reachable from `output` through nodes that require gradients, each after all of its inputs
    /// (an iterative depth-first post-order, so deep graphs do not overflow the stack).
    static func topologicalOrder(from output: Variable) -> [Variable] {
        guard output.requiresGradient else { return [] }
        var order: [Variable] = []
        var visited: Set<ObjectIdentifier> = [ObjectIdentifier(output)]
        var stack: [(variable: Variable, nextInput: Int)] = [(output, 0)]
        while let (variable, nextInput) = stack.last.map({ ($0.variable, $0.nextInput) }) {
            let inputs = variable.node?.inputs ?? []
            if nextInput < inputs.count {
                stack[stack.count - 1].nextInput += 1
                let input = inputs[nextInput]
                if input.requiresGradient && visited.insert(ObjectIdentifier(input)).inserted {
                    stack.append((input, 0))
                }
            } else {
                order.append(variable)
                stack.removeLast()
            }
        }
        return order
    }
}

/// The value of `function` at `points` and its gradient with respect to each point (JAX's `value_and_grad`).
/// - `function`: receives one leaf `Variable` per point (each requiring a gradient) and returns a scalar.
/// - Returns `gradients[i]` of `points[i].shape`.
/// - Throws: what `function` throws; what `Variable.backward` throws (`invalidArgument` for a non-scalar result).
public func valueAndGradient(of function: ([Variable]) throws -> Variable, at points: [Tensor]) throws
    -> (value: Tensor, gradients: [Tensor]) {
    let inputs = points.map { Variable($0, requiresGradient: true) }
    let output = try function(inputs)
    return (output.value, try Variable.gradients(of: output, with: inputs))
}

/// The gradient of the scalar `function` with respect to each of `points` (JAX's `grad` over several arguments).
/// Throws what `valueAndGradient(of:at:)` throws.
public func gradient(of function: ([Variable]) throws -> Variable, at points: [Tensor]) throws -> [Tensor] {
    try valueAndGradient(of: function, at: points).gradients
}

/// The gradient of the scalar `function` of one tensor, of `point.shape`. Throws what `valueAndGradient` throws.
public func gradient(of function: (Variable) throws -> Variable, at point: Tensor) throws -> Tensor {
    try valueAndGradient(of: { try function($0[0]) }, at: [point]).gradients[0]
}
