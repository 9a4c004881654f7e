@testable import Plotting
import Tensors
import Testing

/// Marks read any numeric dtype and any strided view the same as the contiguous Float64 tensor.
@Suite struct InputTests {
    static func render(_ body: (inout Panel) throws -> Void) throws -> RasterImage {
        var figure = try Figure(width: 160, height: 120, dpi: 72)
        try figure.updatePanel(0, body)
        return try figure.renderImage()
    }

    @Test(arguments: [DType.float32, .int64, .float64])
    func lineReadsEveryNumericDtype(dtype: DType) throws {
        let x = Tensor([0.0, 1.0, 2.0, 3.0]), y = Tensor([1.0, 3.0, 2.0, 4.0])
        let expected = try InputTests.render { try $0.line(x: x, y: y) }
        #expect(try InputTests.render { try $0.line(x: x.astype(dtype), y: y.astype(dtype)) } == expected)
    }

    @Test func heatmapReadsTransposedViews() throws {
        let matrix = try Tensor(shape: [3, 4], scalars: (0..<12).map { Double($0 * $0 % 7) })
        let view = matrix.transposed()
        #expect(!view.isContiguous)
        let copy = view.copy()
        #expect(try InputTests.render { try $0.heatmap(view) } == (try InputTests.render { try $0.heatmap(copy) }))
        // And the transpose is really drawn transposed: it differs from the original.
        #expect(try InputTests.render { try $0.heatmap(view) } != (try InputTests.render { try $0.heatmap(matrix) }))
    }

    @Test func scatterReadsFlippedViews() throws {
        let values = Tensor([0.5, 1.5, 2.0, 3.0, 1.0, 0.0])
        let flipped = try values.flipped()
        #expect(flipped.strides == [-1])
        let reversed = Tensor([0.0, 1.0, 3.0, 2.0, 1.5, 0.5])
        let x = Tensor([0.0, 1, 2, 3, 4, 5])
        let expected = try InputTests.render { try $0.scatter(x: x, y: reversed, values: reversed) }
        #expect(try InputTests.render { try $0.scatter(x: x, y: flipped, values: flipped) } == expected)
    }

    @Test func emptyAndSingleValueInputsDraw() throws {
        let empty = try Tensor(shape: [0], scalars: [Double]())
        #expect(try InputTests.render { try $0.line(y: empty) }.width == 160)
        #expect(try InputTests.render { try $0.line(y: Tensor([2.0])) }.width == 160)
        #expect(try InputTests.render { try $0.histogram(empty) }.width == 160)
        #expect(try InputTests.render { try $0.heatmap(Tensor([[Double.nan]])) }.width == 160)
        #expect(try InputTests.render { try $0.scatter(x: Tensor([Double.nan]), y: Tensor([1.0])) }.width == 160)
    }
}
