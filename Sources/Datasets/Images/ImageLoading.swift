import Dispatch
import Foundation
import Synchronization
import Tensors

/// Images as float tensors: PNG and JPEG decoding, folders of stimuli, resizing, cropping and normalisation.
///
/// Layout: one image is `[height, width, channels]`, a batch `[n, height, width, channels]` (channels last, as
/// Pillow, numpy and TensorFlow hold them; `toChannelsFirst` gives PyTorch's `[n, channels, height, width]`).
/// Values are float32 in [0, 1]: 8-bit samples divided by 255, 16-bit ones by 65535.
public enum Images {
    /// The largest image (width × height) bm decodes. Headers are checked against it before any allocation, so a
    /// corrupt or hostile file cannot ask for terabytes.
    public static let maximumPixels = 1 << 28

    /// ImageNet's per-channel RGB mean and standard deviation (torchvision's constants), for `normalize`.
    public static let imagenetMean: [Double] = [0.485, 0.456, 0.406]
    public static let imagenetStd: [Double] = [0.229, 0.224, 0.225]

    /// File name extensions `loadFolder` reads (case-insensitive).
    public static let imageExtensions: Set<String> = ["png", "jpg", "jpeg"]

    /// Loads one PNG or JPEG (recognised by content, not name) as float32 `[height, width, channels]` in [0, 1].
    ///
    /// PNG: gray, gray + alpha, RGB, RGBA and palette images, 1–16 bits; a palette becomes RGB, or RGBA when the file
    /// has transparency (a tRNS chunk gives gray and RGB images an alpha channel too). Values are the stored samples:
    /// no gamma or colour-profile conversion (as Pillow). JPEG: gray and RGB (YCbCr); CMYK is refused. An EXIF
    /// orientation tag is not applied (as Pillow's `Image.open`): pixels come in stored order.
    /// - Parameter channels: nil keeps the file's own (1 gray, 2 gray + alpha, 3 RGB, 4 RGBA); 1, 3 or 4 converts:
    ///   gray → RGB repeats the value; RGBA → RGB and gray + alpha → gray drop alpha (no compositing on a
    ///   background); RGB → gray is the luma 0.299 R + 0.587 G + 0.114 B; adding alpha gives 1 (opaque).
    /// - Throws: `DataError("images.load", path:, …)` for a missing file, a file that is not PNG or JPEG (naming the
    ///   formats bm reads), corrupt or truncated data, a CMYK JPEG, more than `maximumPixels` pixels, or `channels`
    ///   other than nil, 1, 3, 4.
    public static func load(_ path: String, channels: Int? = nil) throws -> Tensor {
        let operation = "images.load"
        try validate(channels: channels, path: path, operation: operation)
        let bytes = try ImageDecoding.readFile(path, operation: operation)
        return try decodeOne(bytes, channels: channels, path: path, operation: operation)
    }

    /// Decodes PNG or JPEG bytes held in memory, as `load` does a file. Throws `DataError("images.decode", …)`.
    public static func decode(_ bytes: [UInt8], channels: Int? = nil) throws -> Tensor {
        let operation = "images.decode"
        try validate(channels: channels, path: nil, operation: operation)
        return try decodeOne(bytes, channels: channels, path: nil, operation: operation)
    }

    private static func decodeOne(_ bytes: [UInt8], channels: Int?, path: String?, operation: String) throws -> Tensor {
        let header = try ImageDecoding.header(of: bytes, path: path, operation: operation)
        let target = channels ?? header.channels
        let result = try Tensor.zeros([header.height, header.width, target], dtype: .float32)
        var scratch: [UInt8] = []
        try ImageDecoding.decode(bytes, header: header, channels: target, path: path, operation: operation,
                                 scratch: &scratch, into: result.mutablePointer(Float.self))
        return result
    }

    static func validate(channels: Int?, path: String?, operation: String) throws {
        if let channels, ![1, 3, 4].contains(channels) {
            throw DataError(operation, path: path,
                            "channels must be 1 (gray), 3 (RGB), 4 (RGBA) or nil (the file's own), got \(channels)")
        }
    }

    /// The image files `loadFolder` reads, in its order: names ending in .png, .jpg or .jpeg (any case), not
    /// hidden (no leading "."), sorted naturally: runs of digits compare as numbers, so "2.png" comes before
    /// "10.png"; other characters compare by their UTF-8 bytes (so uppercase before lowercase). Subfolders are not
    /// searched. Throws `DataError("images.listFolder", …)` when `path` is missing or not a folder.
    public static func listFolder(_ path: String) throws -> [String] {
        try listFolder(path, operation: "images.listFolder")
    }

    static func listFolder(_ path: String, operation: String) throws -> [String] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw DataError(operation, path: path, "no such folder")
        }
        guard isFolder.boolValue else {
            throw DataError(operation, path: path, "is a file, not a folder (Images.load reads one image)")
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw DataError(operation, path: path, "cannot list the folder: \(error.localizedDescription)")
        }
        return names.filter { name in
            guard !name.hasPrefix("."), let dot = name.lastIndex(of: "."),
                  imageExtensions.contains(name[name.index(after: dot)...].lowercased()) else { return false }
            var isSubfolder: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent(name),
                                               isDirectory: &isSubfolder)
            return !isSubfolder.boolValue
        }.sorted(by: naturalOrder)
    }

    /// True when `a` sorts before `b` in natural order (digit runs compared as numbers; ties broken bytewise).
    static func naturalOrder(_ a: String, _ b: String) -> Bool {
        let left = Array(a.utf8), right = Array(b.utf8)
        func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
        var i = 0, j = 0
        while i < left.count && j < right.count {
            if isDigit(left[i]) && isDigit(right[j]) {
                var endLeft = i, endRight = j
                while endLeft < left.count && isDigit(left[endLeft]) { endLeft += 1 }
                while endRight < right.count && isDigit(right[endRight]) { endRight += 1 }
                // Compare the numbers without leading zeros: longer is larger, equal length compares digitwise.
                var startLeft = i, startRight = j
                while startLeft < endLeft - 1 && left[startLeft] == 0x30 { startLeft += 1 }
                while startRight < endRight - 1 && right[startRight] == 0x30 { startRight += 1 }
                let lengthLeft = endLeft - startLeft, lengthRight = endRight - startRight
                if lengthLeft != lengthRight { return lengthLeft < lengthRight }
                for offset in 0..<lengthLeft where left[startLeft + offset] != right[startRight + offset] {
                    return left[startLeft + offset] < right[startRight + offset]
                }
                i = endLeft
                j = endRight
            } else {
                if left[i] != right[j] { return left[i] < right[j] }
                i += 1
                j += 1
            }
        }
        if (left.count - i) != (right.count - j) { return (left.count - i) < (right.count - j) }
        return left.lexicographicallyPrecedes(right)
    }
}
