import Foundation
import Testing
@testable import Tensors

/// matmul, products, decompositions and solvers against loops over plain Double matrices and numpy's results.
@Suite struct LinearAlgebraTests {}

// MARK: - Reference model: plain Double matrices and loops.

/// A dense row-major matrix of Doubles: the simple model every linear algebra result is checked against.
struct ReferenceMatrix: Equatable {
    var rows: Int, columns: Int
    var values: [Double]

    init(rows: Int, columns: Int, values: [Double]) {
        precondition(values.count == rows * columns)
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    init(_ nested: [[Double]]) {
        self.init(rows: nested.count, columns: nested.first?.count ?? 0, values: nested.flatMap { $0 })
    }

    static func identity(_ n: Int) -> ReferenceMatrix {
        var result = ReferenceMatrix(rows: n, columns: n, values: [Double](repeating: 0, count: n * n))
        for index in 0..<n { result[index, index] = 1 }
        return result
    }

    subscript(row: Int, column: Int) -> Double {
        get { values[row * columns + column] }
        set { values[row * columns + column] = newValue }
    }

    var transposed: ReferenceMatrix {
        var result = ReferenceMatrix(rows: columns, columns: rows, values: values)
        for row in 0..<rows { for column in 0..<columns { result[column, row] = self[row, column] } }
        return result
    }

    /// The triple loop.
    static func * (left: ReferenceMatrix, right: ReferenceMatrix) -> ReferenceMatrix {
        precondition(left.columns == right.rows)
        var result = ReferenceMatrix(rows: left.rows, columns: right.columns,
                                     values: [Double](repeating: 0, count: left.rows * right.columns))
        for row in 0..<left.rows {
            for column in 0..<right.columns {
                var total = 0.0
                for inner in 0..<left.columns { total += left[row, inner] * right[inner, column] }
                result[row, column] = total
            }
        }
        return result
    }

    func maxDifference(_ other: ReferenceMatrix) -> Double {
        precondition(rows == other.rows && columns == other.columns, "shapes \(rows)x\(columns) vs \(other.rows)x\(other.columns)")
        return zip(values, other.values).map { Swift.abs($0 - $1) }.max() ?? 0
    }

    var maxMagnitude: Double { values.map(Swift.abs).max() ?? 0 }
}

/// The matrices in the last two axes of `tensor`, in batch order.
func referenceMatrices(_ tensor: Tensor) -> [ReferenceMatrix] {
    let rows = tensor.shape[tensor.rank - 2], columns = tensor.shape[tensor.rank - 1]
    let values = tensor.scalars(as: Double.self)
    let size = rows * columns
    let count = tensor.shape.dropLast(2).reduce(1, *)
    return (0..<count).map { index in
        ReferenceMatrix(rows: rows, columns: columns, values: Array(values[(index * size)..<((index + 1) * size)]))
    }
}

func diagonalMatrix(_ values: [Double], rows: Int, columns: Int) -> ReferenceMatrix {
    var result = ReferenceMatrix(rows: rows, columns: columns, values: [Double](repeating: 0, count: rows * columns))
    for (index, value) in values.enumerated() { result[index, index] = value }
    return result
}

/// Deterministic values in [-1, 1).
func pseudoRandom(_ count: Int, seed: UInt64) -> [Double] {
    var state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 1
    return (0..<count).map { _ in
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Double(state >> 11) / Double(1 << 53) * 2 - 1
    }
}

/// How an operand's elements are laid out in storage.
enum StorageLayout: String, CaseIterable, CustomStringConvertible {
    case contiguous
    /// The last two axes swapped in storage: strides `(1, rows)`, what `x.T` gives.
    case transposed
    /// Every other element of a wider buffer along the last axis.
    case stepped
    /// The last axis reversed (negative stride).
    case reversed
    var description: String { rawValue }
}

/// A tensor of `shape` and `dtype` with pseudo-random values, stored with `layout`. Integer dtypes get small
/// whole numbers so that products stay exact.
func makeTensor(_ shape: [Int], _ dtype: DType, _ layout: StorageLayout, seed: UInt64) -> Tensor {
    let count = shape.reduce(1, *)
    let scale = dtype.isFloatingPoint ? 1.0 : 4.0
    let logical = pseudoRandom(count, seed: seed).map { dtype.isFloatingPoint ? $0 : ($0 * scale).rounded() }
    let rank = shape.count
    switch layout {
    case .contiguous:
        return try! Tensor(shape: shape, scalars: logical).astype(dtype)
    case .transposed where rank >= 2:
        var storedShape = shape
        storedShape.swapAt(rank - 1, rank - 2)
        let rows = shape[rank - 2], columns = shape[rank - 1]
        var stored = logical
        for matrix in 0..<(count / max(rows * columns, 1)) {
            for row in 0..<rows {
                for column in 0..<columns {
                    stored[matrix * rows * columns + column * rows + row] = logical[matrix * rows * columns + row * columns + column]
                }
            }
        }
        let base = try! Tensor(shape: storedShape, scalars: stored).astype(dtype)
        var strides = base.strides
        strides.swapAt(rank - 1, rank - 2)
        return Tensor(storage: base.storage, dtype: dtype, shape: shape, strides: strides, offset: 0)
    case .stepped where rank >= 1:
        var storedShape = shape
        storedShape[rank - 1] *= 2
        let length = shape[rank - 1]
        var stored = [Double](repeating: 999, count: count * 2)
        for index in 0..<count { stored[(index / length) * 2 * length + (index % length) * 2] = logical[index] }
        let base = try! Tensor(shape: storedShape, scalars: stored).astype(dtype)
        var strides = base.strides
        strides[rank - 1] = 2
        return Tensor(storage: base.storage, dtype: dtype, shape: shape, strides: strides, offset: 0)
    case .reversed where rank >= 1 && shape[rank - 1] > 0:
        let length = shape[rank - 1]
        var stored = logical
        for index in 0..<count { stored[(index / length) * length + (length - 1 - index % length)] = logical[index] }
        let base = try! Tensor(shape: shape, scalars: stored).astype(dtype)
        var strides = base.strides
        strides[rank - 1] = -1
        return Tensor(storage: base.storage, dtype: dtype, shape: shape, strides: strides, offset: length - 1)
    default:
        return makeTensor(shape, dtype, .contiguous, seed: seed)
    }
}

/// numpy's matmul computed with loops over `scalars(as: Double)`: the reference for `Tensor.matmul`.
func naiveMatmul(_ a: Tensor, _ b: Tensor) -> (shape: [Int], values: [Double]) {
    let aShape = a.rank == 1 ? [1, a.shape[0]] : a.shape
    let bShape = b.rank == 1 ? [b.shape[0], 1] : b.shape
    let m = aShape[aShape.count - 2], k = aShape[aShape.count - 1], n = bShape[bShape.count - 1]
    let aBatch = Array(aShape.dropLast(2)), bBatch = Array(bShape.dropLast(2))
    let rank = max(aBatch.count, bBatch.count)
    let aPadded = [Int](repeating: 1, count: rank - aBatch.count) + aBatch
    let bPadded = [Int](repeating: 1, count: rank - bBatch.count) + bBatch
    let batch = zip(aPadded, bPadded).map { max($0, $1) }
    let av = a.scalars(as: Double.self), bv = b.scalars(as: Double.self)
    var values: [Double] = []
    let batchCount = batch.reduce(1, *)
    for flat in 0..<batchCount {
        var remainder = flat
        var aIndex = 0, bIndex = 0, aStep = 1, bStep = 1
        for axis in stride(from: rank - 1, through: 0, by: -1) {
            let position = remainder % batch[axis]
            remainder /= batch[axis]
            aIndex += (aPadded[axis] == 1 ? 0 : position) * aStep
            bIndex += (bPadded[axis] == 1 ? 0 : position) * bStep
            aStep *= aPadded[axis]
            bStep *= bPadded[axis]
        }
        for row in 0..<m {
            for column in 0..<n {
                var total = 0.0
                for inner in 0..<k {
                    total += av[aIndex * m * k + row * k + inner] * bv[bIndex * k * n + inner * n + column]
                }
                values.append(total)
            }
        }
    }
    var shape = batch
    if a.rank > 1 { shape.append(m) }
    if b.rank > 1 { shape.append(n) }
    return (shape, values)
}

func tolerance(_ dtype: DType) -> Double { dtype == .float32 ? 2e-5 : 1e-12 }

/// Asserts `actual` has `shape` and values within `tolerance · (1 + max|expected|)`.
func expectClose(_ actual: Tensor, shape: [Int], _ expected: [Double], tolerance: Double,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.shape == shape, sourceLocation: sourceLocation)
    let values = actual.scalars(as: Double.self)
    guard values.count == expected.count else {
        Issue.record("\(values.count) values, expected \(expected.count)", sourceLocation: sourceLocation)
        return
    }
    let scale = 1 + (expected.map(Swift.abs).max() ?? 0)
    let difference = zip(values, expected).map { Swift.abs($0 - $1) }.max() ?? 0
    #expect(difference <= tolerance * scale, "max difference \(difference)", sourceLocation: sourceLocation)
}

