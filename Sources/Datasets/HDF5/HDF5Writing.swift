import Foundation
import Tensors

/// Writing groups, datasets and attributes into a file opened with `.create` or `.readWrite`.
///
/// Stored types are what h5py writes for the same numpy arrays: float32/float64/int64 little-endian, bool as the
/// enum `{FALSE = 0, TRUE = 1}` over int8, string attributes as variable-length UTF-8 (h5py gives `str`), string
/// datasets as fixed-length UTF-8. Edits change the file in place; for an
/// all-or-nothing save build the file with `HDF5.save`.
extension HDF5Group {
    /// Creates the group `name` (a path; missing groups on the way are created too) and returns it.
    /// - Throws: `DataError` (`h5.write`) when the file is read-only, the name is empty, or a member of that name
    ///   already exists.
    @discardableResult
    public func createGroup(_ name: String) throws -> HDF5Group {
        let context = context("h5.write")
        try checkNewMember(name, context)
        let created = try HDF5Library.createGroup(handle, name, context)
        return HDF5Group(handle: created, rootHandle: rootHandle, filePath: filePath, path: joined(name),
                         isWritable: isWritable)
    }

    /// Writes `tensor` as a new dataset `name` (a path; missing groups are created), with `attributes` on it.
    ///
    /// - Parameters:
    ///   - chunks: chunk shape, one length per axis, each ≥ 1 and ≤ the axis (≤ 1 for a length-0 axis); nil
    ///     stores the data contiguously, unless `gzip` asks for compression, which needs chunks: then chunks of whole
    ///     rows, about 1 MiB each, are chosen.
    ///   - gzip: deflate level 0…9 (with the shuffle filter, as h5py's `compression="gzip", shuffle=True`).
    /// - Throws: `DataError` (`h5.write`) when the file is read-only, a member `name` exists, the chunk shape has
    ///   the wrong rank or a length out of range, the level is outside 0…9, or the write fails.
    @discardableResult
    public func writeDataset(_ name: String, _ tensor: Tensor, chunks: [Int]? = nil, gzip: Int? = nil,
                             attributes: [String: HDF5Value] = [:]) throws -> HDF5Dataset {
        let context = context("h5.write")
        try checkNewMember(name, context)
        let layout = try HDF5Writing.chunkLayout(shape: tensor.shape, itemSize: tensor.dtype.itemSize, chunks: chunks,
                                                 gzip: gzip, name: name, context)
        let memoryType = HDF5Writing.memoryType(of: tensor.dtype)
        let created = try HDF5Library.createDataset(handle, name,
                                                    type: try HDF5Library.fileType(for: memoryType, context),
                                                    space: try HDF5Library.makeSpace(tensor.shape, context),
                                                    chunks: layout, gzipLevel: gzip, context)
        if tensor.count > 0 {
            let contiguous = tensor.contiguous()
            try HDF5Library.write(created, as: memoryType,
                                  from: contiguous.storage.bytes + contiguous.offset * contiguous.dtype.itemSize,
                                  context, name: name)
        }
        let dataset = try HDF5Dataset(handle: created, rootHandle: rootHandle, filePath: filePath, path: joined(name),
                                      isWritable: isWritable)
        for (key, value) in attributes.sorted(by: { $0.key < $1.key }) { try dataset.setAttribute(key, value) }
        return dataset
    }

