import Tensors

/// numpy's `.npy` files: one array per file.
///
/// Loading reads every numeric dtype numpy writes (`<f2 <f4 <f8`, `<i1 … <i8`, `<u1 … <u8`, `|b1`, big-endian `>`
/// variants) in C or Fortran order, with headers of versions 1.0, 2.0 and 3.0; float16 becomes float32, every integer
/// width becomes int64. Saving writes what `numpy.save` writes, byte for byte.
public enum NPY {
    /// Loads the array in the `.npy` file at `path`.
    ///
    /// Little-endian float32, float64, int64 and bool data in C order is memory-mapped, not copied: the tensor views
    /// the file's pages privately (later writes to the tensor never reach the file). Other element types are read
    /// and converted. A Fortran-order file gives the transposed view of its C-order reading (strides reversed), so
    /// `result[i, j]` is numpy's `a[i, j]` and no data is moved.
    ///
    /// - Returns: a tensor of the file's shape; dtype float32 (from f2/f4), float64, int64 (every integer width) or bool.
    /// - Throws: `DataError` (operation `npy.load`) for a missing file, bad magic, an unknown version, a malformed
    ///   header, an unsupported dtype (objects, strings, complex, structured), a file shorter than its header
    ///   claims, or a uint64 value beyond int64's range.
    public static func load(_ path: String) throws -> Tensor {
        let operation = "npy.load"
        let file = try ReadableFile(path: path, operation: operation)
        let prefix = try file.read(offset: 0, count: Swift.min(file.size, 12))
        let (preamble, headerLength) = try describing(operation, path) {
            try NPYHeader.headerLength(prefix: prefix, fileSize: file.size)
        }
        let headerBytes = try file.read(offset: preamble, count: headerLength)
        let header = try describing(operation, path) {
            try NPYHeader.parse(headerBytes: headerBytes[...], version: prefix[6], preamble: preamble)
        }
        let byteCount = try describing(operation, path) { () in
            try checkedDataByteCount(header, available: file.size - header.dataOffset)
        }
        let type = header.elementType
        let count = byteCount / type.size
        let storage: TensorStorage
        let isBool = type.kind == NPYElementType.Kind.boolean
        if count > 0 && type.isStoredAsIs && header.dataOffset % type.size == 0,
           let mapping = file.map(offset: header.dataOffset, count: byteCount),
           !isBool || ElementConversion.boolBytesAreCanonical(mapping.bytes) {
            storage = mapping.storage(offset: 0, byteCount: byteCount)
        } else if type.isStoredAsIs && !isBool {
            storage = TensorStorage(byteCount: byteCount)
            try file.read(into: UnsafeMutableRawBufferPointer(start: storage.bytes, count: byteCount),
                          offset: header.dataOffset)
        } else {
            let bytes = try file.read(offset: header.dataOffset, count: byteCount)
            storage = try describing(operation, path) {
                try bytes.withUnsafeBytes { buffer in
                    try ElementConversion.convert(buffer, type: type, count: count)
                }
            }
        }
        return try makeTensor(storage, header: header)
    }

    /// Writes `tensor` to `path` as numpy does (`numpy.save`): format version 1.0 (2.0 when the header needs it),
    /// little-endian, C order, dtype `<f4`, `<f8`, `<i8` or `|b1`. The file is replaced atomically: an interrupted
    /// save leaves the previous file intact.
    /// - Throws: `DataError` (operation `npy.save`) when the folder does not exist or the write fails.
    public static func save(_ path: String, _ tensor: Tensor) throws {
        let operation = "npy.save"
        try AtomicFile.write(to: path, operation: operation) { temporary in
            var writer = try SequentialFileWriter(temporaryPath: temporary, finalPath: path, operation: operation)
            defer { writer.close() }
            try writer.write(NPYHeader.encode(descriptor: NPYElementType.descriptor(for: tensor.dtype),
                                              shape: tensor.shape))
            try withElementBytes(of: tensor) { try writer.write($0) }
        }
    }

    /// The complete `.npy` encoding of `tensor`, as `save` writes it.
    static func encode(_ tensor: Tensor) -> [UInt8] {
        var bytes = NPYHeader.encode(descriptor: NPYElementType.descriptor(for: tensor.dtype), shape: tensor.shape)
        withElementBytes(of: tensor) { bytes.append(contentsOf: $0) }
        return bytes
    }

    /// Decodes a complete `.npy` file held in memory (an `.npz` member); messages name the member.
    static func decode(_ bytes: [UInt8], operation: String, path: String, member: String) throws -> Tensor {
        try describing(operation, path, member: member) { () in
            let (preamble, headerLength) = try NPYHeader.headerLength(prefix: Array(bytes.prefix(12)),
                                                                      fileSize: bytes.count)
            let header = try NPYHeader.parse(headerBytes: bytes[preamble..<(preamble + headerLength)],
                                             version: bytes[6], preamble: preamble)
            let byteCount = try checkedDataByteCount(header, available: bytes.count - header.dataOffset)
            let storage = try bytes.withUnsafeBytes { buffer in
                try ElementConversion.convert(UnsafeRawBufferPointer(rebasing: buffer[header.dataOffset...]),
                                              type: header.elementType, count: byteCount / header.elementType.size)
            }
            return try makeTensor(storage, header: header)
        }
    }

    /// The data size the header claims, checked against the bytes that follow it before anything is allocated.
    private static func checkedDataByteCount(_ header: NPYHeader, available: Int) throws(MessageError) -> Int {
        let byteCount = try header.dataByteCount()
        guard byteCount <= available else {
            throw MessageError("file is truncated: header claims shape \(formatShape(header.shape)) of "
                               + "'\(header.elementType.descriptor)', \(byteCount) bytes of data, but the file has "
                               + "\(available) after the header")
        }
        return byteCount
    }

    private static func makeTensor(_ storage: TensorStorage, header: NPYHeader) throws -> Tensor {
        let dtype = header.elementType.dtype
        guard header.fortranOrder && header.shape.count > 1 else {
            return try Tensor(wrapping: storage, dtype: dtype, shape: header.shape)
        }
        // Fortran order is the C order of the reversed shape: view it transposed back.
        return try Tensor(wrapping: storage, dtype: dtype, shape: header.shape.reversed()).transposed()
    }

    /// Calls `body` with the tensor's elements in C order as raw bytes, copying only when it is not contiguous.
    static func withElementBytes<R>(of tensor: Tensor, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let contiguous = tensor.contiguous()
        let start = contiguous.storage.bytes + contiguous.offset * contiguous.dtype.itemSize
        return try body(UnsafeRawBufferPointer(start: start, count: contiguous.count * contiguous.dtype.itemSize))
    }
}

/// Runs `body`, turning its message into a `DataError` naming the operation, the file and (for archives) the member.
func describing<T>(_ operation: String, _ path: String, member: String? = nil,
                   _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as MessageError {
        throw DataError(operation, path: path, member.map { "member '\($0)': \(error.message)" } ?? error.message)
    }
}
