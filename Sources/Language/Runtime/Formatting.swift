#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Text of values: `print`/`str` (display), quoted forms inside containers, and `{x:spec}` format specs.
extension Runtime {
    /// How `print` shows a value: strings bare, everything else as in source (`[1, "a"]`, `{name: "V1"}`).
    func display(_ value: Value) throws -> String {
        if case .string(let string) = value { return string }
        return try representation(value, depth: 0)
    }

    /// Source-like text: strings quoted. Nesting beyond 100 levels shows as `...` (cyclic structures are legal).
    func representation(_ value: Value, depth: Int) throws -> String { representationText(value, depth: depth) }
}

func representationText(_ value: Value, depth: Int) -> String {
        switch value {
        case .nil: return "nil"
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let number): return numberText(number)
        case .string(let string): return quote(string)
        case .list(let list):
            if depth > 100 { return "[...]" }
            return "[" + list.elements.map { representationText($0, depth: depth + 1) }.joined(separator: ", ") + "]"
        case .record(let record):
            if depth > 100 { return "{...}" }
            var parts: [String] = []
            for (index, key) in record.keys.enumerated() {
                let shownKey = isPlainName(key) ? key : quote(key)
                parts.append("\(shownKey): \(representationText(record.values[index], depth: depth + 1))")
            }
            return "{" + parts.joined(separator: ", ") + "}"
        case .function(let function):
            return function.isScript ? "<function \(function.signature)>" : "<builtin \(function.signature)>"
        case .native(let object):
            return object.displayString
        }
}

extension Runtime {
    /// `"{value:spec}"`.
    func format(_ value: Value, spec: String?, _ location: SourceLocation) throws -> String {
        guard let spec, !spec.isEmpty else { return try display(value) }
        if case .native(let object) = value {
            do {
                if let text = try object.format(spec: spec) { return text }
            } catch { throw locate(error, location) }
        }
        guard let parsed = FormatSpec(spec) else { throw error("invalid format spec '\(spec)'", location) }
        var body: String
        switch value {
        case .number(let number):
            body = try parsed.formatNumber(number, location, self)
        default:
            if parsed.type != nil || parsed.precision != nil || parsed.thousands {
                throw error("format spec '\(spec)' needs a number, got \(value.typeName)", location)
            }
            body = try display(value)
        }
        return parsed.pad(body, isNumber: value.numberValue != nil)
    }
}

/// `[[fill]align][sign][width][,][.precision][type]`, with type one of `f e g d s %`.
struct FormatSpec {
    var fill: Character = " "
    var align: Character?
    var sign: Character?
    var width = 0
    var thousands = false
    var precision: Int?
    var type: Character?

    init?(_ spec: String) {
        var characters = Array(spec)
        var index = 0
        if characters.count >= 2, "<>^".contains(characters[1]) {
            fill = characters[0]
            align = characters[1]
            index = 2
        } else if let first = characters.first, "<>^".contains(first) {
            align = first
            index = 1
        }
        if index < characters.count, "+- ".contains(characters[index]) {
            sign = characters[index]
            index += 1
        }
        if index < characters.count, characters[index] == "0", align == nil {
            fill = "0"
            align = "="
            index += 1
        }
        var digits = ""
        while index < characters.count, characters[index].isASCII, characters[index].isNumber {
            digits.append(characters[index])
            index += 1
        }
        if !digits.isEmpty {
            guard let number = Int(digits), number <= 1000 else { return nil }
            width = number
        }
        if index < characters.count, characters[index] == "," {
            thousands = true
            index += 1
        }
        if index < characters.count, characters[index] == "." {
            index += 1
            var precisionDigits = ""
            while index < characters.count, characters[index].isASCII, characters[index].isNumber {
                precisionDigits.append(characters[index])
                index += 1
            }
            guard let number = Int(precisionDigits), number <= 100 else { return nil }
            precision = number
        }
        if index < characters.count, "fegds%FEG".contains(characters[index]) {
            type = characters[index]
            index += 1
        }
        if index != characters.count { return nil }
        characters.removeAll()
    }