/// Runs `body` and asserts it throws a `TensorError` with `kind` whose text is `message`.
func expectTensorError(_ kind: TensorError.Kind, _ message: String,
                       sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected error: \(message)", sourceLocation: sourceLocation)
    } catch let error as TensorError {
        #expect(error.kind == kind, sourceLocation: sourceLocation)
        #expect(error.description == message, sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
}

// MARK: - Fixtures written by scripts/fixtures/linalg_fixtures.py.

struct LinalgFixtures: Decodable {
    struct SingularValues: Decodable { let name: String; let a: [[Double]]; let s: [Double] }
    struct Eigenvalues: Decodable { let name: String; let a: [[Double]]; let values: [Double] }
    struct Determinant: Decodable {
        let name: String; let a: [[Double]]; let sign: Double; let logabsdet: Double?; let det: Double
    }
    struct Solve: Decodable {
        let name: String; let a: [[Double]]; let b: JSONArray; let x: JSONArray; let condition: Double
    }
    struct LeastSquares: Decodable {
        let name: String; let a: [[Double]]; let b: JSONArray; let x: JSONArray
        let residuals: [Double]; let rank: Int; let s: [Double]
    }
    let numpy_version: String
    let svd: [SingularValues]
    let eigh: [Eigenvalues]
    let determinant: [Determinant]
    let solve: [Solve]
    let lstsq: [LeastSquares]

    static let shared: LinalgFixtures = {
        let url = Bundle.module.url(forResource: "linalg", withExtension: "json", subdirectory: "Fixtures")
            ?? Bundle.module.url(forResource: "linalg", withExtension: "json")!
        return try! JSONDecoder().decode(LinalgFixtures.self, from: Data(contentsOf: url))
    }()
}

/// A JSON vector or matrix of numbers, as a tensor.
enum JSONArray: Decodable {
    case vector([Double])
    case matrix([[Double]])

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let vector = try? container.decode([Double].self) { self = .vector(vector) } else {
            self = .matrix(try container.decode([[Double]].self))
        }
    }

    func tensor(_ dtype: DType) -> Tensor {
        switch self {
        case .vector(let values): return Tensor(values).astype(dtype)
        case .matrix(let rows): return try! Tensor(rows).astype(dtype)
        }
    }

    var values: [Double] {
        switch self {
        case .vector(let values): return values
        case .matrix(let rows): return rows.flatMap { $0 }
        }
    }
}

func fixtureTensor(_ rows: [[Double]], _ dtype: DType) -> Tensor { try! Tensor(rows).astype(dtype) }

// MARK: - matmul

/// Shape pairs covering numpy's matmul rules: vectors, batches, broadcasting, size-1 and empty axes.
let matmulShapes: [([Int], [Int])] = [
    ([3, 4], [4, 5]), ([4], [4]), ([4], [4, 3]), ([3, 4], [4]), ([1, 1], [1, 1]), ([3, 1], [1, 4]),
    ([1, 5], [5, 1]), ([1, 6], [6, 3]), ([5, 6], [6, 1]), ([2, 3, 4], [4, 5]), ([2, 3, 4], [2, 4, 5]),
    ([2, 1, 3, 4], [5, 4, 2]), ([1, 3, 4], [2, 4, 2]), ([5], [2, 5, 3]), ([2, 3, 4], [4]), ([0, 3], [3, 4]),
    ([3, 0], [0, 4]), ([2, 0, 3], [3, 2]), ([0], [0]), ([17, 33], [33, 9]),
]

extension LinearAlgebraTests {
    @Test(arguments: matmulShapes)
    func matmulMatchesTripleLoop(shapes: ([Int], [Int])) throws {
        let (aShape, bShape) = shapes
        for (aType, bType) in [(DType.float64, DType.float64), (.float32, .float32), (.int64, .float32), (.bool, .int64)] {
            for aLayout in StorageLayout.allCases {
                for bLayout in StorageLayout.allCases {
                    let a = makeTensor(aShape, aType, aLayout, seed: 1), b = makeTensor(bShape, bType, bLayout, seed: 2)
                    let product = try Tensor.matmul(a, b)
                    let expected = naiveMatmul(a, b)
                    let dtype: DType = aType == .float32 && bType == .float32 ? .float32 : .float64
                    #expect(product.dtype == dtype)
                    expectClose(product, shape: expected.shape, expected.values, tolerance: tolerance(dtype))
                }
            }
        }
    }

    @Test func matmulOfBroadcastBatchOperands() throws {
        // A [4, 3] matrix broadcast to a batch of 5 through a stride-0 axis, against a batched right operand.
        let base = makeTensor([1, 4, 3], .float64, .contiguous, seed: 3)
        let broadcast = try base.broadcast(to: [5, 4, 3])
        let b = makeTensor([5, 3, 2], .float64, .transposed, seed: 4)
        let expected = naiveMatmul(broadcast, b)
        expectClose(try Tensor.matmul(broadcast, b), shape: [5, 4, 2], expected.values, tolerance: 1e-12)
        // And a broadcast right operand, which takes the one-tall-product path.
        let shared = try makeTensor([1, 3, 6], .float32, .contiguous, seed: 5).broadcast(to: [5, 3, 6])
        let left = makeTensor([5, 4, 3], .float32, .contiguous, seed: 6)
        expectClose(try Tensor.matmul(left, shared), shape: [5, 4, 6], naiveMatmul(left, shared).values, tolerance: 2e-5)
    }

