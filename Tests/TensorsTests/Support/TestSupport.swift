import Testing
@testable import Tensors

/// Deterministic test data independent of the engine's own random generator (which is itself under test).
struct TestRandom {
    var state: UInt64
    init(_ seed: UInt64) { state = seed &* 0x9E3779B97F4A7C15 | 1 }
    mutating func next() -> Double {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        return Double(state >> 11) / Double(1 << 53)
    }
    /// Values in [-scale, scale), rounded to a quarter so that float32 and float64 see the same numbers.
    mutating func values(_ count: Int, scale: Double = 4) -> [Double] {
        (0..<count).map { _ in ((next() * 2 - 1) * scale * 4).rounded() / 4 }
    }
}

/// How a test tensor is laid out in memory, so that every kernel meets views as well as fresh tensors.
enum Layout: String, CaseIterable, CustomTestStringConvertible {
    case contiguous, transposed, strided
    var testDescription: String { rawValue }
}

/// A tensor of `shape` holding `values` (row-major), stored with the given layout.
func makeTensor(_ values: [Double], shape: [Int], dtype: DType = .float64, layout: Layout = .contiguous) -> Tensor {
    let base = try! Tensor(shape: shape, scalars: values).astype(dtype)
    switch layout {
    case .contiguous:
        return base
    case .transposed:
        // Store the reversed-axes tensor contiguously, then view it with reversed strides.
        let reversedShape = Array(shape.reversed())
        var reversedValues = [Double](repeating: 0, count: values.count)
        let strides = Tensor.contiguousStrides(for: shape)
        let reversedStrides = Tensor.contiguousStrides(for: reversedShape)
        for flat in 0..<values.count {
            var remainder = flat, target = 0
            for axis in 0..<shape.count {
                let index = remainder / strides[axis]
                remainder %= strides[axis]
                target += index * reversedStrides[shape.count - 1 - axis]
            }
            reversedValues[target] = values[flat]
        }
        let stored = try! Tensor(shape: reversedShape, scalars: reversedValues).astype(dtype)
        return Tensor(storage: stored.storage, dtype: dtype, shape: shape, strides: Array(reversedStrides.reversed()),
                      offset: 0)
    case .strided:
        // Every element twice as far apart as in a contiguous tensor, starting one element in.
        var spread = [Double](repeating: -999, count: 2 * values.count + 1)
        for index in values.indices { spread[1 + 2 * index] = values[index] }
        let stored = try! Tensor(shape: [spread.count], scalars: spread).astype(dtype)
        return Tensor(storage: stored.storage, dtype: dtype, shape: shape,
                      strides: Tensor.contiguousStrides(for: shape).map { $0 * 2 }, offset: 1)
    }
}

/// Shapes of rank 0 to 4 with size-1 and size-0 axes.
let testShapes: [[Int]] = [[], [1], [5], [0], [3, 4], [4, 1], [1, 4], [2, 0], [2, 3, 4], [3, 1, 2], [2, 3, 1, 2],
                           [1, 1, 1, 1], [130], [3, 300]]

/// Pairs of shapes that broadcast, with their result.
let broadcastPairs: [([Int], [Int])] = [
    ([3, 4], [3, 4]), ([3, 4], [4]), ([3, 4], []), ([], [2, 3]), ([4, 1], [1, 5]), ([2, 3, 4], [3, 1]),
    ([1], [5]), ([2, 1, 3], [4, 1]), ([0, 3], [3]), ([2, 3, 1, 2], [3, 5, 1]), ([257], [257]), ([3, 200], [200]),
]

/// The multi-index of `flat` in a row-major tensor of `shape`.
func unravel(_ flat: Int, _ shape: [Int]) -> [Int] {
    var index = [Int](repeating: 0, count: shape.count)
    var remainder = flat
    for axis in stride(from: shape.count - 1, through: 0, by: -1) where shape[axis] > 0 {
        index[axis] = remainder % shape[axis]
        remainder /= shape[axis]
    }
    return index
}

/// The row-major position of `index` in `shape`, with broadcasting (length-1 axes repeat; missing leading axes).
func ravelBroadcast(_ index: [Int], into shape: [Int]) -> Int {
    let shift = index.count - shape.count
    var flat = 0
    for axis in 0..<shape.count {
        flat = flat * shape[axis] + (shape[axis] == 1 ? 0 : index[axis + shift])
    }
    return flat
}

/// Reference broadcast of `f` over two row-major value arrays.
func naiveBroadcast(_ a: [Double], _ aShape: [Int], _ b: [Double], _ bShape: [Int],
                    _ f: (Double, Double) -> Double) -> (values: [Double], shape: [Int]) {
    let rank = max(aShape.count, bShape.count)
    let pa = [Int](repeating: 1, count: rank - aShape.count) + aShape
    let pb = [Int](repeating: 1, count: rank - bShape.count) + bShape
    let shape = zip(pa, pb).map { $0 == 1 ? $1 : $0 }
    let count = shape.reduce(1, *)
    let values = (0..<count).map { flat -> Double in
        let index = unravel(flat, shape)
        return f(a[ravelBroadcast(index, into: aShape)], b[ravelBroadcast(index, into: bShape)])
    }
    return (values, shape)
}

/// Equal within a relative tolerance, NaNs equal.
func close(_ x: [Double], _ y: [Double], tolerance: Double = 1e-12) -> Bool {
    x.count == y.count && zip(x, y).allSatisfy { p, q in
        (p.isNaN && q.isNaN) || p == q || abs(p - q) <= tolerance * max(1, abs(p), abs(q))
    }
}

/// The message of the TensorError that `body` throws, or nil.
func errorMessage(_ body: () throws -> Any) -> String? {
    do { _ = try body(); return nil } catch let error as TensorError { return error.description } catch { return "\(error)" }
}
