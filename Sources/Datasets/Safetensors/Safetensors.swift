import Tensors

/// Hugging Face's safetensors weight files: an 8-byte little-endian header length, a JSON header naming each
/// tensor's dtype, shape and byte range, then the raw little-endian data.
public enum Safetensors {
    /// The tensors and metadata of one safetensors file.
    public struct Contents {
        /// `(name, tensor)` pairs in the order of their data in the file (the order `safetensors.load_file` uses).
        public var tensors: [(name: String, tensor: Tensor)]
        /// The header's `__metadata__` strings (empty when absent).
        public var metadata: [String: String]

        /// The tensor called `name`.
        /// - Throws: `DataError` (operation `safetensors.get`) when there is none; the message lists the names there are.
        public func tensor(_ name: String) throws -> Tensor {
            guard let found = tensors.first(where: { $0.name == name }) else {
                throw DataError("safetensors.get", path: nil, "no tensor named '\(name)'; the file holds "
                                + (tensors.isEmpty ? "no tensors" : tensors.map { "'\($0.name)'" }.joined(separator: ", ")))
            }
            return found.tensor
        }
    }

    /// Loads every tensor of the safetensors file at `path`.
    ///
    /// The header is validated before any data is touched: its length is at most 100 MB and fits in the file; each
    /// tensor's byte range lies within the data, matches shape × itemsize, and overlaps no other. F32, F64, I64 and
    /// BOOL tensors whose bytes are aligned are memory-mapped (zero copy, private: writes never reach the file);
    /// F16 and BF16 become float32, I8…I32 and U8…U64 become int64 (U64 beyond int64's range is an error).
    ///
    /// - Throws: `DataError` (operation `safetensors.load`) for a missing file, a header length beyond the file or
    ///   the limit, malformed JSON, an unsupported dtype, inconsistent offsets or shapes, or overlapping tensors.
    public static func load(_ path: String) throws -> Contents {
        let operation = "safetensors.load"
        let file = try ReadableFile(path: path, operation: operation)
        guard file.size >= 8 else {
            throw DataError(operation, path: path, "file is truncated: \(file.size) bytes, but the header length "
                            + "alone takes 8")
        }
        let headerLength = try file.read(offset: 0, count: 8).uint64(at: 0)
        guard headerLength <= UInt64(file.size - 8) else {
            throw DataError(operation, path: path, "file is truncated: header claims \(headerLength) bytes but "
                            + "the file has \(file.size - 8) after the 8-byte length")
        }
        guard headerLength <= UInt64(SafetensorsHeader.maximumLength) else {
            throw DataError(operation, path: path, "header claims \(headerLength) bytes, beyond the "
                            + "\(SafetensorsHeader.maximumLength)-byte limit; the file is corrupt")
        }
        let dataOffset = 8 + Int(headerLength)
        let dataLength = file.size - dataOffset
        let json = try file.read(offset: 8, count: Int(headerLength))
        let (entries, metadata) = try describing(operation, path) {
            try json.withUnsafeBytes { try SafetensorsHeader.parse($0, dataLength: dataLength) }
        }
        let mapping = dataLength > 0 ? file.map(offset: dataOffset, count: dataLength) : nil
        var tensors: [(name: String, tensor: Tensor)] = []
        for entry in entries {
            let byteCount = entry.end - entry.begin
            let count = byteCount / entry.dtype.size
            let storage: TensorStorage
            if let mapping, count > 0 {
                let bytes = UnsafeRawBufferPointer(rebasing: mapping.bytes[entry.begin..<entry.end])
                storage = try describing(operation, path) {
                    try makeStorage(entry, bytes: bytes, count: count, alignedOffset: dataOffset + entry.begin) {
                        mapping.storage(offset: entry.begin, byteCount: byteCount)
                    }
                }
            } else {
                let bytes = try file.read(offset: dataOffset + entry.begin, count: byteCount)
                storage = try describing(operation, path) {
                    try bytes.withUnsafeBytes { buffer in
                        try makeStorage(entry, bytes: buffer, count: count, alignedOffset: nil, inPlace: nil)
                    }
                }
            }
            tensors.append((entry.name, try Tensor(wrapping: storage, dtype: entry.dtype.dtype, shape: entry.shape)))
        }
        return Contents(tensors: tensors, metadata: metadata)
    }