    @Test func transposedAndRowStridedOperandsReachBLASWithoutCopies() {
        for layout in [StorageLayout.contiguous, .transposed] {
            let matrix = makeTensor([6, 4], .float32, layout, seed: 7)
            let operand = MatrixProduct.Operand(matrix, promoteVectorToRow: true)
            #expect(operand.tensor.storage === matrix.storage, "\(layout) was copied")
            #expect(operand.layout.transposed == (layout == .transposed))
            #expect(operand.layout.leading == (layout == .transposed ? 6 : 4))
        }
        // A column slice of a wider matrix: rows 10 apart, unit column stride.
        let wide = makeTensor([6, 10], .float64, .contiguous, seed: 8)
        let slice = Tensor(storage: wide.storage, dtype: .float64, shape: [6, 4], strides: [10, 1], offset: 3)
        let sliced = MatrixProduct.Operand(slice, promoteVectorToRow: false)
        #expect(sliced.tensor.storage === wide.storage && sliced.layout.leading == 10 && !sliced.layout.transposed)
        // Layouts BLAS cannot describe are copied.
        for layout in [StorageLayout.stepped, .reversed] {
            let matrix = makeTensor([6, 4], .float64, layout, seed: 9)
            #expect(MatrixProduct.Operand(matrix, promoteVectorToRow: true).tensor.storage !== matrix.storage)
        }
        // A strided vector needs no copy either: it is a transposed one-row matrix.
        let vector = makeTensor([5], .float64, .stepped, seed: 10)
        let row = MatrixProduct.Operand(vector, promoteVectorToRow: true)
        #expect(row.tensor.storage === vector.storage && row.layout.transposed && row.layout.leading == 2)
    }

    @Test func matmulErrorsNameTheShapes() {
        let a = makeTensor([3, 4], .float64, .contiguous, seed: 1)
        expectTensorError(.shapeMismatch, "matmul: [3, 4] @ [5, 2]: inner dimensions 4 and 5 differ") {
            _ = try Tensor.matmul(a, makeTensor([5, 2], .float64, .contiguous, seed: 2))
        }
        expectTensorError(.shapeMismatch, "matmul: [3] @ [4]: inner dimensions 3 and 4 differ") {
            _ = try Tensor.matmul(Tensor([1.0, 2, 3]), Tensor([1.0, 2, 3, 4]))
        }
        expectTensorError(.shapeMismatch,
                          "matmul: [2, 3, 4] @ [3, 4, 5]: batch dimensions [2] and [3] cannot be broadcast together") {
            _ = try Tensor.matmul(makeTensor([2, 3, 4], .float64, .contiguous, seed: 1),
                                  makeTensor([3, 4, 5], .float64, .contiguous, seed: 2))
        }
        expectTensorError(.invalidShape,
                          "matmul: [] @ [3, 4]: operands need at least one axis; multiply by a scalar with *") {
            _ = try Tensor.matmul(Tensor(scalar: 2.0), a)
        }
    }

    @Test func sizesBeyondBLASIndexingFailBeforeAnyCopy() throws {
        // Broadcast views of 2^31 elements take no memory; materialising them for BLAS would take 16 GiB.
        let huge = 1 << 31
        let row = try Tensor(scalar: 1.0).broadcast(to: [1, huge]), vector = try Tensor(scalar: 1.0).broadcast(to: [huge])
        expectTensorError(.invalidShape,
                          "matmul: [1, 2147483648] @ [2147483648]: a dimension exceeds 2^31 - 1, which BLAS and LAPACK cannot index") {
            _ = try Tensor.matmul(row, vector)
        }
        expectTensorError(.invalidShape,
                          "linalg.svd: [1, 2147483648]: a dimension exceeds 2^31 - 1, which BLAS and LAPACK cannot index") {
            _ = try Linalg.svd(row)
        }
        expectTensorError(.invalidShape,
                          "linalg.outer: [2147483648] and [1, 2147483648]: a dimension exceeds 2^31 - 1, which BLAS and LAPACK cannot index") {
            _ = try Linalg.outer(vector, row)
        }
    }
}

// MARK: - dot, inner, outer

extension LinearAlgebraTests {
    @Test(arguments: [
        ([2, 3, 4], [5, 4, 6]), ([3, 4], [2, 2, 4, 3]), ([4], [2, 4, 3]), ([2, 3], [3]), ([3], [3]), ([2, 3], [3, 4]),
        ([2, 0], [3, 0, 2]),
    ])
    func dotMatchesNumpyRules(shapes: ([Int], [Int])) throws {
        let (aShape, bShape) = shapes
        for layout in StorageLayout.allCases {
            for dtype in [DType.float32, .float64] {
                let a = makeTensor(aShape, dtype, layout, seed: 11), b = makeTensor(bShape, dtype, layout, seed: 12)
                let result = try Linalg.dot(a, b)
                // dot[i..., j..., l] = Σ_k a[i..., k] · b[j..., k, l]
                let av = a.scalars(as: Double.self), bv = b.scalars(as: Double.self)
                let k = aShape.last!
                let n = bShape.count == 1 ? 1 : bShape.last!
                let p = aShape.dropLast().reduce(1, *)
                let j = bShape.count == 1 ? 1 : bShape.dropLast(2).reduce(1, *)
                var expected: [Double] = []
                for row in 0..<p {
                    for matrix in 0..<j {
                        for column in 0..<n {
                            var total = 0.0
                            for inner in 0..<k { total += av[row * k + inner] * bv[matrix * k * n + inner * n + column] }
                            expected.append(total)
                        }
                    }
                }
                let shape = Array(aShape.dropLast()) + (bShape.count == 1 ? [] : Array(bShape.dropLast(2)) + [n])
                expectClose(result, shape: shape, expected, tolerance: tolerance(dtype))
            }
        }
    }

    @Test func dotInnerOuterSpecialCases() throws {
        let vector = Tensor([1.0, 2, 3])
        expectClose(try Linalg.dot(Tensor(scalar: 2.0), vector), shape: [3], [2, 4, 6], tolerance: 0)
        expectClose(try Linalg.dot(vector, vector), shape: [], [14], tolerance: 0)
        expectClose(try Linalg.inner(vector, Tensor(scalar: Int64(3))), shape: [3], [3, 6, 9], tolerance: 0)
        expectTensorError(.shapeMismatch, "linalg.dot: [2, 3] · [4]: summed dimensions 3 and 4 differ") {
            _ = try Linalg.dot(makeTensor([2, 3], .float64, .contiguous, seed: 1), Tensor([1.0, 2, 3, 4]))
        }
        expectTensorError(.shapeMismatch, "linalg.inner: [2, 3] and [4, 2]: last dimensions 3 and 2 differ") {
            _ = try Linalg.inner(makeTensor([2, 3], .float64, .contiguous, seed: 1),
                                 makeTensor([4, 2], .float64, .contiguous, seed: 2))
        }
    }

    @Test(arguments: [([2, 3], [4, 3]), ([2, 2, 3], [3]), ([3], [3]), ([5, 4], [2, 3, 4]), ([2, 0], [3, 0])])
    func innerMatchesLoops(shapes: ([Int], [Int])) throws {
        let (aShape, bShape) = shapes
        for layout in StorageLayout.allCases {
            for dtype in [DType.float32, .float64, .int64] {
                let a = makeTensor(aShape, dtype, layout, seed: 13), b = makeTensor(bShape, dtype, layout, seed: 14)
                let av = a.scalars(as: Double.self), bv = b.scalars(as: Double.self)
                let k = aShape.last!
                let p = aShape.dropLast().reduce(1, *), q = bShape.dropLast().reduce(1, *)
                var expected: [Double] = []
                for row in 0..<p {
                    for column in 0..<q {
                        var total = 0.0
                        for inner in 0..<k { total += av[row * k + inner] * bv[column * k + inner] }
                        expected.append(total)
                    }
                }
                let result = try Linalg.inner(a, b)
                expectClose(result, shape: Array(aShape.dropLast()) + Array(bShape.dropLast()), expected,
                            tolerance: tolerance(result.dtype))
            }
        }
    }

