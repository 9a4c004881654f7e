import Tensors

/// A numpy dtype string (`'<f8'`, `'>i2'`, `'|b1'`) of one of the numeric element types bm reads, and how its
/// elements become a bm dtype: float16 and float32 → float32, float64 → float64, every integer width → int64,
/// bool → bool.
struct NPYElementType: Equatable {
    enum Kind: Equatable { case float, signedInteger, unsignedInteger, boolean }

    let kind: Kind
    /// Bytes per element in the file.
    let size: Int
    /// True for `>` (big-endian) element types of more than one byte.
    let bigEndian: Bool
    /// The dtype string as written in the file, for messages.
    let descriptor: String

    /// Parses a numpy dtype string. Throws a message naming what is unsupported (objects, strings, complex, …).
    init(descriptor: String) throws(MessageError) {
        self.descriptor = descriptor
        var characters = Substring(descriptor)
        var order: Character = "="
        if let first = characters.first, "<>|=".contains(first) {
            order = first
            characters = characters.dropFirst()
        }
        guard let code = characters.first else {
            throw MessageError("unsupported dtype '\(descriptor)': empty type code")
        }
        let sizeText = characters.dropFirst()
        // numpy also accepts one-letter codes without a size ('f', 'd', '?'); files written by numpy always carry one.
        let size = sizeText.isEmpty ? nil : Int(sizeText)
        switch (code, size) {
        case ("f", 2), ("f", 4), ("f", 8), ("e", nil), ("d", nil):
            kind = .float
            self.size = size ?? (code == "e" ? 2 : 8)
        case ("i", 1), ("i", 2), ("i", 4), ("i", 8):
            kind = .signedInteger
            self.size = size!
        case ("u", 1), ("u", 2), ("u", 4), ("u", 8):
            kind = .unsignedInteger
            self.size = size!
        case ("b", 1), ("?", nil), ("?", 1):
            kind = .boolean
            self.size = 1
        default:
            throw MessageError("unsupported dtype '\(descriptor)': " + Self.describeUnsupported(code))
        }
        // On the little-endian machines bm runs on, '=' (native) means little-endian.
        bigEndian = order == ">" && self.size > 1
    }

    private static func describeUnsupported(_ code: Character) -> String {
        switch code {
        case "O": return "Python objects (pickled) cannot be read without Python"
        case "c": return "complex numbers are not supported"
        case "U", "S", "a": return "strings are not supported"
        case "V": return "raw or structured records are not supported"
        case "M", "m": return "dates and time deltas are not supported"
        case "f": return "only float16, float32 and float64 are supported"
        case "i", "u": return "only 1, 2, 4 and 8-byte integers are supported"
        default: return "unknown type code '\(code)'"
        }
    }

    /// The bm dtype the elements become.
    var dtype: DType {
        switch kind {
        case .float: return size == 8 ? .float64 : .float32
        case .signedInteger, .unsignedInteger: return .int64
        case .boolean: return .bool
        }
    }

    /// True when the file's bytes already are bm elements (same width, little-endian), so they can be used in place.
    /// Bool bytes must also be 0 or 1, which `BoolBytes.areCanonical` checks separately.
    var isStoredAsIs: Bool {
        !bigEndian && size == dtype.itemSize && kind != .unsignedInteger
    }

    /// The numpy dtype string bm writes for `dtype`.
    static func descriptor(for dtype: DType) -> String {
        switch dtype {
        case .bool: return "|b1"
        case .int64: return "<i8"
        case .float32: return "<f4"
        case .float64: return "<f8"
        }
    }
}

/// An error message without a file yet; callers wrap it into a `DataError` naming the file.
struct MessageError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
