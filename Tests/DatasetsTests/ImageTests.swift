import Foundation
import Testing
import Tensors
@testable import Datasets

// MARK: - Fixtures written by scripts/fixtures/image_fixtures.py (Pillow 13.0.0, numpy 2.4.6).

struct ImageFixtures: Decodable {
    struct Record: Decodable {
        let shape: [Int]
        /// Integer samples are divided by `scale`; without it the values are floats already.
        let scale: Double?
        let values: [Double]
        var floats: [Float] { values.map { value in scale.map { Float(value) / Float($0) } ?? Float(value) } }
    }

    let pillow_version: String
    let png: [String: Record]
    let jpeg: [String: Record]
    let resize: [String: Record]

    static let folder: String = {
        let resources = Bundle.module.resourceURL!
        return resources.appendingPathComponent("Fixtures/images").path
    }()

    static let shared: ImageFixtures = {
        let url = URL(fileURLWithPath: folder + "/expected.json")
        return try! JSONDecoder().decode(ImageFixtures.self, from: Data(contentsOf: url))
    }()

    static func path(_ name: String) -> String { folder + "/" + name }
}

/// A fresh temporary folder per test.
func makeTemporaryFolder() -> String {
    let path = NSTemporaryDirectory() + "bm-images-\(UUID().uuidString)"
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func floats(_ tensor: Tensor) -> [Float] { tensor.astype(.float32).contiguous().scalars(as: Float.self) }

func maximumDifference(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count)
    return zip(a, b).map { Swift.abs($0 - $1) }.max() ?? 0
}

/// Deterministic pseudo-random integers for test images.
struct ImageRandom {
    var state: UInt64
    init(_ seed: UInt64) { state = seed &* 0x9E3779B97F4A7C15 | 1 }
    mutating func next(_ bound: Int) -> Int {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        return Int(state % UInt64(bound))
    }
}

let pngFixtureNames = ["gray8.png", "gray16.png", "gray1.png", "gray_alpha8.png", "rgb8.png", "rgba8.png",
                       "gray_alpha16.png", "rgb16.png", "rgba16.png", "rgb8_interlaced.png", "palette4.png",
                       "palette_transparent.png"]
let jpegFixtureNames = ["gray.jpg", "rgb420.jpg", "rgb444.jpg", "rgb_progressive.jpg"]

@Suite("Images: decoding")
struct ImageDecodingTests {
    @Test("PNG fixtures decode to the stored samples exactly", arguments: pngFixtureNames)
    func pngFixtures(name: String) throws {
        let expected = ImageFixtures.shared.png[name]!
        let image = try Images.load(ImageFixtures.path(name))
        #expect(image.dtype == .float32)
        #expect(image.shape == expected.shape)
        #expect(floats(image) == expected.floats)
    }

    // libjpeg-turbo 2.1.5 (Debian) and Pillow's bundled 3.2.0 both decode with the accurate integer IDCT and
    // fancy upsampling, which have not changed between those versions: on Debian bookworm every pixel of these
    // fixtures agrees exactly (checked when this test was written). The tolerance of 2/255 allows only for the
    // rounding of another libjpeg build (e.g. SIMD paths on another CPU), not for another method.
    @Test("JPEG fixtures decode as Pillow decodes them (±2/255)", arguments: jpegFixtureNames)
    func jpegFixtures(name: String) throws {
        let expected = ImageFixtures.shared.jpeg[name]!
        let image = try Images.load(ImageFixtures.path(name))
        #expect(image.shape == expected.shape)
        #expect(maximumDifference(floats(image), expected.floats) <= 2 / 255 + 1e-6)
    }

    /// The reference conversion, written out per pixel from the expected samples.
    static func converted(_ values: [Float], from source: Int, to target: Int) -> [Float] {
        var result: [Float] = []
        for pixel in 0..<(values.count / source) {
            let p = Array(values[(pixel * source)..<((pixel + 1) * source)])
            let color = source >= 3 ? Array(p[0..<3]) : [p[0]]
            let alpha: Float = (source == 2 || source == 4) ? p[source - 1] : 1
            switch target {
            case 1: result += [color.count == 3 ? 0.299 * color[0] + 0.587 * color[1] + 0.114 * color[2] : color[0]]
            case 3: result += color.count == 3 ? color : [color[0], color[0], color[0]]
            default: result += (color.count == 3 ? color : [color[0], color[0], color[0]]) + [alpha]
            }
        }
        return result
    }

    @Test("channels: converts gray, gray + alpha, RGB and RGBA to 1, 3 and 4 channels",
          arguments: ["gray8.png", "gray_alpha8.png", "rgb8.png", "rgba16.png", "palette_transparent.png"], [1, 3, 4])
    func channelConversion(name: String, channels: Int) throws {
        let expected = ImageFixtures.shared.png[name]!
        let image = try Images.load(ImageFixtures.path(name), channels: channels)
        #expect(image.shape == [expected.shape[0], expected.shape[1], channels])
        let reference = Self.converted(expected.floats, from: expected.shape[2], to: channels)
        #expect(maximumDifference(floats(image), reference) <= 1e-6)
    }

