import Datasets
import Foundation
import Language
import Tensors

/// The `h5` module: HDF5 files as h5py shows them. `h5.open(path)` gives a file object (its root group): `keys()`,
/// `attrs`, `f["name"]` (a dataset or group object, paths allowed); datasets read lazily: `.shape`, `.dtype`,
/// `d[0:100, :]` reads only that hyperslab, `.read()` everything, `.blocks(rows)` streams.
enum H5Library {
    static func install(_ context: BindingContext) {
        let members: [(String, Value)] = [
            ("open", context.function("h5.open", "open(path, mode=\"r\")",
                                      "Opens an HDF5 file → file object (the root group: keys(), attrs, f[\"name\"]).\n"
                                      + "mode: \"r\" read only; \"r+\" edit in place; \"a\" edit, creating the file if absent; \"w\" "
                                      + "create (replacing any file). Edits change the file in place (h5.write is atomic).\n"
                                      + "Errors: missing file, folder, named pipe or device, empty or non-HDF5 file, MATLAB v5 .mat, "
                                      + "corrupt file.") {
                arguments in
                let path = try arguments.string(0, "path")
                let modeName = try arguments.optionalString(1, "mode") ?? "r"
                let modes: [String: HDF5File.Mode] = ["r": .read, "r+": .readWrite, "w": .create,
                                                      "a": FileManager.default.fileExists(atPath: path) ? .readWrite : .create]
                guard let mode = modes[modeName] else {
                    throw LanguageError("h5.open: unknown mode \"\(modeName)\" (use \"r\", \"r+\", \"a\" or \"w\")")
                }
                return .native(H5GroupObject(try HDF5File.open(path, mode: mode), context: context))
            }),
            ("read", context.function("h5.read", "read(path, name)",
                                      "Reads the numeric dataset `name` (a path inside the file) whole → tensor of its "
                                      + "shape (float32/float64/int64/bool).\nErrors: missing file, no such dataset (the "
                                      + "message lists the names that exist), string or unsupported element type.") {
                arguments in
                context.wrap(try HDF5.read(try arguments.string(0, "path"), try arguments.string(1, "name")))
            }),
            ("write", context.function("h5.write", "write(path, name, tensor, attrs={}, chunks=nil, gzip=nil)",
                                       "Writes a new file at path holding one dataset `name` = tensor, with attributes "
                                       + "attrs (numbers, bools, strings, lists, tensors), atomically (a failed write "
                                       + "leaves the old file). chunks: a chunk shape; gzip: level 0…9. → nil.\n"
                                       + "Errors: missing folder, bad chunk shape or level, failed write.") { arguments in
                try HDF5.write(try arguments.string(0, "path"), try arguments.string(1, "name"),
                               try TensorConversion.tensor(from: arguments.value(2, "tensor"), operation: "h5.write"),
                               attributes: try DataConversion.hdf5Attributes(optionalRecord(arguments, 3, "attrs"),
                                                                             operation: "h5.write"),
                               chunks: try optionalIntegers(arguments, 4, "chunks"),
                               gzip: try arguments.optionalInteger(5, "gzip"))
                return .nil
            }),
        ]
        context.interpreter.registerModule("h5", members, documentation:
            "h5: HDF5 files (h5py's model). h5.open(path, mode=\"r\") → file; f.keys(), f.attrs, f[\"group/dataset\"]; "
            + "dataset .shape .dtype .attrs, d[0:100, :] reads only that slab, d.read(), d.blocks(rows); "
            + "h5.read(path, name), h5.write(path, name, tensor, attrs={}).", global: true)
    }

    static func optionalRecord(_ arguments: Arguments, _ index: Int, _ name: String) throws -> Record? {
        guard let value = arguments.optional(index, name), !value.isNil else { return nil }
        return try arguments.record(index, name)
    }

    static func optionalIntegers(_ arguments: Arguments, _ index: Int, _ name: String) throws -> [Int]? {
        guard let value = arguments.optional(index, name), !value.isNil else { return nil }
        return try arguments.integers(index, name)
    }
}

