import CPNG

/// Every libpng call in bm. The C side (Sources/CPNG/shim.h) owns the setjmp that libpng's errors longjmp to, so
/// this file only sees return codes and messages.
enum PNGCodec {
    /// Reads the header: size, channels and bit depth after bm's transformations (palette → RGB or RGBA, bit
    /// depths 1, 2 and 4 → 8, a tRNS transparency chunk → an alpha channel). Returns libpng's message on failure.
    static func header(_ bytes: UnsafeRawBufferPointer) -> Result<ImageHeader, ImageCodecFailure> {
        var result = bm_png_result()
        let status = bm_png_read(bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count, nil, 0, &result)
        guard status == 0 else { return .failure(ImageCodecFailure(message(of: &result))) }
        return .success(ImageHeader(format: .png, width: Int(result.width), height: Int(result.height),
                                    channels: Int(result.channels), bitDepth: Int(result.bitDepth)))
    }

    /// Decodes into `pixels`, which holds exactly `header.sampleCount` samples of `header.bitDepth / 8` bytes.
    static func decode(_ bytes: UnsafeRawBufferPointer, header: ImageHeader,
                       into pixels: UnsafeMutableRawBufferPointer) -> ImageCodecFailure? {
        var result = bm_png_result()
        let status = bm_png_read(bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count,
                                 pixels.baseAddress?.assumingMemoryBound(to: UInt8.self), pixels.count, &result)
        guard status == 0 else { return ImageCodecFailure(message(of: &result)) }
        // The header was read from the same bytes a moment ago; a difference would be a bug in the shim.
        precondition(Int(result.width) == header.width && Int(result.height) == header.height
                         && Int(result.channels) == header.channels && Int(result.bitDepth) == header.bitDepth,
                     "internal: PNG header changed between reads")
        return nil
    }

    /// Encodes `height × width × channels` interleaved samples (8-bit bytes or host-order 16-bit words).
    static func encode(_ pixels: UnsafeRawBufferPointer, width: Int, height: Int, channels: Int, bitDepth: Int,
                       compressionLevel: Int = 6) -> Result<[UInt8], ImageCodecFailure> {
        var output: UnsafeMutablePointer<UInt8>? = nil
        var outputSize = 0
        var messageBuffer = [CChar](repeating: 0, count: 256)
        let status = messageBuffer.withUnsafeMutableBufferPointer { message in
            bm_png_write(pixels.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt32(width), UInt32(height),
                         Int32(channels), Int32(bitDepth), Int32(compressionLevel), &output, &outputSize,
                         message.baseAddress)
        }
        guard status == 0, let output else {
            let text = messageBuffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            return .failure(ImageCodecFailure(text))
        }
        defer { bm_png_free(output) }
        return .success(Array(UnsafeBufferPointer(start: output, count: outputSize)))
    }

    private static func message(of result: inout bm_png_result) -> String {
        withUnsafeBytes(of: &result.message) { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            let end = bytes.firstIndex(of: 0) ?? bytes.count
            return String(decoding: bytes[..<end], as: UTF8.self)
        }
    }
}
