import CHDF5
import Foundation

// The only file that imports CHDF5: every libhdf5 call in bm is one of the thin wrappers below.
//
// A serial libhdf5 is not thread-safe (Debian 12's happens to be built thread-safe, others are not), so every call
// runs under one process-wide lock. The lock is recursive because the iteration callbacks (H5Literate, H5Aiterate2,
// H5Ewalk2) run inside a locked call. A failed call is turned into one `DataError` while the lock is still held, so
// that the error stack it reads is the failed call's.

private let libraryLock = NSRecursiveLock()

/// Opens the library once.
private let libraryStarted: Bool = {
    H5open()
    return true
}()

/// An open libhdf5 object (file, group, dataset, attribute, dataspace, datatype or property list), closed when the
/// last Swift reference goes away.
final class HDF5Handle: @unchecked Sendable {
    enum Kind { case file, object, attribute, space, type, propertyList }
    let id: hid_t
    let kind: Kind

    init(_ id: hid_t, _ kind: Kind) {
        self.id = id
        self.kind = kind
    }

    deinit {
        HDF5Library.locked {
            switch kind {
            case .file: _ = H5Fclose(id)
            case .object: _ = H5Oclose(id)
            case .attribute: _ = H5Aclose(id)
            case .space: _ = H5Sclose(id)
            case .type: _ = H5Tclose(id)
            case .propertyList: _ = H5Pclose(id)
            }
        }
    }
}

/// Who is asking, for error messages: `h5.read: /data/k92.h5: …`.
struct HDF5Context {
    let operation: String
    let path: String

    func error(_ message: String) -> DataError { DataError(operation, path: path, message) }
}

/// A rectangular selection of a dataspace: `count[axis]` positions from `start[axis]` every `stride[axis]`.
struct HDF5Hyperslab {
    var start: [UInt64]
    var stride: [UInt64]
    var count: [UInt64]
}

/// The element type of a buffer in memory; HDF5 converts the stored type to it while reading or from it while writing.
enum HDF5MemoryType {
    case int64, uint64, float32, float64
    /// One byte per element: the h5py enum `{FALSE = 0, TRUE = 1}` over int8.
    case boolEnum
}

enum HDF5ObjectKind { case group, dataset, namedType, other }

enum HDF5Library {
    static func locked<Result>(_ body: () throws -> Result) rethrows -> Result {
        libraryLock.lock()
        defer { libraryLock.unlock() }
        _ = libraryStarted
        // Failures become `DataError`s, not HDF5-DIAG screens on stderr. A thread-safe libhdf5 keeps this setting
        // per thread, and new threads start with printing on: switch it off on whichever thread calls.
        H5Eset_auto2(bm_h5_default(), nil, nil)
        return try body()
    }

    /// The version of the libhdf5 bm runs on, e.g. `1.10.8`.
    static var version: String {
        locked {
            var major: UInt32 = 0, minor: UInt32 = 0, release: UInt32 = 0
            H5get_libversion(&major, &minor, &release)
            return "\(major).\(minor).\(release)"
        }
    }

    // MARK: Errors

    /// The innermost message of HDF5's error stack (where the problem was found, e.g. `truncated file: eof = 800,
    /// sblock->base_addr = 0, stored_eof = 3392`), then clears the stack. Called with the lock held.
    private static func errorDetail() -> String {
        final class Messages { var list: [String] = [] }
        let messages = Messages()
        let walker: H5E_walk2_t = { _, description, context in
            guard let description, let context, let text = description.pointee.desc else { return 0 }
            Unmanaged<Messages>.fromOpaque(context).takeUnretainedValue().list.append(String(cString: text))
            return 0
        }
        _ = withExtendedLifetime(messages) {
            H5Ewalk2(bm_h5_default(), H5E_WALK_UPWARD, walker, Unmanaged.passUnretained(messages).toOpaque())
        }
        H5Eclear2(bm_h5_default())
        return messages.list.first(where: { !$0.isEmpty }) ?? "no detail from libhdf5"
    }

    private static func failure(_ context: HDF5Context, _ message: String) -> DataError {
        context.error("\(message) (libhdf5: \(errorDetail()))")
    }

