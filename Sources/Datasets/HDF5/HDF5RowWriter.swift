import Foundation
import Tensors

/// Writes one dataset of known shape `[n, …]` a block of rows at a time, in order: for results computed in batches
/// (a network's activations over thousands of images) that should reach the disk as they come instead of being held
/// in memory whole.
///
/// The dataset is created at its full shape, chunked by whole rows, when the writer is made; `append` writes the
/// next rows; `finish` checks that all `n` rows were written. Rows never written read as zeros, so an unfinished
/// dataset must not be mistaken for a result: build the file inside `HDF5.save(path) { file in … }`, which renames
/// the file into place only when the body returns, after every writer's `finish`:
///
/// ```swift
/// try HDF5.save("features.h5") { file in
///     let writer = try file.createRowWriter("blocks.0", shape: [n, 384], dtype: .float32)
///     for batch in batches { try writer.append(features(batch)) }   // [b, 384] each
///     try writer.finish()
/// }
/// ```
public final class HDF5RowWriter {
    /// The dataset being written (readable once `finish` has succeeded).
    public let dataset: HDF5Dataset
    /// The full shape `[n, …]`.
    public let shape: [Int]
    /// The element type stored; appended rows are converted to it.
    public let dtype: DType
    /// How many rows have been written so far.
    public private(set) var rowsWritten = 0

    init(dataset: HDF5Dataset, shape: [Int], dtype: DType) {
        self.dataset = dataset
        self.shape = shape
        self.dtype = dtype
    }

    /// Writes `rows` (`[k, …]`, the trailing axes equal to the dataset's) as rows `rowsWritten ..< rowsWritten + k`.
    /// Rows of another numeric dtype are converted to `dtype`.
    /// - Throws: `DataError` (`h5.write`) when the trailing shape differs, when the rows would run past `n`, or when
    ///   the write fails. After a failure nothing is written by this call.
    public func append(_ rows: Tensor) throws {
        let context = dataset.context("h5.write")
        guard rows.rank == shape.count, Array(rows.shape.dropFirst()) == Array(shape.dropFirst()) else {
            throw context.error("rows of shape \(formatShape(rows.shape)) do not fit dataset \"\(dataset.path)\" of "
                                + "shape \(formatShape(shape)): expected [k\(shape.dropFirst().map { ", \($0)" }.joined())]")
        }
        let count = rows.shape[0]
        guard rowsWritten + count <= shape[0] else {
            throw context.error("dataset \"\(dataset.path)\" holds \(shape[0]) rows: \(count) more after "
                                + "\(rowsWritten) would run past its end")
        }
        guard count > 0 else { return }
        let contiguous = rows.astype(dtype).contiguous()
        let selection = HDF5Hyperslab(start: [UInt64(rowsWritten)] + shape.dropFirst().map { _ in 0 },
                                      stride: shape.map { _ in 1 },
                                      count: [UInt64(count)] + shape.dropFirst().map { UInt64($0) })
        try HDF5Library.write(dataset.handle, as: HDF5Writing.memoryType(of: dtype), selection: selection,
                              from: contiguous.storage.bytes + contiguous.offset * contiguous.dtype.itemSize,
                              context, name: dataset.path)
        rowsWritten += count
    }

    /// Checks that every row was written. Throws `DataError` (`h5.write`) naming how many are missing.
    public func finish() throws {
        guard rowsWritten == shape[0] else {
            throw dataset.context("h5.write").error("dataset \"\(dataset.path)\" received \(rowsWritten) of its "
                                                    + "\(shape[0]) rows")
        }
    }
}

extension HDF5Group {
    /// Creates the dataset `name` (a path; missing groups are created) of `shape` `[n, …]` and `dtype`, to be
    /// filled by the returned writer's `append`, with `attributes` on it.
    /// - `chunkRows`: rows per chunk (the chunk spans whole rows); by default as many rows as fit in about 1 MiB.
    /// - `gzip`: deflate level 0…9 (with the shuffle filter), as `writeDataset`.
    /// - Throws: `DataError` (`h5.write`) when the file is read-only, a member `name` exists, the shape has no row
    ///   axis or a negative length, `chunkRows` is below 1, or creation fails.
    public func createRowWriter(_ name: String, shape: [Int], dtype: DType, chunkRows: Int? = nil, gzip: Int? = nil,
                                attributes: [String: HDF5Value] = [:]) throws -> HDF5RowWriter {
        let context = context("h5.write")
        guard !shape.isEmpty, shape.allSatisfy({ $0 >= 0 }) else {
            throw context.error("dataset \"\(name)\" of shape \(formatShape(shape)): a row writer needs a shape "
                                + "[n, …] with no negative length")
        }
        if let chunkRows, chunkRows < 1 {
            throw context.error("chunk rows for \"\(name)\" must be at least 1, got \(chunkRows)")
        }
        var chunks = HDF5Writing.defaultChunks(shape: shape, itemSize: dtype.itemSize)
        if let chunkRows { chunks[0] = Swift.min(chunkRows, Swift.max(shape[0], 1)) }
        let dataset = try createFullShapeDataset(name, shape: shape, dtype: dtype, chunks: chunks, gzip: gzip,
                                                 attributes: attributes)
        return HDF5RowWriter(dataset: dataset, shape: shape, dtype: dtype)
    }

    /// Creates the dataset `name` at its full `shape` (chunked by `chunks`), to be filled block by block by a
    /// writer: the checks and creation shared by `createRowWriter` and `createColumnWriter`.
    func createFullShapeDataset(_ name: String, shape: [Int], dtype: DType, chunks: [Int], gzip: Int?,
                                attributes: [String: HDF5Value]) throws -> HDF5Dataset {
        let context = context("h5.write")
        guard isWritable else {
            throw context.error("cannot write \"\(name)\": the file is open read-only; open it with mode .readWrite")
        }
        guard !name.split(separator: "/").isEmpty else { throw context.error("a member name cannot be empty") }
        if contains(name) {
            throw context.error("\"\(name)\" already exists; HDF5 cannot replace a member in place")
        }
        let layout = try HDF5Writing.chunkLayout(shape: shape, itemSize: dtype.itemSize, chunks: chunks, gzip: gzip,
                                                 name: name, context)
        let memoryType = HDF5Writing.memoryType(of: dtype)
        let created = try HDF5Library.createDataset(handle, name,
                                                    type: try HDF5Library.fileType(for: memoryType, context),
                                                    space: try HDF5Library.makeSpace(shape, context),
                                                    chunks: layout, gzipLevel: gzip, context)
        let components = name.split(separator: "/").joined(separator: "/")
        let fullPath = name.hasPrefix("/") || path == "/" ? "/" + components : path + "/" + components
        let dataset = try HDF5Dataset(handle: created, rootHandle: rootHandle, filePath: filePath, path: fullPath,
                                      isWritable: isWritable)
        for (key, value) in attributes.sorted(by: { $0.key < $1.key }) { try dataset.setAttribute(key, value) }
        return dataset
    }
}
