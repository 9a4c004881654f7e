import Foundation
import Testing
@testable import Tensors

/// Tests that change process-wide settings (thread count, cancellation). scripts/test runs this suite on its own,
/// after the others, because a cancellation request or a thread-count change would disturb tests running beside it.
@Suite("GlobalState", .serialized)
struct GlobalStateTests {
    @Test("large kernels give the same answer on one thread and on several")
    func threadIndependence() throws {
        var random = TestRandom(7)
        let a = makeTensor(random.values(300_000), shape: [600, 500], dtype: .float32)
        let b = makeTensor(random.values(500), shape: [500], dtype: .float32)
        let parallel = try (a * b + 1).exp()
        try Threads.set(1)
        defer { try? Threads.set(ProcessInfo.processInfo.activeProcessorCount) }
        let serial = try (a * b + 1).exp()
        #expect(parallel.scalars(as: Float.self) == serial.scalars(as: Float.self))
    }

    @Test("cancellation stops a long kernel with an error")
    func cancellation() throws {
        let a = try Tensor.ones([2_000_000])
        Cancellation.request()
        defer { Cancellation.reset() }
        #expect(errorMessage { try a + a } == "add: interrupted")
    }

    @Test("idle OpenBLAS workers spin at most 2^16 cycles unless OPENBLAS_THREAD_TIMEOUT says otherwise")
    func blasIdleSpinLimit() throws {
        let chosen = ProcessInfo.processInfo.environment["OPENBLAS_THREAD_TIMEOUT"].flatMap { Int($0) }
        var random = TestRandom(11)
        let values = random.values(300 * 200)
        let a = makeTensor(values, shape: [300, 200], dtype: .float64)
        let product = try Tensor.matmul(a, a.transposed())
        #expect(BLAS.idleSpinLimit == (chosen ?? 16))
        // The pool restarted with the new limit still multiplies correctly on every thread.
        let scalars = product.scalars(as: Double.self)
        for (i, j) in [(0, 0), (17, 250), (299, 3), (150, 150)] {
            let expected = (0..<200).reduce(0.0) { $0 + values[i * 200 + $1] * values[j * 200 + $1] }
            #expect(abs(scalars[i * 300 + j] - expected) <= 1e-12 * Swift.max(1, abs(expected)))
        }
    }

    @Test("thread count must be positive")
    func threadErrors() {
        #expect(errorMessage { try Threads.set(0) } == "threads: thread count must be at least 1, got 0")
    }
}
