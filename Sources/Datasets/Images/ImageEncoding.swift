import Tensors

extension Images {
    /// Writes `tensor` as a PNG file, atomically (`AtomicFile`: a failed save leaves any old file intact).
    /// Same tensor rules and errors as `encodePNG`, under the operation `images.savePNG`; also throws when the
    /// folder does not exist or cannot be written.
    public static func savePNG(_ path: String, _ tensor: Tensor, bitDepth: Int = 8) throws {
        let bytes = try encode(tensor, bitDepth: bitDepth, path: path, operation: "images.savePNG")
        try AtomicFile.write(bytes, to: path, operation: "images.savePNG")
    }

    /// The PNG file bytes for `tensor` (zlib level 6, as Pillow's default).
    ///
    /// - Parameters:
    ///   - tensor: `[h, w, c]` with `c` 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA), or `[h, w]` (gray).
    ///     Float32/float64 values are clipped to [0, 1] and stored as `round(v · (2^bitDepth - 1))`. Int64 values are
    ///     stored as they are and must lie in `0...2^bitDepth - 1` (0...255 for 8 bits).
    ///   - bitDepth: 8 or 16.
    /// - Throws: `DataError("images.encodePNG", …)` for another shape, an empty image, a bool tensor, NaN values,
    ///   integers out of range, or a bit depth other than 8 and 16.
    public static func encodePNG(_ tensor: Tensor, bitDepth: Int = 8) throws -> [UInt8] {
        try encode(tensor, bitDepth: bitDepth, path: nil, operation: "images.encodePNG")
    }

    private static func encode(_ tensor: Tensor, bitDepth: Int, path: String?, operation: String) throws -> [UInt8] {
        guard bitDepth == 8 || bitDepth == 16 else {
            throw DataError(operation, path: path, "bitDepth must be 8 or 16, got \(bitDepth)")
        }
        let shape = tensor.shape
        guard (shape.count == 3 && (1...4).contains(shape[2])) || shape.count == 2 else {
            throw DataError(operation, path: path,
                            "expects [h, w] or [h, w, c] with c 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA), got "
                                + "shape \(formatShape(shape))")
        }
        let height = shape[0], width = shape[1], channels = shape.count == 3 ? shape[2] : 1
        guard height > 0, width > 0 else {
            throw DataError(operation, path: path, "cannot encode an empty image of shape \(formatShape(shape))")
        }
        guard height <= Int(UInt32.max), width <= Int(UInt32.max), height * width <= maximumPixels else {
            throw DataError(operation, path: path,
                            "image of \(height) × \(width) pixels is larger than the \(maximumPixels) pixels bm writes")
        }
        let maximum = (1 << bitDepth) - 1
        let values = tensor.contiguous()
        let count = height * width * channels
        var samples = [UInt16](repeating: 0, count: bitDepth == 16 ? count : 0)
        var bytes = [UInt8](repeating: 0, count: bitDepth == 8 ? count : 0)
        func store(_ index: Int, _ value: Int) {
            if bitDepth == 8 { bytes[index] = UInt8(value) } else { samples[index] = UInt16(value) }
        }
        switch values.dtype {
        case .bool:
            throw DataError(operation, path: path, "expects float values in [0, 1] or integer samples, got a bool tensor")
        case .int64:
            let pointer = values.pointer(Int64.self)
            for index in 0..<count {
                let value = pointer[index]
                guard value >= 0, value <= Int64(maximum) else {
                    throw DataError(operation, path: path,
                                    "int64 samples must lie in 0...\(maximum) for bitDepth \(bitDepth), found \(value)")
                }
                store(index, Int(value))
            }
        case .float32, .float64:
            let scale = Double(maximum)
            for index in 0..<count {
                let value = values.dtype == .float32 ? Double(values.pointer(Float.self)[index])
                    : values.pointer(Double.self)[index]
                guard !value.isNaN else {
                    throw DataError(operation, path: path, "the image contains NaN values; nothing to store for them")
                }
                store(index, Int((Swift.min(Swift.max(value, 0), 1) * scale).rounded()))
            }
        }
        let result: Result<[UInt8], ImageCodecFailure> = bitDepth == 8
            ? bytes.withUnsafeBytes {
                PNGCodec.encode($0, width: width, height: height, channels: channels, bitDepth: 8)
            }
            : samples.withUnsafeBytes {
                PNGCodec.encode($0, width: width, height: height, channels: channels, bitDepth: 16)
            }
        switch result {
        case .success(let encoded): return encoded
        case .failure(let failure): throw DataError(operation, path: path, "libpng failed: \(failure.message)")
        }
    }
}
