import Foundation
import Synchronization
import Testing
import Tensors
@testable import Datasets

/// Fixtures written by h5py (scripts/fixtures/hdf5_fixtures.py) and a fresh temporary folder per test.
enum HDF5TestSupport {
    static func fixture(_ name: String) -> String {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures/hdf5/\(name)").path
    }

    static func temporaryFolder() -> String {
        let path = NSTemporaryDirectory() + "bm-hdf5-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Elements as Doubles in row-major order (NaN-aware comparison is up to the caller).
    static func elements(_ tensor: Tensor) -> [Double] {
        tensor.astype(.float64).scalars(as: Double.self)
    }

    /// Same dtype, shape and elements (NaN equals NaN).
    static func same(_ a: Tensor, _ b: Tensor) -> Bool {
        a.dtype == b.dtype && a.shape == b.shape
            && zip(elements(a), elements(b)).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
    }

    /// The message of the `DataError` that `body` throws, or a description of what happened instead.
    static func message(_ body: () throws -> Any) -> String {
        do {
            _ = try body()
            return "no error"
        } catch let error as DataError {
            return error.description
        } catch {
            return "not a DataError: \(error)"
        }
    }

    /// The ramp the fixture script writes (`ramp()` in hdf5_fixtures.py).
    static func ramp(count: Int, signed: Bool) -> [Double] {
        (0..<count).map { Double($0 - (signed ? count / 3 : 0)) }
    }
}

@Suite("HDF5 files written by h5py")
struct HDF5FixtureTests {
    let types = HDF5TestSupport.fixture("types.h5")

    @Test("numeric dtypes read as int64, float32 or float64", arguments: [
        ("int8", DType.int64, true), ("int16", .int64, true), ("int32", .int64, true), ("int64", .int64, true),
        ("uint8", .int64, false), ("uint16", .int64, false), ("uint32", .int64, false), ("uint64", .int64, false),
        ("float16", .float32, true), ("float32", .float32, true), ("float64", .float64, true),
    ])
    func numericTypes(name: String, dtype: DType, signed: Bool) throws {
        let dataset = try HDF5File.open(types)[name]
        #expect(dataset.shape == [3, 4])
        #expect(dataset.dtype == dtype)
        #expect(dataset.storedType.description == name)
        let tensor = try dataset.read()
        #expect(tensor.dtype == dtype && tensor.shape == [3, 4])
        #expect(HDF5TestSupport.elements(tensor) == HDF5TestSupport.ramp(count: 12, signed: signed))
    }

    @Test("extremes, big-endian data, float16 specials, bool, scalars and empty datasets")
    func specialValues() throws {
        let file = try HDF5File.open(types)
        #expect(try file["int8_extremes"].read().scalars(as: Int64.self) == [-128, 127, 0])
        #expect(try file["uint64_large"].read().scalars(as: Int64.self) == [1, Int64.max])
        #expect(try file["big_endian_float64"].read().scalars(as: Double.self) == [-0.5, -0.25, 0, 0.25, 0.5, 0.75])
        #expect(try file["big_endian_int32"].read().scalars(as: Int64.self) == [-2000, -1000, 0, 1000, 2000, 3000])
        let half = try file["float16_special"].read().scalars(as: Float.self)
        #expect(Array(half[0..<4]) == [0.5, -2.25, 65504, .infinity] && half[4].isNaN)
        let bool = try file["bool"]
        #expect(bool.dtype == .bool && bool.storedType.description == "bool (enum FALSE/TRUE over int8)")
        #expect(try bool.read().scalars(as: Bool.self) == [true, false, true, false, false, true])
        let scalar = try file["scalar_float64"].read()
        #expect(scalar.shape == [] && scalar.scalars(as: Double.self) == [2.5])
        #expect(try file["scalar_int16"].read().scalars(as: Int64.self) == [-7])
        let empty = try file["empty"].read()
        #expect(empty.shape == [0, 3] && empty.dtype == .float32)
        #expect(try file["null"].shape == [0])
        #expect(try file["null"].read().shape == [0])
    }

    @Test("uint64 beyond Int64.max is an error")
    func uint64TooLarge() {
        #expect(HDF5TestSupport.message { try HDF5File.open(types)["uint64_too_large"].read() }
                == "h5.read: \(types): dataset \"/uint64_too_large\" (uint64) holds 9223372036854775813 at flat "
                + "position 1 of the selection, beyond the int64 range bm reads uint64 into")
        // Reading only the representable element works.
        #expect((try? HDF5File.open(types)["uint64_too_large"].read(rows: 0..<1).scalars(as: Int64.self)) == [1])
    }

    @Test("fixed and variable length strings, ASCII and UTF-8")
    func strings() throws {
        let file = try HDF5File.open(types)
        #expect(try file["fixed_ascii"].readStrings() == ["alpha", "be", "", "gamma"])
        #expect(try file["fixed_ascii"].storedType.description == "fixed-length ASCII string of 5 bytes")
        #expect(try file["fixed_utf8"].readStrings() == ["héllo", "ok"])
        let vlen = try file["vlen_utf8"]
        #expect(vlen.shape == [2, 2] && vlen.dtype == nil && vlen.storedType.description == "variable-length UTF-8 string")
        #expect(try vlen.readStrings() == ["face", "body", "maison", "visage ☺"])
        #expect(try vlen.readStrings(selection: [.all, .index(1)]) == ["body", "visage ☺"])
        #expect(try file["vlen_ascii"].readStrings() == ["x", "yz", ""])
        #expect(try file["scalar_string"].readStrings() == ["just one"])
    }

