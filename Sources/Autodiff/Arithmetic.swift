import Tensors

/// Elementwise primitives on variables, mirroring `Tensor`'s names. Each computes the value with the tensor engine
/// (same broadcasting, dtype promotion and errors) and records the primitive when an input requires a gradient.
extension Variable {
    /// `a + b`, broadcast. Throws `shapeMismatch` when the shapes do not broadcast.
    public static func + (a: Variable, b: Variable) throws -> Variable {
        record(.add, [a, b], value: try a.value + b.value)
    }
    /// `a - b`, broadcast. Throws `shapeMismatch` when the shapes do not broadcast.
    public static func - (a: Variable, b: Variable) throws -> Variable {
        record(.subtract, [a, b], value: try a.value - b.value)
    }
    /// `a * b`, broadcast. Throws `shapeMismatch` when the shapes do not broadcast.
    public static func * (a: Variable, b: Variable) throws -> Variable {
        record(.multiply, [a, b], value: try a.value * b.value)
    }
    /// `a / b`, broadcast. Throws `shapeMismatch` when the shapes do not broadcast.
    public static func / (a: Variable, b: Variable) throws -> Variable {
        record(.divide, [a, b], value: try a.value / b.value)
    }
    /// `-a`. Throws `dtype` for bool.
    public static prefix func - (a: Variable) throws -> Variable {
        record(.negate, [a], value: try a.value.negated())
    }
    /// `-self`. Throws `dtype` for bool.
    public func negated() throws -> Variable { try -self }

    // A Double is a weak scalar: it takes the variable's dtype (float32 stays float32).
    public static func + (a: Variable, b: Double) throws -> Variable { try a + a.constant(b) }
    public static func - (a: Variable, b: Double) throws -> Variable { try a - a.constant(b) }
    public static func * (a: Variable, b: Double) throws -> Variable { try a * a.constant(b) }
    public static func / (a: Variable, b: Double) throws -> Variable { try a / a.constant(b) }
    public static func + (a: Double, b: Variable) throws -> Variable { try b.constant(a) + b }
    public static func - (a: Double, b: Variable) throws -> Variable { try b.constant(a) - b }
    public static func * (a: Double, b: Variable) throws -> Variable { try b.constant(a) * b }
    public static func / (a: Double, b: Variable) throws -> Variable { try b.constant(a) / b }

    /// `self ** exponent` for a constant exponent; d/dx = exponent · x^(exponent-1).
    public func pow(_ exponent: Double) throws -> Variable {
        Variable.record(.powerScalar(exponent), [self], value: try value.pow(exponent))
    }
    /// `self ** exponent` elementwise, broadcast; d/da = b·a^(b-1), d/db = a^b·log(a) (0 where a = 0).
    /// Throws `shapeMismatch` when the shapes do not broadcast.
    public func pow(_ exponent: Variable) throws -> Variable {
        Variable.record(.power, [self, exponent], value: try value.pow(exponent.value))
    }
    /// eˣ.
    public func exp() throws -> Variable { Variable.record(.exp, [self], value: try value.exp()) }
    /// Natural logarithm (NaN below 0, -inf at 0); d/dx = 1/x.
    public func log() throws -> Variable { Variable.record(.log, [self], value: try value.log()) }
    /// log(1 + x), accurate for small x; d/dx = 1/(1 + x).
    public func log1p() throws -> Variable { Variable.record(.log1p, [self], value: try value.log1p()) }
    /// √x; d/dx = 1/(2√x).
    public func sqrt() throws -> Variable { Variable.record(.sqrt, [self], value: try value.sqrt()) }
    /// tanh x; d/dx = 1 - tanh²x.
    public func tanh() throws -> Variable { Variable.record(.tanh, [self], value: try value.tanh()) }
    /// σ(x) = 1/(1 + e⁻ˣ); d/dx = σ(1-σ).
    public func sigmoid() throws -> Variable { Variable.record(.sigmoid, [self], value: try value.sigmoid()) }
    /// The error function; d/dx = 2/√π · e^(-x²).
    public func erf() throws -> Variable { Variable.record(.erf, [self], value: try value.erf()) }
    /// |x|; d/dx = sign(x) (0 at 0).
    public func abs() throws -> Variable { Variable.record(.abs, [self], value: try value.abs()) }

    /// Elementwise larger of `a` and `b`, broadcast; at ties the gradient is split evenly.
    /// Throws `shapeMismatch` when the shapes do not broadcast.
    public static func maximum(_ a: Variable, _ b: Variable) throws -> Variable {
        record(.maximum, [a, b], value: try Tensor.maximum(a.value, b.value))
    }
    /// Elementwise smaller of `a` and `b`, broadcast; at ties the gradient is split evenly.
    /// Throws `shapeMismatch` when the shapes do not broadcast.
    public static func minimum(_ a: Variable, _ b: Variable) throws -> Variable {
        record(.minimum, [a, b], value: try Tensor.minimum(a.value, b.value))
    }
    /// `a` where `condition` is true, else `b`, all three broadcast together; the gradient goes to the branch chosen.
    /// `condition` is a bool tensor (a constant: comparisons have no gradient).
    /// Throws `shapeMismatch` when the shapes do not broadcast, `dtype` for a non-bool condition.
    public static func `where`(_ condition: Tensor, _ a: Variable, _ b: Variable) throws -> Variable {
        record(.select(condition: condition), [a, b], value: try Tensor.where(condition, a.value, b.value))
    }
    /// `self` limited to `[minimum, maximum]` (either bound optional); the gradient is 1 inside the closed interval.
    public func clipped(min minimum: Double? = nil, max maximum: Double? = nil) throws -> Variable {
        Variable.record(.clip(minimum: minimum, maximum: maximum), [self],
                        value: try value.clipped(min: minimum, max: maximum))
    }

    /// The matrix product with numpy's `matmul` rules (batched, broadcast batch axes, 1-d operands promoted and
    /// their axis removed): `a` `[..., m, k]` or `[k]`, `b` `[..., k, n]` or `[k]`.
    /// Throws `invalidShape` for a 0-d operand, `shapeMismatch` when the inner dimensions or batch axes disagree.
    public static func matmul(_ a: Variable, _ b: Variable) throws -> Variable {
        record(.matmul, [a, b], value: try Tensor.matmul(a.value, b.value))
    }
}
