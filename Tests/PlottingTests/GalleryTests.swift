import Foundation
@testable import Plotting
import Testing

/// Writes every sample figure as PNG (and one as SVG and PDF) into BM_PLOT_GALLERY when that variable is set, for
/// people to look at; otherwise it only checks that each figure renders.
@Suite struct GalleryTests {
    @Test(arguments: ["timeCourses", "rdm", "categoryRDM", "statistics", "flatMap", "surface", "imagesAndGeneralisation", "logAxes"])
    func renders(name: String) throws {
        let figure: Figure
        switch name {
        case "timeCourses": figure = try SampleFigures.timeCourses()
        case "rdm": figure = try SampleFigures.rdm()
        case "categoryRDM": figure = try SampleFigures.categoryRDM()
        case "statistics": figure = try SampleFigures.statistics()
        case "flatMap": figure = try SampleFigures.flatMap(threshold: -0.5)
        case "surface": figure = try SampleFigures.surface()
        case "imagesAndGeneralisation": figure = try SampleFigures.imagesAndGeneralisation()
        default: figure = try SampleFigures.logAxes()
        }
        let image = try figure.renderImage()
        #expect(image.width == figure.pixelWidth && image.height == figure.pixelHeight)
        if let folder = ProcessInfo.processInfo.environment["BM_PLOT_GALLERY"] {
            try figure.save(to: "\(folder)/\(name).png")
            if name == "timeCourses" {
                try figure.save(to: "\(folder)/\(name).svg")
                try figure.save(to: "\(folder)/\(name).pdf")
            }
        }
    }
}
