import Foundation

/// The data limits of a panel's axes: explicit limits, or the data's range with a 5% margin (matplotlib's default),
/// bars kept sticky at zero; matrices span their cells exactly with row 0 on top.
struct AxesLayout {
    var x: Axis
    var y: Axis
    /// Data units per point equal on both axes (matrices drawn as matrices).
    var equalAspect: Bool
    /// The heatmap drawn as a matrix, whose labels and spines differ from ordinary axes.
    var matrix: HeatmapMark?

    /// Throws `PlottingError` (no operation prefix; callers add it) when a log axis would show non-positive values.
    static func limits(of panel: Panel) throws -> AxesLayout {
        guard case .axes = panel.content else {
            return AxesLayout(x: Axis(scale: .linear, low: 0, high: 1), y: Axis(scale: .linear, low: 0, high: 1),
                              equalAspect: false, matrix: nil)
        }
        var xExtent = Extent(name: "x", scale: panel.xScale)
        var yExtent = Extent(name: "y", scale: panel.yScale)
        var matrix: HeatmapMark?
        for mark in panel.marks {
            switch mark {
            case .line(let line):
                try xExtent.include(line.x, from: "a line")
                try yExtent.include(line.y, from: "a line")
                if let band = line.band {
                    try yExtent.include(band.lower, from: "an error band")
                    try yExtent.include(band.upper, from: "an error band")
                }
            case .scatter(let scatter):
                try xExtent.include(scatter.x, from: "a scatter")
                try yExtent.include(scatter.y, from: "a scatter")
            case .bars(let bars):
                for rectangle in bars.rectangles {
                    try xExtent.include([rectangle.x, rectangle.x + rectangle.width], from: "bars")
                    try yExtent.include([rectangle.bottom, rectangle.bottom + rectangle.height], from: "bars")
                }
                for error in bars.errors {
                    try yExtent.include([error.y - error.error, error.y + error.error], from: "error bars")
                }
                yExtent.stickyZero = true
            case .reference(let reference):
                if reference.horizontal {
                    try yExtent.include([reference.value], from: "a horizontal line")
                } else {
                    try xExtent.include([reference.value], from: "a vertical line")
                }
            case .heatmap(let heatmap):
                if let xRange = heatmap.xExtent, let yRange = heatmap.yExtent {
                    try xExtent.include([xRange.lowerBound, xRange.upperBound], from: "a heatmap")
                    try yExtent.include([yRange.lowerBound, yRange.upperBound], from: "a heatmap")
                    xExtent.exact = true
                    yExtent.exact = true
                } else {
                    matrix = heatmap
                }
            }
        }
        if let matrix {
            return AxesLayout(x: Axis(scale: .linear, low: -0.5, high: Double(matrix.columns) - 0.5),
                              y: Axis(scale: .linear, low: -0.5, high: Double(matrix.rows) - 0.5, inverted: true),
                              equalAspect: true, matrix: matrix)
        }
        let xAxis = try xExtent.axis(explicit: panel.xLimits)
        let yAxis = try yExtent.axis(explicit: panel.yLimits)
        return AxesLayout(x: xAxis, y: yAxis, equalAspect: false, matrix: nil)
    }

    /// The running range of one axis's data.
    private struct Extent {
        let name: String
        let scale: AxisScale
        var low = Double.infinity
        var high = -Double.infinity
        /// Bars start at zero: no margin below a zero minimum.
        var stickyZero = false
        /// Heatmaps with extents fill the axes exactly.
        var exact = false

        init(name: String, scale: AxisScale) {
            self.name = name
            self.scale = scale
        }

        mutating func include(_ values: [Double], from source: String) throws {
            for value in values where value.isFinite {
                if scale == .log && value <= 0 {
                    throw PlottingError("plot", "log \(name) axis needs positive values, but \(source) has "
                                        + "\(name) = \(Axis.formatNumber(value, decimals: value == value.rounded() ? 0 : 3))")
                }
                low = Swift.min(low, value)
                high = Swift.max(high, value)
            }
        }

        func axis(explicit: ClosedRange<Double>?) throws -> Axis {
            if let explicit {
                if scale == .log && explicit.lowerBound <= 0 {
                    throw PlottingError("plot", "log \(name) axis needs positive limits, got \(explicit.lowerBound)..."
                                        + "\(explicit.upperBound)")
                }
                return Axis(scale: scale, low: explicit.lowerBound, high: explicit.upperBound)
            }
            guard low <= high else {
                return scale == .log ? Axis(scale: .log, low: 1, high: 10) : Axis(scale: .linear, low: 0, high: 1)
            }
            switch scale {
            case .linear:
                if low == high {
                    let margin = low == 0 ? 1 : abs(low) * 0.1
                    return Axis(scale: .linear, low: low - margin, high: high + margin)
                }
                if exact { return Axis(scale: .linear, low: low, high: high) }
                let margin = (high - low) * 0.05
                let paddedLow = stickyZero && low == 0 ? 0 : low - margin
                let paddedHigh = stickyZero && high == 0 ? 0 : high + margin
                return Axis(scale: .linear, low: paddedLow, high: paddedHigh)
            case .log:
                let logLow = Foundation.log10(low), logHigh = Foundation.log10(high)
                if logLow == logHigh {
                    return Axis(scale: .log, low: low / 2, high: high * 2)
                }
                if exact { return Axis(scale: .log, low: low, high: high) }
                let margin = (logHigh - logLow) * 0.05
                return Axis(scale: .log, low: Foundation.pow(10, logLow - margin),
                            high: Foundation.pow(10, logHigh + margin))
            }
        }
    }
}
