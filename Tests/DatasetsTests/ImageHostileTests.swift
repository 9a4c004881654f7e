import Foundation
import Testing
import Tensors
@testable import Datasets

/// Damaged files must give a `DataError` or a valid image, never a crash, a hang or an absurd allocation.
@Suite("Images: hostile files")
struct ImageHostileTests {
    static let files = ["rgb8.png", "rgba16.png", "palette_transparent.png", "rgb8_interlaced.png", "gray1.png",
                        "rgb420.jpg", "gray.jpg", "rgb_progressive.jpg"]

    static func bytes(_ name: String) throws -> [UInt8] {
        try [UInt8](Data(contentsOf: URL(fileURLWithPath: ImageFixtures.path(name))))
    }

    /// Decodes `bytes`; returns the error message or nil when a valid image came back.
    static func outcome(_ bytes: [UInt8], name: String) -> String? {
        do {
            let image = try Images.decode(bytes)
            // A decoded image must be well formed and in range.
            #expect(image.rank == 3 && image.count > 0, "\(name)")
            let values = floats(image)
            #expect(values.allSatisfy { $0 >= 0 && $0 <= 1 }, "\(name)")
            return nil
        } catch let error as DataError {
            #expect(error.operation == "images.decode" && error.path == nil)
            return error.message
        } catch {
            Issue.record("\(name): unexpected error type \(error)")
            return "\(error)"
        }
    }

    @Test("truncated at every 10% of the length: a clear error, or the intact image", arguments: files)
    func truncated(name: String) throws {
        let original = try Self.bytes(name)
        let intact = floats(try Images.decode(original))
        let format = name.hasSuffix(".png") ? "PNG" : "JPEG"
        for tenth in 0..<10 {
            let cut = Array(original.prefix(original.count * tenth / 10))
            do {
                // A cut that loses only the chunks after the pixel data (PNG's IEND) may decode, but never to an
                // image with missing rows filled in.
                #expect(floats(try Images.decode(cut)) == intact, "\(name) cut at \(tenth)0% decoded differently")
            } catch let error as DataError {
                let allowed = error.message == "the file is empty; bm reads PNG and JPEG images"
                    || error.message.hasPrefix("not a PNG or JPEG image")
                    || error.message.hasPrefix("corrupt or truncated \(format) data: ")
                #expect(allowed, "\(name) cut at \(tenth)0%: \(error.message)")
            }
        }
    }

    @Test("seeded random byte flips: an error or a valid image", arguments: files)
    func flipped(name: String) throws {
        let original = try Self.bytes(name)
        var random = ImageRandom(UInt64(original.count))
        var errors = 0
        for trial in 0..<60 {
            var damaged = original
            // 1 to 8 bytes replaced anywhere after the signature, which is tested separately above.
            for _ in 0...random.next(8) {
                let position = 8 + random.next(damaged.count - 8)
                damaged[position] = UInt8(random.next(256))
            }
            if let message = Self.outcome(damaged, name: "\(name) trial \(trial)") {
                errors += 1
                let known = message.hasPrefix("corrupt or truncated ")
                    || message.hasPrefix("the PNG header claims ") || message.hasPrefix("the JPEG header claims ")
                    || message.hasPrefix("CMYK JPEG images are not supported")
                    || message.hasPrefix("unsupported kind of JPEG: ")  // a damaged precision or process byte
                #expect(known, "\(name) trial \(trial): \(message)")
            }
        }
        // Most damage is detected (PNG checks a CRC on every chunk); if none were, the flips did not happen.
        #expect(errors > 0)
    }

    @Test("the same damaged file fails the same way in loadFolder, naming the file")
    func inFolder() throws {
        let folder = makeTemporaryFolder()
        let original = try Self.bytes("rgb8.png")
        try Data(original).write(to: URL(fileURLWithPath: folder + "/1.png"))
        try Data(original.prefix(original.count / 2)).write(to: URL(fileURLWithPath: folder + "/2.png"))
        #expect(throws: DataError("images.loadFolder", path: folder + "/2.png",
                                  "corrupt or truncated PNG data: the data ends early (truncated file)")) {
            try Images.loadFolder(folder)
        }
    }
}
