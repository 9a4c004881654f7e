import Foundation
import Testing
import Tensors
@testable import Datasets

/// Damaged files: every read either throws a `DataError` or returns what the intact file holds; never a crash, a
/// hang, a foreign error type, or an allocation of a size the damaged header claims. Runs in-process: libhdf5
/// reports most damage as errors, which bm turns into `DataError`s, and the damage that makes libhdf5 itself crash
/// or loop is caught by the check `HDF5File.open` runs in a separate process.
@Suite("HDF5 hostile files")
struct HDF5HostileTests {
    let folder = HDF5TestSupport.temporaryFolder()

    static let fixtures = ["types.h5", "attributes.h5", "layout.h5", "matlab_v73.mat"]

    /// Short, so that damaged copies that make libhdf5 loop cost seconds, not minutes (the default is 60 s); a tiny
    /// file's walk takes milliseconds.
    static let checkTimeLimit: Double = 4
    /// For the checks whose outcome is known (a refusal, or an intact file that passes): bm's own default, since a
    /// child that loses the cores to the rest of a parallel test run can take more than 4 s (it did in one CI run),
    /// while the outcome asserted stays exact.
    static let knownOutcomeTimeLimit: Double = 60

    /// Everything readable in the file, by path: datasets' values (or their DataError) and attributes.
    /// Throws only `DataError`s from opening and listing; a non-DataError is recorded as a test failure.
    static func readEverything(_ path: String) throws -> [String: String] {
        var contents: [String: String] = [:]
        func outcome(_ body: () throws -> String) -> String {
            do { return try body() } catch let error as DataError { return "error: \(error.message)" } catch {
                Issue.record("not a DataError: \(error)")
                return "foreign error"
            }
        }
        func describe(_ tensor: Tensor) -> String {
            "\(tensor.dtype) \(tensor.shape) \(HDF5TestSupport.elements(tensor).map { $0.isNaN ? "nan" : "\($0)" })"
        }
        func walk(_ group: HDF5Group) throws {
            for name in try group.attributeNames() {
                contents[group.path + "@" + name] = outcome { "\(try group.attribute(name))" }
            }
            for name in try group.keys() {
                let isGroup: Bool
                do { isGroup = try group.isGroup(name) } catch let error as DataError {
                    contents[group.path + "/" + name] = "error: \(error.message)"
                    continue
                }
                if isGroup {
                    try walk(try group.group(name))
                    continue
                }
                contents[group.path + "/" + name] = outcome {
                    let dataset = try group.dataset(name)
                    var text = "\(dataset.shape) \(dataset.storedType): "
                    for attribute in try dataset.attributeNames() {
                        text += "@\(attribute)=\(outcome { "\(try dataset.attribute(attribute))" }) "
                    }
                    if dataset.storedType.isString { return text + "\(try dataset.readStrings())" }
                    text += describe(try dataset.read())
                    if let rows = dataset.shape.first, rows > 1 {
                        text += " rows " + describe(try dataset.read(rows: 1..<rows))
                        var blocks = ""
                        try dataset.forEachBlock(rows: 2) { _, block in blocks += describe(block) }
                        text += " blocks " + blocks
                    }
                    return text
                }
            }
        }
        try walk(try HDF5File.open(path, mode: .read, checkTimeLimit: checkTimeLimit))
        return contents
    }

    /// Runs `readEverything` on a damaged copy: a `DataError` is fine; any other error is a failure.
    static func readDamaged(_ path: String) -> [String: String]? {
        do { return try readEverything(path) } catch is DataError { return nil } catch {
            Issue.record("not a DataError: \(error)")
            return nil
        }
    }

