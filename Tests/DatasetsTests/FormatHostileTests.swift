#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import Datasets
@testable import Tensors

/// Damaged and malicious files: every load must end in a `DataError` or a correct read, never a crash, a trap or a
/// huge allocation.
@Suite("Hostile files")
struct FormatHostileTests {
    enum Format: String, CaseIterable, CustomTestStringConvertible {
        case npy, npyFortranBigEndian, npzStored, npzDeflated, safetensors
        var testDescription: String { rawValue }

        var fixture: String {
            switch self {
            case .npy: return "i8_3d.npy"
            case .npyFortranBigEndian: return "i2_be_fortran.npy"
            case .npzStored: return "stored.npz"
            case .npzDeflated: return "deflated.npz"
            case .safetensors: return "reference.safetensors"
            }
        }

        var fileExtension: String { String(fixture.split(separator: ".").last!) }

        /// Loads `path`, returning every tensor read (so that a "successful" read of a damaged file is also
        /// checked for self-consistency).
        func load(_ path: String) throws -> [Tensor] {
            switch self {
            case .npy, .npyFortranBigEndian: return [try NPY.load(path)]
            case .npzStored, .npzDeflated: return try NPZ.load(path).map(\.tensor)
            case .safetensors: return try Safetensors.load(path).tensors.map(\.tensor)
            }
        }
    }

