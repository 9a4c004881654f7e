import Tensors

/// Resizing, cropping, normalisation and layout changes of image tensors (`[h, w, c]` or `[n, h, w, c]`).
extension Images {
    /// Resizes to `height × width` with the bilinear (triangle) filter, separably: along rows, then along columns.
    ///
    /// Output sample `i` of an axis of input length `L` and output length `M` is `Σ_j w_j x_j / Σ_j w_j` with
    /// `w_j = max(0, 1 - |(j + 0.5 - (i + 0.5)·L/M) / s|)`. With `antialias` (default) `s = max(L/M, 1)`: shrinking
    /// averages every input sample an output sample covers, exactly as Pillow's `resize(…, BILINEAR)` and
    /// torchvision's `resize(…, antialias=True)`; enlarging is ordinary bilinear interpolation with half-pixel
    /// centres (`align_corners=False`). Without it `s = 1` always (PyTorch's `interpolate(mode="bilinear")`), which
    /// aliases when shrinking.
    /// - Parameter tensor: float32 or float64 `[h, w, c]` or `[n, h, w, c]`, any strides; the result has its dtype.
    /// - Throws: `DataError("images.resize", …)` for another rank or dtype, an empty image, a size below 1, or an
    ///   output of more than `maximumPixels` pixels per image.
    public static func resize(_ tensor: Tensor, height: Int, width: Int, antialias: Bool = true) throws -> Tensor {
        let operation = "images.resize"
        let (count, inputHeight, inputWidth, channels) = try imageDimensions(tensor, operation: operation)
        guard height >= 1, width >= 1 else {
            throw DataError(operation, path: nil, "output size must be at least 1 × 1, got \(height) × \(width)")
        }
        guard inputHeight >= 1, inputWidth >= 1 else {
            throw DataError(operation, path: nil, "cannot resize an empty image of shape \(formatShape(tensor.shape))")
        }
        let pixels = height.multipliedReportingOverflow(by: width)
        guard !pixels.overflow, pixels.partialValue <= maximumPixels else {
            throw DataError(operation, path: nil,
                            "output size \(height) × \(width) is more than the \(maximumPixels) pixels bm makes per image")
        }
        var shape = tensor.shape
        shape[shape.count - 3] = height
        shape[shape.count - 2] = width
        let input = tensor.contiguous()
        let result = try Tensor.zeros(shape, dtype: tensor.dtype)
        if count == 0 { return result }
        let vertical = ResampleAxis(inputSize: inputHeight, outputSize: height, antialias: antialias)
        let horizontal = ResampleAxis(inputSize: inputWidth, outputSize: width, antialias: antialias)
        if tensor.dtype == .float32 {
            try resizeBatch(input.pointer(Float.self), into: result.mutablePointer(Float.self), count: count,
                            height: inputHeight, width: inputWidth, channels: channels, vertical: vertical,
                            horizontal: horizontal)
        } else {
            try resizeBatch(input.pointer(Double.self), into: result.mutablePointer(Double.self), count: count,
                            height: inputHeight, width: inputWidth, channels: channels, vertical: vertical,
                            horizontal: horizontal)
        }
        return result
    }

    /// Resizes so that the shorter side is `shorterSide` and the aspect ratio is kept, the longer side being
    /// `⌊shorterSide · long / short⌋` (torchvision's `Resize(int)`). Same filter, arguments and errors as `resize`.
    public static func resize(_ tensor: Tensor, shorterSide: Int, antialias: Bool = true) throws -> Tensor {
        let (_, height, width, _) = try imageDimensions(tensor, operation: "images.resize")
        guard shorterSide >= 1, shorterSide <= maximumPixels else {
            throw DataError("images.resize", path: nil,
                            "shorterSide must lie in 1...\(maximumPixels), got \(shorterSide)")
        }
        let (newHeight, newWidth) = shorterSideSize(height: height, width: width, shorterSide: shorterSide)
        return try resize(tensor, height: newHeight, width: newWidth, antialias: antialias)
    }

    static func shorterSideSize(height: Int, width: Int, shorterSide: Int) -> (height: Int, width: Int) {
        guard height > 0, width > 0 else { return (height, width) }
        if width <= height {
            return (Int(Double(shorterSide) * Double(height) / Double(width)), shorterSide)
        }
        return (shorterSide, Int(Double(shorterSide) * Double(width) / Double(height)))
    }

