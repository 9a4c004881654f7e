import Foundation
import Testing
@testable import Datasets

@Suite("AtomicFile")
struct AtomicFileTests {
    let folder: String = {
        let path = NSTemporaryDirectory() + "bm-atomic-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    struct Interrupted: Error {}

    @Test("a failed write leaves the old file and no temporary")
    func failedWriteKeepsOldFile() throws {
        let path = folder + "/result.bin"
        try AtomicFile.write([1, 2, 3], to: path, operation: "test")
        #expect(throws: Interrupted.self) {
            try AtomicFile.write(to: path, operation: "test") { temporary in
                try Data([9, 9, 9, 9, 9]).write(to: URL(fileURLWithPath: temporary))
                throw Interrupted()
            }
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data([1, 2, 3]))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["result.bin"])
    }

    @Test("a successful write replaces the file")
    func replaces() throws {
        let path = folder + "/result.bin"
        try AtomicFile.write([1], to: path, operation: "test")
        try AtomicFile.write([4, 5], to: path, operation: "test")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data([4, 5]))
    }

    @Test("a missing folder is named in the error")
    func missingFolder() {
        let path = folder + "/absent/result.bin"
        #expect(throws: DataError("npy.save", path: path, "folder \(folder)/absent does not exist")) {
            try AtomicFile.write([1], to: path, operation: "npy.save")
        }
    }
}
