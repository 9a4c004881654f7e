import Foundation
import Testing
@testable import Tensors

// MARK: Naive references (plain loops over Swift arrays)

/// The values of lane `lane` along `axis` of a row-major array of `shape`, with their flat indices.
private func lanes(shape: [Int], axis: Int) -> [[Int]] {
    let length = shape[axis]
    let inner = shape[(axis + 1)...].reduce(1, *)
    let outer = shape[..<axis].reduce(1, *)
    var result: [[Int]] = []
    for o in 0..<outer {
        for i in 0..<inner { result.append((0..<length).map { o * length * inner + $0 * inner + i }) }
    }
    return result
}

private func naiveZscore(_ values: [Double], shape: [Int], axis: Int, ddof: Int) -> [Double] {
    var result = values
    for lane in lanes(shape: shape, axis: axis) {
        let x = lane.map { values[$0] }
        let mean = x.reduce(0, +) / Double(x.count)
        let variance = x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(x.count - ddof)
        let constant = x.allSatisfy { $0 == x[0] }
        for (position, index) in lane.enumerated() {
            result[index] = constant || x.count - ddof <= 0 ? .nan : (x[position] - mean) / variance.squareRoot()
        }
    }
    return result
}

private func naivePearson(_ x: [Double], _ y: [Double]) -> Double {
    let meanX = x.reduce(0, +) / Double(x.count), meanY = y.reduce(0, +) / Double(y.count)
    var cross = 0.0, squaresX = 0.0, squaresY = 0.0
    for index in x.indices {
        cross += (x[index] - meanX) * (y[index] - meanY)
        squaresX += (x[index] - meanX) * (x[index] - meanX)
        squaresY += (y[index] - meanY) * (y[index] - meanY)
    }
    if x.allSatisfy({ $0 == x[0] }) || y.allSatisfy({ $0 == y[0] }) { return .nan }
    return cross / (squaresX * squaresY).squareRoot()
}

/// Rank by definition: 1 + (number smaller) + (number of other equal values) / 2.
private func naiveRanks(_ x: [Double]) -> [Double] {
    if x.contains(where: \.isNaN) { return x.map { _ in .nan } }
    return x.map { value in
        1 + Double(x.filter { $0 < value }.count) + Double(x.filter { $0 == value }.count - 1) / 2
    }
}

private func column(_ values: [Double], columns: Int, _ index: Int) -> [Double] {
    stride(from: index, to: values.count, by: columns).map { values[$0] }
}

private func row(_ values: [Double], columns: Int, _ index: Int) -> [Double] {
    Array(values[(index * columns)..<((index + 1) * columns)])
}

private func naiveDistance(_ u: [Double], _ v: [Double], _ metric: DistanceMetric) -> Double {
    switch metric {
    case .euclidean: return zip(u, v).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
    case .squaredEuclidean: return zip(u, v).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
    case .correlation: return 1 - naivePearson(u, v)
    case .cosine:
        let dot = zip(u, v).map { $0 * $1 }.reduce(0, +)
        let norms = (u.map { $0 * $0 }.reduce(0, +) * v.map { $0 * $0 }.reduce(0, +)).squareRoot()
        return 1 - dot / norms
    }
}

/// The transpose of a contiguous matrix as a strided view (no copy).
private func transposedView(_ matrix: Tensor) -> Tensor {
    Tensor(storage: matrix.storage, dtype: matrix.dtype, shape: [matrix.shape[1], matrix.shape[0]],
           strides: [1, matrix.shape[1]], offset: matrix.offset)
}

// MARK: Tests against the naive references

@Suite struct StatisticsReferenceTests {
    static let zscoreCases: [([Int], Int, Int)] = [
        ([7], 0, 0), ([7], -1, 1), ([5, 3], 0, 0), ([5, 3], 1, 1), ([1, 4], 0, 0), ([4, 1], 1, 0), ([3, 1, 4], 2, 0),
        ([3, 1, 4], 0, 1), ([2, 3, 4, 2], 1, 0), ([2, 3, 4, 2], -1, 1), ([0, 3], 1, 0), ([3, 600], 0, 1),
    ]

