import Foundation
import Testing
@testable import Datasets
@testable import Tensors

@Suite("Safetensors")
struct SafetensorsTests {
    @Test("files written by the safetensors package load with their values and metadata",
          arguments: FormatFixtures.manifest.safetensors.keys.sorted())
    func referenceFiles(name: String) throws {
        let contents = try Safetensors.load(FormatFixtures.path(name))
        let expected = FormatFixtures.manifest.safetensors[name]!
        #expect(Set(contents.tensors.map(\.name)) == Set(expected.keys))
        for (tensorName, tensor) in contents.tensors {
            FormatFixtures.expectMatches(tensor, expected[tensorName]!, "\(name):\(tensorName)")
        }
    }

    @Test("tensors come in data order and metadata is read")
    func orderAndMetadata() throws {
        let contents = try Safetensors.load(FormatFixtures.path("reference.safetensors"))
        // The reference library lays data out by dtype (descending), then name.
        #expect(contents.tensors.map(\.name) == ["i64", "f64", "empty", "f32", "scalar", "i32", "f16", "i16", "i8",
                                                  "u8", "flag"])
        #expect(contents.metadata == ["format": "np", "note": "bm fixture"])
        #expect(try Safetensors.load(FormatFixtures.path("bfloat16.safetensors")).metadata == [:])
    }

    @Test("aligned F32, F64, I64 and BOOL tensors are memory-mapped; F16 is converted")
    func zeroCopy() throws {
        let path = FormatFixtures.path("reference.safetensors")
        let contents = try Safetensors.load(path)
        for name in ["i64", "f64", "f32", "flag"] {
            #expect(FormatFixtures.mappedFile(containing: try contents.tensor(name).storage.bytes) == path, "\(name)")
        }
        #expect(FormatFixtures.mappedFile(containing: try contents.tensor("f16").storage.bytes) == nil)
    }

    @Test("Safetensors.save writes what the safetensors package writes, byte for byte")
    func byteExactSave() throws {
        let reference = try Safetensors.load(FormatFixtures.path("reference_save.safetensors"))
        let path = FormatFixtures.temporaryFolder() + "/out.safetensors"
        // Given in another order: the layout must not depend on it.
        try Safetensors.save(path, reference.tensors.reversed(), metadata: reference.metadata)
        #expect(FormatFixtures.bytes("reference_save.safetensors")
                == [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
    }

    @Test("save then load returns the same tensors", arguments: DType.allCases)
    func roundTrip(dtype: DType) throws {
        let folder = FormatFixtures.temporaryFolder()
        var tensors: [(name: String, tensor: Tensor)] = RoundTripCases.shapes.enumerated().map { index, shape in
            ("layer.\(index).weight", RoundTripCases.tensor(shape: shape, dtype: dtype, seed: index))
        }
        tensors += RoundTripCases.views(dtype: dtype).enumerated().map { ("view\($0)", $1) }
        let metadata = ["format": "pt", "quote\"and\\slash": "line\nbreak\ttab ü \u{01}"]
        try Safetensors.save(folder + "/t.safetensors", tensors, metadata: metadata)
        let loaded = try Safetensors.load(folder + "/t.safetensors")
        #expect(loaded.metadata == metadata)
        #expect(Set(loaded.tensors.map(\.name)) == Set(tensors.map(\.name)))
        for (name, original) in tensors {
            let tensor = try loaded.tensor(name)
            #expect(tensor.dtype == dtype && tensor.shape == original.shape, "\(name)")
            #expect(tensor.scalars(as: Double.self) == original.scalars(as: Double.self), "\(name)")
        }
        // The header is padded with spaces to 8 bytes, so that data is aligned.
        let file = [UInt8](try Data(contentsOf: URL(fileURLWithPath: folder + "/t.safetensors")))
        #expect(file.uint64(at: 0) % 8 == 0)
    }

    @Test("header problems are DataErrors naming the file")
    func errors() throws {
        let folder = FormatFixtures.temporaryFolder()
        func write(header: String, data: [UInt8] = [], claimedLength: UInt64? = nil) -> String {
            var bytes: [UInt8] = []
            bytes.append(littleEndian: claimedLength ?? UInt64(header.utf8.count))
            bytes += Array(header.utf8) + data
            let path = folder + "/f-\(UUID().uuidString).safetensors"
            #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
            return path
        }
        let missing = folder + "/absent.safetensors"
        expectDataError("safetensors.load", missing, "no such file") { _ = try Safetensors.load(missing) }
        var path = folder + "/short.safetensors"
        #expect(FileManager.default.createFile(atPath: path, contents: Data([1, 2, 3])))
        expectDataError("safetensors.load", path, "file is truncated: 3 bytes, but the header length alone takes 8") {
            _ = try Safetensors.load(path)
        }
        path = write(header: "{}", claimedLength: 1 << 40)
        expectDataError("safetensors.load", path,
                        "file is truncated: header claims 1099511627776 bytes but the file has 2 after the 8-byte length") {
            _ = try Safetensors.load(path)
        }
        // A sparse file: the length check must come before anything is read.
        path = write(header: "{}", claimedLength: 100_000_003)
        let handle = FileHandle(forWritingAtPath: path)!
        try handle.truncate(atOffset: 100_000_011)
        try handle.close()
        expectDataError("safetensors.load", path,
                        "header claims 100000003 bytes, beyond the 100000000-byte limit; the file is corrupt") {
            _ = try Safetensors.load(path)
        }
        let eight = [UInt8](repeating: 0, count: 8)
        let cases: [(String, [UInt8], String)] = [
            ("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}", eight,
             "malformed JSON header: missing '}' at byte 61"),
            ("[1]", [], "malformed header: the JSON header must be an object"),
            ("{\"a\": {\"dtype\": \"C64\", \"shape\": [1], \"data_offsets\": [0, 8]}}", eight,
             "tensor 'a': unsupported dtype 'C64' (bm reads F64, F32, F16, BF16, I64, I32, I16, I8, U64, U32, U16, U8 and BOOL)"),
            ("{\"a\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 8]}}", eight,
             "malformed header: tensor 'a': shape [3] of F32 needs 12 bytes but data_offsets give 8"),
            ("{\"a\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 16]}}", eight,
             "file is truncated: tensor 'a' claims bytes 0..<16 of the data but the file has 8 bytes of data"),
            ("{\"a\": {\"dtype\": \"F64\", \"shape\": [1000000000, 1000000], \"data_offsets\": [0, 8000000000000000]}}",
             eight, "file is truncated: tensor 'a' claims bytes 0..<8000000000000000 of the data but the file has 8 "
             + "bytes of data"),
            ("{\"a\": {\"dtype\": \"F64\", \"shape\": [4294967296, 4294967296], \"data_offsets\": [0, 8]}}", eight,
             "malformed header: tensor 'a': absurd shape [4294967296, 4294967296]: its size overflows"),
            ("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]},"
             + " \"b\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [2, 6]}}", eight,
             "malformed header: tensors 'a' (bytes 0..<4) and 'b' (bytes 2..<6) overlap"),
            ("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 0]}}", eight,
             "malformed header: tensor 'a': data_offsets must be two integers [begin, end] with begin ≤ end"),
            ("{\"a\": {\"dtype\": \"F32\", \"shape\": [-1], \"data_offsets\": [0, 4]}}", eight,
             "malformed header: tensor 'a': shape must be a list of non-negative integers"),
            ("{\"a\": {\"dtype\": \"F32\", \"shape\": [1]}}", eight,
             "malformed header: tensor 'a': needs dtype, shape and data_offsets"),
            ("{\"__metadata__\": {\"n\": 1}}", [], "malformed header: __metadata__ value 'n' is not a string"),
            ("{\"u\": {\"dtype\": \"U64\", \"shape\": [1], \"data_offsets\": [0, 8]}}", [UInt8](repeating: 0xFF, count: 8),
             "tensor 'u': uint64 element 0 is 18446744073709551615, beyond int64's maximum 9223372036854775807; "
             + "bm stores integers as int64"),
            (String(repeating: "[", count: 40), [], "malformed JSON header: nesting is too deep at byte 33"),
        ]
        for (header, data, message) in cases {
            path = write(header: header, data: data)
            expectDataError("safetensors.load", path, message) { _ = try Safetensors.load(path) }
        }
        let contents = try Safetensors.load(FormatFixtures.path("bfloat16.safetensors"))
        expectDataError("safetensors.get", nil, "no tensor named 'weight'; the file holds 'bf'") {
            _ = try contents.tensor("weight")
        }
        let out = folder + "/out.safetensors"
        expectDataError("safetensors.save", out, "'__metadata__' is reserved for the metadata and cannot name a tensor") {
            try Safetensors.save(out, [("__metadata__", Tensor([1.0]))])
        }
        expectDataError("safetensors.save", out, "the name 'w' is given twice") {
            try Safetensors.save(out, [("w", Tensor([1.0])), ("w", Tensor([1.0]))])
        }
        expectDataError("safetensors.save", out, "a tensor name is empty") { try Safetensors.save(out, [("", Tensor([1.0]))]) }
        let nowhere = folder + "/absent/out.safetensors"
        expectDataError("safetensors.save", nowhere, "folder \(folder)/absent does not exist") {
            try Safetensors.save(nowhere, [("w", Tensor([1.0]))])
        }
    }
}