    @Test("reading strings as numbers, numbers as strings, and unsupported types name the problem", arguments: [
        ("vlen_utf8", "cannot read dataset \"/vlen_utf8\" as numbers: it holds strings (variable-length UTF-8 "
            + "string); read it with readStrings()"),
        ("compound", "cannot read dataset \"/compound\" as numbers: its element type compound {id: int32, value: "
            + "float64} is not supported; bm reads numbers, bools (h5py's enum) and strings"),
        ("complex", "cannot read dataset \"/complex\" as numbers: complex numbers (compound {r: float64, i: float64}) "
            + "are not supported; store the real and imaginary parts as two datasets"),
        ("colour_enum", "cannot read dataset \"/colour_enum\" as numbers: its element type enum {RED = 0, GREEN = 1, "
            + "BLUE = 2} over int8 is not supported; bm reads numbers, bools (h5py's enum) and strings"),
    ])
    func unsupported(name: String, message: String) {
        #expect(HDF5TestSupport.message { try HDF5File.open(types)[name].read() } == "h5.read: \(types): \(message)")
        #expect(HDF5TestSupport.message { try HDF5File.open(types)[name].blocks(rows: 1) }
                == "h5.read: \(types): \(message)")
    }

    @Test("readStrings on a numeric dataset")
    func stringsOfNumbers() {
        #expect(HDF5TestSupport.message { try HDF5File.open(types)["float32"].readStrings() }
                == "h5.read: \(types): dataset \"/float32\" holds float32, not strings; read it with read()")
    }

    @Test("the fixture records the versions that wrote it")
    func versions() throws {
        let attributes = try HDF5File.open(types).attributes()
        #expect(attributes["h5py_version"] == .string("3.16.0"))
        #expect(attributes["numpy_version"] == .string("2.4.6"))
        #expect(attributes["hdf5_version"] == .string("2.0.0"))
        #expect(HDF5File.libraryVersion.hasPrefix("1."))
    }

    @Test("attributes of files, groups and datasets")
    func attributes() throws {
        let path = HDF5TestSupport.fixture("attributes.h5")
        let file = try HDF5File.open(path)
        #expect(try file.attributeNames() == ["bool_array", "bool_scalar", "compound", "fixed_string", "float32_array",
                                              "float_scalar", "huge_int", "int_matrix", "int_scalar", "string",
                                              "strings", "uint8_scalar"])
        #expect(try file.attribute("int_scalar") == .number(-42))
        #expect(try file.attribute("uint8_scalar") == .number(200))
        #expect(try file.attribute("float_scalar") == .number(0.125))
        #expect(try file.attribute("float32_array") == .numbers(Tensor([Float(1.5), -2.0, 3.25])))
        #expect(try file.attribute("int_matrix") == .numbers(try Tensor([[Int64(1), 2, 3], [4, 5, 6]])))
        #expect(try file.attribute("string") == .string("réponse"))
        #expect(try file.attribute("strings") == .strings(["V1", "V2", "hV4", "LO"]))
        #expect(try file.attribute("fixed_string") == .string("fixed"))
        #expect(try file.attribute("bool_scalar") == .numbers(Tensor(scalar: true)))
        #expect(try file.attribute("bool_array") == .numbers(Tensor([true, false, true])))
        #expect(try file.attribute("huge_int") == .numbers(Tensor(scalar: Int64(1) << 60 + 1)))
        let group = try file.group("subject01")
        #expect(try group.attributes() == ["age": .number(27), "handedness": .string("right")])
        let betas = try file["subject01/betas"]
        #expect(try betas.attributes() == ["units": .string("percent signal change"), "tr": .number(1.5)])
        #expect(try betas.attribute("tr").doubleValue == 1.5)
        #expect(try betas.attribute("units").stringValue == "percent signal change")
        #expect(HDF5TestSupport.message { try betas.attribute("TR") }
                == "h5.read: \(path): \"/subject01/betas\" has no attribute \"TR\"; it has: tr, units")
        #expect(HDF5TestSupport.message { try file.attribute("compound") }
                == "h5.read: \(path): cannot read attribute \"compound\" of \"/\": its element type compound {a: int32, "
                + "b: float64} is not supported; bm reads numbers, bools (h5py's enum) and strings")
        #expect(HDF5TestSupport.message { try file.attributes() }.contains("compound"))
    }

    @Test("gzip-compressed chunks, nested groups, soft links")
    func layout() throws {
        let path = HDF5TestSupport.fixture("layout.h5")
        let file = try HDF5File.open(path)
        #expect(try file.keys() == ["a", "dangling", "gzip_chunked", "link_to_c"])
        #expect(try file.group("a").keys() == ["b", "empty_group", "x"])
        // Values printed by hdf5_fixtures.py (write_layout).
        #expect(try file["gzip_chunked"].chunkShape() == [8, 30])
        #expect(try file["a/b/c"].chunkShape() == nil)
        let data = try file["gzip_chunked"].read()
        #expect(data.shape == [24, 30] && data.dtype == .float32)
        #expect(try data.scalar(at: [0, 0]) == -2.4432058334350586)
        #expect(try data.scalar(at: [23, 29]) == 0.6827589273452759)
        #expect(try data.scalar(at: [17, 5]) == 0.06097333878278732)
        #expect(abs(HDF5TestSupport.elements(data).reduce(0, +) - -8.848438747867476) < 1e-9)
        #expect(try file["a/b/c"].read().scalars(as: Int64.self) == [0, 1, 2, 3, 4])
        #expect(try file.group("a")["b/c"].path == "/a/b/c")
        #expect(try file.group("a/b")["/a/x"].read().scalars(as: Double.self) == [1])
        #expect(try file["link_to_c"].read().scalars(as: Int64.self) == [0, 1, 2, 3, 4])
        #expect(try file.isGroup("a") && !file.isGroup("a/x"))
        #expect(file.contains("a/b/c") && !file.contains("a/b/d") && !file.contains("dangling"))
    }

    @Test("wrong names list what exists", arguments: [
        ("rdm", "no \"rdm\" in group \"/\"; it has: a, dangling, gzip_chunked, link_to_c"),
        ("a/b/d", "no \"d\" in group \"/a/b\"; it has: c"),
        ("a/empty_group/x", "no \"x\" in group \"/a/empty_group\"; the group is empty"),
        ("a", "\"/a\" is a group, not a dataset; it has: b, empty_group, x"),
        ("a/x/y", "\"/a/x\" is a dataset, so \"a/x/y\" does not exist"),
        ("", "empty name \"\"; it has: a, dangling, gzip_chunked, link_to_c"),
    ])
    func wrongNames(name: String, message: String) {
        let path = HDF5TestSupport.fixture("layout.h5")
        #expect(HDF5TestSupport.message { try HDF5File.open(path)[name] } == "h5.read: \(path): \(message)")
    }

    @Test("a dangling soft link and a group asked for as a dataset")
    func danglingAndKinds() {
        let path = HDF5TestSupport.fixture("layout.h5")
        #expect(HDF5TestSupport.message { try HDF5File.open(path)["dangling"] }
                .hasPrefix("h5.read: \(path): cannot open \"dangling\" (libhdf5: "))
        #expect(HDF5TestSupport.message { try HDF5File.open(path).group("a/x") }
                == "h5.read: \(path): \"/a/x\" is a dataset, not a group")
    }

    @Test("MATLAB v7.3 files open; v5 files are named as such")
    func matlab() throws {
        let v73 = HDF5TestSupport.fixture("matlab_v73.mat")
        let file = try HDF5File.open(v73)
        let responses = try file["responses"]
        // MATLAB is column-major: its 2 × 3 matrix [0 1 2; 3 4 5] is stored as HDF5 [3, 2].
        #expect(try responses.read() .scalars(as: Double.self) == [0, 3, 1, 4, 2, 5])
        #expect(try responses.attribute("MATLAB_class") == .string("double"))
        let v5 = HDF5TestSupport.fixture("matlab_v5.mat")
        #expect(HDF5TestSupport.message { try HDF5File.open(v5) }
                == "h5.open: \(v5): this is a MATLAB v5 .mat file, not HDF5; save it with -v7.3 or convert it "
                + "(scipy.io.loadmat, then h5py) to read it in bm")
    }
}