    @Test(arguments: zscoreCases, [DType.float64, .float32])
    func zscoreMatchesLoops(zscoreCase: ([Int], Int, Int), dtype: DType) throws {
        let (shape, axis, ddof) = zscoreCase
        let x = try Tensor.randomNormal(shape, mean: 5, std: 3, seed: 1, dtype: dtype)
        let result = try Statistics.zscore(x, axis: axis, ddof: ddof)
        #expect(result.dtype == dtype && result.shape == shape)
        let normalized = axis < 0 ? axis + shape.count : axis
        let expected = naiveZscore(x.scalars(as: Double.self), shape: shape, axis: normalized, ddof: ddof)
        #expect(close(result.scalars(as: Double.self), expected, tolerance: dtype == .float32 ? 1e-5 : 1e-12))
    }

    @Test func zscoreOfConstantLanesAndIntegersAndViews() throws {
        let x = try Tensor([[Int64(1), 7], [1, 8], [1, 9]])
        let z = try Statistics.zscore(x)
        #expect(z.dtype == .float64)
        let values = z.scalars(as: Double.self)
        #expect(values[0].isNaN && values[2].isNaN && values[4].isNaN)
        #expect(close([values[1], values[3], values[5]], [-1.5.squareRoot(), 0, 1.5.squareRoot()]))
        // A single observation with ddof 1 has no variance: NaN, not a trap.
        #expect(try Statistics.zscore(Tensor([2.0]), ddof: 1).scalars(as: Double.self)[0].isNaN)
        // A transposed view gives what its contiguous copy gives.
        let matrix = try Tensor.randomNormal([4, 6], seed: 2)
        let view = transposedView(matrix)
        #expect(try Statistics.zscore(view, axis: 1).scalars(as: Double.self)
                == (try Statistics.zscore(view.copy(), axis: 1)).scalars(as: Double.self))
    }

    static let pairShapes: [[Int]] = [[2], [9], [2, 1], [6, 3], [40, 7], [300, 2], [5, 0]]

    @Test(arguments: pairShapes, [DType.float64, .float32])
    func pearsonAndSpearmanMatchLoops(shape: [Int], dtype: DType) throws {
        let a = try Tensor.randomNormal(shape, seed: 3, dtype: dtype)
        // Rounded to a few values so that the ranks have ties.
        let b = try Tensor(shape: shape, scalars: a.scalars(as: Double.self).enumerated().map {
            ($1 + Double($0 % 3)).rounded()
        }).astype(dtype)
        let columns = shape.count == 2 ? shape[1] : 1
        let av = a.scalars(as: Double.self), bv = b.scalars(as: Double.self)
        let expectedPearson = (0..<columns).map {
            naivePearson(column(av, columns: columns, $0), column(bv, columns: columns, $0))
        }
        let expectedSpearman = (0..<columns).map {
            naivePearson(naiveRanks(column(av, columns: columns, $0)), naiveRanks(column(bv, columns: columns, $0)))
        }
        let pearson = try Statistics.pearson(a, b), spearman = try Statistics.spearman(a, b)
        let resultShape = shape.count == 1 ? [] : [columns]
        #expect(pearson.shape == resultShape && spearman.shape == resultShape)
        #expect(pearson.dtype == dtype && spearman.dtype == dtype)
        let tolerance = dtype == .float32 ? 1e-6 : 1e-12
        #expect(close(pearson.scalars(as: Double.self), expectedPearson, tolerance: tolerance))
        #expect(close(spearman.scalars(as: Double.self), expectedSpearman, tolerance: tolerance))
    }

    @Test func pearsonOfViewsMixedDtypesAndExtremes() throws {
        let matrix = try Tensor.randomNormal([5, 30], seed: 4)
        let view = transposedView(matrix)
        let other = try Tensor.randomNormal([30, 5], seed: 5, dtype: .float32)
        let result = try Statistics.pearson(view, other)
        #expect(result.dtype == .float64)
        #expect(result.scalars(as: Double.self) == (try Statistics.pearson(view.copy(), other.astype(.float64)))
            .scalars(as: Double.self))
        // Perfectly (anti)correlated columns give exactly ±1, never beyond.
        let x = Tensor((0..<50).map { (index: Int) -> Double in Double(index) * 0.1 + 1e6 })
        let flipped = Tensor((0..<50).map { (index: Int) -> Double in -3 * Double(index) })
        let same = try Statistics.pearson(x, x).item(), opposite = try Statistics.pearson(x, flipped).item()
        #expect(same <= 1 && same > 1 - 1e-12)
        #expect(opposite >= -1 && opposite < -1 + 1e-12)
        // A large offset does not destroy the answer (the two-pass centring).
        let wiggle = (0..<50).map { (index: Int) -> Double in Double(index) + (index % 2 == 0 ? 0.5 : -0.5) }
        let noisy = Tensor(wiggle.map { 1e9 + $0 }), plain = Tensor(wiggle)
        let difference = try Statistics.pearson(noisy, x).item() - (try Statistics.pearson(plain, x).item())
        #expect(abs(difference) < 1e-9)
    }

    @Test(arguments: [([6, 3], [6, 4]), ([2, 1], [2, 1]), ([50, 5], [50, 2]), ([4, 0], [4, 3])],
          [DType.float64, .float32])
    func correlationMatrixMatchesLoops(shapes: ([Int], [Int]), dtype: DType) throws {
        let a = try Tensor.randomNormal(shapes.0, seed: 6, dtype: dtype)
        let b = try Tensor.randomNormal(shapes.1, seed: 7, dtype: dtype)
        let result = try Statistics.correlationMatrix(a, b)
        let (p, q) = (shapes.0[1], shapes.1[1])
        #expect(result.shape == [p, q] && result.dtype == dtype)
        let av = a.scalars(as: Double.self), bv = b.scalars(as: Double.self)
        var expected: [Double] = []
        for i in 0..<p {
            for j in 0..<q { expected.append(naivePearson(column(av, columns: p, i), column(bv, columns: q, j))) }
        }
        #expect(close(result.scalars(as: Double.self), expected, tolerance: dtype == .float32 ? 1e-6 : 1e-12))
        let square = try Statistics.correlationMatrix(a)
        #expect(square.shape == [p, p])
    }

    @Test func correlationMatrixMarksConstantColumns() throws {
        let a = try Tensor([[1.0, 4], [1, 5], [1, 7]])
        let values = try Statistics.correlationMatrix(a).scalars(as: Double.self)
        #expect(values[0].isNaN && values[1].isNaN && values[2].isNaN)
        #expect(abs(values[3] - 1) < 1e-15)
    }

    static let rankCases: [([Int], Int)] = [
        ([1], 0), ([8], 0), ([8], -1), ([6, 4], 0), ([6, 4], 1), ([3, 1, 5], 2), ([2, 3, 4, 2], 1), ([0, 3], 0),
        ([3, 0], 0),
    ]

    @Test(arguments: rankCases)
    func ranksMatchTheDefinition(shape: [Int], axis: Int) throws {
        let x = try Tensor.randomIntegers(shape, low: 0, high: 4, seed: 8)
        let result = try Statistics.ranks(x, axis: axis)
        #expect(result.dtype == .float64 && result.shape == shape)
        let values = x.scalars(as: Double.self)
        var expected = values
        let normalized = axis < 0 ? axis + shape.count : axis
        if shape.allSatisfy({ $0 > 0 }) {
            for lane in lanes(shape: shape, axis: normalized) {
                for (index, rank) in zip(lane, naiveRanks(lane.map { values[$0] })) { expected[index] = rank }
            }
        }
        #expect(result.scalars(as: Double.self) == expected)
    }

    @Test func ranksOfViewsAndNaN() throws {
        let matrix = try Tensor.randomNormal([3, 7], seed: 9, dtype: .float32)
        let view = transposedView(matrix)
        #expect(try Statistics.ranks(view).scalars(as: Double.self)
                == (try Statistics.ranks(view.copy())).scalars(as: Double.self))
        let withNaN = try Tensor([[1.0, .nan], [2, 3], [0, 1]])
        let ranks = try Statistics.ranks(withNaN).scalars(as: Double.self)
        #expect(ranks[0] == 2 && ranks[2] == 3 && ranks[4] == 1)
        #expect(ranks[1].isNaN && ranks[3].isNaN && ranks[5].isNaN)
    }

    static let distanceShapes: [([Int], [Int])] = [
        ([1, 3], [2, 3]), ([5, 4], [3, 4]), ([7, 1], [2, 1]), ([0, 3], [4, 3]), ([3, 3], [0, 3]), ([20, 33], [9, 33]),
    ]

    @Test(arguments: distanceShapes, DistanceMetric.allCases)
    func crossDistancesMatchLoops(shapes: ([Int], [Int]), metric: DistanceMetric) throws {
        for dtype in [DType.float64, .float32] {
            let x = try Tensor.randomNormal(shapes.0, seed: 10, dtype: dtype)
            let y = try Tensor.randomNormal(shapes.1, seed: 11, dtype: dtype)
            let result = try Statistics.crossDistances(x, y, metric: metric)
            #expect(result.shape == [shapes.0[0], shapes.1[0]] && result.dtype == dtype)
            let d = shapes.0[1]
            let xv = x.scalars(as: Double.self), yv = y.scalars(as: Double.self)
            var expected: [Double] = []
            for i in 0..<shapes.0[0] {
                for j in 0..<shapes.1[0] {
                    expected.append(naiveDistance(row(xv, columns: d, i), row(yv, columns: d, j), metric))
                }
            }
            #expect(close(result.scalars(as: Double.self), expected, tolerance: dtype == .float32 ? 1e-5 : 1e-11))
        }
    }

    @Test(arguments: [[1, 3], [6, 5], [12, 2], [0, 4]], DistanceMetric.allCases)
    func pairwiseDistancesAreSymmetricWithZeroDiagonal(shape: [Int], metric: DistanceMetric) throws {
        let matrix = try Tensor.randomNormal([shape[1], shape[0]], seed: 12)
        let x = transposedView(matrix)  // a strided input
        let result = try Statistics.pairwiseDistances(x, metric: metric)
        let n = shape[0]
        #expect(result.shape == [n, n])
        let values = result.scalars(as: Double.self), xv = x.scalars(as: Double.self)
        for i in 0..<n {
            #expect(values[i * n + i] == 0)
            for j in 0..<n where j != i {
                #expect(values[i * n + j] == values[j * n + i])
                let expected = naiveDistance(row(xv, columns: shape[1], i), row(xv, columns: shape[1], j), metric)
                #expect(close([values[i * n + j]], [expected], tolerance: 1e-11))
            }
        }
    }

    @Test func euclideanDistanceOfNearDuplicatesKeepsItsDigits() throws {
        // ‖u‖² + ‖v‖² - 2u·v would return 0 or noise of order 1e-7 here; the direct recomputation keeps 1e-9·√d.
        let base = try Tensor.randomNormal([1, 64], mean: 100, seed: 13)
        let shifted = Tensor(base.scalars(as: Double.self).map { $0 + 1e-9 })
        let y = try Tensor(shape: [1, 64], scalars: shifted.scalars(as: Double.self))
        let distance = try Statistics.crossDistances(base, y).item()
        let expected = naiveDistance(base.scalars(as: Double.self), y.scalars(as: Double.self), .euclidean)
        #expect(abs(distance - expected) < 1e-6 * expected)
        #expect(try Statistics.pairwiseDistances(Tensor(shape: [2, 64], scalars: base.scalars(as: Double.self)
            + y.scalars(as: Double.self))).scalars(as: Double.self)[1] == distance)
    }

    @Test func undefinedDistancesAreNaN() throws {
        let x = try Tensor([[1.0, 1, 1], [0, 0, 0], [1, 2, 3]])
        let correlation = try Statistics.pairwiseDistances(x, metric: .correlation).scalars(as: Double.self)
        // Rows 0 and 1 are constant: every off-diagonal entry they touch is NaN; the diagonal stays 0.
        #expect(correlation[0] == 0 && correlation[1].isNaN && correlation[2].isNaN && correlation[5].isNaN)
        let cosine = try Statistics.pairwiseDistances(x, metric: .cosine).scalars(as: Double.self)
        #expect(cosine[1].isNaN && !cosine[2].isNaN && cosine[4] == 0)
        let noFeatures = try Statistics.crossDistances(Tensor.zeros([2, 0]), Tensor.zeros([3, 0]))
        #expect(noFeatures.shape == [2, 3] && noFeatures.scalars(as: Double.self).allSatisfy { $0 == 0 })
    }
}

