import RealModule

/// Elementwise mathematical functions. Integer and bool tensors are converted to float64 first, as numpy does;
/// float32 stays float32. None of them throw except on cancellation.
public enum MathFunction: String, Sendable, CaseIterable {
    case sqrt, exp, log, log1p, expm1, tanh, sigmoid, erf, gelu, sin, cos, square, reciprocal, floor, ceil, round
}

extension Tensor {
    /// `function` applied to each element (float result).
    public func apply(_ function: MathFunction) throws -> Tensor {
        switch dtype {
        case .float32:
            if function == .exp { return try mapApplying(operation: "exp", FastExponential()) }
            return try Tensor.applyFloating(function, self, Float.self)
        case .float64: return try Tensor.applyFloating(function, self, Double.self)
        case .int64, .bool: return try Tensor.applyFloating(function, astype(.float64), Double.self)
        }
    }

    @inlinable
    static func applyFloating<T: TensorFloat>(_ function: MathFunction, _ x: Tensor, _: T.Type) throws -> Tensor {
        let name = function.rawValue
        switch function {
        case .sqrt: return try x.mapApplying(operation: name, SquareRoot<T>())
        case .exp: return try x.map(T.self, to: T.self, operation: name) { T.exp($0) }
        case .log: return try x.map(T.self, to: T.self, operation: name) { T.log($0) }
        case .log1p: return try x.map(T.self, to: T.self, operation: name) { T.log(onePlus: $0) }
        case .expm1: return try x.map(T.self, to: T.self, operation: name) { T.expMinusOne($0) }
        case .tanh: return try x.map(T.self, to: T.self, operation: name) { T.tanh($0) }
        case .sigmoid:
            // Split by sign so that exp never overflows.
            return try x.map(T.self, to: T.self, operation: name) { value in
                if value >= 0 { return 1 / (1 + T.exp(-value)) }
                let e = T.exp(value)
                return e / (1 + e)
            }
        case .erf: return try x.map(T.self, to: T.self, operation: name) { T.erf($0) }
        case .gelu:
            // The exact GELU, x·Φ(x) = x/2·(1 + erf(x/√2)), as PyTorch's default and DINOv2.
            return try x.map(T.self, to: T.self, operation: name) { value in
                value * 0.5 * (1 + T.erf(value * 0.70710678118654752440))
            }
        case .sin: return try x.map(T.self, to: T.self, operation: name) { T.sin($0) }
        case .cos: return try x.map(T.self, to: T.self, operation: name) { T.cos($0) }
        case .square: return try x.mapApplying(operation: name, Square<T>())
        case .reciprocal: return try x.map(T.self, to: T.self, operation: name) { 1 / $0 }
        case .floor: return try x.map(T.self, to: T.self, operation: name) { $0.rounded(.down) }
        case .ceil: return try x.map(T.self, to: T.self, operation: name) { $0.rounded(.up) }
        case .round:
            // numpy rounds half to even.
            return try x.map(T.self, to: T.self, operation: name) { $0.rounded(.toNearestOrEven) }
        }
    }

    public func sqrt() throws -> Tensor { try apply(.sqrt) }
    public func exp() throws -> Tensor { try apply(.exp) }
    public func log() throws -> Tensor { try apply(.log) }
    public func log1p() throws -> Tensor { try apply(.log1p) }
    public func tanh() throws -> Tensor { try apply(.tanh) }
    /// The logistic function 1 / (1 + e^(−x)).
    public func sigmoid() throws -> Tensor { try apply(.sigmoid) }
    public func erf() throws -> Tensor { try apply(.erf) }
    /// x·Φ(x), the exact (erf) GELU.
    public func gelu() throws -> Tensor { try apply(.gelu) }
    public func square() throws -> Tensor {
        dtype.isFloatingPoint ? try apply(.square) : try Tensor.arithmetic(.multiply, self, self)
    }

    /// |x|; integer tensors stay int64, bool tensors become int64.
    public func abs() throws -> Tensor {
        switch dtype {
        case .float32: return try mapApplying(operation: "abs", AbsoluteValue<Float>())
        case .float64: return try mapApplying(operation: "abs", AbsoluteValue<Double>())
        case .int64, .bool:
            return try astype(.int64).map(Int64.self, to: Int64.self, operation: "abs") { $0 < 0 ? 0 &- $0 : $0 }
        }
    }

    /// −1, 0 or 1 by the sign (NaN stays NaN), in this tensor's dtype (bool becomes int64).
    public func sign() throws -> Tensor {
        switch dtype {
        case .float32: return try map(Float.self, to: Float.self, operation: "sign") { $0 > 0 ? 1 : ($0 < 0 ? -1 : $0) }
        case .float64: return try map(Double.self, to: Double.self, operation: "sign") { $0 > 0 ? 1 : ($0 < 0 ? -1 : $0) }
        case .int64, .bool:
            return try astype(.int64).map(Int64.self, to: Int64.self, operation: "sign") { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }
        }
    }

    /// Each element limited to `[minimum, maximum]` (either bound may be nil). NaN stays NaN.
    /// Throws `invalidArgument` when both are nil.
    public func clipped(min minimum: Double? = nil, max maximum: Double? = nil) throws -> Tensor {
        guard minimum != nil || maximum != nil else {
            throw TensorError(.invalidArgument, "clip", "give a minimum, a maximum or both")
        }
        var result = self
        if let minimum { result = try Tensor.arithmetic(.maximum, result, Tensor.weakScalar(minimum, partner: dtype)) }
        if let maximum { result = try Tensor.arithmetic(.minimum, result, Tensor.weakScalar(maximum, partner: dtype)) }
        return result
    }
}