    /// Writes `strings` as a new dataset of fixed-length UTF-8 strings (as wide as the longest, in bytes; null
    /// padded) of shape `shape` (default `[strings.count]`; `[]` for one scalar string). h5py reads it with
    /// `dataset.asstr()[()]`, as it reads variable-length strings.
    /// - Throws: `DataError` (`h5.write`) when the shape does not hold `strings.count` elements, a string contains
    ///   NUL, a member `name` exists, or the write fails.
    @discardableResult
    public func writeStrings(_ name: String, _ strings: [String], shape: [Int]? = nil,
                             attributes: [String: HDF5Value] = [:]) throws -> HDF5Dataset {
        let context = context("h5.write")
        let shape = shape ?? [strings.count]
        guard shape.allSatisfy({ $0 >= 0 }), shape.reduce(1, *) == strings.count else {
            throw context.error("\(strings.count) strings do not fill the shape \(formatShape(shape)) of \"\(name)\"")
        }
        guard !strings.contains(where: { $0.utf8.contains(0) }) else {
            throw context.error("dataset \"\(name)\": strings cannot contain the NUL character")
        }
        try checkNewMember(name, context)
        // Fixed width, not variable length: the strings then sit in the dataset itself instead of behind pointers
        // into a global heap, which libhdf5 follows unchecked (a damaged pointer there crashes it). h5py reads both
        // the same way (`dataset.asstr()[()]`).
        let width = Swift.max(1, strings.map(\.utf8.count).max() ?? 1)
        let created = try HDF5Library.createDataset(handle, name,
                                                    type: try HDF5Library.fixedStringType(bytes: width, context),
                                                    space: try HDF5Library.makeSpace(shape, context),
                                                    chunks: nil, gzipLevel: nil, context)
        if !strings.isEmpty { try HDF5Library.writeFixedStrings(created, strings, width: width, context, name: name) }
        let dataset = try HDF5Dataset(handle: created, rootHandle: rootHandle, filePath: filePath, path: joined(name),
                                      isWritable: isWritable)
        for (key, value) in attributes.sorted(by: { $0.key < $1.key }) { try dataset.setAttribute(key, value) }
        return dataset
    }

    /// Sets (or replaces) an attribute of this group (of the file, for the root).
    /// - Throws: `DataError` (`h5.write`) when the file is read-only or the write fails.
    public func setAttribute(_ name: String, _ value: HDF5Value) throws {
        try HDF5Attributes.write(handle, name, value, owner: path, isWritable: isWritable, context("h5.write"))
    }

    private func checkNewMember(_ name: String, _ context: HDF5Context) throws {
        guard isWritable else {
            throw context.error("cannot write \"\(name)\": the file is open read-only; open it with mode .readWrite")
        }
        guard !name.split(separator: "/").isEmpty else { throw context.error("a member name cannot be empty") }
        if contains(name) {
            throw context.error("\"\(joined(name))\" already exists; HDF5 cannot replace a member in place, write a "
                                + "new file (HDF5.save) or use another name")
        }
    }

    private func joined(_ name: String) -> String {
        let components = name.split(separator: "/").joined(separator: "/")
        if name.hasPrefix("/") { return "/" + components }
        return path == "/" ? "/" + components : path + "/" + components
    }
}

enum HDF5Writing {
    static func memoryType(of dtype: DType) -> HDF5MemoryType {
        switch dtype {
        case .bool: return .boolEnum
        case .int64: return .int64
        case .float32: return .float32
        case .float64: return .float64
        }
    }

    /// The chunk shape to create the dataset with (nil: contiguous), validated.
    static func chunkLayout(shape: [Int], itemSize: Int, chunks: [Int]?, gzip: Int?, name: String,
                            _ context: HDF5Context) throws -> [Int]? {
        if let gzip {
            guard (0...9).contains(gzip) else {
                throw context.error("gzip level \(gzip) for \"\(name)\" is outside 0…9")
            }
            guard HDF5Library.gzipAvailable else { throw context.error("this libhdf5 was built without gzip") }
        }
        guard let chunks else {
            guard gzip != nil else { return nil }
            guard !shape.isEmpty else { throw context.error("a scalar dataset (\"\(name)\") cannot be compressed") }
            return defaultChunks(shape: shape, itemSize: itemSize)
        }
        guard !shape.isEmpty else { throw context.error("a scalar dataset (\"\(name)\") cannot be chunked") }
        guard chunks.count == shape.count,
              zip(chunks, shape).allSatisfy({ chunk, length in chunk >= 1 && chunk <= Swift.max(length, 1) }) else {
            throw context.error("chunk shape \(formatShape(chunks)) does not fit dataset \"\(name)\" of shape "
                                + "\(formatShape(shape)): it needs one length per axis, each between 1 and the "
                                + "axis length")
        }
        return chunks
    }

    /// Whole rows (every axis but the first complete) up to about 1 MiB per chunk, at least one row.
    static func defaultChunks(shape: [Int], itemSize: Int) -> [Int] {
        let rowBytes = Swift.max(shape.dropFirst().map { Swift.max($0, 1) }.reduce(itemSize, *), 1)
        let rows = Swift.min(Swift.max(shape[0], 1), Swift.max(1, (1 << 20) / rowBytes))
        return [rows] + shape.dropFirst().map { Swift.max($0, 1) }
    }
}
