import Foundation
import Testing
import Tensors
@testable import Datasets

/// The separate process `HDF5File.open` checks a file in is a copy of this process; a copy that takes a lock another
/// thread held when it was made sleeps on it forever. Such a child is recognised and the check made again.
@Suite("HDF5 check process")
struct HDF5ValidationTests {
    let folder = HDF5TestSupport.temporaryFolder()

    /// While the walk ended with `malloc_trim` (which locks every arena), 21–31 of 300 children beside six
    /// allocating threads got stuck, and 44 of 100 in a CI run; since, 0 of 300 here, 2 of 40 with the alignment
    /// tests running alongside. Every check must still give its answer: stuck children are made again.
    @Test("checks beside threads that allocate all finish, and every file opens")
    func checksBesideAllocatingThreads() throws {
        let paths = try (0..<40).map { index in
            let path = folder + "/small-\(index).h5"
            try HDF5.write(path, "values", try Tensor.randomNormal([20, 11], seed: UInt64(index)))
            return path
        }
        let stop = StopFlag()
        let group = DispatchGroup()
        for _ in 0..<4 {
            DispatchQueue.global().async(group: group) {
                var total = 0
                while !stop.isSet {
                    var arrays: [[Int]] = []
                    for index in 0..<200 { arrays.append(Array(repeating: index, count: 10 + index % 50)) }
                    total &+= arrays.count + String(repeating: "x", count: total % 100 + 1).count
                }
            }
        }
        defer {
            stop.set()
            group.wait()
        }
        for path in paths {
            #expect(HDF5Validation.outcome(of: path, timeLimit: 30) == .finished)
            #expect(try HDF5File.open(path)["values"].shape == [20, 11])
        }
    }

    /// A named pipe without a writer makes the child sleep in `open` every time (`HDF5File.open` refuses pipes
    /// before the check; the check alone is run here): after `stuckAttemptLimit` children found stuck, the last one
    /// waits out the time limit and the file counts as one that makes libhdf5 loop.
    @Test("a child that sleeps at every attempt is given the whole time limit, then the file is refused")
    func childThatAlwaysSleeps() throws {
        let path = folder + "/pipe.h5"
        #expect(mkfifo(path, 0o600) == 0)
        #expect(HDF5Validation.walkInChild(path, timeLimit: 30) == .stuck)
        #expect(HDF5Validation.walkInChild(path, timeLimit: 0.5, detectingStuck: false) == .timedOut)
        #expect(HDF5Validation.outcome(of: path, timeLimit: 0.5) == .timedOut)
        let message = HDF5TestSupport.message {
            try HDF5Validation.check(path, timeLimit: 0.5, context: HDF5Context(operation: "h5.open", path: path))
        }
        #expect(message == "h5.open: \(path): cannot open the file: it is corrupt: libhdf5 did not finish reading "
                + "its structure within 0.5 s (damaged files can make it loop forever), in the separate process bm "
                + "uses to check HDF5 files before opening them")
    }

    @Test("scheduler states: a sleeping process sleeps, this one has used the processor, an unknown one has none")
    func schedulerStates() throws {
        #expect(try #require(HDF5Validation.schedulerState(getpid())).processorTicks > 0)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sleep")
        process.arguments = ["5"]
        try process.run()
        defer { process.terminate() }
        var state = HDF5Validation.schedulerState(process.processIdentifier)
        for _ in 0..<100 where state?.sleeping != true {
            usleep(10_000)
            state = HDF5Validation.schedulerState(process.processIdentifier)
        }
        #expect(state?.sleeping == true)
        #expect(HDF5Validation.schedulerState(-1) == nil)
    }
}

private final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
