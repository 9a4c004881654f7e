import Tensors

extension Panel {
    /// Draws y against x as a line; with `lower` and `upper`, also a shaded band between them (an error band:
    /// mean ± SEM, a confidence interval) in the line's colour at 25% opacity, under the line.
    ///
    /// - x: [n] positions (any numeric dtype); nil uses 0, 1, …, n−1.
    /// - y: [n] values. NaN values leave gaps.
    /// - lower, upper: [n] band limits; both or neither.
    /// - color: nil takes the next colour of the Okabe–Ito palette. `width` is in points.
    /// - label: the legend entry.
    /// Throws `PlottingError` (`plot.line`) when an input is not 1-D, lengths differ (naming both), only one of
    /// lower/upper is given, or width is not positive.
    public mutating func line(x: Tensor? = nil, y: Tensor, lower: Tensor? = nil, upper: Tensor? = nil,
                              label: String? = nil, color: Color? = nil, width: Double = 1.5,
                              style: LineStyle = .solid) throws {
        let operation = "plot.line"
        try requireAxes(operation)
        let yValues = try TensorInput.vector(y, name: "y", operation: operation)
        let xValues: [Double]
        if let x {
            xValues = try TensorInput.vector(x, name: "x", operation: operation)
            guard xValues.count == yValues.count else {
                throw PlottingError(operation, "x has \(xValues.count) values but y has \(yValues.count)")
            }
        } else {
            xValues = (0..<yValues.count).map(Double.init)
        }
        var band: (lower: [Double], upper: [Double])?
        switch (lower, upper) {
        case (nil, nil): band = nil
        case let (lower?, upper?):
            band = (try TensorInput.vector(lower, name: "lower", matching: yValues.count, reference: "y",
                                           operation: operation),
                    try TensorInput.vector(upper, name: "upper", matching: yValues.count, reference: "y",
                                           operation: operation))
        default:
            throw PlottingError(operation, "an error band needs both lower and upper, got only "
                                + (lower == nil ? "upper" : "lower"))
        }
        try Panel.requirePositive(width, name: "width", operation: operation)
        marks.append(.line(LineMark(x: xValues, y: yValues, band: band, color: color ?? nextColor(), width: width,
                                    style: style, label: label)))
    }

    /// Draws points at (x, y). Marker area is `sizes[i]` square points (or `size` for all); with `values`, each
    /// point's colour is `colormap` at its value within `limits` (default: the values' range, symmetric about zero for
    /// diverging maps) and a colour bar labelled `colorbarLabel` is added.
    ///
    /// - x, y: [n]. sizes, values: [n] or nil.
    /// Throws `PlottingError` (`plot.scatter`) for inputs that are not 1-D or of different lengths, negative or
    /// non-finite sizes, an unknown colour map, or invalid limits.
    public mutating func scatter(x: Tensor, y: Tensor, sizes: Tensor? = nil, values: Tensor? = nil,
                                 colormap: String = "viridis", limits: ClosedRange<Double>? = nil,
                                 label: String? = nil, color: Color? = nil, size: Double = 20,
                                 colorbarLabel: String? = nil) throws {
        let operation = "plot.scatter"
        try requireAxes(operation)
        let xValues = try TensorInput.vector(x, name: "x", operation: operation)
        let yValues = try TensorInput.vector(y, name: "y", operation: operation)
        guard xValues.count == yValues.count else {
            throw PlottingError(operation, "x has \(xValues.count) values but y has \(yValues.count)")
        }
        var areas = [Double](repeating: size, count: xValues.count)
        if let sizes {
            areas = try TensorInput.vector(sizes, name: "sizes", matching: xValues.count, reference: "x",
                                           operation: operation)
        }
        if let bad = areas.firstIndex(where: { !($0.isFinite && $0 >= 0) }) {
            throw PlottingError(operation, "marker sizes must be finite and non-negative, got \(areas[bad])")
        }
        var colors: [Color]
        if let values {
            let data = try TensorInput.vector(values, name: "values", matching: xValues.count, reference: "x",
                                              operation: operation)
            let map = try Colormap(named: colormap, operation: operation)
            try TensorInput.requireLimits(limits, name: "limits", operation: operation)
            let range = limits ?? map.defaultLimits(data)
            colors = data.map { map.color(of: $0, limits: range) }
            colorbar = ColorbarSpecification(colormap: map, limits: range, label: colorbarLabel)
        } else {
            colors = [color ?? nextColor()]
        }
        marks.append(.scatter(ScatterMark(x: xValues, y: yValues, areas: areas, colors: colors, label: label)))
    }