    @Test("decode reads bytes from memory as load reads the file")
    func decodeFromMemory() throws {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: ImageFixtures.path("rgb420.jpg"))))
        #expect(floats(try Images.decode(bytes)) == floats(try Images.load(ImageFixtures.path("rgb420.jpg"))))
        #expect(try Images.decode(bytes, channels: 1).shape == [16, 21, 1])
    }
}

@Suite("Images: PNG encoding")
struct ImageEncodingTests {
    /// Samples `k / maximum` for random `k`, so that encoding is exact and the round trip must return them.
    static func quantized(_ shape: [Int], maximum: Int, seed: UInt64) throws -> (Tensor, [Int64]) {
        var random = ImageRandom(seed)
        let integers = (0..<shape.reduce(1, *)).map { _ in Int64(random.next(maximum + 1)) }
        let values = integers.map { Float($0) / Float(maximum) }
        return (try Tensor(shape: shape, scalars: values), integers)
    }

    @Test("save → load returns the same samples", arguments: [1, 2, 3, 4], [8, 16])
    func roundTrip(channels: Int, bitDepth: Int) throws {
        let maximum = (1 << bitDepth) - 1
        let (image, _) = try Self.quantized([7, 11, channels], maximum: maximum, seed: UInt64(channels * bitDepth))
        let path = makeTemporaryFolder() + "/image.png"
        try Images.savePNG(path, image, bitDepth: bitDepth)
        let loaded = try Images.load(path)
        #expect(loaded.shape == [7, 11, channels])
        #expect(floats(loaded) == floats(image))
        // Encoding in memory gives the same file.
        #expect(try Images.encodePNG(image, bitDepth: bitDepth)
                    == [UInt8](Data(contentsOf: URL(fileURLWithPath: path))))
    }

    @Test("float64, int64 samples, [h, w] tensors and transposed views")
    func inputKinds() throws {
        let (image, integers) = try Self.quantized([5, 6, 3], maximum: 255, seed: 9)
        let fromDouble = try Images.decode(Images.encodePNG(image.astype(.float64)))
        #expect(floats(fromDouble) == floats(image))
        let fromIntegers = try Images.decode(Images.encodePNG(Tensor(shape: [5, 6, 3], scalars: integers)))
        #expect(floats(fromIntegers) == floats(image))
        let gray = try image.sliced(axis: 2, 0..<1).reshaped([5, 6])
        #expect(floats(try Images.decode(Images.encodePNG(gray))) == floats(gray))
        let transposed = try image.permuted([1, 0, 2])
        let loaded = try Images.decode(Images.encodePNG(transposed))
        #expect(loaded.shape == [6, 5, 3])
        #expect(floats(loaded) == floats(transposed))
    }

    @Test("floats are clipped to [0, 1] and rounded to the nearest level")
    func clippingAndRounding() throws {
        let values: [Float] = [-0.5, 0, 0.5 / 255 - 1e-4, 0.5 / 255 + 1e-4, 0.5, 1, 3]
        let image = try Tensor(shape: [1, 7, 1], scalars: values)
        let loaded = floats(try Images.decode(Images.encodePNG(image)))
        let levels: [Float] = [0, 0, 0, 1, 128, 255, 255]
        #expect(loaded == levels.map { $0 / 255 })
        let loaded16 = floats(try Images.decode(Images.encodePNG(image, bitDepth: 16)))
        let levels16: [Float] = [0, 0, 122, 135, 32768, 65535, 65535]
        #expect(loaded16 == levels16.map { $0 / 65535 })
    }

    @Test("16-bit samples survive exactly, unlike 8-bit")
    func sixteenBitPrecision() throws {
        let image = try Tensor(shape: [1, 2, 1], scalars: [Float(1) / 65535, Float(40000) / 65535])
        #expect(floats(try Images.decode(Images.encodePNG(image, bitDepth: 16))) == floats(image))
        #expect(floats(try Images.decode(Images.encodePNG(image))) == [0, Float(156) / 255])
    }

    @Test("savePNG replaces a file atomically and leaves nothing else behind")
    func saveReplaces() throws {
        let folder = makeTemporaryFolder()
        let path = folder + "/figure.png"
        try Images.savePNG(path, try Tensor.zeros([2, 2, 3], dtype: .float32))
        try Images.savePNG(path, try Tensor.ones([3, 4, 1], dtype: .float32))
        #expect(try Images.load(path).shape == [3, 4, 1])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["figure.png"])
    }
}

@Suite("Images: resize, crop, normalize, layout")
struct ImageTransformTests {
    /// The resize formula written directly, one output sample at a time in double precision.
    static func naiveResize(_ values: [Double], height: Int, width: Int, channels: Int, outputHeight: Int,
                            outputWidth: Int, antialias: Bool) -> [Double] {
        func weights(_ input: Int, _ output: Int, _ index: Int) -> [(Int, Double)] {
            let scale = Double(input) / Double(output)
            let filterScale = antialias ? Swift.max(scale, 1) : 1
            let center = (Double(index) + 0.5) * scale
            var taps: [(Int, Double)] = []
            for j in 0..<input {
                let w = Swift.max(0, 1 - Swift.abs((Double(j) + 0.5 - center) / filterScale))
                if w > 0 { taps.append((j, w)) }
            }
            let total = taps.reduce(0) { $0 + $1.1 }
            return taps.map { ($0.0, $0.1 / total) }
        }
        var result: [Double] = []
        for y in 0..<outputHeight {
            for x in 0..<outputWidth {
                for c in 0..<channels {
                    var sum = 0.0
                    for (row, wy) in weights(height, outputHeight, y) {
                        for (column, wx) in weights(width, outputWidth, x) {
                            sum += wy * wx * values[(row * width + column) * channels + c]
                        }
                    }
                    result.append(sum)
                }
            }
        }
        return result
    }

