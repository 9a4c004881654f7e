import Foundation
@testable import Plotting
import Tensors
import Testing

/// Renders known figures and checks the pixels where things must be.
@Suite struct PixelTests {
    static func distance(_ a: Color?, _ b: Color) -> Double {
        guard let a else { return .infinity }
        return Swift.max(abs(a.red - b.red), abs(a.green - b.green), abs(a.blue - b.blue))
    }

    static func pixel(_ image: RasterImage, _ point: Point) -> Color? {
        image.color(x: Int(point.x), y: Int(point.y))
    }

    static func isWhite(_ color: Color?) -> Bool { distance(color, .white) < 2.0 / 255 }

    @Test func pngSizeFollowsDPI() throws {
        let figure = try Figure(width: 144, height: 72, dpi: 300)
        let image = try figure.renderImage()
        #expect(image.width == 600 && image.height == 300)
        #expect(try Figure(width: 100, height: 50, dpi: 72).renderImage().width == 100)
    }

    @Test func lineColourWhereItMustBe() throws {
        var figure = try Figure(width: 200, height: 150, dpi: 144)
        try figure.updatePanel(0) { try $0.line(x: Tensor([0.0, 1.0]), y: Tensor([0.5, 0.5]), width: 3) }
        let image = try figure.renderImage()
        let geometry = try figure.pixelGeometry(panel: 0)
        for x in [0.1, 0.5, 0.9] {
            #expect(PixelTests.distance(PixelTests.pixel(image, geometry.pixel(x, 0.5)), Color.okabeIto[0]) < 3.0 / 255)
            #expect(PixelTests.isWhite(PixelTests.pixel(image, geometry.pixel(x, 0.52))))
            #expect(PixelTests.isWhite(PixelTests.pixel(image, geometry.pixel(x, 0.47))))
        }
    }

    @Test func errorBandIsTheLineColourAtAQuarterOpacity() throws {
        var figure = try Figure(width: 200, height: 150, dpi: 144)
        try figure.updatePanel(0) { panel in
            try panel.line(x: Tensor([0.0, 1.0]), y: Tensor([0.5, 0.5]), lower: Tensor([0.2, 0.2]),
                           upper: Tensor([0.8, 0.8]), color: Color.okabeIto[3])
        }
        let image = try figure.renderImage()
        let geometry = try figure.pixelGeometry(panel: 0)
        let expected = Color.white.mixed(with: Color.okabeIto[3], 0.25)
        for (x, y) in [(0.3, 0.7), (0.6, 0.3), (0.9, 0.25)] {
            #expect(PixelTests.distance(PixelTests.pixel(image, geometry.pixel(x, y)), expected) < 3.0 / 255)
        }
        #expect(PixelTests.isWhite(PixelTests.pixel(image, geometry.pixel(0.5, 0.82))))
        #expect(PixelTests.isWhite(PixelTests.pixel(image, geometry.pixel(0.5, 0.18))))
        #expect(PixelTests.distance(PixelTests.pixel(image, geometry.pixel(0.5, 0.5)), Color.okabeIto[3]) < 3.0 / 255)
    }

