import Foundation
import Testing
import Tensors
@testable import Datasets

@Suite struct HDF5ColumnWriterTests {
    /// A shape, a dtype and the widths of the blocks written (here: of columns).
    typealias Case = HDF5RowWriterTests.Case

    static let cases = [
        Case(shape: [4, 10], dtype: .float64, blocks: [3, 3, 3, 1]),
        Case(shape: [7, 4], dtype: .float32, blocks: [4]),
        Case(shape: [7, 5], dtype: .float32, blocks: [1, 0, 2, 2]),
        Case(shape: [3, 6], dtype: .int64, blocks: [5, 1]),
        Case(shape: [1, 3], dtype: .float64, blocks: [1, 1, 1]),
        Case(shape: [0, 5], dtype: .float32, blocks: [2, 3]),
        Case(shape: [5, 0], dtype: .float64, blocks: []),
    ]

    /// Columns written block by block (as strided views of another dtype) read back, with the ordinary reader, as
    /// the whole tensor; the chunk spans whole columns.
    @Test(arguments: cases)
    func blocksReadBackAsTheWholeTensor(_ testCase: Case) throws {
        let folder = HDF5TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/columns.h5"
        let whole = try Tensor.randomNormal(testCase.shape, seed: 5)
        let expected = testCase.dtype == .int64 ? try (whole * 100).astype(.int64) : whole.astype(testCase.dtype)
        try HDF5.save(path) { file in
            let writer = try file.createColumnWriter("group/columns", shape: testCase.shape, dtype: testCase.dtype,
                                                     chunkColumns: 2, attributes: ["kind": .string("test")])
            var start = 0
            for count in testCase.blocks {
                let block = try expected.sliced(axis: 1, start..<(start + count))
                try writer.append(block.astype(.float64))
                start += count
                #expect(writer.columnsWritten == start)
            }
            try writer.finish()
        }
        let dataset = try HDF5File.open(path).dataset("group/columns")
        #expect(dataset.path == "/group/columns")
        #expect(try dataset.attribute("kind") == .string("test"))
        #expect(try dataset.chunkShape() == [Swift.max(testCase.shape[0], 1), Swift.min(2, Swift.max(testCase.shape[1], 1))])
        #expect(HDF5TestSupport.same(try dataset.read(), expected))
    }

    /// By default a chunk holds as many whole columns as fit in about 1 MiB; gzip reads back the same.
    @Test func defaultChunksAndCompression() throws {
        let folder = HDF5TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/packed.h5"
        let expected = try Tensor.randomNormal([1024, 600], seed: 2).astype(.float32)
        try HDF5.save(path) { file in
            let writer = try file.createColumnWriter("w", shape: [1024, 600], dtype: .float32, gzip: 4)
            for start in stride(from: 0, to: 600, by: 250) {
                try writer.append(try expected.sliced(axis: 1, start..<Swift.min(start + 250, 600)))
            }
            try writer.finish()
        }
        let dataset = try HDF5File.open(path).dataset("w")
        #expect(try dataset.chunkShape() == [1024, 256])
        #expect(HDF5TestSupport.same(try dataset.read(), expected))
    }

    @Test func mistakesAreNamed() throws {
        let folder = HDF5TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/columns.h5"
        let file = try HDF5File.create(path)
        let writer = try file.createColumnWriter("w", shape: [3, 4], dtype: .float32)
        #expect(HDF5TestSupport.message { try writer.append(try Tensor.zeros([2, 4])) }
                == "h5.write: \(path): columns of shape [2, 4] do not fit dataset \"/w\" of shape [3, 4]: expected [3, k]")
        #expect(HDF5TestSupport.message { try writer.append(try Tensor.zeros([3])) }
                == "h5.write: \(path): columns of shape [3] do not fit dataset \"/w\" of shape [3, 4]: expected [3, k]")
        try writer.append(try Tensor.ones([3, 3]))
        #expect(HDF5TestSupport.message { try writer.append(try Tensor.zeros([3, 2])) }
                == "h5.write: \(path): dataset \"/w\" holds 4 columns: 2 more after 3 would run past its end")
        #expect(writer.columnsWritten == 3)
        #expect(HDF5TestSupport.message { try writer.finish() }
                == "h5.write: \(path): dataset \"/w\" received 3 of its 4 columns")
        #expect(HDF5TestSupport.message { try file.createColumnWriter("w", shape: [2, 2], dtype: .float32) }
                == "h5.write: \(path): \"w\" already exists; HDF5 cannot replace a member in place")
        #expect(HDF5TestSupport.message { try file.createColumnWriter("v", shape: [6], dtype: .float32) }
                == "h5.write: \(path): dataset \"v\" of shape [6]: a column writer needs a shape [r, c] with no "
                + "negative length")
        #expect(HDF5TestSupport.message {
            try file.createColumnWriter("c", shape: [3, 3], dtype: .float32, chunkColumns: 0)
        } == "h5.write: \(path): chunk columns for \"c\" must be at least 1, got 0")
        try file.flush()
        let readOnly = try HDF5File.open(path)
        #expect(HDF5TestSupport.message { try readOnly.createColumnWriter("y", shape: [2, 2], dtype: .float32) }
                == "h5.write: \(path): cannot write \"y\": the file is open read-only; open it with mode .readWrite")
    }
}