    /// Runs a call returning an id; a negative id is a failure described by `message`.
    private static func handle(_ context: HDF5Context, _ message: @autoclosure () -> String, _ kind: HDF5Handle.Kind,
                               _ call: () -> hid_t) throws -> HDF5Handle {
        try locked {
            let id = call()
            guard id >= 0 else { throw failure(context, message()) }
            return HDF5Handle(id, kind)
        }
    }

    /// Runs a call returning a status; a negative status is a failure described by `message`.
    private static func check(_ context: HDF5Context, _ message: @autoclosure () -> String,
                              _ call: () -> herr_t) throws {
        try locked {
            guard call() >= 0 else { throw failure(context, message()) }
        }
    }

    // MARK: Files

    /// True when the file starts with the HDF5 signature (at byte 0, 512, 1024, …); nil when libhdf5 cannot tell.
    static func isHDF5(_ path: String) -> Bool? {
        locked {
            let answer = H5Fis_hdf5(path)
            if answer < 0 { H5Eclear2(bm_h5_default()); return nil }
            return answer > 0
        }
    }

    static func openFile(_ path: String, writable: Bool, _ context: HDF5Context) throws -> HDF5Handle {
        try locked {
            let id = H5Fopen(path, writable ? bm_h5f_acc_rdwr() : bm_h5f_acc_rdonly(), bm_h5_default())
            guard id < 0 else { return HDF5Handle(id, .file) }
            let detail = errorDetail()
            if detail.contains("already open") {
                throw context.error("cannot open the file\(writable ? " for writing" : "")"
                                    + ": it is already open in this process in another mode; release the other "
                                    + "HDF5File (and its groups and datasets) first (libhdf5: \(detail))")
            }
            if detail.contains("unable to lock file") {
                throw context.error("cannot open the file: another process holds a lock on it, or this file system "
                                    + "does not support locking (on network file systems set "
                                    + "HDF5_USE_FILE_LOCKING=FALSE) (libhdf5: \(detail))")
            }
            throw context.error("cannot open the file: it is corrupt or truncated (libhdf5: \(detail))")
        }
    }

    /// A child process for `HDF5Validation`, made without running fork handlers (see `bm_h5_fork_without_handlers`):
    /// the child's id in the parent, 0 in the child, -1 on failure.
    static func forkValidationChild() -> pid_t { bm_h5_fork_without_handlers() }

    /// In a child process forked by `HDF5Validation` (with the lock held by the parent's forking thread): walks
    /// every structure of the file at `path` that bm's reader can reach, then exits with status 0. A damaged file
    /// makes the child crash or hang instead; the parent sees either. The child writes a byte to `ready` once it
    /// has closed the descriptors it inherited.
    static func runValidationWalkAndExit(_ path: UnsafePointer<CChar>, ready: Int32) -> Never {
        _exit(bm_h5_validate_file(path, ready))
    }

    /// What the validation child's exit status says it found that libhdf5 accepts but cannot be right; nil for
    /// any other status (0: the walk finished).
    static func validationInconsistency(exitStatus: Int32) -> HDF5Validation.Inconsistency? {
        switch exitStatus {
        case Int32(BM_H5_VALIDATE_INCONSISTENT): .attributeSizes
        case Int32(BM_H5_VALIDATE_HEAP_COLLECTION): .heapCollection
        case Int32(BM_H5_VALIDATE_HEAP_REFERENCE): .heapReference
        case Int32(BM_H5_VALIDATE_DATATYPE): .datatypeSizes
        default: nil
        }
    }

    /// Creates (truncates) a file in the HDF5 1.8 format: unlike the 1.0 format libhdf5 (and h5py) write by
    /// default, its superblock, object headers and indexes carry checksums, so later damage to them is reported as
    /// an error instead of being followed into a crash. Every libhdf5 since 1.8 (2008) reads it, h5py and MATLAB too.
    static func createFile(_ path: String, _ context: HDF5Context) throws -> HDF5Handle {
        try locked {
            let access = try handle(context, "cannot make a file access property list", .propertyList) {
                H5Pcreate(bm_h5p_file_access())
            }
            try check(context, "cannot choose the file format") {
                H5Pset_libver_bounds(access.id, H5F_LIBVER_V18, H5F_LIBVER_V18)
            }
            return try handle(context, "cannot create the file", .file) {
                H5Fcreate(path, bm_h5f_acc_trunc(), bm_h5_default(), access.id)
            }
        }
    }

