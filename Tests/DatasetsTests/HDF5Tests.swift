import Foundation
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
        let data = try file["gzip_chunked"].read()
        #expect(data.shape == [40, 30] && data.dtype == .float32)
        #expect(try data.scalar(at: [0, 0]) == -2.4432058334350586)
        #expect(try data.scalar(at: [39, 29]) == 1.7633498907089233)
        #expect(try data.scalar(at: [17, 5]) == 0.06097333878278732)
        #expect(abs(HDF5TestSupport.elements(data).reduce(0, +) - -0.4732476944918744) < 1e-9)
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

    @Test("missing files, folders, empty and non-HDF5 files")
    func openErrors() throws {
        #expect(HDF5TestSupport.message { try HDF5File.open(folder + "/absent.h5") }
                == "h5.open: \(folder)/absent.h5: no such file")
        #expect(HDF5TestSupport.message { try HDF5File.open(folder) }
                == "h5.open: \(folder): this is a folder, not an HDF5 file")
        FileManager.default.createFile(atPath: folder + "/empty.h5", contents: Data())
        #expect(HDF5TestSupport.message { try HDF5File.open(folder + "/empty.h5") }
                == "h5.open: \(folder)/empty.h5: the file is empty, not an HDF5 file")
        FileManager.default.createFile(atPath: folder + "/notes.h5", contents: Data("voxel,beta\n1,2\n".utf8))
        #expect(HDF5TestSupport.message { try HDF5File.open(folder + "/notes.h5") }
                == "h5.open: \(folder)/notes.h5: not an HDF5 file (no HDF5 signature at byte 0, 512, 1024, …)")
        #expect(HDF5TestSupport.message { try HDF5File.create(folder + "/absent/new.h5") }
                == "h5.create: \(folder)/absent/new.h5: folder \(folder)/absent does not exist")
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
