import Tensors

/// The preamble and header of a `.npy` file: magic `\x93NUMPY`, version, header length, and a Python dict literal
/// `{'descr': '<f8', 'fortran_order': False, 'shape': (200, 25, 25), }` padded with spaces to a 64-byte boundary.
/// Format reference: numpy/lib/format.py (versions 1.0: 2-byte length, latin-1; 2.0: 4-byte length; 3.0: UTF-8).
struct NPYHeader: Equatable {
    var elementType: NPYElementType
    var fortranOrder: Bool
    var shape: [Int]
    /// Byte offset of the first element: preamble plus header.
    var dataOffset: Int

    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // "\x93NUMPY"

    /// The length of the header that follows the preamble, read from the first bytes of a file.
    /// Returns (preamble length, header length). Throws a message for bad magic or an unknown version;
    /// `prefix` must hold at least the first 10 bytes (12 for versions 2 and 3), or all of a shorter file.
    static func headerLength(prefix: [UInt8], fileSize: Int) throws(MessageError) -> (preamble: Int, header: Int) {
        guard prefix.starts(with: magic.prefix(prefix.count)) else {
            throw MessageError("not a .npy file: it does not start with the magic bytes \\x93NUMPY")
        }
        guard prefix.count >= 10 else {
            throw MessageError("file is truncated: \(fileSize) bytes, but a .npy preamble alone takes 10")
        }
        let major = prefix[6], minor = prefix[7]
        let preamble: Int, length: Int
        switch major {
        case 1:
            preamble = 10
            length = Int(prefix[8]) | Int(prefix[9]) << 8
        case 2, 3:
            preamble = 12
            guard prefix.count >= 12 else {
                throw MessageError("file is truncated: \(fileSize) bytes, but a version \(major) preamble takes 12")
            }
            length = (8..<12).reduce(0) { $0 | Int(prefix[$1]) << (8 * ($1 - 8)) }
        default:
            throw MessageError("unsupported .npy format version \(major).\(minor) (bm reads 1.0, 2.0 and 3.0)")
        }
        guard length <= fileSize - preamble else {
            throw MessageError("file is truncated: header claims \(length) bytes but the file has "
                               + "\(fileSize - preamble) after the \(preamble)-byte preamble")
        }
        return (preamble, length)
    }

    /// Parses the header text (the bytes after the preamble). Throws a message saying what is malformed.
    static func parse(headerBytes: ArraySlice<UInt8>, version: UInt8, preamble: Int) throws(MessageError) -> NPYHeader {
        // Versions 1 and 2 are latin-1, in which every byte is the code point of the same number.
        let text = version == 3
            ? String(decoding: headerBytes, as: UTF8.self)
            : String(String.UnicodeScalarView(headerBytes.map { Unicode.Scalar($0) }))
        // numpy pads the header with spaces and a newline; positions in messages count from its start.
        let trimmed = String(text.unicodeScalars.reversed().drop { $0.properties.isWhitespace }.reversed()
            .map(Character.init))
        let literal: PythonLiteral
        do {
            literal = try PythonLiteral.parse(trimmed)
        } catch {
            throw MessageError("malformed header: \(error.message)")
        }
        guard case .dictionary(let entries) = literal else {
            throw MessageError("malformed header: expected a dict literal, found \(trimmed.prefix(40))")
        }
        var descriptor: PythonLiteral?, fortran: PythonLiteral?, shapeValue: PythonLiteral?
        for (key, value) in entries {
            switch key {
            case .string("descr"): descriptor = value
            case .string("fortran_order"): fortran = value
            case .string("shape"): shapeValue = value
            default: throw MessageError("malformed header: unexpected key \(key) (numpy writes only descr, "
                                        + "fortran_order and shape)")
            }
        }
        guard let descriptor, let fortran, let shapeValue else {
            throw MessageError("malformed header: it needs the keys descr, fortran_order and shape")
        }
        guard case .string(let descriptorText) = descriptor else {
            if case .list = descriptor {
                throw MessageError("unsupported dtype: structured arrays (records with named fields) are not supported")
            }
            throw MessageError("malformed header: descr must be a dtype string")
        }
        guard case .boolean(let fortranOrder) = fortran else {
            throw MessageError("malformed header: fortran_order must be True or False")
        }
        guard case .tuple(let dimensions) = shapeValue else {
            throw MessageError("malformed header: shape must be a tuple of integers")
        }
        var shape: [Int] = []
        for dimension in dimensions {
            guard case .integer(let length) = dimension, length >= 0 else {
                throw MessageError("malformed header: shape must be a tuple of non-negative integers")
            }
            shape.append(length)
        }
        let elementType = try NPYElementType(descriptor: descriptorText)
        return NPYHeader(elementType: elementType, fortranOrder: fortranOrder, shape: shape,
                         dataOffset: preamble + headerBytes.count)
    }

    /// Bytes of element data the header describes; throws when the count overflows.
    func dataByteCount() throws(MessageError) -> Int {
        var total = elementType.size
        for dimension in shape {
            let (product, overflow) = total.multipliedReportingOverflow(by: dimension)
            guard !overflow else {
                throw MessageError("absurd shape \(formatShape(shape)): its byte count overflows")
            }
            total = product
        }
        return total
    }

    /// The preamble and header numpy writes for a little-endian C-order array of `shape` with dtype string
    /// `descriptor`, byte for byte as numpy 2 does: keys sorted, 21 − digits spare spaces for in-place growth of
    /// the first axis, padding to a 64-byte boundary, version 1.0 unless the header needs 4 length bytes.
    static func encode(descriptor: String, shape: [Int]) -> [UInt8] {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descriptor)', 'fortran_order': False, 'shape': \(shapeText), }"
        if let first = shape.first { header += String(repeating: " ", count: Swift.max(0, 21 - String(first).count)) }
        var bytes = Array(header.utf8)
        // numpy pads with 1…64 spaces (a full 64 when already aligned) and uses version 2.0 only when the padded
        // header overflows the 2-byte length of version 1.0.
        let paddedLength = { (preamble: Int) in bytes.count + 1 + 64 - (preamble + bytes.count + 1) % 64 }
        let version: UInt8 = paddedLength(10) <= 65535 ? 1 : 2
        let preamble = version == 1 ? 10 : 12
        bytes += [UInt8](repeating: 0x20, count: paddedLength(preamble) - bytes.count - 1)
        bytes.append(0x0A)
        var result = magic + [version, 0]
        let length = bytes.count
        result += version == 1 ? [UInt8(length & 0xFF), UInt8(length >> 8)]
            : (0..<4).map { UInt8((length >> (8 * $0)) & 0xFF) }
        return result + bytes
    }
}
