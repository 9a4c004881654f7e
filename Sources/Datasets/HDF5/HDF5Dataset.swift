import Foundation
import Tensors

/// A dataset of an open HDF5 file: its shape, stored element type and attributes; reading all of it, rows, any
/// hyperslab (only the selected elements are read from disk), or blocks of rows.
///
/// Element types and what they read as: see `HDF5StoredType`. Before allocating, a read checks the claimed size
/// against this machine's memory and, for contiguous data, against the file's length, so a corrupt header cannot
/// cause an absurd allocation.
public final class HDF5Dataset: @unchecked Sendable, CustomStringConvertible {
    let handle: HDF5Handle
    let rootHandle: HDF5Handle
    /// The file on disk.
    public let filePath: String
    /// The dataset's path in the file, e.g. `/rdm_hIT`.
    public let path: String
    /// Dimensions; `[]` for a scalar dataset; `[0]` for h5py's `Empty` (a null dataspace).
    public let shape: [Int]
    /// The element type as stored in the file (`uint8`, `float16`, `variable-length UTF-8 string`, …).
    public let storedType: HDF5StoredType
    /// The dtype `read()` returns; nil for string datasets (`readStrings()`) and unsupported types.
    public var dtype: DType? { storedType.readDType }
    let isWritable: Bool

    init(handle: HDF5Handle, rootHandle: HDF5Handle, filePath: String, path: String, isWritable: Bool) throws {
        self.handle = handle
        self.rootHandle = rootHandle
        self.filePath = filePath
        self.path = path
        self.isWritable = isWritable
        let context = HDF5Context(operation: "h5.read", path: filePath)
        let space = try HDF5Library.datasetSpace(handle, context)
        guard let extent = try HDF5Library.extent(space, context) else {
            shape = [0]
            storedType = try HDF5Library.describe(try HDF5Library.datasetType(handle, context), context)
            return
        }
        guard extent.allSatisfy({ $0 <= UInt64(Int.max) }) else {
            throw context.error("dataset \"\(path)\" claims dimensions \(extent): the file is corrupt")
        }
        shape = extent.map { Int($0) }
        storedType = try HDF5Library.describe(try HDF5Library.datasetType(handle, context), context)
    }

    public var description: String {
        "HDF5 dataset \(path) \(formatShape(shape)) \(storedType) of \(filePath)"
    }

    /// Number of axes.
    public var rank: Int { shape.count }

    /// The chunk shape when the data is stored in chunks (nil when contiguous). Blocks whose rows are a multiple of
    /// the chunk's rows read each chunk once.
    /// - Throws: `DataError` when the storage layout is unreadable.
    public func chunkShape() throws -> [Int]? {
        try HDF5Library.chunkShape(handle, context("h5.read"))
    }

    func context(_ operation: String) -> HDF5Context { HDF5Context(operation: operation, path: filePath) }

    // MARK: Reading numbers

    /// The whole dataset as a tensor of shape `shape` and dtype `dtype`.
    /// - Throws: `DataError` (`h5.read`) for strings or an unsupported element type (naming it), a uint64 value
    ///   beyond Int64.max, a claimed size beyond this machine's memory or the file's length, or a failed read
    ///   (a corrupt or truncated file).
    public func read() throws -> Tensor {
        var none: Tensor? = nil
        return try readHyperslab(nil, shape: shape, reusing: &none)
    }

    /// Rows `rows` (positions along axis 0): shape `[rows.count] + shape[1...]`. Reads only those rows.
    /// - Throws: `DataError` when the dataset is a scalar or `rows` lies outside `0..<shape[0]`; what `read()` throws.
    public func read(rows: Range<Int>) throws -> Tensor {
        let selection = try rowSelection(rows, operation: "h5.read")
        var none: Tensor? = nil
        return try readHyperslab(selection, shape: selection.count.map { Int($0) }, reusing: &none)
    }

