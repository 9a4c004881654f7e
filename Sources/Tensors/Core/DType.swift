import RealModule

/// The element types a tensor can hold.
///
/// Promotion when two dtypes meet in one operation follows numpy for these four types:
///
/// |           | bool    | int64   | float32 | float64 |
/// |-----------|---------|---------|---------|---------|
/// | bool      | bool    | int64   | float32 | float64 |
/// | int64     | int64   | int64   | float64 | float64 |
/// | float32   | float32 | float64 | float32 | float64 |
/// | float64   | float64 | float64 | float64 | float64 |
///
/// A Swift `Double` or `Int` scalar mixed with a tensor is "weak", as a Python scalar is in numpy 2: it takes the
/// tensor's dtype when that is a floating-point type (`float32 * 2.5` stays float32); a fractional scalar with an
/// integer or bool tensor gives float64.
public enum DType: String, Sendable, CaseIterable, CustomStringConvertible {
    case bool
    case int64
    case float32
    case float64

    /// Bytes per element.
    public var itemSize: Int {
        switch self {
        case .bool: return 1
        case .float32: return 4
        case .int64, .float64: return 8
        }
    }

    public var isFloatingPoint: Bool { self == .float32 || self == .float64 }

    public var description: String { rawValue }

    /// Rank in numpy's promotion lattice, except for the int64/float32 pair, which meets at float64.
    private var rank: Int {
        switch self {
        case .bool: return 0
        case .int64: return 1
        case .float32: return 2
        case .float64: return 3
        }
    }

    /// The dtype in which `a` and `b` meet (the table above).
    public static func promote(_ a: DType, _ b: DType) -> DType {
        if (a == .int64 && b == .float32) || (a == .float32 && b == .int64) { return .float64 }
        return a.rank >= b.rank ? a : b
    }

    /// The dtype of a floating-point result computed from this dtype (`sqrt`, `mean`, true division…):
    /// float32 stays float32, everything else becomes float64.
    public var floatingPointResult: DType { self == .float32 ? .float32 : .float64 }
}

/// A Swift type that can be the element of a tensor. Conversions between element types go through `Double`,
/// which is exact for every pair bm uses except int64 values beyond 2^53 converted to a floating-point type.
public protocol TensorScalar: Sendable, Equatable {
    static var dtype: DType { get }
    /// The value as a Double (`true` is 1).
    var doubleValue: Double { get }
    /// Converts with numpy's `astype` semantics: truncation toward zero for integers, `x != 0` for bool.
    init(fromDouble value: Double)
    static var zero: Self { get }
}

/// Element types with arithmetic and an order: int64, float32, float64.
public protocol TensorNumeric: TensorScalar, Numeric, Comparable {}

/// Floating-point element types: float32, float64.
public protocol TensorFloat: TensorNumeric, Real, BinaryFloatingPoint {}

extension Bool: TensorScalar {
    public static var dtype: DType { .bool }
    @inlinable public var doubleValue: Double { self ? 1 : 0 }
    @inlinable public init(fromDouble value: Double) { self = value != 0 }
    public static var zero: Bool { false }
}

extension Int64: TensorNumeric {
    public static var dtype: DType { .int64 }
    @inlinable public var doubleValue: Double { Double(self) }
    @inlinable public init(fromDouble value: Double) {
        // NaN and out-of-range values have no integer meaning; numpy gives INT64_MIN there, and so do we.
        if value.isNaN || value >= 9.223372036854775807e18 || value < -9.223372036854775808e18 {
            self = .min
        } else {
            self = Int64(value.rounded(.towardZero))
        }
    }
}

extension Float: TensorFloat {
    public static var dtype: DType { .float32 }
    @inlinable public var doubleValue: Double { Double(self) }
    @inlinable public init(fromDouble value: Double) { self = Float(value) }
}

extension Double: TensorFloat {
    public static var dtype: DType { .float64 }
    @inlinable public var doubleValue: Double { self }
    @inlinable public init(fromDouble value: Double) { self = value }
}
