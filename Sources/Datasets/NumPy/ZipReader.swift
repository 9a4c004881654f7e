/// One member listed in a zip archive's central directory.
struct ZipEntry {
    let name: String
    let flags: UInt16
    /// 0 = stored, 8 = deflated.
    let method: UInt16
    let crc32: UInt32
    let compressedSize: Int
    let uncompressedSize: Int
    let localHeaderOffset: Int
}

/// Reads the members of a zip archive (PKWARE APPNOTE 6.3: stored and deflated members, ZIP64 sizes and offsets),
/// checking every offset and size against the file before reading, and every member's CRC-32.
struct ZipReader {
    let file: ReadableFile
    let entries: [ZipEntry]

    private static let endRecordSignature: UInt32 = 0x0605_4B50
    private static let zip64LocatorSignature: UInt32 = 0x0706_4B50
    private static let zip64EndRecordSignature: UInt32 = 0x0606_4B50
    private static let centralSignature: UInt32 = 0x0201_4B50
    private static let localSignature: UInt32 = 0x0403_4B50

    /// Reads the central directory. Throws `DataError` when `file` is not a zip archive or its directory is corrupt.
    init(file: ReadableFile) throws {
        self.file = file
        let fail = { (message: String) in DataError(file.operation, path: file.path, message) }
        // The end record (22 bytes) sits at the end, followed only by a comment of at most 65535 bytes.
        let tailLength = Swift.min(file.size, 22 + 65535)
        let tail = try file.read(offset: file.size - tailLength, count: tailLength)
        guard let endIndex = stride(from: tail.count - 22, through: 0, by: -1).first(where: {
            tail.uint32(at: $0) == Self.endRecordSignature
        }) else {
            throw fail("not a zip archive (.npz files are zip archives): no end-of-central-directory record")
        }
        var entryCount = Int(tail.uint16(at: endIndex + 10))
        var directorySize = Int(tail.uint32(at: endIndex + 12))
        var directoryOffset = Int(tail.uint32(at: endIndex + 16))
        let endRecordOffset = file.size - tailLength + endIndex
        if entryCount == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF {
            guard endRecordOffset >= 20 else { throw fail("corrupt zip: ZIP64 end record locator missing") }
            let locator = try file.read(offset: endRecordOffset - 20, count: 20)
            guard locator.uint32(at: 0) == Self.zip64LocatorSignature else {
                throw fail("corrupt zip: ZIP64 end record locator missing")
            }
            let recordOffset = locator.uint64(at: 8)
            guard file.size >= 56, recordOffset <= UInt64(file.size - 56) else {
                throw fail("corrupt zip: ZIP64 end record offset \(recordOffset) is beyond the file's \(file.size) bytes")
            }
            let record = try file.read(offset: Int(recordOffset), count: 56)
            guard record.uint32(at: 0) == Self.zip64EndRecordSignature else {
                throw fail("corrupt zip: bad ZIP64 end record signature")
            }
            let values = [record.uint64(at: 32), record.uint64(at: 40), record.uint64(at: 48)]
            guard values.allSatisfy({ $0 <= UInt64(file.size) }) else {
                throw fail("corrupt zip: ZIP64 end record claims sizes beyond the file's \(file.size) bytes")
            }
            (entryCount, directorySize, directoryOffset) = (Int(values[0]), Int(values[1]), Int(values[2]))
        }
        guard directoryOffset <= file.size, directorySize <= file.size - directoryOffset else {
            throw fail("corrupt zip: central directory (\(directorySize) bytes at \(directoryOffset)) lies beyond "
                       + "the file's \(file.size) bytes")
        }
        guard entryCount * 46 <= directorySize else {
            throw fail("corrupt zip: \(entryCount) members cannot fit in a \(directorySize)-byte central directory")
        }
        let directory = try file.read(offset: directoryOffset, count: directorySize)
        var entries: [ZipEntry] = []
        var position = 0
        for index in 0..<entryCount {
            guard position + 46 <= directory.count, directory.uint32(at: position) == Self.centralSignature else {
                throw fail("corrupt zip: central directory entry \(index) is damaged")
            }
            let nameLength = Int(directory.uint16(at: position + 28))
            let extraLength = Int(directory.uint16(at: position + 30))
            let commentLength = Int(directory.uint16(at: position + 32))
            let next = position + 46 + nameLength + extraLength + commentLength
            guard next <= directory.count else {
                throw fail("corrupt zip: central directory entry \(index) runs past the directory")
            }
            let name = String(decoding: directory[(position + 46)..<(position + 46 + nameLength)], as: UTF8.self)
            var uncompressed = UInt64(directory.uint32(at: position + 24))
            var compressed = UInt64(directory.uint32(at: position + 20))
            var localOffset = UInt64(directory.uint32(at: position + 42))
            // ZIP64: the fields that overflowed 32 bits are in extra field 0x0001, in this order.
            var extra = position + 46 + nameLength
            let extraEnd = extra + extraLength
            while extra + 4 <= extraEnd {
                let tag = directory.uint16(at: extra), size = Int(directory.uint16(at: extra + 2))
                guard extra + 4 + size <= extraEnd else { break }
                if tag == 1 {
                    var field = extra + 4
                    if uncompressed == 0xFFFF_FFFF, field + 8 <= extra + 4 + size {
                        uncompressed = directory.uint64(at: field); field += 8
                    }
                    if compressed == 0xFFFF_FFFF, field + 8 <= extra + 4 + size {
                        compressed = directory.uint64(at: field); field += 8
                    }
                    if localOffset == 0xFFFF_FFFF, field + 8 <= extra + 4 + size {
                        localOffset = directory.uint64(at: field); field += 8
                    }
                }
                extra += 4 + size
            }
            // No member can be larger than the file or start beyond it; checking here keeps later arithmetic safe.
            guard compressed <= UInt64(file.size), localOffset <= UInt64(file.size),
                  uncompressed <= UInt64(Int.max / 2) else {
                throw fail("corrupt zip: member '\(name)' claims sizes or offsets beyond the file's \(file.size) bytes")
            }
            entries.append(ZipEntry(name: name, flags: directory.uint16(at: position + 8),
                                    method: directory.uint16(at: position + 10), crc32: directory.uint32(at: position + 16),
                                    compressedSize: Int(compressed), uncompressedSize: Int(uncompressed),
                                    localHeaderOffset: Int(localOffset)))
            position = next
        }
        self.entries = entries
    }