    /// Grouped bars: `heights` [groups] draws one bar per group; [groups, series] draws `series` bars side by side in
    /// each group, all series sharing `width` (fraction of the group spacing). `errors` (same shape) adds error bars
    /// of ± errors[i]. Groups sit at x = 0, 1, …; `groupLabels` [groups] label them; `seriesLabels` [series] make
    /// legend entries; `colors` [series] default to the Okabe–Ito palette.
    /// Throws `PlottingError` (`plot.bars`) for a rank other than 1 or 2, mismatched shapes or label counts,
    /// negative errors, or a width outside (0, 1].
    public mutating func bars(heights: Tensor, errors: Tensor? = nil, groupLabels: [String]? = nil,
                              seriesLabels: [String]? = nil, colors: [Color]? = nil, width: Double = 0.8) throws {
        let operation = "plot.bars"
        try requireAxes(operation)
        guard heights.rank == 1 || heights.rank == 2 else {
            throw PlottingError(operation, "heights must be [groups] or [groups, series], got shape "
                                + formatShape(heights.shape))
        }
        let groups = heights.shape[0]
        let series = heights.rank == 2 ? heights.shape[1] : 1
        let values = heights.scalars(as: Double.self)
        var errorValues: [Double]?
        if let errors {
            guard errors.shape == heights.shape else {
                throw PlottingError(operation, "errors have shape \(formatShape(errors.shape)) but heights have "
                                    + formatShape(heights.shape))
            }
            let data = errors.scalars(as: Double.self)
            if let bad = data.first(where: { $0 < 0 }) {
                throw PlottingError(operation, "errors are half-lengths and must be non-negative, got \(bad)")
            }
            errorValues = data
        }
        if let groupLabels, groupLabels.count != groups {
            throw PlottingError(operation, "\(groups) groups but \(groupLabels.count) group labels")
        }
        if let seriesLabels, seriesLabels.count != series {
            throw PlottingError(operation, "\(series) series but \(seriesLabels.count) series labels")
        }
        if let colors, colors.count != series {
            throw PlottingError(operation, "\(series) series but \(colors.count) colours")
        }
        guard width > 0 && width <= 1 else {
            throw PlottingError(operation, "width is the fraction of the group spacing the bars fill, in (0, 1], "
                                + "got \(width)")
        }
        let seriesColors = colors ?? (0..<series).map { _ in nextColor() }
        let barWidth = width / Double(series)
        var mark = BarsMark(rectangles: [], errors: [], legend: [], groupTicks: nil, alpha: 1)
        for group in 0..<groups {
            for item in 0..<series {
                let left = Double(group) - width / 2 + Double(item) * barWidth
                let value = values[group * series + item]
                mark.rectangles.append((left, barWidth, 0, value, seriesColors[item]))
                if let errorValues {
                    mark.errors.append((left + barWidth / 2, value, errorValues[group * series + item]))
                }
            }
        }
        if let seriesLabels {
            mark.legend = Array(zip(seriesLabels, seriesColors))
        }
        mark.groupTicks = ((0..<groups).map(Double.init), groupLabels ?? (0..<groups).map { "\($0)" })
        if xTicks == nil, groupLabels != nil { xTicks = mark.groupTicks }
        marks.append(.bars(mark))
    }

    /// A histogram of all values of `values` (any shape, flattened; NaN ignored) in `bins` equal bins over `range`
    /// (default: the finite values' min…max). Bins are half-open [edge_i, edge_i+1) except the last, which includes
    /// its right edge (numpy's convention). With `density`, heights are count / (total × bin width), so the area is 1.
    /// Drawn as adjacent bars at 75% opacity, so overlaid histograms stay visible.
    /// Throws `PlottingError` (`plot.histogram`) when bins is outside 1...100000 or the range is invalid.
    public mutating func histogram(_ values: Tensor, bins: Int = 10, range: ClosedRange<Double>? = nil,
                                   density: Bool = false, label: String? = nil, color: Color? = nil) throws {
        let operation = "plot.histogram"
        try requireAxes(operation)
        guard bins >= 1 && bins <= Histogram.maximumBins else {
            throw PlottingError(operation, "bins must be in 1...\(Histogram.maximumBins), got \(bins)")
        }
        try TensorInput.requireLimits(range, name: "range", operation: operation)
        let data = values.scalars(as: Double.self)
        let result = Histogram.count(data, bins: bins, range: range)
        let fill = color ?? nextColor()
        let total = result.counts.reduce(0, +)
        var mark = BarsMark(rectangles: [], errors: [], legend: label.map { [($0, fill)] } ?? [], groupTicks: nil,
                            alpha: 0.75)
        for bin in 0..<bins {
            let left = result.edges[bin]
            let binWidth = result.edges[bin + 1] - left
            var height = Double(result.counts[bin])
            if density { height = total > 0 && binWidth > 0 ? height / (Double(total) * binWidth) : 0 }
            mark.rectangles.append((left, binWidth, 0, height, fill))
        }
        marks.append(.bars(mark))
    }