@Suite("HDF5 open errors")
struct HDF5OpenErrorTests {
    let folder = HDF5TestSupport.temporaryFolder()

    @Test("missing files, folders, named pipes, devices, empty and non-HDF5 files")
    func openErrors() throws {
        #expect(HDF5TestSupport.message { try HDF5File.open(folder + "/absent.h5") }
                == "h5.open: \(folder)/absent.h5: no such file")
        #expect(HDF5TestSupport.message { try HDF5File.open(folder) }
                == "h5.open: \(folder): this is a folder, not an HDF5 file")
        // A named pipe without a writer: opening it to read would wait forever.
        #expect(mkfifo(folder + "/pipe.h5", 0o600) == 0)
        #expect(HDF5TestSupport.message { try HDF5File.open(folder + "/pipe.h5") }
                == "h5.open: \(folder)/pipe.h5: not a regular file (a named pipe, socket or device): HDF5 files are "
                + "read by seeking")
        #expect(HDF5TestSupport.message { try HDF5File.open("/dev/null") }
                == "h5.open: /dev/null: not a regular file (a named pipe, socket or device): HDF5 files are read by "
                + "seeking")
        #expect(FileManager.default.createFile(atPath: folder + "/empty.h5", contents: Data()))
        #expect(HDF5TestSupport.message { try HDF5File.open(folder + "/empty.h5") }
                == "h5.open: \(folder)/empty.h5: the file is empty, not an HDF5 file")
        #expect(FileManager.default.createFile(atPath: folder + "/notes.h5", contents: Data("voxel,beta\n1,2\n".utf8)))
        #expect(HDF5TestSupport.message { try HDF5File.open(folder + "/notes.h5") }
                == "h5.open: \(folder)/notes.h5: not an HDF5 file (no HDF5 signature at byte 0, 512, 1024, …)")
        #expect(HDF5TestSupport.message { try HDF5File.create(folder + "/absent/new.h5") }
                == "h5.create: \(folder)/absent/new.h5: folder \(folder)/absent does not exist")
    }

    @Test("creating over a file this process has open fails with libhdf5's reason")
    func createOverOpenFile() throws {
        let path = folder + "/open.h5"
        try HDF5.write(path, "x", Tensor([1.0]))
        let file = try HDF5File.open(path)
        let message = HDF5TestSupport.message { try HDF5File.open(path, mode: .create) }
        #expect(message.hasPrefix("h5.create: \(path): cannot create the file (libhdf5: "), "\(message)")
        #expect(message.contains("already open"), "\(message)")
        #expect(try file["x"].read().scalars(as: Double.self) == [1])
    }

    @Test("a file locked by someone else is named as locked")
    func locked() throws {
        let path = folder + "/locked.h5"
        try HDF5.write(path, "x", Tensor([1.0]))
        // flock locks belong to an open file description, so this one conflicts with libhdf5's own, as another
        // process's would.
        let descriptor = open(path, O_RDONLY)
        #expect(descriptor >= 0 && flock(descriptor, LOCK_EX) == 0)
        defer { close(descriptor) }
        let message = HDF5TestSupport.message { try HDF5File.open(path) }
        #expect(message.hasPrefix("h5.open: \(path): cannot open the file: another process holds a lock on it, or "
                                  + "this file system does not support locking (on network file systems set "
                                  + "HDF5_USE_FILE_LOCKING=FALSE) (libhdf5: unable to lock file"), "\(message)")
    }

    @Test("a truncated file is reported as corrupt or truncated")
    func truncated() throws {
        let path = folder + "/data.h5"
        try HDF5.write(path, "x", Tensor.zeros([100, 10]))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
        let message = HDF5TestSupport.message { try HDF5File.open(path) }
        #expect(message.hasPrefix("h5.open: \(path): cannot open the file: it is corrupt or truncated (libhdf5: "))
        #expect(message.contains("truncated file"))
    }
}

