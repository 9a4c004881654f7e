import Foundation
import Tensors

/// An HDF5 file, read and written through libhdf5: what h5py (and MATLAB's `-v7.3`) write, bm reads, and what bm
/// writes, h5py reads. The file object is its root group (`keys()`, `file["a/b"]`, attributes).
///
/// ```swift
/// let file = try HDF5File.open("k92.h5")
/// let rdm = try file["rdm_hIT"].read()                          // [92, 92] float64
/// for (rows, block) in try file["betas"].blocks(rows: 1000) { … } // streams, never loads it whole
/// ```
///
/// Modes: `.read` never changes the file. `.readWrite` edits the file **in place** (HDF5 has no copy-on-write: an
/// interrupted edit can leave a damaged file). `.create` makes a new file, replacing any file at `path`. For a save
/// that is all-or-nothing, build the whole file with `HDF5.write` / `HDF5.save`, which write a temporary file and
/// rename it.
/// The file closes when the last object obtained from it is released; `flush()` forces written data to disk.
public final class HDF5File: HDF5Group, @unchecked Sendable {
    public enum Mode: Sendable { case read, readWrite, create }

    public let mode: Mode

    private init(handle: HDF5Handle, path: String, mode: Mode) {
        self.mode = mode
        super.init(handle: handle, rootHandle: handle, filePath: path, path: "/", isWritable: mode != .read)
    }

    public override var description: String { "HDF5 file \(filePath)" }

    /// Opens (or with `.create`, creates) the HDF5 file at `path`. MATLAB `.mat` files saved with `-v7.3` are HDF5
    /// and open here.
    /// - Throws: `DataError` (`h5.open`) when the file does not exist, is a folder or not a regular file (a named
    ///   pipe, a device), is empty, is an older MATLAB `.mat` file, is not an HDF5 file, or is corrupt or truncated —
    ///   including damage that makes libhdf5 itself crash or loop, which a check in a separate process catches first
    ///   (`HDF5Validation`); with `.create`, when the folder does not exist or the file cannot be created.
    public static func open(_ path: String, mode: Mode = .read) throws -> HDF5File {
        try open(path, mode: mode, checkTimeLimit: HDF5Validation.defaultTimeLimit)
    }

    /// `open`, with the time the separate-process check (`HDF5Validation`) may take (tests shorten it).
    static func open(_ path: String, mode: Mode, checkTimeLimit: Double) throws -> HDF5File {
        let context = HDF5Context(operation: "h5.open", path: path)
        if mode == .create { return try create(path) }
        var information = stat()
        guard stat(path, &information) == 0 else { throw context.error("no such file") }
        let kind = information.st_mode & S_IFMT
        guard kind != S_IFDIR else { throw context.error("this is a folder, not an HDF5 file") }
        // Opening a named pipe for reading would wait for a writer forever; libhdf5 seeks, which a pipe cannot.
        guard kind == S_IFREG else {
            throw context.error("not a regular file (a named pipe, socket or device): HDF5 files are read by seeking")
        }
        guard let reader = FileHandle(forReadingAtPath: path) else {
            throw context.error("cannot read the file: permission denied")
        }
        let head = (try? reader.read(upToCount: 128)) ?? Data()
        try? reader.close()
        if head.isEmpty { throw context.error("the file is empty, not an HDF5 file") }
        if head.starts(with: Array("MATLAB 5.0 MAT-file".utf8)) {
            throw context.error("this is a MATLAB v5 .mat file, not HDF5; save it with -v7.3 or convert it "
                                + "(scipy.io.loadmat, then h5py) to read it in bm")
        }
        if HDF5Library.isHDF5(path) == false {
            throw context.error("not an HDF5 file (no HDF5 signature at byte 0, 512, 1024, …)")
        }
        try HDF5Validation.check(path, timeLimit: checkTimeLimit, context: context)
        let handle = try HDF5Library.openFile(path, writable: mode == .readWrite, context)
        return HDF5File(handle: handle, path: path, mode: mode)
    }

    /// Creates an empty HDF5 file at `path`, replacing any file there (h5py's mode `"w"`). Edits go straight to
    /// `path`; use `HDF5.save` for an all-or-nothing save.
    /// - Throws: `DataError` (`h5.create`) when the folder does not exist or the file cannot be created (for
    ///   example because it is open elsewhere in this process).
    public static func create(_ path: String) throws -> HDF5File {
        try create(path, reportedPath: path)
    }

    /// Creates the file at `path`; errors (then and later) name `reportedPath`: the destination of an atomic save,
    /// rather than its temporary file.
    static func create(_ path: String, reportedPath: String) throws -> HDF5File {
        let context = HDF5Context(operation: "h5.create", path: reportedPath)
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw context.error("folder \(folder) does not exist")
        }
        let handle = try HDF5Library.createFile(path, context)
        return HDF5File(handle: handle, path: reportedPath, mode: .create)
    }

    /// Writes everything buffered to disk.
    public func flush() throws {
        try HDF5Library.flush(handle, context("h5.write"))
    }

    /// The version of libhdf5 bm is linked with (`1.10.8` on Debian 12).
    public static var libraryVersion: String { HDF5Library.version }
}

/// One-call reading and atomic writing of HDF5 files.
public enum HDF5 {
    /// Reads one numeric or bool dataset: `HDF5File.open(path)[name].read()`.
    /// - Throws: what `HDF5File.open`, `HDF5Group.dataset` and `HDF5Dataset.read` throw.
    public static func read(_ path: String, _ name: String) throws -> Tensor {
        try HDF5File.open(path)[name].read()
    }

    /// Writes a file holding one dataset `name` = `tensor` (with `attributes` on it), atomically: the file is built
    /// under a temporary name in the same folder and renamed over `path` only when complete, so a failure leaves
    /// the previous file (or none). Replaces the whole file.
    /// - Throws: `DataError` (`h5.write`) for an invalid name, chunk shape or gzip level, or a write failure.
    public static func write(_ path: String, _ name: String, _ tensor: Tensor,
                             attributes: [String: HDF5Value] = [:], chunks: [Int]? = nil, gzip: Int? = nil) throws {
        try save(path) { file in
            try file.writeDataset(name, tensor, chunks: chunks, gzip: gzip, attributes: attributes)
        }
    }

    /// Builds a whole file with `body` (create groups, datasets, attributes) and moves it to `path` atomically.
    /// If `body` throws, `path` is untouched and the temporary file removed. Inside `body`, `file.filePath` and
    /// error messages name `path`, though the bytes go to a temporary file until the end.
    public static func save(_ path: String, _ body: (HDF5File) throws -> Void) throws {
        try AtomicFile.write(to: path, operation: "h5.write") { temporary in
            // Scoped so that every libhdf5 object is closed, and the file with it, before the rename.
            try {
                let file = try HDF5File.create(temporary, reportedPath: path)
                try body(file)
                try file.flush()
            }()
        }
    }
}