    @Test("resize matches Pillow's float BILINEAR resize", arguments: ["5x7", "12x6", "19x25", "20x9", "3x16", "1x1"])
    func pillowFloat(size: String) throws {
        let source = ImageFixtures.shared.resize["float_source"]!
        let expected = ImageFixtures.shared.resize["float_" + size]!
        let image = try Tensor(shape: source.shape + [1], scalars: source.floats)
        let resized = try Images.resize(image, height: expected.shape[0], width: expected.shape[1])
        #expect(resized.shape == expected.shape + [1])
        #expect(maximumDifference(floats(resized), expected.floats) <= 2e-6)
    }

    // Pillow resizes 8-bit images in fixed point and rounds the intermediate rows and the result to integers; bm
    // resizes the float values, so the two may differ by up to one level.
    @Test("resize matches Pillow's 8-bit RGB resize within 1/255", arguments: ["4x6", "18x5"])
    func pillowEightBit(size: String) throws {
        let expected = ImageFixtures.shared.resize["rgb8_" + size]!
        let image = try Images.load(ImageFixtures.path("rgb8.png"))
        let resized = try Images.resize(image, height: expected.shape[0], width: expected.shape[1])
        #expect(resized.shape == expected.shape)
        #expect(maximumDifference(floats(resized), expected.floats) <= 1 / 255 + 1e-6)
    }

    @Test("resize matches the direct formula over shapes, both filters and both float dtypes",
          arguments: [[1, 1, 1], [4, 5, 3], [9, 2, 4], [17, 13, 2]], [[1, 1], [3, 2], [9, 2], [30, 20], [4, 13]])
    func naiveReference(input: [Int], output: [Int]) throws {
        var random = ImageRandom(UInt64(input.reduce(7, *) + output.reduce(3, *)))
        let values = (0..<input.reduce(1, *)).map { _ in Double(random.next(1000)) / 1000 }
        for antialias in [true, false] {
            let expected = Self.naiveResize(values, height: input[0], width: input[1], channels: input[2],
                                            outputHeight: output[0], outputWidth: output[1], antialias: antialias)
            for dtype in [DType.float32, .float64] {
                let image = try Tensor(shape: input, scalars: values).astype(dtype)
                let resized = try Images.resize(image, height: output[0], width: output[1], antialias: antialias)
                #expect(resized.dtype == dtype)
                #expect(resized.shape == [output[0], output[1], input[2]])
                let tolerance = dtype == .float32 ? 1e-5 : 1e-12
                let difference = zip(resized.astype(.float64).scalars(as: Double.self), expected)
                    .map { Swift.abs($0 - $1) }.max() ?? 0
                #expect(difference <= tolerance, "antialias \(antialias), \(dtype)")
            }
        }
    }

    @Test("a batch resizes each image as alone; views resize as their contiguous copies")
    func batchesAndViews() throws {
        var random = ImageRandom(5)
        let values = (0..<(3 * 10 * 14 * 2)).map { _ in Float(random.next(256)) / 255 }
        let batch = try Tensor(shape: [3, 10, 14, 2], scalars: values)
        let resized = try Images.resize(batch, height: 6, width: 21)
        #expect(resized.shape == [3, 6, 21, 2])
        for index in 0..<3 {
            let alone = try Images.resize(batch.selecting(index, axis: 0), height: 6, width: 21)
            #expect(floats(try resized.selecting(index, axis: 0)) == floats(alone))
        }
        // A channels-first batch seen as channels-last through a view.
        let channelsFirst = try Images.toChannelsFirst(batch).contiguous()
        let view = try Images.toChannelsLast(channelsFirst)
        #expect(!view.isContiguous)
        #expect(floats(try Images.resize(view, height: 6, width: 21)) == floats(resized))
        // Only one axis changing, or none.
        let widthOnly = try Images.resize(batch, height: 10, width: 5)
        let heightOnly = try Images.resize(batch, height: 4, width: 14)
        #expect(widthOnly.shape == [3, 10, 5, 2] && heightOnly.shape == [3, 4, 14, 2])
        #expect(floats(try Images.resize(batch, height: 10, width: 14)) == values)
        #expect(try Images.resize(Tensor.zeros([0, 4, 4, 3], dtype: .float32), height: 2, width: 2).shape == [0, 2, 2, 3])
    }

    @Test("resize(shorterSide:) keeps the aspect ratio as torchvision's Resize(int)",
          arguments: [([175, 175], 64, [64, 64]), ([100, 300], 50, [50, 150]), ([301, 200], 224, [337, 224]),
                      ([3, 7], 2, [2, 4])])
    func shorterSide(input: [Int], side: Int, expected: [Int]) throws {
        let image = try Tensor.zeros(input + [1], dtype: .float32)
        #expect(try Images.resize(image, shorterSide: side).shape == expected + [1])
    }