/// Deterministic numbers for the tests (xorshift), independent of the engine's random generator.
struct HDF5TestRandom {
    var state: UInt64
    init(_ seed: UInt64) { state = seed &* 0x9E3779B97F4A7C15 | 1 }
    mutating func next() -> UInt64 {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        return state
    }
    mutating func integer(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }
    /// Quarters in [-8, 8): exact in float32 and float64.
    mutating func values(_ count: Int) -> [Double] {
        (0..<count).map { _ in Double(integer(-32...31)) / 4 }
    }
}

/// A tensor of `shape` and `dtype` with varied values, stored contiguously or as a transposed view.
func hdf5TestTensor(shape: [Int], dtype: DType, transposed: Bool, seed: UInt64) throws -> Tensor {
    var random = HDF5TestRandom(seed)
    let count = shape.reduce(1, *)
    let storedShape = transposed ? Array(shape.reversed()) : shape
    var tensor: Tensor
    switch dtype {
    case .bool: tensor = try Tensor(shape: storedShape, scalars: random.values(count).map { $0 > 0 })
    case .int64:
        var values = random.values(count).map { Int64($0 * 1000) }
        if count >= 2 { values[0] = .min; values[count - 1] = .max }
        tensor = try Tensor(shape: storedShape, scalars: values)
    case .float32: tensor = try Tensor(shape: storedShape, scalars: random.values(count).map { Float($0) })
    case .float64:
        var values = random.values(count)
        if count >= 3 { values[1] = .nan; values[2] = -.infinity }
        tensor = try Tensor(shape: storedShape, scalars: values)
    }
    return transposed ? tensor.transposed() : tensor
}

@Suite("HDF5 round trips, hyperslabs and blocks")
struct HDF5RoundTripTests {
    let folder = HDF5TestSupport.temporaryFolder()

    static let shapes: [[Int]] = [[], [0], [1], [7], [3, 0], [1, 1], [2, 3], [4, 1, 3], [2, 3, 4, 5], [1, 2, 1, 3]]

    @Test("write then read gives the same tensor", arguments: DType.allCases, [false, true])
    func roundTrip(dtype: DType, transposed: Bool) throws {
        for (number, shape) in Self.shapes.enumerated() {
            let tensor = try hdf5TestTensor(shape: shape, dtype: dtype, transposed: transposed, seed: UInt64(number))
            let path = folder + "/\(dtype)-\(number).h5"
            try HDF5.write(path, "group/values", tensor, attributes: ["copy": .numbers(tensor)])
            let dataset = try HDF5File.open(path)["group/values"]
            #expect(dataset.shape == shape && dataset.dtype == dtype)
            #expect(HDF5TestSupport.same(try dataset.read(), tensor), "\(dtype) \(shape)")
            // A scalar number attribute reads as `.number` (bools stay 0-d tensors).
            let expected: HDF5Value = shape.isEmpty && dtype != .bool ? .number(try tensor.item()) : .numbers(tensor)
            #expect(try dataset.attribute("copy") == expected, "\(dtype) \(shape)")
            // Chunked and compressed (automatic chunks for gzip alone).
            if !shape.isEmpty {
                let compressed = folder + "/\(dtype)-\(number)-gzip.h5"
                try HDF5.write(compressed, "values", tensor, gzip: 6)
                #expect(HDF5TestSupport.same(try HDF5.read(compressed, "values"), tensor), "\(dtype) \(shape) gzip")
                let chunks = shape.map { Swift.max(1, ($0 + 1) / 2) }
                try HDF5.write(compressed, "values", tensor, chunks: chunks, gzip: 1)
                #expect(HDF5TestSupport.same(try HDF5.read(compressed, "values"), tensor), "\(dtype) \(shape) \(chunks)")
            }
        }
    }

    @Test("strings and attributes of every kind round-trip")
    func stringsAndAttributes() throws {
        let path = folder + "/strings.h5"
        let attributes: [String: HDF5Value] = [
            "number": .number(-0.375), "numbers": .numbers(Tensor([1.5, 2.5])), "ints": .numbers(Tensor([Int64(3), -4])),
            "flags": .numbers(Tensor([true, false])), "scalar_int": .numbers(Tensor(scalar: Int64(1) << 62 + 1)), "scalar_float": .number(1e300),
            "string": .string("V1 ☺"), "strings": .strings(["a", "", "ccc"]), "empty_strings": .strings([]),
        ]
        try HDF5.save(path) { file in
            for (name, value) in attributes { try file.setAttribute(name, value) }
            try file.writeStrings("labels", ["face", "body", "maison", "mot ☺"], shape: [2, 2],
                                  attributes: ["count": .number(4)])
            try file.writeStrings("one", ["only"], shape: [])
            try file.createGroup("a/b").setAttribute("kind", .string("group"))
        }
        let file = try HDF5File.open(path)
        #expect(try file.attributes() == attributes)
        #expect(try file["labels"].shape == [2, 2])
        #expect(try file["labels"].readStrings() == ["face", "body", "maison", "mot ☺"])
        #expect(try file["labels"].readStrings(selection: [.index(1)]) == ["maison", "mot ☺"])
        #expect(try file["labels"].attribute("count") == .number(4))
        #expect(try file["one"].readStrings() == ["only"])
        #expect(try file.group("a/b").attribute("kind") == .string("group"))
        #expect(try file.keys() == ["a", "labels", "one"])
    }

