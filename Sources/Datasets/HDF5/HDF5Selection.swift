import Tensors

/// A numpy index expression (ints, slices, new axes, one ellipsis) turned into one HDF5 hyperslab over every axis of
/// a dataset, plus what to do with the block read: axes to flip (negative steps) and the final shape (ints drop
/// their axis, new axes add one).
struct HDF5SelectionPlan {
    var hyperslab: HDF5Hyperslab
    /// Axes of the hyperslab block to reverse after reading.
    var flippedAxes: [Int]
    var resultShape: [Int]

    /// - Throws: `DataError` (`h5.read`) naming the dataset and its shape for an int out of range, a zero step,
    ///   too many indices, more than one ellipsis, or an index array.
    init(_ indices: [TensorIndex], shape: [Int], dataset: String, context: HDF5Context) throws {
        let described = "dataset \"\(dataset)\" of shape \(formatShape(shape))"
        var consumed = 0, ellipses = 0
        for index in indices {
            switch index {
            case .index, .slice: consumed += 1
            case .newAxis: break
            case .ellipsis: ellipses += 1
            case .array:
                throw context.error("index arrays and masks are not supported when reading \(described) from disk; "
                                    + "read a slice, then index the tensor")
            }
        }
        guard ellipses <= 1 else { throw context.error("an index can only have a single ellipsis (\(described))") }
        guard consumed <= shape.count else {
            throw context.error("too many indices: \(described) is \(shape.count)-dimensional, but \(consumed) "
                                + "were indexed")
        }
        var start: [UInt64] = [], stride: [UInt64] = [], count: [UInt64] = []
        var flipped: [Int] = [], result: [Int] = []
        var axis = 0
        func whole() {
            start.append(0); stride.append(1); count.append(UInt64(shape[axis])); result.append(shape[axis])
            axis += 1
        }
        for index in indices {
            switch index {
            case .index(let position):
                let length = shape[axis]
                let normalized = position < 0 ? position + length : position
                guard normalized >= 0 && normalized < length else {
                    throw context.error("index \(position) is out of bounds for axis \(axis) with size \(length) "
                                        + "in \(described)")
                }
                start.append(UInt64(normalized)); stride.append(1); count.append(1)
                axis += 1
            case .slice(let first, let stop, let step):
                guard step != 0 else { throw context.error("slice step cannot be zero (\(described))") }
                let resolved = try resolveSlice(start: first, stop: stop, step: step, length: shape[axis],
                                                operation: "h5.read")
                if resolved.count == 0 {
                    start.append(0); stride.append(1); count.append(0)
                } else if resolved.step > 0 {
                    start.append(UInt64(resolved.start)); stride.append(UInt64(resolved.step))
                    count.append(UInt64(resolved.count))
                } else {
                    // The same elements in increasing order, read with a positive stride, then flipped.
                    let lowest = resolved.start + (resolved.count - 1) * resolved.step
                    start.append(UInt64(lowest)); stride.append(UInt64(-resolved.step))
                    count.append(UInt64(resolved.count))
                    if resolved.count > 1 { flipped.append(axis) }
                }
                result.append(resolved.count)
                axis += 1
            case .newAxis:
                result.append(1)
            case .ellipsis:
                for _ in 0..<(shape.count - consumed) { whole() }
            case .array:
                preconditionFailure("internal: index arrays were rejected above")
            }
        }
        while axis < shape.count { whole() }
        // With at most one element the stride is irrelevant; 1 keeps the selection valid whatever the step was.
        for axis in 0..<count.count where count[axis] <= 1 { stride[axis] = 1 }
        hyperslab = HDF5Hyperslab(start: start, stride: stride, count: count)
        flippedAxes = flipped
        resultShape = result
    }
}
