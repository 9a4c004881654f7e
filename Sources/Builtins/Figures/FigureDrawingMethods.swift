import Language
import Plotting
import Tensors

/// Marks on axes: lines with error bands, scatter, bars, histograms, reference lines, heatmaps, image grids.
/// Every method takes `panel=` (an index, negative from the end, or `[row, column]`) and returns nil.
extension FigureMethods {
    static let drawingMethods: [String: Method] = [
        "line": method("line(y, x=nil, panel=0, label=nil, color=nil, lower=nil, upper=nil, linewidth=1.5, "
                       + "style=\"solid\")", "plot.line",
                       """
                       Draws y [n] against x [n] (default 0, 1, …, n−1); NaN leaves a gap. lower and upper [n] fill a \
                       band between them in the line's colour at 25% opacity (mean ± SEM). color: a name ("blue", \
                       "vermillion"…), "#rrggbb" or [r, g, b]; nil takes the next Okabe–Ito colour. style: solid, \
                       dashed, dotted (or -, --, :); linewidth in points. label makes a legend entry.
                       Errors: plot.line: y must be 1-D; x has 4 values but y has 3; only one of lower/upper.
                       """) { figure, arguments in
            let y = try arguments.tensor("y"), x = try arguments.optionalTensor("x")
            let lower = try arguments.optionalTensor("lower"), upper = try arguments.optionalTensor("upper")
            let label = try arguments.optionalString("label"), color = try arguments.color("color")
            let width = try arguments.optionalNumber("linewidth") ?? 1.5
            let style = try arguments.style("style", default: .solid)
            return try figure.update(arguments) {
                try $0.line(x: x, y: y, lower: lower, upper: upper, label: label, color: color, width: width,
                            style: style)
            }
        },
        "scatter": method("scatter(x, y, panel=0, size=20, values=nil, cmap=\"viridis\", vmin=nil, vmax=nil, "
                          + "label=nil, color=nil, colorbar_label=nil)", "plot.scatter",
                          """
                          Filled circles at (x[i], y[i]), [n] each. size: marker area in square points, one number \
                          or [n] (matplotlib's s). values [n] colour the points through cmap within vmin…vmax \
                          (default their range, ±max|v| for RdBu_r) and add a colour bar.
                          Errors: plot.scatter: not 1-D; x has 3 values but y has 2; negative sizes; unknown colour map.
                          """) { figure, arguments in
            let x = try arguments.tensor("x"), y = try arguments.tensor("y")
            var sizes: Tensor?, size = 20.0
            if let value = arguments.value("size") {
                if case .number(let number) = value { size = number } else { sizes = try arguments.tensor("size") }
            }
            let values = try arguments.optionalTensor("values")
            let colormap = try arguments.optionalString("cmap") ?? "viridis"
            let limits = try arguments.colorLimits(values: values, colormap: colormap)
            let label = try arguments.optionalString("label"), color = try arguments.color("color")
            let colorbarLabel = try arguments.optionalString("colorbar_label")
            return try figure.update(arguments) {
                try $0.scatter(x: x, y: y, sizes: sizes, values: values, colormap: colormap, limits: limits,
                               label: label, color: color, size: size, colorbarLabel: colorbarLabel)
            }
        },
        "bars": method("bars(heights, errors=nil, panel=0, labels=nil, series=nil, colors=nil, width=0.8)",
                       "plot.bars",
                       """
                       Bars from 0: heights [groups] (one bar per group) or [groups, series] (series side by side). \
                       errors (same shape) adds ± error bars. labels [groups] name the groups on the x axis, series \
                       [series] make legend entries, colors [series]; width is the fraction of a group they fill.
                       Errors: plot.bars: rank not 1 or 2; errors' shape differs; label counts differ; width outside (0, 1].
                       """) { figure, arguments in
            let heights = try arguments.tensor("heights"), errors = try arguments.optionalTensor("errors")
            let labels = try arguments.strings("labels"), series = try arguments.strings("series")
            let colors = try arguments.colors("colors"), width = try arguments.optionalNumber("width") ?? 0.8
            return try figure.update(arguments) {
                try $0.bars(heights: heights, errors: errors, groupLabels: labels, seriesLabels: series,
                            colors: colors, width: width)
            }
        },
        "hist": method("hist(values, bins=10, panel=0, range=nil, density=false, label=nil, color=nil)",
                       "plot.histogram",
                       """
                       Histogram of all values (any shape, flattened; NaN and ±inf ignored) in bins equal bins over \
                       range [low, high] (default the finite min…max). Bins are [e_i, e_i+1), the last closed \
                       (numpy's rule). density=true gives count / (total · bin width), area 1. Drawn at 75% opacity.
                       Errors: plot.histogram: bins outside 1...100000; range low > high.
                       """) { figure, arguments in
            let values = try arguments.tensor("values"), bins = try arguments.optionalInteger("bins") ?? 10
            let range = try arguments.range("range"), density = try arguments.bool("density", default: false)
            let label = try arguments.optionalString("label"), color = try arguments.color("color")
            return try figure.update(arguments) {
                try $0.histogram(values, bins: bins, range: range, density: density, label: label, color: color)
            }
        },
        "hline": referenceLine(horizontal: true),
        "vline": referenceLine(horizontal: false),
        "heatmap": method("heatmap(m, panel=0, cmap=\"viridis\", vmin=nil, vmax=nil, labels=nil, row_labels=nil, "
                          + "col_labels=nil, separators=nil, categories=nil, extent=nil, colorbar=true, "
                          + "colorbar_label=nil)", "plot.heatmap",
                          """
                          A matrix m [rows, cols] as cells coloured cmap((v − vmin) / (vmax − vmin)); default limits \
                          the finite range (±max|v| for RdBu_r); NaN cells light grey. Without extent (RDMs) cell \
                          (i, j) is at x = j, y = i, row 0 on top; labels [n] name rows and columns of a square \
                          matrix (or row_labels [rows], col_labels [cols]); separators [k] are the indices where a \
                          category starts (white lines), categories [k + 1] label the blocks. extent = [x0, x1, y0, y1] \
                          spans those ranges with row 0 at the bottom (temporal generalisation). cmap: viridis, \
                          magma, cividis, RdBu_r.
                          Errors: plot.heatmap: not 2-D; label counts differ; unknown colour map (lists the names).
                          """) { figure, arguments in
            let matrix = try arguments.tensor("m")
            let colormap = try arguments.optionalString("cmap") ?? "viridis"
            let limits = try arguments.colorLimits(values: matrix, colormap: colormap)
            let labels = try arguments.strings("labels")
            let rowLabels = try arguments.strings("row_labels") ?? labels
            let columnLabels = try arguments.strings("col_labels") ?? labels
            let separators = try arguments.numbers("separators")?.map { (value: Double) throws -> Int in
                guard let index = exactInteger(value) else {
                    throw PlottingError("plot.heatmap", "separators must be whole numbers, got \(value)")
                }
                return index
            } ?? []
            let categories = try arguments.strings("categories")
            var xExtent: ClosedRange<Double>?, yExtent: ClosedRange<Double>?
            if let extent = try arguments.numbers("extent") {
                guard extent.count == 4 else {
                    throw PlottingError("plot.heatmap", "extent must be [x0, x1, y0, y1], got \(extent.count) numbers")
                }
                xExtent = try FigureArguments.range(extent[0], extent[1], lowName: "extent x0", highName: "x1",
                                                    operation: "plot.heatmap")
                yExtent = try FigureArguments.range(extent[2], extent[3], lowName: "extent y0", highName: "y1",
                                                    operation: "plot.heatmap")
            }
            let showColorbar = try arguments.bool("colorbar", default: true)
            let colorbarLabel = try arguments.optionalString("colorbar_label")
            return try figure.update(arguments) {
                try $0.heatmap(matrix, colormap: colormap, limits: limits, rowLabels: rowLabels,
                               columnLabels: columnLabels, separators: separators, categoryLabels: categories,
                               xExtent: xExtent, yExtent: yExtent, colorbarLabel: colorbarLabel,
                               showColorbar: showColorbar)
            }
        },
        "images": method("images(stack, panel=0, cols=nil, titles=nil)", "plot.images",
                         """
                         Stimuli stack [n, height, width, channels] (1 grey, 3 RGB, 4 RGBA) or [n, height, width], \
                         values in [0, 1], in a grid filling the panel (cols: default the count that makes them \
                         largest); titles [n] above them. The panel must be empty.
                         Errors: plot.images: another shape; values outside [0, 1] (divide bytes by 255); titles count.
                         """) { figure, arguments in
            let stack = try arguments.tensor("stack"), columns = try arguments.optionalInteger("cols")
            let titles = try arguments.strings("titles")
            return try figure.update(arguments) { try $0.images(stack, columns: columns, titles: titles) }
        },
    ]