/// An HDF5 group (the file object is its root group).
final class H5GroupObject: NativeObject {
    let group: HDF5Group
    let context: BindingContext

    init(_ group: HDF5Group, context: BindingContext) {
        self.group = group
        self.context = context
    }

    var typeName: String { group is HDF5File ? "h5.file" : "h5.group" }
    var displayString: String { "<\(group)>" }
    var memberNames: [String] { ["attrs", "path", "filename"] + H5GroupObject.methods.keys.sorted() }

    func attribute(_ name: String) throws -> Value? {
        switch name {
        case "attrs": return DataConversion.attributesRecord(context, try group.attributes())
        case "path": return .string(group.path)
        case "filename": return .string(group.filePath)
        default: return DataConversion.bind(H5GroupObject.methods, name, typeName: typeName, receiver: self, context: context)
        }
    }

    /// `g["name"]`: the dataset or group at that path.
    func subscriptGet(_ indices: [Subscript]) throws -> Value {
        guard indices.count == 1, case .value(.string(let name)) = indices[0] else {
            throw LanguageError("\(typeName): index with a member name, e.g. f[\"betas\"] or f[\"group/data\"]")
        }
        return try H5GroupObject.member(group, name, context: context)
    }

    static func member(_ group: HDF5Group, _ name: String, context: BindingContext) throws -> Value {
        if group.contains(name), try group.isGroup(name) {
            return .native(H5GroupObject(try group.group(name), context: context))
        }
        return .native(H5DatasetObject(try group.dataset(name), context: context))
    }

    func length() throws -> Int? { try group.keys().count }

    func makeIterator() throws -> (() throws -> Value?)? {
        var names = try group.keys()[...]
        return { names.popFirst().map { .string($0) } }
    }

    static let methods: [String: NativeMethod<H5GroupObject>] = [
        "keys": NativeMethod(signature: "keys()", documentation: "The member names (groups and datasets), sorted → list of strings.") {
            object, _, _ in .makeList(try object.group.keys().map { .string($0) })
        },
        "contains": NativeMethod(signature: "contains(name)", documentation: "True when the path `name` leads to a member.") {
            object, arguments, _ in .bool(object.group.contains(try arguments.string(0, "name")))
        },
        "write": NativeMethod(signature: "write(name, tensor, attrs={}, chunks=nil, gzip=nil)",
                              documentation: "Writes a new dataset (file opened with mode \"w\" or \"r+\") → dataset "
                                + "object. Errors: read-only file, existing name, bad chunks or gzip level.") {
            object, arguments, context in
            let tensor = try TensorConversion.tensor(from: arguments.value(1, "tensor"), operation: "h5.write")
            let dataset = try object.group.writeDataset(
                try arguments.string(0, "name"), tensor,
                chunks: try H5Library.optionalIntegers(arguments, 3, "chunks"), gzip: try arguments.optionalInteger(4, "gzip"),
                attributes: try DataConversion.hdf5Attributes(H5Library.optionalRecord(arguments, 2, "attrs"),
                                                              operation: "h5.write"))
            return .native(H5DatasetObject(dataset, context: context))
        },
        "create_group": NativeMethod(signature: "create_group(name)",
                                     documentation: "Creates a group (and missing parents) → group object.") {
            object, arguments, context in
            .native(H5GroupObject(try object.group.createGroup(try arguments.string(0, "name")), context: context))
        },
        "set_attr": NativeMethod(signature: "set_attr(name, value)",
                                 documentation: "Sets an attribute of this group (number, bool, string, list, tensor) → nil.") {
            object, arguments, _ in
            let name = try arguments.string(0, "name")
            try object.group.setAttribute(name, DataConversion.hdf5Value(arguments.value(1, "value"), operation: "h5.write",
                                                                          name: name))
            return .nil
        },
    ]
}

/// An HDF5 dataset: metadata at once, numbers only when read.
final class H5DatasetObject: NativeObject {
    let dataset: HDF5Dataset
    let context: BindingContext