// MARK: Tests against numpy and scipy

/// `Tests/TensorsTests/Fixtures/statistics.json`, written by `scripts/fixtures/statistics_fixtures.py`.
private struct Fixture: Decodable {
    struct Array: Decodable {
        let shape: [Int]
        let values: [Double?]
        var doubles: [Double] { values.map { $0 ?? .nan } }
        func tensor() throws -> Tensor { try Tensor(shape: shape, scalars: doubles) }
    }
    struct Zscore: Decodable { let x: Array; let axis: Int; let ddof: Int; let expected: Array }
    struct Correlation: Decodable { let a: Array; let b: Array; let pearson: Array; let spearman: Array }
    struct CorrelationMatrix: Decodable { let a: Array; let b: Array; let expected: Array }
    struct Ranks: Decodable { let x: Array; let axis: Int; let expected: Array }
    struct Distances: Decodable {
        struct Pair: Decodable { let cross: Array; let pairwise: Array }
        let x: Array
        let y: Array
        let metrics: [String: Pair]
    }
    let versions: [String: String]
    let zscore: [Zscore]
    let correlation: [Correlation]
    let correlationMatrix: CorrelationMatrix
    let ranks: [Ranks]
    let distances: Distances

    static func load() throws -> Fixture {
        let url = try #require(Bundle.module.url(forResource: "statistics", withExtension: "json",
                                                 subdirectory: "Fixtures")
            ?? Bundle.module.url(forResource: "statistics", withExtension: "json"))
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }
}

