import Foundation
import Testing
@testable import Tensors

/// Reference reduction: groups the row-major `values` of `shape` by their index on the kept axes.
func naiveReduce(_ values: [Double], _ shape: [Int], axes: [Int]?, keepDims: Bool,
                 _ combine: ([Double]) -> Double) -> (values: [Double], shape: [Int]) {
    let reduced = Set((axes ?? Array(0..<shape.count)).map { $0 < 0 ? $0 + shape.count : $0 })
    let kept = (0..<shape.count).filter { !reduced.contains($0) }
    let keptShape = kept.map { shape[$0] }
    var groups = [[Double]](repeating: [], count: keptShape.reduce(1, *))
    for flat in 0..<values.count {
        let index = unravel(flat, shape)
        var group = 0
        for axis in kept { group = group * shape[axis] + index[axis] }
        groups[group].append(values[flat])
    }
    let outShape = keepDims ? (0..<shape.count).map { reduced.contains($0) ? 1 : shape[$0] } : keptShape
    return (groups.map(combine), outShape)
}

@Suite("Reductions")
struct ReductionTests {
    /// (shape, axes) cases: all axes, single axes (negative too), several axes, size-1 and empty axes.
    static let cases: [([Int], [Int]?)] = [
        ([], nil), ([5], nil), ([5], [0]), ([3, 4], nil), ([3, 4], [0]), ([3, 4], [1]), ([3, 4], [-1]),
        ([2, 3, 4], [0, 2]), ([2, 3, 4], [1]), ([2, 3, 4], [0, 1]), ([2, 3, 1, 2], [2]), ([2, 3, 1, 2], [0, 3]),
        ([4, 1], [1]), ([1000, 3], [0]), ([3, 1000], [1]), ([70_000], nil), ([300, 300], [0]), ([2, 0], [1]),
        ([0, 3], [0]),
    ]

