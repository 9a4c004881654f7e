import Foundation
import Tensors

/// Reading and writing the attributes of any HDF5 object (file root, group, dataset) as `HDF5Value`s.
enum HDF5Attributes {
    static func names(_ object: HDF5Handle, _ context: HDF5Context) throws -> [String] {
        try HDF5Library.attributeNames(object, context)
    }

    static func readAll(_ object: HDF5Handle, owner: String, _ context: HDF5Context) throws -> [String: HDF5Value] {
        var values: [String: HDF5Value] = [:]
        for name in try names(object, context) { values[name] = try read(object, name, owner: owner, context) }
        return values
    }

    static func read(_ object: HDF5Handle, _ name: String, owner: String, _ context: HDF5Context) throws -> HDF5Value {
        let existing = try names(object, context)
        guard existing.contains(name) else {
            throw context.error("\"\(owner)\" has no attribute \"\(name)\"; "
                                + (existing.isEmpty ? "it has no attributes"
                                   : "it has: " + existing.joined(separator: ", ")))
        }
        let attribute = try HDF5Library.openAttribute(object, name, context)
        let type = try HDF5Library.describe(try HDF5Library.attributeType(attribute, context), context)
        let extent = try HDF5Library.extent(try HDF5Library.attributeSpace(attribute, context), context) ?? [0]
        guard extent.allSatisfy({ $0 <= 1 << 40 }) else {
            throw context.error("attribute \"\(name)\" of \"\(owner)\" claims shape \(extent): the file is corrupt")
        }
        let shape = extent.map { Int($0) }
        // Attributes live in the object header (at most 64 KiB) unless stored densely; 2^28 elements is far beyond
        // any real one.
        guard let count = elementCount(shape), count <= 1 << 28 else {
            throw context.error("attribute \"\(name)\" of \"\(owner)\" claims shape \(formatShape(shape)): "
                                + "the file is corrupt")
        }
        if type.isString {
            let strings = try HDF5Library.readStrings(attribute, isAttribute: true, type: type, count: count,
                                                      selection: nil, context, name: name)
            return shape.isEmpty ? .string(strings[0]) : .strings(strings)
        }
        guard let dtype = type.readDType, let memoryType = type.memoryType else {
            throw context.error("cannot read attribute \"\(name)\" of \"\(owner)\": "
                                + type.unsupportedReason)
        }
        let storage = TensorStorage(byteCount: count * dtype.itemSize)
        if count > 0 {
            let bytes = storage.bytes
            try HDF5Library.readAttribute(attribute, as: memoryType, into: bytes, context, name: name)
            if memoryType == .uint64 {
                let values = bytes.assumingMemoryBound(to: UInt64.self)
                if let position = (0..<count).first(where: { values[$0] > UInt64(Int64.max) }) {
                    throw context.error("attribute \"\(name)\" of \"\(owner)\" (uint64) holds \(values[position]), "
                                        + "beyond the int64 range bm reads uint64 into")
                }
            }
            if memoryType == .boolEnum {
                let values = bytes.assumingMemoryBound(to: UInt8.self)
                for index in 0..<count where values[index] > 1 { values[index] = 1 }
            }
        }
        let tensor = try Tensor(wrapping: storage, dtype: dtype, shape: shape)
        if shape.isEmpty && dtype != .bool {
            let value = try tensor.item()
            // Integers a Double cannot hold exactly stay a 0-d int64 tensor.
            if dtype == .int64, Int64(exactly: value) != tensor.scalars(as: Int64.self)[0] { return .numbers(tensor) }
            return .number(value)
        }
        return .numbers(tensor)
    }

    static func write(_ object: HDF5Handle, _ name: String, _ value: HDF5Value, owner: String, isWritable: Bool,
                      _ context: HDF5Context) throws {
        guard isWritable else {
            throw context.error("cannot set attribute \"\(name)\" of \"\(owner)\": the file is open read-only; "
                                + "open it with mode .readWrite")
        }
        guard !name.isEmpty else { throw context.error("an attribute name cannot be empty") }
        switch value {
        case .string(let text):
            try writeStrings(object, name, [text], shape: [], context)
        case .strings(let texts):
            try writeStrings(object, name, texts, shape: [texts.count], context)
        case .number(let number):
            try writeNumbers(object, name, Tensor(scalar: number), context)
        case .numbers(let tensor):
            try writeNumbers(object, name, tensor, context)
        }
    }

    private static func writeStrings(_ object: HDF5Handle, _ name: String, _ texts: [String], shape: [Int],
                                     _ context: HDF5Context) throws {
        guard !texts.contains(where: { $0.utf8.contains(0) }) else {
            throw context.error("attribute \"\(name)\": strings cannot contain the NUL character")
        }
        let attribute = try HDF5Library.createAttribute(object, name, type: try HDF5Library.stringType(context),
                                                        space: try HDF5Library.makeSpace(shape, context), context)
        try HDF5Library.writeAttributeStrings(attribute, texts, context, name: name)
    }

    private static func writeNumbers(_ object: HDF5Handle, _ name: String, _ tensor: Tensor,
                                     _ context: HDF5Context) throws {
        let memoryType = HDF5Writing.memoryType(of: tensor.dtype)
        let attribute = try HDF5Library.createAttribute(object, name,
                                                        type: try HDF5Library.fileType(for: memoryType, context),
                                                        space: try HDF5Library.makeSpace(tensor.shape, context),
                                                        context)
        if tensor.count == 0 { return }
        let contiguous = tensor.contiguous()
        try HDF5Library.writeAttribute(attribute, as: memoryType,
                                       from: contiguous.storage.bytes + contiguous.offset * contiguous.dtype.itemSize,
                                       context, name: name)
    }
}
