import Tensors

/// numpy's `.npz` files: a zip archive of `.npy` members, as `numpy.savez` (stored) and `numpy.savez_compressed`
/// (deflated) write them.
public enum NPZ {
    /// Loads every array in the archive at `path`, in archive order, named as numpy names them (the member name
    /// without `.npy`). Members that are not `.npy` files are skipped, as numpy leaves them as raw bytes.
    ///
    /// - Returns: `(name, tensor)` pairs; each tensor follows `NPY.load`'s dtype rules (but is read, not mapped).
    /// - Throws: `DataError` (operation `npz.load`) for a missing file, a file that is not a zip archive, a corrupt
    ///   or truncated directory or member, a CRC-32 mismatch, an unsupported compression method, or any member that
    ///   `NPY.load` would reject (the message names the member).
    public static func load(_ path: String) throws -> [(name: String, tensor: Tensor)] {
        let reader = try ZipReader(file: ReadableFile(path: path, operation: "npz.load"))
        return try reader.entries.filter { $0.name.hasSuffix(".npy") }.map { entry in
            let name = String(entry.name.dropLast(4))
            return (name, try NPY.decode(reader.contents(of: entry), operation: "npz.load", path: path, member: name))
        }
    }

    /// Loads the one array called `name` (without `.npy`) from the archive at `path`, reading no other member.
    /// - Throws: `DataError` (operation `npz.load`) as `load(_:)` does, and when no member has that name (the message
    ///   lists the names there are).
    public static func load(_ path: String, name: String) throws -> Tensor {
        let reader = try ZipReader(file: ReadableFile(path: path, operation: "npz.load"))
        guard let entry = reader.entries.first(where: { $0.name == name + ".npy" }) else {
            let names = reader.entries.filter { $0.name.hasSuffix(".npy") }.map { "'\($0.name.dropLast(4))'" }
            throw DataError("npz.load", path: path, "no array named '\(name)'; the archive holds "
                            + (names.isEmpty ? "no arrays" : names.joined(separator: ", ")))
        }
        return try NPY.decode(reader.contents(of: entry), operation: "npz.load", path: path, member: name)
    }

    /// The names of the arrays in the archive at `path`, in archive order, without reading them.
    /// - Throws: `DataError` (operation `npz.names`) for a missing file or one that is not a zip archive.
    public static func names(_ path: String) throws -> [String] {
        let reader = try ZipReader(file: ReadableFile(path: path, operation: "npz.names"))
        return reader.entries.filter { $0.name.hasSuffix(".npy") }.map { String($0.name.dropLast(4)) }
    }

    /// Writes `arrays` to `path` as numpy's `savez` (`compressed: false`, members stored) or `savez_compressed`
    /// (`compressed: true`, members deflated) does: each tensor becomes the member `name.npy`, in the given order.
    /// ZIP64 records are written for members or archives beyond 4 GiB. The file is replaced atomically.
    /// - Throws: `DataError` (operation `npz.save`) for an empty or duplicate name, a missing folder or a failed write.
    public static func save(_ path: String, _ arrays: [(name: String, tensor: Tensor)], compressed: Bool = false) throws {
        try save(path, arrays, compressed: compressed, forceZip64: false)
    }

    static func save(_ path: String, _ arrays: [(name: String, tensor: Tensor)], compressed: Bool,
                     forceZip64: Bool) throws {
        let operation = "npz.save"
        var seen = Set<String>()
        for (name, _) in arrays {
            guard !name.isEmpty else { throw DataError(operation, path: path, "an array name is empty") }
            guard seen.insert(name).inserted else {
                throw DataError(operation, path: path, "the name '\(name)' is given twice")
            }
        }
        try AtomicFile.write(to: path, operation: operation) { temporary in
            let output = try SequentialFileWriter(temporaryPath: temporary, finalPath: path, operation: operation)
            defer { output.close() }
            var zip = ZipWriter(output: output, forceZip64: forceZip64)
            for (name, tensor) in arrays {
                try zip.add(name: name + ".npy", contents: NPY.encode(tensor), compress: compressed)
            }
            try zip.finish()
        }
    }
}