    /// `dataset[indices]` with numpy's meaning for ints, slices (`start:stop:step`, negative steps included), new
    /// axes and one ellipsis; the result has one axis per slice and new axis. Only the selected elements are read
    /// from disk (one HDF5 hyperslab); negative steps read the same elements with a positive stride, then flip.
    /// - Throws: `DataError` for an int out of range, a zero step, too many indices, more than one ellipsis, an
    ///   index array (read a slice, then index the tensor); what `read()` throws.
    public func read(selection indices: [TensorIndex]) throws -> Tensor {
        let plan = try HDF5SelectionPlan(indices, shape: shape, dataset: path, context: context("h5.read"))
        var none: Tensor? = nil
        var tensor = try readHyperslab(plan.hyperslab, shape: plan.hyperslab.count.map { Int($0) }, reusing: &none)
        if !plan.flippedAxes.isEmpty { tensor = try tensor.flipped(axes: plan.flippedAxes).contiguous() }
        return try tensor.reshaped(plan.resultShape)
    }

    /// The hyperslab of rows `rows`, every other axis whole.
    func rowSelection(_ rows: Range<Int>, operation: String) throws -> HDF5Hyperslab {
        guard let length = shape.first else {
            throw context(operation).error("dataset \"\(path)\" is a scalar: it has no rows")
        }
        guard rows.lowerBound >= 0, rows.upperBound <= length else {
            throw context(operation).error("rows \(rows.lowerBound)..<\(rows.upperBound) are out of range for dataset "
                                           + "\"\(path)\" of shape \(formatShape(shape))")
        }
        return HDF5Hyperslab(start: [UInt64(rows.lowerBound)] + shape.dropFirst().map { _ in 0 },
                             stride: shape.map { _ in 1 },
                             count: [UInt64(rows.count)] + shape.dropFirst().map { UInt64($0) })
    }

    /// Reads `selection` (nil: everything) into a tensor of `shape` (the hyperslab's counts), into `buffer` when it
    /// is given and has that shape and is not shared, otherwise into a new tensor. `buffer` is consumed.
    func readHyperslab(_ selection: HDF5Hyperslab?, shape: [Int], reusing buffer: inout Tensor?) throws -> Tensor {
        let context = context("h5.read")
        guard let dtype = storedType.readDType, let memoryType = storedType.memoryType else {
            throw context.error("cannot read dataset \"\(path)\" as numbers: \(storedType.unsupportedReason)")
        }
        var reusedTensor: Tensor?
        var freshStorage: TensorStorage?
        let bytes: UnsafeMutableRawPointer
        // Taken out of `buffer`, so that a block the caller has dropped is referenced only here.
        if var reused = buffer.take(), reused.shape == shape, reused.dtype == dtype {
            // Free when the caller has dropped the previous block; a copy (then overwritten) when it has not.
            reused.makeUniqueContiguous()
            bytes = reused.storage.bytes + reused.offset * dtype.itemSize
            reusedTensor = reused
        } else {
            try checkAllocation(shape: shape, dtype: dtype, context: context)
            // Uninitialised: libhdf5 writes every element.
            let storage = TensorStorage(byteCount: shape.reduce(1, *) * dtype.itemSize)
            bytes = storage.bytes
            freshStorage = storage
        }
        func result() throws -> Tensor {
            if let reusedTensor { return reusedTensor }
            return try Tensor(wrapping: freshStorage!, dtype: dtype, shape: shape)
        }
        let count = shape.reduce(1, *)
        if count == 0 { return try result() }
        try HDF5Library.read(handle, as: memoryType, selection: selection, into: bytes, context, name: path)
        switch memoryType {
        case .uint64:
            let values = bytes.assumingMemoryBound(to: UInt64.self)
            if let position = (0..<count).first(where: { values[$0] > UInt64(Int64.max) }) {
                throw context.error("dataset \"\(path)\" (uint64) holds \(values[position]) at flat position "
                                    + "\(position) of the selection, beyond the int64 range bm reads uint64 into")
            }
        case .boolEnum:
            // libhdf5 wrote the enum's int8 values; a Swift Bool must be exactly 0 or 1.
            let values = bytes.assumingMemoryBound(to: UInt8.self)
            for index in 0..<count where values[index] > 1 { values[index] = 1 }
        case .int64, .float32, .float64:
            break
        }
        return try result()
    }

