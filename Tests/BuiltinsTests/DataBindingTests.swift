import Builtins
import Foundation
import Language
import Tensors
import Testing

/// The data libraries seen from a host: documentation of every function, values scripts get, and the real data in
/// `../shared/data` read through the language.
@Suite struct DataBindingTests {
    func interpreter() throws -> Interpreter {
        let interpreter = try Interpreter()
        Builtins.install(into: interpreter)
        return interpreter
    }

    /// The repository root, from this file's path.
    static let root: String = {
        String(#filePath).split(separator: "/", omittingEmptySubsequences: false).dropLast(3).joined(separator: "/")
    }()
    static let shared = root + "/../shared/data"
    static let hasSharedData = FileManager.default.fileExists(atPath: shared + "/kriegeskorte92/k92.h5")
        && FileManager.default.fileExists(atPath: shared + "/lfw_faces/lfw_subset.npy")

    static let documented = [
        "h5.open", "h5.read", "h5.write", "npy.load", "npy.save", "npz.load", "npz.save", "safetensors.load",
        "safetensors.save", "safetensors.metadata", "csv.read", "csv.write", "table", "images.load", "images.save",
        "images.resize", "images.center_crop", "images.normalize", "images.channels_first", "images.channels_last",
        "images.list", "tmpdir", "recording", "dataset", "datasets.load",
    ]

    @Test(arguments: documented)
    func everyFunctionStatesItsSignatureResultAndErrors(_ name: String) throws {
        let bm = try interpreter()
        var printed = ""
        bm.output = { printed += $0 }
        try bm.run(source: "help(\(name))", file: "help.bm")
        let shortName = name.split(separator: ".").last!
        #expect(printed.contains("\(shortName)("), "help(\(name)) shows the signature: \(printed)")
        #expect(printed.contains("→"), "help(\(name)) says what it returns: \(printed)")
        #expect(printed.contains("Errors"), "help(\(name)) lists its errors: \(printed)")
    }

    @Test func objectMethodsAreDocumented() throws {
        let bm = try interpreter()
        var printed = ""
        bm.output = { printed += $0 }
        try bm.run(source: """
            let path = "{tmpdir()}/d.h5"
            h5.write(path, "x", ones([4, 2]))
            let f = h5.open(path)
            help(f["x"].blocks)
            help(table({a: [1]}).filter)
            help(dataset(stimuli=zeros([4, 1])).split)
            """, file: "help.bm")
        #expect(printed.contains("blocks(rows)"))
        #expect(printed.contains("filter(mask)"))
        #expect(printed.contains("split(k=nil, seed=nil, train=nil, test=nil, shared=false)"))
    }

    @Test func scriptsGetTensorsRecordsAndObjects() throws {
        let bm = try interpreter()
        try bm.run(source: """
            let dir = tmpdir()
            npz.save("{dir}/a.npz", {x: arange(6).reshape(2, 3), y: ones([2])})
            let archive = npz.load("{dir}/a.npz")
            h5.write("{dir}/b.h5", "betas", arange(20, dtype="float64").reshape(5, 4))
            let slab = h5.open("{dir}/b.h5")["betas"][1:3, ::2]
            """, file: "values.bm")
        #expect(try bm.evaluate("archive.keys()") == .makeList([.string("x"), .string("y")]))
        #expect(try bm.evaluate("archive.x.shape") == .makeList([.number(2), .number(3)]))
        #expect(try bm.evaluate("slab.tolist()")
                == .makeList([.makeList([.number(4), .number(6)]), .makeList([.number(8), .number(10)])]))
        #expect(try bm.evaluate("type(h5.open(\"{dir}/b.h5\"))") == .string("h5.file"))
    }

    @Test func tmpdirGivesDistinctEmptyFolders() throws {
        let bm = try interpreter()
        guard case .string(let first) = try bm.evaluate("tmpdir()"), case .string(let second) = try bm.evaluate("tmpdir()")
        else { Issue.record("tmpdir() did not return strings"); return }
        #expect(first != second)
        #expect(try FileManager.default.contentsOfDirectory(atPath: first).isEmpty)
        try? FileManager.default.removeItem(atPath: first)
        try? FileManager.default.removeItem(atPath: second)
    }

    @Test func engineErrorsCarryTheScriptLocation() throws {
        let bm = try interpreter()
        do {
            try bm.run(source: "let x = 1\nlet f = h5.open(\"/nonexistent-bm/a.h5\")\n", file: "open.bm")
            Issue.record("expected an error")
        } catch let error as ScriptError {
            #expect(error.description.hasPrefix("open.bm:2:12: error: h5.open: /nonexistent-bm/a.h5: no such file"))
        }
    }