@Suite struct StatisticsFixtureTests {
    @Test func zscoreMatchesScipy() throws {
        let fixture = try Fixture.load()
        #expect(fixture.zscore.count == 5)
        for item in fixture.zscore {
            let result = try Statistics.zscore(item.x.tensor(), axis: item.axis, ddof: item.ddof)
            #expect(result.shape == item.expected.shape)
            #expect(close(result.scalars(as: Double.self), item.expected.doubles))
        }
    }

    @Test func pearsonAndSpearmanMatchScipy() throws {
        let fixture = try Fixture.load()
        #expect(fixture.correlation.count == 3)
        for item in fixture.correlation {
            let a = try item.a.tensor(), b = try item.b.tensor()
            #expect(close(try Statistics.pearson(a, b).scalars(as: Double.self), item.pearson.doubles))
            #expect(close(try Statistics.spearman(a, b).scalars(as: Double.self), item.spearman.doubles))
        }
    }

    @Test func correlationMatrixMatchesNumpyCorrcoef() throws {
        let item = try Fixture.load().correlationMatrix
        let result = try Statistics.correlationMatrix(item.a.tensor(), item.b.tensor())
        #expect(result.shape == item.expected.shape)
        #expect(close(result.scalars(as: Double.self), item.expected.doubles))
    }