    static func flush(_ file: HDF5Handle, _ context: HDF5Context) throws {
        try check(context, "cannot flush the file") { H5Fflush(file.id, H5F_SCOPE_LOCAL) }
    }

    // MARK: Links and objects

    /// Whether `name` (one link, relative to `location`) exists.
    static func linkExists(_ location: HDF5Handle, _ name: String, _ context: HDF5Context) throws -> Bool {
        try locked {
            let answer = H5Lexists(location.id, name, bm_h5_default())
            guard answer >= 0 else { throw failure(context, "cannot look up \"\(name)\"") }
            return answer > 0
        }
    }

    /// The names of the links in a group, in name order (as h5py's `keys()`).
    static func linkNames(_ group: HDF5Handle, _ context: HDF5Context) throws -> [String] {
        final class Names { var list: [String] = [] }
        let names = Names()
        let visitor: H5L_iterate_t = { _, name, _, context in
            guard let name, let context else { return 0 }
            Unmanaged<Names>.fromOpaque(context).takeUnretainedValue().list.append(String(cString: name))
            return 0
        }
        try withExtendedLifetime(names) {
            try check(context, "cannot list the group's members") {
                H5Literate(group.id, H5_INDEX_NAME, H5_ITER_INC, nil, visitor,
                           Unmanaged.passUnretained(names).toOpaque())
            }
        }
        return names.list
    }

    static func openObject(_ location: HDF5Handle, _ name: String, _ context: HDF5Context) throws
        -> (HDF5Handle, HDF5ObjectKind) {
        try locked {
            let object = try handle(context, "cannot open \"\(name)\"", .object) {
                H5Oopen(location.id, name, bm_h5_default())
            }
            switch H5Iget_type(object.id) {
            case H5I_GROUP: return (object, .group)
            case H5I_DATASET: return (object, .dataset)
            case H5I_DATATYPE: return (object, .namedType)
            default: return (object, .other)
            }
        }
    }

    /// Creates the group `name` under `location`, and any missing groups on its path.
    static func createGroup(_ location: HDF5Handle, _ name: String, _ context: HDF5Context) throws -> HDF5Handle {
        try locked {
            let linkList = try intermediateGroupsList(context)
            return try handle(context, "cannot create the group \"\(name)\"", .object) {
                H5Gcreate2(location.id, name, linkList.id, bm_h5_default(), bm_h5_default())
            }
        }
    }

    private static func intermediateGroupsList(_ context: HDF5Context) throws -> HDF5Handle {
        let list = try handle(context, "cannot make a link property list", .propertyList) {
            H5Pcreate(bm_h5p_link_create())
        }
        try check(context, "cannot set intermediate group creation") { H5Pset_create_intermediate_group(list.id, 1) }
        return list
    }

    // MARK: Dataspaces and datatypes

    static func datasetSpace(_ dataset: HDF5Handle, _ context: HDF5Context) throws -> HDF5Handle {
        try handle(context, "cannot read the dataset's shape", .space) { H5Dget_space(dataset.id) }
    }

    static func datasetType(_ dataset: HDF5Handle, _ context: HDF5Context) throws -> HDF5Handle {
        try handle(context, "cannot read the dataset's type", .type) { H5Dget_type(dataset.id) }
    }

    /// The extent of a dataspace: `[]` for a scalar, nil for a null dataspace (no elements, no shape).
    static func extent(_ space: HDF5Handle, _ context: HDF5Context) throws -> [UInt64]? {
        try locked {
            let kind = H5Sget_simple_extent_type(space.id)
            if kind == H5S_NULL { return nil }
            if kind == H5S_SCALAR { return [] }
            let rank = H5Sget_simple_extent_ndims(space.id)
            guard kind == H5S_SIMPLE, rank >= 0, rank <= 32 else { throw failure(context, "the shape is unreadable") }
            var dimensions = [hsize_t](repeating: 0, count: Int(rank))
            guard H5Sget_simple_extent_dims(space.id, &dimensions, nil) >= 0 else {
                throw failure(context, "the shape is unreadable")
            }
            return dimensions.map { UInt64($0) }
        }
    }

    /// A plain-Swift description of a datatype (see `HDF5StoredType`).
    static func describe(_ type: HDF5Handle, _ context: HDF5Context) throws -> HDF5StoredType {
        try locked { try describe(typeID: type.id, context, depth: 0) }
    }