    // MARK: Real data

    @Test(.enabled(if: hasSharedData, "../shared/data (kriegeskorte92, lfw_faces) is absent beside the checkout"))
    func k92ImagesEqualThePNGFolderAndRDMsAreDistances() throws {
        let bm = try interpreter()
        let folder = Self.shared + "/kriegeskorte92"
        try bm.run(source: """
            let f = h5.open("\(folder)/k92.h5")
            let stored = f["images"]
            let pngs = images.load("\(folder)/stimuli")
            let fromFile = stored.read().astype("float32") / 255
            let rdms = [f["rdm_hIT"].read(), f["rdm_mIT"].read()] + list(f["rdm_hIT_subjects"].read())
            """, file: "k92.bm")
        #expect(try bm.evaluate("stored.shape") == .makeList([92, 175, 175, 3].map { .number($0) }))
        #expect(try bm.evaluate("pngs.shape") == .makeList([92, 175, 175, 3].map { .number($0) }))
        #expect(try bm.evaluate("pngs.dtype") == .string("float32"))
        #expect(try bm.evaluate("(fromFile - pngs).abs().max()") == .number(0))
        // A hyperslab read gives the same pixels as the whole read.
        #expect(try bm.evaluate("(stored[10:12, 50:60, :, 1] == stored.read()[10:12, 50:60, :, 1]).all()") == .bool(true))
        #expect(try bm.evaluate("len(rdms)") == .number(10))
        for index in 0..<10 {
            #expect(try bm.evaluate("rdms[\(index)].shape") == .makeList([.number(92), .number(92)]))
            #expect(try bm.evaluate("(rdms[\(index)] == rdms[\(index)].T).all()") == .bool(true), "RDM \(index) symmetric")
            #expect(try bm.evaluate("(rdms[\(index)] * eye(92)).abs().sum()") == .number(0), "RDM \(index) diagonal")
            #expect(try bm.evaluate("rdms[\(index)].min() >= 0") == .bool(true))
        }
        #expect(try bm.evaluate("f[\"categories\"].attrs.labels[5]") == .string("face"))
    }

    @Test(.enabled(if: hasSharedData, "../shared/data (kriegeskorte92, lfw_faces) is absent beside the checkout"))
    func lfwSubsetLoadsWithItsShape() throws {
        let bm = try interpreter()
        try bm.run(source: "let faces = npy.load(\"\(Self.shared)/lfw_faces/lfw_subset.npy\")", file: "lfw.bm")
        #expect(try bm.evaluate("faces.shape") == .makeList([.number(200), .number(25), .number(25)]))
        #expect(try bm.evaluate("faces.dtype") == .string("float64"))
        #expect(try bm.evaluate("faces.min() >= 0 and faces.max() <= 1") == .bool(true))
    }

    @Test(.enabled(if: hasSharedData, "../shared/data (kriegeskorte92, lfw_faces) is absent beside the checkout"))
    func k92BecomesADatasetThatSurvivesASaveAndLoad() throws {
        let bm = try interpreter()
        let folder = Self.shared + "/kriegeskorte92"
        try bm.run(source: """
            let f = h5.open("\(folder)/k92.h5")
            let categories = f["categories"].read()
            let ds = dataset(stimuli=images.load("\(folder)/stimuli", size=64),
                             metadata={animate: categories[:, 0], face: categories[:, 5]},
                             recordings={hIT: recording(randn([92, 50], seed=1), repeats=randn([2, 92, 50], seed=2))})
            ds.split(k=4, seed=3)
            let path = "{tmpdir()}/k92.h5"
            ds.save(path)
            let back = datasets.load(path)
            """, file: "k92_dataset.bm")
        #expect(try bm.evaluate("back.stimuli.shape") == .makeList([92, 64, 64, 3].map { .number($0) }))
        #expect(try bm.evaluate("(back.stimuli == ds.stimuli).all()") == .bool(true))
        #expect(try bm.evaluate("back.metadata[\"animate\"].sum()") == bm.evaluate("categories[:, 0].sum()"))
        #expect(try bm.evaluate("len(back.filter(\"face\", 1))") == bm.evaluate("categories[:, 5].sum()"))
        #expect(try bm.evaluate("(back[\"hIT\"].repeats == ds[\"hIT\"].repeats).all()") == .bool(true))
        #expect(try bm.evaluate("len(back.splits)") == .number(4))
    }
}
