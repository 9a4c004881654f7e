import Datasets
import Foundation

/// Cairo writes SVG text as glyph outlines; this adds the figure's words as `<title>` and `<desc>` elements so that
/// screen readers, search and `grep` find them.
enum SVGText {
    static func addTitle(to path: String, title: String?, text: [String]) throws {
        guard let data = FileManager.default.contents(atPath: path), var document = String(data: data, encoding: .utf8),
              let svgStart = document.range(of: "<svg"),
              let tagEnd = document.range(of: ">", range: svgStart.upperBound..<document.endIndex) else {
            throw PlottingError("figure.save", "Cairo wrote an SVG file without an <svg> element")
        }
        var elements = ""
        if let title { elements += "\n<title>\(escaped(title))</title>" }
        if !text.isEmpty { elements += "\n<desc>\(escaped(text.joined(separator: "; ")))</desc>" }
        document.insert(contentsOf: elements, at: tagEnd.upperBound)
        guard FileManager.default.createFile(atPath: path, contents: Data(document.utf8)) else {
            throw DataError("figure.save", path: path, "cannot rewrite the SVG file")
        }
    }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