    @Test("hyperslab reads equal reading everything then indexing", arguments: [false, true])
    func hyperslabs(chunked: Bool) throws {
        let shape = [6, 5, 4, 3]
        let whole = try Tensor(shape: shape, scalars: (0..<360).map { Double($0) })
        let path = folder + "/slab.h5"
        try HDF5.write(path, "x", whole, chunks: chunked ? [4, 2, 3, 2] : nil, gzip: chunked ? 3 : nil)
        let dataset = try HDF5File.open(path)["x"]
        var random = HDF5TestRandom(chunked ? 11 : 12)
        func bound() -> Int? { random.integer(0...3) == 0 ? nil : random.integer(-8...8) }
        for _ in 0..<400 {
            var indices: [TensorIndex] = []
            let axes = random.integer(0...4)
            for axis in 0..<axes {
                switch random.integer(0...5) {
                case 0: indices.append(.index(random.integer(-shape[axis]...(shape[axis] - 1))))
                case 1: indices.append(.all)
                default:
                    let step = random.integer(0...2) == 0 ? nil : [-3, -2, -1, 1, 2, 3][random.integer(0...5)]
                    indices.append(.slice(start: bound(), stop: bound(), step: step))
                }
            }
            if random.integer(0...4) == 0 { indices.insert(.newAxis, at: random.integer(0...indices.count)) }
            if axes < 4 && random.integer(0...3) == 0 { indices.append(.ellipsis) }
            if axes < 4 && random.integer(0...3) == 0 {
                // An ellipsis first, then indices for the last axes.
                indices = [.ellipsis] + (0..<random.integer(0...2)).map { _ in
                    TensorIndex.slice(start: bound(), stop: bound(), step: [-2, -1, 1, 3][random.integer(0...3)])
                }
            }
            let expected = try whole.get(indices)
            let read = try dataset.read(selection: indices)
            #expect(HDF5TestSupport.same(read, expected), "\(indices)")
        }
    }

    @Test("rows and blocks cover the dataset; a dropped block's memory is reused, a kept one is not overwritten")
    func blocks() throws {
        let whole = try hdf5TestTensor(shape: [23, 4, 3], dtype: .float32, transposed: false, seed: 5)
        let path = folder + "/blocks.h5"
        try HDF5.write(path, "y", whole, chunks: [5, 4, 3], gzip: 2)
        let dataset = try HDF5File.open(path)["y"]
        #expect(HDF5TestSupport.same(try dataset.read(rows: 3..<9), try whole.sliced(axis: 0, 3..<9)))
        #expect(try dataset.read(rows: 7..<7).shape == [0, 4, 3])
        for rows in [1, 4, 7, 23, 50] {
            var kept: [Tensor] = [], covered: [Range<Int>] = []
            for block in try dataset.blocks(rows: rows) {
                let tensor = try block.read()
                #expect(HDF5TestSupport.same(tensor, try whole.sliced(axis: 0, block.rows)))
                kept.append(tensor)
                covered.append(block.rows)
            }
            #expect(try dataset.blocks(rows: rows).count == covered.count)
            #expect(covered.first?.lowerBound == 0 && covered.last?.upperBound == 23)
            #expect(zip(covered, covered.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
            // Blocks kept by the caller still hold their own rows after later blocks were read.
            for (tensor, range) in zip(kept, covered) {
                #expect(HDF5TestSupport.same(tensor, try whole.sliced(axis: 0, range)))
            }
        }
        var storages: Set<ObjectIdentifier> = [], total = 0.0
        try dataset.forEachBlock(rows: 5) { rows, block in
            if rows.count == 5 { storages.insert(ObjectIdentifier(block.storage)) }
            total += HDF5TestSupport.elements(block).reduce(0, +)
        }
        #expect(storages.count == 1)
        #expect(total == HDF5TestSupport.elements(whole).reduce(0, +))
    }