    private static func describe(typeID: hid_t, _ context: HDF5Context, depth: Int) throws -> HDF5StoredType {
        guard depth < 8 else { return .other("deeply nested type") }
        let size = H5Tget_size(typeID)
        let typeClass = H5Tget_class(typeID)
        guard size > 0, typeClass != H5T_NO_CLASS else { throw failure(context, "the element type is unreadable") }
        // A damaged file can claim any size; numbers wider than 16 bytes exist in no real file.
        switch typeClass {
        case H5T_INTEGER where size > 16, H5T_FLOAT where size > 16, H5T_ENUM where size > 16:
            return .other("number type of \(size) bytes (a damaged file?)")
        case H5T_INTEGER:
            return .integer(bytes: size, signed: H5Tget_sign(typeID) == H5T_SGN_2)
        case H5T_FLOAT:
            return .float(bytes: size)
        case H5T_STRING:
            let variable = H5Tis_variable_str(typeID) > 0
            return .string(variableLength: variable, bytes: variable ? 0 : size,
                           utf8: H5Tget_cset(typeID) == H5T_CSET_UTF8,
                           spacePadded: H5Tget_strpad(typeID) == H5T_STR_SPACEPAD)
        case H5T_ENUM:
            let base = try subType(typeID, context, depth: depth)
            let memberCount = H5Tget_nmembers(typeID)
            guard memberCount >= 0, memberCount <= 1 << 16 else {
                throw failure(context, "the enum type is unreadable")
            }
            var members: [(String, Int64)] = []
            for member in 0..<UInt32(memberCount) {
                let name = memberName(typeID, member)
                var value = [UInt8](repeating: 0, count: Swift.max(size, 8))
                guard H5Tget_member_value(typeID, member, &value) >= 0 else {
                    throw failure(context, "the enum type is unreadable")
                }
                let integer = size == 1 ? Int64(Int8(bitPattern: value[0])) : value.withUnsafeBytes {
                    size >= 8 ? $0.load(as: Int64.self) : size >= 4 ? Int64($0.load(as: Int32.self))
                        : Int64($0.load(as: Int16.self))
                }
                members.append((name, integer))
            }
            return .enumeration(base: base, members: members.map { .init(name: $0.0, value: $0.1) })
        case H5T_COMPOUND:
            let memberCount = H5Tget_nmembers(typeID)
            guard memberCount >= 0, memberCount <= 1 << 16 else {
                throw failure(context, "the compound type is unreadable")
            }
            var members: [HDF5StoredType.Field] = []
            for member in 0..<UInt32(memberCount) {
                let memberType = H5Tget_member_type(typeID, member)
                guard memberType >= 0 else { throw failure(context, "the compound type is unreadable") }
                defer { H5Tclose(memberType) }
                members.append(.init(name: memberName(typeID, member),
                                     type: try describe(typeID: memberType, context, depth: depth + 1)))
            }
            return .compound(fields: members)
        case H5T_ARRAY:
            let rank = H5Tget_array_ndims(typeID)
            guard rank >= 0, rank <= 32 else { throw failure(context, "the array type is unreadable") }
            var dimensions = [hsize_t](repeating: 0, count: Int(rank))
            _ = H5Tget_array_dims2(typeID, &dimensions)
            return .array(shape: dimensions.map { Int(clamping: $0) },
                          element: try subType(typeID, context, depth: depth))
        case H5T_VLEN:
            return .variableLengthSequence(element: try subType(typeID, context, depth: depth))
        case H5T_REFERENCE: return .other("object or region reference")
        case H5T_OPAQUE: return .other("opaque bytes (\(size) per element)")
        case H5T_BITFIELD: return .other("bitfield of \(size) bytes")
        case H5T_TIME: return .other("time")
        default: return .other("unknown type class \(typeClass.rawValue)")
        }
    }

    private static func subType(_ typeID: hid_t, _ context: HDF5Context, depth: Int) throws -> HDF5StoredType {
        let base = H5Tget_super(typeID)
        guard base >= 0 else { throw failure(context, "the element type is unreadable") }
        defer { H5Tclose(base) }
        return try describe(typeID: base, context, depth: depth + 1)
    }

    private static func memberName(_ typeID: hid_t, _ member: UInt32) -> String {
        guard let name = H5Tget_member_name(typeID, member) else { return "?" }
        defer { H5free_memory(name) }
        return String(cString: name)
    }

