/// Shape arithmetic shared by every operation: broadcasting and axis normalisation.
public enum Shapes {
    /// numpy's broadcast of two shapes: right-aligned, each pair of lengths equal or one of them 1.
    /// Throws `shapeMismatch` naming `operation` and both shapes.
    public static func broadcast(_ a: [Int], _ b: [Int], operation: String) throws -> [Int] {
        let rank = max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for index in 0..<rank {
            let x = index < rank - a.count ? 1 : a[index - (rank - a.count)]
            let y = index < rank - b.count ? 1 : b[index - (rank - b.count)]
            if x == y || y == 1 {
                result[index] = x
            } else if x == 1 {
                result[index] = y
            } else {
                throw TensorError(.shapeMismatch, operation,
                                  "shapes \(formatShape(a)) and \(formatShape(b)) cannot be broadcast together")
            }
        }
        return result
    }

    /// Normalises a possibly negative `axis` for a tensor of `rank` axes. Throws `invalidAxis`.
    public static func normalizeAxis(_ axis: Int, rank: Int, operation: String) throws -> Int {
        let normalized = axis < 0 ? axis + rank : axis
        guard normalized >= 0 && normalized < max(rank, 0) else {
            throw TensorError(.invalidAxis, operation,
                              "axis \(axis) is out of range for a tensor of rank \(rank)")
        }
        return normalized
    }

    /// Normalises a set of axes (nil = all); throws on an out-of-range or repeated axis. Sorted ascending.
    public static func normalizeAxes(_ axes: [Int]?, rank: Int, operation: String) throws -> [Int] {
        guard let axes else { return Array(0..<rank) }
        var seen = Set<Int>()
        for axis in axes {
            let normalized = try normalizeAxis(axis, rank: rank, operation: operation)
            guard seen.insert(normalized).inserted else {
                throw TensorError(.invalidAxis, operation, "axis \(axis) is repeated")
            }
        }
        return seen.sorted()
    }
}

extension Tensor {
    /// Strides that present this tensor as `target` (which it must broadcast to): 0 on new or stretched axes.
    @usableFromInline
    func broadcastStrides(to target: [Int]) -> [Int] {
        var result = [Int](repeating: 0, count: target.count)
        let shift = target.count - rank
        for axis in 0..<rank where shape[axis] != 1 || target[axis + shift] == 1 {
            result[axis + shift] = shape[axis] == 1 ? 0 : strides[axis]
        }
        return result
    }

    /// A read-only view of this tensor broadcast to `target` (numpy's `broadcast_to`). Throws `shapeMismatch`.
    public func broadcast(to target: [Int]) throws -> Tensor {
        let common = try Shapes.broadcast(shape, target, operation: "broadcast_to")
        guard common == target else {
            throw TensorError(.shapeMismatch, "broadcast_to",
                              "cannot broadcast \(formatShape(shape)) to \(formatShape(target))")
        }
        return Tensor(storage: storage, dtype: dtype, shape: target, strides: broadcastStrides(to: target),
                      offset: offset)
    }
}
