import Autodiff
import Foundation
import Tensors
import Testing

/// Broadcasting rules over randomly drawn shape pairs (ranks 0–4, size-1 axes on either side), empty tensors, deep
/// graphs and concurrent backward passes.
@Suite("ShapeSweep")
struct ShapeSweepTests {
    /// A pair of shapes that broadcast together, drawn from `seed`: a common shape of rank 0–4 with lengths 1–4,
    /// each side dropping some leading axes and setting some axes to 1.
    static func broadcastPair(seed: UInt64) -> [[Int]] {
        var state = seed &* 6364136223846793005 &+ 1442695040888963407
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        let common = (0..<[0, 1, 2, 3, 4, 4, 3, 2][next(8)]).map { _ in 1 + next(4) }
        return (0..<2).map { _ in
            let kept = common.dropFirst(next(2) == 0 ? 0 : next(common.count + 1))
            return kept.map { next(4) == 0 ? 1 : $0 }
        }
    }

    static let operations: [(String, Domain, @Sendable (Variable, Variable) throws -> Variable)] = [
        ("add", .real, { try $0 + $1 }),
        ("multiply", .real, { try $0 * $1 }),
        ("divide", .awayFromZero, { try $0 / $1 }),
        ("maximum", .real, { try Variable.maximum($0, $1) }),
        ("power", .awayFromZero, { try $0.abs().pow($1) }),
        ("where", .real, { a, b in
            let shape = try Shapes.broadcast(a.shape, b.shape, operation: "where")
            return try Variable.where(Tensor.randomNormal(shape, seed: 3) .> 0, a, b)
        }),
    ]

    static let cases: [GradientCase] = (0..<60).flatMap { seed -> [GradientCase] in
        let shapes = broadcastPair(seed: UInt64(seed))
        let (name, domain, operation) = operations[seed % operations.count]
        return [GradientCase(name, shapes, domains: [domain, domain], nonContiguous: seed % 3 == 0) {
            try operation($0[0], $0[1])
        }]
    }

    @Test(arguments: cases)
    func randomBroadcastPairs(_ testCase: GradientCase) throws {
        try checkGradients(testCase, seed: 31)
    }

    /// Empty inputs give empty gradients of their own shape.
    @Test func emptyTensors() throws {
        let empty = try Tensor.zeros([0, 3])
        let sum = try gradient(of: { try ($0 * 2).sum() }, at: empty)
        #expect(sum.shape == [0, 3])
        let product = try gradient(of: { try Variable.matmul($0[0], $0[1]).sum() },
                                   at: [try Tensor.zeros([2, 0]), try Tensor.zeros([0, 3])])
        #expect(product[0].shape == [2, 0] && product[1].shape == [0, 3])
        let selection = try gradient(of: { try $0.get([.array(Tensor([] as [Int64]))]).sum() },
                                     at: try Tensor.ones([3]))
        #expect(selection.scalars(as: Double.self) == [0, 0, 0])
        let meanOfEmptyAxis = try gradient(of: { try $0.mean(axes: [0]).sum() }, at: empty)
        #expect(meanOfEmptyAxis.shape == [0, 3])
    }

    /// A long chain neither overflows the stack in the topological sort nor when the graph is released.
    @Test func deepChain() throws {
        let x = Variable(Tensor([0.5]), requiresGradient: true)
        var y = x
        for _ in 0..<20_000 { y = try y * 1.0001 }
        let result = try Variable.gradients(of: y.sum(), with: [x])
        let expected: Double = Foundation.pow(1.0001 as Double, 20_000 as Double)
        #expect(Swift.abs(result[0].scalars(as: Double.self)[0] - expected) <= 1e-9 * expected)
    }

    /// Graphs built and differentiated on several threads at once give the same gradients as on one thread.
    @Test func concurrentBackwardPasses() async throws {
        let points = try (0..<3).map { try Tensor.randomNormal([4, 4], seed: UInt64(60 + $0)) }
        @Sendable func loss(_ inputs: [Variable]) throws -> Variable {
            try Variable.matmul(inputs[0], inputs[1]).tanh().softmax().get([.array(Tensor([0, 0, 3] as [Int64]))])
                .log().mean() + (inputs[2] * inputs[0]).sum()
        }
        let reference = try gradient(of: loss, at: points)
        let shared = Variable(points[0], requiresGradient: true)
        let results = try await withThrowingTaskGroup(of: [Tensor].self) { group in
            for task in 0..<8 {
                group.addTask {
                    if task % 2 == 0 { return try gradient(of: loss, at: points) }
                    // Half the tasks share one leaf: graphs built from it concurrently stay separate.
                    let others = points[1...].map { Variable($0, requiresGradient: true) }
                    let output = try loss([shared] + others)
                    return try Variable.gradients(of: output, with: [shared] + others)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 8)
        for gradients in results {
            for (a, b) in zip(gradients, reference) {
                #expect(Tensor.allClose(a, b, relativeTolerance: 0, absoluteTolerance: 0))
            }
        }
    }
}
