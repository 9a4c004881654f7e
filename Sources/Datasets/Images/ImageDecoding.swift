import Foundation

/// The two formats bm decodes.
enum ImageFormat: Sendable {
    case png, jpeg

    var name: String { self == .png ? "PNG" : "JPEG" }
}

/// A file's image facts as its decoder will deliver the samples.
struct ImageHeader: Sendable, Equatable {
    var format: ImageFormat
    var width: Int
    var height: Int
    /// 1 gray, 2 gray + alpha, 3 RGB, 4 RGBA.
    var channels: Int
    /// 8 or 16 bits per sample.
    var bitDepth: Int

    var sampleCount: Int { width * height * channels }
    var byteCount: Int { sampleCount * (bitDepth / 8) }
}

/// A codec's own error text; `isUnsupported` marks a valid file bm does not read (CMYK JPEG), as opposed to
/// corrupt data.
struct ImageCodecFailure: Error {
    var message: String
    var isUnsupported: Bool

    init(_ message: String, isUnsupported: Bool = false) {
        self.message = message
        self.isUnsupported = isUnsupported
    }
}

/// Reading, recognising and decoding one image file into float samples.
enum ImageDecoding {
    static let supportedFormats = "bm reads PNG and JPEG images"

    /// The whole file. Throws `DataError` for a missing file, a folder, or a read error.
    static func readFile(_ path: String, operation: String) throws -> [UInt8] {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            throw DataError(operation, path: path,
                            "is a folder, not an image file (Images.loadFolder reads a folder of images)")
        }
        let file = try ReadableFile(path: path, operation: operation)
        return try file.read(offset: 0, count: file.size)
    }

    /// The format from the file's first bytes (never from its name). Throws `DataError` naming what the file looks
    /// like when it is not PNG or JPEG.
    static func format(of bytes: [UInt8], path: String?, operation: String) throws -> ImageFormat {
        func starts(with prefix: [UInt8]) -> Bool { bytes.count >= prefix.count && Array(bytes.prefix(prefix.count)) == prefix }
        if starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if bytes.isEmpty { throw DataError(operation, path: path, "the file is empty; \(supportedFormats)") }
        let known: [(prefix: [UInt8], name: String)] = [
            (Array("GIF8".utf8), "a GIF image"), (Array("BM".utf8), "a BMP image"),
            ([0x49, 0x49, 0x2A, 0x00], "a TIFF image"), ([0x4D, 0x4D, 0x00, 0x2A], "a TIFF image"),
            (Array("RIFF".utf8), "a RIFF file (WebP?)"), ([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59], "an NPY array"),
            ([0x89, 0x48, 0x44, 0x46], "an HDF5 file"),
        ]
        if let match = known.first(where: { starts(with: $0.prefix) }) {
            throw DataError(operation, path: path, "this is \(match.name), not an image bm can read; \(supportedFormats)")
        }
        let shown = bytes.prefix(8).map { String(format: "%02x", $0) }.joined(separator: " ")
        throw DataError(operation, path: path,
                        "not a PNG or JPEG image (the file starts with bytes \(shown)); \(supportedFormats)")
    }

    /// The header, with the pixel count checked against `Images.maximumPixels` before anything is allocated.
    static func header(of bytes: [UInt8], path: String?, operation: String) throws -> ImageHeader {
        let format = try format(of: bytes, path: path, operation: operation)
        let result = bytes.withUnsafeBytes { raw in
            format == .png ? PNGCodec.header(raw) : JPEGCodec.header(raw)
        }
        switch result {
        case .failure(let failure): throw error(failure, format: format, path: path, operation: operation)
        case .success(let header):
            let pixels = header.width.multipliedReportingOverflow(by: header.height)
            guard !pixels.overflow, pixels.partialValue <= Images.maximumPixels else {
                throw DataError(operation, path: path,
                                "the \(format.name) header claims \(header.width) × \(header.height) pixels, more "
                                    + "than the \(Images.maximumPixels) pixels bm decodes (a corrupt or hostile file?)")
            }
            guard header.width > 0, header.height > 0 else {
                throw DataError(operation, path: path,
                                "the \(format.name) header claims an empty \(header.width) × \(header.height) image")
            }
            return header
        }
    }

    /// Decodes the image into `destination`: `height × width × channels` float32 samples in [0, 1] (8-bit samples
    /// divided by 255, 16-bit ones by 65535), converted from the file's channels as `convertChannels` describes.
    /// `scratch` is reused between calls on one thread to hold the raw samples.
    static func decode(_ bytes: [UInt8], header: ImageHeader, channels: Int, path: String?, operation: String,
                       scratch: inout [UInt8], into destination: UnsafeMutablePointer<Float>) throws {
        if scratch.count < header.byteCount { scratch = [UInt8](repeating: 0, count: header.byteCount) }
        let failure: ImageCodecFailure? = bytes.withUnsafeBytes { raw in
            scratch.withUnsafeMutableBytes { samples in
                let target = UnsafeMutableRawBufferPointer(rebasing: samples[0..<header.byteCount])
                return header.format == .png ? PNGCodec.decode(raw, header: header, into: target)
                    : JPEGCodec.decode(raw, header: header, into: target)
            }
        }
        if let failure { throw error(failure, format: header.format, path: path, operation: operation) }
        let pixels = header.width * header.height
        scratch.withUnsafeBufferPointer { samples in
            if header.bitDepth == 16 {
                samples.withMemoryRebound(to: UInt16.self) { wide in
                    convertChannels(wide.baseAddress!, pixels: pixels, from: header.channels, to: channels,
                                    scale: 65535, into: destination)
                }
            } else {
                convertChannels(samples.baseAddress!, pixels: pixels, from: header.channels, to: channels, scale: 255,
                                into: destination)
            }
        }
    }

    static func error(_ failure: ImageCodecFailure, format: ImageFormat, path: String?, operation: String) -> DataError {
        if failure.isUnsupported { return DataError(operation, path: path, failure.message) }
        // Valid files of a kind libjpeg-turbo lacks (lossless, 12-bit); "Unsupported marker type" is damage.
        if failure.message.hasPrefix("Unsupported JPEG process") || failure.message.hasPrefix("Unsupported JPEG data") {
            return DataError(operation, path: path, "unsupported kind of \(format.name): \(failure.message)")
        }
        return DataError(operation, path: path, "corrupt or truncated \(format.name) data: \(failure.message)")
    }

    /// Converts interleaved integer samples to floats in [0, 1], changing the channel count:
    /// gray → RGB repeats the gray value; any → RGBA adds alpha 1 when the source has none; RGBA → RGB and
    /// gray + alpha → gray drop alpha (no compositing); RGB(A) → gray is the ITU-R 601-2 luma
    /// 0.299 R + 0.587 G + 0.114 B, as Pillow's convert("L") and torchvision's rgb_to_grayscale (unrounded).
    @inline(__always)
    static func convertChannels<Sample: FixedWidthInteger & UnsignedInteger>(
        _ source: UnsafePointer<Sample>, pixels: Int, from sourceChannels: Int, to targetChannels: Int, scale: Float,
        into destination: UnsafeMutablePointer<Float>
    ) {
        @inline(__always) func value(_ index: Int) -> Float { Float(source[index]) / scale }
        if sourceChannels == targetChannels {
            for index in 0..<(pixels * sourceChannels) { destination[index] = value(index) }
            return
        }
        let hasAlpha = sourceChannels == 2 || sourceChannels == 4
        let colorChannels = hasAlpha ? sourceChannels - 1 : sourceChannels
        for pixel in 0..<pixels {
            let input = pixel * sourceChannels
            let output = destination + pixel * targetChannels
            let alpha: Float = hasAlpha ? value(input + sourceChannels - 1) : 1
            switch (colorChannels, targetChannels) {
            case (1, 1):
                output[0] = value(input)
            case (1, _):
                let gray = value(input)
                output[0] = gray
                output[1] = gray
                output[2] = gray
                if targetChannels == 4 { output[3] = alpha }
            case (3, 1):
                output[0] = 0.299 * value(input) + 0.587 * value(input + 1) + 0.114 * value(input + 2)
            default:
                output[0] = value(input)
                output[1] = value(input + 1)
                output[2] = value(input + 2)
                if targetChannels == 4 { output[3] = alpha }
            }
        }
    }
}
