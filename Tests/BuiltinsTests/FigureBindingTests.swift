import Builtins
import Foundation
import Language
import Plotting
import Testing

/// Figures drawn by scripts, checked in the saved files' pixels: what a script asks for (a colour, a panel, a colour
/// map's ends) must be where it belongs.
@Suite struct FigureBindingTests {
    func interpreter() throws -> (Interpreter, () -> String) {
        let interpreter = try Interpreter()
        Builtins.install(into: interpreter)
        let printed = PrintedText()
        interpreter.output = { printed.text += $0 }
        return (interpreter, { printed.text })
    }

    final class PrintedText { var text = "" }

    /// A fresh path in the temporary folder; the file is removed when `body` returns.
    func withTemporaryFile(_ suffix: String, _ body: (String) throws -> Void) rethrows {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("bm-figure-test-\(UUID().uuidString)\(suffix)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try body(path)
    }

    /// Pixels of `image` within `tolerance` (per channel, of 255) of `color`.
    func pixels(of color: String, in image: RasterImage, tolerance: Int = 6,
                columns: Range<Int>? = nil) throws -> [(x: Int, y: Int)] {
        let target = try Color(parsing: color)
        let red = Int((target.red * 255).rounded()), green = Int((target.green * 255).rounded())
        let blue = Int((target.blue * 255).rounded())
        var found: [(x: Int, y: Int)] = []
        for y in 0..<image.height {
            for x in columns ?? 0..<image.width {
                guard let pixel = image.pixel(x: x, y: y) else { continue }
                if abs(Int(pixel.red) - red) <= tolerance, abs(Int(pixel.green) - green) <= tolerance,
                   abs(Int(pixel.blue) - blue) <= tolerance {
                    found.append((x, y))
                }
            }
        }
        return found
    }

    /// The middle row of a horizontal line of `color` drawn at data height `level` in a 0…1 panel.
    func lineRow(level: Double, panel: String, color: String = "#d55e00") throws -> (rows: [Int], image: RasterImage) {
        let (bm, _) = try interpreter()
        var result: (rows: [Int], image: RasterImage)?
        try withTemporaryFile(".png") { path in
            try bm.run(source: """
                let fig = figure(cols=2, width=300, height=150, dpi=72)
                fig.line([\(level), \(level)], x=[0, 1], color="\(color)", linewidth=4, panel=\(panel))
                fig.xlim(0, 1, panel=\(panel))
                fig.ylim(0, 1, panel=\(panel))
                fig.save("\(path)")
                """, file: "line.bm")
            let image = try RasterImage(pngPath: path)
            let found = try pixels(of: color, in: image)
            result = (Array(Set(found.map(\.y))).sorted(), image)
            // Every pixel of the line is in the right half: panel [0, 1] and panel 1 and -1 all mean the second.
            #expect(found.allSatisfy { $0.x >= image.width / 2 }, "the line is drawn in the second panel")
        }
        return result!
    }

    @Test(arguments: ["1", "-1", "[0, 1]"])
    func aLineIsDrawnInItsColourInTheAddressedPanel(panel: String) throws {
        let (rows, image) = try lineRow(level: 0.5, panel: panel)
        #expect(image.width == 300 && image.height == 150)
        // A 4-pt line at 72 dpi is about 4 pixels thick (antialiased edges blend into white).
        #expect((3...6).contains(rows.count), "rows \(rows)")
        #expect(rows.last! - rows.first! == rows.count - 1, "one contiguous band")
        let centre = Double(rows.first! + rows.last!) / 2
        #expect(centre > 20 && centre < 130)
        // Beside the line, a few pixels above and below, the axes are white.
        for y in [rows.first! - 4, rows.last! + 4] {
            #expect(image.pixel(x: 225, y: y).map { $0.red > 240 && $0.green > 240 && $0.blue > 240 } == true)
        }
    }

    @Test func aLowerLineIsDrawnLower() throws {
        let high = try lineRow(level: 0.75, panel: "1").rows, low = try lineRow(level: 0.25, panel: "1").rows
        let highCentre = Double(high.first! + high.last!) / 2, lowCentre = Double(low.first! + low.last!) / 2
        #expect(lowCentre - highCentre > 30, "y = 0.25 is below y = 0.75 (\(lowCentre) vs \(highCentre))")
    }

    @Test(arguments: [("viridis", "#440154", "#fde725"), ("magma", "#000004", "#fcfdbf"),
                      ("RdBu_r", "#053061", "#67001f")])
    func heatmapCornersTakeTheColourMapsEnds(colormap: String, first: String, last: String) throws {
        let (bm, _) = try interpreter()
        try withTemporaryFile(".png") { path in
            // RdBu_r is centred on zero by default; vmin and vmax make 0 and 3 its ends, as for the others.
            try bm.run(source: """
                let fig = figure(width=200, height=200, dpi=72)
                fig.heatmap([[0, 1], [2, 3]], cmap="\(colormap)", vmin=0, vmax=3, colorbar=false)
                fig.save("\(path)")
                """, file: "heatmap.bm")
            let image = try RasterImage(pngPath: path)
            let low = try pixels(of: first, in: image, tolerance: 2), high = try pixels(of: last, in: image, tolerance: 2)
            #expect(low.count > 400 && high.count > 400, "\(low.count) and \(high.count) cell pixels")
            // Row 0 is on top: value 0 at the top left, value 3 at the bottom right.
            #expect(low.map(\.x).max()! < high.map(\.x).min()!)
            #expect(low.map(\.y).max()! < high.map(\.y).min()!)
            // The colour map's first and last entries, as colormap() reports them.
            let reported = try bm.evaluate("colormap(\"\(colormap)\").colors")
            #expect(reported.listValue?.elements.first == .string(first))
            #expect(reported.listValue?.elements.last == .string(last))
        }
    }

    @Test func plotOneLinerPrintsAndReturnsATemporaryPNG() throws {
        let (bm, printed) = try interpreter()
        let value = try bm.evaluate("plot([1, 4, 9, 16])")
        let path = try #require(value.stringValue)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(printed() == path + "\n")
        #expect(path.hasPrefix(FileManager.default.temporaryDirectory.path) && path.hasSuffix(".png"))
        let image = try RasterImage(pngPath: path)
        #expect(image.width == 960 && image.height == 720)
        // Two calls never share a file.
        let second = try #require(try bm.evaluate("heatmap(eye(3))").stringValue)
        defer { try? FileManager.default.removeItem(atPath: second) }
        #expect(second != path && FileManager.default.fileExists(atPath: second))
    }

    @Test func vectorFilesCarryTheFiguresWords() throws {
        let (bm, _) = try interpreter()
        try withTemporaryFile(".svg") { path in
            try bm.run(source: """
                let fig = figure(title="Ventral stream")
                fig.line([1, 2, 3], label="IT")
                fig.xlabel("Time (s)")
                print(fig.save("\(path)"))
                """, file: "svg.bm")
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text.hasPrefix("<?xml") && text.contains("<svg"))
            #expect(text.contains("Ventral stream") && text.contains("Time (s)"))
        }
    }