    // MARK: Storage layout

    /// For a contiguous dataset whose data is written: its byte offset in the file and its stored size. Nil for
    /// chunked and compact datasets, and for datasets never written (they read as their fill value).
    static func contiguousExtent(_ dataset: HDF5Handle, _ context: HDF5Context) throws
        -> (offset: UInt64, bytes: UInt64)? {
        try locked { () throws -> (offset: UInt64, bytes: UInt64)? in
            let plist = try handle(context, "cannot read the dataset's storage layout", .propertyList) {
                H5Dget_create_plist(dataset.id)
            }
            guard H5Pget_layout(plist.id) == H5D_CONTIGUOUS else { return nil }
            let offset = H5Dget_offset(dataset.id)
            H5Eclear2(bm_h5_default())
            guard offset != haddr_t.max else { return nil }
            return (UInt64(offset), UInt64(H5Dget_storage_size(dataset.id)))
        }
    }

    /// The chunk shape of a chunked dataset; nil for contiguous and compact ones.
    static func chunkShape(_ dataset: HDF5Handle, _ context: HDF5Context) throws -> [Int]? {
        try locked { () throws -> [Int]? in
            let plist = try handle(context, "cannot read the dataset's storage layout", .propertyList) {
                H5Dget_create_plist(dataset.id)
            }
            guard H5Pget_layout(plist.id) == H5D_CHUNKED else { return nil }
            var dimensions = [hsize_t](repeating: 0, count: 32)
            let rank = H5Pget_chunk(plist.id, 32, &dimensions)
            guard rank >= 0 else { throw failure(context, "cannot read the chunk shape") }
            return dimensions.prefix(Int(rank)).map { Int(clamping: $0) }
        }
    }

    // MARK: Reading

    /// Reads the elements `selection` picks (all of them when nil) of a dataset into `buffer`, converted to `memory`.
    /// The buffer holds `selection.count` (or the whole shape) elements in row-major order.
    static func read(_ dataset: HDF5Handle, as memory: HDF5MemoryType, selection: HDF5Hyperslab?,
                     into buffer: UnsafeMutableRawPointer, _ context: HDF5Context, name: String) throws {
        try locked {
            let memoryType = try makeMemoryType(memory, context)
            let (memorySpace, fileSpace) = try selectionSpaces(dataset, selection, context)
            try check(context, "cannot read the dataset \"\(name)\"") {
                H5Dread(dataset.id, memoryType.id, memorySpace?.id ?? bm_h5s_all(), fileSpace?.id ?? bm_h5s_all(),
                        bm_h5_default(), buffer)
            }
        }
    }

    /// Reads the strings of a string dataset (selected part) or attribute (`selection` nil), in row-major order.
    static func readStrings(_ source: HDF5Handle, isAttribute: Bool, type: HDF5StoredType, count: Int,
                            selection: HDF5Hyperslab?, _ context: HDF5Context, name: String) throws -> [String] {
        guard case .string(let variableLength, let bytes, let utf8, let spacePadded) = type else {
            preconditionFailure("internal: readStrings of \(type)")
        }
        if count == 0 { return [] }
        return try locked {
            let memoryType = try handle(context, "cannot make a string type", .type) { H5Tcopy(bm_h5t_c_s1()) }
            try check(context, "cannot make a string type") {
                H5Tset_size(memoryType.id, variableLength ? bm_h5t_variable() : bytes)
            }
            try check(context, "cannot make a string type") {
                H5Tset_cset(memoryType.id, utf8 ? H5T_CSET_UTF8 : H5T_CSET_ASCII)
            }
            if !variableLength {
                // Null-padded, so that a string filling all its bytes arrives whole (null-terminated would cut its
                // last byte); the padding is stripped below.
                try check(context, "cannot make a string type") { H5Tset_strpad(memoryType.id, H5T_STR_NULLPAD) }
            }
            let (memorySpace, fileSpace) = isAttribute ? (nil, nil) : try selectionSpaces(source, selection, context)
            func readInto(_ buffer: UnsafeMutableRawPointer) throws {
                try check(context, "cannot read the strings of \"\(name)\"") {
                    isAttribute ? H5Aread(source.id, memoryType.id, buffer)
                        : H5Dread(source.id, memoryType.id, memorySpace?.id ?? bm_h5s_all(),
                                  fileSpace?.id ?? bm_h5s_all(), bm_h5_default(), buffer)
                }
            }
            if variableLength {
                var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
                try pointers.withUnsafeMutableBytes { try readInto($0.baseAddress!) }
                defer {
                    // The strings were allocated by libhdf5; hand them back to its allocator.
                    for pointer in pointers where pointer != nil { H5free_memory(pointer) }
                }
                return pointers.map { $0.map { String(cString: $0) } ?? "" }
            }
            let (total, overflow) = count.multipliedReportingOverflow(by: bytes)
            guard !overflow, UInt64(total) <= ProcessInfo.processInfo.physicalMemory else {
                throw context.error("\"\(name)\" claims \(count) strings of \(bytes) bytes, more than this machine's "
                                    + "memory: the file is corrupt")
            }
            var raw = [UInt8](repeating: 0, count: total)
            try raw.withUnsafeMutableBytes { try readInto($0.baseAddress!) }
            return (0..<count).map { index in
                var slice = raw[(index * bytes)..<((index + 1) * bytes)]
                if let end = slice.firstIndex(of: 0) { slice = slice[..<end] }
                if spacePadded { while slice.last == 0x20 { slice = slice.dropLast() } }
                return String(decoding: slice, as: UTF8.self)
            }
        }
    }