    private static func resizeBatch<T: BinaryFloatingPoint & SendableMetatype>(
        _ input: UnsafePointer<T>, into output: UnsafeMutablePointer<T>, count: Int, height: Int, width: Int,
        channels: Int, vertical: ResampleAxis, horizontal: ResampleAxis
    ) throws {
        let operation = "images.resize"
        let rowLength = horizontal.outputCount * channels
        let destination = SharedPointer(base: output)
        // Rows first, into [count, height, outputWidth, channels] (skipped when the width stays).
        var rowsResult = SharedPointer(base: UnsafeMutablePointer(mutating: input))
        var intermediate: UnsafeMutablePointer<T>? = nil
        defer { intermediate?.deallocate() }
        if horizontal.outputCount != width {
            let target = vertical.outputCount == height
                ? output : UnsafeMutablePointer<T>.allocate(capacity: count * height * rowLength)
            if target != output { intermediate = target }
            let source = rowsResult, shared = SharedPointer(base: target)
            let weights = horizontal.weights(as: T.self)
            try weights.withUnsafeBufferPointer { buffer in
                let weightPointer = SharedPointer(base: UnsafeMutablePointer(mutating: buffer.baseAddress!))
                try ImageParallel.forRanges(count * height, cost: rowLength * horizontal.stride,
                                            operation: operation) { rows in
                    ResampleKernels.horizontal(UnsafePointer(source.base), rows: rows, inputWidth: width,
                                               channels: channels, axis: horizontal, weights: weightPointer.base,
                                               into: shared.base + rows.lowerBound * rowLength)
                }
            }
            if vertical.outputCount == height { return }
            rowsResult = shared
        }
        if vertical.outputCount == height {
            output.update(from: input, count: count * height * rowLength)
            return
        }
        // Then columns: each output row of each image is a weighted sum of whole rows of the rows-pass result.
        let source = rowsResult
        let weights = vertical.weights(as: T.self)
        let outputHeight = vertical.outputCount
        try weights.withUnsafeBufferPointer { buffer in
            let weightPointer = SharedPointer(base: UnsafeMutablePointer(mutating: buffer.baseAddress!))
            try ImageParallel.forRanges(count * outputHeight, cost: rowLength * vertical.stride,
                                        operation: operation) { rows in
                var row = rows.lowerBound
                while row < rows.upperBound {
                    let image = row / outputHeight
                    let end = Swift.min(rows.upperBound, (image + 1) * outputHeight)
                    ResampleKernels.vertical(UnsafePointer(source.base + image * height * rowLength), inputOffset: 0,
                                             rowLength: rowLength, axis: vertical,
                                             outputRows: (row - image * outputHeight)..<(end - image * outputHeight),
                                             weights: weightPointer.base, into: destination.base + row * rowLength)
                    row = end
                }
            }
        }
    }

    /// The central `height × width` window (a view), placed as torchvision's `CenterCrop`: the top offset is
    /// `round((h - height) / 2)` and the left `round((w - width) / 2)`, halves rounded to even as Python's `round`.
    /// - Parameter tensor: `[h, w, c]` or `[n, h, w, c]`, any dtype.
    /// - Throws: `DataError("images.centerCrop", …)` for another rank, a size below 1, or a window larger than the
    ///   image (torchvision would pad with zeros; bm asks you to resize first).
    public static func centerCrop(_ tensor: Tensor, height: Int, width: Int) throws -> Tensor {
        let operation = "images.centerCrop"
        let (_, inputHeight, inputWidth, _) = try imageDimensions(tensor, operation: operation, anyDtype: true)
        guard height >= 1, width >= 1 else {
            throw DataError(operation, path: nil, "crop size must be at least 1 × 1, got \(height) × \(width)")
        }
        guard height <= inputHeight, width <= inputWidth else {
            throw DataError(operation, path: nil,
                            "crop \(height) × \(width) is larger than the image, \(inputHeight) × \(inputWidth) "
                                + "(height × width); resize it first")
        }
        let (top, left) = centerCropOrigin(height: inputHeight, width: inputWidth, cropHeight: height, cropWidth: width)
        let rank = tensor.rank
        return try tensor.sliced(axis: rank - 3, top..<(top + height)).sliced(axis: rank - 2, left..<(left + width))
    }

