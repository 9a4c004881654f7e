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

    @Test("thread count must be positive")
    func threadErrors() {
        #expect(errorMessage { try Threads.set(0) } == "threads: thread count must be at least 1, got 0")
    }
}
