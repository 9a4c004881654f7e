import RealModule

/// Elementwise arithmetic with numpy broadcasting and dtype promotion.
///
/// Result dtype: the promotion of both operands (`DType.promote`), where bool counts as int64 and true division of
/// integers gives float64. Integer arithmetic wraps on overflow, and integer division or remainder by zero gives 0,
/// as numpy does (without its warning). A Swift `Double` operand is a weak scalar (see `DType`).
public enum ArithmeticOperator: String, Sendable, CaseIterable {
    case add, subtract, multiply, divide, power, remainder, maximum, minimum
}

extension Tensor {
    /// `op(a, b)` elementwise over the broadcast shape of `a` and `b`.
    /// Throws `shapeMismatch` (naming both shapes) when they do not broadcast, and `invalidArgument` for an integer
    /// raised to a negative integer power.
    public static func arithmetic(_ op: ArithmeticOperator, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        var type = DType.promote(a.dtype, b.dtype)
        if type == .bool { type = .int64 }
        if op == .divide && !type.isFloatingPoint { type = .float64 }
        let x = a.astype(type), y = b.astype(type)
        switch type {
        case .float32: return try floatingArithmetic(op, x, y, Float.self)
        case .float64: return try floatingArithmetic(op, x, y, Double.self)
        default: return try integerArithmetic(op, x, y)
        }
    }

    @inlinable
    static func floatingArithmetic<T: TensorFloat>(_ op: ArithmeticOperator, _ x: Tensor, _ y: Tensor,
                                                   _: T.Type) throws -> Tensor {
        let name = op.rawValue
        switch op {
        case .add: return try zipApplying(x, y, operation: name, Add<T>())
        case .subtract: return try zipApplying(x, y, operation: name, Subtract<T>())
        case .multiply: return try zipApplying(x, y, operation: name, Multiply<T>())
        case .divide: return try zipApplying(x, y, operation: name, Divide<T>())
        case .power: return try zip(x, y, T.self, T.self, to: T.self, operation: name) { power($0, $1) }
        case .remainder:
            // Python's modulo: the result takes the divisor's sign.
            return try zip(x, y, T.self, T.self, to: T.self, operation: name) { a, b in
                let r = a.truncatingRemainder(dividingBy: b)
                return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r
            }
        case .maximum: return try zipApplying(x, y, operation: name, Maximum<T>())
        case .minimum: return try zipApplying(x, y, operation: name, Minimum<T>())
        }
    }

    /// `a ** b` with the fast cases that dominate in practice (squares, square roots) done exactly.
    @inlinable
    static func power<T: TensorFloat>(_ a: T, _ b: T) -> T {
        if b == 2 { return a * a }
        if b == 1 { return a }
        if b == 0.5 { return a.squareRoot() }
        // Real.pow(x, y) is exp(y·log x), NaN for negative x; an integral exponent has a real answer there.
        if b == b.rounded() && Swift.abs(b) < 2_147_483_648 { return T.pow(a, Int(b)) }
        return T.pow(a, b)
    }

    static func integerArithmetic(_ op: ArithmeticOperator, _ x: Tensor, _ y: Tensor) throws -> Tensor {
        let name = op.rawValue
        switch op {
        case .add: return try zip(x, y, Int64.self, Int64.self, to: Int64.self, operation: name) { $0 &+ $1 }
        case .subtract: return try zip(x, y, Int64.self, Int64.self, to: Int64.self, operation: name) { $0 &- $1 }
        case .multiply: return try zip(x, y, Int64.self, Int64.self, to: Int64.self, operation: name) { $0 &* $1 }
        case .divide: preconditionFailure("internal: integer true division")
        case .power:
            if y.scalars(as: Int64.self).contains(where: { $0 < 0 }) {
                throw TensorError(.invalidArgument, "power", "integers to negative integer powers are not allowed")
            }
            return try zip(x, y, Int64.self, Int64.self, to: Int64.self, operation: name) { base, exponent in
                var result: Int64 = 1, factor = base, remaining = exponent
                while remaining > 0 {
                    if remaining & 1 == 1 { result = result &* factor }
                    factor = factor &* factor
                    remaining >>= 1
                }
                return result
            }
        case .remainder:
            return try zip(x, y, Int64.self, Int64.self, to: Int64.self, operation: name) { a, b in
                if b == 0 { return 0 }
                let r = a % b
                return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r
            }
        case .maximum: return try zip(x, y, Int64.self, Int64.self, to: Int64.self, operation: name) { Swift.max($0, $1) }
        case .minimum: return try zip(x, y, Int64.self, Int64.self, to: Int64.self, operation: name) { Swift.min($0, $1) }
        }
    }