    private static func makeMemoryType(_ memory: HDF5MemoryType, _ context: HDF5Context) throws -> HDF5Handle {
        switch memory {
        case .int64: return try handle(context, "cannot make a type", .type) { H5Tcopy(bm_h5t_native_int64()) }
        case .uint64: return try handle(context, "cannot make a type", .type) { H5Tcopy(bm_h5t_native_uint64()) }
        case .float32: return try handle(context, "cannot make a type", .type) { H5Tcopy(bm_h5t_native_float()) }
        case .float64: return try handle(context, "cannot make a type", .type) { H5Tcopy(bm_h5t_native_double()) }
        case .boolEnum:
            let type = try handle(context, "cannot make the bool type", .type) { H5Tenum_create(bm_h5t_native_int8()) }
            var no: Int8 = 0, yes: Int8 = 1
            try check(context, "cannot make the bool type") { H5Tenum_insert(type.id, "FALSE", &no) }
            try check(context, "cannot make the bool type") { H5Tenum_insert(type.id, "TRUE", &yes) }
            return type
        }
    }

    /// The memory and file dataspaces of a hyperslab read or write (nil, nil: the whole dataset, H5S_ALL).
    private static func selectionSpaces(_ dataset: HDF5Handle, _ selection: HDF5Hyperslab?, _ context: HDF5Context)
        throws -> (HDF5Handle?, HDF5Handle?) {
        guard let selection else { return (nil, nil) }
        let fileSpace = try datasetSpace(dataset, context)
        if selection.count.isEmpty { return (nil, fileSpace) }
        try check(context, "cannot select the requested part") {
            H5Sselect_hyperslab(fileSpace.id, H5S_SELECT_SET, selection.start, selection.stride, selection.count, nil)
        }
        let memorySpace = try handle(context, "cannot make a memory dataspace", .space) {
            H5Screate_simple(Int32(selection.count.count), selection.count, nil)
        }
        return (memorySpace, fileSpace)
    }

    // MARK: Attributes

    /// The names of an object's attributes, in name order.
    static func attributeNames(_ object: HDF5Handle, _ context: HDF5Context) throws -> [String] {
        final class Names { var list: [String] = [] }
        let names = Names()
        let visitor: H5A_operator2_t = { _, name, _, context in
            guard let name, let context else { return 0 }
            Unmanaged<Names>.fromOpaque(context).takeUnretainedValue().list.append(String(cString: name))
            return 0
        }
        try withExtendedLifetime(names) {
            try check(context, "cannot list the attributes") {
                H5Aiterate2(object.id, H5_INDEX_NAME, H5_ITER_INC, nil, visitor,
                            Unmanaged.passUnretained(names).toOpaque())
            }
        }
        return names.list
    }

    static func openAttribute(_ object: HDF5Handle, _ name: String, _ context: HDF5Context) throws -> HDF5Handle {
        try handle(context, "cannot open the attribute \"\(name)\"", .attribute) {
            H5Aopen(object.id, name, bm_h5_default())
        }
    }

