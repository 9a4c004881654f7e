import CJPEG

/// Every libjpeg-turbo call in bm, through the TurboJPEG API (which catches libjpeg's longjmp errors in C).
///
/// Decoding uses libjpeg's defaults, as Pillow does: the accurate integer IDCT and "fancy" (smooth) chroma
/// upsampling, so bm and Pillow built on libjpeg-turbo produce the same pixels.
enum JPEGCodec {
    /// Reads the header: gray JPEGs have 1 channel, YCbCr and RGB ones 3. CMYK and YCCK (Adobe print files) are
    /// refused: their inks need a colour profile to become RGB, and guessing would silently change the pixels.
    static func header(_ bytes: UnsafeRawBufferPointer) -> Result<ImageHeader, ImageCodecFailure> {
        guard let handle = tjInitDecompress() else { return .failure(ImageCodecFailure("out of memory")) }
        defer { tjDestroy(handle) }
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        let status = tjDecompressHeader3(handle, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self),
                                         UInt(bytes.count), &width, &height, &subsampling, &colorspace)
        guard status == 0 else { return .failure(ImageCodecFailure(errorText(handle))) }
        // libjpeg treats a stream that ends inside the header as "tables only" and reports no frame.
        guard width > 0, height > 0 else {
            return .failure(ImageCodecFailure("the data ends before the image size (no start-of-frame marker)"))
        }
        switch colorspace {
        case Int32(TJCS_GRAY.rawValue):
            return .success(ImageHeader(format: .jpeg, width: Int(width), height: Int(height), channels: 1,
                                        bitDepth: 8))
        case Int32(TJCS_YCbCr.rawValue), Int32(TJCS_RGB.rawValue):
            return .success(ImageHeader(format: .jpeg, width: Int(width), height: Int(height), channels: 3,
                                        bitDepth: 8))
        default:
            return .failure(ImageCodecFailure(
                "CMYK JPEG images are not supported (they need a colour profile to become RGB); convert the file to "
                    + "RGB first, e.g. with Pillow: Image.open(path).convert('RGB').save(new_path)", isUnsupported: true))
        }
    }

    /// Decodes into `pixels` (exactly `height × width × channels` bytes). Truncated or corrupt data is an error:
    /// libjpeg would otherwise fill the missing part with gray and only warn. The one warning accepted is
    /// "extraneous bytes before marker", which some cameras produce and which loses no pixels.
    static func decode(_ bytes: UnsafeRawBufferPointer, header: ImageHeader,
                       into pixels: UnsafeMutableRawBufferPointer) -> ImageCodecFailure? {
        precondition(pixels.count == header.sampleCount, "internal: JPEG pixel buffer size")
        guard let handle = tjInitDecompress() else { return ImageCodecFailure("out of memory") }
        defer { tjDestroy(handle) }
        let format = header.channels == 1 ? TJPF_GRAY : TJPF_RGB
        // TJFLAG_LIMITSCANS refuses progressive files with hundreds of scans, which would take minutes to decode.
        let status = tjDecompress2(handle, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt(bytes.count),
                                   pixels.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(header.width), 0,
                                   Int32(header.height), Int32(format.rawValue), TJFLAG_LIMITSCANS)
        if status == 0 { return nil }
        let text = errorText(handle)
        if tjGetErrorCode(handle) == Int32(TJERR_WARNING.rawValue), text.contains("extraneous bytes before marker") {
            return nil
        }
        return ImageCodecFailure(text)
    }

    private static func errorText(_ handle: tjhandle) -> String {
        guard let text = tjGetErrorStr2(handle) else { return "unknown libjpeg error" }
        return String(cString: text)
    }
}