    /// A horizontal line across the panel at y = `y` (a chance level, a baseline), dashed grey by default. It counts
    /// toward the automatic y limits. Throws `PlottingError` (`plot.horizontalLine`) for a non-finite y.
    public mutating func horizontalLine(y: Double, color: Color = Color(white: 0.4), width: Double = 1,
                                        style: LineStyle = .dashed, label: String? = nil) throws {
        try addReference(horizontal: true, value: y, color: color, width: width, style: style, label: label,
                         operation: "plot.horizontalLine")
    }

    /// A vertical line across the panel at x = `x` (stimulus onset), as `horizontalLine`.
    /// Throws `PlottingError` (`plot.verticalLine`) for a non-finite x.
    public mutating func verticalLine(x: Double, color: Color = Color(white: 0.4), width: Double = 1,
                                      style: LineStyle = .dashed, label: String? = nil) throws {
        try addReference(horizontal: false, value: x, color: color, width: width, style: style, label: label,
                         operation: "plot.verticalLine")
    }

    private mutating func addReference(horizontal: Bool, value: Double, color: Color, width: Double,
                                       style: LineStyle, label: String?, operation: String) throws {
        try requireAxes(operation)
        guard value.isFinite else { throw PlottingError(operation, "position must be finite, got \(value)") }
        try Panel.requirePositive(width, name: "width", operation: operation)
        marks.append(.reference(ReferenceLineMark(horizontal: horizontal, value: value, color: color, width: width,
                                                  style: style, label: label)))
    }

    static func requirePositive(_ value: Double, name: String, operation: String) throws {
        guard value.isFinite && value > 0 else {
            throw PlottingError(operation, "\(name) must be positive, got \(value)")
        }
    }
}

/// Histogram counting with numpy's bin convention.
public enum Histogram {
    /// More bins than this cannot be seen on any page.
    public static let maximumBins = 100_000

    /// Counts of `values` (NaN and infinities ignored) in `bins` equal-width bins over `range` (default: min…max of
    /// the finite values; a single value v gives v−0.5…v+0.5; no values give 0…1). Returns the `bins + 1` edges and
    /// the counts; values outside the range are not counted; the last bin includes its right edge.
    public static func count(_ values: [Double], bins: Int, range: ClosedRange<Double>? = nil)
        -> (edges: [Double], counts: [Int]) {
        precondition(bins >= 1, "internal: histogram bins")
        let finite = values.filter(\.isFinite)
        var low = range?.lowerBound ?? finite.min() ?? 0
        var high = range?.upperBound ?? finite.max() ?? 1
        if low == high {
            low -= 0.5
            high += 0.5
        }
        let edges = (0...bins).map { low + (high - low) * Double($0) / Double(bins) }
        var counts = [Int](repeating: 0, count: bins)
        for value in finite where value >= low && value <= high {
            var bin = Int((value - low) / (high - low) * Double(bins))
            bin = Swift.min(bins - 1, Swift.max(0, bin))
            // Floating-point rounding can put a value just below an edge into the next bin; the edges decide.
            if bin > 0 && value < edges[bin] { bin -= 1 }
            if bin < bins - 1 && value >= edges[bin + 1] { bin += 1 }
            counts[bin] += 1
        }
        return (edges, counts)
    }
}

extension Colormap {
    /// `Colormap(named:)` with the error naming the calling operation.
    init(named name: String, operation: String) throws {
        do {
            try self.init(named: name)
        } catch let error as PlottingError {
            throw PlottingError(operation, error.message)
        }
    }
}
