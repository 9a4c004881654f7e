/// Comparisons, logical operations, selection and tests of floating-point classes. Comparisons promote both operands
/// (`DType.promote`) and give bool tensors; NaN compares unequal to everything, as IEEE 754 says.
public enum ComparisonOperator: String, Sendable, CaseIterable {
    case equal, notEqual, less, lessEqual, greater, greaterEqual
}

infix operator .== : ComparisonPrecedence
infix operator .!= : ComparisonPrecedence
infix operator .< : ComparisonPrecedence
infix operator .<= : ComparisonPrecedence
infix operator .> : ComparisonPrecedence
infix operator .>= : ComparisonPrecedence

extension Tensor {
    /// `op(a, b)` elementwise over the broadcast shape, as a bool tensor. Throws `shapeMismatch`.
    public static func compare(_ op: ComparisonOperator, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        let type = DType.promote(a.dtype, b.dtype)
        let x = a.astype(type), y = b.astype(type)
        switch type {
        case .bool: return try compareTyped(op, x.astype(.int64), y.astype(.int64), Int64.self)
        case .int64: return try compareTyped(op, x, y, Int64.self)
        case .float32: return try compareTyped(op, x, y, Float.self)
        case .float64: return try compareTyped(op, x, y, Double.self)
        }
    }

    @inlinable
    static func compareTyped<T: TensorNumeric>(_ op: ComparisonOperator, _ x: Tensor, _ y: Tensor,
                                               _: T.Type) throws -> Tensor {
        let name = op.rawValue
        switch op {
        case .equal: return try zip(x, y, T.self, T.self, to: Bool.self, operation: name) { $0 == $1 }
        case .notEqual: return try zip(x, y, T.self, T.self, to: Bool.self, operation: name) { $0 != $1 }
        case .less: return try zip(x, y, T.self, T.self, to: Bool.self, operation: name) { $0 < $1 }
        case .lessEqual: return try zip(x, y, T.self, T.self, to: Bool.self, operation: name) { $0 <= $1 }
        case .greater: return try zip(x, y, T.self, T.self, to: Bool.self, operation: name) { $0 > $1 }
        case .greaterEqual: return try zip(x, y, T.self, T.self, to: Bool.self, operation: name) { $0 >= $1 }
        }
    }

    public static func .== (a: Tensor, b: Tensor) throws -> Tensor { try compare(.equal, a, b) }
    public static func .!= (a: Tensor, b: Tensor) throws -> Tensor { try compare(.notEqual, a, b) }
    public static func .< (a: Tensor, b: Tensor) throws -> Tensor { try compare(.less, a, b) }
    public static func .<= (a: Tensor, b: Tensor) throws -> Tensor { try compare(.lessEqual, a, b) }
    public static func .> (a: Tensor, b: Tensor) throws -> Tensor { try compare(.greater, a, b) }
    public static func .>= (a: Tensor, b: Tensor) throws -> Tensor { try compare(.greaterEqual, a, b) }
    public static func .== (a: Tensor, b: Double) throws -> Tensor { try compare(.equal, a, weakScalar(b, partner: a.dtype)) }
    public static func .!= (a: Tensor, b: Double) throws -> Tensor { try compare(.notEqual, a, weakScalar(b, partner: a.dtype)) }
    public static func .< (a: Tensor, b: Double) throws -> Tensor { try compare(.less, a, weakScalar(b, partner: a.dtype)) }
    public static func .<= (a: Tensor, b: Double) throws -> Tensor { try compare(.lessEqual, a, weakScalar(b, partner: a.dtype)) }
    public static func .> (a: Tensor, b: Double) throws -> Tensor { try compare(.greater, a, weakScalar(b, partner: a.dtype)) }
    public static func .>= (a: Tensor, b: Double) throws -> Tensor { try compare(.greaterEqual, a, weakScalar(b, partner: a.dtype)) }

    /// Elementwise logical and/or/xor of the truth values (nonzero is true) over the broadcast shape.
    public static func logicalAnd(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        try zip(a.astype(.bool), b.astype(.bool), Bool.self, Bool.self, to: Bool.self, operation: "logical_and") { $0 && $1 }
    }
    public static func logicalOr(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        try zip(a.astype(.bool), b.astype(.bool), Bool.self, Bool.self, to: Bool.self, operation: "logical_or") { $0 || $1 }
    }
    public static func logicalXor(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        try zip(a.astype(.bool), b.astype(.bool), Bool.self, Bool.self, to: Bool.self, operation: "logical_xor") { $0 != $1 }
    }
    /// Elementwise logical not of the truth values.
    public func logicalNot() throws -> Tensor {
        try astype(.bool).map(Bool.self, to: Bool.self, operation: "logical_not") { !$0 }
    }

    /// `condition ? a : b` elementwise over the broadcast of all three (numpy's `where`); `a` and `b` promote.
    /// Throws `shapeMismatch` when the three shapes do not broadcast.
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        let type = DType.promote(a.dtype, b.dtype)
        let mask = condition.astype(.bool), x = a.astype(type), y = b.astype(type)
        switch type {
        case .bool: return try zip3(mask, x, y, Bool.self, Bool.self, Bool.self, to: Bool.self, operation: "where") { $0 ? $1 : $2 }
        case .int64: return try zip3(mask, x, y, Bool.self, Int64.self, Int64.self, to: Int64.self, operation: "where") { $0 ? $1 : $2 }
        case .float32: return try zip3(mask, x, y, Bool.self, Float.self, Float.self, to: Float.self, operation: "where") { $0 ? $1 : $2 }
        case .float64: return try zip3(mask, x, y, Bool.self, Double.self, Double.self, to: Double.self, operation: "where") { $0 ? $1 : $2 }
        }
    }

    /// True where an element is NaN (never for integer or bool tensors).
    public func isNaN() throws -> Tensor { try floatClass("isnan", whenInteger: false) { $0.isNaN } }
    /// True where an element is neither NaN nor infinite (always for integer or bool tensors).
    public func isFinite() throws -> Tensor { try floatClass("isfinite", whenInteger: true) { $0.isFinite } }
    /// True where an element is +∞ or −∞.
    public func isInfinite() throws -> Tensor { try floatClass("isinf", whenInteger: false) { $0.isInfinite } }

    private func floatClass(_ name: String, whenInteger: Bool,
                            _ test: @escaping @Sendable (Double) -> Bool) throws -> Tensor {
        switch dtype {
        case .float32: return try map(Float.self, to: Bool.self, operation: name) { test(Double($0)) }
        case .float64: return try map(Double.self, to: Bool.self, operation: name, test)
        case .int64, .bool: return try Tensor.full(shape, value: whenInteger ? 1 : 0, dtype: .bool)
        }
    }

    /// True when both tensors have the same shape and every pair of elements satisfies
    /// |a − b| ≤ absoluteTolerance + relativeTolerance·|b| (numpy's `allclose`; NaNs equal only if `equalNaN`).
    public static func allClose(_ a: Tensor, _ b: Tensor, relativeTolerance: Double = 1e-5,
                                absoluteTolerance: Double = 1e-8, equalNaN: Bool = false) -> Bool {
        guard a.shape == b.shape else { return false }
        let x = a.scalars(as: Double.self), y = b.scalars(as: Double.self)
        for (p, q) in Swift.zip(x, y) {
            if p.isNaN || q.isNaN {
                if !(equalNaN && p.isNaN && q.isNaN) { return false }
                continue
            }
            if p == q { continue }
            if Swift.abs(p - q) > absoluteTolerance + relativeTolerance * Swift.abs(q) { return false }
        }
        return true
    }
}
