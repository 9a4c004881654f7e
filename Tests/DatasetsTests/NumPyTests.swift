import Foundation
import Testing
@testable import Datasets
@testable import Tensors

// MARK: - Reference files (scripts/fixtures/format_fixtures.py, numpy 2.4.6, safetensors 0.8.0)

/// The files written by numpy and the `safetensors` package, and the manifest of the values they hold.
enum FormatFixtures {
    struct Expected: Decodable {
        let shape: [Int]
        let dtype: String
        /// Row-major values as text: Python float repr (`nan`, `-inf`), integers, `true`/`false`.
        let values: [String]
    }

    struct Manifest: Decodable {
        let versions: [String: String]
        let npy: [String: Expected]
        let npz: [String: [String: Expected]]
        let safetensors: [String: [String: Expected]]
        let errors: [String: String]
        /// How Python's csv module splits the table files, header first.
        let tables: [String: [[String]]]
    }

    static let folder = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/formats").path

    static func path(_ name: String) -> String { folder + "/" + name }

    static let manifest: Manifest = {
        let data = try! Data(contentsOf: URL(fileURLWithPath: path("manifest.json")))
        return try! JSONDecoder().decode(Manifest.self, from: data)
    }()

    static func bytes(_ name: String) -> [UInt8] {
        [UInt8](try! Data(contentsOf: URL(fileURLWithPath: path(name))))
    }

    /// A fresh empty folder for files a test writes.
    static func temporaryFolder() -> String {
        let folder = NSTemporaryDirectory() + "bm-formats-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Checks dtype, shape and every value (bit-exact; NaN matches NaN) against the manifest.
    static func expectMatches(_ tensor: Tensor, _ expected: Expected, _ label: String,
                              sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(tensor.dtype.rawValue == expected.dtype, "\(label) dtype", sourceLocation: sourceLocation)
        #expect(tensor.shape == expected.shape, "\(label) shape", sourceLocation: sourceLocation)
        guard tensor.dtype.rawValue == expected.dtype, tensor.shape == expected.shape else { return }
        switch tensor.dtype {
        case .bool:
            #expect(tensor.scalars(as: Bool.self) == expected.values.map { $0 == "true" }, "\(label) values",
                    sourceLocation: sourceLocation)
        case .int64:
            #expect(tensor.scalars(as: Int64.self) == expected.values.map { Int64($0)! }, "\(label) values",
                    sourceLocation: sourceLocation)
        case .float32, .float64:
            let actual = tensor.scalars(as: Double.self)
            let wanted = expected.values.map { Double($0)! }
            let same = zip(actual, wanted).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }
            #expect(same, "\(label) values: \(actual) vs \(wanted)", sourceLocation: sourceLocation)
        }
    }

    /// The file a memory-mapped address belongs to, from /proc/self/maps (nil for anonymous memory).
    static func mappedFile(containing address: UnsafeRawPointer) -> String? {
        // /proc files report size 0, so read to the end rather than by size.
        guard let handle = FileHandle(forReadingAtPath: "/proc/self/maps") else { return nil }
        let maps = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        let target = UInt(bitPattern: address)
        for line in maps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            let range = fields[0].split(separator: "-")
            guard let low = UInt(range[0], radix: 16), let high = UInt(range[1], radix: 16) else { continue }
            if target >= low && target < high { return fields.count >= 6 ? String(fields[5]) : nil }
        }
        return nil
    }
}

/// Expects `body` to throw exactly `DataError(operation, path:, message)`.
func expectDataError(_ operation: String, _ path: String?, _ message: String,
                     sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected \(operation): \(path ?? ""): \(message)", sourceLocation: sourceLocation)
    } catch let error as DataError {
        #expect(error == DataError(operation, path: path, message), sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected a DataError, got \(error)", sourceLocation: sourceLocation)
    }
}

