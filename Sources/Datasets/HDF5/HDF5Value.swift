import Tensors

/// The value of an HDF5 attribute (on a file, group or dataset).
///
/// Reading: a scalar number is `.number` (a bool, or an integer a Double cannot hold exactly, is a 0-d `.numbers`
/// tensor instead, so nothing is lost); a numeric array is `.numbers` (dtype as `HDF5StoredType.readDType`); a scalar
/// string is `.string`; an array of strings is `.strings`, flattened in row-major order.
/// Writing: `.number` is stored as a float64 scalar, `.numbers` with its dtype (bool as h5py's enum), strings as
/// variable-length UTF-8 (what h5py writes for `str`, and reads back as `str`).
public enum HDF5Value: Sendable, CustomStringConvertible, Equatable {
    case number(Double)
    case numbers(Tensor)
    case string(String)
    case strings([String])

    /// Equal kinds with equal contents; tensors compare dtype, shape and elements (NaN equals NaN, so that a value
    /// read back equals the one written).
    public static func == (left: HDF5Value, right: HDF5Value) -> Bool {
        switch (left, right) {
        case (.number(let a), .number(let b)): return a == b || (a.isNaN && b.isNaN)
        case (.string(let a), .string(let b)): return a == b
        case (.strings(let a), .strings(let b)): return a == b
        case (.numbers(let a), .numbers(let b)):
            guard a.dtype == b.dtype, a.shape == b.shape else { return false }
            switch a.dtype {
            case .bool: return a.scalars(as: Bool.self) == b.scalars(as: Bool.self)
            case .int64: return a.scalars(as: Int64.self) == b.scalars(as: Int64.self)
            case .float32:
                return zip(a.scalars(as: Float.self), b.scalars(as: Float.self))
                    .allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
            case .float64:
                return zip(a.scalars(as: Double.self), b.scalars(as: Double.self))
                    .allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
            }
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .number(let value): return "\(value)"
        case .numbers(let tensor): return "\(tensor.dtype) tensor of shape \(formatShape(tensor.shape))"
        case .string(let text): return "\"\(text)\""
        case .strings(let texts): return "[" + texts.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
        }
    }

    /// The number, for `.number` and one-element `.numbers`; nil otherwise.
    public var doubleValue: Double? {
        switch self {
        case .number(let value): return value
        case .numbers(let tensor) where tensor.count == 1: return try? tensor.item()
        default: return nil
        }
    }

    /// The text, for `.string` and one-element `.strings`; nil otherwise.
    public var stringValue: String? {
        switch self {
        case .string(let text): return text
        case .strings(let texts) where texts.count == 1: return texts[0]
        default: return nil
        }
    }
}
