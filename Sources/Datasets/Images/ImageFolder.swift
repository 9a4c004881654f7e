import Foundation
import Synchronization
import Tensors

extension Images {
    /// Loads every image of a folder (the files `listFolder` returns, in its natural order: "2.png" before
    /// "10.png") as one float32 tensor `[n, height, width, channels]` in [0, 1], decoding on `Threads.count` threads
    /// straight into the result.
    ///
    /// - Parameters:
    ///   - size: nil: every image must have the same height and width. Otherwise each image is resized (antialiased
    ///     bilinear, as `resize`) so that its shorter side is `size`, then center-cropped to `crop × crop` — torchvision's
    ///     `Resize(size)` then `CenterCrop(crop)`.
    ///   - crop: the side of the central square kept; defaults to `size`. With `size` nil, each image is cropped
    ///     without resizing (all must be at least `crop × crop`). ImageNet evaluation is `size: 256, crop: 224`.
    ///   - channels: nil: every file must have the same channel count (it is kept); 1, 3 or 4 converts each image as
    ///     `load` does (gray → RGB repeats; alpha is dropped, not composited).
    /// - Throws: `DataError("images.loadFolder", path:, …)` for a missing folder, a folder without .png/.jpg/.jpeg
    ///   files, any file `load` would refuse (naming the file), images of different sizes or channel counts (naming
    ///   both files and their sizes), a crop larger than the resized or original image, or `size`/`crop` below 1.
    public static func loadFolder(_ path: String, size: Int? = nil, crop: Int? = nil,
                                  channels: Int? = nil) throws -> Tensor {
        let operation = "images.loadFolder"
        try validate(channels: channels, path: path, operation: operation)
        if let size, size < 1 { throw DataError(operation, path: path, "size must be at least 1, got \(size)") }
        if let crop, crop < 1 { throw DataError(operation, path: path, "crop must be at least 1, got \(crop)") }
        if let size, let crop, crop > size {
            throw DataError(operation, path: path,
                            "crop \(crop) is larger than size \(size) (the shorter side after resizing)")
        }
        if let side = crop ?? size, side > 1 << 14 {
            throw DataError(operation, path: path,
                            "\(crop == nil ? "size" : "crop") \(side) makes images of more than the \(maximumPixels) "
                                + "pixels bm makes per image")
        }
        let names = try listFolder(path, operation: operation)
        guard !names.isEmpty else {
            throw DataError(operation, path: path, "no .png, .jpg or .jpeg files in the folder; \(ImageDecoding.supportedFormats)")
        }
        let paths = names.map { (path as NSString).appendingPathComponent($0) }

        // Pass 1: every header, so sizes are checked and the result allocated before any pixel is decoded.
        let headers = try parallelMap(paths, operation: operation) { file in
            try ImageDecoding.header(of: ImageDecoding.readFile(file, operation: operation), path: file,
                                     operation: operation)
        }
        let targetChannels = try channels ?? commonChannels(headers, names: names, path: path, operation: operation)
        let plans = try headers.enumerated().map { index, header in
            try plan(header, name: names[index], file: paths[index], size: size, crop: crop, operation: operation)
        }
        if size == nil && crop == nil {
            for (index, header) in headers.enumerated()
            where header.height != headers[0].height || header.width != headers[0].width {
                throw DataError(operation, path: path,
                                "images differ in size: \(names[0]) is \(headers[0].height) × \(headers[0].width) but "
                                    + "\(names[index]) is \(header.height) × \(header.width) (height × width); pass "
                                    + "size: to resize them all")
            }
        }
        let outputHeight = crop ?? size ?? headers[0].height
        let outputWidth = crop ?? size ?? headers[0].width
        let result = try Tensor.zeros([paths.count, outputHeight, outputWidth, targetChannels], dtype: .float32)
        let imageSize = outputHeight * outputWidth * targetChannels
        let destination = SharedPointer(base: result.mutablePointer(Float.self))

        // Pass 2: decode (and resize) each file into its slot.
        let failures = Mutex<[Int: Error]>([:])
        try ImageParallel.forEach(paths.count, operation: operation) { index in
            do {
                try loadPlanned(paths[index], header: headers[index], plan: plans[index], channels: targetChannels,
                                operation: operation, into: destination.base + index * imageSize)
            } catch {
                failures.withLock { $0[index] = error }
            }
        }
        if let first = failures.withLock({ $0.min(by: { $0.key < $1.key }) }) { throw first.value }
        return result
    }

    /// How one image reaches its slot: the resized size (nil: none) and the window kept.
    struct FolderPlan: Sendable {
        var resized: (height: Int, width: Int)?
        var top: Int
        var left: Int
        var height: Int
        var width: Int
    }