/// Test tensors of every bm dtype over ranks 0–4, size-1 axes, empty shapes and non-contiguous views.
enum RoundTripCases {
    static let shapes: [[Int]] = [[], [1], [7], [0], [3, 4], [1, 5], [4, 0], [2, 3, 4], [2, 1, 3, 2], [0, 2, 2]]

    static func tensor(shape: [Int], dtype: DType, seed: Int) -> Tensor {
        let count = shape.reduce(1, *)
        let values = (0..<count).map { Double(($0 * 7919 + seed * 104_729) % 97) / 8 - 6 }
        return try! Tensor(shape: shape, scalars: values).astype(dtype)
    }

    /// A transposed (Fortran-strided) view and a strided slice: saving must write them in C order.
    static func views(dtype: DType) -> [Tensor] {
        let base = tensor(shape: [4, 6], dtype: dtype, seed: 3)
        return [base.transposed(), try! base.get([.slice(start: 0, stop: 4, step: 2), .slice(start: 1, stop: 6, step: 2)])]
    }
}

// MARK: - NPY

@Suite("NPY")
struct NPYTests {
    @Test("files written by numpy load with their values", arguments: FormatFixtures.manifest.npy.keys.sorted())
    func numpyFiles(name: String) throws {
        let tensor = try NPY.load(FormatFixtures.path(name + ".npy"))
        FormatFixtures.expectMatches(tensor, FormatFixtures.manifest.npy[name]!, name)
    }

    @Test("little-endian C-order float, int64 and bool data is memory-mapped, not copied",
          arguments: ["f4_c", "f8_c", "i8", "b1", "f8_v3"])
    func zeroCopy(name: String) throws {
        let path = FormatFixtures.path(name + ".npy")
        let tensor = try NPY.load(path)
        #expect(FormatFixtures.mappedFile(containing: tensor.storage.bytes) == path)
        #expect(tensor.storage.byteCount == tensor.count * tensor.dtype.itemSize)
    }

    @Test("converted dtypes (big-endian, narrow ints, float16) are read into memory of their own",
          arguments: ["f8_be", "i2", "f2", "u4"])
    func converted(name: String) throws {
        let tensor = try NPY.load(FormatFixtures.path(name + ".npy"))
        #expect(FormatFixtures.mappedFile(containing: tensor.storage.bytes) == nil)
    }

    @Test("a Fortran-order file is the transposed view of its C-order reading")
    func fortranIsTransposedView() throws {
        let tensor = try NPY.load(FormatFixtures.path("f8_fortran.npy"))
        #expect(tensor.shape == [3, 4])
        #expect(tensor.strides == [1, 3])
        #expect(!tensor.isContiguous)
        #expect(try tensor.scalar(at: [2, 1]) == (9 - 5.5) * 0.375)
        let threeD = try NPY.load(FormatFixtures.path("f4_fortran_3d.npy"))
        #expect(threeD.strides == [1, 2, 6])
    }

    @Test("writing to a loaded tensor never changes the file")
    func copyOnWriteLeavesFile() throws {
        let path = FormatFixtures.path("f8_c.npy")
        let before = FormatFixtures.bytes("f8_c.npy")
        var tensor = try NPY.load(path)
        tensor.makeUniqueContiguous()
        tensor.mutablePointer(Double.self)[0] = 42
        #expect(try tensor.scalar(at: [0, 0]) == 42)
        #expect(FormatFixtures.bytes("f8_c.npy") == before)
        #expect(try NPY.load(path).scalar(at: [0, 0]) == 0.1)
    }

    @Test("NPY.save writes what numpy.save writes, byte for byte",
          arguments: ["numpy_save_f8", "numpy_save_f4", "numpy_save_i8", "numpy_save_b1", "numpy_save_scalar",
                      "numpy_save_empty"])
    func byteExactSave(name: String) throws {
        let original = try NPY.load(FormatFixtures.path(name + ".npy"))
        let path = FormatFixtures.temporaryFolder() + "/out.npy"
        try NPY.save(path, original)
        #expect(FormatFixtures.bytes(name + ".npy") == [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
    }