    /// The uncompressed bytes of `entry`, CRC-checked. Throws `DataError` for an encrypted member, an unsupported
    /// compression method, sizes beyond the file, a corrupt deflate stream or a CRC mismatch.
    func contents(of entry: ZipEntry) throws -> [UInt8] {
        let fail = { (message: String) in
            DataError(file.operation, path: file.path, "member '\(entry.name)': \(message)")
        }
        guard entry.flags & 1 == 0 else { throw fail("encrypted members are not supported") }
        let local = try file.read(offset: entry.localHeaderOffset, count: Swift.min(30, file.size - entry.localHeaderOffset))
        guard local.count == 30, local.uint32(at: 0) == Self.localSignature else {
            throw fail("corrupt zip: no local header at offset \(entry.localHeaderOffset)")
        }
        let dataOffset = entry.localHeaderOffset + 30 + Int(local.uint16(at: 26)) + Int(local.uint16(at: 28))
        guard dataOffset <= file.size, entry.compressedSize <= file.size - dataOffset else {
            throw fail("file is truncated: the member's \(entry.compressedSize) bytes at offset \(dataOffset) run "
                       + "past the file's \(file.size) bytes")
        }
        let bytes: [UInt8]
        switch entry.method {
        case 0:
            guard entry.compressedSize == entry.uncompressedSize else {
                throw fail("corrupt zip: stored member has \(entry.compressedSize) bytes but claims "
                           + "\(entry.uncompressedSize) uncompressed")
            }
            bytes = try file.read(offset: dataOffset, count: entry.compressedSize)
        case 8:
            // Deflate expands at most 1032:1; a larger claim is corruption, and allocating it could exhaust memory.
            guard entry.uncompressedSize <= entry.compressedSize * 1032 + 1024 else {
                throw fail("corrupt zip: claims \(entry.uncompressedSize) bytes inflated from "
                           + "\(entry.compressedSize) compressed, more than deflate can produce")
            }
            let compressed = try file.read(offset: dataOffset, count: entry.compressedSize)
            bytes = try Zlib.inflateRaw(compressed, expectedCount: entry.uncompressedSize, operation: file.operation,
                                        path: file.path, member: entry.name)
        default:
            throw fail("compression method \(entry.method) is not supported (only stored and deflated)")
        }
        let crc = Zlib.crc32(bytes)
        guard crc == entry.crc32 else {
            throw fail("CRC-32 mismatch (computed \(hex(crc)), the archive says \(hex(entry.crc32))): "
                       + "the member is corrupt")
        }
        return bytes
    }
}

func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
}

extension Array where Element == UInt8 {
    /// Little-endian integers at byte offsets; callers check the bounds.
    func uint16(at offset: Int) -> UInt16 { UInt16(self[offset]) | UInt16(self[offset + 1]) << 8 }
    func uint32(at offset: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 | UInt32(self[offset + $1]) << (8 * UInt32($1)) }
    }
    func uint64(at offset: Int) -> UInt64 {
        (0..<8).reduce(0) { $0 | UInt64(self[offset + $1]) << (8 * UInt64($1)) }
    }

    mutating func append(littleEndian value: UInt16) { append(contentsOf: [UInt8(value & 0xFF), UInt8(value >> 8)]) }
    mutating func append(littleEndian value: UInt32) { for shift in 0..<4 { append(UInt8((value >> (8 * shift)) & 0xFF)) } }
    mutating func append(littleEndian value: UInt64) { for shift in 0..<8 { append(UInt8((value >> (8 * shift)) & 0xFF)) } }
}
