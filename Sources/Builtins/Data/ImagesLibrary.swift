import Datasets
import Foundation
import Language
import Tensors

/// The `images` module: PNG/JPEG stimuli as float32 tensors `[h, w, c]` / `[n, h, w, c]` in [0, 1], and the
/// torchvision transforms models expect.
enum ImagesLibrary {
    static func install(_ context: BindingContext) {
        func tensor(_ arguments: Arguments, _ operation: String) throws -> Tensor {
            try TensorConversion.tensor(from: arguments.value(0, "image"), operation: operation)
        }
        /// A size argument: a number (square, or the shorter side for resize) or [height, width].
        func size(_ arguments: Arguments, _ index: Int, _ name: String) throws -> (height: Int, width: Int)? {
            guard let value = arguments.optional(index, name), !value.isNil else { return nil }
            if case .number = value { let side = try arguments.integer(index, name); return (side, side) }
            let sides = try arguments.integers(index, name)
            guard sides.count == 2 else {
                throw LanguageError("\(arguments.functionName): \(name) must be a number or [height, width], got "
                                    + "\(sides.count) numbers")
            }
            return (sides[0], sides[1])
        }
        let members: [(String, Value)] = [
            ("load", context.function("images.load", "load(path, size=nil, crop=nil, channels=nil)",
                                      "One PNG/JPEG file → float32 [h, w, c] in [0, 1]; a folder → [n, h, w, c] of its "
                                      + ".png/.jpg files in natural order (2.png before 10.png), decoded in parallel.\n"
                                      + "size: resize so the shorter side is size; crop: then keep the central "
                                      + "crop × crop (torchvision's Resize + CenterCrop; crop defaults to size); "
                                      + "channels: 1, 3 or 4 converts.\nErrors: missing file or folder, not PNG/JPEG, "
                                      + "images of different sizes in a folder without size=, crop larger than the image.") {
                arguments in
                let path = try arguments.string(0, "path")
                let side = try arguments.optionalInteger(1, "size")
                let crop = try arguments.optionalInteger(2, "crop")
                let channels = try arguments.optionalInteger(3, "channels")
                var isFolder: ObjCBool = false
                if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
                    return context.wrap(try Images.loadFolder(path, size: side, crop: crop, channels: channels))
                }
                var image = try Images.load(path, channels: channels)
                if let side { image = try Images.resize(image, shorterSide: side) }
                if let window = crop ?? side { image = try Images.centerCrop(image, height: window, width: window) }
                return context.wrap(image)
            }),
            ("save", context.function("images.save", "save(path, image, bit_depth=8)",
                                      "Writes [h, w, c] (c = 1, 2, 3, 4) or [h, w] as PNG, atomically → nil; floats are "
                                      + "clipped to [0, 1].\nErrors: another shape, NaN, bit_depth other than 8 or 16, "
                                      + "missing folder.") { arguments in
                try Images.savePNG(try arguments.string(0, "path"),
                                   try TensorConversion.tensor(from: arguments.value(1, "image"), operation: "images.save"),
                                   bitDepth: try arguments.optionalInteger(2, "bit_depth") ?? 8)
                return .nil
            }),
            ("resize", context.function("images.resize", "resize(image, size, antialias=true)",
                                        "[h, w, c] or [n, h, w, c] float → resized: size a number makes the shorter side "
                                        + "size (aspect kept), [height, width] is exact. Antialiased bilinear as Pillow "
                                        + "and torchvision.\nErrors: another rank or dtype, size below 1.") { arguments in
                let image = try tensor(arguments, "images.resize")
                let antialias = try arguments.optionalBool(2, "antialias") ?? true
                if case .number = try arguments.value(1, "size") {
                    return context.wrap(try Images.resize(image, shorterSide: try arguments.integer(1, "size"),
                                                          antialias: antialias))
                }
                let target = try size(arguments, 1, "size")!
                return context.wrap(try Images.resize(image, height: target.height, width: target.width, antialias: antialias))
            }),
            ("center_crop", context.function("images.center_crop", "center_crop(image, size)",
                                             "The central size × size (or [height, width]) window of [h, w, c] or "
                                             + "[n, h, w, c] → tensor.\nErrors: window larger than the image.") { arguments in
                let target = try size(arguments, 1, "size")!
                return context.wrap(try Images.centerCrop(try tensor(arguments, "images.center_crop"),
                                                          height: target.height, width: target.width))
            }),
            ("normalize", context.function("images.normalize", "normalize(image, mean=nil, std=nil)",
                                           "(x − mean[c]) / std[c] over the last (channel) axis → tensor; mean and std "
                                           + "default to ImageNet's (0.485, 0.456, 0.406), (0.229, 0.224, 0.225).\n"
                                           + "Errors: lengths that differ from the channels, a zero std.") { arguments in
                let mean = try arguments.optional(1, "mean").flatMap { $0.isNil ? nil : try arguments.numbers(1, "mean") }
                let std = try arguments.optional(2, "std").flatMap { $0.isNil ? nil : try arguments.numbers(2, "std") }
                return context.wrap(try Images.normalize(try tensor(arguments, "images.normalize"),
                                                         mean: mean ?? Images.imagenetMean, std: std ?? Images.imagenetStd))
            }),
            ("channels_first", context.function("images.channels_first", "channels_first(image)",
                                                "[n, h, w, c] → [n, c, h, w] (PyTorch's layout, a view), or [h, w, c] → [c, h, w].\n"
                                                + "Errors: a tensor of another rank.") {
                arguments in context.wrap(try Images.toChannelsFirst(try tensor(arguments, "images.channels_first")))
            }),
            ("channels_last", context.function("images.channels_last", "channels_last(image)",
                                               "[n, c, h, w] → [n, h, w, c] (a view), or [c, h, w] → [h, w, c].\n"
                                               + "Errors: a tensor of another rank.") {
                arguments in context.wrap(try Images.toChannelsLast(try tensor(arguments, "images.channels_last")))
            }),
            ("list", context.function("images.list", "list(folder)",
                                      "The image file names images.load reads from a folder, in its order → list of strings.\n"
                                      + "Errors: missing folder, a file instead of a folder.") {
                arguments in .makeList(try Images.listFolder(try arguments.string(0, "folder")).map { .string($0) })
            }),
        ]
        context.interpreter.registerModule("images", members, documentation:
            "images: load(path_or_folder, size=nil, crop=nil, channels=nil) → float32 [h, w, c] / [n, h, w, c] in [0, 1]; "
            + "save(path, image); resize, center_crop, normalize, channels_first, channels_last, list.", global: true)

        context.define("tmpdir", "tmpdir()",
                       "Creates a new empty folder under the system's temporary folder (unique per call, so parallel "
                       + "runs never collide) → its path. It is not removed automatically.\nErrors: the temporary folder is "
                       + "not writable.") { _ in
            var template = Array((NSTemporaryDirectory() + "/bm-XXXXXX").utf8CString)
            guard let created = mkdtemp(&template) else {
                throw LanguageError("tmpdir: cannot create a temporary folder: \(String(cString: strerror(errno)))")
            }
            return .string(String(cString: created))
        }
    }
}