    @Test("save then load returns the same tensor", arguments: DType.allCases, RoundTripCases.shapes)
    func roundTrip(dtype: DType, shape: [Int]) throws {
        let folder = FormatFixtures.temporaryFolder()
        let tensor = RoundTripCases.tensor(shape: shape, dtype: dtype, seed: shape.count)
        try NPY.save(folder + "/a.npy", tensor)
        let loaded = try NPY.load(folder + "/a.npy")
        #expect(loaded.dtype == dtype && loaded.shape == shape)
        #expect(loaded.scalars(as: Double.self) == tensor.scalars(as: Double.self))
    }

    @Test("views are saved in C order", arguments: DType.allCases)
    func roundTripViews(dtype: DType) throws {
        let folder = FormatFixtures.temporaryFolder()
        for view in RoundTripCases.views(dtype: dtype) {
            try NPY.save(folder + "/v.npy", view)
            let loaded = try NPY.load(folder + "/v.npy")
            #expect(loaded.shape == view.shape && loaded.scalars(as: Double.self) == view.scalars(as: Double.self))
        }
    }

    @Test("a header too long for version 1.0 is written as version 2.0, as numpy does")
    func versionTwoHeader() throws {
        let shape = [Int](repeating: 1, count: 22_000)
        let header = NPYHeader.encode(descriptor: "<f8", shape: shape)
        #expect(header[6] == 2 && header.count % 64 == 0)
        let parsed = try NPYHeader.parse(headerBytes: header[12...], version: 2, preamble: 12)
        #expect(parsed.shape == shape && parsed.dataOffset == header.count)
        #expect(NPYHeader.encode(descriptor: "<f8", shape: [3])[6] == 1)
    }

    @Test("float16 conversion is exact for every bit pattern")
    func halfPrecision() {
        for bits in UInt16.min...UInt16.max {
            let reference = Float(Float16(bitPattern: bits))
            let converted = ElementConversion.halfToFloat(bits)
            #expect(converted.bitPattern == reference.bitPattern || (converted.isNaN && reference.isNaN))
            if converted.bitPattern != reference.bitPattern && !(converted.isNaN && reference.isNaN) { break }
        }
    }

    @Test("files bm refuses name the problem", arguments: FormatFixtures.manifest.errors.keys.sorted())
    func refusedFiles(name: String) {
        let path = FormatFixtures.path(name)
        expectDataError("npy.load", path, FormatFixtures.manifest.errors[name]!) { _ = try NPY.load(path) }
    }

