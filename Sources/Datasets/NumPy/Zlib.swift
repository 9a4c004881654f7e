import CZlib

/// zlib's raw deflate streams (no zlib or gzip wrapper, `windowBits = -15`, as zip members use them) and its CRC-32.
/// The only file that imports CZlib: every call into zlib lives here.
enum Zlib {
    /// CRC-32 (ISO 3309, the one zip uses) of `bytes`, continuing from `previous`.
    static func crc32(_ bytes: UnsafeRawBufferPointer, previous: UInt32 = 0) -> UInt32 {
        var crc = UInt(previous)
        var remaining = bytes.count
        var position = bytes.baseAddress
        // zlib takes a 32-bit length; larger buffers go through in chunks.
        while remaining > 0, let base = position {
            let chunk = Swift.min(remaining, 1 << 30)
            crc = CZlib.crc32(crc, base.assumingMemoryBound(to: Bytef.self), uInt(chunk))
            remaining -= chunk
            position = base + chunk
        }
        return UInt32(truncatingIfNeeded: crc)
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { crc32($0) }
    }

    /// Inflates a raw deflate stream that must produce exactly `expectedCount` bytes.
    /// Throws `DataError` when the stream is corrupt, ends early, or produces more or fewer bytes.
    static func inflateRaw(_ compressed: [UInt8], expectedCount: Int, operation: String, path: String,
                           member: String) throws -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DataError(operation, path: path, "member '\(member)': zlib could not start inflating")
        }
        defer { inflateEnd(&stream) }
        // One spare byte lets us notice a stream that decodes to more than the zip directory claims. The buffer
        // grows as data actually arrives, so a directory that lies about the size cannot make us allocate it.
        let limit = expectedCount + 1
        var output = [UInt8](repeating: 0, count: Swift.min(limit, Swift.max(1 << 16, compressed.count * 4)))
        var status: Int32 = Z_OK
        var produced = 0
        var consumed = 0
        while true {
            compressed.withUnsafeBytes { input in
                output.withUnsafeMutableBytes { out in
                    // zlib counts in 32 bits, so buffers pass in chunks; Z_OK always means progress, so this ends.
                    repeat {
                        let inputChunk = Swift.min(input.count - consumed, 1 << 30)
                        let outputChunk = Swift.min(out.count - produced, 1 << 30)
                        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress.map {
                            ($0 + consumed).assumingMemoryBound(to: Bytef.self)
                        })
                        stream.avail_in = uInt(inputChunk)
                        stream.next_out = out.baseAddress.map { ($0 + produced).assumingMemoryBound(to: Bytef.self) }
                        stream.avail_out = uInt(outputChunk)
                        status = inflate(&stream, Z_NO_FLUSH)
                        consumed += inputChunk - Int(stream.avail_in)
                        produced += outputChunk - Int(stream.avail_out)
                    } while status == Z_OK
                }
            }
            // Out of room but not at the end of the stream: grow (doubling, up to the limit) and go on.
            guard status == Z_BUF_ERROR, produced == output.count, output.count < limit else { break }
            output.append(contentsOf: repeatElement(0, count: Swift.min(output.count, limit - output.count)))
        }
        if produced > expectedCount {
            throw DataError(operation, path: path,
                            "member '\(member)': inflates to more than the \(expectedCount) bytes the zip directory claims")
        }
        guard status == Z_STREAM_END else {
            let reason = status == Z_BUF_ERROR
                ? "the compressed data ends early" : stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
            throw DataError(operation, path: path, "member '\(member)': corrupt deflate data: \(reason)")
        }
        guard produced == expectedCount else {
            throw DataError(operation, path: path,
                            "member '\(member)': inflates to \(produced) bytes but the zip directory claims \(expectedCount)")
        }
        output.removeSubrange(expectedCount...)
        return output
    }

    /// Compresses `bytes` into a raw deflate stream at zlib's default level.
    static func deflateRaw(_ bytes: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        let started = deflateInit2_(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY,
                                    ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        precondition(started == Z_OK, "internal: zlib deflateInit2 failed (\(started))")
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 64)
        var consumed = 0
        var produced = 0
        bytes.withUnsafeBytes { input in
            output.withUnsafeMutableBytes { out in
                var status: Int32 = Z_OK
                while status != Z_STREAM_END {
                    let inputChunk = Swift.min(input.count - consumed, 1 << 30)
                    let outputChunk = Swift.min(out.count - produced, 1 << 30)
                    stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress.map {
                        ($0 + consumed).assumingMemoryBound(to: Bytef.self)
                    })
                    stream.avail_in = uInt(inputChunk)
                    stream.next_out = out.baseAddress.map { ($0 + produced).assumingMemoryBound(to: Bytef.self) }
                    stream.avail_out = uInt(outputChunk)
                    let flush = consumed + inputChunk == input.count ? Z_FINISH : Z_NO_FLUSH
                    status = deflate(&stream, flush)
                    precondition(status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR,
                                 "internal: zlib deflate failed (\(status))")
                    consumed += inputChunk - Int(stream.avail_in)
                    produced += outputChunk - Int(stream.avail_out)
                }
            }
        }
        output.removeSubrange(produced...)
        return output
    }
}