    @Test func errorsCarryTheScriptLocationAndTheEngineError() throws {
        let (bm, _) = try interpreter()
        do {
            try bm.run(source: "let fig = figure(cols=2)\nfig.line([1, 2, 3], x=[1, 2], panel=1)\n", file: "lengths.bm")
            Issue.record("expected a length error")
        } catch let error as ScriptError {
            #expect(error.description.hasPrefix("lengths.bm:2:5: error: plot.line: x has 2 values but y has 3"))
            #expect(error.underlying is PlottingError)
        }
        // A failed drawing call leaves the panel as it was: the figure still saves.
        try withTemporaryFile(".png") { path in
            try bm.run(source: "fig.save(\"\(path)\")", file: "after.bm")
            #expect(FileManager.default.fileExists(atPath: path))
        }
    }

    @Test func everyFigureMemberIsDocumented() throws {
        let (bm, printed) = try interpreter()
        try bm.run(source: "let fig = figure()\nhelp(fig)", file: "help.bm")
        let members = printed().dropFirst("figure: ".count).split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let attributes: Set = ["rows", "cols", "width", "height", "dpi", "size", "panels"]
        let methods = members.filter { !attributes.contains($0) }
        #expect(methods.count == 23, "\(methods)")
        for method in methods {
            var text = ""
            bm.output = { text += $0 }
            try bm.run(source: "help(fig.\(method))", file: "help.bm")
            #expect(text.hasPrefix("\(method)("), "help(fig.\(method)) starts with its signature: \(text)")
            #expect(text.split(separator: "\n").count >= 2, "help(fig.\(method)) has a description")
        }
        for name in ["figure", "plot", "heatmap", "colormap", "figure_info"] {
            var text = ""
            bm.output = { text += $0 }
            try bm.run(source: "help(\(name))", file: "help.bm")
            #expect(text.hasPrefix("\(name)(") && text.contains("Errors:"), "help(\(name)): \(text)")
        }
        var topic = ""
        bm.output = { topic += $0 }
        try bm.run(source: "help(\"figures\")", file: "help.bm")
        #expect(topic.contains("fig = figure(") && topic.contains("panel= takes an index"))
    }
}
