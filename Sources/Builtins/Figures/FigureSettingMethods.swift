import Language
import Plotting
import Tensors

/// Panel settings (titles, labels, scales, limits, ticks, grid, legend), the figure title, and `save`.
extension FigureMethods {
    static let settingMethods: [String: Method] = {
        var table: [String: Method] = [
            "title": text("title", "The panel's title, above its axes.") { $0.title = $1 },
            "xlabel": text("xlabel", "The x axis label, under the axis.") { $0.xLabel = $1 },
            "ylabel": text("ylabel", "The y axis label, left of the axis (rotated).") { $0.yLabel = $1 },
            "xscale": scale(x: true),
            "yscale": scale(x: false),
            "xlim": limits(x: true),
            "ylim": limits(x: false),
            "xticks": ticks(x: true),
            "yticks": ticks(x: false),
        ]
        table["grid"] = method("grid(show=true, panel=0)", "panel.grid",
                               "Light grey lines at the major ticks, under the data (off by default).") {
            figure, arguments in
            let show = try arguments.bool("show", default: true)
            return try figure.update(arguments) { $0.showGrid = show }
        }
        table["legend"] = method("legend(loc=\"best\", panel=0)", "panel.legend",
                                 """
                                 Where the panel's legend goes (it appears when a mark has a label): "best" (the corner \
                                 covering the fewest data points), "upper right", "upper left", "lower left", \
                                 "lower right", or "none" to hide it.
                                 Errors: panel.legend: unknown location (lists them).
                                 """) { figure, arguments in
            let location = try arguments.optionalString("loc") ?? "best"
            let placements: [String: LegendPlacement] = [
                "best": .automatic, "upper right": .upperRight, "upper left": .upperLeft,
                "lower left": .lowerLeft, "lower right": .lowerRight, "none": .hidden,
            ]
            guard let placement = placements[location] ?? LegendPlacement(rawValue: location) else {
                throw PlottingError("panel.legend", "unknown legend location \"\(location)\": use best, upper right, "
                                    + "upper left, lower left, lower right or none")
            }
            return try figure.update(arguments) { $0.legend = placement }
        }
        table["suptitle"] = method("suptitle(text)", "figure.title",
                                   "The figure's title, centred above all panels (nil removes it).") {
            figure, arguments in
            figure.figure.title = try arguments.optionalString("text")
            return .nil
        }
        table["save"] = method("save(path, dpi=nil)", "figure.save",
                               """
                               Draws the figure into path and returns path. The format comes from the extension \
                               (case-insensitive): .png (raster, round(width · dpi / 72) × round(height · dpi / 72) \
                               pixels; dpi= overrides the figure's for this file), .svg or .pdf (vector). The write is \
                               atomic: a failed save leaves an existing file intact.
                               Errors: figure.save: unknown extension (lists .png, .svg, .pdf); a log axis over \
                               non-positive data (naming the panel and value); a missing or unwritable folder.
                               """) { figure, arguments in
            let path = try arguments.string("path")
            var copy = figure.figure
            if let dpi = try arguments.optionalNumber("dpi") { copy.dpi = dpi }
            try copy.save(to: path)
            return .string(path)
        }
        return table
    }()

    /// `title(text, panel=0)` and its kin: a text setting of one panel (nil removes it).
    static func text(_ name: String, _ documentation: String,
                     _ assign: @escaping @Sendable (inout Panel, String?) -> Void) -> Method {
        method("\(name)(text, panel=0)", "panel.\(name)", documentation + " nil removes it.") { figure, arguments in
            let text = try arguments.optionalString("text")
            return try figure.update(arguments) { assign(&$0, text) }
        }
    }

    static func scale(x: Bool) -> Method {
        let name = x ? "xscale" : "yscale", axis = x ? "x" : "y"
        return method("\(name)(scale, panel=0)", "panel.\(name)",
                      """
                      The \(axis) axis scale: "linear", or "log" (position ∝ log10 value, ticks at powers of ten). \
                      A log axis needs every value shown to be positive.
                      Errors: panel.\(name): unknown scale; figure.save: log \(axis) axis needs positive values \
                      (naming the panel and the value).
                      """) { figure, arguments in
            let text = try arguments.string("scale")
            guard let scale = AxisScale(rawValue: text) else {
                throw PlottingError("panel.\(name)", "unknown scale \"\(text)\": use linear or log")
            }
            return try figure.update(arguments) {
                if x { $0.xScale = scale } else { $0.yScale = scale }
            }
        }
    }

    static func limits(x: Bool) -> Method {
        let name = x ? "xlim" : "ylim", axis = x ? "x" : "y"
        return method("\(name)(low=nil, high=nil, panel=0)", "panel.\(name)",
                      """
                      Fixes the \(axis) axis to low…high (both, finite, low < high); \(name)() returns to automatic \
                      limits (the data's range with a 5% margin).
                      Errors: panel.\(name): only one bound; low > high; panel.\(axis)Limits: equal or not finite.
                      """) { figure, arguments in
            let low = try arguments.optionalNumber("low"), high = try arguments.optionalNumber("high")
            var range: ClosedRange<Double>?
            switch (low, high) {
            case (nil, nil): range = nil
            case let (low?, high?):
                range = try FigureArguments.range(low, high, lowName: "low", highName: "high", operation: "panel.\(name)")
            default:
                throw PlottingError("panel.\(name)", "give both low and high, or neither for automatic limits")
            }
            return try figure.update(arguments) {
                if x { try $0.setXLimits(range) } else { try $0.setYLimits(range) }
            }
        }
    }

    static func ticks(x: Bool) -> Method {
        let name = x ? "xticks" : "yticks", axis = x ? "x" : "y"
        return method("\(name)(positions, labels=nil, panel=0)", "panel.\(name)",
                      """
                      Ticks on the \(axis) axis at positions [k] with labels [k] (default the positions as numbers) \
                      instead of the automatic nice ticks.
                      Errors: panel.\(axis)Ticks: counts differ; a position not finite.
                      """) { figure, arguments in
            let positions = try arguments.numbers("positions") ?? []
            let labels = try arguments.strings("labels") ?? positions.map(FigureArguments.number)
            return try figure.update(arguments) {
                if x { try $0.setXTicks(positions, labels: labels) } else { try $0.setYTicks(positions, labels: labels) }
            }
        }
    }
}