    private static func plan(_ header: ImageHeader, name: String, file: String, size: Int?, crop: Int?,
                             operation: String) throws -> FolderPlan {
        if let size {
            let resized = shorterSideSize(height: header.height, width: header.width, shorterSide: size)
            let side = crop ?? size
            // crop ≤ size (checked above) and the longer side ⌊size · long / short⌋ ≥ size, so the window fits.
            precondition(resized.height >= side && resized.width >= side, "internal: crop window outside the image")
            let origin = centerCropOrigin(height: resized.height, width: resized.width, cropHeight: side, cropWidth: side)
            return FolderPlan(resized: resized, top: origin.top, left: origin.left, height: side, width: side)
        }
        if let crop {
            guard header.height >= crop, header.width >= crop else {
                throw DataError(operation, path: file,
                                "\(name) is \(header.height) × \(header.width), smaller than the \(crop) × \(crop) crop; "
                                    + "pass size: to resize first")
            }
            let origin = centerCropOrigin(height: header.height, width: header.width, cropHeight: crop, cropWidth: crop)
            return FolderPlan(resized: nil, top: origin.top, left: origin.left, height: crop, width: crop)
        }
        return FolderPlan(resized: nil, top: 0, left: 0, height: header.height, width: header.width)
    }

    private static func commonChannels(_ headers: [ImageHeader], names: [String], path: String,
                                       operation: String) throws -> Int {
        for (index, header) in headers.enumerated() where header.channels != headers[0].channels {
            throw DataError(operation, path: path,
                            "images differ in channels: \(names[0]) has \(headers[0].channels) but \(names[index]) has "
                                + "\(header.channels); pass channels: 1, 3 or 4 to convert them all")
        }
        return headers[0].channels
    }

    /// Decodes `file` into `destination` (`plan.height × plan.width × channels` floats), resizing and cropping.
    private static func loadPlanned(_ file: String, header planned: ImageHeader, plan: FolderPlan, channels: Int,
                                    operation: String, into destination: UnsafeMutablePointer<Float>) throws {
        let bytes = try ImageDecoding.readFile(file, operation: operation)
        let header = try ImageDecoding.header(of: bytes, path: file, operation: operation)
        guard header == planned else {
            throw DataError(operation, path: file, "the file changed while the folder was being loaded")
        }
        var scratch: [UInt8] = []
        let isWhole = plan.resized == nil && plan.height == header.height && plan.width == header.width
        if isWhole {
            try ImageDecoding.decode(bytes, header: header, channels: channels, path: file, operation: operation,
                                     scratch: &scratch, into: destination)
            return
        }
        var decoded = [Float](repeating: 0, count: header.width * header.height * channels)
        try decoded.withUnsafeMutableBufferPointer { buffer in
            try ImageDecoding.decode(bytes, header: header, channels: channels, path: file, operation: operation,
                                     scratch: &scratch, into: buffer.baseAddress!)
        }
        decoded.withUnsafeBufferPointer { buffer in
            let image = buffer.baseAddress!
            if let resized = plan.resized {
                let vertical = ResampleAxis(inputSize: header.height, outputSize: resized.height, antialias: true,
                                            outputRange: plan.top..<(plan.top + plan.height))
                let horizontal = ResampleAxis(inputSize: header.width, outputSize: resized.width, antialias: true,
                                              outputRange: plan.left..<(plan.left + plan.width))
                var intermediate: [Float] = []
                ResampleKernels.resampleImage(image, height: header.height, width: header.width, channels: channels,
                                              verticalAxis: vertical, horizontalAxis: horizontal,
                                              verticalWeights: vertical.weights(as: Float.self),
                                              horizontalWeights: horizontal.weights(as: Float.self),
                                              scratch: &intermediate, into: destination)
            } else {
                let rowLength = plan.width * channels
                for row in 0..<plan.height {
                    (destination + row * rowLength).update(
                        from: image + ((plan.top + row) * header.width + plan.left) * channels, count: rowLength)
                }
            }
        }
    }

    /// `transform` applied to each element on `Threads.count` threads; rethrows the first failing element's error.
    private static func parallelMap<Element: Sendable, Result: Sendable>(
        _ elements: [Element], operation: String, _ transform: @Sendable (Element) throws -> Result
    ) throws -> [Result] {
        let results = Mutex<[Int: Swift.Result<Result, Error>]>([:])
        try ImageParallel.forEach(elements.count, operation: operation) { index in
            let outcome = Swift.Result { try transform(elements[index]) }
            results.withLock { $0[index] = outcome }
        }
        return try results.withLock { stored in try (0..<elements.count).map { try stored[$0]!.get() } }
    }
}