    @Test(arguments: ["viridis", "magma", "cividis", "RdBu_r"])
    func heatmapCornersAreTheColormapEnds(colormap: String) throws {
        var figure = try Figure(width: 200, height: 160, dpi: 100)
        let matrix = try Tensor([[-2.0, 0.5, 1.0], [0.0, 0.25, 3.0]])
        try figure.updatePanel(0) { try $0.heatmap(matrix, colormap: colormap) }
        let image = try figure.renderImage()
        let geometry = try figure.pixelGeometry(panel: 0)
        let map = try Colormap(named: colormap)
        // Matrix layout: cell (row, column) is centred on x = column, y = row.
        let low = PixelTests.pixel(image, geometry.pixel(0, 0))
        let high = PixelTests.pixel(image, geometry.pixel(2, 1))
        if map.isDiverging {
            // Limits ±3: −2 is 1/6 of the way up.
            #expect(PixelTests.distance(low, map.color(atFraction: 1.0 / 6)) < 1.5 / 255)
        } else {
            #expect(PixelTests.distance(low, map.colors[0]) < 1.5 / 255)
        }
        #expect(PixelTests.distance(high, map.colors[255]) < 1.5 / 255)
        #expect(PixelTests.distance(PixelTests.pixel(image, geometry.pixel(1, 0)),
                                    map.color(of: 0.5, limits: map.defaultLimits([-2, 3]))) < 1.5 / 255)
    }

    @Test func heatmapWithExtentPutsRowZeroAtTheBottom() throws {
        var figure = try Figure(width: 200, height: 160, dpi: 100)
        try figure.updatePanel(0) { try $0.heatmap(try Tensor([[0.0, 0.0], [1.0, 1.0]]), xExtent: 0...1, yExtent: 0...1) }
        let image = try figure.renderImage()
        let geometry = try figure.pixelGeometry(panel: 0)
        #expect(PixelTests.distance(PixelTests.pixel(image, geometry.pixel(0.25, 0.25)), Colormap.viridis.colors[0]) < 1.5 / 255)
        #expect(PixelTests.distance(PixelTests.pixel(image, geometry.pixel(0.75, 0.75)), Colormap.viridis.colors[255]) < 1.5 / 255)
    }

    @Test func colorbarGradientIsMonotonic() throws {
        var figure = try Figure(width: 240, height: 200, dpi: 144)
        try figure.updatePanel(0) { try $0.heatmap(try Tensor([[0.0, 1.0], [2.0, 3.0]]), colormap: "magma") }
        let image = try figure.renderImage()
        let bar = try #require(try figure.pixelGeometry(panel: 0).colorbar)
        let map = try Colormap(named: "magma")
        let column = Int(bar.x + bar.width / 2)
        var indices: [Int] = []
        for row in stride(from: Int(bar.maxY) - 2, through: Int(bar.minY) + 2, by: -1) {
            let color = try #require(image.color(x: column, y: row))
            let nearest = map.colors.indices.min { PixelTests.distance(color, map.colors[$0]) < PixelTests.distance(color, map.colors[$1]) }!
            #expect(PixelTests.distance(color, map.colors[nearest]) < 2.0 / 255)
            indices.append(nearest)
        }
        #expect(zip(indices, indices.dropFirst()).allSatisfy { $0 <= $1 }, "not monotonic: \(indices)")
        #expect(indices.first! < 8 && indices.last! > 247)
    }

    @Test func titleTextIsDrawn() throws {
        func darkPixelsAboveAxes(title: String?) throws -> Int {
            var figure = try Figure(width: 200, height: 150, dpi: 144)
            try figure.updatePanel(0) { panel in
                try panel.line(y: Tensor([1.0, 2.0, 3.0]))
                panel.title = title
            }
            let image = try figure.renderImage()
            let area = try figure.pixelGeometry(panel: 0).area
            var count = 0
            for y in 0..<Int(area.minY) - 12 {
                for x in 0..<image.width where (image.color(x: x, y: y)?.red ?? 1) < 0.5 { count += 1 }
            }
            return count
        }
        #expect(try darkPixelsAboveAxes(title: "Encoding accuracy") > 100)
        #expect(try darkPixelsAboveAxes(title: nil) == 0)
    }

    /// y = x² leaves the upper-left corner empty: the automatic legend goes there, and only there is text.
    @Test(arguments: [LegendPlacement.automatic, .upperLeft, .upperRight, .hidden])
    func legendGoesToTheEmptiestCorner(placement: LegendPlacement) throws {
        var figure = try Figure(width: 240, height: 180, dpi: 144)
        let x = (0...40).map { Double($0) / 40 }
        try figure.updatePanel(0) { panel in
            try panel.line(x: Tensor(x), y: Tensor(x.map { $0 * $0 }), label: "quadratic")
            panel.legend = placement
        }
        let image = try figure.renderImage()
        let area = try figure.pixelGeometry(panel: 0).area
        func darkPixels(left: Bool) -> Int {
            var count = 0
            let columns = left ? Int(area.minX) + 4..<Int(area.minX + area.width * 0.45)
                               : Int(area.maxX - area.width * 0.45)..<Int(area.maxX) - 2
            for y in Int(area.minY) + 2..<Int(area.minY + area.height * 0.2) {
                for x in columns where (image.color(x: x, y: y)?.green ?? 1) < 0.3 { count += 1 }
            }
            return count
        }
        let expectLeft = placement == .automatic || placement == .upperLeft
        #expect((darkPixels(left: true) > 50) == expectLeft)
        if placement == .hidden { #expect(darkPixels(left: true) == 0) }
        // The curve's own pixels are blue (green channel 0.45), so dark pixels on the right are legend text.
        #expect((darkPixels(left: false) > 50) == (placement == .upperRight))
    }

    @Test func flatMapOutlinesRunBetweenRegions() throws {
        let data = SampleFigures.flatMapData(side: 16)
        let regions = data.x.map { $0 < 8 ? 0.0 : 1.0 }
        func render(withRegions: Bool) throws -> (RasterImage, PanelPixelGeometry) {
            var figure = try Figure(width: 220, height: 200, dpi: 144)
            try figure.updatePanel(0) { panel in
                try panel.flatMap(x: Tensor(data.x), y: Tensor(data.y), values: Tensor(data.values.map { _ in 0.0 }),
                                  regions: withRegions ? Tensor(regions) : nil, limits: -1...1,
                                  outlineColor: Color(red: 0, green: 1, blue: 0), outlineWidth: 1)
            }
            return (try figure.renderImage(), try figure.pixelGeometry(panel: 0))
        }
        func greenPixels(_ image: RasterImage, in area: Rect) -> [(Int, Int)] {
            var result: [(Int, Int)] = []
            // The map only: the colour bar has greens of its own.
            for y in Int(area.minY)..<Int(area.maxY) {
                for x in Int(area.minX)..<Int(area.maxX) {
                    if let c = image.color(x: x, y: y), c.green > 0.75, c.red < 0.45, c.blue < 0.45 { result.append((x, y)) }
                }
            }
            return result
        }
        let (plain, plainGeometry) = try render(withRegions: false)
        #expect(greenPixels(plain, in: plainGeometry.area).isEmpty)
        let (outlined, geometry) = try render(withRegions: true)
        let green = greenPixels(outlined, in: geometry.area)
        // The boundary lies between vertex columns 7 (x ≤ 7.26) and 8 (x ≥ 8): midpoints near x = 7.5…7.63.
        let left = geometry.pixel(7.2, 0).x, right = geometry.pixel(7.95, 0).x
        let outside = green.filter { Double($0.0) < left - 1 || Double($0.0) > right + 1 }
        #expect(outside.isEmpty, "green outside \(left)...\(right): \(outside.prefix(20))")
        // A continuous line: green in almost every pixel row of the map.
        let rows = Set(green.map(\.1))
        #expect(Double(rows.count) > geometry.area.height * 0.9, "\(rows.count) rows of \(geometry.area.height)")
        // Inside a region the map keeps its colour (the middle of the colour map).
        let inside = PixelTests.pixel(outlined, geometry.pixel(3, 7))
        #expect(PixelTests.distance(inside, Colormap.viridis.colors[128]) < 2.0 / 255)
    }

    @Test func belowThresholdIsGrey() throws {
        let data = SampleFigures.flatMapData(side: 10)
        var figure = try Figure(width: 200, height: 180, dpi: 100)
        try figure.updatePanel(0) { panel in
            try panel.flatMap(x: Tensor(data.x), y: Tensor(data.y), values: Tensor(data.x), limits: 0...10, threshold: 4.5)
        }
        let image = try figure.renderImage()
        let geometry = try figure.pixelGeometry(panel: 0)
        #expect(PixelTests.distance(PixelTests.pixel(image, geometry.pixel(1.5, 4)), .lightGrey) < 1.5 / 255)
        let shown = try #require(PixelTests.pixel(image, geometry.pixel(7.5, 4)))
        #expect(PixelTests.distance(shown, .lightGrey) > 0.1)
    }

    @Test func twoSidedThresholdHidesSmallMagnitudes() throws {
        let data = SampleFigures.flatMapData(side: 12)
        var figure = try Figure(width: 200, height: 180, dpi: 100)
        try figure.updatePanel(0) { panel in
            try panel.flatMap(x: Tensor(data.x), y: Tensor(data.y), values: Tensor(data.x.map { $0 - 6 }),
                              colormap: "RdBu_r", threshold: 2, thresholdBothSigns: true)
        }
        let image = try figure.renderImage()
        let geometry = try figure.pixelGeometry(panel: 0)
        #expect(PixelTests.distance(PixelTests.pixel(image, geometry.pixel(6.1, 5)), .lightGrey) < 1.5 / 255)
        for x in [1.0, 10.5] {
            let shown = try #require(PixelTests.pixel(image, geometry.pixel(x, 5)))
            #expect(PixelTests.distance(shown, .lightGrey) > 0.1, "x = \(x) is \(shown)")
        }
        // Blue below zero, red above.
        let low = try #require(PixelTests.pixel(image, geometry.pixel(1, 5)))
        let high = try #require(PixelTests.pixel(image, geometry.pixel(10.5, 5)))
        #expect(low.blue > low.red && high.red > high.blue)
    }

    /// Two squares facing the viewer at different depths, the far one listed last: painter's order must show the
    /// near one; Lambert shading makes a face-on square exactly its colour.
    @Test func surfacePaintsNearFacesOverFarOnes() throws {
        // Left hemisphere, lateral view: the viewer is at −x, so x = −10 is nearer than x = +10.
        var vertices: [Double] = []
        var values: [Double] = []
        for (x, value) in [(-10.0, 1.0), (10.0, 0.0)] {
            vertices += [x, -5, -5, x, 5, -5, x, 5, 5, x, -5, 5]
            values += [value, value, value, value]
        }
        let faces: [Int64] = [0, 1, 2, 0, 2, 3, 4, 5, 6, 4, 6, 7]
        var figure = try Figure(width: 200, height: 160, dpi: 100)
        try figure.updatePanel(0) { panel in
            try panel.surface(vertices: Tensor(shape: [8, 3], scalars: vertices), faces: Tensor(shape: [4, 3], scalars: faces),
                              values: Tensor(values), views: [.lateral], limits: 0...1)
        }
        let image = try figure.renderImage()
        let area = try figure.pixelGeometry(panel: 0).area
        let center = image.color(x: Int(area.x + area.width / 2), y: Int(area.y + (area.height - 11) / 2))
        #expect(PixelTests.distance(center, Colormap.viridis.colors[255]) < 3.0 / 255)
        // Medial view from +x sees the other square.
        try figure.updatePanel(0) { panel in
            panel = Panel()
            try panel.surface(vertices: Tensor(shape: [8, 3], scalars: vertices), faces: Tensor(shape: [4, 3], scalars: faces),
                              values: Tensor(values), views: [.medial], limits: 0...1)
        }
        let medial = try figure.renderImage()
        let medialCenter = medial.color(x: Int(area.x + area.width / 2), y: Int(area.y + (area.height - 11) / 2))
        #expect(PixelTests.distance(medialCenter, Colormap.viridis.colors[0]) < 3.0 / 255)
    }

    @Test func lambertShadingDarkensTheSilhouette() throws {
        let mesh = SampleFigures.ellipsoid(rings: 24, segments: 32)
        var figure = try Figure(width: 200, height: 160, dpi: 100)
        try figure.updatePanel(0) { panel in
            try panel.surface(vertices: Tensor(shape: [mesh.vertices.count / 3, 3], scalars: mesh.vertices),
                              faces: Tensor(shape: [mesh.faces.count / 3, 3], scalars: mesh.faces),
                              values: Tensor(mesh.values.map { _ in 1.0 }), views: [.lateral], limits: 0...1)
        }
        let image = try figure.renderImage()
        let area = try figure.pixelGeometry(panel: 0).area
        let middleRow = Int(area.y + (area.height - 11) / 2)
        let center = try #require(image.color(x: Int(area.x + area.width / 2), y: middleRow))
        #expect(PixelTests.distance(center, Colormap.viridis.colors[255]) < 0.03)
        // Walk left from the centre to the last non-white pixel: the silhouette is darker.
        var x = Int(area.x + area.width / 2)
        while x > 0, let color = image.color(x: x - 1, y: middleRow), !PixelTests.isWhite(color) { x -= 1 }
        let edge = try #require(image.color(x: x + 2, y: middleRow))
        #expect(edge.green < center.green * 0.7, "edge \(edge), centre \(center)")
    }

    @Test func imageGridShowsTheImages() throws {
        var figure = try Figure(width: 200, height: 100, dpi: 100)
        let red = try Tensor(shape: [1, 4, 4, 3], scalars: (0..<16).flatMap { _ in [1.0, 0.0, 0.0] })
        try figure.updatePanel(0) { try $0.images(red) }
        let image = try figure.renderImage()
        #expect(PixelTests.distance(image.color(x: image.width / 2, y: image.height / 2), Color(red: 1, green: 0, blue: 0)) < 1.0 / 255)
        #expect(PixelTests.isWhite(image.color(x: 2, y: image.height / 2)))
    }

    @Test func logAxesSpaceDecadesEvenly() throws {
        var figure = try Figure(width: 200, height: 150, dpi: 100)
        try figure.updatePanel(0) { panel in
            try panel.line(x: Tensor([1.0, 1000.0]), y: Tensor([1.0, 2.0]))
            panel.xScale = .log
        }
        let geometry = try figure.pixelGeometry(panel: 0)
        let positions = [1.0, 10, 100, 1000].map { geometry.pixel($0, 1).x }
        #expect(abs((positions[1] - positions[0]) - (positions[3] - positions[2])) < 1e-9)
        let image = try figure.renderImage()
        // The straight segment in log space passes through x = 10 a third of the way up.
        let y = geometry.pixel(10, 1 + 1.0 / 3).y
        #expect(PixelTests.distance(image.color(x: Int(positions[1]), y: Int(y)), Color.okabeIto[0]) < 0.1)
    }

    @Test func readsPNGFilesBack() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bm-plot-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let figure = try SampleFigures.timeCourses()
        try figure.save(to: folder + "/figure.png")
        let read = try RasterImage(pngPath: folder + "/figure.png")
        #expect(read == (try figure.renderImage()))
        #expect(throws: PlottingError.self) { try RasterImage(pngPath: folder + "/missing.png") }
    }
}