    @Test("selection and row errors name the dataset and its shape")
    func selectionErrors() throws {
        let path = folder + "/errors.h5"
        try HDF5.write(path, "x", Tensor.zeros([3, 4]))
        try HDF5File.open(path, mode: .readWrite).writeDataset("s", Tensor(scalar: 1.0))
        let file = try HDF5File.open(path)
        let x = try file["x"], s = try file["s"]
        let prefix = "h5.read: \(path): "
        #expect(try s.read(selection: []).shape == [] && s.read(selection: [.ellipsis]).item() == 1)
        #expect(try s.read(selection: [.newAxis]).shape == [1])
        #expect(HDF5TestSupport.message { try s.read(selection: [.index(0)]) }
                == prefix + "too many indices: dataset \"/s\" of shape [] is 0-dimensional, but 1 were indexed")
        #expect(HDF5TestSupport.message { try x.read(selection: [.index(3)]) }
                == prefix + "index 3 is out of bounds for axis 0 with size 3 in dataset \"/x\" of shape [3, 4]")
        #expect(HDF5TestSupport.message { try x.read(selection: [.all, .index(-5)]) }
                == prefix + "index -5 is out of bounds for axis 1 with size 4 in dataset \"/x\" of shape [3, 4]")
        #expect(HDF5TestSupport.message { try x.read(selection: [.index(0), .index(0), .index(0)]) }
                == prefix + "too many indices: dataset \"/x\" of shape [3, 4] is 2-dimensional, but 3 were indexed")
        #expect(HDF5TestSupport.message { try x.read(selection: [.slice(start: nil, stop: nil, step: 0)]) }
                == prefix + "slice step cannot be zero (dataset \"/x\" of shape [3, 4])")
        #expect(HDF5TestSupport.message { try x.read(selection: [.ellipsis, .ellipsis]) }
                == prefix + "an index can only have a single ellipsis (dataset \"/x\" of shape [3, 4])")
        #expect(HDF5TestSupport.message { try x.read(selection: [.array(Tensor([Int64(0)]))]) }
                == prefix + "index arrays and masks are not supported when reading dataset \"/x\" of shape [3, 4] "
                + "from disk; read a slice, then index the tensor")
        #expect(HDF5TestSupport.message { try x.read(rows: 2..<4) }
                == prefix + "rows 2..<4 are out of range for dataset \"/x\" of shape [3, 4]")
        #expect(HDF5TestSupport.message { try s.read(rows: 0..<1) } == prefix + "dataset \"/s\" is a scalar: it has no rows")
        #expect(HDF5TestSupport.message { try s.blocks(rows: 1) } == prefix + "dataset \"/s\" is a scalar: it has no rows")
        #expect(HDF5TestSupport.message { try x.blocks(rows: 0) }
                == prefix + "blocks of 0 rows: the block size must be at least 1")
        #expect(HDF5TestSupport.message { try x.readStrings(selection: [.slice(start: nil, stop: nil, step: -1)]) }
                == prefix + "negative steps are not supported when reading strings")
    }

    @Test("write errors")
    func writeErrors() throws {
        let path = folder + "/w.h5"
        try HDF5.write(path, "x", Tensor.zeros([3, 4]))
        let prefix = "h5.write: \(path): "
        do {
            let readOnly = try HDF5File.open(path)
            #expect(HDF5TestSupport.message { try readOnly.writeDataset("y", Tensor.zeros([2])) }
                    == prefix + "cannot write \"y\": the file is open read-only; open it with mode .readWrite")
            #expect(HDF5TestSupport.message { try readOnly.setAttribute("a", .number(1)) }
                    == prefix + "cannot set attribute \"a\" of \"/\": the file is open read-only; open it with mode "
                    + ".readWrite")
            #expect(HDF5TestSupport.message { try readOnly["x"].setAttribute("a", .number(1)) }
                    == prefix + "cannot set attribute \"a\" of \"/x\": the file is open read-only; open it with mode "
                    + ".readWrite")
            #expect(HDF5TestSupport.message { try HDF5File.open(path, mode: .readWrite) }
                    .hasPrefix("h5.open: \(path): cannot open the file for writing: it is already open in this process "
                               + "in another mode; release the other HDF5File (and its groups and datasets) first "
                               + "(libhdf5: "))
            withExtendedLifetime(readOnly) {}
        }
        let file = try HDF5File.open(path, mode: .readWrite)
        #expect(HDF5TestSupport.message { try file.writeDataset("x", Tensor.zeros([2])) }
                == prefix + "\"/x\" already exists; HDF5 cannot replace a member in place, write a new file "
                + "(HDF5.save) or use another name")
        #expect(HDF5TestSupport.message { try file.writeDataset("/", Tensor.zeros([2])) }
                == prefix + "a member name cannot be empty")
        #expect(HDF5TestSupport.message { try file.writeDataset("c", Tensor.zeros([4, 5]), chunks: [2]) }
                == prefix + "chunk shape [2] does not fit dataset \"c\" of shape [4, 5]: it needs one length per axis, "
                + "each between 1 and the axis length")
        #expect(HDF5TestSupport.message { try file.writeDataset("c", Tensor.zeros([4, 5]), chunks: [2, 6]) }
                .hasSuffix("each between 1 and the axis length"))
        #expect(HDF5TestSupport.message { try file.writeDataset("c", Tensor.zeros([4, 5]), chunks: [0, 5]) }
                .hasSuffix("each between 1 and the axis length"))
        #expect(HDF5TestSupport.message { try file.writeDataset("c", Tensor.zeros([4]), gzip: 10) }
                == prefix + "gzip level 10 for \"c\" is outside 0…9")
        #expect(HDF5TestSupport.message { try file.writeDataset("c", Tensor(scalar: 1.0), gzip: 4) }
                == prefix + "a scalar dataset (\"c\") cannot be compressed")
        #expect(HDF5TestSupport.message { try file.writeDataset("c", Tensor(scalar: 1.0), chunks: []) }
                == prefix + "a scalar dataset (\"c\") cannot be chunked")
        #expect(HDF5TestSupport.message { try file.writeStrings("t", ["a", "b", "c"], shape: [2, 2]) }
                == prefix + "3 strings do not fill the shape [2, 2] of \"t\"")
        #expect(HDF5TestSupport.message { try file.writeStrings("t", ["a\u{0}b"]) }
                == prefix + "dataset \"t\": strings cannot contain the NUL character")
        #expect(HDF5TestSupport.message { try file.setAttribute("t", .string("a\u{0}b")) }
                == prefix + "attribute \"t\": strings cannot contain the NUL character")
        #expect(HDF5TestSupport.message { try file.createGroup("x") }
                == prefix + "\"/x\" already exists; HDF5 cannot replace a member in place, write a new file "
                + "(HDF5.save) or use another name")
        #expect(HDF5TestSupport.message { try file.writeDataset("x/y", Tensor.zeros([2])) }
                .hasPrefix(prefix + "cannot create the dataset \"x/y\" (libhdf5: "))
        #expect(try file.keys() == ["x"])
    }

    @Test("readWrite edits in place; attributes are replaced")
    func editInPlace() throws {
        let path = folder + "/edit.h5"
        try HDF5.write(path, "x", Tensor([1.0, 2.0]), attributes: ["unit": .string("s")])
        do {
            let file = try HDF5File.open(path, mode: .readWrite)
            try file.writeDataset("more/y", Tensor([Int64(7)]))
            try file["x"].setAttribute("unit", .number(3))
            try file.flush()
        }
        let file = try HDF5File.open(path)
        #expect(try file.keys() == ["more", "x"])
        #expect(try file["more/y"].read().scalars(as: Int64.self) == [7])
        #expect(try file["x"].attributes() == ["unit": .number(3)])
    }

    @Test("HDF5.save is all or nothing")
    func atomicSave() throws {
        let path = folder + "/atomic.h5"
        try HDF5.write(path, "x", Tensor([1.0]))
        struct Interrupted: Error {}
        #expect(throws: Interrupted.self) {
            try HDF5.save(path) { file in
                try file.writeDataset("y", Tensor([2.0]))
                throw Interrupted()
            }
        }
        #expect(HDF5TestSupport.message {
            try HDF5.save(path) { file in
                try file.writeDataset("y", Tensor([2.0]))
                try file.writeDataset("y", Tensor([3.0]))
            }
        } == "h5.write: \(path): \"/y\" already exists; HDF5 cannot replace a member in place, write a new file "
            + "(HDF5.save) or use another name")
        #expect(try HDF5File.open(path).keys() == ["x"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["atomic.h5"])
        #expect(HDF5TestSupport.message { try HDF5.write(folder + "/none/a.h5", "x", Tensor([1.0])) }
                == "h5.write: \(folder)/none/a.h5: folder \(folder)/none does not exist")
    }

    @Test("concurrent reads from many threads agree")
    func concurrentReads() throws {
        let whole = try hdf5TestTensor(shape: [40, 9], dtype: .float64, transposed: false, seed: 3)
        let path = folder + "/shared.h5"
        try HDF5.write(path, "z", whole, chunks: [8, 9], gzip: 1)
        let failures = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 16) { worker in
            for round in 0..<10 {
                let start = (worker + round) % 30
                let ok = (try? HDF5File.open(path)["z"].read(rows: start..<(start + 10)))
                    .map { HDF5TestSupport.same($0, try! whole.sliced(axis: 0, start..<(start + 10))) } ?? false
                if !ok { failures.withLock { $0 += 1 } }
            }
        }
        #expect(failures.withLock { $0 } == 0)
    }
}

