/// Writes a zip archive member by member (sizes and CRCs known up front, so no data descriptors), switching to ZIP64
/// records for any size, offset or count beyond the 32-bit (16-bit for counts) fields.
struct ZipWriter {
    private var output: SequentialFileWriter
    private var centralDirectory: [UInt8] = []
    private var entryCount = 0
    /// Writes ZIP64 records even when nothing overflows; lets tests exercise the ZIP64 path without 4 GB files.
    private let forceZip64: Bool

    // Fixed timestamp (1980-01-01 00:00, the DOS epoch) so that saving the same tensors gives the same bytes.
    private static let dosTime: UInt16 = 0
    private static let dosDate: UInt16 = (0 << 9) | (1 << 5) | 1

    init(output: SequentialFileWriter, forceZip64: Bool = false) {
        self.output = output
        self.forceZip64 = forceZip64
    }

    /// Appends a member holding `contents`, deflated when `compress` is true.
    mutating func add(name: String, contents: [UInt8], compress: Bool) throws {
        let crc = Zlib.crc32(contents)
        let stored = compress ? Zlib.deflateRaw(contents) : contents
        let offset = output.position
        let nameBytes = Array(name.utf8)
        let limit = 0xFFFF_FFFF
        let sizesOverflow = forceZip64 || contents.count >= limit || stored.count >= limit
        let offsetOverflows = forceZip64 || offset >= limit
        let method: UInt16 = compress ? 8 : 0
        // Bit 11: the name is UTF-8.
        let flags: UInt16 = nameBytes.allSatisfy { $0 < 0x80 } ? 0 : 0x0800
        let version: UInt16 = sizesOverflow || offsetOverflows ? 45 : 20

        var local: [UInt8] = []
        local.append(littleEndian: UInt32(0x0403_4B50))
        local.append(littleEndian: version)
        local.append(littleEndian: flags)
        local.append(littleEndian: method)
        local.append(littleEndian: Self.dosTime)
        local.append(littleEndian: Self.dosDate)
        local.append(littleEndian: crc)
        local.append(littleEndian: sizesOverflow ? UInt32(limit) : UInt32(stored.count))
        local.append(littleEndian: sizesOverflow ? UInt32(limit) : UInt32(contents.count))
        local.append(littleEndian: UInt16(nameBytes.count))
        local.append(littleEndian: UInt16(sizesOverflow ? 20 : 0))
        local += nameBytes
        if sizesOverflow {
            // In the local header, the ZIP64 field holds both sizes, uncompressed first.
            local.append(littleEndian: UInt16(1))
            local.append(littleEndian: UInt16(16))
            local.append(littleEndian: UInt64(contents.count))
            local.append(littleEndian: UInt64(stored.count))
        }
        try output.write(local)
        try output.write(stored)

        var extra: [UInt8] = []
        if sizesOverflow { extra.append(littleEndian: UInt64(contents.count)); extra.append(littleEndian: UInt64(stored.count)) }
        if offsetOverflows { extra.append(littleEndian: UInt64(offset)) }
        var central: [UInt8] = []
        central.append(littleEndian: UInt32(0x0201_4B50))
        central.append(littleEndian: UInt16(3 << 8) | version)  // made by: Unix
        central.append(littleEndian: version)
        central.append(littleEndian: flags)
        central.append(littleEndian: method)
        central.append(littleEndian: Self.dosTime)
        central.append(littleEndian: Self.dosDate)
        central.append(littleEndian: crc)
        central.append(littleEndian: sizesOverflow ? UInt32(limit) : UInt32(stored.count))
        central.append(littleEndian: sizesOverflow ? UInt32(limit) : UInt32(contents.count))
        central.append(littleEndian: UInt16(nameBytes.count))
        central.append(littleEndian: UInt16(extra.isEmpty ? 0 : 4 + extra.count))
        central.append(littleEndian: UInt16(0))  // comment length
        central.append(littleEndian: UInt16(0))  // disk
        central.append(littleEndian: UInt16(0))  // internal attributes
        central.append(littleEndian: UInt32(0o100644) << 16)  // external: regular file, rw-r--r--
        central.append(littleEndian: offsetOverflows ? UInt32(limit) : UInt32(offset))
        central += nameBytes
        if !extra.isEmpty {
            central.append(littleEndian: UInt16(1))
            central.append(littleEndian: UInt16(extra.count))
            central += extra
        }
        centralDirectory += central
        entryCount += 1
    }

    /// Writes the central directory and end records.
    mutating func finish() throws {
        let directoryOffset = output.position
        try output.write(centralDirectory)
        let directorySize = centralDirectory.count
        let needsZip64 = forceZip64 || entryCount >= 0xFFFF || directoryOffset >= 0xFFFF_FFFF
            || directorySize >= 0xFFFF_FFFF
        var end: [UInt8] = []
        if needsZip64 {
            let recordOffset = output.position
            end.append(littleEndian: UInt32(0x0606_4B50))
            end.append(littleEndian: UInt64(44))  // size of the rest of this record
            end.append(littleEndian: UInt16(3 << 8 | 45))
            end.append(littleEndian: UInt16(45))
            end.append(littleEndian: UInt32(0))
            end.append(littleEndian: UInt32(0))
            end.append(littleEndian: UInt64(entryCount))
            end.append(littleEndian: UInt64(entryCount))
            end.append(littleEndian: UInt64(directorySize))
            end.append(littleEndian: UInt64(directoryOffset))
            end.append(littleEndian: UInt32(0x0706_4B50))
            end.append(littleEndian: UInt32(0))
            end.append(littleEndian: UInt64(recordOffset))
            end.append(littleEndian: UInt32(1))
        }
        end.append(littleEndian: UInt32(0x0605_4B50))
        end.append(littleEndian: UInt16(0))
        end.append(littleEndian: UInt16(0))
        end.append(littleEndian: needsZip64 ? UInt16(0xFFFF) : UInt16(entryCount))
        end.append(littleEndian: needsZip64 ? UInt16(0xFFFF) : UInt16(entryCount))
        end.append(littleEndian: needsZip64 ? UInt32(0xFFFF_FFFF) : UInt32(directorySize))
        end.append(littleEndian: needsZip64 ? UInt32(0xFFFF_FFFF) : UInt32(directoryOffset))
        end.append(littleEndian: UInt16(0))
        try output.write(end)
    }
}
