import Language
import Plotting

/// A figure as a script sees it: `fig = figure(rows=1, cols=2)`, then drawing methods that address a panel
/// (`fig.line(y, panel=1)`, `fig.heatmap(rdm, panel=[0, 1])`), panel settings (`fig.title("IT", panel=1)`) and
/// `fig.save("out.png")`. The engine's `Figure` is a value; the script holds this object, so every name bound to it
/// sees the same figure, as with a matplotlib figure.
final class FigureObject: NativeObject {
    var figure: Figure
    let context: BindingContext

    init(_ figure: Figure, context: BindingContext) {
        self.figure = figure
        self.context = context
    }

    var typeName: String { "figure" }

    var displayString: String {
        let panels = figure.rows * figure.columns
        return "<figure \(figure.rows) × \(figure.columns) (\(panels) panel\(panels == 1 ? "" : "s")), "
            + "\(points(figure.width)) × \(points(figure.height)) pt, "
            + "\(figure.pixelWidth) × \(figure.pixelHeight) px at \(points(figure.dpi)) dpi>"
    }

    private func points(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    func attribute(_ name: String) throws -> Value? {
        switch name {
        case "rows": return .number(Double(figure.rows))
        case "cols": return .number(Double(figure.columns))
        case "width": return .number(figure.width)
        case "height": return .number(figure.height)
        case "dpi": return .number(figure.dpi)
        case "size": return .makeList([.number(Double(figure.pixelWidth)), .number(Double(figure.pixelHeight))])
        case "panels": return .number(Double(figure.panels.count))
        default: break
        }
        guard let method = FigureMethods.table[name] else { return nil }
        return context.function("figure.\(name)", method.signature, method.documentation) { [context] arguments in
            try method.body(self, arguments, context)
        }
    }

    func setAttribute(_ name: String, to value: Value) throws -> Bool {
        guard name == "dpi" else { return false }
        guard case .number(let dpi) = value, dpi > 0, dpi.isFinite else {
            throw PlottingError("figure", "dpi must be a positive finite number, got \(value)")
        }
        figure.dpi = dpi
        return true
    }

    var memberNames: [String] {
        ["rows", "cols", "width", "height", "dpi", "size", "panels"] + FigureMethods.table.keys.sorted()
    }

    /// The panel index a `panel=` argument addresses: an index (row-major from 0; negative counts from the end, as
    /// Python's) or `[row, column]`. Throws the engine's `figure.panel` error naming the valid range.
    func panelIndex(_ arguments: FigureArguments) throws -> Int {
        guard let value = arguments.value("panel") else { return 0 }
        switch value {
        case .number(let number):
            guard let index = exactInteger(number) else {
                throw PlottingError("figure.panel", "a panel index must be a whole number, got \(number)")
            }
            let count = figure.panels.count
            let resolved = index < 0 && index + count >= 0 ? index + count : index
            _ = try figure.panel(resolved)  // throws the range message for the index as written
            return resolved
        case .list(let list):
            let parts = list.elements.compactMap { $0.numberValue.flatMap(exactInteger) }
            guard list.count == 2 else {
                throw PlottingError("figure.panel", "a panel is an index or [row, column], got a list of "
                                    + "\(list.count) element\(list.count == 1 ? "" : "s")")
            }
            guard parts.count == 2 else {
                throw PlottingError("figure.panel", "[row, column] must be two whole numbers, got \(value)")
            }
            return try figure.index(row: parts[0], column: parts[1])
        default:
            throw PlottingError("figure.panel", "a panel is an index or [row, column], got \(value.typeName)")
        }
    }

    /// Runs `body` on the addressed panel; the panel is unchanged when it throws.
    func update(_ arguments: FigureArguments, _ body: (inout Panel) throws -> Void) throws -> Value {
        try figure.updatePanel(try panelIndex(arguments), body)
        return .nil
    }
}

extension BindingContext {
    /// A figure as a script value.
    func wrap(_ figure: Figure) -> Value { .native(FigureObject(figure, context: self)) }
}

/// The methods of `figure` values with their signatures, built so that each reads its arguments by name.
enum FigureMethods {
    typealias Method = NativeMethod<FigureObject>

    /// A method whose body reads arguments by the names in `signature`; `operation` names conversion errors.
    static func method(_ signature: String, _ operation: String, _ documentation: String,
                       _ body: @escaping @Sendable (FigureObject, FigureArguments) throws -> Value) -> Method {
        let names = FigureArguments.parameterNames(of: signature)
        return Method(signature: signature, documentation: documentation) { figure, arguments, _ in
            try body(figure, FigureArguments(arguments: arguments, parameterNames: names, operation: operation))
        }
    }

    static let table: [String: Method] = {
        var table = drawingMethods
        table.merge(brainMethods) { first, _ in first }
        table.merge(settingMethods) { first, _ in first }
        return table
    }()
}
