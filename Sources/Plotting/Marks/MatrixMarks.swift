import Tensors

extension Panel {
    /// Draws a matrix as coloured cells with a colour bar: an RDM [n, n], a temporal generalisation matrix
    /// [train time, test time], a confusion matrix.
    ///
    /// Without extents the matrix is drawn as a matrix: square cells, row 0 at the top, cell (i, j) centred on x = j,
    /// y = i, all four spines; `rowLabels` [rows] and `columnLabels` [columns] label every cell (columns rotated when
    /// long), and `separators` (indices where a new category starts, in 1..<n) draw white lines between categories;
    /// for a square matrix, `categoryLabels` (one per category: separators.count + 1) label the blocks instead, at
    /// their centres on both axes (a 92-image RDM labelled "animate", "inanimate").
    /// With `xExtent` and `yExtent` the cells span those data ranges with row 0 at the bottom (origin lower, as for
    /// times), on ordinary axes where lines and reference lines can be added.
    ///
    /// Colours: `colormap` at (value − low) / (high − low) for `limits` = (low, high), default the finite values'
    /// range, or ±max|value| for the diverging `RdBu_r`. NaN cells are left light grey.
    /// Throws `PlottingError` (`plot.heatmap`) for a tensor that is not 2-D (naming its shape), label counts that
    /// differ from the matrix's, separators out of range, an unknown colour map, invalid limits, or only one extent;
    /// category labels with a count other than separators + 1, on a matrix that is not square, or with row or
    /// column labels.
    public mutating func heatmap(_ matrix: Tensor, colormap: String = "viridis", limits: ClosedRange<Double>? = nil,
                                 rowLabels: [String]? = nil, columnLabels: [String]? = nil, separators: [Int] = [],
                                 categoryLabels: [String]? = nil,
                                 xExtent: ClosedRange<Double>? = nil, yExtent: ClosedRange<Double>? = nil,
                                 colorbarLabel: String? = nil, showColorbar: Bool = true) throws {
        let operation = "plot.heatmap"
        try requireAxes(operation)
        let (values, rows, columns) = try TensorInput.matrix(matrix, name: "the matrix", operation: operation)
        guard rows > 0 && columns > 0 else {
            throw PlottingError(operation, "the matrix is empty (shape \(formatShape(matrix.shape)))")
        }
        guard rows <= Canvas.maximumImageSide && columns <= Canvas.maximumImageSide else {
            throw PlottingError(operation, "the matrix \(formatShape(matrix.shape)) has more than "
                                + "\(Canvas.maximumImageSide) cells per side, which Cairo cannot draw; average blocks first")
        }
        if let rowLabels, rowLabels.count != rows {
            throw PlottingError(operation, "the matrix has \(rows) rows but \(rowLabels.count) row labels")
        }
        if let columnLabels, columnLabels.count != columns {
            throw PlottingError(operation, "the matrix has \(columns) columns but \(columnLabels.count) column labels")
        }
        if let bad = separators.first(where: { $0 <= 0 || $0 >= Swift.max(rows, columns) }) {
            throw PlottingError(operation, "separator \(bad) is outside 1..<\(Swift.max(rows, columns)); separators "
                                + "are the indices where a new category starts")
        }
        var categoryTicks: (positions: [Double], labels: [String])?
        if let categoryLabels {
            let boundaries = Array(Set(separators)).sorted()
            guard rows == columns else {
                throw PlottingError(operation, "category labels need a square matrix, got shape "
                                    + formatShape(matrix.shape))
            }
            guard rowLabels == nil && columnLabels == nil else {
                throw PlottingError(operation, "give row and column labels or category labels, not both")
            }
            guard categoryLabels.count == boundaries.count + 1 else {
                throw PlottingError(operation, "\(boundaries.count) separators make \(boundaries.count + 1) categories, "
                                    + "but there are \(categoryLabels.count) category labels")
            }
            let starts = [0] + boundaries, ends = boundaries + [rows]
            categoryTicks = (zip(starts, ends).map { Double($0 + $1 - 1) / 2 }, categoryLabels)
        }
        guard (xExtent == nil) == (yExtent == nil) else {
            throw PlottingError(operation, "give both xExtent and yExtent, or neither")
        }
        try TensorInput.requireLimits(xExtent, name: "xExtent", operation: operation)
        try TensorInput.requireLimits(yExtent, name: "yExtent", operation: operation)
        try TensorInput.requireLimits(limits, name: "limits", operation: operation)
        let map = try Colormap(named: colormap, operation: operation)
        let range = limits ?? map.defaultLimits(values)
        marks.append(.heatmap(HeatmapMark(values: values, rows: rows, columns: columns, colormap: map, limits: range,
                                          xExtent: xExtent, yExtent: yExtent, rowLabels: rowLabels,
                                          columnLabels: columnLabels, separators: separators)))
        if let categoryTicks {
            xTicks = categoryTicks
            yTicks = categoryTicks
        }
        if showColorbar {
            colorbar = ColorbarSpecification(colormap: map, limits: range, label: colorbarLabel)
        }
    }