    @Test("centerCrop places the window as torchvision (halves round to even)",
          arguments: [(10, 5, 2), (7, 4, 2), (6, 3, 2), (9, 4, 2), (11, 4, 4), (5, 5, 0), (4, 1, 2)])
    func centerCrop(size: Int, crop: Int, expectedOffset: Int) throws {
        let values = (0..<(size * size)).map(Double.init)
        let image = try Tensor(shape: [size, size, 1], scalars: values)
        let cropped = try Images.centerCrop(image, height: crop, width: crop)
        #expect(cropped.shape == [crop, crop, 1])
        #expect(try cropped.scalar(at: [0, 0, 0]) == Double(expectedOffset * size + expectedOffset))
        let batch = try Tensor.zeros([2, size, size + 1, 3], dtype: .float32)
        #expect(try Images.centerCrop(batch, height: crop, width: crop).shape == [2, crop, crop, 3])
    }

    @Test("normalize subtracts the mean and divides by the std of each channel")
    func normalize() throws {
        let image = try Tensor(shape: [1, 2, 3], scalars: [0.5, 0.2, 1, 0, 0.456, 0.3] as [Float])
        let result = try Images.normalize(image, mean: Images.imagenetMean, std: Images.imagenetStd)
        #expect(result.dtype == .float32)
        let expected = [0.5, 0.2, 1, 0, 0.456, 0.3].enumerated().map { index, value in
            Float((value - Images.imagenetMean[index % 3]) / Images.imagenetStd[index % 3])
        }
        #expect(maximumDifference(floats(result), expected) <= 1e-6)
    }

    @Test("toChannelsFirst and toChannelsLast move the channel axis")
    func layout() throws {
        let values = (0..<(2 * 3 * 4 * 5)).map(Double.init)
        let batch = try Tensor(shape: [2, 3, 4, 5], scalars: values)
        let first = try Images.toChannelsFirst(batch)
        #expect(first.shape == [2, 5, 3, 4])
        #expect(try first.scalar(at: [1, 4, 2, 3]) == (try batch.scalar(at: [1, 2, 3, 4])))
        #expect(try Images.toChannelsLast(first).contiguous().scalars(as: Double.self) == values)
        let image = try batch.selecting(0, axis: 0)
        #expect(try Images.toChannelsFirst(image).shape == [5, 3, 4])
        #expect(try Images.toChannelsLast(Images.toChannelsFirst(image)).contiguous().scalars(as: Double.self)
                    == image.contiguous().scalars(as: Double.self))
    }
}

@Suite("Images: folders")
struct ImageFolderTests {
    /// Writes `count` RGB images named by `names` (sizes from `sizes`) and returns their tensors.
    static func writeImages(_ folder: String, names: [String], sizes: [(Int, Int)], channels: Int = 3) throws
        -> [Tensor] {
        var random = ImageRandom(UInt64(names.count * 31 + channels))
        return try zip(names, sizes).map { name, size in
            let count = size.0 * size.1 * channels
            let image = try Tensor(shape: [size.0, size.1, channels],
                                   scalars: (0..<count).map { _ in Float(random.next(256)) / 255 })
            try Images.savePNG(folder + "/" + name, image)
            return image
        }
    }

    @Test("natural order: digit runs compare as numbers",
          arguments: [("2.png", "10.png", true), ("10.png", "2.png", false), ("img9.png", "img10.png", true),
                      ("a.png", "b.png", true), ("B.png", "a.png", true), ("x2y3.png", "x2y10.png", true),
                      ("007.png", "8.png", true), ("01.png", "1.png", true), ("1.png", "01.png", false),
                      ("a.png", "a1.png", true), ("same.png", "same.png", false)])
    func naturalOrder(a: String, b: String, before: Bool) {
        #expect(Images.naturalOrder(a, b) == before)
    }

    @Test("loads every image in natural order, skipping other and hidden files")
    func ordering() throws {
        let folder = makeTemporaryFolder()
        let names = ["10.png", "2.png", "1.PNG", "3.jpg"]
        let images = try Self.writeImages(folder, names: Array(names[0..<3]), sizes: [(4, 5), (4, 5), (4, 5)])
        // A JPEG that is really a PNG: formats are recognised by content.
        try FileManager.default.copyItem(atPath: folder + "/2.png", toPath: folder + "/3.jpg")
        try Data("notes".utf8).write(to: URL(fileURLWithPath: folder + "/notes.txt"))
        try Data([0, 1, 2]).write(to: URL(fileURLWithPath: folder + "/._1.png"))
        try FileManager.default.createDirectory(atPath: folder + "/sub.png", withIntermediateDirectories: true)
        #expect(try Images.listFolder(folder) == ["1.PNG", "2.png", "3.jpg", "10.png"])
        let batch = try Images.loadFolder(folder)
        #expect(batch.shape == [4, 4, 5, 3])
        let expectedOrder = [images[2], images[1], images[1], images[0]]
        for (index, image) in expectedOrder.enumerated() {
            #expect(floats(try batch.selecting(index, axis: 0)) == floats(image))
        }
    }