    @Test func ranksMatchScipyRankdata() throws {
        let fixture = try Fixture.load()
        #expect(fixture.ranks.count == 5)
        for item in fixture.ranks {
            let result = try Statistics.ranks(item.x.tensor(), axis: item.axis)
            #expect(close(result.scalars(as: Double.self), item.expected.doubles, tolerance: 0))
        }
    }

    @Test func distancesMatchScipyCdistAndPdist() throws {
        let fixture = try Fixture.load().distances
        let x = try fixture.x.tensor(), y = try fixture.y.tensor()
        #expect(Set(fixture.metrics.keys) == Set(DistanceMetric.allCases.map(\.rawValue)))
        for metric in DistanceMetric.allCases {
            let expected = try #require(fixture.metrics[metric.rawValue])
            #expect(close(try Statistics.crossDistances(x, y, metric: metric).scalars(as: Double.self),
                          expected.cross.doubles), "\(metric)")
            #expect(close(try Statistics.pairwiseDistances(x, metric: metric).scalars(as: Double.self),
                          expected.pairwise.doubles), "\(metric)")
        }
    }
}

// MARK: Errors

@Suite struct StatisticsErrorTests {
    @Test func messagesNameTheOperationAndShapes() throws {
        let m53 = try Tensor.zeros([5, 3]), m43 = try Tensor.zeros([4, 3]), m52 = try Tensor.zeros([5, 2])
        let v5 = try Tensor.zeros([5]), cube = try Tensor.zeros([2, 3, 4])
        let cases: [(() throws -> Tensor, String)] = [
            ({ try Statistics.pearson(m53, m43) }, "pearson: [5, 3] and [4, 3]: row counts 5 and 4 differ"),
            ({ try Statistics.pearson(m53, m52) }, "pearson: [5, 3] and [5, 2]: column counts 3 and 2 differ"),
            ({ try Statistics.pearson(v5, m53) }, "pearson: [5] and [5, 3]: ranks 1 and 2 differ"),
            ({ try Statistics.pearson(cube, cube) },
             "pearson: expects 1-D [n] or 2-D [n, p] tensors, got [2, 3, 4] and [2, 3, 4]"),
            ({ try Statistics.pearson(Tensor(scalar: 1.0), Tensor(scalar: 2.0)) },
             "pearson: expects 1-D [n] or 2-D [n, p] tensors, got [] and []"),
            ({ try Statistics.pearson(Tensor.zeros([0, 3]), Tensor.zeros([0, 3])) },
             "pearson: [0, 3] and [0, 3]: at least 2 rows (observations) are needed"),
            ({ try Statistics.spearman(Tensor([1.0]), Tensor([2.0])) },
             "spearman: [1] and [1]: at least 2 rows (observations) are needed"),
            ({ try Statistics.spearman(m53, m43) }, "spearman: [5, 3] and [4, 3]: row counts 5 and 4 differ"),
            ({ try Statistics.correlationMatrix(m53, m43) },
             "correlationMatrix: [5, 3] and [4, 3]: row counts 5 and 4 differ"),
            ({ try Statistics.correlationMatrix(v5, m53) },
             "correlationMatrix: expects 2-D tensors [n, p] and [n, q], got [5] and [5, 3]"),
            ({ try Statistics.correlationMatrix(Tensor.zeros([1, 2])) },
             "correlationMatrix: [1, 2] and [1, 2]: at least 2 rows (observations) are needed"),
            ({ try Statistics.zscore(Tensor(scalar: 1.0)) }, "zscore: axis 0 is out of range for a tensor of rank 0"),
            ({ try Statistics.zscore(m53, axis: 2) }, "zscore: axis 2 is out of range for a tensor of rank 2"),
            ({ try Statistics.zscore(m53, ddof: -1) }, "zscore: ddof must be >= 0, got -1"),
            ({ try Statistics.ranks(m53, axis: -3) }, "ranks: axis -3 is out of range for a tensor of rank 2"),
            ({ try Statistics.ranks(Tensor(scalar: Int64(3))) }, "ranks: axis 0 is out of range for a tensor of rank 0"),
            ({ try Statistics.crossDistances(m53, m52) },
             "crossDistances: [5, 3] and [5, 2]: feature counts 3 and 2 differ"),
            ({ try Statistics.crossDistances(v5, m53, metric: .cosine) },
             "crossDistances: expects 2-D tensors [n, d] and [m, d], got [5] and [5, 3]"),
            ({ try Statistics.pairwiseDistances(cube) }, "pairwiseDistances: expects a 2-D tensor [n, d], got [2, 3, 4]"),
        ]
        for (body, message) in cases {
            #expect(errorMessage(body) == message)
        }
    }
}