    @Test("a file cut at every tenth of its length gives an error or the intact values", arguments: fixtures)
    func truncated(fixture: String) throws {
        let original = try Data(contentsOf: URL(fileURLWithPath: HDF5TestSupport.fixture(fixture)))
        let intact = try Self.readEverything(HDF5TestSupport.fixture(fixture))
        #expect(!intact.isEmpty && !intact.values.contains { $0.contains("foreign") })
        var failures = 0
        for tenth in 0..<10 {
            let path = folder + "/cut-\(tenth)-\(fixture)"
            try original.prefix(original.count * tenth / 10).write(to: URL(fileURLWithPath: path))
            guard let damaged = Self.readDamaged(path) else { failures += 1; continue }
            for (key, value) in damaged where !value.hasPrefix("error: ") {
                #expect(intact[key] == value, "\(fixture) cut at \(tenth)/10: \(key)")
            }
        }
        // libhdf5 checks the end-of-file address the superblock records, so every cut copy is refused at open.
        #expect(failures == 10)
        let message = HDF5TestSupport.message { try HDF5File.open(folder + "/cut-5-\(fixture)") }
        #expect(message.hasPrefix("h5.open: \(folder)/cut-5-\(fixture): cannot open the file: it is corrupt or "
                                  + "truncated (libhdf5: truncated file: eof = "))
    }

    /// A file bm writes: every kind of content, in the checksummed HDF5 1.8 format bm writes.
    static func writeRichFile(_ path: String) throws {
        try HDF5.save(path) { file in
            try file.setAttribute("title", .string("hostile ☺"))
            try file.setAttribute("numbers", .numbers(Tensor([1.5, 2.5, 3.5])))
            try file.writeDataset("contiguous", try Tensor(shape: [6, 5], scalars: (0..<30).map { Double($0) }),
                                  attributes: ["unit": .string("s"), "scale": .number(2)])
            try file.writeDataset("group/chunked", try Tensor(shape: [12, 4], scalars: (0..<48).map { Float($0) }),
                                  chunks: [4, 4], gzip: 4)
            try file.writeDataset("group/flags", Tensor([true, false, true, true]))
            try file.writeDataset("group/deeper/ints", Tensor([Int64(-3), 4, 5]))
            try file.writeStrings("labels", ["face", "body", "maison", "mot"], attributes: ["n": .number(4)])
        }
    }

    /// Outcome counts of reading damaged variants of `original`: each variant flips 1–4 random bytes at `positions`.
    struct FlipCounts { var refused = 0, refusedByCheck = 0, partly = 0, whole = 0 }

    func flipVariants(_ original: [UInt8], positions: [Int], variants: Int, seed: UInt64, name: String) throws
        -> FlipCounts {
        var random = HDF5TestRandom(seed)
        var counts = FlipCounts()
        for variant in 0..<variants {
            var bytes = original
            for _ in 0..<random.integer(1...4) {
                let position = positions[random.integer(0...(positions.count - 1))]
                bytes[position] ^= UInt8(truncatingIfNeeded: random.integer(1...255))
            }
            let path = folder + "/flip-\(variant)-\(name)"
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            do {
                let damaged = try Self.readEverything(path)
                if damaged.values.contains(where: { $0.hasPrefix("error") }) { counts.partly += 1 } else { counts.whole += 1 }
            } catch let error as DataError {
                counts.refused += 1
                if error.message.contains("separate process") { counts.refusedByCheck += 1 }
            } catch {
                Issue.record("not a DataError: \(error)")
            }
            try FileManager.default.removeItem(atPath: path)
        }
        return counts
    }

    /// The global heap collections ("GCOL": variable-length strings) of a file: libhdf5 reads them without any
    /// checksum in every format. Flipping byte 2077 of the one in `writeRichFile`'s output crashed libhdf5 1.10.8 in
    /// memcpy and flipping byte 3638 made it loop forever, before bm checked files in a separate process.
    static func globalHeapRanges(_ bytes: [UInt8]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        for position in 0..<(bytes.count - 16) {
            let signature = String(decoding: bytes[position..<(position + 4)], as: UTF8.self)
            if signature == "GCOL" {
                let size = bytes[(position + 8)..<(position + 16)].reversed().reduce(0) { $0 << 8 | Int($1) }
                ranges.append(position..<Swift.min(bytes.count, position + Swift.max(size, 16)))
            }
        }
        return ranges
    }

    @Test("random byte flips anywhere in a file bm wrote give an error or a read, never a crash or a hang")
    func flipped() throws {
        let source = folder + "/rich.h5"
        try Self.writeRichFile(source)
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: source)))
        let intact = try Self.readEverything(source)
        #expect(intact.count == 7 && !intact.values.contains { $0.hasPrefix("error") })
        let counts = try flipVariants(original, positions: Array(0..<original.count), variants: 600, seed: 2026,
                                      name: "rich.h5")
        // Flips in metadata are caught by its checksums; flips in raw data read as (wrong) numbers.
        #expect(counts.refused + counts.partly + counts.whole == 600 && counts.refused > 0 && counts.whole > 0)
        print("byte flips in a bm file: \(counts.refused) refused at open (\(counts.refusedByCheck) by the separate-"
              + "process check), \(counts.partly) partly readable, \(counts.whole) read without error")
    }

    /// Bytes 2077 and 3638 of the global heap, which crashed and hung libhdf5 1.10.8 in-process, now give errors.
    @Test("flips in the global heap that crash or hang libhdf5 are refused by the separate-process check")
    func globalHeapFlips() throws {
        let source = folder + "/rich-heap.h5"
        try Self.writeRichFile(source)
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: source)))
        let heap = try #require(Self.globalHeapRanges(original).first)
        let counts = try flipVariants(original, positions: Array(heap), variants: 200, seed: 7, name: "heap.h5")
        #expect(counts.refused + counts.partly + counts.whole == 200)
        print("byte flips in the global heap: \(counts.refused) refused at open (\(counts.refusedByCheck) by the "
              + "separate-process check), \(counts.partly) partly readable, \(counts.whole) read without error")
    }

    /// Files h5py and MATLAB write (the 1.0 format): no checksums anywhere, so every damaged structure reaches
    /// libhdf5 unchecked. Before the check poisoned its child's allocations, some of these flips made libhdf5 free
    /// uninitialised pointers (a half-built attribute table) in bm's own process: a crash or a corrupted heap.
    @Test("random byte flips in files h5py and MATLAB wrote give an error or a read, never a crash or a hang",
          arguments: fixtures)
    func flippedH5pyFiles(fixture: String) throws {
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: HDF5TestSupport.fixture(fixture))))
        let counts = try flipVariants(original, positions: Array(0..<original.count), variants: 300, seed: 11,
                                      name: fixture)
        #expect(counts.refused + counts.partly + counts.whole == 300 && counts.whole + counts.partly > 0)
        print("byte flips in \(fixture): \(counts.refused) refused at open (\(counts.refusedByCheck) by the "
              + "separate-process check), \(counts.partly) partly readable, \(counts.whole) read without error")
    }

    @Test("a file that crashes libhdf5 in the check's child process is refused with a message saying so")
    func crashMessage() throws {
        // Found by random flips: byte 1363 of attributes.h5 (0x00 → 0xdf), in one of its attribute messages,
        // makes libhdf5 1.10.8 fail halfway through building the group's attribute table and then close the entries
        // it never initialised (H5A__attr_release_table). The child poisons its memory first, so that this crashes
        // there every time. (Crashes that depend on what lies around libhdf5's buffers, such as an enumeration size
        // flipped to millions, are no stable example: in one CI run the child got past one and its datatype check
        // refused it.)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: HDF5TestSupport.fixture("attributes.h5"))))
        #expect(Array(bytes[1356..<1364]) == [0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00])
        bytes[1363] ^= 0xdf
        let path = folder + "/crash.h5"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let outcome = HDF5Validation.outcome(of: path, timeLimit: Self.checkTimeLimit)
        let message = HDF5TestSupport.message { _ = try Self.readEverything(path) }
        switch outcome {
        case .crashed(let signal):
            #expect(message == "h5.open: \(path): cannot open the file: it is corrupt: libhdf5 crashed (signal "
                    + "\(signal)) reading its structure, in the separate process bm uses to check HDF5 files before "
                    + "opening them")
        case .timedOut, .stuck:
            #expect(message.contains("did not finish reading its structure within 4 s"))
        case .finished, .inconsistent, .couldNotStart:
            Issue.record("byte 1363 no longer crashes libhdf5 \(HDF5File.libraryVersion): \(outcome); pick another")
        }
    }

    /// Writes `bytes` as `name` in the test folder, and expects the check's child to find `inconsistency` in it and
    /// `h5.open` to refuse it naming the damage as `detail`.
    func expectRefused(_ bytes: [UInt8], name: String, as inconsistency: HDF5Validation.Inconsistency,
                       saying detail: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let path = folder + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(HDF5Validation.outcome(of: path, timeLimit: Self.knownOutcomeTimeLimit)
                == .inconsistent(inconsistency),
                "\(name)", sourceLocation: sourceLocation)
        let message = HDF5TestSupport.message { _ = try Self.readEverything(path) }
        #expect(message == "h5.open: \(path): cannot open the file: it is corrupt: \(detail) (found by the separate "
                + "process bm uses to check HDF5 files before opening them)", "\(name)", sourceLocation: sourceLocation)
    }

    @Test("an attribute whose dataspace size field exceeds its message is refused before libhdf5 reads past it")
    func attributeSizesBeyondMessage() throws {
        // Found by random flips: byte 1247 of attributes.h5 is the high byte of the dataspace size (8 → 40 200) of
        // attribute "string" at the root. libhdf5 1.10.8 then copies the value from 40 KB past the message: a crash
        // in a small process, nothing visible in a large one — until the copy runs off the end of the heap.
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: HDF5TestSupport.fixture("attributes.h5"))))
        #expect(Array(bytes[1240..<1254]) == [0x01, 0x00, 0x07, 0x00, 0x14, 0x00, 0x08, 0x00]
                + Array("string".utf8))
        bytes[1247] ^= 0x9d
        try expectRefused(bytes, name: "attribute-sizes.h5", as: .attributeSizes,
                          saying: "the sizes in an attribute's header message exceed the message")
        // The intact file passes the same check.
        #expect(HDF5Validation.outcome(of: HDF5TestSupport.fixture("attributes.h5"),
                                       timeLimit: Self.knownOutcomeTimeLimit) == .finished)
    }

    /// The reference of a variable-length string, as the file stores it: 4-byte length, collection address,
    /// 4-byte object index; `at` is its first byte.
    static func heapReference(_ bytes: [UInt8], at: Int) -> (length: Int, collection: Int, index: Int) {
        func number(_ range: Range<Int>) -> Int { bytes[range].reversed().reduce(0) { $0 << 8 | Int($1) } }
        return (number(at..<(at + 4)), number((at + 4)..<(at + 12)), number((at + 12)..<(at + 16)))
    }

    @Test("variable-length strings whose global heap references do not match their collection are refused",
          arguments: [
              // attributes.h5: the root's attribute "string" ("réponse", 8 bytes) refers to object 1 of the
              // collection at 4096, from byte 1288; types.h5: the second string of dataset "vlen_utf8" ("body") to
              // object 6 of the collection at 2048, from byte 6853.
              ("attributes.h5", 1288, 8, 4096, 1),
              ("types.h5", 6853, 4, 2048, 6),
          ])
    func damagedHeapReferences(reference: (fixture: String, at: Int, length: Int, collection: Int, index: Int))
        throws {
        let (fixture, at, length, collection, index) = reference
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: HDF5TestSupport.fixture(fixture))))
        #expect(Self.heapReference(original, at: at) == (length, collection, index))
        #expect(Array(original[collection..<(collection + 5)]) == Array("GCOL".utf8) + [1])
        let referenceMessage = "a variable-length value refers to an object its global heap collection does not "
            + "hold, or to one of another size than the value's length"
        let collectionMessage = "a global heap collection (where variable-length strings are stored) extends past "
            + "the end of the file, or one of its objects past the collection"
        // Damage in the reference: an index past the collection's objects, an index of no object (0 is its free
        // space), a length longer than the object (libhdf5 copies the object whole into a buffer of that length,
        // so a shorter one overflows it); damage in the collection: its size, and the size of the object.
        let objectSize = collection + 16 + 8
        let damages: [(name: String, position: Int, value: UInt8, message: String)] = [
            ("index", at + 12, 200, referenceMessage), ("free-space", at + 12, 0, referenceMessage),
            ("longer", at, UInt8(length + 1), referenceMessage), ("shorter", at, UInt8(length - 1), referenceMessage),
            ("collection-size", collection + 8 + 3, 0x40, collectionMessage),
            ("object-size", objectSize + 4, 0x10, collectionMessage),
        ]
        for damage in damages {
            var bytes = original
            bytes[damage.position] = damage.value
            try expectRefused(bytes, name: "heap-\(damage.name)-\(fixture)",
                              as: damage.message == referenceMessage ? .heapReference : .heapCollection,
                              saying: damage.message)
        }
        #expect(HDF5Validation.outcome(of: HDF5TestSupport.fixture(fixture),
                                       timeLimit: Self.knownOutcomeTimeLimit) == .finished)
    }

    @Test("an enumeration whose base type's size disagrees with its own is refused before libhdf5 converts it")
    func enumerationSizes() throws {
        // Found by random flips: types.h5's enumeration (BLUE, GREEN, RED) has size 1, its base type (an 8-bit
        // integer) from byte 17872; flipping byte 17877 makes the base type 19 969 bytes long. libhdf5 1.10.8 then
        // copies each member's value with that size, from far past the datatype message: a crash, or not.
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: HDF5TestSupport.fixture("types.h5"))))
        #expect(Array(bytes[17864..<17880]) == [0x18, 0x03, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
                                                0x10, 0x08, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00])
        bytes[17877] ^= 0x4e
        try expectRefused(bytes, name: "enumeration-sizes.h5", as: .datatypeSizes,
                          saying: "a datatype's sizes disagree (an enumeration's and its base type's, a compound's "
                            + "and a member's, an array's and its elements', or a number's and its bit fields')")
    }

    @Test("truncated copies of a file bm wrote are refused at open")
    func truncatedBmFile() throws {
        let source = folder + "/rich.h5"
        try Self.writeRichFile(source)
        let original = try Data(contentsOf: URL(fileURLWithPath: source))
        for tenth in 0..<10 {
            let path = folder + "/cut-\(tenth).h5"
            try original.prefix(original.count * tenth / 10).write(to: URL(fileURLWithPath: path))
            let message = HDF5TestSupport.message { try HDF5File.open(path) }
            #expect(message.hasPrefix("h5.open: \(path): "), "\(message)")
            #expect(message.contains("truncated") || message.contains("empty"), "\(message)")
        }
    }

    /// libhdf5 opens this one (its superblock was patched to agree with the cut), so bm's own check must refuse
    /// the contiguous data that extends past the end of the file.
    @Test("contiguous data claiming more than the file holds is refused before allocating")
    func contiguousBeyondEnd() throws {
        let path = HDF5TestSupport.fixture("cut_contiguous.h5")
        let dataset = try HDF5File.open(path)["x"]
        #expect(dataset.shape == [4242])
        #expect(HDF5TestSupport.message { try dataset.read() }
                == "h5.read: \(path): dataset \"/x\" claims 33936 bytes at offset 2048 but the file has 2248 bytes: "
                + "it is truncated or corrupt")
    }

    @Test("absurd dimensions are refused before allocating")
    func absurdDimensions() throws {
        let path = HDF5TestSupport.fixture("absurd_shape.h5")
        let file = try HDF5File.open(path)
        let memory = ProcessInfo.processInfo.physicalMemory
        for name in ["contiguous", "chunked"] {
            let dataset = try file[name]
            #expect(dataset.shape == [1 << 40])
            // int8 is read as int64: 8 bytes per element.
            #expect(HDF5TestSupport.message { try dataset.read() }
                    == "h5.read: \(path): dataset \"/\(name)\" of shape [1099511627776] needs 1099511627776 × 8 bytes, "
                    + "more than this machine's memory (\(memory) bytes); read it in blocks, or the file is corrupt")
            // A few rows are a fair request; libhdf5 then finds the data missing or damaged, or reads it.
            let rows = HDF5TestSupport.message { try dataset.read(rows: 0..<4) }
            #expect(rows == "no error" || rows.hasPrefix("h5.read: \(path): "), "\(rows)")
        }
    }
}

