import Language
import Tensors

/// JSON text to and from script values (RFC 8259). Records keep their field order both ways (Foundation's parser
/// would lose it), tensors are written as nested lists, and numbers that JSON cannot hold (NaN, ±∞) as `null`.
enum JSONText {
    struct Failure: Error { let message: String }

    // MARK: Writing

    /// The JSON text of `value`; `indent` spaces per level, or one line when nil.
    /// Throws `Failure` naming the path of a value JSON cannot hold (a function, a non-tensor native object).
    static func text(of value: Value, indent: Int?) throws -> String {
        var output = ""
        try write(value, into: &output, indent: indent, level: 0, path: "value")
        return output
    }

    private static func write(_ value: Value, into output: inout String, indent: Int?, level: Int, path: String) throws {
        switch value {
        case .nil: output += "null"
        case .bool(let flag): output += flag ? "true" : "false"
        case .number(let number): output += numberText(number)
        case .string(let string): writeString(string, into: &output)
        case .list(let list):
            try writeArray(list.elements.count, into: &output, indent: indent, level: level) { index, output in
                try write(list.elements[index], into: &output, indent: indent, level: level + 1, path: "\(path)[\(index)]")
            }
        case .record(let record):
            try writeObject(record.keys, into: &output, indent: indent, level: level) { index, output in
                try write(record.values[index], into: &output, indent: indent, level: level + 1,
                          path: "\(path).\(record.keys[index])")
            }
        case .native(let object):
            guard let tensor = (object as? TensorObject)?.tensor else {
                throw Failure(message: "\(path) is a \(object.typeName), which JSON cannot hold")
            }
            try writeTensor(tensor, into: &output, indent: indent, level: level)
        case .function:
            throw Failure(message: "\(path) is a function, which JSON cannot hold")
        }
    }

    /// A tensor as nested arrays; its innermost rows stay on one line, so a matrix reads as one.
    private static func writeTensor(_ tensor: Tensor, into output: inout String, indent: Int?, level: Int) throws {
        let contiguous = tensor.contiguous()
        let scalars: [String]
        switch contiguous.dtype {
        case .bool: scalars = contiguous.scalars(as: Bool.self).map { $0 ? "true" : "false" }
        case .int64: scalars = contiguous.scalars(as: Int64.self).map { String($0) }
        case .float32: scalars = contiguous.scalars(as: Float.self).map { $0.isFinite ? floatText($0) : "null" }
        default: scalars = contiguous.astype(.float64).scalars(as: Double.self).map(numberText)
        }
        if tensor.rank == 0 {
            output += scalars[0]
            return
        }
        var position = 0
        func emit(axis: Int, level: Int, into output: inout String) throws {
            let length = tensor.shape[axis]
            if axis == tensor.rank - 1 {
                output += "[" + scalars[position..<(position + length)].joined(separator: ", ") + "]"
                position += length
                return
            }
            try writeArray(length, into: &output, indent: indent, level: level) { _, output in
                try emit(axis: axis + 1, level: level + 1, into: &output)
            }
        }
        try emit(axis: 0, level: level, into: &output)
    }

    private static func writeArray(_ count: Int, into output: inout String, indent: Int?, level: Int,
                                   _ element: (Int, inout String) throws -> Void) throws {
        if count == 0 { output += "[]"; return }
        output += "["
        for index in 0..<count {
            if index > 0 { output += "," }
            newline(&output, indent: indent, level: level + 1)
            try element(index, &output)
        }
        newline(&output, indent: indent, level: level)
        output += "]"
    }

    private static func writeObject(_ keys: [String], into output: inout String, indent: Int?, level: Int,
                                    _ element: (Int, inout String) throws -> Void) throws {
        if keys.isEmpty { output += "{}"; return }
        output += "{"
        for (index, key) in keys.enumerated() {
            if index > 0 { output += "," }
            newline(&output, indent: indent, level: level + 1)
            writeString(key, into: &output)
            output += ": "
            try element(index, &output)
        }
        newline(&output, indent: indent, level: level)
        output += "}"
    }

    private static func newline(_ output: inout String, indent: Int?, level: Int) {
        guard let indent else {
            if output.last == "," { output += " " }
            return
        }
        output += "\n" + String(repeating: " ", count: indent * level)
    }

    /// Whole numbers below 2⁵³ without a fraction ("3", as Python's json writes ints); others shortest round-trip.
    static func numberText(_ number: Double) -> String {
        guard number.isFinite else { return "null" }
        if number == number.rounded(), abs(number) < 9_007_199_254_740_992 { return String(Int64(number)) }
        return "\(number)"
    }

    private static func floatText(_ number: Float) -> String {
        if number == number.rounded(), abs(number) < 16_777_216 { return String(Int64(number)) }
        return "\(number)"
    }

    private static func writeString(_ string: String, into output: inout String) {
        output += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20:
                output += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}
