/// How a line is drawn.
public enum LineStyle: String, Sendable, CaseIterable {
    case solid, dashed, dotted

    /// Dash pattern in points for a line of width `width` (matplotlib's scaled dashes).
    func dashes(width: Double) -> [Double] {
        switch self {
        case .solid: return []
        case .dashed: return [3.7 * width, 1.6 * width]
        case .dotted: return [1 * width, 1.65 * width]
        }
    }
}

/// Where a panel's legend goes.
public enum LegendPlacement: String, Sendable, CaseIterable {
    /// The corner of the axes that covers the fewest data points (ties: upper right, upper left, lower left,
    /// lower right).
    case automatic
    case upperRight, upperLeft, lowerLeft, lowerRight
    /// No legend even when marks have labels.
    case hidden
}

/// A colour scale shown beside a panel.
struct ColorbarSpecification {
    var colormap: Colormap
    var limits: ClosedRange<Double>
    var label: String?
}

struct LineMark {
    var x: [Double]
    var y: [Double]
    /// Shaded band from `lower` to `upper` (same length as y), drawn under the line.
    var band: (lower: [Double], upper: [Double])?
    var color: Color
    var width: Double
    var style: LineStyle
    var label: String?
}

struct ScatterMark {
    var x: [Double]
    var y: [Double]
    /// Marker areas in square points, one per point.
    var areas: [Double]
    /// Per-point colours (from values through a colour map) or one colour.
    var colors: [Color]
    var label: String?
}

struct BarsMark {
    /// Left edges, widths, bottoms and heights of every bar, series by series.
    var rectangles: [(x: Double, width: Double, bottom: Double, height: Double, color: Color)]
    /// Error bars: centre x, value, half-length.
    var errors: [(x: Double, y: Double, error: Double)]
    /// Legend entries (label, colour).
    var legend: [(String, Color)]
    /// Ticks under the groups.
    var groupTicks: (positions: [Double], labels: [String])?
    var alpha: Double
}

struct ReferenceLineMark {
    var horizontal: Bool
    var value: Double
    var color: Color
    var width: Double
    var style: LineStyle
    var label: String?
}

struct HeatmapMark {
    var values: [Double]
    var rows: Int
    var columns: Int
    var colormap: Colormap
    var limits: ClosedRange<Double>
    /// Data extent; nil draws cells at integer positions with row 0 on top (a matrix).
    var xExtent: ClosedRange<Double>?
    var yExtent: ClosedRange<Double>?
    var rowLabels: [String]?
    var columnLabels: [String]?
    /// Indices where a new category starts; a white line is drawn before each.
    var separators: [Int]
}

enum Mark {
    case line(LineMark)
    case scatter(ScatterMark)
    case bars(BarsMark)
    case reference(ReferenceLineMark)
    case heatmap(HeatmapMark)
}

struct ImageGridContent {
    var images: [RasterImage]
    var columns: Int?
    var titles: [String]?
}

struct FlatMapContent {
    var x: [Double]
    var y: [Double]
    var values: [Double]
    var regions: [Int]?
    /// Vertex indices, three per triangle.
    var triangles: [Int]
    var colormap: Colormap
    var limits: ClosedRange<Double>
    var threshold: VertexThreshold
    var belowThresholdColor: Color
    var outlineColor: Color
    var outlineWidth: Double
}

/// Which way a cortical surface is seen.
public enum SurfaceView: String, Sendable, CaseIterable {
    /// From the side the hemisphere faces outward (left from −x, right from +x), anterior toward the outside edge.
    case lateral
    /// From the midline.
    case medial
    /// From below, anterior up.
    case ventral
    /// From above, anterior up.
    case dorsal
}

/// Which hemisphere a surface mesh is (sets which side is lateral).
public enum Hemisphere: String, Sendable, CaseIterable {
    case left, right
}

struct SurfaceContent {
    /// x, y, z per vertex.
    var vertices: [Double]
    var faces: [Int]
    var values: [Double]
    var views: [SurfaceView]
    var hemisphere: Hemisphere
    var colormap: Colormap
    var limits: ClosedRange<Double>
    var threshold: VertexThreshold
    var belowThresholdColor: Color
}

/// Which vertex values a brain map hides: NaN always; below `level` (one-sided) or with |value| below it (both signs,
/// for signed maps such as t values).
struct VertexThreshold {
    var level: Double?
    var bothSigns: Bool

    func hides(_ value: Double) -> Bool {
        if value.isNaN { return true }
        guard let level else { return false }
        return bothSigns ? abs(value) < level : value < level
    }
}

enum PanelContent {
    /// Axes with marks (lines, scatter, bars, reference lines, heatmaps, histograms).
    case axes
    case images(ImageGridContent)
    case flatMap(FlatMapContent)
    case surface(SurfaceContent)
}
