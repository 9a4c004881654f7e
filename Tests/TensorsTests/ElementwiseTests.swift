import Foundation
import Testing
@testable import Tensors

@Suite("Elementwise")
struct ElementwiseTests {
    static let floatTypes: [DType] = [.float32, .float64]

    static let operators: [(ArithmeticOperator, @Sendable (Double, Double) -> Double)] = [
        (.add, +), (.subtract, -), (.multiply, *), (.divide, /), (.maximum, { max($0, $1) }), (.minimum, { min($0, $1) }),
        (.power, { Foundation.pow($0, $1) }),
        (.remainder, { a, b in let r = fmod(a, b); return (r != 0 && (r < 0) != (b < 0)) ? r + b : r }),
    ]

    @Test("binary arithmetic matches a naive broadcast", arguments: broadcastPairs.indices, Layout.allCases)
    func binaryBroadcast(pairIndex: Int, layout: Layout) throws {
        let (aShape, bShape) = broadcastPairs[pairIndex]
        var random = TestRandom(UInt64(pairIndex))
        let aValues = random.values(aShape.reduce(1, *))
        // Keep divisors away from zero and exponents small and whole, so both dtypes agree exactly enough.
        let bValues = random.values(bShape.reduce(1, *)).map { $0 == 0 ? 1.5 : $0 }
        for dtype in Self.floatTypes {
            let a = makeTensor(aValues, shape: aShape, dtype: dtype, layout: layout)
            let b = makeTensor(bValues, shape: bShape, dtype: dtype, layout: .contiguous)
            for (op, reference) in Self.operators {
                let exponentSafeB = op == .power ? bValues.map { $0.rounded() } : bValues
                let bTensor = op == .power ? makeTensor(exponentSafeB, shape: bShape, dtype: dtype) : b
                let result = try Tensor.arithmetic(op, a, bTensor)
                let expected = naiveBroadcast(aValues, aShape, exponentSafeB, bShape, reference)
                #expect(result.shape == expected.shape)
                #expect(result.dtype == dtype)
                let tolerance = dtype == .float32 ? 1e-5 : 1e-12
                #expect(close(result.scalars(as: Double.self), expected.values, tolerance: tolerance),
                        "\(op) \(aShape) \(bShape) \(dtype) \(layout)")
            }
        }
    }

    @Test("dtype promotion follows numpy's table")
    func promotion() throws {
        let expected: [DType: [DType: DType]] = [
            .bool: [.bool: .bool, .int64: .int64, .float32: .float32, .float64: .float64],
            .int64: [.bool: .int64, .int64: .int64, .float32: .float64, .float64: .float64],
            .float32: [.bool: .float32, .int64: .float64, .float32: .float32, .float64: .float64],
            .float64: [.bool: .float64, .int64: .float64, .float32: .float64, .float64: .float64],
        ]
        for a in DType.allCases { for b in DType.allCases { #expect(DType.promote(a, b) == expected[a]![b]!) } }
        let ints = Tensor([Int64(1), 2, 3])
        #expect(try (ints + ints).dtype == .int64)
        #expect(try (ints / ints).dtype == .float64)
        #expect(try (Tensor([true, false]) + Tensor([true, true])).scalars(as: Int64.self) == [2, 1])
        let floats = try Tensor.ones([2], dtype: .float32)
        #expect(try (floats * 2.5).dtype == .float32, "a Swift scalar is weak")
        #expect(try (ints * 2.5).dtype == .float64)
        #expect(try (ints * 2.0).dtype == .int64)
    }

    @Test("integer arithmetic wraps and divides by zero as numpy")
    func integerEdges() throws {
        let a = Tensor([Int64.max, -7, 7, 5])
        let b = Tensor([Int64(1), 2, -2, 0])
        #expect(try (a + b).scalars(as: Int64.self) == [Int64.min, -5, 5, 5])
        #expect(try (a % b).scalars(as: Int64.self) == [0, 1, -1, 0])
        #expect(try Tensor([Int64(3), -2]).pow(Tensor([Int64(4), 3])).scalars(as: Int64.self) == [81, -8])
        #expect(errorMessage { try Tensor([Int64(2)]).pow(Tensor([Int64(-1)])) }
                == "power: integers to negative integer powers are not allowed")
    }

    @Test("mismatched shapes name both shapes")
    func broadcastError() {
        let message = errorMessage { try Tensor.zeros([3, 4]) + Tensor.zeros([5, 2]) }
        #expect(message == "add: shapes [3, 4] and [5, 2] cannot be broadcast together")
        #expect(errorMessage { try Tensor.zeros([2, 3]) .< Tensor.zeros([4]) }
                == "less: shapes [2, 3] and [4] cannot be broadcast together")
    }

    static let functions: [(MathFunction, @Sendable (Double) -> Double)] = [
        (.sqrt, { $0.squareRoot() }), (.exp, Foundation.exp), (.log, Foundation.log), (.log1p, Foundation.log1p),
        (.expm1, Foundation.expm1), (.tanh, Foundation.tanh), (.sigmoid, { 1 / (1 + Foundation.exp(-$0)) }),
        (.erf, Foundation.erf), (.gelu, { $0 * 0.5 * (1 + Foundation.erf($0 / 2.0.squareRoot())) }),
        (.sin, Foundation.sin), (.cos, Foundation.cos), (.square, { $0 * $0 }), (.reciprocal, { 1 / $0 }),
        (.floor, Foundation.floor), (.ceil, Foundation.ceil), (.round, { $0.rounded(.toNearestOrEven) }),
    ]

    @Test("math functions match Foundation", arguments: testShapes.indices, Layout.allCases)
    func unary(shapeIndex: Int, layout: Layout) throws {
        let shape = testShapes[shapeIndex]
        var random = TestRandom(UInt64(100 + shapeIndex))
        let values = random.values(shape.reduce(1, *)).map { $0 + 0.125 }
        for dtype in Self.floatTypes {
            let x = makeTensor(values, shape: shape, dtype: dtype, layout: layout)
            for (function, reference) in Self.functions {
                let result = try x.apply(function)
                #expect(result.shape == shape && result.dtype == dtype)
                let expected = values.map(reference)
                let tolerance = dtype == .float32 ? 2e-6 : 1e-14
                #expect(close(result.scalars(as: Double.self), expected, tolerance: tolerance), "\(function) \(dtype)")
            }
            #expect(close(try x.abs().scalars(as: Double.self), values.map { Swift.abs($0) }))
            #expect(close(try x.negated().scalars(as: Double.self), values.map { -$0 }))
            #expect(close(try x.sign().scalars(as: Double.self), values.map { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }))
        }
    }

    @Test("sigmoid does not overflow and integers convert to float64")
    func sigmoidAndIntegers() throws {
        let extreme = Tensor([-1000.0, 0, 1000])
        #expect(try extreme.sigmoid().scalars(as: Double.self) == [0, 0.5, 1])
        let roots = try Tensor([Int64(4), 9]).sqrt()
        #expect(roots.dtype == .float64 && roots.scalars(as: Double.self) == [2, 3])
    }

    @Test("comparisons, logic, where and clip", arguments: Layout.allCases)
    func comparisons(layout: Layout) throws {
        let values = [1.0, .nan, 3, -2, 0, 5]
        let x = makeTensor(values, shape: [2, 3], layout: layout)
        let y = Tensor([1.0, 2, 3])
        #expect(try (x .== y).scalars(as: Bool.self) == [true, false, true, false, false, false])
        #expect(try (x .!= y).scalars(as: Bool.self) == [false, true, false, true, true, true])
        #expect(try (x .< 2).scalars(as: Bool.self) == [true, false, false, true, true, false])
        #expect(try (x .>= 3).scalars(as: Bool.self) == [false, false, true, false, false, true])
        #expect(try x.isNaN().scalars(as: Bool.self) == [false, true, false, false, false, false])
        #expect(try x.isFinite().scalars(as: Bool.self) == [true, false, true, true, true, true])
        let chosen = try Tensor.where(x .> 0, x, Tensor(scalar: -1.0))
        #expect(close(chosen.scalars(as: Double.self), [1, -1, 3, -1, -1, 5]))
        let clipped = try x.clipped(min: 0, max: 2)
        #expect(close(clipped.scalars(as: Double.self), [1, .nan, 2, 0, 0, 2]))
        let a = Tensor([true, true, false]), b = Tensor([true, false, false])
        #expect(try Tensor.logicalAnd(a, b).scalars(as: Bool.self) == [true, false, false])
        #expect(try Tensor.logicalOr(a, b).scalars(as: Bool.self) == [true, true, false])
        #expect(try Tensor.logicalXor(a, b).scalars(as: Bool.self) == [false, true, false])
        #expect(try a.logicalNot().scalars(as: Bool.self) == [false, false, true])
        #expect(errorMessage { try x.clipped() } == "clip: give a minimum, a maximum or both")
    }

    @Test("float32 exp is within 2 ulp of the correctly rounded value, with inf, 0 and NaN at the edges")
    func float32Exponential() throws {
        // Every 1/4096 from -104 to 89 plus the special values: about 800 000 inputs.
        var inputs: [Float] = stride(from: -104.0, through: 89.0, by: 1.0 / 4096).map { Float($0) }
        inputs += [-.infinity, .infinity, .nan, -1000, 1000, 0, -0.0, 88.72, 88.73, -103.97, -104.5]
        let results = try Tensor(inputs).exp().scalars(as: Float.self)
        var worst = 0.0
        for (x, y) in zip(inputs, results) {
            let exact = Foundation.exp(Double(x))
            if x.isNaN { #expect(y.isNaN); continue }
            let rounded = Float(exact)
            if rounded.isInfinite || rounded == 0 || rounded.isSubnormal {
                // Overflow, underflow and the denormal range: the right class and within a denormal step.
                #expect(abs(Double(y) - exact) <= Double(Float.leastNonzeroMagnitude) * 4 || y == rounded, "exp(\(x))")
                continue
            }
            worst = max(worst, abs(Double(y) - exact) / Double(rounded.ulp))
        }
        #expect(worst <= 2, "worst error \(worst) ulp")
    }
}
