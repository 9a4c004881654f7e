import Foundation
import Testing
import Tensors
@testable import Datasets

@Suite struct HDF5RowWriterTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let shape: [Int]
        let dtype: DType
        let blocks: [Int]
        var testDescription: String { "\(shape) \(dtype) in blocks \(blocks)" }
    }

    static let cases = [
        Case(shape: [10], dtype: .float64, blocks: [3, 3, 3, 1]),
        Case(shape: [7, 4], dtype: .float32, blocks: [7]),
        Case(shape: [7, 4], dtype: .float32, blocks: [1, 0, 2, 4]),
        Case(shape: [5, 3, 2], dtype: .int64, blocks: [2, 3]),
        Case(shape: [4, 1, 2, 3], dtype: .bool, blocks: [1, 1, 1, 1]),
        Case(shape: [6, 0], dtype: .float32, blocks: [4, 2]),
        Case(shape: [0, 5], dtype: .float64, blocks: []),
    ]

    /// Rows written block by block read back, with the ordinary reader, as the whole tensor; the chunk spans whole
    /// rows. The file is built inside HDF5.save, so it is complete when it appears.
    @Test(arguments: cases)
    func blocksReadBackAsTheWholeTensor(_ testCase: Case) throws {
        let folder = HDF5TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/rows.h5"
        let whole = try Tensor.randomNormal(testCase.shape, seed: 3)
        let expected: Tensor
        switch testCase.dtype {
        case .bool: expected = try whole .> 0
        case .int64: expected = try (whole * 100).astype(.int64)
        default: expected = whole.astype(testCase.dtype)
        }
        try HDF5.save(path) { file in
            let writer = try file.createRowWriter("group/rows", shape: testCase.shape, dtype: testCase.dtype,
                                                  chunkRows: 3, attributes: ["kind": .string("test")])
            var start = 0
            for count in testCase.blocks {
                // Blocks arrive as float64 views (a transposed copy for 2-D) and are converted to the dtype.
                var block = try expected.sliced(axis: 0, start..<(start + count))
                if block.rank == 2 { block = block.transposed().contiguous().transposed() }
                try writer.append(testCase.dtype == .bool ? block : block.astype(.float64))
                start += count
                #expect(writer.rowsWritten == start)
            }
            try writer.finish()
        }
        let dataset = try HDF5File.open(path).dataset("group/rows")
        #expect(dataset.path == "/group/rows")
        #expect(try dataset.attribute("kind") == .string("test"))
        #expect(try dataset.chunkShape() == [Swift.min(3, Swift.max(testCase.shape[0], 1))]
                + testCase.shape.dropFirst().map { Swift.max($0, 1) })
        #expect(HDF5TestSupport.same(try dataset.read(), expected))
    }

    /// A gzip-compressed stream reads back the same.
    @Test func compressedRowsReadBack() throws {
        let folder = HDF5TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/packed.h5"
        let expected = try Tensor.randomNormal([50, 8], seed: 1)
        try HDF5.save(path) { file in
            let writer = try file.createRowWriter("x", shape: [50, 8], dtype: .float64, gzip: 4)
            for start in stride(from: 0, to: 50, by: 16) {
                try writer.append(try expected.sliced(axis: 0, start..<Swift.min(start + 16, 50)))
            }
            try writer.finish()
        }
        #expect(HDF5TestSupport.same(try HDF5.read(path, "x"), expected))
    }

    @Test func mistakesAreNamed() throws {
        let folder = HDF5TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/rows.h5"
        let file = try HDF5File.create(path)
        let writer = try file.createRowWriter("x", shape: [4, 3], dtype: .float32)
        #expect(HDF5TestSupport.message { try writer.append(try Tensor.zeros([2, 4])) }
                == "h5.write: \(path): rows of shape [2, 4] do not fit dataset \"/x\" of shape [4, 3]: expected [k, 3]")
        #expect(HDF5TestSupport.message { try writer.append(try Tensor.zeros([3])) }
                == "h5.write: \(path): rows of shape [3] do not fit dataset \"/x\" of shape [4, 3]: expected [k, 3]")
        try writer.append(try Tensor.ones([3, 3]))
        #expect(HDF5TestSupport.message { try writer.append(try Tensor.zeros([2, 3])) }
                == "h5.write: \(path): dataset \"/x\" holds 4 rows: 2 more after 3 would run past its end")
        #expect(writer.rowsWritten == 3)
        #expect(HDF5TestSupport.message { try writer.finish() }
                == "h5.write: \(path): dataset \"/x\" received 3 of its 4 rows")
        #expect(HDF5TestSupport.message { try file.createRowWriter("x", shape: [2], dtype: .float32) }
                == "h5.write: \(path): \"x\" already exists; HDF5 cannot replace a member in place")
        #expect(HDF5TestSupport.message { try file.createRowWriter("s", shape: [], dtype: .float32) }
                == "h5.write: \(path): dataset \"s\" of shape []: a row writer needs a shape [n, …] with no "
                + "negative length")
        #expect(HDF5TestSupport.message { try file.createRowWriter("c", shape: [3], dtype: .float32, chunkRows: 0) }
                == "h5.write: \(path): chunk rows for \"c\" must be at least 1, got 0")
        #expect(HDF5TestSupport.message { try file.createRowWriter("", shape: [3], dtype: .float32) }
                == "h5.write: \(path): a member name cannot be empty")
        #expect(HDF5TestSupport.message { try file.createRowWriter("g", shape: [3], dtype: .float32, gzip: 12) }
                == "h5.write: \(path): gzip level 12 for \"g\" is outside 0…9")
        try file.flush()
        let readOnly = try HDF5File.open(path)
        #expect(HDF5TestSupport.message { try readOnly.createRowWriter("y", shape: [2], dtype: .float32) }
                == "h5.write: \(path): cannot write \"y\": the file is open read-only; open it with mode .readWrite")
    }

    /// An error while streaming inside HDF5.save leaves the previous file and no temporary file.
    @Test func anInterruptedStreamLeavesThePreviousFile() throws {
        let folder = HDF5TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/rows.h5"
        try HDF5.write(path, "previous", try Tensor.ones([2]))
        struct Interrupted: Error {}
        #expect(throws: Interrupted.self) {
            try HDF5.save(path) { file in
                let writer = try file.createRowWriter("x", shape: [10, 2], dtype: .float64)
                try writer.append(try Tensor.ones([4, 2]))
                throw Interrupted()
            }
        }
        #expect(try HDF5File.open(path).keys() == ["previous"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["rows.h5"])
    }
}