/// The repository's root, found from this file's path (Tests/DatasetsTests/HDF5Tests.swift).
let hdf5RepositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
let k92Path = hdf5RepositoryRoot.appendingPathComponent("../shared/data/kriegeskorte92/k92.h5").standardized.path
let h5pyPython = hdf5RepositoryRoot.appendingPathComponent(".venv/bin/python").path

@Suite("HDF5 on the Kriegeskorte 92-image data")
struct HDF5K92Tests {
    // Reference values from h5py 3.16.0:
    //   f = h5py.File("../shared/data/kriegeskorte92/k92.h5")
    //   f["images"][0,0,0], f["images"][91,174,174], f["images"][45,87,100], f["images"][10].astype(int).sum()
    //   f["categories"][0], f["categories"][91], f["categories"][:].sum(), list(f["categories"].attrs["labels"])
    //   f["rdm_hIT"][0,1], [3,50], [91,90], f["rdm_hIT"][:].sum()
    //   f["rdm_hIT_subjects"][2,10,20], [7,91,0]; f["rdm_behaviour"][15,3,4], [0,0,1], [:].sum()
    //   x = f["rdm_hIT_subjects"][:][:, 5:10:2, ::-3]; x.shape, x.sum(), x[1,2,0], x[7,0,30]
    @Test("datasets, values and attributes match h5py", .enabled(if: FileManager.default.fileExists(atPath: k92Path),
          "skipped: ../shared/data/kriegeskorte92/k92.h5 is absent beside the checkout"))
    func k92() throws {
        let file = try HDF5File.open(k92Path)
        #expect(try file.keys() == ["categories", "images", "rdm_behaviour", "rdm_hIT", "rdm_hIT_subjects", "rdm_mIT"])
        let images = try file["images"]
        #expect(images.shape == [92, 175, 175, 3] && images.storedType.description == "uint8" && images.dtype == .int64)
        #expect(try images.attribute("layout") == .string("n, height, width, rgb"))
        #expect(try images.read(selection: [.index(0), .index(0), .index(0)]).scalars(as: Int64.self) == [128, 128, 128])
        #expect(try images.read(selection: [.index(91), .index(174), .index(174)]).scalars(as: Int64.self)
                == [128, 128, 128])
        #expect(try images.read(selection: [.index(45), .index(87), .index(100)]).scalars(as: Int64.self)
                == [170, 159, 123])
        #expect(try images.read(rows: 10..<11).scalars(as: Int64.self).reduce(0, +) == 13_025_030)

        let categories = try file["categories"]
        #expect(categories.shape == [92, 12])
        let table = try categories.read()
        #expect(try table.get([.index(0)]).scalars(as: Int64.self) == [1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0])
        #expect(try table.get([.index(91)]).scalars(as: Int64.self) == [0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0])
        #expect(table.scalars(as: Int64.self).reduce(0, +) == 353)
        #expect(try categories.attribute("labels") == .strings(["animate", "inanim", "human", "nonhumani", "body",
                                                               "face", "natObj", "artiObj", "rand24", "rand48",
                                                               "other48", "monkeyape"]))

        let rdm = try file["rdm_hIT"].read()
        #expect(rdm.shape == [92, 92] && rdm.dtype == .float64)
        #expect(try rdm.scalar(at: [0, 1]) == 0.9356239885091782)
        #expect(try rdm.scalar(at: [3, 50]) == 0.9901761710643768)
        #expect(try rdm.scalar(at: [91, 90]) == 0.7750169783830643)
        #expect(abs(HDF5TestSupport.elements(rdm).reduce(0, +) - 7098.92915314436) < 1e-9)
        for i in 0..<92 {
            #expect(try rdm.scalar(at: [i, i]) == 0)
            for j in 0..<i where try rdm.scalar(at: [i, j]) != rdm.scalar(at: [j, i]) {
                Issue.record("rdm_hIT is not symmetric at [\(i), \(j)]")
            }
        }
        #expect(try file["rdm_hIT"].attribute("description") == .string("human IT, 316 voxels, 1 - Pearson r"))

        let subjects = try file["rdm_hIT_subjects"]
        #expect(subjects.shape == [8, 92, 92])
        #expect(try subjects.read(selection: [.index(2), .index(10), .index(20)]).item() == 0.7500494718551636)
        #expect(try subjects.read(selection: [.index(7), .index(91), .index(0)]).item() == 0.8561561107635498)
        let names = try subjects.attribute("names")
        guard case .strings(let list) = names else { Issue.record("names: \(names)"); return }
        #expect(list.count == 8 && Array(list.prefix(3)) == ["hIT | BE | Session: 1", "hIT | BE | Session: 2",
                                                             "hIT | KO | Session: 1"])
        let strided = try subjects.read(selection: [.all, .slice(start: 5, stop: 10, step: 2),
                                                    .slice(start: nil, stop: nil, step: -3)])
        #expect(strided.shape == [8, 3, 31])
        #expect(abs(HDF5TestSupport.elements(strided).reduce(0, +) - 607.1114271879196) < 1e-9)
        #expect(try strided.scalar(at: [1, 2, 0]) == 1.0034669637680054)
        #expect(try strided.scalar(at: [7, 0, 30]) == 0.7184240818023682)

        let behaviour = try file["rdm_behaviour"]
        #expect(behaviour.shape == [16, 92, 92])
        var total = 0.0, blocks = 0
        try behaviour.forEachBlock(rows: 5) { rows, block in
            total += HDF5TestSupport.elements(block).reduce(0, +)
            blocks += 1
            if rows.contains(15) {
                let value = try block.scalar(at: [15 - rows.lowerBound, 3, 4])
                #expect(value == 0.008489275704478227)
            }
        }
        #expect(blocks == 4 && abs(total - 1842.1574445706851) < 1e-9)
        #expect(try behaviour.read(selection: [.index(0), .index(0), .index(1)]).item() == 0.025375314041887868)
    }
}