    @Test("missing files, folders, bad magic, versions, headers and truncation are DataErrors naming the file")
    func errors() throws {
        let folder = FormatFixtures.temporaryFolder()
        let missing = folder + "/absent.npy"
        expectDataError("npy.load", missing, "no such file") { _ = try NPY.load(missing) }
        expectDataError("npy.load", folder, "is a folder, not a file") { _ = try NPY.load(folder) }
        let valid = FormatFixtures.bytes("f8_c.npy")
        func write(_ bytes: [UInt8]) -> String {
            let path = folder + "/file-\(UUID().uuidString).npy"
            #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
            return path
        }
        var path = write(Array("PK\u{03}\u{04}not numpy at all".utf8))
        expectDataError("npy.load", path, "not a .npy file: it does not start with the magic bytes \\x93NUMPY") {
            _ = try NPY.load(path)
        }
        path = write(Array(valid.prefix(4)))
        expectDataError("npy.load", path, "file is truncated: 4 bytes, but a .npy preamble alone takes 10") {
            _ = try NPY.load(path)
        }
        var modified = valid
        modified[6] = 4
        path = write(modified)
        expectDataError("npy.load", path, "unsupported .npy format version 4.0 (bm reads 1.0, 2.0 and 3.0)") {
            _ = try NPY.load(path)
        }
        path = write(Array(valid.prefix(50)))
        expectDataError("npy.load", path,
                        "file is truncated: header claims 118 bytes but the file has 40 after the 10-byte preamble") {
            _ = try NPY.load(path)
        }
        path = write(Array(valid.prefix(valid.count - 9)))
        expectDataError("npy.load", path, "file is truncated: header claims shape [2, 3] of '<f8', 48 bytes of data, "
                        + "but the file has 39 after the header") { _ = try NPY.load(path) }
        path = write(npyFile(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000, 1000000000), }"))
        expectDataError("npy.load", path, "file is truncated: header claims shape [1000000, 1000000000] of '<f8', "
                        + "8000000000000000 bytes of data, but the file has 0 after the header") {
            _ = try NPY.load(path)
        }
        path = write(npyFile(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }"))
        expectDataError("npy.load", path, "absurd shape [4294967296, 4294967296]: its byte count overflows") {
            _ = try NPY.load(path)
        }
        let malformed: [(String, String)] = [
            ("{'descr': '<f8', 'fortran_order': False, 'shape': (3,) ", "malformed header: missing '}' at character 55"),
            ("{'descr': '<f8', 'fortran_order': False}", "malformed header: it needs the keys descr, fortran_order and shape"),
            ("{'descr': '<f8', 'fortran_order': 0, 'shape': (3,)}", "malformed header: fortran_order must be True or False"),
            ("{'descr': '<f8', 'fortran_order': False, 'shape': (-3,)}",
             "malformed header: shape must be a tuple of non-negative integers"),
            ("{'descr': '<f8', 'fortran_order': False, 'shape': 3}", "malformed header: shape must be a tuple of integers"),
            ("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), 'extra': 1}",
             "malformed header: unexpected key string(\"extra\") (numpy writes only descr, fortran_order and shape)"),
            ("[1, 2]", "malformed header: expected a dict literal, found [1, 2]"),
            ("{'descr': '<f8', 'fortran_order': Maybe}", "malformed header: unexpected word 'Maybe' at character 35"),
            ("{'descr': '<f3', 'fortran_order': False, 'shape': ()}",
             "unsupported dtype '<f3': only float16, float32 and float64 are supported"),
            ("{'descr': '<U5', 'fortran_order': False, 'shape': ()}", "unsupported dtype '<U5': strings are not supported"),
            (String(repeating: "(", count: 40), "malformed header: nesting is too deep at character 17"),
        ]
        for (header, message) in malformed {
            path = write(npyFile(header: header))
            expectDataError("npy.load", path, message) { _ = try NPY.load(path) }
        }
        let nowhere = folder + "/absent/out.npy"
        expectDataError("npy.save", nowhere, "folder \(folder)/absent does not exist") {
            try NPY.save(nowhere, Tensor([1.0]))
        }
    }

    @Test("Tensor(wrapping:) refuses storage too small for the shape, negative and overflowing shapes")
    func wrappingErrors() throws {
        let storage = TensorStorage(byteCount: 16)
        #expect(try Tensor(wrapping: storage, dtype: .float64, shape: [2]).shape == [2])
        let cases: [([Int], String)] = [
            ([3], "Tensor(wrapping:): shape [3] of float64 needs more than the 16 bytes given"),
            ([2, -1], "Tensor(wrapping:): negative dimension in [2, -1]"),
            ([1 << 40, 1 << 40], "Tensor(wrapping:): shape [1099511627776, 1099511627776] is too large"),
            ([1 << 61], "Tensor(wrapping:): shape [2305843009213693952] of float64 needs more than the 16 bytes given"),
        ]
        for (shape, message) in cases {
            #expect(throws: TensorError.self) { try Tensor(wrapping: storage, dtype: .float64, shape: shape) }
            do {
                _ = try Tensor(wrapping: storage, dtype: .float64, shape: shape)
            } catch let error as TensorError {
                #expect("\(error)" == message)
            }
        }
    }

    @Test("the real LFW faces file loads as numpy reads it",
          .enabled(if: FileManager.default.fileExists(atPath: lfwPath), "../shared/data/lfw_faces is absent"))
    func realLFWFaces() throws {
        let faces = try NPY.load(lfwPath)
        #expect(faces.dtype == .float64 && faces.shape == [200, 25, 25])
        #expect(FormatFixtures.mappedFile(containing: faces.storage.bytes) == lfwPath)
        // python3 -c "import numpy as np; a=np.load('lfw_subset.npy'); print(a[0,0,0], a[199,24,24], a[17,3,11])"
        // 0.288888871669772 0.047712419182062205 0.12287581712007493
        #expect(try faces.scalar(at: [0, 0, 0]) == 0.288888871669772)
        #expect(try faces.scalar(at: [199, 24, 24]) == 0.047712419182062205)
        #expect(try faces.scalar(at: [17, 3, 11]) == 0.12287581712007493)
        #expect(try faces.min().item() >= 0)
        #expect(try faces.max().item() <= 1)
    }
}

/// ../shared/data beside the checkout (the repository root is three folders above this file).
let lfwPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("shared/data/lfw_faces/lfw_subset.npy").path

/// A version 1.0 `.npy` file with `header` (no data), padded as numpy pads.
func npyFile(header: String) -> [UInt8] {
    var text = Array(header.utf8)
    text += [UInt8](repeating: 0x20, count: 63 - (10 + text.count) % 64) + [0x0A]
    return NPYHeader.magic + [1, 0, UInt8(text.count & 0xFF), UInt8(text.count >> 8)] + text
}

// MARK: - NPZ

@Suite("NPZ")
struct NPZTests {
    @Test("archives written by numpy (savez, savez_compressed, positional names, ZIP64) load in archive order",
          arguments: FormatFixtures.manifest.npz.keys.sorted())
    func numpyArchives(name: String) throws {
        let path = FormatFixtures.path(name)
        let arrays = try NPZ.load(path)
        let expected = FormatFixtures.manifest.npz[name]!
        #expect(Set(arrays.map(\.name)) == Set(expected.keys))
        #expect(try NPZ.names(path) == arrays.map(\.name))
        for (member, tensor) in arrays {
            FormatFixtures.expectMatches(tensor, expected[member]!, "\(name):\(member)")
            FormatFixtures.expectMatches(try NPZ.load(path, name: member), expected[member]!, "\(name):\(member) alone")
        }
    }