    init(_ dataset: HDF5Dataset, context: BindingContext) {
        self.dataset = dataset
        self.context = context
    }

    var typeName: String { "h5.dataset" }
    var displayString: String { "<\(dataset)>" }
    var memberNames: [String] {
        ["shape", "dtype", "ndim", "size", "stored_type", "attrs", "path", "chunks"] + H5DatasetObject.methods.keys.sorted()
    }

    func attribute(_ name: String) throws -> Value? {
        switch name {
        case "shape": return .makeList(dataset.shape.map { .number(Double($0)) })
        case "dtype": return .string(dataset.dtype?.rawValue ?? (dataset.storedType.isString ? "string" : "\(dataset.storedType)"))
        case "stored_type": return .string("\(dataset.storedType)")
        case "ndim": return .number(Double(dataset.rank))
        case "size": return .number(Double(dataset.shape.reduce(1, *)))
        case "attrs": return DataConversion.attributesRecord(context, try dataset.attributes())
        case "path": return .string(dataset.path)
        case "chunks": return try dataset.chunkShape().map { .makeList($0.map { .number(Double($0)) }) } ?? .nil
        default: return DataConversion.bind(H5DatasetObject.methods, name, typeName: typeName, receiver: self, context: context)
        }
    }

    /// `d[0:100, :]`: one hyperslab read from disk; string datasets give lists of strings.
    func subscriptGet(_ indices: [Subscript]) throws -> Value {
        if indices.contains(where: { if case .value(.string) = $0 { return true } else { return false } }) {
            throw LanguageError("h5.dataset: \"\(dataset.path)\" is a dataset, not a group; index it with numbers and "
                                + "slices (d[0:10, :])")
        }
        let converted = try indices.map { try TensorConversion.index($0) }
        if dataset.storedType.isString {
            return .makeList(try dataset.readStrings(selection: converted).map { .string($0) })
        }
        let result = try dataset.read(selection: converted)
        let allIntegers = converted.allSatisfy { if case .index = $0 { return true } else { return false } }
        return result.rank == 0 && allIntegers ? TensorConversion.scalarValue(result) : context.wrap(result)
    }

    func length() throws -> Int? {
        guard let first = dataset.shape.first else { throw LanguageError("len() of a scalar dataset") }
        return first
    }

    static let methods: [String: NativeMethod<H5DatasetObject>] = [
        "read": NativeMethod(signature: "read()",
                             documentation: "The whole dataset → tensor (numbers) or list of strings (string datasets).") {
            object, _, context in
            if object.dataset.storedType.isString { return .makeList(try object.dataset.readStrings().map { .string($0) }) }
            return context.wrap(try object.dataset.read())
        },
        "blocks": NativeMethod(signature: "blocks(rows)",
                               documentation: "An iterable of tensors of `rows` rows each (the last may be shorter), each "
                                + "read from disk when the loop reaches it: for b in d.blocks(1000) { … }.\n"
                                + "Errors: rows < 1, a scalar or non-numeric dataset.") { object, arguments, context in
            .native(H5BlocksObject(try object.dataset.blocks(rows: try arguments.integer(0, "rows")), context: context))
        },
    ]
}

/// `dataset.blocks(rows)`: iterable, with `len`.
final class H5BlocksObject: NativeObject {
    let blocks: HDF5Blocks
    let context: BindingContext

    init(_ blocks: HDF5Blocks, context: BindingContext) {
        self.blocks = blocks
        self.context = context
    }

    var typeName: String { "h5.blocks" }
    var displayString: String { "<\(blocks.count) blocks of \(blocks.rowsPerBlock) rows of \(blocks.dataset.path)>" }
    func length() throws -> Int? { blocks.count }

    func makeIterator() throws -> (() throws -> Value?)? {
        var iterator = blocks.makeIterator()
        return { [context] in try iterator.next().map { context.wrap(try $0.read()) } }
    }
}