    static func attributeSpace(_ attribute: HDF5Handle, _ context: HDF5Context) throws -> HDF5Handle {
        try handle(context, "cannot read an attribute's shape", .space) { H5Aget_space(attribute.id) }
    }

    static func attributeType(_ attribute: HDF5Handle, _ context: HDF5Context) throws -> HDF5Handle {
        try handle(context, "cannot read an attribute's type", .type) { H5Aget_type(attribute.id) }
    }

    static func readAttribute(_ attribute: HDF5Handle, as memory: HDF5MemoryType, into buffer: UnsafeMutableRawPointer,
                              _ context: HDF5Context, name: String) throws {
        try locked {
            let memoryType = try makeMemoryType(memory, context)
            try check(context, "cannot read the attribute \"\(name)\"") { H5Aread(attribute.id, memoryType.id, buffer) }
        }
    }

    // MARK: Writing

    /// The stored type bm writes for each memory type: little-endian IEEE floats and int64, h5py's bool enum.
    static func fileType(for memory: HDF5MemoryType, _ context: HDF5Context) throws -> HDF5Handle {
        switch memory {
        case .int64, .uint64: return try handle(context, "cannot make a type", .type) { H5Tcopy(bm_h5t_std_i64le()) }
        case .float32: return try handle(context, "cannot make a type", .type) { H5Tcopy(bm_h5t_ieee_f32le()) }
        case .float64: return try handle(context, "cannot make a type", .type) { H5Tcopy(bm_h5t_ieee_f64le()) }
        case .boolEnum: return try makeMemoryType(.boolEnum, context)
        }
    }

    /// Variable-length UTF-8 strings, as h5py writes `str`.
    static func stringType(_ context: HDF5Context) throws -> HDF5Handle {
        try locked {
            let type = try handle(context, "cannot make a string type", .type) { H5Tcopy(bm_h5t_c_s1()) }
            try check(context, "cannot make a string type") { H5Tset_size(type.id, bm_h5t_variable()) }
            try check(context, "cannot make a string type") { H5Tset_cset(type.id, H5T_CSET_UTF8) }
            return type
        }
    }

    static func makeSpace(_ shape: [Int], _ context: HDF5Context) throws -> HDF5Handle {
        if shape.isEmpty { return try handle(context, "cannot make a dataspace", .space) { H5Screate(H5S_SCALAR) } }
        let dimensions = shape.map { hsize_t($0) }
        return try handle(context, "cannot make a dataspace", .space) {
            H5Screate_simple(Int32(shape.count), dimensions, nil)
        }
    }

    /// Whether this libhdf5 can write gzip (deflate) chunks.
    static var gzipAvailable: Bool { locked { H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0 } }

    /// Creates a dataset, with missing groups on its path; chunked (and gzip-compressed, with shuffle) when asked.
    static func createDataset(_ location: HDF5Handle, _ name: String, type: HDF5Handle, space: HDF5Handle,
                              chunks: [Int]?, gzipLevel: Int?, _ context: HDF5Context) throws -> HDF5Handle {
        try locked {
            let links = try intermediateGroupsList(context)
            let creation = try handle(context, "cannot make a dataset property list", .propertyList) {
                H5Pcreate(bm_h5p_dataset_create())
            }
            if let chunks {
                let dimensions = chunks.map { hsize_t($0) }
                try check(context, "cannot set the chunk shape") {
                    H5Pset_chunk(creation.id, Int32(chunks.count), dimensions)
                }
                if let gzipLevel {
                    try check(context, "cannot enable the shuffle filter") { H5Pset_shuffle(creation.id) }
                    try check(context, "cannot enable gzip") { H5Pset_deflate(creation.id, UInt32(gzipLevel)) }
                }
            }
            return try handle(context, "cannot create the dataset \"\(name)\"", .object) {
                H5Dcreate2(location.id, name, type.id, space.id, links.id, creation.id, bm_h5_default())
            }
        }
    }

    static func write(_ dataset: HDF5Handle, as memory: HDF5MemoryType, from buffer: UnsafeRawPointer,
                      _ context: HDF5Context, name: String) throws {
        try locked {
            let memoryType = try makeMemoryType(memory, context)
            try check(context, "cannot write the dataset \"\(name)\"") {
                H5Dwrite(dataset.id, memoryType.id, bm_h5s_all(), bm_h5s_all(), bm_h5_default(), buffer)
            }
        }
    }