@Suite("HDF5 files bm writes, read by h5py")
struct HDF5H5pyTests {
    /// Runs h5py on a file bm wrote; only where the development venv exists (`.venv/`, see hdf5_fixtures.py).
    @Test("h5py reads every dtype, strings, attributes and gzip chunks",
          .enabled(if: FileManager.default.isExecutableFile(atPath: h5pyPython),
                   "skipped: no .venv/bin/python with h5py (development only)"))
    func h5pyReads() throws {
        let folder = HDF5TestSupport.temporaryFolder()
        let path = folder + "/bm.h5"
        try HDF5.save(path) { file in
            try file.writeDataset("f32", try Tensor([[Float(1.5), -2], [3, 4.25]]), chunks: [1, 2], gzip: 4,
                                  attributes: ["unit": .string("μV"), "scale": .number(0.5)])
            try file.writeDataset("f64", Tensor([Double.pi, -0.0, 1e300]))
            try file.writeDataset("i64", Tensor([Int64.min, 0, Int64.max]).reshaped([3, 1]))
            try file.writeDataset("flags", Tensor([true, false, true]))
            try file.writeDataset("scalar", Tensor(scalar: 7.0))
            try file.writeStrings("group/labels", ["face", "maison ☺"])
            try file.setAttribute("names", .strings(["a", "b"]))
            try file.setAttribute("mask", .numbers(Tensor([false, true])))
        }
        let script = """
            import h5py, json
            f = h5py.File(\"\(path)\", "r")
            out = {}
            for name in ["f32", "f64", "i64", "flags", "scalar"]:
                d = f[name]
                out[name] = [str(d.dtype), list(d.shape), d[()].tolist()]
            out["f32_filters"] = [f["f32"].compression, f["f32"].compression_opts, f["f32"].shuffle, list(f["f32"].chunks)]
            out["f32_attrs"] = [f["f32"].attrs["unit"], float(f["f32"].attrs["scale"])]
            out["labels"] = f["group/labels"].asstr()[()].tolist()
            out["names"] = list(f.attrs["names"])
            out["mask"] = [str(f.attrs["mask"].dtype), f.attrs["mask"].tolist()]
            print(json.dumps(out, sort_keys=True, ensure_ascii=False))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: h5pyPython)
        process.arguments = ["-c", script]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(text == #"{"f32": ["float32", [2, 2], [[1.5, -2.0], [3.0, 4.25]]], "# +
                #""f32_attrs": ["μV", 0.5], "f32_filters": ["gzip", 4, true, [1, 2]], "# +
                #""f64": ["float64", [3], [3.141592653589793, -0.0, 1e+300]], "flags": ["bool", [3], [true, false, true]], "# +
                #""i64": ["int64", [3, 1], [[-9223372036854775808], [0], [9223372036854775807]]], "# +
                #""labels": ["face", "maison ☺"], "mask": ["bool", [false, true]], "names": ["a", "b"], "# +
                #""scalar": ["float64", [], 7.0]}"#)
    }
}
