import Datasets
import Tensors

/// Targets read from an HDF5 dataset `[n, t]` (or `[n]`) one block of columns at a time (a column-block hyperslab),
/// so that a ridge fit over 200 000 voxels never holds all of Y: `Ridge.fitStreaming(x, HDF5TargetSource(…), …)`.
///
/// Each block is read once per cross-validation fold and once for the refit; a dataset chunked by column blocks
/// (e.g. chunks `[n, 1024]`) makes those reads cheapest.
public struct HDF5TargetSource: TargetSource, @unchecked Sendable {
    public let dataset: HDF5Dataset

    /// Wraps an open dataset. Throws `AlignmentError` when it is not 1-d or 2-d or does not hold numbers.
    public init(_ dataset: HDF5Dataset) throws {
        guard dataset.rank == 1 || dataset.rank == 2 else {
            throw AlignmentError("ridge_cv", "HDF5 dataset \"\(dataset.path)\" must be [n, targets] or [n], got shape "
                                    + formatShape(dataset.shape))
        }
        guard let dtype = dataset.dtype, dtype != .bool else {
            throw AlignmentError("ridge_cv", "HDF5 dataset \"\(dataset.path)\" does not hold numbers")
        }
        self.dataset = dataset
    }

    /// Opens dataset `name` of the file at `path` for reading. Throws `DataError` from the HDF5 reader (missing
    /// file or dataset) and `AlignmentError` as `init(_:)`.
    public init(path: String, name: String) throws {
        try self.init(try HDF5File.open(path)[name])
    }

    /// The chunks' column width when the dataset is chunked by fewer columns than it has: blocks that are whole
    /// chunks read about 30 % faster than blocks that cut chunks (1.5 GB in blocks of 512 columns: 2.2 s, of 608:
    /// 2.9–3.4 s, chunks [8000, 256]), since a cut chunk is read twice, in strided pieces.
    public var blockAlignment: Int {
        guard dataset.rank == 2, let chunks = try? dataset.chunkShape(), chunks.count == 2,
              chunks[1] < dataset.shape[1] else { return 1 }
        return Swift.max(1, chunks[1])
    }

    public var rowCount: Int { dataset.shape[0] }
    public var targetCount: Int { dataset.rank == 2 ? dataset.shape[1] : 1 }

    /// Columns `range` of every row, `[n, range.count]`, in the dataset's dtype.
    public func targets(_ range: Range<Int>) throws -> Tensor {
        if dataset.rank == 1 {
            precondition(range == 0..<1 || range.isEmpty, "internal: a 1-d target source has one target")
            return try dataset.read().reshaped([rowCount, 1]).sliced(axis: 1, range)
        }
        return try dataset.read(selection: [.all, .slice(start: range.lowerBound, stop: range.upperBound, step: 1)])
    }
}