    /// Shows images (stimuli) in a grid filling the panel: `images` [n, height, width, channels] with channels 1
    /// (grey), 3 (RGB) or 4 (RGBA), values in [0, 1]; also [n, height, width] for grey. `columns` defaults to the
    /// count that makes the images largest; `titles` [n] go above each image (8 pt).
    /// Throws `PlottingError` (`plot.images`) for another shape or channel count, values outside [0, 1] (naming the
    /// extreme found, e.g. 255 for bytes that were not divided by 255) or NaN, a titles count that differs from n,
    /// columns < 1, or a panel that already holds something.
    public mutating func images(_ images: Tensor, columns: Int? = nil, titles: [String]? = nil) throws {
        let operation = "plot.images"
        try requireEmpty(operation, what: "an image grid")
        var shape = images.shape
        if shape.count == 3 { shape.append(1) }
        guard shape.count == 4, [1, 3, 4].contains(shape[3]) else {
            throw PlottingError(operation, "images must be [n, height, width, channels] with 1, 3 or 4 channels, "
                                + "got shape \(formatShape(images.shape))")
        }
        let (count, height, width, channels) = (shape[0], shape[1], shape[2], shape[3])
        guard height <= Canvas.maximumImageSide && width <= Canvas.maximumImageSide else {
            throw PlottingError(operation, "images of \(height) × \(width) pixels exceed the \(Canvas.maximumImageSide) "
                                + "pixels per side Cairo can draw")
        }
        if let titles, titles.count != count {
            throw PlottingError(operation, "\(count) images but \(titles.count) titles")
        }
        if let columns, columns < 1 {
            throw PlottingError(operation, "columns must be at least 1, got \(columns)")
        }
        let values = images.scalars(as: Double.self)
        if let bad = values.first(where: { !($0 >= 0 && $0 <= 1) }) {
            throw PlottingError(operation, "image values must lie in [0, 1], found \(bad)"
                                + (bad > 1 ? " (divide bytes by 255)" : ""))
        }
        var rasters: [RasterImage] = []
        let pixelsPerImage = height * width
        for index in 0..<count {
            var bytes = [UInt8](repeating: 255, count: pixelsPerImage * 4)
            for pixel in 0..<pixelsPerImage {
                let base = (index * pixelsPerImage + pixel) * channels
                for channel in 0..<4 {
                    let value: Double
                    switch channels {
                    case 1: value = channel == 3 ? 1 : values[base]
                    case 3: value = channel == 3 ? 1 : values[base + channel]
                    default: value = values[base + channel]
                    }
                    bytes[pixel * 4 + channel] = UInt8((value * 255).rounded())
                }
            }
            rasters.append(RasterImage(checkedWidth: width, height: height, pixels: bytes))
        }
        content = .images(ImageGridContent(images: rasters, columns: columns, titles: titles))
    }
}
