import Foundation
import Language
import Plotting
import Tensors

/// Figures in the language: `figure(...)` makes a figure object (methods in `FigureMethods`); `plot` and `heatmap`
/// are REPL one-liners that save a PNG and print its path; `colormap` describes a colour map; `figure_info` reads
/// back what a saved figure file is; `help("figures")` is the overview.
enum FigureLibrary {
    static func install(_ context: BindingContext) {
        define(context, "figure(rows=1, cols=1, width=460.8, height=345.6, dpi=150, figsize=nil, title=nil)", "figure",
                       """
                       A figure of rows × cols empty panels (row-major: panel i is at row i / cols, column i % cols) \
                       on a page of width × height points (1 pt = 1/72 in; default 6.4 × 4.8 in, matplotlib's), or \
                       figsize = [width, height] in inches. dpi sets the PNG resolution: round(width · dpi / 72) × \
                       round(height · dpi / 72) pixels (fig.size). title is the figure title (fig.suptitle). Draw \
                       with fig.line, scatter, bars, hist, hline, vline, heatmap, images, brain, surface (each takes \
                       panel = an index or [row, column]); save with fig.save("out.png" | ".svg" | ".pdf"). \
                       help("figures") lists everything.
                       Errors: figure: rows or cols < 1; over 1024 panels; width, height or dpi not positive.
                       """) { read in
            var width = try read.optionalNumber("width") ?? 460.8, height = try read.optionalNumber("height") ?? 345.6
            if let size = try read.numbers("figsize") {
                guard size.count == 2 else {
                    throw PlottingError("figure", "figsize must be [width, height] in inches, got \(size.count) numbers")
                }
                guard read.value("width") == nil && read.value("height") == nil else {
                    throw PlottingError("figure", "give figsize (inches) or width and height (points), not both")
                }
                (width, height) = (size[0] * 72, size[1] * 72)
            }
            var figure = try Figure(rows: try read.optionalInteger("rows") ?? 1,
                                    columns: try read.optionalInteger("cols") ?? 1, width: width, height: height,
                                    dpi: try read.optionalNumber("dpi") ?? 150)
            figure.title = try read.optionalString("title")
            return context.wrap(figure)
        }
        installOneLiners(context)
        installInformation(context)
        context.interpreter.addHelpTopic("figures", FigureHelp.topic)
    }

    /// `plot(y)`, `plot(x, y)` and `heatmap(m)`: one figure, one panel, saved as a PNG whose path is printed and
    /// returned (a fresh temporary file unless `path` is given).
    static func installOneLiners(_ context: BindingContext) {
        define(context, "plot(x, y=nil, label=nil, title=nil, xlabel=nil, ylabel=nil, path=nil)", "plot.line",
                       """
                       Quick look: plot(y) draws y [n] against 0…n−1, plot(x, y) against x [n], saves a PNG (a new \
                       temporary file, or path), prints its path and returns it. For more, use figure().
                       Errors: plot.line: not 1-D; x has 4 values but y has 3. figure.save: path's extension.
                       """) { read in
            var x = try read.optionalTensor("x"), y = try read.optionalTensor("y")
            if y == nil { (x, y) = (nil, x) }
            guard let values = y else { throw LanguageError("plot: missing argument 1 (x)") }
            var figure = try Figure()
            let label = try read.optionalString("label")
            let title = try read.optionalString("title"), xLabel = try read.optionalString("xlabel")
            let yLabel = try read.optionalString("ylabel")
            try figure.updatePanel(0) { panel in
                try panel.line(x: x, y: values, label: label)
                (panel.title, panel.xLabel, panel.yLabel) = (title, xLabel, yLabel)
            }
            return try saveQuickFigure(figure, path: try read.optionalString("path"), context: context)
        }
        define(context, "heatmap(m, cmap=\"viridis\", vmin=nil, vmax=nil, labels=nil, title=nil, path=nil)",
               "plot.heatmap",
                       """
                       Quick look at a matrix m [rows, cols] (an RDM, a confusion matrix): cells coloured \
                       cmap((v − vmin) / (vmax − vmin)), row 0 on top, with a colour bar; labels [n] name the rows \
                       and columns of a square matrix. Saves a PNG (a new temporary file, or path), prints its path \
                       and returns it. For more, use figure() and fig.heatmap.
                       Errors: plot.heatmap: not 2-D; unknown colour map (lists the names); label counts differ.
                       """) { read in
            let matrix = try read.tensor("m")
            let colormap = try read.optionalString("cmap") ?? "viridis"
            let limits = try read.colorLimits(values: matrix, colormap: colormap)
            let labels = try read.strings("labels"), title = try read.optionalString("title")
            var figure = try Figure()
            try figure.updatePanel(0) { panel in
                try panel.heatmap(matrix, colormap: colormap, limits: limits, rowLabels: labels, columnLabels: labels)
                panel.title = title
            }
            return try saveQuickFigure(figure, path: try read.optionalString("path"), context: context)
        }
    }

    /// Defines a global whose body reads its arguments by the names in `signature`.
    private static func define(_ context: BindingContext, _ signature: String, _ operation: String,
                               _ documentation: String, _ body: @escaping (FigureArguments) throws -> Value) {
        let name = String(signature.prefix { $0 != "(" })
        let names = FigureArguments.parameterNames(of: signature)
        context.define(name, signature, documentation) { arguments in
            try body(FigureArguments(arguments: arguments, parameterNames: names, operation: operation))
        }
    }

    private static func saveQuickFigure(_ figure: Figure, path: String?, context: BindingContext) throws -> Value {
        let target = path ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("bm-figure-\(UUID().uuidString.prefix(8).lowercased()).png").path
        try figure.save(to: target)
        context.interpreter.output(target + "\n")
        return .string(target)
    }

    static func installInformation(_ context: BindingContext) {
        context.define("colormap", "colormap(name=nil)",
                       """
                       A colour map as a record {name, diverging, colors}: colors are its 256 entries as "#rrggbb" \
                       (matplotlib's tables); value v within limits (low, high) takes entry min(255, ⌊256 · (v − \
                       low) / (high − low)⌋). colormap() lists the names: viridis, magma, cividis (sequential, \
                       perceptually uniform) and RdBu_r (diverging, centred on 0).
                       Errors: colormap: unknown colour map (lists the names).
                       """) { arguments in
            guard let name = try arguments.optionalString(0, "name") else {
                return .makeList(Colormap.names.map { .string($0) })
            }
            let map = try Colormap(named: name)
            return .makeRecord([("name", .string(map.name)), ("diverging", .bool(map.isDiverging)),
                                ("colors", .makeList(map.colors.map { .string($0.description) }))])
        }
        context.define("figure_info", "figure_info(path)",
                       """
                       What a saved figure file is: {format, bytes} and, for PNG, {width, height} in pixels (read \
                       back with Cairo), so scripts can check what they wrote.
                       Errors: figure_info: no such file; image.readPNG: not a PNG.
                       """) { arguments in
            let path = try arguments.string(0, "path")
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                  attributes[.type] as? FileAttributeType == .typeRegular,
                  let bytes = (attributes[.size] as? NSNumber)?.intValue else {
                throw LanguageError("figure_info: no file at \(path)")
            }
            let format = (path as NSString).pathExtension.lowercased()
            var fields: [(String, Value)] = [("format", .string(format)), ("bytes", .number(Double(bytes)))]
            if format == "png" {
                let image = try RasterImage(pngPath: path)
                fields += [("width", .number(Double(image.width))), ("height", .number(Double(image.height)))]
            }
            return .makeRecord(fields)
        }
    }
}
