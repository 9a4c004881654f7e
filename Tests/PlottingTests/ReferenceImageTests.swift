import Foundation
@testable import Plotting
import Testing

/// Compares figures with committed reference PNGs made by this code and checked by eye. Tolerance absorbs font
/// rasteriser differences between machines: mean absolute difference per channel below 2/255 and fewer than 0.5% of
/// pixels off by more than 64/255 in any channel. Set BM_UPDATE_PLOT_REFERENCES=1 to rewrite the references (then
/// look at them before committing).
@Suite struct ReferenceImageTests {
    static let referenceFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("References").path

    static func figure(_ name: String) throws -> Figure {
        switch name {
        case "time_courses": return try SampleFigures.timeCourses()
        case "rdm": return try SampleFigures.rdm()
        case "flat_map": return try SampleFigures.flatMap(threshold: -0.5)
        case "surface": return try SampleFigures.surface()
        case "statistics": return try SampleFigures.statistics()
        default: return try SampleFigures.imagesAndGeneralisation()
        }
    }

    @Test(arguments: ["time_courses", "rdm", "flat_map", "surface", "statistics", "images_generalisation"])
    func matchesReference(name: String) throws {
        let figure = try ReferenceImageTests.figure(name)
        let path = "\(ReferenceImageTests.referenceFolder)/\(name).png"
        if ProcessInfo.processInfo.environment["BM_UPDATE_PLOT_REFERENCES"] == "1" {
            try figure.save(to: path)
        }
        let reference = try RasterImage(pngPath: path)
        let image = try figure.renderImage()
        try #require(image.width == reference.width && image.height == reference.height,
                     "size \(image.width) × \(image.height), reference \(reference.width) × \(reference.height)")
        var totalDifference = 0
        var pixelsOff = 0
        for pixel in 0..<(image.width * image.height) {
            var largest = 0
            for channel in 0..<4 {
                let difference = abs(Int(image.pixels[pixel * 4 + channel]) - Int(reference.pixels[pixel * 4 + channel]))
                totalDifference += difference
                largest = Swift.max(largest, difference)
            }
            if largest > 64 { pixelsOff += 1 }
        }
        let meanDifference = Double(totalDifference) / Double(image.pixels.count) / 255
        let fractionOff = Double(pixelsOff) / Double(image.width * image.height)
        #expect(meanDifference < 2.0 / 255, "mean difference \(meanDifference * 255)/255")
        #expect(fractionOff < 0.005, "\(pixelsOff) pixels differ by more than 64/255")
    }

    /// The comparison itself must fail on a different figure.
    @Test func comparisonDetectsChanges() throws {
        var figure = try SampleFigures.timeCourses()
        try figure.updatePanel(0) { $0.title = "Something else entirely" ; $0.legend = .lowerLeft }
        let reference = try RasterImage(pngPath: "\(ReferenceImageTests.referenceFolder)/time_courses.png")
        let image = try figure.renderImage()
        let changed = (0..<(image.width * image.height)).filter { pixel in
            (0..<3).contains { abs(Int(image.pixels[pixel * 4 + $0]) - Int(reference.pixels[pixel * 4 + $0])) > 64 }
        }.count
        #expect(Double(changed) / Double(image.width * image.height) > 0.005)
    }
}
