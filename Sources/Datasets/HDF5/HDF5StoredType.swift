import Tensors

/// The element type of a dataset or attribute as stored in the file, and what bm reads it as.
///
/// | stored                                      | read as                                              |
/// |---------------------------------------------|------------------------------------------------------|
/// | float32, float64                            | float32, float64                                     |
/// | float16 (and other small floats)            | float32 (libhdf5 converts)                           |
/// | long double / float128                      | float64                                              |
/// | int8 … int64, uint8 … uint32                | int64                                                |
/// | uint64                                      | int64; a value beyond Int64.max is an error          |
/// | enum {FALSE = 0, TRUE = 1} over an integer  | bool (h5py's numpy bool)                             |
/// | fixed or variable length strings            | `[String]` (`readStrings`)                           |
/// | compound, array, vlen sequence, enum, other | unsupported: reading throws, naming the type         |
public indirect enum HDF5StoredType: Equatable, Sendable, CustomStringConvertible {
    public struct Member: Equatable, Sendable {
        public let name: String
        public let value: Int64
    }

    public struct Field: Equatable, Sendable {
        public let name: String
        public let type: HDF5StoredType
    }

    case integer(bytes: Int, signed: Bool)
    case float(bytes: Int)
    case string(variableLength: Bool, bytes: Int, utf8: Bool, spacePadded: Bool)
    case enumeration(base: HDF5StoredType, members: [Member])
    case compound(fields: [Field])
    case array(shape: [Int], element: HDF5StoredType)
    case variableLengthSequence(element: HDF5StoredType)
    case other(String)

    /// numpy-style names: `uint8`, `float16`, `bool (enum FALSE/TRUE over int8)`, `variable-length UTF-8 string`,
    /// `fixed-length ASCII string of 8 bytes`, `compound {r: float64, i: float64}`.
    public var description: String {
        switch self {
        case .integer(let bytes, let signed): return "\(signed ? "int" : "uint")\(bytes * 8)"
        case .float(let bytes): return "float\(bytes * 8)"
        case .string(let variableLength, let bytes, let utf8, _):
            let encoding = utf8 ? "UTF-8" : "ASCII"
            return variableLength ? "variable-length \(encoding) string"
                : "fixed-length \(encoding) string of \(bytes) bytes"
        case .enumeration(let base, let members):
            let names = members.sorted { $0.value < $1.value }.map { "\($0.name) = \($0.value)" }
                .joined(separator: ", ")
            return isBool ? "bool (enum FALSE/TRUE over \(base))" : "enum {\(names)} over \(base)"
        case .compound(let fields):
            return "compound {" + fields.map { "\($0.name): \($0.type)" }.joined(separator: ", ") + "}"
        case .array(let shape, let element): return "array \(formatShape(shape)) of \(element)"
        case .variableLengthSequence(let element): return "variable-length sequence of \(element)"
        case .other(let text): return text
        }
    }

    /// The bm dtype this type reads as; nil for strings and unsupported types.
    public var readDType: DType? {
        switch self {
        case .integer: return .int64
        case .float(let bytes): return bytes <= 4 ? .float32 : .float64
        case .enumeration where isBool: return .bool
        default: return nil
        }
    }

    public var isString: Bool {
        if case .string = self { return true }
        return false
    }

    /// h5py's bool: an enum over an integer whose members are exactly FALSE = 0 and TRUE = 1.
    var isBool: Bool {
        guard case .enumeration(let base, let members) = self, case .integer = base else { return false }
        return Set(members.map { "\($0.name)=\($0.value)" }) == ["FALSE=0", "TRUE=1"]
    }

    /// The memory type libhdf5 converts to while reading (nil for strings and unsupported types).
    var memoryType: HDF5MemoryType? {
        switch self {
        case .integer(let bytes, let signed): return bytes == 8 && !signed ? .uint64 : .int64
        case .float(let bytes): return bytes <= 4 ? .float32 : .float64
        case .enumeration where isBool: return .boolEnum
        default: return nil
        }
    }

    /// Why bm cannot read this type as numbers, for the error message.
    var unsupportedReason: String {
        switch self {
        case .compound(let fields) where fields.map(\.name) == ["r", "i"]:
            return "complex numbers (\(self)) are not supported; store the real and imaginary parts as two datasets"
        case .string:
            return "it holds strings (\(self)); read it with readStrings()"
        default:
            return "its element type \(self) is not supported; bm reads numbers, bools (h5py's enum) and strings"
        }
    }
}

/// The number of elements of `shape`, or nil when the product overflows (a damaged file's claim).
func elementCount(_ shape: [Int]) -> Int? {
    var count = 1
    for length in shape {
        let (product, overflow) = count.multipliedReportingOverflow(by: length)
        if overflow { return nil }
        count = product
    }
    return count
}