    func formatNumber(_ number: Double, _ location: SourceLocation, _ runtime: Runtime) throws -> String {
        var text: String
        let magnitude = abs(number)
        switch type {
        case "f", "F": text = cFormat("%.\(precision ?? 6)f", magnitude)
        case "e", "E": text = cFormat("%.\(precision ?? 6)\(type!)", magnitude)
        case "g", "G": text = cFormat("%.\(precision ?? 6)\(type!)", magnitude)
        case "%": text = cFormat("%.\(precision ?? 6)f", magnitude * 100) + "%"
        case "d":
            guard number.isFinite, number.rounded() == number else {
                throw runtime.error("format 'd' needs a whole number, got \(numberText(number))", location)
            }
            text = cFormat("%.0f", magnitude)
        case "s": text = numberText(magnitude)
        default:
            text = precision.map { cFormat("%.\($0)g", magnitude) } ?? numberText(magnitude)
        }
        if number.isNaN { text = "nan" }
        if thousands { text = groupThousands(text) }
        let negative = number < 0 || (number == 0 && number.sign == .minus && type != nil && type != "d")
        if negative { return "-" + text }
        if sign == "+" { return "+" + text }
        if sign == " " { return " " + text }
        return text
    }

    func pad(_ text: String, isNumber: Bool) -> String {
        let length = text.count
        guard width > length else { return text }
        let padding = width - length
        switch align ?? (isNumber ? ">" : "<") {
        case "<": return text + String(repeating: fill, count: padding)
        case "^":
            let left = padding / 2
            return String(repeating: fill, count: left) + text + String(repeating: fill, count: padding - left)
        case "=":
            // Zero padding goes after the sign.
            if let first = text.first, "+- ".contains(first) {
                return String(first) + String(repeating: fill, count: padding) + text.dropFirst()
            }
            return String(repeating: fill, count: padding) + text
        default: return String(repeating: fill, count: padding) + text
        }
    }

    private func groupThousands(_ text: String) -> String {
        var integerPart = Substring(text)
        var rest = Substring("")
        if let dot = text.firstIndex(where: { $0 == "." || $0 == "e" || $0 == "%" }) {
            integerPart = text[..<dot]
            rest = text[dot...]
        }
        guard integerPart.allSatisfy(\.isNumber) else { return text }
        var grouped = ""
        for (offset, character) in integerPart.enumerated() {
            if offset > 0, (integerPart.count - offset) % 3 == 0 { grouped.append(",") }
            grouped.append(character)
        }
        return grouped + rest
    }
}

/// A double formatted by C's printf (format has exactly one double conversion).
func cFormat(_ format: String, _ number: Double) -> String {
    var buffer = [CChar](repeating: 0, count: 512)
    let written = withVaList([number]) { arguments in
        buffer.withUnsafeMutableBufferPointer { pointer in vsnprintf(pointer.baseAddress, 512, format, arguments) }
    }
    if written >= 512 {
        buffer = [CChar](repeating: 0, count: Int(written) + 1)
        _ = withVaList([number]) { arguments in
            buffer.withUnsafeMutableBufferPointer { pointer in vsnprintf(pointer.baseAddress, Int(written) + 1, format, arguments) }
        }
    }
    return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// Numbers print like Python floats, but whole numbers without `.0`: `3`, `2.5`, `1e+20`, `inf`, `nan`.
func numberText(_ number: Double) -> String {
    if number.isNaN { return "nan" }
    if number.isInfinite { return number < 0 ? "-inf" : "inf" }
    if number.rounded() == number, abs(number) < 1e16 {
        if number == 0 { return number.sign == .minus ? "-0" : "0" }
        return String(Int64(number))
    }
    return number.description
}

/// A string in double quotes with escapes, as the source would spell it.
func quote(_ string: String) -> String {
    var result = "\""
    for scalar in string.unicodeScalars {
        switch scalar {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        case "\n": result += "\\n"
        case "\t": result += "\\t"
        case "\r": result += "\\r"
        case "{": result += "{{"
        case "}": result += "}}"
        default: result.unicodeScalars.append(scalar)
        }
    }
    return result + "\""
}

func isPlainName(_ key: String) -> Bool {
    guard let first = key.utf8.first, isIdentifierStart(first), keywords[key] == nil else { return false }
    return key.utf8.allSatisfy { isIdentifierPart($0) }
}