    @Test func outerFlattensBothOperands() throws {
        for layout in StorageLayout.allCases {
            let a = makeTensor([2, 3], .float64, layout, seed: 15), b = makeTensor([4], .float32, layout, seed: 16)
            let av = a.scalars(as: Double.self), bv = b.scalars(as: Double.self)
            let expected = av.flatMap { x in bv.map { x * $0 } }
            let result = try Linalg.outer(a, b)
            #expect(result.dtype == .float64)
            expectClose(result, shape: [6, 4], expected, tolerance: 1e-15)
        }
        expectClose(try Linalg.outer(Tensor([Double]()), Tensor([1.0, 2])), shape: [0, 2], [], tolerance: 0)
    }
}

// MARK: - diagonal, trace, norm

extension LinearAlgebraTests {
    @Test(arguments: [0, 1, -1, 2, -3, 5])
    func diagonalAndTraceOverLastTwoAxes(offset: Int) throws {
        for layout in StorageLayout.allCases {
            for dtype in [DType.float64, .float32, .int64] {
                let a = makeTensor([2, 3, 4], dtype, layout, seed: 17)
                let matrices = referenceMatrices(a)
                var expected: [Double] = [], traces: [Double] = []
                for matrix in matrices {
                    var total = 0.0
                    for row in 0..<3 where row + offset >= 0 && row + offset < 4 {
                        expected.append(matrix[row, row + offset])
                        total += matrix[row, row + offset]
                    }
                    traces.append(total)
                }
                let diagonal = try Linalg.diagonal(a, offset: offset)
                #expect(diagonal.storage === a.storage)
                expectClose(diagonal, shape: [2, expected.count / 2], expected, tolerance: 0)
                let trace = try Linalg.trace(a, offset: offset)
                #expect(trace.dtype == dtype)
                expectClose(trace, shape: [2], traces, tolerance: 1e-6)
            }
        }
    }

    @Test func diagonalErrorsAndEmptyMatrices() throws {
        expectTensorError(.invalidShape,
                          "linalg.trace: expected a matrix or a stack of matrices (rank 2 or more), got shape [3]") {
            _ = try Linalg.trace(Tensor([1.0, 2, 3]))
        }
        expectTensorError(.invalidShape,
                          "linalg.diagonal: expected a matrix or a stack of matrices (rank 2 or more), got shape []") {
            _ = try Linalg.diagonal(Tensor(scalar: 1.0))
        }
        expectClose(try Linalg.trace(try Tensor.zeros([0, 0])), shape: [], [0], tolerance: 0)
        expectClose(try Linalg.trace(Tensor([[true, false], [true, true]])), shape: [], [2], tolerance: 0)
        #expect(try Linalg.trace(Tensor([[true, false], [true, true]])).dtype == .int64)
    }

    @Test(arguments: [([1], false), ([-1], true), ([0, 2], false), ([2, 0], true), ([0, 1, 2], false)])
    func normAlongAxesMatchesLoops(axesAndKeep: ([Int], Bool)) throws {
        let (axes, keepDims) = axesAndKeep
        let shape = [3, 4, 5]
        let kept = Set(axes.map { ($0 + 3) % 3 })
        for layout in StorageLayout.allCases {
            for dtype in [DType.float64, .float32, .int64] {
                let a = makeTensor(shape, dtype, layout, seed: 19)
                let values = a.scalars(as: Double.self)
                let resultShape = shape.indices.compactMap { kept.contains($0) ? (keepDims ? 1 : nil) : shape[$0] }
                var sums = [Double](repeating: 0, count: resultShape.reduce(1, *))
                for flat in 0..<values.count {
                    let index = [flat / 20, (flat / 5) % 4, flat % 5]
                    var target = 0
                    for axis in 0..<3 where !kept.contains(axis) { target = target * shape[axis] + index[axis] }
                    sums[target] += values[flat] * values[flat]
                }
                let norm = try Linalg.norm(a, axes: axes, keepDims: keepDims)
                #expect(norm.dtype == dtype.floatingPointResult)
                expectClose(norm, shape: resultShape, sums.map { $0.squareRoot() }, tolerance: 1e-6)
            }
        }
    }

    @Test func normAxisErrors() {
        let a = makeTensor([3, 4], .float64, .contiguous, seed: 1)
        expectTensorError(.invalidAxis, "linalg.norm: axes must name at least one axis") {
            _ = try Linalg.norm(a, axes: [])
        }
        expectTensorError(.invalidAxis, "linalg.norm: axis 2 is out of range for a tensor of rank 2") {
            _ = try Linalg.norm(a, axes: [2])
        }
        expectTensorError(.invalidAxis, "linalg.norm: axis -2 is repeated") {
            _ = try Linalg.norm(a, axes: [0, -2])
        }
    }

    @Test func normIsTheFrobeniusNorm() throws {
        for layout in StorageLayout.allCases {
            for dtype in [DType.float64, .float32, .int64] {
                let a = makeTensor([3, 5], dtype, layout, seed: 18)
                let expected = a.scalars(as: Double.self).reduce(0) { $0 + $1 * $1 }.squareRoot()
                let norm = Linalg.norm(a)
                #expect(norm.dtype == dtype.floatingPointResult)
                expectClose(norm, shape: [], [expected], tolerance: 1e-6)
            }
        }
        // Scaled: squares of 1e200 overflow, the norm does not.
        expectClose(Linalg.norm(Tensor([3e200, 4e200])), shape: [], [5e200], tolerance: 1e-15)
        expectClose(Linalg.norm(try Tensor.zeros([0, 3])), shape: [], [0], tolerance: 0)
        let broadcast = try Tensor(scalar: -2.0).broadcast(to: [4])
        expectClose(Linalg.norm(broadcast), shape: [], [4], tolerance: 1e-15)
    }
}

// MARK: - Decompositions

/// Matrix shapes for decompositions: tall, wide, square, 1×1, single rows and columns, batches, empty.
let decompositionShapes: [[Int]] = [
    [5, 3], [3, 5], [4, 4], [1, 1], [1, 4], [4, 1], [2, 3, 4], [2, 2, 5, 3], [0, 3], [3, 0], [2, 0, 0], [12, 7],
]

/// Checks `QᵀQ = I` for the columns of each matrix of `q` (`[..., rows, k]`).
func expectOrthonormalColumns(_ q: Tensor, tolerance: Double, sourceLocation: SourceLocation = #_sourceLocation) {
    for matrix in referenceMatrices(q) {
        let gram = matrix.transposed * matrix
        #expect(gram.maxDifference(.identity(matrix.columns)) <= tolerance, sourceLocation: sourceLocation)
    }
}

