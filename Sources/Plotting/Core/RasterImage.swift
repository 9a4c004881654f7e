/// A raster image: `width × height` pixels, row-major from the top-left, 4 bytes each (red, green, blue, alpha; not
/// premultiplied). `Figure.renderImage()` returns one; `RasterImage(pngPath:)` reads a PNG file with Cairo.
public struct RasterImage: Equatable, Sendable {
    public let width: Int
    public let height: Int
    /// `width * height * 4` bytes.
    public let pixels: [UInt8]

    /// An image from RGBA bytes. Throws `PlottingError` (`image`) when a size is negative or
    /// `pixels.count != width * height * 4`.
    public init(width: Int, height: Int, pixels: [UInt8]) throws {
        guard width >= 0, height >= 0, pixels.count == width * height * 4 else {
            throw PlottingError("image", "a \(width) × \(height) RGBA image needs \(Swift.max(0, width * height * 4)) "
                                + "bytes, got \(pixels.count)")
        }
        self.init(checkedWidth: width, height: height, pixels: pixels)
    }

    /// Callers guarantee the sizes agree.
    init(checkedWidth width: Int, height: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0 && pixels.count == width * height * 4, "internal: raster image size")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// Reads a PNG file (any bit depth or colour type that libpng/Cairo accept).
    /// Throws `PlottingError` (`image.readPNG`) naming the path and Cairo's reason when it cannot.
    public init(pngPath path: String) throws {
        self = try Canvas.readPNG(path: path).get()
    }

    /// The pixel at column `x`, row `y` (from the top) as (red, green, blue, alpha) bytes, or nil outside the image.
    public func pixel(x: Int, y: Int) -> (red: UInt8, green: UInt8, blue: UInt8, alpha: UInt8)? {
        guard x >= 0, y >= 0, x < width, y < height else { return nil }
        let index = (y * width + x) * 4
        return (pixels[index], pixels[index + 1], pixels[index + 2], pixels[index + 3])
    }

    /// The pixel at (x, y) as a `Color`, or nil outside the image.
    public func color(x: Int, y: Int) -> Color? {
        guard let pixel = pixel(x: x, y: y) else { return nil }
        return Color(red: Double(pixel.red) / 255, green: Double(pixel.green) / 255, blue: Double(pixel.blue) / 255,
                     alpha: Double(pixel.alpha) / 255)
    }
}
