import Datasets
import Language
import Tensors

/// The `npy`, `npz` and `safetensors` modules: numpy's array files and Hugging Face's weight files.
enum NumPyLibrary {
    static func install(_ context: BindingContext) {
        context.interpreter.registerModule("npy", [
            ("load", context.function("npy.load", "load(path)",
                                      "Loads a numpy .npy file → tensor of its shape (f2/f4 → float32, f8 → float64, "
                                      + "every integer width → int64, bool). Large files are memory-mapped.\n"
                                      + "Errors: missing file, not a .npy file, unsupported dtype, truncated data.") {
                arguments in context.wrap(try NPY.load(try arguments.string(0, "path")))
            }),
            ("save", context.function("npy.save", "save(path, tensor)",
                                      "Writes tensor as numpy.save does (atomically) → nil. Errors: missing folder, "
                                      + "failed write.") { arguments in
                try NPY.save(try arguments.string(0, "path"),
                             try TensorConversion.tensor(from: arguments.value(1, "tensor"), operation: "npy.save"))
                return .nil
            }),
        ], documentation: "npy: npy.load(path) → tensor, npy.save(path, tensor) (numpy's .npy format).", global: true)

        context.interpreter.registerModule("npz", [
            ("load", context.function("npz.load", "load(path)",
                                      "Loads a numpy .npz archive → record name → tensor, in archive order.\n"
                                      + "Errors: missing file, not a zip archive, corrupt member (named).") { arguments in
                DataConversion.tensorRecord(context, try NPZ.load(try arguments.string(0, "path")))
            }),
            ("save", context.function("npz.save", "save(path, arrays, compressed=true)",
                                      "Writes a record name → tensor as numpy.savez_compressed (or savez with "
                                      + "compressed=false) does, atomically → nil.\nErrors: a value that is not a "
                                      + "tensor, missing folder, failed write.") { arguments in
                try NPZ.save(try arguments.string(0, "path"),
                             try DataConversion.namedTensors(arguments, 1, "arrays", operation: "npz.save"),
                             compressed: try arguments.optionalBool(2, "compressed") ?? true)
                return .nil
            }),
        ], documentation: "npz: npz.load(path) → record of tensors, npz.save(path, record, compressed=true).", global: true)

        context.interpreter.registerModule("safetensors", [
            ("load", context.function("safetensors.load", "load(path)",
                                      "Loads a .safetensors file → record name → tensor, in file order (F16/BF16 → "
                                      + "float32, integers → int64).\nErrors: missing file, bad header, unsupported "
                                      + "dtype, overlapping or out-of-range tensors.") { arguments in
                DataConversion.tensorRecord(context, try Safetensors.load(try arguments.string(0, "path")).tensors)
            }),
            ("metadata", context.function("safetensors.metadata", "metadata(path)",
                                          "The header's __metadata__ of a .safetensors file → record of strings.\n"
                                          + "Errors: those of safetensors.load.") {
                arguments in
                let metadata = try Safetensors.load(try arguments.string(0, "path")).metadata
                return .makeRecord(metadata.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })
            }),
            ("save", context.function("safetensors.save", "save(path, tensors, metadata={})",
                                      "Writes a record name → tensor (float32, float64, int64, bool) with string "
                                      + "metadata as the safetensors library does, atomically → nil.\nErrors: a "
                                      + "non-string metadata value, reserved name __metadata__, failed write.") {
                arguments in
                let metadata = try H5Library.optionalRecord(arguments, 2, "metadata")
                try Safetensors.save(try arguments.string(0, "path"),
                                     try DataConversion.namedTensors(arguments, 1, "tensors", operation: "safetensors.save"),
                                     metadata: try metadata.map { try DataConversion.stringMap($0, operation: "safetensors.save") } ?? [:])
                return .nil
            }),
        ], documentation: "safetensors: load(path) → record of tensors, metadata(path), save(path, record, metadata={}).",
           global: true)
    }
}