extension LinearAlgebraTests {
    @Test(arguments: decompositionShapes)
    func svdReconstructsTheMatrix(shape: [Int]) throws {
        for dtype in [DType.float64, .float32, .int64] {
            for layout in [StorageLayout.contiguous, .transposed, .reversed] {
                let a = makeTensor(shape, dtype, layout, seed: 21)
                let m = shape[shape.count - 2], n = shape[shape.count - 1], k = min(m, n)
                let batch = Array(shape.dropLast(2))
                let work = dtype.floatingPointResult
                let epsilon = work == .float32 ? 1e-5 : 1e-12
                let (u, s, vt) = try Linalg.svd(a)
                #expect(u.shape == batch + [m, k] && s.shape == batch + [k] && vt.shape == batch + [k, n])
                #expect(u.dtype == work && s.dtype == work && vt.dtype == work)
                let values = s.scalars(as: Double.self)
                for (index, original) in referenceMatrices(a).enumerated() {
                    let singular = Array(values[(index * k)..<((index + 1) * k)])
                    #expect(singular.allSatisfy { $0 >= 0 })
                    #expect(zip(singular, singular.dropFirst()).allSatisfy { $0 >= $1 })
                    let rebuilt = referenceMatrices(u)[index] * diagonalMatrix(singular, rows: k, columns: k)
                        * referenceMatrices(vt)[index]
                    #expect(rebuilt.maxDifference(original) <= epsilon * 10 * (1 + original.maxMagnitude))
                }
                expectOrthonormalColumns(u, tolerance: epsilon * 10)
                expectOrthonormalColumns(Linalg.transposedView(of: vt.contiguous()), tolerance: epsilon * 10)
                expectClose(try Linalg.svdvals(a), shape: batch + [k], values, tolerance: epsilon)

                let full = try Linalg.svd(a, fullMatrices: true)
                #expect(full.u.shape == batch + [m, m] && full.vt.shape == batch + [n, n])
                expectOrthonormalColumns(full.u, tolerance: epsilon * 10)
                expectOrthonormalColumns(Linalg.transposedView(of: full.vt.contiguous()), tolerance: epsilon * 10)
                for (index, original) in referenceMatrices(a).enumerated() {
                    let singular = Array(values[(index * k)..<((index + 1) * k)])
                    let rebuilt = referenceMatrices(full.u)[index] * diagonalMatrix(singular, rows: m, columns: n)
                        * referenceMatrices(full.vt)[index]
                    #expect(rebuilt.maxDifference(original) <= epsilon * 10 * (1 + original.maxMagnitude))
                }
            }
        }
    }

    @Test func singularValuesMatchNumpy() throws {
        for fixture in LinalgFixtures.shared.svd {
            for dtype in [DType.float64, .float32] {
                let s = try Linalg.svd(fixtureTensor(fixture.a, dtype)).s
                // Relative to the largest singular value: tiny ones are only determined up to rounding of A.
                let scale = fixture.s.first ?? 1
                expectClose(s, shape: [fixture.s.count], fixture.s,
                            tolerance: (dtype == .float32 ? 3e-6 : 1e-13) * scale)
            }
        }
    }
}

/// A symmetric matrix batch `[..., n, n]` from pseudo-random values.
func symmetricTensor(_ shape: [Int], _ dtype: DType, seed: UInt64) -> Tensor {
    let n = shape[shape.count - 1]
    let raw = makeTensor(shape, .float64, .contiguous, seed: seed).scalars(as: Double.self)
    var values = raw
    for matrix in 0..<(raw.count / max(n * n, 1)) {
        for row in 0..<n {
            for column in 0..<n {
                let base = matrix * n * n
                values[base + row * n + column] = raw[base + row * n + column] + raw[base + column * n + row]
            }
        }
    }
    return try! Tensor(shape: shape, scalars: values).astype(dtype)
}

