/// One plotting area of a `Figure`: axes with marks (lines, bands, scatter, bars, histograms, reference lines,
/// heatmaps), or an image grid, a flat cortical map or a surface mesh. Plain value: read it from the figure, change
/// it, store it back (or use `Figure.updatePanel`).
///
/// Axes are drawn in matplotlib's default style: left and bottom spines, outward ticks, 10-pt axis labels,
/// 9-pt tick labels, an 11-pt title.
public struct Panel {
    /// Title above the panel.
    public var title: String?
    /// Label under the x axis.
    public var xLabel: String?
    /// Label left of the y axis (rotated).
    public var yLabel: String?
    /// Linear or log x axis. A log axis needs every x value shown to be positive (checked when the figure is drawn).
    public var xScale: AxisScale = .linear
    public var yScale: AxisScale = .linear
    /// Light grey grid lines at the major ticks, under the data.
    public var showGrid = false
    /// Where the legend goes when some mark has a label.
    public var legend: LegendPlacement = .automatic
    /// Set with `setXLimits`/`setYLimits`; nil fits the data with a 5% margin.
    public private(set) var xLimits: ClosedRange<Double>?
    public private(set) var yLimits: ClosedRange<Double>?

    var marks: [Mark] = []
    var content: PanelContent = .axes
    var colorbar: ColorbarSpecification?
    /// Explicit tick positions and labels (bars' groups, heatmaps' categories, `setXTicks`).
    var xTicks: (positions: [Double], labels: [String])?
    var yTicks: (positions: [Double], labels: [String])?
    /// The next colour of the Okabe–Ito palette for a mark without a colour.
    var seriesCount = 0

    public init() {}

    /// True when nothing has been drawn in this panel.
    public var isEmpty: Bool {
        if case .axes = content { return marks.isEmpty }
        return false
    }

    /// Fixes the x axis to `limits` (low < high, finite). Throws `PlottingError` (`panel.xLimits`) otherwise.
    public mutating func setXLimits(_ limits: ClosedRange<Double>?) throws {
        try TensorInput.requireLimits(limits, name: "x limits", operation: "panel.xLimits")
        xLimits = limits
    }

    /// Fixes the y axis to `limits` (low < high, finite). Throws `PlottingError` (`panel.yLimits`) otherwise.
    public mutating func setYLimits(_ limits: ClosedRange<Double>?) throws {
        try TensorInput.requireLimits(limits, name: "y limits", operation: "panel.yLimits")
        yLimits = limits
    }

    /// Puts x ticks at `positions` with `labels` (same count) instead of the automatic nice ticks.
    /// Throws `PlottingError` (`panel.xTicks`) when the counts differ or a position is not finite.
    public mutating func setXTicks(_ positions: [Double], labels: [String]) throws {
        xTicks = try Panel.checkedTicks(positions, labels, operation: "panel.xTicks")
    }

    /// Puts y ticks at `positions` with `labels`; as `setXTicks`.
    public mutating func setYTicks(_ positions: [Double], labels: [String]) throws {
        yTicks = try Panel.checkedTicks(positions, labels, operation: "panel.yTicks")
    }

    private static func checkedTicks(_ positions: [Double], _ labels: [String], operation: String) throws
        -> (positions: [Double], labels: [String]) {
        guard positions.count == labels.count else {
            throw PlottingError(operation, "\(positions.count) positions but \(labels.count) labels")
        }
        try TensorInput.requireFinite(positions, name: "positions", operation: operation)
        return (positions, labels)
    }

    /// The colour for the next series without an explicit colour.
    mutating func nextColor() -> Color {
        defer { seriesCount += 1 }
        return Color.palette(seriesCount)
    }

    /// Throws unless the panel can take axes marks (it holds no image grid or brain map).
    func requireAxes(_ operation: String) throws {
        switch content {
        case .axes: return
        case .images: throw PlottingError(operation, "this panel holds an image grid; draw in another panel")
        case .flatMap: throw PlottingError(operation, "this panel holds a flat map; draw in another panel")
        case .surface: throw PlottingError(operation, "this panel holds a surface; draw in another panel")
        }
    }

    /// Throws unless the panel is empty, for content that fills a whole panel.
    func requireEmpty(_ operation: String, what: String) throws {
        guard isEmpty else {
            throw PlottingError(operation, "\(what) needs a panel of its own, and this one already holds a plot")
        }
    }
}