    /// A 0-d tensor for a Swift scalar meeting a tensor of dtype `partner`: weak typing, as numpy 2 does for Python
    /// scalars (see `DType`).
    public static func weakScalar(_ value: Double, partner: DType) -> Tensor {
        if partner.isFloatingPoint { return Tensor(scalar: value).astype(partner) }
        if value == value.rounded() && Swift.abs(value) < 9.2e18 { return Tensor(scalar: Int64(value)) }
        return Tensor(scalar: value)
    }

    public static func + (a: Tensor, b: Tensor) throws -> Tensor { try arithmetic(.add, a, b) }
    public static func - (a: Tensor, b: Tensor) throws -> Tensor { try arithmetic(.subtract, a, b) }
    public static func * (a: Tensor, b: Tensor) throws -> Tensor { try arithmetic(.multiply, a, b) }
    public static func / (a: Tensor, b: Tensor) throws -> Tensor { try arithmetic(.divide, a, b) }
    public static func % (a: Tensor, b: Tensor) throws -> Tensor { try arithmetic(.remainder, a, b) }

    public static func + (a: Tensor, b: Double) throws -> Tensor { try a + weakScalar(b, partner: a.dtype) }
    public static func - (a: Tensor, b: Double) throws -> Tensor { try a - weakScalar(b, partner: a.dtype) }
    public static func * (a: Tensor, b: Double) throws -> Tensor { try a * weakScalar(b, partner: a.dtype) }
    public static func / (a: Tensor, b: Double) throws -> Tensor { try a / weakScalar(b, partner: a.dtype) }
    public static func + (a: Double, b: Tensor) throws -> Tensor { try weakScalar(a, partner: b.dtype) + b }
    public static func - (a: Double, b: Tensor) throws -> Tensor { try weakScalar(a, partner: b.dtype) - b }
    public static func * (a: Double, b: Tensor) throws -> Tensor { try weakScalar(a, partner: b.dtype) * b }
    public static func / (a: Double, b: Tensor) throws -> Tensor { try weakScalar(a, partner: b.dtype) / b }

    /// `self ** exponent` elementwise (numpy's `power`).
    public func pow(_ exponent: Tensor) throws -> Tensor { try Tensor.arithmetic(.power, self, exponent) }
    /// `self ** exponent` with a weak scalar exponent.
    public func pow(_ exponent: Double) throws -> Tensor {
        try Tensor.arithmetic(.power, self, Tensor.weakScalar(exponent, partner: dtype))
    }
    /// Elementwise maximum; NaN wins, as numpy's `maximum`.
    public static func maximum(_ a: Tensor, _ b: Tensor) throws -> Tensor { try arithmetic(.maximum, a, b) }
    /// Elementwise minimum; NaN wins, as numpy's `minimum`.
    public static func minimum(_ a: Tensor, _ b: Tensor) throws -> Tensor { try arithmetic(.minimum, a, b) }

    /// `-self`; bool tensors become int64 first.
    public func negated() throws -> Tensor {
        switch dtype {
        case .float32: return try mapApplying(operation: "negative", Negate<Float>())
        case .float64: return try mapApplying(operation: "negative", Negate<Double>())
        case .int64, .bool: return try astype(.int64).map(Int64.self, to: Int64.self, operation: "negative") { 0 &- $0 }
        }
    }

    public static prefix func - (a: Tensor) throws -> Tensor { try a.negated() }
}