extension LinearAlgebraTests {
    @Test(arguments: [[1, 1], [2, 2], [5, 5], [9, 9], [3, 4, 4], [2, 0, 0]])
    func eighDiagonalisesSymmetricMatrices(shape: [Int]) throws {
        for dtype in [DType.float64, .float32] {
            let a = symmetricTensor(shape, dtype, seed: 31)
            let n = shape.last!
            let epsilon = dtype == .float32 ? 1e-5 : 1e-12
            let (values, vectors) = try Linalg.eigh(a)
            #expect(values.shape == Array(shape.dropLast()) && vectors.shape == shape)
            let eigenvalues = values.scalars(as: Double.self)
            for (index, original) in referenceMatrices(a).enumerated() {
                let lambda = Array(eigenvalues[(index * n)..<((index + 1) * n)])
                #expect(zip(lambda, lambda.dropFirst()).allSatisfy { $0 <= $1 })
                let v = referenceMatrices(vectors)[index]
                let left = original * v, right = v * diagonalMatrix(lambda, rows: n, columns: n)
                #expect(left.maxDifference(right) <= epsilon * 10 * (1 + original.maxMagnitude))
            }
            expectOrthonormalColumns(vectors, tolerance: epsilon * 10)
            expectClose(try Linalg.eigvalsh(a), shape: values.shape, eigenvalues, tolerance: epsilon)

            // Only one triangle is read: garbage in the other changes nothing.
            let scrambled = a.scalars(as: Double.self).enumerated().map { offset, value in
                let row = (offset / n) % max(n, 1), column = offset % max(n, 1)
                return column > row ? 1000.0 : value
            }
            let lowerOnly = try Tensor(shape: shape, scalars: scrambled).astype(dtype)
            expectClose(try Linalg.eigh(lowerOnly).values, shape: values.shape, eigenvalues, tolerance: epsilon * 10)
            let upperOnly = makeTransposedCopy(lowerOnly)
            expectClose(try Linalg.eigh(upperOnly, lowerTriangle: false).values, shape: values.shape, eigenvalues,
                        tolerance: epsilon * 10)

            // In place: the same answer, written over a unique input; a shared one is copied first, never changed.
            var owned = a.copy()
            let (ownedValues, ownedVectors) = try Linalg.eigh(overwriting: &owned)
            #expect(ownedValues.scalars(as: Double.self) == eigenvalues)
            #expect(ownedVectors.contiguous().scalars(as: Double.self) == vectors.contiguous().scalars(as: Double.self))
            if n > 1 { #expect(owned.scalars(as: Double.self) != a.scalars(as: Double.self)) }
            let before = a.scalars(as: Double.self)
            var shared = a
            _ = try Linalg.eigh(overwriting: &shared)
            #expect(a.scalars(as: Double.self) == before)
        }
    }
}

/// The batch of transposes of `a`, as a contiguous tensor.
func makeTransposedCopy(_ a: Tensor) -> Tensor {
    Linalg.transposedView(of: a.contiguous()).copy()
}

extension LinearAlgebraTests {
    @Test func eigenvaluesMatchNumpy() throws {
        for fixture in LinalgFixtures.shared.eigh {
            for dtype in [DType.float64, .float32] {
                let scale = fixture.values.map(Swift.abs).max() ?? 1
                expectClose(try Linalg.eigh(fixtureTensor(fixture.a, dtype)).values, shape: [fixture.values.count],
                            fixture.values, tolerance: (dtype == .float32 ? 3e-6 : 1e-13) * scale)
            }
        }
    }
}

/// Symmetric positive definite `B · Bᵀ + n · I` matrices of `shape`.
func positiveDefiniteTensor(_ shape: [Int], _ dtype: DType, seed: UInt64) -> Tensor {
    let n = shape.last!
    let b = makeTensor(shape, .float64, .contiguous, seed: seed)
    var values: [Double] = []
    for matrix in referenceMatrices(b) {
        values += (matrix * matrix.transposed).values.enumerated().map { offset, value in
            offset / n == offset % n ? value + Double(n) : value
        }
    }
    return try! Tensor(shape: shape, scalars: values).astype(dtype)
}

extension LinearAlgebraTests {
    @Test(arguments: [[1, 1], [3, 3], [6, 6], [4, 2, 2], [2, 3, 5, 5], [0, 0]])
    func choleskyFactorsPositiveDefiniteMatrices(shape: [Int]) throws {
        for dtype in [DType.float64, .float32] {
            let a = positiveDefiniteTensor(shape, dtype, seed: 41)
            let epsilon = dtype == .float32 ? 1e-5 : 1e-12
            let lower = try Linalg.cholesky(a)
            let upper = try Linalg.cholesky(a, upper: true)
            #expect(lower.shape == shape && lower.dtype == dtype)
            for (index, original) in referenceMatrices(a).enumerated() {
                let l = referenceMatrices(lower)[index], u = referenceMatrices(upper)[index]
                for row in 0..<l.rows {
                    for column in (row + 1)..<l.columns { #expect(l[row, column] == 0 && u[column, row] == 0) }
                }
                #expect((l * l.transposed).maxDifference(original) <= epsilon * 10 * original.maxMagnitude)
                #expect((u.transposed * u).maxDifference(original) <= epsilon * 10 * original.maxMagnitude)
            }
        }
    }

    @Test func choleskyErrors() {
        expectTensorError(.notPositiveDefinite, "linalg.cholesky: matrix is not positive definite") {
            _ = try Linalg.cholesky(try Tensor([[1.0, 2], [2, 1]]))
        }
        expectTensorError(.invalidShape, "linalg.cholesky: expected square matrices, got shape [2, 3]") {
            _ = try Linalg.cholesky(try Tensor.zeros([2, 3]))
        }
    }

    @Test(arguments: decompositionShapes)
    func qrReconstructsTheMatrix(shape: [Int]) throws {
        for dtype in [DType.float64, .float32, .int64] {
            for layout in [StorageLayout.contiguous, .transposed, .stepped] {
                let a = makeTensor(shape, dtype, layout, seed: 51)
                let m = shape[shape.count - 2], n = shape[shape.count - 1], k = min(m, n)
                let batch = Array(shape.dropLast(2))
                let epsilon = dtype == .float32 ? 1e-5 : 1e-12
                let (q, r) = try Linalg.qr(a)
                #expect(q.shape == batch + [m, k] && r.shape == batch + [k, n])
                expectOrthonormalColumns(q, tolerance: epsilon * 10)
                for (index, original) in referenceMatrices(a).enumerated() {
                    let triangle = referenceMatrices(r)[index]
                    for row in 0..<k { for column in 0..<min(row, n) { #expect(triangle[row, column] == 0) } }
                    let rebuilt = referenceMatrices(q)[index] * triangle
                    #expect(rebuilt.maxDifference(original) <= epsilon * 10 * (1 + original.maxMagnitude))
                }
            }
        }
    }
}

// MARK: - Solvers and determinants

/// A well-conditioned square batch: pseudo-random entries with a dominant diagonal (whole numbers for int64).
func wellConditionedTensor(_ shape: [Int], _ dtype: DType, _ layout: StorageLayout, seed: UInt64) -> Tensor {
    let n = shape.last!
    let scale = dtype.isFloatingPoint ? 1.0 : 4.0
    let a = makeTensor(shape, .float64, .contiguous, seed: seed)
    let shifted = a.scalars(as: Double.self).enumerated().map { offset, value in
        let entry = dtype.isFloatingPoint ? value : (value * scale).rounded()
        return (offset / n) % max(n, 1) == offset % n ? entry + scale * Double(n) + 1 : entry
    }
    let contiguous = try! Tensor(shape: shape, scalars: shifted).astype(dtype)
    switch layout {
    case .transposed: return Linalg.transposedView(of: makeTransposedCopy(contiguous))
    case .reversed where n > 0:
        // Reverse the columns in storage and read them back reversed: same matrix, negative column stride.
        let flipped = contiguous.scalars(as: Double.self).enumerated().map { offset, _ in
            contiguous.scalars(as: Double.self)[(offset / n) * n + (n - 1 - offset % n)]
        }
        let base = try! Tensor(shape: shape, scalars: flipped).astype(dtype)
        var strides = base.strides
        strides[strides.count - 1] = -1
        return Tensor(storage: base.storage, dtype: dtype, shape: shape, strides: strides, offset: n - 1)
    default: return contiguous
    }
}

extension LinearAlgebraTests {
    @Test(arguments: [
        ([3, 3], [3]), ([3, 3], [3, 2]), ([1, 1], [1]), ([4, 5, 5], [4, 5, 2]), ([5, 5], [2, 3, 5, 4]), ([2, 4, 4], [4]),
        ([3, 1, 2, 2], [4, 2, 1]), ([0, 0], [0]), ([3, 3], [3, 0]), ([0, 2, 2], [2]),
    ])
    func solveSatisfiesTheSystem(shapes: ([Int], [Int])) throws {
        let (aShape, bShape) = shapes
        for dtype in [DType.float64, .float32] {
            for layout in [StorageLayout.contiguous, .transposed] {
                let a = wellConditionedTensor(aShape, dtype, layout, seed: 61)
                // int64 right-hand sides promote with float64 to float64 (with float32 they would too, as numpy).
                let bType: DType = dtype == .float64 ? .int64 : .float32
                let b = makeTensor(bShape, bType, layout == .contiguous ? .contiguous : .stepped, seed: 62)
                let x = try Linalg.solve(a, b)
                #expect(x.dtype == dtype)
                // A · x recomputed by the reference matmul must give b broadcast to the result's shape.
                #expect(x.shape == (bShape.count == 1
                    ? Array(aShape.dropLast()) : naiveMatmul(a, makeTensor(bShape, .float64, .contiguous, seed: 0)).shape))
                let columns = bShape.count == 1
                    ? Tensor(storage: x.contiguous().storage, dtype: x.dtype, shape: x.shape + [1],
                             strides: Tensor.contiguousStrides(for: x.shape + [1]), offset: 0)
                    : x
                let product = naiveMatmul(a, columns)
                let expectedB = try b.broadcast(to: x.shape).scalars(as: Double.self)
                let difference = zip(product.values, expectedB).map { Swift.abs($0 - $1) }.max() ?? 0
                #expect(difference <= (dtype == .float32 ? 1e-4 : 1e-11), "residual \(difference)")
            }
        }
    }

    @Test func solveMatchesNumpyIncludingTheHilbertMatrix() throws {
        for fixture in LinalgFixtures.shared.solve {
            let a = fixtureTensor(fixture.a, .float64), b = fixture.b.tensor(.float64)
            let x = try Linalg.solve(a, b)
            // Forward error bound: ‖x − x*‖ / ‖x*‖ ≲ cond(A) · eps (with a small safety factor).
            let reference = fixture.x.values
            let solution = x.scalars(as: Double.self)
            let errorNorm = zip(solution, reference).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
            let referenceNorm = reference.map { $0 * $0 }.reduce(0, +).squareRoot()
            #expect(errorNorm / referenceNorm <= 10 * fixture.condition * Double.ulpOfOne, "\(fixture.name)")
            // Backward error: the residual is small relative to ‖A‖‖x‖ whatever the conditioning.
            let residual = naiveMatmul(a, x).values
            let residualNorm = zip(residual, b.scalars(as: Double.self)).map { ($0 - $1) * ($0 - $1) }
                .reduce(0, +).squareRoot()
            let scale = Linalg.norm(a).scalars(as: Double.self)[0] * referenceNorm
            #expect(residualNorm / scale <= 100 * Double.ulpOfOne, "\(fixture.name): \(residualNorm / scale)")
        }
    }

    @Test func solveErrors() {
        let square = makeTensor([3, 3], .float64, .contiguous, seed: 1)
        expectTensorError(.singularMatrix, "linalg.solve: matrix is singular") {
            _ = try Linalg.solve(try Tensor([[1.0, 2], [2, 4]]), Tensor([1.0, 2]))
        }
        expectTensorError(.shapeMismatch, "linalg.solve: [3, 3] and [4]: b must be [3] or [..., 3, k]") {
            _ = try Linalg.solve(square, Tensor([1.0, 2, 3, 4]))
        }
        expectTensorError(.shapeMismatch, "linalg.solve: [3, 3] and []: b must be [3] or [..., 3, k]") {
            _ = try Linalg.solve(square, Tensor(scalar: 1.0))
        }
        expectTensorError(.shapeMismatch,
                          "linalg.solve: [2, 3, 3] and [4, 3, 1]: batch dimensions [2] and [4] cannot be broadcast together") {
            _ = try Linalg.solve(makeTensor([2, 3, 3], .float64, .contiguous, seed: 1), try Tensor.zeros([4, 3, 1]))
        }
        expectTensorError(.invalidShape, "linalg.solve: expected square matrices, got shape [3, 2]") {
            _ = try Linalg.solve(try Tensor.zeros([3, 2]), Tensor([1.0, 2, 3]))
        }
    }

    @Test(arguments: [[1, 1], [2, 2], [5, 5], [3, 4, 4], [2, 2, 3, 3], [0, 0], [0, 3, 3]])
    func invTimesMatrixIsIdentity(shape: [Int]) throws {
        for dtype in [DType.float64, .float32, .int64] {
            for layout in [StorageLayout.contiguous, .transposed, .reversed] {
                let a = wellConditionedTensor(shape, dtype, layout, seed: 71)
                let inverse = try Linalg.inv(a)
                #expect(inverse.shape == shape && inverse.dtype == dtype.floatingPointResult)
                let epsilon = dtype == .float32 ? 1e-5 : 1e-13
                for (original, inverted) in zip(referenceMatrices(a), referenceMatrices(inverse)) {
                    #expect((original * inverted).maxDifference(.identity(original.rows)) <= epsilon * 10)
                    #expect((inverted * original).maxDifference(.identity(original.rows)) <= epsilon * 10)
                }
            }
        }
        expectTensorError(.singularMatrix, "linalg.inv: matrix is singular") {
            _ = try Linalg.inv(try Tensor([[1.0, 2], [2, 4]]))
        }
    }

    @Test func leastSquaresMatchesNumpy() throws {
        for fixture in LinalgFixtures.shared.lstsq {
            for dtype in [DType.float64, .float32] {
                let a = fixtureTensor(fixture.a, dtype), b = fixture.b.tensor(dtype)
                let result = try Linalg.lstsq(a, b)
                let epsilon = dtype == .float32 ? 1e-4 : 1e-10
                let n = fixture.a[0].count
                let solutionShape: [Int] = b.rank == 1 ? [n] : [n, b.shape[1]]
                expectClose(result.solution, shape: solutionShape, fixture.x.values, tolerance: epsilon)
                #expect(result.rank == fixture.rank, "\(fixture.name) \(dtype)")
                expectClose(result.residuals, shape: [fixture.residuals.count], fixture.residuals, tolerance: epsilon)
                expectClose(result.singularValues, shape: [fixture.s.count], fixture.s,
                            tolerance: epsilon * (fixture.s.first ?? 1))
            }
        }
    }

    @Test func leastSquaresSpecialCasesAndErrors() throws {
        // A rank-deficient system (two equal columns) has rank 1 and the minimum-norm solution splits the weight.
        let a = try Tensor([[1.0, 1], [2, 2], [3, 3]])
        let result = try Linalg.lstsq(a, Tensor([2.0, 4, 6]))
        #expect(result.rank == 1)
        expectClose(result.solution, shape: [2], [1, 1], tolerance: 1e-12)
        #expect(result.residuals.shape == [0])
        // rcond large enough to drop every singular value gives rank 0 and the zero solution.
        let dropped = try Linalg.lstsq(try Tensor([[1.0, 0], [0, 1e-3], [0, 0]]), Tensor([1.0, 1, 1]), rcond: 0.01)
        #expect(dropped.rank == 1)
        expectClose(dropped.solution, shape: [2], [1, 0], tolerance: 1e-12)
        // An underdetermined system is solved exactly, with the minimum-norm solution: x = Aᵀ(AAᵀ)⁻¹b.
        let wide = try Tensor([[1.0, 0, 1], [0, 1, 1]])
        let exact = try Linalg.lstsq(wide, Tensor([2.0, 4]))
        #expect(exact.rank == 2 && exact.residuals.shape == [0])
        expectClose(exact.solution, shape: [3], [0, 2, 2], tolerance: 1e-12)
        // No right-hand sides: still the rank and singular values.
        let none = try Linalg.lstsq(a, try Tensor.zeros([3, 0]))
        #expect(none.rank == 1 && none.solution.shape == [2, 0] && none.singularValues.shape == [2])
        #expect(none.residuals.shape == [0])
        // Empty systems.
        let empty = try Linalg.lstsq(try Tensor.zeros([3, 0]), Tensor([1.0, 2, 2]))
        #expect(empty.rank == 0 && empty.solution.shape == [0])
        expectClose(empty.residuals, shape: [1], [9], tolerance: 0)
        expectTensorError(.invalidShape, "linalg.lstsq: a must be a matrix [m, n], got shape [2, 2, 2]") {
            _ = try Linalg.lstsq(try Tensor.zeros([2, 2, 2]), Tensor([1.0, 2]))
        }
        expectTensorError(.shapeMismatch, "linalg.lstsq: [3, 2] and [2]: b must be [3] or [3, k]") {
            _ = try Linalg.lstsq(try Tensor.zeros([3, 2]), Tensor([1.0, 2]))
        }
    }

    @Test func determinantsMatchNumpy() throws {
        for fixture in LinalgFixtures.shared.determinant {
            for dtype in [DType.float64, .float32] {
                let a = fixtureTensor(fixture.a, dtype)
                let (sign, logAbsDet) = try Linalg.slogdet(a)
                #expect(sign.shape == [] && sign.dtype == dtype)
                #expect(try sign.item() == fixture.sign, "\(fixture.name) \(dtype)")
                let epsilon = dtype == .float32 ? 1e-5 : 1e-12
                if let expected = fixture.logabsdet {
                    // float32 cannot resolve the Hilbert matrix (cond 1.5e10); its determinant is tested in float64.
                    // Its float64 log-determinant agrees to about cond · eps, not eps.
                    if dtype == .float64 || fixture.name != "hilbert8" {
                        let relative = fixture.name == "hilbert8" ? 1e-6 : epsilon * 100
                        expectClose(logAbsDet, shape: [], [expected], tolerance: relative)
                        expectClose(try Linalg.det(a), shape: [], [fixture.det], tolerance: relative * Swift.abs(fixture.det))
                    }
                } else {
                    #expect(try logAbsDet.item() == -.infinity)
                    #expect(try Linalg.det(a).item() == 0)
                }
            }
        }
    }

    @Test func batchedDeterminantsAndEmptyMatrices() throws {
        let a = wellConditionedTensor([2, 3, 4, 4], .float64, .transposed, seed: 81)
        let det = try Linalg.det(a)
        #expect(det.shape == [2, 3])
        for (index, matrix) in referenceMatrices(a).enumerated() {
            // Reference determinant by Laplace expansion along the first row.
            func laplace(_ m: ReferenceMatrix) -> Double {
                if m.rows == 1 { return m[0, 0] }
                var total = 0.0
                for column in 0..<m.columns {
                    var minor: [Double] = []
                    for row in 1..<m.rows { for other in 0..<m.columns where other != column { minor.append(m[row, other]) } }
                    let sign = column % 2 == 0 ? 1.0 : -1.0
                    total += sign * m[0, column] * laplace(ReferenceMatrix(rows: m.rows - 1, columns: m.rows - 1, values: minor))
                }
                return total
            }
            let expected = laplace(matrix)
            #expect(Swift.abs(det.scalars(as: Double.self)[index] - expected) <= 1e-12 * Swift.abs(expected))
        }
        let (sign, logAbsDet) = try Linalg.slogdet(try Tensor.zeros([2, 0, 0]))
        expectClose(sign, shape: [2], [1, 1], tolerance: 0)
        expectClose(logAbsDet, shape: [2], [0, 0], tolerance: 0)
        expectClose(try Linalg.det(try Tensor.zeros([0, 0])), shape: [], [1], tolerance: 0)
    }
}

// MARK: - Errors shared by every LAPACK-backed function

extension LinearAlgebraTests {
    @Test func lapackFunctionsRejectNonFiniteInput() {
        let values = try! Tensor([[1.0, .nan], [2, 1]])
        let infinite = try! Tensor([[1.0, 0], [Double.infinity, 1]]).astype(.float32)
        let checks: [(String, (Tensor) throws -> Void)] = [
            ("linalg.svd", { _ = try Linalg.svd($0) }), ("linalg.svdvals", { _ = try Linalg.svdvals($0) }),
            ("linalg.eigh", { _ = try Linalg.eigh($0) }), ("linalg.eigvalsh", { _ = try Linalg.eigvalsh($0) }),
            ("linalg.eigh", { var owned = $0; _ = try Linalg.eigh(overwriting: &owned) }),
            ("linalg.cholesky", { _ = try Linalg.cholesky($0) }), ("linalg.qr", { _ = try Linalg.qr($0) }),
            ("linalg.inv", { _ = try Linalg.inv($0) }), ("linalg.det", { _ = try Linalg.det($0) }),
            ("linalg.slogdet", { _ = try Linalg.slogdet($0) }),
            ("linalg.solve", { _ = try Linalg.solve($0, Tensor([1.0, 1])) }),
            ("linalg.lstsq", { _ = try Linalg.lstsq($0, Tensor([1.0, 1])) }),
        ]
        for (operation, call) in checks {
            for input in [values, infinite] {
                expectTensorError(.invalidArgument, "\(operation): matrix contains NaN or infinity") { try call(input) }
            }
        }
        // A non-finite right-hand side is refused as well.
        expectTensorError(.invalidArgument, "linalg.solve: matrix contains NaN or infinity") {
            _ = try Linalg.solve(try Tensor([[1.0, 0], [0, 1]]), Tensor([1.0, .nan]))
        }
    }

