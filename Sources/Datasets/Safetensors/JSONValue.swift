/// A JSON value that keeps object keys in file order and integers exact (safetensors offsets need all 64 bits).
/// A small parser of our own rather than Foundation's: the header is hostile input, and this one bounds nesting,
/// keeps order, and reports where it failed.
enum JSONValue: Equatable {
    case string(String)
    case integer(Int)
    case number(Double)
    case boolean(Bool)
    case null
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case let (.string(x), .string(y)): return x == y
        case let (.integer(x), .integer(y)): return x == y
        case let (.number(x), .number(y)): return x == y
        case let (.boolean(x), .boolean(y)): return x == y
        case (.null, .null): return true
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }

    /// Parses UTF-8 JSON text; trailing whitespace is allowed (safetensors pads its header with spaces).
    static func parse(_ bytes: UnsafeRawBufferPointer) throws(MessageError) -> JSONValue {
        var parser = Parser(bytes: bytes)
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.position == bytes.count else { throw parser.failure("unexpected text after the JSON value") }
        return value
    }

    /// Compact JSON text, as serde_json writes it (no spaces).
    var encoded: String {
        switch self {
        case .string(let text): return JSONValue.quote(text)
        case .integer(let value): return String(value)
        case .number(let value): return String(value)
        case .boolean(let value): return value ? "true" : "false"
        case .null: return "null"
        case .array(let items): return "[" + items.map(\.encoded).joined(separator: ",") + "]"
        case .object(let entries):
            return "{" + entries.map { JSONValue.quote($0.key) + ":" + $0.value.encoded }.joined(separator: ",") + "}"
        }
    }

    static func quote(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{08}": result += "\\b"
            case "\u{0C}": result += "\\f"
            case _ where scalar.value < 0x20:
                let digits = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    private struct Parser {
        let bytes: UnsafeRawBufferPointer
        var position = 0

        init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        func failure(_ message: String) -> MessageError {
            MessageError("malformed JSON header: \(message) at byte \(position + 1)")
        }

        mutating func skipSpace() {
            while position < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[position]) { position += 1 }
        }

        mutating func expect(_ byte: UInt8) throws(MessageError) {
            skipSpace()
            guard position < bytes.count, bytes[position] == byte else {
                throw failure("expected '\(Character(Unicode.Scalar(byte)))'")
            }
            position += 1
        }

        mutating func value(depth: Int) throws(MessageError) -> JSONValue {
            guard depth < 32 else { throw failure("nesting is too deep") }
            skipSpace()
            guard position < bytes.count else { throw failure("the text ends where a value was expected") }
            switch bytes[position] {
            case UInt8(ascii: "{"):
                position += 1
                var entries: [(key: String, value: JSONValue)] = []
                skipSpace()
                if position < bytes.count, bytes[position] == UInt8(ascii: "}") { position += 1; return .object(entries) }
                while true {
                    skipSpace()
                    guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                        throw failure("expected a string key")
                    }
                    let key = try string()
                    try expect(UInt8(ascii: ":"))
                    entries.append((key, try value(depth: depth + 1)))
                    skipSpace()
                    guard position < bytes.count else { throw failure("missing '}'") }
                    if bytes[position] == UInt8(ascii: "}") { position += 1; return .object(entries) }
                    try expect(UInt8(ascii: ","))
                }
            case UInt8(ascii: "["):
                position += 1
                var items: [JSONValue] = []
                skipSpace()
                if position < bytes.count, bytes[position] == UInt8(ascii: "]") { position += 1; return .array(items) }
                while true {
                    items.append(try value(depth: depth + 1))
                    skipSpace()
                    guard position < bytes.count else { throw failure("missing ']'") }
                    if bytes[position] == UInt8(ascii: "]") { position += 1; return .array(items) }
                    try expect(UInt8(ascii: ","))
                }
            case UInt8(ascii: "\""):
                return .string(try string())
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return try number()
            default:
                for (word, value) in [("true", JSONValue.boolean(true)), ("false", .boolean(false)), ("null", .null)]
                where bytes.count - position >= word.utf8.count
                    && zip(word.utf8, bytes[position...]).allSatisfy({ $0 == $1 }) {
                    position += word.utf8.count
                    return value
                }
                throw failure("unexpected character")
            }
        }

        mutating func string() throws(MessageError) -> String {
            position += 1  // opening quote
            var utf8: [UInt8] = []
            while position < bytes.count {
                let byte = bytes[position]
                position += 1
                if byte == UInt8(ascii: "\"") {
                    return String(decoding: utf8, as: UTF8.self)
                }
                guard byte == UInt8(ascii: "\\") else { utf8.append(byte); continue }
                guard position < bytes.count else { break }
                let escaped = bytes[position]
                position += 1
                switch escaped {
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "u"):
                    var code = try hexQuad()
                    if (0xD800..<0xDC00).contains(code), position + 6 <= bytes.count,
                       bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") {
                        position += 2
                        let low = try hexQuad()
                        code = 0x10000 + ((code - 0xD800) << 10) + (low &- 0xDC00) & 0x3FF
                    }
                    utf8 += Array(String(Unicode.Scalar(code) ?? "\u{FFFD}").utf8)
                default: utf8.append(escaped)
                }
            }
            throw failure("unterminated string")
        }

        mutating func hexQuad() throws(MessageError) -> UInt32 {
            guard position + 4 <= bytes.count,
                  let code = UInt32(String(decoding: bytes[position..<(position + 4)], as: UTF8.self), radix: 16) else {
                throw failure("bad \\u escape")
            }
            position += 4
            return code
        }

        mutating func number() throws(MessageError) -> JSONValue {
            let start = position
            while position < bytes.count, "+-0123456789.eE".utf8.contains(bytes[position]) { position += 1 }
            let text = String(decoding: bytes[start..<position], as: UTF8.self)
            if let integer = Int(text) { return .integer(integer) }
            if let number = Double(text) { return .number(number) }
            throw failure("bad number '\(text.prefix(30))'")
        }
    }
}
