import Tensors

/// One tensor entry of a safetensors header: `"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}`.
struct SafetensorsEntry {
    let name: String
    let dtype: SafetensorsElementType
    let shape: [Int]
    /// Byte range within the data section (which starts after the header).
    let begin: Int
    let end: Int
}

/// The element types of the safetensors format that bm reads, and what they become.
enum SafetensorsElementType: String {
    case F64, F32, F16, BF16, I64, I32, I16, I8, U64, U32, U16, U8, BOOL

    var size: Int {
        switch self {
        case .F64, .I64, .U64: return 8
        case .F32, .I32, .U32: return 4
        case .F16, .BF16, .I16, .U16: return 2
        case .I8, .U8, .BOOL: return 1
        }
    }

    /// The same element type in numpy's notation, for the shared converter; nil for bfloat16, which numpy lacks.
    var numpyType: NPYElementType? {
        let descriptor: String
        switch self {
        case .F64: descriptor = "<f8"
        case .F32: descriptor = "<f4"
        case .F16: descriptor = "<f2"
        case .BF16: return nil
        case .I64: descriptor = "<i8"
        case .I32: descriptor = "<i4"
        case .I16: descriptor = "<i2"
        case .I8: descriptor = "|i1"
        case .U64: descriptor = "<u8"
        case .U32: descriptor = "<u4"
        case .U16: descriptor = "<u2"
        case .U8: descriptor = "|u1"
        case .BOOL: descriptor = "|b1"
        }
        return try? NPYElementType(descriptor: descriptor)
    }

    var dtype: DType { numpyType?.dtype ?? .float32 }

    static func forWriting(_ dtype: DType) -> SafetensorsElementType {
        switch dtype {
        case .bool: return .BOOL
        case .int64: return .I64
        case .float32: return .F32
        case .float64: return .F64
        }
    }

    /// The order in which the reference implementation lays tensors out when saving: by dtype, descending in its
    /// enum's order (… BOOL < U8 < I8 < I16 < U16 < F16 < BF16 < I32 < U32 < F32 < F64 < I64 < U64), then by name.
    var layoutRank: Int {
        switch self {
        case .BOOL: return 0
        case .U8: return 1
        case .I8: return 2
        case .I16: return 3
        case .U16: return 4
        case .F16: return 5
        case .BF16: return 6
        case .I32: return 7
        case .U32: return 8
        case .F32: return 9
        case .F64: return 10
        case .I64: return 11
        case .U64: return 12
        }
    }
}

enum SafetensorsHeader {
    /// The largest header bm accepts, as the reference implementation does: a larger one is corruption or an attack.
    static let maximumLength = 100_000_000

    /// Parses and validates the header JSON against a data section of `dataLength` bytes: every entry's dtype,
    /// shape, offsets within the data, byte length equal to shape × itemsize, and no two entries overlapping.
    /// Returns the entries in data order and the `__metadata__` strings.
    static func parse(_ json: UnsafeRawBufferPointer, dataLength: Int) throws(MessageError)
        -> (entries: [SafetensorsEntry], metadata: [String: String]) {
        guard case .object(let fields) = try JSONValue.parse(json) else {
            throw MessageError("malformed header: the JSON header must be an object")
        }
        var entries: [SafetensorsEntry] = []
        var metadata: [String: String] = [:]
        for (name, value) in fields {
            if name == "__metadata__" {
                guard case .object(let pairs) = value else {
                    throw MessageError("malformed header: __metadata__ must be an object of strings")
                }
                for (key, item) in pairs {
                    guard case .string(let text) = item else {
                        throw MessageError("malformed header: __metadata__ value '\(key)' is not a string")
                    }
                    metadata[key] = text
                }
                continue
            }
            entries.append(try entry(name: name, value, dataLength: dataLength))
        }
        entries.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
        for (previous, next) in zip(entries, entries.dropFirst()) where next.begin < previous.end {
            throw MessageError("malformed header: tensors '\(previous.name)' (bytes \(previous.begin)..<\(previous.end)) "
                               + "and '\(next.name)' (bytes \(next.begin)..<\(next.end)) overlap")
        }
        return (entries, metadata)
    }

    private static func entry(name: String, _ value: JSONValue, dataLength: Int) throws(MessageError)
        -> SafetensorsEntry {
        let fail = { (message: String) in MessageError("malformed header: tensor '\(name)': \(message)") }
        guard case .object(let fields) = value else { throw fail("expected an object") }
        var dtypeText: String?, shapeValues: [JSONValue]?, offsetValues: [JSONValue]?
        for (key, field) in fields {
            switch (key, field) {
            case ("dtype", .string(let text)): dtypeText = text
            case ("shape", .array(let items)): shapeValues = items
            case ("data_offsets", .array(let items)): offsetValues = items
            default: throw fail("unexpected field '\(key)' or wrong type")
            }
        }
        guard let dtypeText, let shapeValues, let offsetValues else {
            throw fail("needs dtype, shape and data_offsets")
        }
        guard let dtype = SafetensorsElementType(rawValue: dtypeText) else {
            throw MessageError("tensor '\(name)': unsupported dtype '\(dtypeText)' (bm reads F64, F32, F16, BF16, "
                               + "I64, I32, I16, I8, U64, U32, U16, U8 and BOOL)")
        }
        var shape: [Int] = []
        var byteCount = dtype.size
        for item in shapeValues {
            guard case .integer(let length) = item, length >= 0 else {
                throw fail("shape must be a list of non-negative integers")
            }
            let (product, overflow) = byteCount.multipliedReportingOverflow(by: length)
            guard !overflow else { throw fail("absurd shape \(formatShape(shape + [length])): its size overflows") }
            byteCount = product
            shape.append(length)
        }
        guard offsetValues.count == 2, case .integer(let begin) = offsetValues[0], case .integer(let end) = offsetValues[1],
              begin >= 0, begin <= end else {
            throw fail("data_offsets must be two integers [begin, end] with begin ≤ end")
        }
        guard end <= dataLength else {
            throw MessageError("file is truncated: tensor '\(name)' claims bytes \(begin)..<\(end) of the data but "
                               + "the file has \(dataLength) bytes of data")
        }
        guard end - begin == byteCount else {
            throw fail("shape \(formatShape(shape)) of \(dtypeText) needs \(byteCount) bytes but data_offsets "
                       + "give \(end - begin)")
        }
        return SafetensorsEntry(name: name, dtype: dtype, shape: shape, begin: begin, end: end)
    }

    /// The header bytes the reference implementation writes: compact JSON with `__metadata__` first (keys sorted
    /// here; the reference leaves them in hash order), then tensors in layout order, padded with spaces to a
    /// multiple of 8 bytes.
    static func encode(entries: [SafetensorsEntry], metadata: [String: String]) -> [UInt8] {
        var fields: [(key: String, value: JSONValue)] = []
        if !metadata.isEmpty {
            fields.append(("__metadata__", .object(metadata.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })))
        }
        for entry in entries {
            fields.append((entry.name, .object([
                ("dtype", .string(entry.dtype.rawValue)),
                ("shape", .array(entry.shape.map { .integer($0) })),
                ("data_offsets", .array([.integer(entry.begin), .integer(entry.end)])),
            ])))
        }
        var bytes = Array(JSONValue.object(fields).encoded.utf8)
        bytes += [UInt8](repeating: 0x20, count: (8 - bytes.count % 8) % 8)
        return bytes
    }
}