    @Test("sum, mean, prod, min, max against naive groups", arguments: cases.indices, Layout.allCases)
    func basic(caseIndex: Int, layout: Layout) throws {
        let (shape, axes) = Self.cases[caseIndex]
        var random = TestRandom(UInt64(caseIndex))
        let values = random.values(shape.reduce(1, *), scale: 1).map { $0 + 1 }
        for dtype in [DType.float32, .float64] {
            let x = makeTensor(values, shape: shape, dtype: dtype, layout: layout)
            let tolerance = dtype == .float32 ? 1e-5 : 1e-12
            for keepDims in [false, true] {
                let checks: [(String, Tensor, ([Double]) -> Double)] = [
                    ("sum", try x.sum(axes: axes, keepDims: keepDims), { $0.reduce(0, +) }),
                    ("mean", try x.mean(axes: axes, keepDims: keepDims), { $0.reduce(0, +) / Double($0.count) }),
                    ("prod", try x.prod(axes: axes, keepDims: keepDims), { $0.reduce(1, *) }),
                ]
                for (name, result, reference) in checks {
                    let expected = naiveReduce(values, shape, axes: axes, keepDims: keepDims, reference)
                    #expect(result.shape == expected.shape, "\(name) \(shape) \(String(describing: axes))")
                    #expect(result.dtype == dtype)
                    #expect(close(result.scalars(as: Double.self), expected.values, tolerance: tolerance),
                            "\(name) \(shape) \(String(describing: axes)) \(dtype) \(layout)")
                }
                if values.isEmpty { continue }
                let maximum = naiveReduce(values, shape, axes: axes, keepDims: keepDims) { $0.max() ?? .nan }
                let minimum = naiveReduce(values, shape, axes: axes, keepDims: keepDims) { $0.min() ?? .nan }
                if maximum.values.contains(where: \.isNaN) { continue }
                #expect(try x.max(axes: axes, keepDims: keepDims).scalars(as: Double.self) == maximum.values)
                #expect(try x.min(axes: axes, keepDims: keepDims).scalars(as: Double.self) == minimum.values)
            }
        }
    }

    @Test("variance and standard deviation with ddof", arguments: cases.indices)
    func moments(caseIndex: Int) throws {
        let (shape, axes) = Self.cases[caseIndex]
        var random = TestRandom(UInt64(50 + caseIndex))
        let values = random.values(shape.reduce(1, *))
        let x = makeTensor(values, shape: shape, layout: .transposed)
        for ddof in [0, 1] {
            let expected = naiveReduce(values, shape, axes: axes, keepDims: false) { group in
                let mean = group.reduce(0, +) / Double(group.count)
                let squares = group.map { ($0 - mean) * ($0 - mean) }.reduce(0, +)
                return group.count - ddof > 0 ? squares / Double(group.count - ddof) : .nan
            }
            #expect(close(try x.variance(axes: axes, ddof: ddof).scalars(as: Double.self), expected.values, tolerance: 1e-10))
            #expect(close(try x.standardDeviation(axes: axes, ddof: ddof).scalars(as: Double.self),
                          expected.values.map { $0.squareRoot() }, tolerance: 1e-10))
        }
    }

    @Test("integer and bool sums stay integers; means become float64")
    func integerReductions() throws {
        let x = try Tensor(shape: [2, 3], scalars: [Int64(1), 2, 3, 4, 5, 6])
        #expect(try x.sum().dtype == .int64)
        #expect(try x.sum(axes: [0]).scalars(as: Int64.self) == [5, 7, 9])
        #expect(try x.mean(axes: [1]).scalars(as: Double.self) == [2, 5])
        #expect(try x.prod().item() == 720)
        let mask = Tensor([true, false, true])
        #expect(try mask.sum().dtype == .int64 && mask.sum().item() == 2)
        #expect(try mask.any().item() == 1 && mask.all().item() == 0)
        #expect(try Tensor.zeros([0], dtype: .bool).all().item() == 1)
    }

    @Test("float32 sums are accurate (pairwise / double accumulation)")
    func float32Accuracy() throws {
        // 10^7 copies of 0.1f: naive float32 accumulation drifts by ~10% here; pairwise stays within 1e-6.
        let n = 10_000_000
        let x = try Tensor.full([n], value: 0.1, dtype: .float32)
        let exact = Double(Float(0.1)) * Double(n)
        #expect(abs(try x.sum().item() - exact) / exact < 1e-6)
        let columns = try Tensor.full([n / 10, 10], value: 0.1, dtype: .float32)
        let columnSums = try columns.sum(axes: [0]).scalars(as: Double.self)
        #expect(columnSums.allSatisfy { abs($0 - exact / 10) / (exact / 10) < 1e-6 })
    }

    @Test("arg-extrema, NaN handling, cumsum")
    func argAndCumulative() throws {
        let x = try Tensor([[3.0, 1, 4], [1, 5, 9], [2, 6, 5]])
        #expect(try x.argmax().item() == 5)
        #expect(try x.argmin(axis: 1).scalars(as: Int64.self) == [1, 0, 0])
        #expect(try x.argmax(axis: 0).scalars(as: Int64.self) == [0, 2, 1])
        #expect(try x.argmax(axis: 0, keepDims: true).shape == [1, 3])
        let withNaN = Tensor([1.0, .nan, 3])
        #expect(try withNaN.max().item().isNaN)
        #expect(try withNaN.argmax().item() == 1)
        #expect(try withNaN.nanSum().item() == 4)
        #expect(try withNaN.nanMean().item() == 2)
        #expect(try x.cumsum(axis: 1).scalars(as: Double.self) == [3, 4, 8, 1, 6, 15, 2, 8, 13])
        #expect(try x.cumsum(axis: 0).scalars(as: Double.self) == [3, 1, 4, 4, 6, 13, 6, 12, 18])
        #expect(try x.cumsum().shape == [9])
        #expect(try Tensor([true, true, false]).cumsum().scalars(as: Int64.self) == [1, 2, 2])
    }

    @Test("logsumexp and softmax are stable")
    func stableComposites() throws {
        let x = try Tensor([[1000.0, 1000], [-1000, -1000], [0, .infinity * -1]])
        let lse = try x.logsumexp(axes: [1]).scalars(as: Double.self)
        #expect(close(lse, [1000 + log(2), -1000 + log(2), 0], tolerance: 1e-12))
        #expect(try Tensor([-Double.infinity, -.infinity]).logsumexp().item() == -.infinity)
        let soft = try x.softmax(axis: 1)
        #expect(close(soft.scalars(as: Double.self), [0.5, 0.5, 0.5, 0.5, 1, 0]))
        #expect(try x.logsumexp(axes: [1], keepDims: true).shape == [3, 1])
    }

    @Test("reduction errors name the problem")
    func errors() {
        let x = try! Tensor.zeros([2, 3])
        #expect(errorMessage { try x.sum(axes: [2]) } == "sum: axis 2 is out of range for a tensor of rank 2")
        #expect(errorMessage { try x.mean(axes: [0, -2]) } == "mean: axis -2 is repeated")
        #expect(errorMessage { try Tensor.zeros([0, 3]).max(axes: [0]) }
                == "max: zero-size reduction over shape [0, 3] has no identity")
        #expect(errorMessage { try Tensor.zeros([0]).argmin() } == "argmin: attempt to get argmin of an empty sequence")
        #expect(errorMessage { try x.variance(ddof: -1) } == "var: ddof must be >= 0, got -1")
        #expect(errorMessage { try x.softmax(axis: 3) } == "softmax: axis 3 is out of range for a tensor of rank 2")
        #expect(errorMessage { try x.item() }
                == "item: only a one-element tensor converts to a number, this one has shape [2, 3]")
    }
}
