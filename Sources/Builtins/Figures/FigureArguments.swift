import Language
import Plotting
import Tensors

/// A figure builtin's arguments read by parameter name, so that a long matplotlib-like signature
/// (`line(y, x=nil, panel=0, label=nil, …)`) and the code reading it cannot drift apart: every name is looked up in
/// the signature the language checks calls against. Conversions (tensors, colours, ranges, styles) and their
/// messages live here, once, for every drawing method.
struct FigureArguments {
    let arguments: Arguments
    let parameterNames: [String]
    /// The engine operation named in conversion errors, e.g. `plot.line`.
    let operation: String

    /// Parameter names of a signature `name(a, b=1, c=[1, 2])`, in order (defaults may hold lists).
    static func parameterNames(of signature: String) -> [String] {
        guard let open = signature.firstIndex(of: "("), let close = signature.lastIndex(of: ")"), open < close
        else { return [] }
        var names: [String] = []
        var depth = 0
        var item = ""
        for character in signature[signature.index(after: open)..<close] {
            if "([{".contains(character) { depth += 1 }
            if ")]}".contains(character) { depth -= 1 }
            if character == ",", depth == 0 {
                names.append(item)
                item = ""
            } else {
                item.append(character)
            }
        }
        names.append(item)
        return names.compactMap { raw in
            let name = (raw.split(separator: "=", maxSplits: 1).first ?? "").filter { $0 != " " }
            return name.isEmpty ? nil : String(name)
        }
    }

    private func index(_ name: String) -> Int {
        guard let index = parameterNames.firstIndex(of: name) else {
            preconditionFailure("\(operation): the signature has no parameter \(name)")
        }
        return index
    }

    /// The argument, or nil when absent or `nil`.
    func value(_ name: String) -> Value? {
        guard let value = arguments.optional(index(name), name), !value.isNil else { return nil }
        return value
    }

    func tensor(_ name: String) throws -> Tensor {
        try TensorConversion.tensor(from: arguments.value(index(name), name), operation: operation)
    }

    func optionalTensor(_ name: String) throws -> Tensor? {
        try value(name).map { try TensorConversion.tensor(from: $0, operation: operation) }
    }

    func string(_ name: String) throws -> String { try arguments.string(index(name), name) }
    func optionalString(_ name: String) throws -> String? { try arguments.optionalString(index(name), name) }
    func number(_ name: String) throws -> Double { try arguments.number(index(name), name) }
    func optionalNumber(_ name: String) throws -> Double? { try arguments.optionalNumber(index(name), name) }
    func optionalInteger(_ name: String) throws -> Int? { try arguments.optionalInteger(index(name), name) }
    func bool(_ name: String, default fallback: Bool) throws -> Bool {
        try arguments.optionalBool(index(name), name) ?? fallback
    }

    /// A list of strings (tick labels, titles), or nil.
    func strings(_ name: String) throws -> [String]? {
        guard let value = value(name) else { return nil }
        guard case .list(let list) = value else {
            throw arguments.typeError(index(name), name, expected: "a list of strings", got: value)
        }
        return try list.elements.map { element in
            guard case .string(let text) = element else {
                throw arguments.typeError(index(name), name, expected: "a list of strings", got: value)
            }
            return text
        }
    }

    /// A list of numbers (or a 1-D tensor), or nil.
    func numbers(_ name: String) throws -> [Double]? {
        guard let value = value(name) else { return nil }
        let tensor = try TensorConversion.tensor(from: value, operation: operation)
        guard tensor.rank == 1 else {
            throw PlottingError(operation, "\(name) must be a list of numbers, got shape \(formatShape(tensor.shape))")
        }
        return tensor.scalars(as: Double.self)
    }

    /// A colour: a name (`"blue"`, `"lightgrey"`), `"#rrggbb"`/`"#rrggbbaa"`, or `[r, g, b]`/`[r, g, b, a]` in
    /// [0, 1]. Throws the engine's `color` error for unknown text.
    func color(_ name: String) throws -> Color? {
        guard let value = value(name) else { return nil }
        return try Self.color(value, operation: operation)
    }

    static func color(_ value: Value, operation: String) throws -> Color {
        switch value {
        case .string(let text):
            return try Color(parsing: text)
        case .list(let list):
            let components = list.elements.compactMap(\.numberValue)
            guard components.count == list.count, components.count == 3 || components.count == 4 else {
                throw PlottingError(operation, "a colour list must hold 3 or 4 numbers in [0, 1] (red, green, blue, "
                                    + "alpha), got \(list.count) elements")
            }
            return Color(red: components[0], green: components[1], blue: components[2],
                         alpha: components.count == 4 ? components[3] : 1)
        default:
            throw PlottingError(operation, "a colour is a name, \"#rrggbb\" or [r, g, b], got \(value.typeName)")
        }
    }

    /// A list of colours, or nil.
    func colors(_ name: String) throws -> [Color]? {
        guard let value = value(name) else { return nil }
        guard case .list(let list) = value else {
            throw arguments.typeError(index(name), name, expected: "a list of colours", got: value)
        }
        return try list.elements.map { try Self.color($0, operation: operation) }
    }

    /// A line style: `solid`, `dashed`, `dotted`, or matplotlib's `-`, `--`, `:`.
    func style(_ name: String, default fallback: LineStyle) throws -> LineStyle {
        guard let text = try optionalString(name) else { return fallback }
        let aliases: [String: LineStyle] = ["-": .solid, "--": .dashed, ":": .dotted]
        guard let style = LineStyle(rawValue: text) ?? aliases[text] else {
            throw PlottingError(operation, "unknown line style \"\(text)\": use solid, dashed, dotted (or -, --, :)")
        }
        return style
    }

    /// `[low, high]` as a range, or nil. Throws when not two numbers or low > high (equal bounds are left to the
    /// engine, which names them).
    func range(_ name: String) throws -> ClosedRange<Double>? {
        guard let values = try numbers(name) else { return nil }
        guard values.count == 2 else {
            throw PlottingError(operation, "\(name) must be [low, high], got \(values.count) numbers")
        }
        return try Self.range(values[0], values[1], lowName: "\(name) low", highName: "high",
                              operation: operation)
    }

    static func range(_ low: Double, _ high: Double, lowName: String, highName: String,
                      operation: String) throws -> ClosedRange<Double> {
        // `low...high` traps when low > high or either is NaN; refuse that here with the numbers.
        guard !low.isNaN, !high.isNaN, low <= high else {
            throw PlottingError(operation, "\(lowName) \(number(low)) exceeds \(highName) \(number(high))")
        }
        return low...high
    }

    /// A number as scripts print it: whole numbers without a decimal point.
    static func number(_ value: Double) -> String {
        exactInteger(value).map(String.init) ?? String(value)
    }

    /// Colour limits from `vmin`/`vmax` (matplotlib's names). When only one is given, the other is the colour map's
    /// default for `values` (their finite range, or ±max|v| for a diverging map).
    func colorLimits(values: @autoclosure () throws -> Tensor?, colormap: String) throws -> ClosedRange<Double>? {
        let low = try optionalNumber("vmin"), high = try optionalNumber("vmax")
        if low == nil && high == nil { return nil }
        var defaults = 0.0...1.0
        if low == nil || high == nil, let data = try values() {
            defaults = try Colormap(named: colormap).defaultLimits(data.scalars(as: Double.self))
        }
        return try Self.range(low ?? defaults.lowerBound, high ?? defaults.upperBound, lowName: "vmin",
                              highName: "vmax", operation: operation)
    }
}