/// The separate-process check must not disturb the rest of the process: glibc's fork() would run OpenBLAS's atfork
/// handler, which stops BLAS's thread pool under a call running on another thread (a hang found by the golden
/// scripts, where a ridge's eigendecomposition ran while another script opened an HDF5 file).
@Suite("HDF5 check beside BLAS")
struct HDF5CheckBesideBLASTests {
    @Test("opening files while another thread runs BLAS finishes, and BLAS's results are right")
    func openingBesideBLAS() async throws {
        let folder = HDF5TestSupport.temporaryFolder()
        let matrix = try Tensor.randomNormal([384, 384], seed: 3)
        let expected = try Tensor.matmul(matrix, matrix.transposed())
        let blas = Task.detached { () throws -> Bool in
            var same = true
            for _ in 0..<40 {
                let product = try Tensor.matmul(matrix, matrix.transposed())
                same = same && product.scalars(as: Double.self) == expected.scalars(as: Double.self)
            }
            return same
        }
        for index in 0..<60 {
            let path = folder + "/beside-\(index).h5"
            try HDF5.write(path, "x", Tensor([Double(index)]))
            #expect(try HDF5File.open(path)["x"].read().scalars(as: Double.self) == [Double(index)])
        }
        #expect(try await blas.value)
    }
}