    /// Writes `bytes` to a fresh file and loads it. Returns the DataError, or nil after a successful read whose
    /// tensors are internally consistent (every element readable).
    static func outcome(_ format: Format, _ bytes: [UInt8], folder: String) -> DataError? {
        let path = folder + "/\(UUID().uuidString).\(format.fileExtension)"
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            for tensor in try format.load(path) {
                // Touch every element through the strided view: a view beyond its storage would fault here.
                #expect(tensor.scalars(as: Double.self).count == tensor.count)
                #expect(tensor.storage.byteCount >= tensor.count * tensor.dtype.itemSize)
            }
            return nil
        } catch let error as DataError {
            #expect(error.path == path && !error.message.isEmpty)
            return error
        } catch {
            Issue.record("\(format): \(error) is not a DataError")
            return nil
        }
    }

    @Test("a file cut at every 10% of its length is refused", arguments: Format.allCases)
    func truncated(format: Format) {
        let folder = FormatFixtures.temporaryFolder()
        let bytes = FormatFixtures.bytes(format.fixture)
        for tenth in 0..<10 {
            let error = Self.outcome(format, Array(bytes.prefix(bytes.count * tenth / 10)), folder: folder)
            #expect(error != nil, "\(format) cut to \(tenth * 10)% loaded")
        }
        #expect(Self.outcome(format, bytes, folder: folder) == nil, "\(format) intact must load")
    }

    @Test("random byte flips give a DataError or a consistent read", arguments: Format.allCases)
    func flippedBytes(format: Format) {
        let folder = FormatFixtures.temporaryFolder()
        let original = FormatFixtures.bytes(format.fixture)
        var random = SplitMix(seed: 0xF11B + UInt64(format.rawValue.count))
        var refused = 0
        let trials = 300
        for _ in 0..<trials {
            var bytes = original
            for _ in 0...random.next(below: 3) {
                bytes[random.next(below: bytes.count)] ^= UInt8(1 + random.next(below: 255))
            }
            if Self.outcome(format, bytes, folder: folder) != nil { refused += 1 }
        }
        // Some flips land in data and must load; CRC-checked stored NPZ members and headers must refuse others.
        #expect(refused > 0, "\(format): no damaged file was refused")
    }

    @Test("an NPY header claiming 10^15 elements or more bytes than the file holds is refused before allocating")
    func oversizedNPY() throws {
        let folder = FormatFixtures.temporaryFolder()
        let before = Self.peakResidentBytes()
        var bytes = npyFile(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000000000,), }")
        bytes += [UInt8](repeating: 0, count: 64)
        var error = Self.outcome(.npy, bytes, folder: folder)
        #expect(error?.message == "file is truncated: header claims shape [1000000000000000] of '<f4', "
                + "4000000000000000 bytes of data, but the file has 64 after the header")
        var valid = FormatFixtures.bytes("f8_c.npy")
        valid[8] = 0xFF
        valid[9] = 0xFF
        error = Self.outcome(.npy, valid, folder: folder)
        #expect(error?.message == "file is truncated: header claims 65535 bytes but the file has 166 after the "
                + "10-byte preamble")
        var version2 = FormatFixtures.bytes("f8_v2.npy")
        version2.replaceSubrange(8..<12, with: [0xFF, 0xFF, 0xFF, 0x7F])
        error = Self.outcome(.npy, version2, folder: folder)
        #expect(error?.message == "file is truncated: header claims 2147483647 bytes but the file has 156 after "
                + "the 12-byte preamble")
        #expect(Self.peakResidentBytes() - before < 1 << 30)
    }

    @Test("an NPZ directory claiming huge members or counts is refused before allocating")
    func oversizedNPZ() throws {
        let folder = FormatFixtures.temporaryFolder()
        let original = FormatFixtures.bytes("deflated.npz")
        let endRecord = original.count - 22
        let directoryOffset = Int(original.uint32(at: endRecord + 16))
        // The first member's uncompressed size (central directory offset 24), claimed as 4 GiB − 16.
        var bytes = original
        bytes.replaceSubrange((directoryOffset + 24)..<(directoryOffset + 28), with: [0xF0, 0xFF, 0xFF, 0xFF])
        let error = Self.outcome(.npzDeflated, bytes, folder: folder)
        #expect(error?.message.hasPrefix("member 'weights.npy': corrupt zip: claims 4294967280 bytes inflated from ")
                == true, "\(String(describing: error))")
        // Sizes that lie within deflate's reach: the stream decides, and the buffer grows only as data arrives.
        let compressedSize = Int(original.uint32(at: directoryOffset + 20))
        let trueSize = Int(original.uint32(at: directoryOffset + 24))
        for (claimed, message) in [
            (compressedSize * 1000, "member 'weights.npy': inflates to \(trueSize) bytes but the zip directory claims "
             + "\(compressedSize * 1000)"),
            (trueSize - 1, "member 'weights.npy': inflates to more than the \(trueSize - 1) bytes the zip directory claims"),
        ] {
            bytes = original
            bytes.replaceSubrange((directoryOffset + 24)..<(directoryOffset + 28),
                                  with: (0..<4).map { UInt8((claimed >> (8 * $0)) & 0xFF) })
            #expect(Self.outcome(.npzDeflated, bytes, folder: folder)?.message == message)
        }
        // Compressed bytes replaced by garbage.
        bytes = original
        let firstData = 30 + Int(original.uint16(at: 26)) + Int(original.uint16(at: 28))
        for index in firstData..<(firstData + 8) { bytes[index] = 0xFF }
        #expect(Self.outcome(.npzDeflated, bytes, folder: folder)?.message
                == "member 'weights.npy': corrupt deflate data: invalid block type")
        // A directory of 60000 members in a file of a few hundred bytes.
        bytes = original
        bytes.replaceSubrange((endRecord + 10)..<(endRecord + 12), with: [0x60, 0xEA])
        #expect(Self.outcome(.npzDeflated, bytes, folder: folder)?.message
                == "corrupt zip: 60000 members cannot fit in a \(original.uint32(at: endRecord + 12))-byte central directory")
        // The directory placed beyond the end of the file.
        bytes = original
        bytes.replaceSubrange((endRecord + 16)..<(endRecord + 20), with: [0x00, 0x00, 0x00, 0x70])
        #expect(Self.outcome(.npzDeflated, bytes, folder: folder)?.message.hasPrefix(
            "corrupt zip: central directory (") == true)
        // A stored member whose data is shorter than its directory entry claims.
        let stored = FormatFixtures.bytes("stored.npz")
        let storedDirectory = Int(stored.uint32(at: stored.count - 22 + 16))
        bytes = stored
        bytes.replaceSubrange((storedDirectory + 20)..<(storedDirectory + 28), with: [0xFF, 0xFF, 0xFF, 0x0F,
                                                                                      0xFF, 0xFF, 0xFF, 0x0F])
        #expect(Self.outcome(.npzStored, bytes, folder: folder)?.message.hasPrefix(
            "corrupt zip: member 'weights.npy' claims sizes or offsets beyond the file's") == true)
    }

    @Test("a safetensors header claiming 10^15 elements or a length beyond the file is refused before allocating")
    func oversizedSafetensors() throws {
        let folder = FormatFixtures.temporaryFolder()
        let before = Self.peakResidentBytes()
        let header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1000000000000000],\"data_offsets\":[0,4000000000000000]}}"
        var bytes: [UInt8] = []
        bytes.append(littleEndian: UInt64(header.utf8.count))
        bytes += Array(header.utf8) + [UInt8](repeating: 0, count: 16)
        #expect(Self.outcome(.safetensors, bytes, folder: folder)?.message
                == "file is truncated: tensor 'w' claims bytes 0..<4000000000000000 of the data but the file has 16 "
                + "bytes of data")
        var valid = FormatFixtures.bytes("reference.safetensors")
        valid.replaceSubrange(0..<8, with: [0, 0, 0, 0, 0, 0, 0, 0x7F])
        #expect(Self.outcome(.safetensors, valid, folder: folder)?.message
                == "file is truncated: header claims 9151314442816847872 bytes but the file has \(valid.count - 8) "
                + "after the 8-byte length")
        #expect(Self.peakResidentBytes() - before < 1 << 30)
    }

    /// The process's peak resident memory so far (Linux reports kilobytes).
    static func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024
    }
}