    /// Writes strings to an attribute created with `stringType` (variable length).
    static func writeAttributeStrings(_ attribute: HDF5Handle, _ strings: [String], _ context: HDF5Context,
                                      name: String) throws {
        try locked {
            let type = try stringType(context)
            var pointers = strings.map { strdup($0) }
            defer { pointers.forEach { free($0) } }
            try pointers.withUnsafeMutableBytes { buffer in
                try check(context, "cannot write the strings of \"\(name)\"") {
                    H5Awrite(attribute.id, type.id, buffer.baseAddress!)
                }
            }
        }
    }

    /// Fixed-length UTF-8 strings of `bytes` bytes, null-padded (numpy's `S` with h5py's UTF-8 marking).
    static func fixedStringType(bytes: Int, _ context: HDF5Context) throws -> HDF5Handle {
        try locked {
            let type = try handle(context, "cannot make a string type", .type) { H5Tcopy(bm_h5t_c_s1()) }
            try check(context, "cannot make a string type") { H5Tset_size(type.id, bytes) }
            try check(context, "cannot make a string type") { H5Tset_cset(type.id, H5T_CSET_UTF8) }
            try check(context, "cannot make a string type") { H5Tset_strpad(type.id, H5T_STR_NULLPAD) }
            return type
        }
    }

    /// Writes `strings` into a dataset created with `fixedStringType(bytes: width)`; each fits in `width` bytes.
    static func writeFixedStrings(_ dataset: HDF5Handle, _ strings: [String], width: Int, _ context: HDF5Context,
                                  name: String) throws {
        var packed = [UInt8](repeating: 0, count: strings.count * width)
        for (index, text) in strings.enumerated() {
            let utf8 = Array(text.utf8)
            precondition(utf8.count <= width, "internal: string wider than its dataset")
            packed.replaceSubrange((index * width)..<(index * width + utf8.count), with: utf8)
        }
        try locked {
            let type = try fixedStringType(bytes: width, context)
            try packed.withUnsafeBytes { buffer in
                try check(context, "cannot write the strings of \"\(name)\"") {
                    H5Dwrite(dataset.id, type.id, bm_h5s_all(), bm_h5s_all(), bm_h5_default(), buffer.baseAddress!)
                }
            }
        }
    }

    /// Creates (replacing any of the same name) an attribute on an object.
    static func createAttribute(_ object: HDF5Handle, _ name: String, type: HDF5Handle, space: HDF5Handle,
                                _ context: HDF5Context) throws -> HDF5Handle {
        try locked {
            let exists = H5Aexists(object.id, name)
            guard exists >= 0 else { throw failure(context, "cannot look up the attribute \"\(name)\"") }
            if exists > 0 {
                try check(context, "cannot replace the attribute \"\(name)\"") { H5Adelete(object.id, name) }
            }
            return try handle(context, "cannot create the attribute \"\(name)\"", .attribute) {
                H5Acreate2(object.id, name, type.id, space.id, bm_h5_default(), bm_h5_default())
            }
        }
    }

    static func writeAttribute(_ attribute: HDF5Handle, as memory: HDF5MemoryType, from buffer: UnsafeRawPointer,
                               _ context: HDF5Context, name: String) throws {
        try locked {
            let memoryType = try makeMemoryType(memory, context)
            try check(context, "cannot write the attribute \"\(name)\"") {
                H5Awrite(attribute.id, memoryType.id, buffer)
            }
        }
    }
}

// MARK: Writing rows (HDF5RowWriter)

extension HDF5Library {
    /// Writes `buffer` (the selected elements in row-major order, of type `memory`) into the hyperslab `selection`
    /// of `dataset`: the part of a dataset created at its full shape that one block of rows fills.
    static func write(_ dataset: HDF5Handle, as memory: HDF5MemoryType, selection: HDF5Hyperslab,
                      from buffer: UnsafeRawPointer, _ context: HDF5Context, name: String) throws {
        try locked {
            let memoryType = try makeMemoryType(memory, context)
            let (memorySpace, fileSpace) = try selectionSpaces(dataset, selection, context)
            try check(context, "cannot write rows of the dataset \"\(name)\"") {
                H5Dwrite(dataset.id, memoryType.id, memorySpace?.id ?? bm_h5s_all(), fileSpace?.id ?? bm_h5s_all(),
                         bm_h5_default(), buffer)
            }
        }
    }
}
