import Foundation
@testable import Plotting
import Tensors
import Testing

/// Every user mistake throws a PlottingError whose text names the problem.
@Suite struct ErrorTests {
    static func message(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            return "\(error)"
        }
    }

    static let vector3 = Tensor([1.0, 2.0, 3.0])
    static let vector4 = Tensor([1.0, 2.0, 3.0, 4.0])

    @Test func figureAndPanelErrors() throws {
        #expect(ErrorTests.message { _ = try Figure(rows: 0, columns: 2) }
                == "figure: a figure needs at least one row and one column, got 0 × 2")
        #expect(ErrorTests.message { _ = try Figure(width: -5) } == "figure: width must be positive, got -5.0")
        #expect(ErrorTests.message { _ = try Figure(dpi: .nan) } == "figure: dpi must be positive, got nan")
        #expect(ErrorTests.message { _ = try Figure(rows: .max, columns: 2) }
                == "figure: \(Int.max) × 2 panels is more than the 1024 a figure can hold")
        #expect(ErrorTests.message { _ = try Figure(width: 1e300, height: 100, dpi: 1e300) }
                == "figure: 1000000000000 × 1000000000000 pixels (1e+300 × 100.0 points at 1e+300 dpi) exceeds 20000 pixels per side")
        var changedDPI = try Figure()
        changedDPI.dpi = -3
        #expect(ErrorTests.message { _ = try changedDPI.renderImage() } == "figure.render: dpi must be positive, got -3.0")
        changedDPI.dpi = 1e6
        #expect(ErrorTests.message { try changedDPI.save(to: "/tmp/never.png") }?.hasPrefix("figure.save: 6400000 × 4800000 pixels") == true)
        #expect(ErrorTests.message { _ = try Figure(width: 7200, height: 100, dpi: 300) }
                == "figure: 30000 × 417 pixels (7200.0 × 100.0 points at 300.0 dpi) exceeds 20000 pixels per side")
        var figure = try Figure(rows: 2, columns: 2)
        #expect(ErrorTests.message { _ = try figure.panel(4) }
                == "figure.panel: panel 4 is out of range for this 2 × 2 figure (panels 0...3)")
        #expect(ErrorTests.message { try figure.updatePanel(-1) { _ in } }
                == "figure.panel: panel -1 is out of range for this 2 × 2 figure (panels 0...3)")
        #expect(ErrorTests.message { _ = try figure.panel(row: 2, column: 0) }
                == "figure.panel: row 2, column 0 is outside this 2 × 2 figure (rows 0...1, columns 0...1)")
        #expect(ErrorTests.message { try figure.setPanel(Panel(), at: 9) }
                == "figure.panel: panel 9 is out of range for this 2 × 2 figure (panels 0...3)")
        // A failing update leaves the panel as it was.
        #expect(throws: PlottingError.self) {
            try figure.updatePanel(0) { panel in
                try panel.line(y: ErrorTests.vector3)
                try panel.line(x: ErrorTests.vector4, y: ErrorTests.vector3)
            }
        }
        #expect(try figure.panel(0).isEmpty)
        var panel = Panel()
        #expect(ErrorTests.message { try panel.setXTicks([1, 2], labels: ["a"]) } == "panel.xTicks: 2 positions but 1 labels")
        #expect(ErrorTests.message { try panel.setYLimits(3...3) } == "panel.yLimits: y limits must be finite with low < high, got 3.0...3.0")
    }

    @Test func markErrors() throws {
        var panel = Panel()
        let matrix = try Tensor([[1.0, 2.0], [3.0, 4.0]])
        let cases: [(String, () throws -> Void)] = [
            ("plot.line: x has 4 values but y has 3", { try panel.line(x: ErrorTests.vector4, y: ErrorTests.vector3) }),
            ("plot.line: y must be 1-D, got shape [2, 2]", { try panel.line(y: matrix) }),
            ("plot.line: y has 3 values but upper has 4",
             { try panel.line(y: ErrorTests.vector3, lower: ErrorTests.vector3, upper: ErrorTests.vector4) }),
            ("plot.line: an error band needs both lower and upper, got only lower",
             { try panel.line(y: ErrorTests.vector3, lower: ErrorTests.vector3) }),
            ("plot.line: width must be positive, got 0.0", { try panel.line(y: ErrorTests.vector3, width: 0) }),
            ("plot.scatter: x has 3 values but y has 4", { try panel.scatter(x: ErrorTests.vector3, y: ErrorTests.vector4) }),
            ("plot.scatter: x has 3 values but values has 4",
             { try panel.scatter(x: ErrorTests.vector3, y: ErrorTests.vector3, values: ErrorTests.vector4) }),
            ("plot.scatter: unknown colour map \"hot\": known maps are viridis, magma, cividis, RdBu_r",
             { try panel.scatter(x: ErrorTests.vector3, y: ErrorTests.vector3, values: ErrorTests.vector3, colormap: "hot") }),
            ("plot.scatter: marker sizes must be finite and non-negative, got -1.0",
             { try panel.scatter(x: ErrorTests.vector3, y: ErrorTests.vector3, sizes: Tensor([1.0, -1.0, 2.0])) }),
            ("plot.bars: heights must be [groups] or [groups, series], got shape []", { try panel.bars(heights: Tensor(scalar: 1.0)) }),
            ("plot.bars: errors have shape [4] but heights have [3]",
             { try panel.bars(heights: ErrorTests.vector3, errors: ErrorTests.vector4) }),
            ("plot.bars: 3 groups but 2 group labels", { try panel.bars(heights: ErrorTests.vector3, groupLabels: ["a", "b"]) }),
            ("plot.bars: 2 series but 1 series labels", { try panel.bars(heights: matrix, seriesLabels: ["a"]) }),
            ("plot.bars: errors are half-lengths and must be non-negative, got -0.5",
             { try panel.bars(heights: ErrorTests.vector3, errors: Tensor([0.1, -0.5, 0.1])) }),
            ("plot.bars: width is the fraction of the group spacing the bars fill, in (0, 1], got 1.5",
             { try panel.bars(heights: ErrorTests.vector3, width: 1.5) }),
            ("plot.histogram: bins must be in 1...100000, got 0", { try panel.histogram(ErrorTests.vector3, bins: 0) }),
            ("plot.histogram: bins must be in 1...100000, got \(Int.max)", { try panel.histogram(ErrorTests.vector3, bins: .max) }),
            ("plot.flatMap: a flat map needs at least 3 points not all on one line, within a finite span, got 3",
             { try panel.flatMap(x: Tensor([-1e308, 1e308, 0]), y: Tensor([0.0, 0.0, 1e308]), values: ErrorTests.vector3) }),
            ("plot.horizontalLine: position must be finite, got inf", { try panel.horizontalLine(y: .infinity) }),
            ("plot.heatmap: the matrix must be 2-D [rows, columns], got shape [3]", { try panel.heatmap(ErrorTests.vector3) }),
            ("plot.heatmap: the matrix must be 2-D [rows, columns], got shape [2, 2, 1]",
             { try panel.heatmap(try Tensor(shape: [2, 2, 1], scalars: [1.0, 2, 3, 4])) }),
            ("plot.heatmap: the matrix is empty (shape [0, 3])", { try panel.heatmap(try Tensor(shape: [0, 3], scalars: [Double]())) }),
            ("plot.heatmap: the matrix [32768, 1] has more than 32767 cells per side, which Cairo cannot draw; average blocks first",
             { try panel.heatmap(Tensor.zeros([32768, 1])) }),
            ("plot.heatmap: the matrix has 2 rows but 3 row labels", { try panel.heatmap(matrix, rowLabels: ["a", "b", "c"]) }),
            ("plot.heatmap: separator 2 is outside 1..<2; separators are the indices where a new category starts",
             { try panel.heatmap(matrix, separators: [2]) }),
            ("plot.heatmap: category labels need a square matrix, got shape [1, 2]",
             { try panel.heatmap(try Tensor([[1.0, 2.0]]), categoryLabels: ["a"]) }),
            ("plot.heatmap: give row and column labels or category labels, not both",
             { try panel.heatmap(matrix, rowLabels: ["a", "b"], separators: [1], categoryLabels: ["a", "b"]) }),
            ("plot.heatmap: 1 separators make 2 categories, but there are 3 category labels",
             { try panel.heatmap(matrix, separators: [1], categoryLabels: ["a", "b", "c"]) }),
            ("plot.flatMap: threshold must be finite, got nan",
             { try panel.flatMap(x: ErrorTests.vector3, y: Tensor([0.0, 1.0, 0.0]), values: ErrorTests.vector3, threshold: .nan) }),
            ("plot.heatmap: give both xExtent and yExtent, or neither", { try panel.heatmap(matrix, xExtent: 0...1) }),
            ("plot.heatmap: unknown colour map \"Viridis\": known maps are viridis, magma, cividis, RdBu_r",
             { try panel.heatmap(matrix, colormap: "Viridis") }),
            ("plot.images: images must be [n, height, width, channels] with 1, 3 or 4 channels, got shape [2, 4, 4, 2]",
             { try panel.images(Tensor.zeros([2, 4, 4, 2])) }),
            ("plot.images: image values must lie in [0, 1], found 255.0 (divide bytes by 255)",
             { try panel.images(Tensor.full([1, 2, 2], value: 255.0)) }),
            ("plot.images: 1 images but 2 titles", { try panel.images(Tensor.zeros([1, 2, 2]), titles: ["a", "b"]) }),
            ("plot.flatMap: x has 3 values but y has 4", { try panel.flatMap(x: ErrorTests.vector3, y: ErrorTests.vector4, values: ErrorTests.vector3) }),
            ("plot.flatMap: a flat map needs at least 3 points not all on one line, within a finite span, got 3",
             { try panel.flatMap(x: ErrorTests.vector3, y: ErrorTests.vector3, values: ErrorTests.vector3) }),
            ("plot.flatMap: regions must be integer labels, got 1.5",
             { try panel.flatMap(x: ErrorTests.vector3, y: Tensor([0.0, 1.0, 0.0]), values: ErrorTests.vector3, regions: Tensor([1.0, 1.5, 2.0])) }),
            ("plot.flatMap: triangles refers to vertex 3, but there are 3 vertices",
             { try panel.flatMap(x: ErrorTests.vector3, y: ErrorTests.vector3, values: ErrorTests.vector3,
                                 triangles: try Tensor(shape: [1, 3], scalars: [Int64(0), 1, 3])) }),
            ("plot.surface: vertices must have shape [count, 3], got [4]",
             { try panel.surface(vertices: ErrorTests.vector4, faces: Tensor.zeros([1, 3], dtype: .int64), values: ErrorTests.vector4) }),
            ("plot.surface: faces must hold integer vertex indices (int64), got float64",
             { try panel.surface(vertices: Tensor.zeros([3, 3]), faces: Tensor.zeros([1, 3]), values: ErrorTests.vector3) }),
            ("plot.surface: vertices has 3 rows but values has 4",
             { try panel.surface(vertices: Tensor.zeros([3, 3]), faces: Tensor.zeros([1, 3], dtype: .int64), values: ErrorTests.vector4) }),
            ("plot.surface: give at least one view",
             { try panel.surface(vertices: Tensor.zeros([3, 3]), faces: Tensor.zeros([1, 3], dtype: .int64), values: ErrorTests.vector3, views: []) }),
        ]
        for (expected, body) in cases {
            #expect(ErrorTests.message(body) == expected)
        }
        #expect(panel.isEmpty, "failed calls add nothing")
    }

    @Test func categoryLabelsSitAtBlockCentres() throws {
        var panel = Panel()
        try panel.heatmap(Tensor.zeros([12, 12]), separators: [8, 4], categoryLabels: ["faces", "bodies", "places"])
        #expect(panel.xTicks?.positions == [1.5, 5.5, 9.5])
        #expect(panel.yTicks?.labels == ["faces", "bodies", "places"])
    }

    @Test func panelsHoldingMapsRefuseOtherMarks() throws {
        var panel = Panel()
        try panel.images(Tensor.zeros([1, 2, 2]))
        #expect(ErrorTests.message { try panel.line(y: ErrorTests.vector3) }
                == "plot.line: this panel holds an image grid; draw in another panel")
        var axes = Panel()
        try axes.line(y: ErrorTests.vector3)
        #expect(ErrorTests.message { try axes.images(Tensor.zeros([1, 2, 2])) }
                == "plot.images: an image grid needs a panel of its own, and this one already holds a plot")
    }

    @Test(arguments: [AxisScale.linear, .log])
    func logAxesNeedPositiveData(yScale: AxisScale) throws {
        var figure = try Figure()
        try figure.updatePanel(0) { panel in
            try panel.bars(heights: ErrorTests.vector3)
            panel.yScale = yScale
        }
        if yScale == .log {
            #expect(ErrorTests.message { _ = try figure.renderImage() }
                    == "figure.render: panel 0: log y axis needs positive values, but bars has y = 0")
        } else {
            #expect(try figure.renderImage().width == figure.pixelWidth)
        }
        try figure.updatePanel(0) { panel in
            panel = Panel()
            try panel.line(x: ErrorTests.vector3, y: ErrorTests.vector3)
            panel.xScale = .log
            try panel.setXLimits(0...10)
        }
        #expect(ErrorTests.message { _ = try figure.renderImage() }
                == "figure.render: panel 0: log x axis needs positive limits, got 0.0...10.0")
    }
}