    @Test("size and crop resize and crop each image as resize(shorterSide:) then centerCrop")
    func resizeAndCrop() throws {
        let folder = makeTemporaryFolder()
        let sizes = [(20, 30), (31, 17), (12, 12), (9, 40)]
        _ = try Self.writeImages(folder, names: ["a.png", "b.png", "c.png", "d.png"], sizes: sizes)
        for (size, crop) in [(8, nil), (9, 7), (12, 12)] as [(Int, Int?)] {
            let batch = try Images.loadFolder(folder, size: size, crop: crop)
            let side = crop ?? size
            #expect(batch.shape == [4, side, side, 3])
            for (index, name) in ["a.png", "b.png", "c.png", "d.png"].enumerated() {
                let reference = try Images.centerCrop(
                    Images.resize(Images.load(folder + "/" + name), shorterSide: size), height: side, width: side)
                #expect(maximumDifference(floats(try batch.selecting(index, axis: 0)), floats(reference)) <= 1e-6)
            }
        }
        // Crop alone.
        let cropped = try Images.loadFolder(folder, crop: 9)
        let reference = try Images.centerCrop(Images.load(folder + "/b.png"), height: 9, width: 9)
        #expect(floats(try cropped.selecting(1, axis: 0)) == floats(reference))
    }

    @Test("channels converts every image; mixed channel counts need it")
    func channels() throws {
        let folder = makeTemporaryFolder()
        _ = try Self.writeImages(folder, names: ["1.png"], sizes: [(3, 3)], channels: 1)
        _ = try Self.writeImages(folder, names: ["2.png"], sizes: [(3, 3)], channels: 4)
        let batch = try Images.loadFolder(folder, channels: 3)
        #expect(batch.shape == [2, 3, 3, 3])
        #expect(floats(try batch.selecting(0, axis: 0)) == floats(try Images.load(folder + "/1.png", channels: 3)))
        #expect(throws: DataError("images.loadFolder", path: folder,
                                  "images differ in channels: 1.png has 1 but 2.png has 4; pass channels: 1, 3 or 4 "
                                      + "to convert them all")) {
            try Images.loadFolder(folder)
        }
    }

    static let stimuli: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.deletingLastPathComponent().appendingPathComponent("shared/data/kriegeskorte92/stimuli").path
    }()

    @Test("the 92 Kriegeskorte stimuli load as [92, 175, 175, 3] with Pillow's pixel values",
          .enabled(if: FileManager.default.fileExists(atPath: stimuli),
                   "../shared/data/kriegeskorte92/stimuli is absent (real data beside the checkout)"))
    func kriegeskorte92() throws {
        let batch = try Images.loadFolder(Self.stimuli)
        #expect(batch.shape == [92, 175, 175, 3])
        #expect(try Images.listFolder(Self.stimuli).first == "01.png")
        // Values read with Pillow 13.0.0:
        //   a = np.asarray(Image.open(f"stimuli/{n}.png")); a[y, x]
        let pillow: [(image: Int, y: Int, x: Int, rgb: [Double])] = [
            (1, 0, 0, [128, 128, 128]), (1, 87, 100, [178, 123, 90]), (10, 50, 60, [100, 106, 131]),
            (47, 174, 174, [128, 128, 128]), (92, 120, 33, [246, 43, 49]),
        ]
        for sample in pillow {
            for channel in 0..<3 {
                let value = try batch.scalar(at: [sample.image - 1, sample.y, sample.x, channel])
                #expect(value == Double(Float(sample.rgb[channel]) / 255))
            }
        }
        // np.asarray(Image.open("stimuli/01.png")).mean() == 128.5162993197279 and
        // np.asarray(Image.open("stimuli/92.png")).astype(float).sum() == 17296379
        func levels(_ index: Int) throws -> [Int] {
            floats(try batch.selecting(index, axis: 0)).map { Int(($0 * 255).rounded()) }
        }
        let first = try levels(0)
        #expect(Swift.abs(Double(first.reduce(0, +)) / Double(first.count) - 128.5162993197279) < 1e-9)
        #expect(try levels(91).reduce(0, +) == 17296379)
    }
}

/// CRC-32 as PNG chunks use it, for hand-made headers.
func crc32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
    }
    return ~crc
}

func bigEndian(_ value: UInt32) -> [UInt8] { [24, 16, 8, 0].map { UInt8((value >> UInt32($0)) & 0xFF) } }

/// A PNG chunk: length, type, data, CRC.
func pngChunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
    let body = Array(type.utf8) + data
    return bigEndian(UInt32(data.count)) + body + bigEndian(crc32(body))
}

