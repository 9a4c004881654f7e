#if canImport(Glibc)
import Glibc
#endif
import Tensors

/// A regular file opened for reading by one load: its size, positioned reads, and private memory maps of ranges.
///
/// Readers check every length a file claims against `size` before reading or allocating, so a corrupt header can
/// never make bm allocate more than the file holds.
final class ReadableFile {
    let path: String
    let operation: String
    let size: Int
    private let descriptor: Int32

    /// Opens `path`. Throws `DataError` when it does not exist, is a folder, or cannot be opened.
    init(path: String, operation: String) throws {
        self.path = path
        self.operation = operation
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let reason = errno == ENOENT ? "no such file" : "cannot open: \(AtomicFile.errorText())"
            throw DataError(operation, path: path, reason)
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            close(descriptor)
            throw DataError(operation, path: path, "cannot read the file's size: \(AtomicFile.errorText())")
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw DataError(operation, path: path, (status.st_mode & S_IFMT) == S_IFDIR
                ? "is a folder, not a file" : "is not a regular file")
        }
        self.descriptor = descriptor
        self.size = Int(status.st_size)
    }

    deinit { close(descriptor) }

    /// `count` bytes starting at `offset`. Throws when the range runs past the end of the file or a read fails.
    func read(offset: Int, count: Int) throws -> [UInt8] {
        guard offset >= 0, count >= 0, offset <= size, count <= size - offset else {
            throw DataError(operation, path: path,
                            "needs bytes \(offset)..<\(offset &+ count) but the file has only \(size) bytes")
        }
        var bytes = [UInt8](repeating: 0, count: count)
        try bytes.withUnsafeMutableBytes { buffer in try read(into: buffer, offset: offset) }
        return bytes
    }

    /// Fills `buffer` with the bytes at `offset`; the caller has checked the range against `size`.
    func read(into buffer: UnsafeMutableRawBufferPointer, offset: Int) throws {
        var done = 0
        while done < buffer.count {
            let result = pread(descriptor, buffer.baseAddress! + done, Swift.min(buffer.count - done, 1 << 30),
                               off_t(offset + done))
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else {
                throw DataError(operation, path: path, result == 0
                    ? "the file shrank while it was being read" : "read failed: \(AtomicFile.errorText())")
            }
            done += result
        }
    }

    /// A private (copy-on-write) memory map of the bytes `offset..<offset+count`, or nil when the system refuses
    /// it (callers then read instead). Writes through the map never reach the file. The range must lie in the
    /// file and be non-empty.
    func map(offset: Int, count: Int) -> FileMapping? {
        precondition(offset >= 0 && count > 0 && offset + count <= size, "internal: map range outside the file")
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        let mapStart = offset - offset % pageSize
        let mapLength = offset + count - mapStart
        guard let base = mmap(nil, mapLength, PROT_READ | PROT_WRITE, MAP_PRIVATE, descriptor, off_t(mapStart)),
              base != MAP_FAILED else { return nil }
        return FileMapping(mapBase: base, mapLength: mapLength, start: base + (offset - mapStart), count: count)
    }
}

/// A memory-mapped range of a file, unmapped when the last tensor storage made from it is gone.
final class FileMapping: @unchecked Sendable {
    /// The first mapped byte the caller asked for.
    let start: UnsafeMutableRawPointer
    let count: Int
    private let mapBase: UnsafeMutableRawPointer
    private let mapLength: Int

    fileprivate init(mapBase: UnsafeMutableRawPointer, mapLength: Int, start: UnsafeMutableRawPointer, count: Int) {
        self.mapBase = mapBase
        self.mapLength = mapLength
        self.start = start
        self.count = count
    }

    deinit { munmap(mapBase, mapLength) }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: start, count: count) }

    /// Tensor storage for `byteCount` bytes at `offset` from `start`; it keeps the mapping alive.
    func storage(offset: Int, byteCount: Int) -> TensorStorage {
        precondition(offset >= 0 && byteCount >= 0 && offset + byteCount <= count, "internal: storage outside the map")
        return TensorStorage(wrapping: start + offset, byteCount: byteCount) { _, _ in
            withExtendedLifetime(self) {}
        }
    }
}

/// Writes a file from several pieces in order, through `AtomicFile`'s temporary path.
struct SequentialFileWriter {
    private let descriptor: Int32
    private let path: String
    private let operation: String
    /// Bytes written so far.
    private(set) var position = 0

    init(temporaryPath: String, finalPath: String, operation: String) throws {
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        path = finalPath
        self.operation = operation
        guard descriptor >= 0 else { throw DataError(operation, path: path, "cannot create file: \(AtomicFile.errorText())") }
    }

    func close() { _ = Glibc.close(descriptor) }

    mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let result = Glibc.write(descriptor, bytes.baseAddress! + done, Swift.min(bytes.count - done, 1 << 30))
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else { throw DataError(operation, path: path, "write failed: \(AtomicFile.errorText())") }
            done += result
        }
        position += bytes.count
    }

    mutating func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }
}
