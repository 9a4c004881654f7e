import Foundation
import Tensors

/// Writes one 2-d dataset `[r, c]` a block of columns at a time, in order: for results computed over blocks of
/// targets (the weights `[p, t]` of a ridge fit over 200 000 voxels) that should reach the disk as they come.
///
/// As `HDF5RowWriter`: the dataset is created at its full shape (chunked by whole columns) when the writer is made,
/// `append` writes the next columns, `finish` checks that all `c` were written, and an unfinished dataset reads as
/// zeros where nothing was written, so build the file inside `HDF5.save(path) { file in … }`.
public final class HDF5ColumnWriter {
    /// The dataset being written (readable once `finish` has succeeded).
    public let dataset: HDF5Dataset
    /// The full shape `[r, c]`.
    public let shape: [Int]
    /// The element type stored; appended columns are converted to it.
    public let dtype: DType
    /// How many columns have been written so far.
    public private(set) var columnsWritten = 0

    init(dataset: HDF5Dataset, shape: [Int], dtype: DType) {
        self.dataset = dataset
        self.shape = shape
        self.dtype = dtype
    }

    /// Writes `columns` (`[r, k]`) as columns `columnsWritten ..< columnsWritten + k`. Columns of another numeric
    /// dtype are converted to `dtype`.
    /// - Throws: `DataError` (`h5.write`) when the row count differs, when the columns would run past `c`, or when
    ///   the write fails. After a failure nothing is written by this call.
    public func append(_ columns: Tensor) throws {
        let context = dataset.context("h5.write")
        guard columns.rank == 2, columns.shape[0] == shape[0] else {
            throw context.error("columns of shape \(formatShape(columns.shape)) do not fit dataset \"\(dataset.path)\" "
                                + "of shape \(formatShape(shape)): expected [\(shape[0]), k]")
        }
        let count = columns.shape[1]
        guard columnsWritten + count <= shape[1] else {
            throw context.error("dataset \"\(dataset.path)\" holds \(shape[1]) columns: \(count) more after "
                                + "\(columnsWritten) would run past its end")
        }
        guard count > 0 && shape[0] > 0 else {
            columnsWritten += count
            return
        }
        let contiguous = columns.astype(dtype).contiguous()
        let selection = HDF5Hyperslab(start: [0, UInt64(columnsWritten)], stride: [1, 1],
                                      count: [UInt64(shape[0]), UInt64(count)])
        try HDF5Library.write(dataset.handle, as: HDF5Writing.memoryType(of: dtype), selection: selection,
                              from: contiguous.storage.bytes + contiguous.offset * contiguous.dtype.itemSize,
                              context, name: dataset.path)
        columnsWritten += count
    }

    /// Checks that every column was written. Throws `DataError` (`h5.write`) naming how many are missing.
    public func finish() throws {
        guard columnsWritten == shape[1] else {
            throw dataset.context("h5.write").error("dataset \"\(dataset.path)\" received \(columnsWritten) of its "
                                                    + "\(shape[1]) columns")
        }
    }
}

extension HDF5Group {
    /// Creates the 2-d dataset `name` (a path; missing groups are created) of `shape` `[r, c]` and `dtype`, to be
    /// filled by the returned writer's `append`, with `attributes` on it.
    /// - `chunkColumns`: columns per chunk (the chunk spans whole columns); by default as many columns as fit in
    ///   about 1 MiB.
    /// - `gzip`: deflate level 0…9 (with the shuffle filter), as `writeDataset`.
    /// - Throws: `DataError` (`h5.write`) when the file is read-only, a member `name` exists, the shape is not 2-d
    ///   or has a negative length, `chunkColumns` is below 1, or creation fails.
    public func createColumnWriter(_ name: String, shape: [Int], dtype: DType, chunkColumns: Int? = nil,
                                   gzip: Int? = nil, attributes: [String: HDF5Value] = [:]) throws -> HDF5ColumnWriter {
        let context = context("h5.write")
        guard shape.count == 2, shape.allSatisfy({ $0 >= 0 }) else {
            throw context.error("dataset \"\(name)\" of shape \(formatShape(shape)): a column writer needs a shape "
                                + "[r, c] with no negative length")
        }
        if let chunkColumns, chunkColumns < 1 {
            throw context.error("chunk columns for \"\(name)\" must be at least 1, got \(chunkColumns)")
        }
        let rows = Swift.max(shape[0], 1), columns = Swift.max(shape[1], 1)
        let fitting = Swift.max(1, (1 << 20) / (rows * dtype.itemSize))
        let chunks = [rows, Swift.min(columns, chunkColumns ?? fitting)]
        let dataset = try createFullShapeDataset(name, shape: shape, dtype: dtype, chunks: chunks, gzip: gzip,
                                                 attributes: attributes)
        return HDF5ColumnWriter(dataset: dataset, shape: shape, dtype: dtype)
    }
}