/// A PNG for a `width × height` 8-bit RGB image whose image data is a few bytes only.
func pngHeader(width: UInt32, height: UInt32) -> [UInt8] {
    [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        + pngChunk("IHDR", bigEndian(width) + bigEndian(height) + [8, 2, 0, 0, 0])
        + pngChunk("IDAT", [0x78, 0x9C, 0x03, 0x00]) + pngChunk("IEND", [])
}

@Suite("Images: errors")
struct ImageErrorTests {
    let folder = makeTemporaryFolder()

    func write(_ bytes: [UInt8], _ name: String) throws -> String {
        let path = folder + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("files that are missing, folders, empty, or not PNG/JPEG")
    func notImages() throws {
        let missing = folder + "/absent.png"
        #expect(throws: DataError("images.load", path: missing, "no such file")) { try Images.load(missing) }
        #expect(throws: DataError("images.load", path: folder,
                                  "is a folder, not an image file (Images.loadFolder reads a folder of images)")) {
            try Images.load(folder)
        }
        let empty = try write([], "empty.png")
        #expect(throws: DataError("images.load", path: empty, "the file is empty; bm reads PNG and JPEG images")) {
            try Images.load(empty)
        }
        let text = try write(Array("hello, world".utf8), "text.png")
        #expect(throws: DataError("images.load", path: text,
                                  "not a PNG or JPEG image (the file starts with bytes 68 65 6c 6c 6f 2c 20 77); "
                                      + "bm reads PNG and JPEG images")) {
            try Images.load(text)
        }
        let insideFile = empty + "/image.png"
        #expect(throws: DataError("images.load", path: insideFile, "cannot open: Not a directory")) {
            try Images.load(insideFile)
        }
        let gif = try write(Array("GIF89a".utf8) + [0, 0, 0], "animation.gif")
        #expect(throws: DataError("images.load", path: gif,
                                  "this is a GIF image, not an image bm can read; bm reads PNG and JPEG images")) {
            try Images.load(gif)
        }
        #expect(throws: DataError("images.decode", path: nil,
                                  "this is a TIFF image, not an image bm can read; bm reads PNG and JPEG images")) {
            try Images.decode([0x49, 0x49, 0x2A, 0x00, 8, 0, 0, 0])
        }
    }

    @Test("corrupt and truncated data name the format and the library's reason")
    func corrupt() throws {
        let png = try [UInt8](Data(contentsOf: URL(fileURLWithPath: ImageFixtures.path("rgb8.png"))))
        let truncated = try write(Array(png.prefix(png.count / 2)), "truncated.png")
        #expect(throws: DataError("images.load", path: truncated,
                                  "corrupt or truncated PNG data: the data ends early (truncated file)")) {
            try Images.load(truncated)
        }
        var badChecksum = png
        badChecksum[30] ^= 0xFF  // inside IHDR: its CRC no longer matches
        #expect(throws: DataError("images.decode", path: nil, "corrupt or truncated PNG data: IHDR: CRC error")) {
            try Images.decode(badChecksum)
        }
        let jpeg = try [UInt8](Data(contentsOf: URL(fileURLWithPath: ImageFixtures.path("rgb444.jpg"))))
        let cut = try write(Array(jpeg.prefix(jpeg.count * 3 / 4)), "cut.jpg")
        #expect(throws: DataError("images.load", path: cut,
                                  "corrupt or truncated JPEG data: Premature end of JPEG file")) {
            try Images.load(cut)
        }
        #expect(throws: DataError("images.decode", path: nil,
                                  "corrupt or truncated JPEG data: the data ends before the image size (no "
                                      + "start-of-frame marker)")) {
            try Images.decode([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x01, 0x00])
        }
    }

    @Test("JPEG processes libjpeg lacks are named as unsupported, not corrupt")
    func unsupportedProcess() throws {
        // A lossless (SOF3) frame header.
        let lossless: [UInt8] = [0xFF, 0xD8, 0xFF, 0xC3, 0x00, 0x0B, 0x08, 0x00, 0x10, 0x00, 0x10, 0x01,
                                 0x01, 0x11, 0x00, 0xFF, 0xD9]
        #expect(throws: DataError("images.decode", path: nil,
                                  "unsupported kind of JPEG: Unsupported JPEG process: SOF type 0xc3")) {
            try Images.decode(lossless)
        }
    }

    @Test("CMYK JPEGs are refused with the way out")
    func cmyk() throws {
        let path = ImageFixtures.path("cmyk.jpg")
        #expect(throws: DataError("images.load", path: path,
                                  "CMYK JPEG images are not supported (they need a colour profile to become RGB); "
                                      + "convert the file to RGB first, e.g. with Pillow: "
                                      + "Image.open(path).convert('RGB').save(new_path)")) {
            try Images.load(path)
        }
    }

    @Test("headers claiming absurd dimensions are refused before allocation")
    func absurdDimensions() throws {
        let png = try write(pngHeader(width: 1_000_000, height: 1_000_000), "huge.png")
        #expect(throws: DataError("images.load", path: png,
                                  "the PNG header claims 1000000 × 1000000 pixels, more than the 268435456 pixels bm "
                                      + "decodes (a corrupt or hostile file?)")) {
            try Images.load(png)
        }
        // A baseline JPEG start-of-frame for 60000 × 60000 pixels, three components.
        let frame: [UInt8] = [0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0xEA, 0x60, 0xEA, 0x60, 0x03,
                              0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01]
        let quantization: [UInt8] = [0xFF, 0xDB, 0x00, 0x43, 0x00] + [UInt8](repeating: 1, count: 64)
        let huffman: [UInt8] = [0xFF, 0xC4, 0x00, 0x14, 0x00] + [1] + [UInt8](repeating: 0, count: 15) + [0]
        let scan: [UInt8] = [0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00]
        let jpeg = try write(Array(frame.prefix(2)) + quantization + huffman + Array(frame.dropFirst(2)) + scan
                                 + [0x00, 0xFF, 0xD9], "huge.jpg")
        #expect(throws: DataError("images.load", path: jpeg,
                                  "the JPEG header claims 60000 × 60000 pixels, more than the 268435456 pixels bm "
                                      + "decodes (a corrupt or hostile file?)")) {
            try Images.load(jpeg)
        }
    }

    @Test("argument errors of load, loadFolder and the transforms")
    func arguments() throws {
        let path = ImageFixtures.path("rgb8.png")
        #expect(throws: DataError("images.load", path: path,
                                  "channels must be 1 (gray), 3 (RGB), 4 (RGBA) or nil (the file's own), got 2")) {
            try Images.load(path, channels: 2)
        }
        let image = try Tensor.zeros([4, 6, 3], dtype: .float32)
        #expect(throws: DataError("images.resize", path: nil,
                                  "expects an image [h, w, c] or a batch [n, h, w, c], got shape [4, 6]")) {
            try Images.resize(Tensor.zeros([4, 6], dtype: .float32), height: 2, width: 2)
        }
        #expect(throws: DataError("images.resize", path: nil,
                                  "expects a float32 or float64 tensor, got int64 (convert with astype(.float32))")) {
            try Images.resize(image.astype(.int64), height: 2, width: 2)
        }
        #expect(throws: DataError("images.resize", path: nil, "output size must be at least 1 × 1, got 0 × 3")) {
            try Images.resize(image, height: 0, width: 3)
        }
        #expect(throws: DataError("images.resize", path: nil,
                                  "output size 100000 × 100000 is more than the 268435456 pixels bm makes per image")) {
            try Images.resize(image, height: 100_000, width: 100_000)
        }
        #expect(throws: DataError("images.resize", path: nil,
                                  "output size \(Int.max) × 2 is more than the 268435456 pixels bm makes per image")) {
            try Images.resize(image, height: Int.max, width: 2)
        }
        #expect(throws: DataError("images.resize", path: nil, "shorterSide must lie in 1...268435456, got \(Int.max)")) {
            try Images.resize(image, shorterSide: Int.max)
        }
        #expect(throws: DataError("images.resize", path: nil, "shorterSide must lie in 1...268435456, got 0")) {
            try Images.resize(image, shorterSide: 0)
        }
        #expect(throws: DataError("images.resize", path: nil, "cannot resize an empty image of shape [0, 6, 3]")) {
            try Images.resize(Tensor.zeros([0, 6, 3], dtype: .float32), height: 2, width: 2)
        }
        #expect(throws: DataError("images.centerCrop", path: nil,
                                  "crop 5 × 2 is larger than the image, 4 × 6 (height × width); resize it first")) {
            try Images.centerCrop(image, height: 5, width: 2)
        }
        #expect(throws: DataError("images.centerCrop", path: nil, "crop size must be at least 1 × 1, got 2 × 0")) {
            try Images.centerCrop(image, height: 2, width: 0)
        }
        #expect(throws: DataError("images.normalize", path: nil,
                                  "tensor of shape [4, 6, 3] has 3 channels (last axis) but mean has 2 values and "
                                      + "std 3")) {
            try Images.normalize(image, mean: [0, 0], std: [1, 1, 1])
        }
        #expect(throws: DataError("images.normalize", path: nil, "std values must be finite and nonzero, got 0.0")) {
            try Images.normalize(image, mean: [0, 0, 0], std: [1, 0, 1])
        }
        #expect(throws: DataError("images.normalize", path: nil, "expects a float32 or float64 tensor, got int64")) {
            try Images.normalize(image.astype(.int64), mean: [0, 0, 0], std: [1, 1, 1])
        }
        #expect(throws: DataError("images.normalize", path: nil,
                                  "expects a tensor with a channel axis (last), got a scalar")) {
            try Images.normalize(Tensor(scalar: Float(1)), mean: [], std: [])
        }
        #expect(throws: DataError("images.toChannelsFirst", path: nil,
                                  "expects [h, w, c] or [n, h, w, c], got shape [4, 6]")) {
            try Images.toChannelsFirst(Tensor.zeros([4, 6]))
        }
        #expect(throws: DataError("images.toChannelsLast", path: nil,
                                  "expects [c, h, w] or [n, c, h, w], got shape [1, 2, 3, 4, 5]")) {
            try Images.toChannelsLast(Tensor.zeros([1, 2, 3, 4, 5]))
        }
    }

    @Test("encodePNG and savePNG refuse what a PNG cannot hold")
    func encoding() throws {
        let image = try Tensor.zeros([2, 3, 3], dtype: .float32)
        #expect(throws: DataError("images.encodePNG", path: nil, "bitDepth must be 8 or 16, got 12")) {
            try Images.encodePNG(image, bitDepth: 12)
        }
        #expect(throws: DataError("images.encodePNG", path: nil,
                                  "expects [h, w] or [h, w, c] with c 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 "
                                      + "(RGBA), got shape [2, 3, 5]")) {
            try Images.encodePNG(Tensor.zeros([2, 3, 5]))
        }
        #expect(throws: DataError("images.encodePNG", path: nil, "cannot encode an empty image of shape [0, 3, 3]")) {
            try Images.encodePNG(Tensor.zeros([0, 3, 3]))
        }
        #expect(throws: DataError("images.encodePNG", path: nil,
                                  "expects float values in [0, 1] or integer samples, got a bool tensor")) {
            try Images.encodePNG(image.astype(.bool))
        }
        #expect(throws: DataError("images.encodePNG", path: nil,
                                  "the image contains NaN values; nothing to store for them")) {
            try Images.encodePNG(Tensor(shape: [1, 2, 1], scalars: [0.5, Double.nan]))
        }
        #expect(throws: DataError("images.encodePNG", path: nil,
                                  "int64 samples must lie in 0...255 for bitDepth 8, found 256")) {
            try Images.encodePNG(Tensor(shape: [1, 2, 1], scalars: [0, 256] as [Int64]))
        }
        #expect(throws: DataError("images.encodePNG", path: nil,
                                  "int64 samples must lie in 0...65535 for bitDepth 16, found -1")) {
            try Images.encodePNG(Tensor(shape: [1, 2, 1], scalars: [-1, 5] as [Int64]), bitDepth: 16)
        }
        // A broadcast view: 2^28 + 16384 pixels without the memory behind them.
        let huge = try Tensor(scalar: Float(0)).broadcast(to: [16385, 16384, 1])
        #expect(throws: DataError("images.encodePNG", path: nil,
                                  "image of 16385 × 16384 pixels is larger than the 268435456 pixels bm writes")) {
            try Images.encodePNG(huge)
        }
        let inMissingFolder = folder + "/absent/figure.png"
        #expect(throws: DataError("images.savePNG", path: inMissingFolder, "folder \(folder)/absent does not exist")) {
            try Images.savePNG(inMissingFolder, image)
        }
        #expect(throws: DataError("images.savePNG", path: folder + "/x.png", "bitDepth must be 8 or 16, got 4")) {
            try Images.savePNG(folder + "/x.png", image, bitDepth: 4)
        }
    }

    @Test("folder errors name the folder or the files concerned")
    func folders() throws {
        let missing = folder + "/absent"
        #expect(throws: DataError("images.loadFolder", path: missing, "no such folder")) {
            try Images.loadFolder(missing)
        }
        #expect(throws: DataError("images.listFolder", path: missing, "no such folder")) {
            try Images.listFolder(missing)
        }
        let file = ImageFixtures.path("rgb8.png")
        #expect(throws: DataError("images.loadFolder", path: file,
                                  "is a file, not a folder (Images.load reads one image)")) {
            try Images.loadFolder(file)
        }
        let empty = folder + "/empty"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: empty + "/readme.txt"))
        #expect(throws: DataError("images.loadFolder", path: empty,
                                  "no .png, .jpg or .jpeg files in the folder; bm reads PNG and JPEG images")) {
            try Images.loadFolder(empty)
        }
        let mixed = folder + "/mixed"
        try FileManager.default.createDirectory(atPath: mixed, withIntermediateDirectories: true)
        _ = try ImageFolderTests.writeImages(mixed, names: ["1.png", "2.png", "3.png"], sizes: [(4, 5), (4, 5), (6, 2)])
        #expect(throws: DataError("images.loadFolder", path: mixed,
                                  "images differ in size: 1.png is 4 × 5 but 3.png is 6 × 2 (height × width); pass "
                                      + "size: to resize them all")) {
            try Images.loadFolder(mixed)
        }
        #expect(throws: DataError("images.loadFolder", path: mixed + "/3.png",
                                  "3.png is 6 × 2, smaller than the 3 × 3 crop; pass size: to resize first")) {
            try Images.loadFolder(mixed, crop: 3)
        }
        #expect(throws: DataError("images.loadFolder", path: mixed,
                                  "crop 5 is larger than size 4 (the shorter side after resizing)")) {
            try Images.loadFolder(mixed, size: 4, crop: 5)
        }
        #expect(throws: DataError("images.loadFolder", path: mixed,
                                  "channels must be 1 (gray), 3 (RGB), 4 (RGBA) or nil (the file's own), got 0")) {
            try Images.loadFolder(mixed, channels: 0)
        }
        #expect(throws: DataError("images.loadFolder", path: mixed,
                                  "size 20000 makes images of more than the 268435456 pixels bm makes per image")) {
            try Images.loadFolder(mixed, size: 20_000)
        }
        #expect(throws: DataError("images.loadFolder", path: mixed, "size must be at least 1, got 0")) {
            try Images.loadFolder(mixed, size: 0)
        }
        #expect(throws: DataError("images.loadFolder", path: mixed, "crop must be at least 1, got -2")) {
            try Images.loadFolder(mixed, crop: -2)
        }
        try Data("broken".utf8).write(to: URL(fileURLWithPath: mixed + "/2.png"))
        #expect(throws: DataError("images.loadFolder", path: mixed + "/2.png",
                                  "not a PNG or JPEG image (the file starts with bytes 62 72 6f 6b 65 6e); bm reads "
                                      + "PNG and JPEG images")) {
            try Images.loadFolder(mixed, size: 2)
        }
    }
}