    static func centerCropOrigin(height: Int, width: Int, cropHeight: Int, cropWidth: Int) -> (top: Int, left: Int) {
        (Int((Double(height - cropHeight) / 2).rounded(.toNearestOrEven)),
         Int((Double(width - cropWidth) / 2).rounded(.toNearestOrEven)))
    }

    /// `(x - mean[c]) / std[c]` for each channel `c` (the last axis), as torchvision's `Normalize`.
    /// - Parameters: `tensor` float `[…, c]` (rank ≥ 1); `mean` and `std` of `c` values each (e.g. `imagenetMean`,
    ///   `imagenetStd`). The result has the tensor's dtype.
    /// - Throws: `DataError("images.normalize", …)` when the lengths differ from `c`, a std is 0 or not finite, or
    ///   the tensor is not float32/float64.
    public static func normalize(_ tensor: Tensor, mean: [Double], std: [Double]) throws -> Tensor {
        let operation = "images.normalize"
        guard tensor.dtype.isFloatingPoint else {
            throw DataError(operation, path: nil, "expects a float32 or float64 tensor, got \(tensor.dtype)")
        }
        guard let channels = tensor.shape.last else {
            throw DataError(operation, path: nil, "expects a tensor with a channel axis (last), got a scalar")
        }
        guard mean.count == channels, std.count == channels else {
            throw DataError(operation, path: nil,
                            "tensor of shape \(formatShape(tensor.shape)) has \(channels) channels (last axis) but "
                                + "mean has \(mean.count) values and std \(std.count)")
        }
        if let bad = std.first(where: { $0 == 0 || !$0.isFinite }) {
            throw DataError(operation, path: nil, "std values must be finite and nonzero, got \(bad)")
        }
        let meanTensor = Tensor(mean).astype(tensor.dtype)
        let inverseStd = Tensor(std.map { 1 / $0 }).astype(tensor.dtype)
        return try (tensor - meanTensor) * inverseStd
    }

    /// `[n, h, w, c]` → `[n, c, h, w]` (or `[h, w, c]` → `[c, h, w]`): PyTorch's layout. A view; call
    /// `contiguous()` for packed memory. Throws `DataError("images.toChannelsFirst", …)` for another rank.
    public static func toChannelsFirst(_ tensor: Tensor) throws -> Tensor {
        switch tensor.rank {
        case 3: return try tensor.permuted([2, 0, 1])
        case 4: return try tensor.permuted([0, 3, 1, 2])
        default:
            throw DataError("images.toChannelsFirst", path: nil,
                            "expects [h, w, c] or [n, h, w, c], got shape \(formatShape(tensor.shape))")
        }
    }

    /// `[n, c, h, w]` → `[n, h, w, c]` (or `[c, h, w]` → `[h, w, c]`): the inverse of `toChannelsFirst`. A view.
    /// Throws `DataError("images.toChannelsLast", …)` for another rank.
    public static func toChannelsLast(_ tensor: Tensor) throws -> Tensor {
        switch tensor.rank {
        case 3: return try tensor.permuted([1, 2, 0])
        case 4: return try tensor.permuted([0, 2, 3, 1])
        default:
            throw DataError("images.toChannelsLast", path: nil,
                            "expects [c, h, w] or [n, c, h, w], got shape \(formatShape(tensor.shape))")
        }
    }

    /// `(images, height, width, channels)` of an `[h, w, c]` or `[n, h, w, c]` tensor.
    static func imageDimensions(_ tensor: Tensor, operation: String, anyDtype: Bool = false) throws
        -> (count: Int, height: Int, width: Int, channels: Int) {
        guard tensor.rank == 3 || tensor.rank == 4 else {
            throw DataError(operation, path: nil,
                            "expects an image [h, w, c] or a batch [n, h, w, c], got shape \(formatShape(tensor.shape))")
        }
        guard anyDtype || tensor.dtype.isFloatingPoint else {
            throw DataError(operation, path: nil,
                            "expects a float32 or float64 tensor, got \(tensor.dtype) (convert with astype(.float32))")
        }
        let shape = tensor.shape
        return (tensor.rank == 4 ? shape[0] : 1, shape[shape.count - 3], shape[shape.count - 2], shape[shape.count - 1])
    }
}
