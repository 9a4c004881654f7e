import Foundation
@testable import Plotting
import Tensors

/// Deterministic figures shared by the pixel tests, the reference-image tests and the gallery.
enum SampleFigures {
    /// Time courses with error bands, a chance line, onset line and legend.
    static func timeCourses() throws -> Figure {
        var figure = try Figure(rows: 1, columns: 1, width: 260, height: 180, dpi: 100)
        let times = (0..<60).map { -0.1 + Double($0) * 0.01 }
        func curve(peak: Double, at center: Double) -> [Double] {
            times.map { 0.05 + peak * exp(-pow(($0 - center) / 0.08, 2)) }
        }
        let early = curve(peak: 0.3, at: 0.12), late = curve(peak: 0.2, at: 0.25)
        try figure.updatePanel(0) { panel in
            try panel.line(x: Tensor(times), y: Tensor(early), lower: Tensor(early.map { $0 - 0.03 }),
                           upper: Tensor(early.map { $0 + 0.03 }), label: "V1")
            try panel.line(x: Tensor(times), y: Tensor(late), lower: Tensor(late.map { $0 - 0.03 }),
                           upper: Tensor(late.map { $0 + 0.03 }), label: "IT")
            try panel.horizontalLine(y: 0.05)
            try panel.verticalLine(x: 0)
            panel.xLabel = "Time (s)"
            panel.yLabel = "Correlation"
            panel.title = "Decoding"
        }
        return figure
    }

    /// An RDM of 3 categories × 4 items with labels, separators and a colour bar.
    static func rdm() throws -> Figure {
        var figure = try Figure(width: 220, height: 180, dpi: 100)
        let count = 12
        var values = [Double]()
        for row in 0..<count {
            for column in 0..<count {
                values.append(row == column ? 0 : (row / 4 == column / 4 ? 0.3 : 0.9) + 0.005 * Double((row + column) % 5))
            }
        }
        let labels = (0..<count).map { ["face", "body", "place"][$0 / 4] + "\($0 % 4)" }
        try figure.updatePanel(0) { panel in
            try panel.heatmap(Tensor(shape: [count, count], scalars: values), rowLabels: labels, columnLabels: labels,
                              separators: [4, 8], colorbarLabel: "1 − r")
            panel.title = "RDM"
        }
        return figure
    }

    /// A 40-item RDM labelled by category (blocks of 10, 15 and 15).
    static func categoryRDM() throws -> Figure {
        var figure = try Figure(width: 220, height: 190, dpi: 100)
        let count = 40
        func category(_ index: Int) -> Int { index < 10 ? 0 : index < 25 ? 1 : 2 }
        var values = [Double]()
        for row in 0..<count {
            for column in 0..<count {
                let same = category(row) == category(column)
                values.append(row == column ? 0 : (same ? 0.4 : 1.0) + 0.1 * sin(Double(row * column)))
            }
        }
        try figure.updatePanel(0) { panel in
            try panel.heatmap(Tensor(shape: [count, count], scalars: values), colormap: "magma", separators: [10, 25],
                              categoryLabels: ["faces", "bodies", "places"], colorbarLabel: "Dissimilarity")
        }
        return figure
    }

    /// Grouped bars with error bars, a scatter coloured by value and a histogram, in a 1 × 3 figure.
    static func statistics() throws -> Figure {
        var figure = try Figure(rows: 1, columns: 3, width: 520, height: 170, dpi: 100)
        figure.title = "Layer scores"
        try figure.updatePanel(0) { panel in
            try panel.bars(heights: Tensor([[0.2, 0.35], [0.3, 0.45], [0.25, 0.5]]),
                           errors: Tensor([[0.03, 0.04], [0.02, 0.05], [0.04, 0.03]]),
                           groupLabels: ["V1", "V4", "IT"], seriesLabels: ["CNN", "ViT"])
            panel.yLabel = "Score"
        }
        try figure.updatePanel(1) { panel in
            let x = (0..<40).map { Double($0) / 39 }
            let y = x.map { $0 * $0 + 0.1 * sin(17 * $0) }
            try panel.scatter(x: Tensor(x), y: Tensor(y), values: Tensor(y), colorbarLabel: "Score")
            panel.xLabel = "Depth"
        }
        try figure.updatePanel(2) { panel in
            let values = (0..<400).map { index -> Double in
                let u = Double((index * 7919) % 400) / 400
                return (u - 0.5) * 2 + (index % 2 == 0 ? 0.5 : -0.5) * u
            }
            try panel.histogram(Tensor(values), bins: 15, label: "null")
            panel.xLabel = "r"
        }
        return figure
    }