    @Test("numpy's savez order is kept")
    func order() throws {
        #expect(try NPZ.names(FormatFixtures.path("stored.npz")) == ["weights", "labels", "mask", "half"])
        #expect(try NPZ.names(FormatFixtures.path("positional.npz")) == ["arr_0", "arr_1"])
    }

    @Test("save then load returns the same tensors, stored or deflated, with or without ZIP64 records",
          arguments: [false, true], [false, true])
    func roundTrip(compressed: Bool, zip64: Bool) throws {
        let folder = FormatFixtures.temporaryFolder()
        var arrays: [(name: String, tensor: Tensor)] = []
        for (index, shape) in RoundTripCases.shapes.enumerated() {
            let dtype = DType.allCases[index % DType.allCases.count]
            arrays.append(("t\(index)_\(dtype)", RoundTripCases.tensor(shape: shape, dtype: dtype, seed: index)))
        }
        arrays.append(("views/transposed", RoundTripCases.views(dtype: .float32)[0]))
        arrays.append(("ünïcode", Tensor([true, false])))
        let path = folder + "/arrays.npz"
        try NPZ.save(path, arrays, compressed: compressed, forceZip64: zip64)
        let loaded = try NPZ.load(path)
        #expect(loaded.map(\.name) == arrays.map(\.name))
        for ((_, original), (name, tensor)) in zip(arrays, loaded) {
            #expect(tensor.dtype == original.dtype && tensor.shape == original.shape, "\(name)")
            #expect(tensor.scalars(as: Double.self) == original.scalars(as: Double.self), "\(name)")
        }
    }