    /// Storage for one tensor: the mapped bytes themselves when they already are bm elements, else a conversion.
    private static func makeStorage(_ entry: SafetensorsEntry, bytes: UnsafeRawBufferPointer, count: Int,
                                    alignedOffset: Int?, inPlace: (() -> TensorStorage)?) throws(MessageError)
        -> TensorStorage {
        guard let type = entry.dtype.numpyType else {
            let storage = TensorStorage(byteCount: count * 4)
            let output = storage.bytes.assumingMemoryBound(to: Float.self)
            for index in 0..<count {
                output[index] = ElementConversion.bfloat16ToFloat(UInt16(littleEndian: bytes.loadUnaligned(
                    fromByteOffset: 2 * index, as: UInt16.self)))
            }
            return storage
        }
        if let inPlace, let alignedOffset, type.isStoredAsIs, alignedOffset % type.size == 0,
           type.kind != .boolean || ElementConversion.boolBytesAreCanonical(bytes) {
            return inPlace()
        }
        do {
            return try ElementConversion.convert(bytes, type: type, count: count)
        } catch {
            throw MessageError("tensor '\(entry.name)': \(error.message)")
        }
    }

    /// Writes `tensors` (float32, float64, int64 or bool; stored as F32, F64, I64, BOOL) and `metadata` to `path`
    /// as the reference `safetensors` library does: tensors laid out by dtype then name, the compact JSON header
    /// padded with spaces to 8 bytes. The file is replaced atomically.
    /// - Throws: `DataError` (operation `safetensors.save`) for an empty, duplicate or reserved (`__metadata__`)
    ///   name, a missing folder or a failed write.
    public static func save(_ path: String, _ tensors: [(name: String, tensor: Tensor)],
                            metadata: [String: String] = [:]) throws {
        let operation = "safetensors.save"
        var seen = Set<String>()
        for (name, _) in tensors {
            guard !name.isEmpty else { throw DataError(operation, path: path, "a tensor name is empty") }
            guard name != "__metadata__" else {
                throw DataError(operation, path: path, "'__metadata__' is reserved for the metadata and cannot name a tensor")
            }
            guard seen.insert(name).inserted else {
                throw DataError(operation, path: path, "the name '\(name)' is given twice")
            }
        }
        let ordered = tensors.sorted {
            let (left, right) = (SafetensorsElementType.forWriting($0.tensor.dtype).layoutRank,
                                 SafetensorsElementType.forWriting($1.tensor.dtype).layoutRank)
            return left != right ? left > right : $0.name < $1.name
        }
        var entries: [SafetensorsEntry] = []
        var position = 0
        for (name, tensor) in ordered {
            let byteCount = tensor.count * tensor.dtype.itemSize
            entries.append(SafetensorsEntry(name: name, dtype: .forWriting(tensor.dtype), shape: tensor.shape,
                                            begin: position, end: position + byteCount))
            position += byteCount
        }
        let header = SafetensorsHeader.encode(entries: entries, metadata: metadata)
        try AtomicFile.write(to: path, operation: operation) { temporary in
            var writer = try SequentialFileWriter(temporaryPath: temporary, finalPath: path, operation: operation)
            defer { writer.close() }
            var length: [UInt8] = []
            length.append(littleEndian: UInt64(header.count))
            try writer.write(length + header)
            for (_, tensor) in ordered { try NPY.withElementBytes(of: tensor) { try writer.write($0) } }
        }
    }
}