    /// A flat sheet: a jittered grid of vertices, a smooth value and four quadrant regions.
    static func flatMapData(side: Int = 24) -> (x: [Double], y: [Double], values: [Double], regions: [Double]) {
        var x: [Double] = [], y: [Double] = [], values: [Double] = [], regions: [Double] = []
        for row in 0..<side {
            for column in 0..<side {
                let jitter = Double((row * 31 + column * 17) % 7) / 7 * 0.3
                let px = Double(column) + jitter, py = Double(row) * 0.9 + jitter
                x.append(px)
                y.append(py)
                values.append(sin(px / 4) + cos(py / 5))
                regions.append(Double((px < Double(side) / 2 ? 0 : 1) + (py < Double(side) * 0.45 ? 0 : 2)))
            }
        }
        return (x, y, values, regions)
    }

    static func flatMap(threshold: Double? = nil) throws -> Figure {
        var figure = try Figure(width: 240, height: 200, dpi: 100)
        let data = flatMapData()
        try figure.updatePanel(0) { panel in
            try panel.flatMap(x: Tensor(data.x), y: Tensor(data.y), values: Tensor(data.values),
                              regions: Tensor(data.regions), colormap: "RdBu_r", threshold: threshold,
                              colorbarLabel: "t")
            panel.title = "Flat map"
        }
        return figure
    }

    /// A UV sphere squashed into a hemisphere-like ellipsoid, values along anterior–posterior.
    static func ellipsoid(rings: Int = 16, segments: Int = 24) -> (vertices: [Double], faces: [Int64], values: [Double]) {
        var vertices: [Double] = [], faces: [Int64] = [], values: [Double] = []
        for ring in 0...rings {
            let theta = Double.pi * Double(ring) / Double(rings)
            for segment in 0..<segments {
                let phi = 2 * Double.pi * Double(segment) / Double(segments)
                let x = 30 * sin(theta) * cos(phi), y = 70 * sin(theta) * sin(phi), z = 50 * cos(theta)
                vertices += [x, y, z]
                values.append(y / 70)
            }
        }
        for ring in 0..<rings {
            for segment in 0..<segments {
                let a = ring * segments + segment, b = ring * segments + (segment + 1) % segments
                let c = a + segments, d = b + segments
                faces += [Int64(a), Int64(c), Int64(b), Int64(b), Int64(c), Int64(d)]
            }
        }
        return (vertices, faces, values)
    }

    static func surface() throws -> Figure {
        var figure = try Figure(width: 320, height: 150, dpi: 100)
        let mesh = ellipsoid()
        try figure.updatePanel(0) { panel in
            try panel.surface(vertices: Tensor(shape: [mesh.vertices.count / 3, 3], scalars: mesh.vertices),
                              faces: Tensor(shape: [mesh.faces.count / 3, 3], scalars: mesh.faces),
                              values: Tensor(mesh.values), views: [.lateral, .medial, .ventral], colormap: "magma",
                              colorbarLabel: "y")
        }
        return figure
    }

    /// Stimuli: 6 gradient images with titles, and a temporal generalisation matrix on log-free time axes.
    static func imagesAndGeneralisation() throws -> Figure {
        var figure = try Figure(rows: 1, columns: 2, width: 420, height: 180, dpi: 100)
        var pixels: [Double] = []
        for image in 0..<6 {
            for row in 0..<16 {
                for column in 0..<16 {
                    pixels += [Double(row) / 15, Double(column) / 15, Double(image) / 5]
                }
            }
        }
        try figure.updatePanel(0) { panel in
            try panel.images(Tensor(shape: [6, 16, 16, 3], scalars: pixels), titles: (0..<6).map { "s\($0)" })
            panel.title = "Stimuli"
        }
        let steps = 20
        var matrix: [Double] = []
        for train in 0..<steps {
            for test in 0..<steps {
                matrix.append(0.5 + 0.4 * exp(-Double((train - test) * (train - test)) / 8) * Double(train) / 19)
            }
        }
        try figure.updatePanel(1) { panel in
            try panel.heatmap(Tensor(shape: [steps, steps], scalars: matrix), colormap: "cividis",
                              xExtent: -0.1...0.9, yExtent: -0.1...0.9, colorbarLabel: "AUC")
            try panel.line(x: Tensor([-0.1, 0.9]), y: Tensor([-0.1, 0.9]), color: .white, width: 0.8, style: .dashed)
            panel.xLabel = "Test time (s)"
            panel.yLabel = "Train time (s)"
        }
        return figure
    }

    /// A log-log line with a legend forced to the lower left and grid lines.
    static func logAxes() throws -> Figure {
        var figure = try Figure(width: 220, height: 170, dpi: 100)
        let x = (0..<30).map { pow(10, Double($0) / 29 * 4 - 1) }
        try figure.updatePanel(0) { panel in
            try panel.line(x: Tensor(x), y: Tensor(x.map { 3 / $0 }), label: "power law")
            panel.xScale = .log
            panel.yScale = .log
            panel.showGrid = true
            panel.legend = .lowerLeft
        }
        return figure
    }
}