    @Test func lapackFunctionsRejectVectorsAndNonSquareMatrices() {
        let vector = Tensor([1.0, 2, 3])
        let rectangular = try! Tensor.zeros([2, 3, 4])
        let checks: [(String, Bool, (Tensor) throws -> Void)] = [
            ("linalg.svd", false, { _ = try Linalg.svd($0) }), ("linalg.qr", false, { _ = try Linalg.qr($0) }),
            ("linalg.eigh", true, { _ = try Linalg.eigh($0) }), ("linalg.cholesky", true, { _ = try Linalg.cholesky($0) }),
            ("linalg.eigh", true, { var owned = $0; _ = try Linalg.eigh(overwriting: &owned) }),
            ("linalg.inv", true, { _ = try Linalg.inv($0) }), ("linalg.det", true, { _ = try Linalg.det($0) }),
            ("linalg.slogdet", true, { _ = try Linalg.slogdet($0) }),
        ]
        for (operation, square, call) in checks {
            expectTensorError(.invalidShape,
                              "\(operation): expected a matrix or a stack of matrices (rank 2 or more), got shape [3]") {
                try call(vector)
            }
            if square {
                expectTensorError(.invalidShape, "\(operation): expected square matrices, got shape [2, 3, 4]") {
                    try call(rectangular)
                }
            }
        }
    }
}

// MARK: - Pseudo-inverse, rank, condition number

extension LinearAlgebraTests {
    @Test(arguments: [[5, 3], [3, 5], [4, 4], [1, 1], [2, 3, 4], [6, 2]])
    func pinvSatisfiesThePenroseConditions(shape: [Int]) throws {
        for dtype in [DType.float64, .float32] {
            for layout in [StorageLayout.contiguous, .transposed] {
                let a = makeTensor(shape, dtype, layout, seed: 91)
                let inverse = try Linalg.pinv(a)
                let m = shape[shape.count - 2], n = shape[shape.count - 1]
                #expect(inverse.shape == Array(shape.dropLast(2)) + [n, m] && inverse.dtype == dtype)
                let epsilon = dtype == .float32 ? 1e-4 : 1e-10
                for (original, plus) in zip(referenceMatrices(a), referenceMatrices(inverse)) {
                    #expect((original * plus * original).maxDifference(original) <= epsilon)
                    #expect((plus * original * plus).maxDifference(plus) <= epsilon * (1 + plus.maxMagnitude))
                    // A·A⁺ and A⁺·A are symmetric.
                    let left = original * plus, right = plus * original
                    #expect(left.maxDifference(left.transposed) <= epsilon)
                    #expect(right.maxDifference(right.transposed) <= epsilon)
                }
            }
        }
    }