    /// `hline(y)` and `vline(x)`: a dashed grey line across the panel (chance level, stimulus onset).
    static func referenceLine(horizontal: Bool) -> Method {
        let name = horizontal ? "hline" : "vline", coordinate = horizontal ? "y" : "x"
        let operation = horizontal ? "plot.horizontalLine" : "plot.verticalLine"
        return method("\(name)(\(coordinate), panel=0, color=\"#666666\", linewidth=1, style=\"dashed\", label=nil)",
                      operation,
                      """
                      A \(horizontal ? "horizontal" : "vertical") line across the panel at \(coordinate) \
                      (\(horizontal ? "a chance level, a baseline" : "stimulus onset")); it counts toward the \
                      automatic \(coordinate) limits. style: solid, dashed, dotted.
                      Errors: \(operation): \(coordinate) not finite; linewidth not positive.
                      """) { figure, arguments in
            let position = try arguments.number(coordinate)
            let color = try arguments.color("color") ?? Color(white: 0.4)
            let width = try arguments.optionalNumber("linewidth") ?? 1
            let style = try arguments.style("style", default: .dashed)
            let label = try arguments.optionalString("label")
            return try figure.update(arguments) {
                if horizontal {
                    try $0.horizontalLine(y: position, color: color, width: width, style: style, label: label)
                } else {
                    try $0.verticalLine(x: position, color: color, width: width, style: style, label: label)
                }
            }
        }
    }
}