    /// Refuses allocations beyond physical memory, and contiguous data that would extend past the end of the file.
    func checkAllocation(shape: [Int], dtype: DType, context: HDF5Context) throws {
        guard let count = elementCount(shape) else {
            throw context.error("dataset \"\(path)\" claims shape \(formatShape(shape)): the file is corrupt")
        }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.itemSize)
        let memory = ProcessInfo.processInfo.physicalMemory
        guard !overflow, UInt64(bytes) <= memory else {
            throw context.error("dataset \"\(path)\" of shape \(formatShape(shape)) needs \(count) × "
                                + "\(dtype.itemSize) bytes, more than this machine's memory (\(memory) bytes); "
                                + "read it in blocks, or the file is corrupt")
        }
        if let extent = try HDF5Library.contiguousExtent(handle, context) {
            let fileLength = (try? FileManager.default.attributesOfItem(atPath: filePath)[.size] as? NSNumber)?
                .uint64Value ?? UInt64.max
            let (end, endOverflow) = extent.offset.addingReportingOverflow(extent.bytes)
            guard !endOverflow, end <= fileLength else {
                throw context.error("dataset \"\(path)\" claims \(extent.bytes) bytes at offset \(extent.offset) but "
                                    + "the file has \(fileLength) bytes: it is truncated or corrupt")
            }
        }
    }

    // MARK: Reading strings

    /// The strings of a string dataset (fixed or variable length, ASCII or UTF-8), flattened in row-major order
    /// (`shape` gives the layout); padding is removed from fixed-length strings.
    /// - Throws: `DataError` when the dataset does not hold strings, or the read fails.
    public func readStrings() throws -> [String] {
        try readStrings(hyperslab: nil, count: elementCount(shape))
    }

    /// The strings `indices` select (ints and positive-step slices, as `read(selection:)`), flattened.
    public func readStrings(selection indices: [TensorIndex]) throws -> [String] {
        let plan = try HDF5SelectionPlan(indices, shape: shape, dataset: path, context: context("h5.read"))
        guard plan.flippedAxes.isEmpty else {
            throw context("h5.read").error("negative steps are not supported when reading strings")
        }
        return try readStrings(hyperslab: plan.hyperslab, count: elementCount(plan.resultShape))
    }

    private func readStrings(hyperslab: HDF5Hyperslab?, count: Int?) throws -> [String] {
        let context = context("h5.read")
        guard storedType.isString else {
            throw context.error("dataset \"\(path)\" holds \(storedType), not strings; read it with read()")
        }
        guard let count, count <= Int(ProcessInfo.processInfo.physicalMemory / 16) else {
            throw context.error("dataset \"\(path)\" of shape \(formatShape(shape)) claims more strings than this "
                                + "machine's memory holds: the file is corrupt")
        }
        return try HDF5Library.readStrings(handle, isAttribute: false, type: storedType, count: count,
                                           selection: hyperslab, context, name: path)
    }

    // MARK: Attributes

    /// The names of this dataset's attributes, in name order.
    public func attributeNames() throws -> [String] {
        try HDF5Attributes.names(handle, context("h5.read"))
    }

    /// The attribute `name` (see `HDF5Value`). Throws `DataError` when it does not exist (listing those that do)
    /// or its type is unsupported.
    public func attribute(_ name: String) throws -> HDF5Value {
        try HDF5Attributes.read(handle, name, owner: path, context("h5.read"))
    }

    /// Every attribute, by name.
    public func attributes() throws -> [String: HDF5Value] {
        try HDF5Attributes.readAll(handle, owner: path, context("h5.read"))
    }

    /// Sets (or replaces) an attribute; the file must be open for writing.
    public func setAttribute(_ name: String, _ value: HDF5Value) throws {
        try HDF5Attributes.write(handle, name, value, owner: path, isWritable: isWritable, context("h5.write"))
    }
}