    @Test func pinvOfARankDeficientMatrixGivesTheMinimumNormSolution() throws {
        let fixture = LinalgFixtures.shared.lstsq.first { $0.name == "rank_deficient" }!
        let a = fixtureTensor(fixture.a, .float64), b = fixture.b.tensor(.float64)
        // numpy's default rcond (1e-15) keeps rounding-level singular values; lstsq's eps·max(m, n) drops them.
        let inverse = try Linalg.pinv(a, rcond: Double.ulpOfOne * 8)
        expectClose(try Tensor.matmul(inverse, b), shape: [5, 2], fixture.x.values, tolerance: 1e-10)
    }

    @Test func matrixRankAndConditionNumber() throws {
        for fixture in LinalgFixtures.shared.lstsq {
            #expect(try Linalg.matrixRank(fixtureTensor(fixture.a, .float64)).item() == Double(fixture.rank))
        }
        let batch = try Tensor([[[1.0, 0], [0, 1]], [[1, 1], [1, 1]], [[0, 0], [0, 0]]])
        let ranks = try Linalg.matrixRank(batch)
        #expect(ranks.dtype == .int64 && ranks.scalars(as: Int64.self) == [2, 1, 0])
        #expect(try Linalg.matrixRank(Tensor([0.0, 0])).item() == 0)
        #expect(try Linalg.matrixRank(Tensor([0.0, 3])).item() == 1)
        #expect(try Linalg.matrixRank(try Tensor([[1.0, 0], [0, 1e-3]]), tolerance: 0.01).item() == 1)
        for fixture in LinalgFixtures.shared.solve {
            let condition = try Linalg.cond(fixtureTensor(fixture.a, .float64)).item()
            // The Hilbert matrix's smallest singular value is only known to about eps · s_max.
            #expect(Swift.abs(condition - fixture.condition) <= (fixture.name == "hilbert8" ? 1e-5 : 1e-12) * fixture.condition)
        }
        #expect(try Linalg.cond(try Tensor([[1.0, 1], [1, 1]])).item() > 1e15)
        #expect(try Linalg.cond(try Tensor([[1.0, 0], [0, 0]])).item() == .infinity)
        expectTensorError(.invalidShape, "linalg.cond: the condition number of an empty matrix is undefined, got shape [0, 0]") {
            _ = try Linalg.cond(try Tensor.zeros([0, 0]))
        }
        expectTensorError(.invalidShape,
                          "linalg.pinv: expected a matrix or a stack of matrices (rank 2 or more), got shape [3]") {
            _ = try Linalg.pinv(Tensor([1.0, 2, 3]))
        }
    }
}
