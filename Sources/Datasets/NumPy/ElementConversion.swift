import Tensors

/// Converts raw file elements (any width, either byte order) into bm's element types.
enum ElementConversion {
    /// New storage holding `count` elements of `type.dtype`, converted from `source` (which holds at least
    /// `count × type.size` bytes). Throws a message for a uint64 value beyond int64's range.
    static func convert(_ source: UnsafeRawBufferPointer, type: NPYElementType, count: Int) throws(MessageError)
        -> TensorStorage {
        let target = type.dtype
        let storage = TensorStorage(byteCount: count * target.itemSize)
        let destination = storage.bytes
        precondition(source.count >= count * type.size, "internal: conversion source too short")
        guard count > 0, let base = source.baseAddress else { return storage }
        let input = UnsafeRawBufferPointer(start: base, count: count * type.size)
        switch (type.kind, type.size) {
        case (.float, 2):
            let output = destination.assumingMemoryBound(to: Float.self)
            for index in 0..<count {
                output[index] = halfToFloat(load(UInt16.self, input, index, type.bigEndian))
            }
        case (.float, 4):
            let output = destination.assumingMemoryBound(to: Float.self)
            for index in 0..<count { output[index] = Float(bitPattern: load(UInt32.self, input, index, type.bigEndian)) }
        case (.float, _):
            let output = destination.assumingMemoryBound(to: Double.self)
            for index in 0..<count { output[index] = Double(bitPattern: load(UInt64.self, input, index, type.bigEndian)) }
        case (.boolean, _):
            let output = destination.assumingMemoryBound(to: Bool.self)
            // Any nonzero byte is true, as numpy reads it; storing it unnormalised would not be a valid Swift Bool.
            for index in 0..<count { output[index] = input[index] != 0 }
        case (.signedInteger, 1): integers(Int8.self, input, count, type.bigEndian, destination)
        case (.signedInteger, 2): integers(Int16.self, input, count, type.bigEndian, destination)
        case (.signedInteger, 4): integers(Int32.self, input, count, type.bigEndian, destination)
        case (.signedInteger, _): integers(Int64.self, input, count, type.bigEndian, destination)
        case (.unsignedInteger, 1): integers(UInt8.self, input, count, type.bigEndian, destination)
        case (.unsignedInteger, 2): integers(UInt16.self, input, count, type.bigEndian, destination)
        case (.unsignedInteger, 4): integers(UInt32.self, input, count, type.bigEndian, destination)
        case (.unsignedInteger, _):
            let output = destination.assumingMemoryBound(to: Int64.self)
            for index in 0..<count {
                let value = load(UInt64.self, input, index, type.bigEndian)
                guard value <= UInt64(Int64.max) else {
                    throw MessageError("uint64 element \(index) is \(value), beyond int64's maximum \(Int64.max); "
                                       + "bm stores integers as int64")
                }
                output[index] = Int64(value)
            }
        }
        return storage
    }

    /// True when every byte is 0 or 1, so that the bytes are valid Swift `Bool`s as they stand.
    static func boolBytesAreCanonical(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var combined: UInt8 = 0
        for byte in bytes { combined |= byte }
        return combined <= 1
    }

    @inline(__always)
    private static func load<T: FixedWidthInteger>(_: T.Type, _ input: UnsafeRawBufferPointer, _ index: Int,
                                                   _ bigEndian: Bool) -> T {
        let raw = input.loadUnaligned(fromByteOffset: index * MemoryLayout<T>.size, as: T.self)
        return bigEndian ? T(bigEndian: raw) : T(littleEndian: raw)
    }

    private static func integers<T: FixedWidthInteger>(_: T.Type, _ input: UnsafeRawBufferPointer, _ count: Int,
                                                       _ bigEndian: Bool, _ destination: UnsafeMutableRawPointer) {
        let output = destination.assumingMemoryBound(to: Int64.self)
        for index in 0..<count { output[index] = Int64(truncatingIfNeeded: load(T.self, input, index, bigEndian)) }
    }

    /// IEEE 754 binary16 → binary32, exact for every value (subnormals, infinities, NaN payloads).
    static func halfToFloat(_ bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = UInt32(bits >> 10) & 0x1F
        var mantissa = UInt32(bits & 0x3FF)
        switch exponent {
        case 0:
            guard mantissa != 0 else { return Float(bitPattern: sign) }
            // Subnormal half: normalise into a float exponent.
            var shift: UInt32 = 0
            while mantissa & 0x400 == 0 { mantissa <<= 1; shift += 1 }
            mantissa &= 0x3FF
            return Float(bitPattern: sign | ((113 - shift) << 23) | (mantissa << 13))
        case 0x1F:
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        default:
            return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
        }
    }

    /// bfloat16 → binary32: bfloat16 is the top half of a float32.
    static func bfloat16ToFloat(_ bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }
}
