import Tensors

/// A group of an open HDF5 file: named members (groups and datasets) and attributes. `HDF5File` is its root group.
///
/// Names may be paths: `group["a/b/c"]` walks groups `a` and `b`; a leading `/` starts from the file's root.
/// Every failure throws one `DataError` naming the file and the problem; a missing name lists the names that exist.
/// Objects keep their file open: a dataset obtained from a file stays readable after the file object is released.
public class HDF5Group: @unchecked Sendable, CustomStringConvertible {
    let handle: HDF5Handle
    /// The file's root, for absolute paths (the file handle itself for the root group).
    let rootHandle: HDF5Handle
    /// The file on disk.
    public let filePath: String
    /// This group's path in the file: `/` for the root, `/a/b` for a nested group.
    public let path: String
    /// False for files opened with `.read`: writes then throw before reaching libhdf5.
    public let isWritable: Bool

    init(handle: HDF5Handle, rootHandle: HDF5Handle, filePath: String, path: String, isWritable: Bool) {
        self.handle = handle
        self.rootHandle = rootHandle
        self.filePath = filePath
        self.path = path
        self.isWritable = isWritable
    }

    public var description: String { "HDF5 group \(path) of \(filePath)" }

    func context(_ operation: String) -> HDF5Context { HDF5Context(operation: operation, path: filePath) }

    /// The names of this group's members (groups and datasets), in name order.
    /// - Throws: `DataError` when the group's index is unreadable (a corrupt file).
    public func keys() throws -> [String] {
        try HDF5Library.linkNames(handle, context("h5.read"))
    }

    /// The dataset at `name` (a path relative to this group, or absolute from `/`).
    /// - Throws: `DataError` when the path does not exist (listing the names in the deepest group reached), passes
    ///   through a dataset, or names a group.
    public subscript(name: String) -> HDF5Dataset {
        get throws { try dataset(name) }
    }

    /// The dataset at `name`; see `subscript(name:)`.
    public func dataset(_ name: String) throws -> HDF5Dataset {
        let (object, kind, fullPath) = try resolve(name, operation: "h5.read")
        guard kind == .dataset else {
            throw context("h5.read").error("\"\(fullPath)\" is \(kindName(kind)), not a dataset"
                                           + (kind == .group ? "; it has: \(try listing(object))" : ""))
        }
        return try HDF5Dataset(handle: object, rootHandle: rootHandle, filePath: filePath, path: fullPath,
                               isWritable: isWritable)
    }

    /// The group at `name` (a path relative to this group, or absolute from `/`).
    /// - Throws: `DataError` when the path does not exist or names a dataset.
    public func group(_ name: String) throws -> HDF5Group {
        let (object, kind, fullPath) = try resolve(name, operation: "h5.read")
        guard kind == .group else {
            throw context("h5.read").error("\"\(fullPath)\" is \(kindName(kind)), not a group")
        }
        return HDF5Group(handle: object, rootHandle: rootHandle, filePath: filePath, path: fullPath,
                         isWritable: isWritable)
    }

    /// True when `name` (a path) leads to a group or dataset.
    public func contains(_ name: String) -> Bool {
        (try? resolve(name, operation: "h5.read")) != nil
    }

    /// Whether the member at `name` is a group (false for a dataset). Throws like `dataset(_:)` for a missing name.
    public func isGroup(_ name: String) throws -> Bool {
        try resolve(name, operation: "h5.read").kind == .group
    }

    // MARK: Attributes

    /// The names of this group's attributes, in name order.
    public func attributeNames() throws -> [String] {
        try HDF5Attributes.names(handle, context("h5.read"))
    }

    /// The attribute `name`. Throws `DataError` when it does not exist (listing those that do) or its type is not a
    /// number, bool or string type.
    public func attribute(_ name: String) throws -> HDF5Value {
        try HDF5Attributes.read(handle, name, owner: path, context("h5.read"))
    }

    /// Every attribute, by name.
    public func attributes() throws -> [String: HDF5Value] {
        try HDF5Attributes.readAll(handle, owner: path, context("h5.read"))
    }

    // MARK: Resolving paths

    /// Walks `name` one link at a time, so that a missing link is reported against the group that lacks it.
    func resolve(_ name: String, operation: String) throws -> (object: HDF5Handle, kind: HDF5ObjectKind, path: String) {
        let components = name.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        var current = name.hasPrefix("/") ? rootHandle : handle
        var currentPath = name.hasPrefix("/") ? "/" : path
        var kind = HDF5ObjectKind.group
        guard !components.isEmpty else {
            throw context(operation).error("empty name \"\(name)\"; \(describeMembers(of: current, at: currentPath))")
        }
        for component in components {
            guard kind == .group else {
                throw context(operation).error("\"\(currentPath)\" is \(kindName(kind)), so \"\(name)\" does not exist")
            }
            if component == "." { continue }
            guard try HDF5Library.linkExists(current, component, context(operation)) else {
                throw context(operation).error("no \"\(component)\" in group \"\(currentPath)\"; "
                                               + describeMembers(of: current, at: currentPath))
            }
            let opened = try HDF5Library.openObject(current, component, context(operation))
            current = opened.0
            kind = opened.1
            currentPath = currentPath == "/" ? "/" + component : currentPath + "/" + component
        }
        return (current, kind, currentPath)
    }

    private func describeMembers(of group: HDF5Handle, at groupPath: String) -> String {
        guard let text = try? listing(group) else { return "its member list is unreadable" }
        return text == "nothing" ? "the group is empty" : "it has: \(text)"
    }

    /// The members' names, at most 30 of them.
    private func listing(_ group: HDF5Handle) throws -> String {
        let names = try HDF5Library.linkNames(group, context("h5.read"))
        if names.isEmpty { return "nothing" }
        let shown = names.prefix(30).joined(separator: ", ")
        return names.count > 30 ? shown + ", … (\(names.count) in all)" : shown
    }

    private func kindName(_ kind: HDF5ObjectKind) -> String {
        switch kind {
        case .group: return "a group"
        case .dataset: return "a dataset"
        case .namedType: return "a named datatype"
        case .other: return "an object of unknown kind"
        }
    }
}
