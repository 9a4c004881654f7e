import Tensors

/// A dataset read in blocks of rows, for data too large to load whole (100 000-voxel ridge targets):
///
/// ```swift
/// for block in try file["responses"].blocks(rows: 1000) {
///     let y = try block.read()          // [≤ 1000] + shape[1...]
///     … accumulate with rows block.rows …
/// }
/// ```
///
/// Each block is read only when `read()` is called (a disk read can fail, and Swift's `for … in` cannot throw), and
/// reuses the previous block's memory when the caller no longer holds it. `forEachBlock` is the same loop with the
/// read done for you.
public struct HDF5Blocks: Sequence, Sendable {
    public struct Block: Sendable {
        /// The rows (positions along axis 0) of this block.
        public let rows: Range<Int>
        let reader: BlockReader

        /// The block's rows as a tensor of shape `[rows.count] + shape[1...]`.
        /// - Throws: what `HDF5Dataset.read()` throws.
        public func read() throws -> Tensor { try reader.read(rows) }
    }

    /// Holds the last block read, so its storage can be refilled.
    final class BlockReader: @unchecked Sendable {
        let dataset: HDF5Dataset
        private var previous: Tensor?

        init(dataset: HDF5Dataset) { self.dataset = dataset }

        func read(_ rows: Range<Int>) throws -> Tensor {
            let selection = try dataset.rowSelection(rows, operation: "h5.read")
            let block = try dataset.readHyperslab(selection, shape: selection.count.map { Int($0) },
                                                  reusing: &previous)
            previous = block
            return block
        }
    }

    public let dataset: HDF5Dataset
    public let rowsPerBlock: Int
    let reader: BlockReader

    init(dataset: HDF5Dataset, rowsPerBlock: Int) {
        self.dataset = dataset
        self.rowsPerBlock = rowsPerBlock
        self.reader = BlockReader(dataset: dataset)
    }

    /// Number of blocks: ⌈shape[0] / rowsPerBlock⌉.
    public var count: Int { (dataset.shape[0] + rowsPerBlock - 1) / rowsPerBlock }

    public struct Iterator: IteratorProtocol {
        let blocks: HDF5Blocks
        var position = 0

        public mutating func next() -> Block? {
            let length = blocks.dataset.shape[0]
            guard position < length else { return nil }
            let end = Swift.min(length, position + blocks.rowsPerBlock)
            defer { position = end }
            return Block(rows: position..<end, reader: blocks.reader)
        }
    }

    public func makeIterator() -> Iterator { Iterator(blocks: self) }
    public var underestimatedCount: Int { count }
}

extension HDF5Dataset {
    /// The dataset in blocks of `rows` rows (the last may be shorter), each read from disk only when asked for.
    /// - Throws: `DataError` (`h5.read`) when `rows` < 1, the dataset is a scalar, or it does not hold numbers.
    public func blocks(rows: Int) throws -> HDF5Blocks {
        let context = context("h5.read")
        guard rows >= 1 else { throw context.error("blocks of \(rows) rows: the block size must be at least 1") }
        guard !shape.isEmpty else { throw context.error("dataset \"\(path)\" is a scalar: it has no rows") }
        guard dtype != nil else {
            throw context.error("cannot read dataset \"\(path)\" as numbers: \(storedType.unsupportedReason)")
        }
        return HDF5Blocks(dataset: self, rowsPerBlock: rows)
    }

    /// Calls `body(rows, block)` for each block of `rows` rows in order, reusing one buffer when `body` does not
    /// keep the block.
    /// - Throws: what `blocks(rows:)` and `read()` throw, and what `body` throws.
    public func forEachBlock(rows: Int, _ body: (Range<Int>, Tensor) throws -> Void) throws {
        for block in try blocks(rows: rows) {
            try body(block.rows, try block.read())
        }
    }
}