    @Test("deflated archives are smaller for compressible data")
    func compression() throws {
        let folder = FormatFixtures.temporaryFolder()
        let zeros = try Tensor.zeros([64, 64])
        try NPZ.save(folder + "/stored.npz", [("zeros", zeros)])
        try NPZ.save(folder + "/deflated.npz", [("zeros", zeros)], compressed: true)
        let size = { (name: String) in
            try FileManager.default.attributesOfItem(atPath: folder + "/" + name)[.size] as! Int
        }
        #expect(try size("stored.npz") > 32_768)
        #expect(try size("deflated.npz") < 1_000)
    }

    @Test("errors name the file and the member")
    func errors() throws {
        let folder = FormatFixtures.temporaryFolder()
        let stored = FormatFixtures.path("stored.npz")
        expectDataError("npz.load", stored,
                        "no array named 'bias'; the archive holds 'weights', 'labels', 'mask', 'half'") {
            _ = try NPZ.load(stored, name: "bias")
        }
        let missing = folder + "/absent.npz"
        expectDataError("npz.load", missing, "no such file") { _ = try NPZ.load(missing) }
        let notZip = FormatFixtures.path("f8_c.npy")
        expectDataError("npz.load", notZip,
                        "not a zip archive (.npz files are zip archives): no end-of-central-directory record") {
            _ = try NPZ.load(notZip)
        }
        // Flip one data byte of the first (stored) member: the CRC must catch it.
        var bytes = FormatFixtures.bytes("stored.npz")
        bytes[30 + "weights.npy".utf8.count + 20 + 130] ^= 0xFF
        let corrupt = folder + "/corrupt.npz"
        #expect(FileManager.default.createFile(atPath: corrupt, contents: Data(bytes)))
        do {
            _ = try NPZ.load(corrupt)
            Issue.record("a corrupted member loaded")
        } catch let error as DataError {
            #expect(error.message.hasPrefix("member 'weights.npy': CRC-32 mismatch (computed 0x"))
            #expect(error.message.hasSuffix("): the member is corrupt"))
        }
        let nowhere = folder + "/absent/out.npz"
        expectDataError("npz.save", nowhere, "folder \(folder)/absent does not exist") {
            try NPZ.save(nowhere, [("a", Tensor([1.0]))])
        }
        expectDataError("npz.save", folder + "/x.npz", "the name 'a' is given twice") {
            try NPZ.save(folder + "/x.npz", [("a", Tensor([1.0])), ("a", Tensor([2.0]))])
        }
        expectDataError("npz.save", folder + "/x.npz", "an array name is empty") {
            try NPZ.save(folder + "/x.npz", [("", Tensor([1.0]))])
        }
        #expect(!FileManager.default.fileExists(atPath: folder + "/x.npz"))
    }

    @Test("a member that is not a valid .npy names the member")
    func badMember() throws {
        let folder = FormatFixtures.temporaryFolder()
        let path = folder + "/bad.npz"
        try AtomicFile.write(to: path, operation: "test") { temporary in
            let output = try SequentialFileWriter(temporaryPath: temporary, finalPath: path, operation: "test")
            defer { output.close() }
            var zip = ZipWriter(output: output)
            try zip.add(name: "good.npy", contents: NPY.encode(Tensor([1.0, 2.0])), compress: true)
            try zip.add(name: "objects.npy", contents: FormatFixtures.bytes("bad_object.npy"), compress: false)
            try zip.finish()
        }
        #expect(try NPZ.load(path, name: "good").scalars(as: Double.self) == [1, 2])
        expectDataError("npz.load", path, "member 'objects': unsupported dtype '|O': Python objects (pickled) "
                        + "cannot be read without Python") { _ = try NPZ.load(path) }
    }
}
