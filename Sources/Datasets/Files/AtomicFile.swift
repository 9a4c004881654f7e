#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Writes that never leave a truncated file behind.
///
/// Every save in bm writes a temporary file in the destination's folder, flushes it to disk, and renames it over the
/// destination; rename within one file system is atomic, so an interrupted, failed or cancelled save leaves the old
/// file (or none), never a partial one. The folder is flushed too, so the rename itself survives a crash.
public enum AtomicFile {
    /// Calls `body(temporaryPath)` to produce the file, then moves it to `path`.
    /// If `body` throws, the temporary file is removed and the error rethrown; `path` is untouched.
    /// Throws `DataError` when the folder does not exist or is not writable, or the rename fails.
    public static func write(to path: String, operation: String, _ body: (String) throws -> Void) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw DataError(operation, path: path, "folder \(folder) does not exist")
        }
        let temporary = folder + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do {
            try body(temporary)
            try flush(path: temporary, operation: operation)
            guard rename(temporary, path) == 0 else {
                throw DataError(operation, path: path, "cannot move the written file into place: \(errorText())")
            }
        } catch {
            unlink(temporary)
            throw error
        }
        // Best effort: flushing the folder makes the rename durable; failing to do so loses no data.
        let folderDescriptor = open(folder, O_RDONLY)
        if folderDescriptor >= 0 {
            fsync(folderDescriptor)
            close(folderDescriptor)
        }
    }

    /// Writes `bytes` to `path` atomically.
    public static func write(_ bytes: [UInt8], to path: String, operation: String) throws {
        try write(to: path, operation: operation) { temporary in
            let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard descriptor >= 0 else {
                throw DataError(operation, path: path, "cannot create file: \(errorText())")
            }
            defer { close(descriptor) }
            var written = 0
            while written < bytes.count {
                let result = bytes.withUnsafeBytes { buffer in
                    Glibc.write(descriptor, buffer.baseAddress! + written, bytes.count - written)
                }
                guard result > 0 else { throw DataError(operation, path: path, "write failed: \(errorText())") }
                written += result
            }
        }
    }

    private static func flush(path: String, operation: String) throws {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw DataError(operation, path: path, "the written file disappeared before it was flushed")
        }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw DataError(operation, path: path, "flush failed: \(errorText())") }
    }

    static func errorText() -> String { String(cString: strerror(errno)) }
}
