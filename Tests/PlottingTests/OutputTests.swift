import Datasets
import Foundation
@testable import Plotting
import Tensors
import Testing

@Suite struct OutputTests {
    static func temporaryFolder() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bm-plot-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    static func bytes(_ path: String) throws -> [UInt8] {
        [UInt8](try #require(FileManager.default.contents(atPath: path)))
    }

    @Test(arguments: [("png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), ("svg", Array("<?xml".utf8)),
                      ("pdf", Array("%PDF-".utf8)), ("PDF", Array("%PDF-".utf8))])
    func filesStartWithTheirMagic(fileExtension: String, magic: [UInt8]) throws {
        let folder = try OutputTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var figure = try SampleFigures.timeCourses()
        figure.title = "Decoding accuracy"
        let path = "\(folder)/figure.\(fileExtension)"
        try figure.save(to: path)
        let bytes = try OutputTests.bytes(path)
        #expect(Array(bytes.prefix(magic.count)) == magic)
        // Only the figure remains: the temporary file was renamed.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["figure.\(fileExtension)"])
        let text = String(decoding: bytes, as: UTF8.self)
        switch fileExtension.lowercased() {
        case "svg":
            #expect(text.contains("<svg"))
            #expect(text.contains("<title>Decoding accuracy</title>"))
            #expect(text.contains("Time (s)") && text.contains("V1"))
        case "pdf":
            #expect(text.contains("/Title (Decoding accuracy)"))
            // Cairo writes metadata with characters outside plain ASCII words as UTF-16 hex strings.
            let hex = "Time (s)".utf16.map { String(format: "%04X", $0) }.joined()
            #expect(text.contains("/Keywords <FEFF") && text.contains(hex))
        default:
            let image = try RasterImage(pngPath: path)
            #expect(image.width == figure.pixelWidth && image.height == figure.pixelHeight)
        }
    }

    /// Mesh patterns, embedded images and rotated text survive the vector back ends.
    @Test(arguments: ["svg", "pdf"])
    func everyKindOfPanelSavesAsVector(fileExtension: String) throws {
        let folder = try OutputTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for (name, figure) in [("flat", try SampleFigures.flatMap()), ("surface", try SampleFigures.surface()),
                               ("images", try SampleFigures.imagesAndGeneralisation()),
                               ("statistics", try SampleFigures.statistics())] {
            let path = "\(folder)/\(name).\(fileExtension)"
            try figure.save(to: path)
            #expect(try OutputTests.bytes(path).count > 2000, "\(path) is nearly empty")
        }
    }

    @Test func unknownExtensionListsTheFormats() throws {
        let figure = try Figure()
        #expect(throws: PlottingError("figure.save", "/tmp/figure.jpg has extension \".jpg\"; use one of .png, .svg, .pdf")) {
            try figure.save(to: "/tmp/figure.jpg")
        }
        #expect(throws: PlottingError("figure.save", "/tmp/figure has no extension; use one of .png, .svg, .pdf")) {
            try figure.save(to: "/tmp/figure")
        }
    }

    @Test func missingFolderIsADataError() throws {
        let figure = try Figure()
        #expect(throws: DataError("figure.save", path: "/nonexistent-bm/figure.png",
                                  "folder /nonexistent-bm does not exist")) {
            try figure.save(to: "/nonexistent-bm/figure.png")
        }
    }

    /// A figure that cannot be drawn (log axis over negative data) leaves the old file untouched and no debris.
    @Test(arguments: ["png", "svg", "pdf"])
    func failedSaveKeepsTheOldFile(fileExtension: String) throws {
        let folder = try OutputTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = "\(folder)/figure.\(fileExtension)"
        try SampleFigures.rdm().save(to: path)
        let before = try OutputTests.bytes(path)
        var broken = try Figure(rows: 1, columns: 2)
        try broken.updatePanel(1) { panel in
            try panel.line(x: Tensor([-1.0, 2.0]), y: Tensor([1.0, 2.0]))
            panel.xScale = .log
        }
        #expect(throws: PlottingError("figure.save", "panel 1: log x axis needs positive values, but a line has x = −1")) {
            try broken.save(to: path)
        }
        #expect(try OutputTests.bytes(path) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["figure.\(fileExtension)"])
    }
}
