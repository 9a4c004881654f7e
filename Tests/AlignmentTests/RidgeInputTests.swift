import Foundation
import Testing
import Tensors
@testable import Alignment
import Datasets

/// Bad input, constant and non-finite targets, streaming targets and weights.
@Suite struct RidgeInputTests {
    static let x = tensor(lcgMatrix(seed: 1, rows: 20, columns: 3))
    static let y = tensor(lcgMatrix(seed: 2, rows: 20, columns: 4))

    static func message(_ body: () throws -> Void) -> String? {
        do { try body() } catch let error as AlignmentError { return error.description } catch { return "\(error)" }
        return nil
    }

    @Test func errorMessages() throws {
        let x = Self.x, y = Self.y
        #expect(Self.message { _ = try Ridge.crossValidated(Tensor([1.0, 2, 3]), y) }
                == "ridge_cv: X must be [n, features], got shape [3]")
        #expect(Self.message { _ = try Ridge.crossValidated(try x.sliced(axis: 0, 0..<10), y) }
                == "ridge_cv: X has 10 rows but Y has 20")
        #expect(Self.message { _ = try Ridge.crossValidated(try x.sliced(axis: 1, 0..<0), y) }
                == "ridge_cv: X has no features (shape [20, 0])")
        #expect(Self.message { _ = try Ridge.crossValidated(x, y, alphas: [1, -1]) }
                == "ridge_cv: alphas must all be finite and > 0, got -1.0")
        #expect(Self.message { _ = try Ridge.crossValidated(x, y, alphas: [0]) }
                == "ridge_cv: alphas must all be finite and > 0, got 0.0")
        #expect(Self.message { _ = try Ridge.crossValidated(x, y, alphas: [.nan]) }
                == "ridge_cv: alphas must all be finite and > 0, got nan")
        #expect(Self.message { _ = try Ridge.crossValidated(x, y, alphas: []) } == "ridge_cv: alphas is empty")
        #expect(Self.message { _ = try Ridge.crossValidated(x, y, folds: .kFold(30)) }
                == "ridge_cv: folds: 30 folds need at least 30 rows, got 20")
        #expect(Self.message { _ = try Ridge.crossValidated(x, y, folds: .kFold(1)) }
                == "ridge_cv: folds must be at least 2, got 1")
        #expect(Self.message { _ = try Ridge.crossValidated(x, y, folds: .testIndices([[0, 1]])) }
                == "ridge_cv: folds: need at least 2 explicit folds, got 1")
        #expect(Self.message { _ = try Ridge.crossValidated(x, y, folds: .testIndices([[0, 1], []])) }
                == "ridge_cv: folds: fold 1 is empty")
        #expect(Self.message { _ = try Ridge.crossValidated(x, y, folds: .testIndices([[0, 1], [25]])) }
                == "ridge_cv: folds: fold 1 has row 25, outside 0..<20")
        #expect(Self.message { _ = try Ridge.crossValidated(x, y, folds: .testIndices([[0, 1], [1]])) }
                == "ridge_cv: folds: row 1 is in more than one fold")
        #expect(Self.message { _ = try Ridge.crossValidated(x, y, folds: .testIndices([Array(0..<10), Array(10..<20)])) }
                == nil)
        #expect(Self.message { _ = try Ridge.crossValidated(x, y, folds: .groups([1, 2])) }
                == "ridge_cv: groups: 2 labels for 20 rows")
        #expect(Self.message { _ = try Ridge.crossValidated(x, y, folds: .groups([Int](repeating: 4, count: 20))) }
                == "ridge_cv: groups: leave-one-group-out needs at least 2 groups, got 1")
        #expect(Self.message { _ = try Ridge.crossValidated(x, y, targetBlockSize: 0) }
                == "ridge_cv: targetBlockSize must be at least 1, got 0")
        #expect(Self.message { _ = try RidgeScore(named: "mse") }
                == "ridge_cv: score must be \"r2\", \"r\" or \"neg_mse\", got \"mse\"")
        let model = try Ridge.crossValidated(x, y)
        #expect(Self.message { _ = try model.predict(try x.sliced(axis: 1, 0..<2)) }
                == "predict: X has 2 features but the model was fit on 3")
        #expect(Self.message { _ = try model.predict(Tensor([1.0])) } == "predict: X must be [n, features], got shape [1]")
        #expect(Self.message { _ = try Ridge.crossValidated(x, try Tensor.zeros([20, 2, 2])) }
                == "ridge_cv: Y must be [n, targets] (or [n]), got shape [20, 2, 2]")
    }

    @Test func nonFiniteFeatures() throws {
        var x = Self.x.copy()
        try x.set([.index(7), .index(2)], to: Tensor(scalar: Double.nan))
        #expect(Self.message { _ = try Ridge.crossValidated(x, Self.y) }
                == "ridge_cv: X has a non-finite value (nan) in column 2 (row 7); set nan to \"omit\" to drop such rows")
        let omitted = try Ridge.crossValidated(x, Self.y, nan: .omit)
        #expect(omitted.summary.droppedRows == [7])
        // Dropping the row equals fitting without it.
        let kept = Tensor(Array(0..<20).filter { $0 != 7 }.map { Int64($0) })
        let direct = try Ridge.crossValidated(try x.take(kept, axis: 0), try Self.y.take(kept, axis: 0))
        #expect(close(omitted.weights.scalars(as: Double.self), direct.weights.scalars(as: Double.self), 1e-12))
    }

    /// Explicit folds and groups name original rows, also when rows are dropped for non-finite X.
    @Test func droppedRowsKeepExplicitFoldsInOriginalRows() throws {
        var x = Self.x.copy()
        try x.set([.index(4), .index(0)], to: Tensor(scalar: Double.nan))
        let kept = Tensor(Array(0..<20).filter { $0 != 4 }.map { Int64($0) })
        let xKept = try x.take(kept, axis: 0), yKept = try Self.y.take(kept, axis: 0)
        let folds = CrossValidation.testIndices([[0, 1, 2, 3, 4, 5, 6], Array(7..<14), Array(14..<20)])
        let omitted = try Ridge.crossValidated(x, Self.y, folds: folds, nan: .omit)
        // Row 4 is gone, so the first fold is rows 0–3, 5, 6: positions 0...5 of the kept rows.
        let direct = try Ridge.crossValidated(xKept, yKept, folds: .testIndices([Array(0..<6), Array(6..<13), Array(13..<19)]))
        #expect(close(omitted.cvScores.scalars(as: Double.self), direct.cvScores.scalars(as: Double.self), 1e-12))
        let labels = (0..<20).map { $0 % 3 }
        let grouped = try Ridge.crossValidated(x, Self.y, folds: .groups(labels), nan: .omit)
        let groupedDirect = try Ridge.crossValidated(xKept, yKept, folds: .groups(labels.enumerated().filter { $0.offset != 4 }.map(\.element)))
        #expect(close(grouped.cvScores.scalars(as: Double.self), groupedDirect.cvScores.scalars(as: Double.self), 1e-12))
    }

    @Test func nonFiniteTargets() throws {
        var y = Self.y.copy()
        try y.set([.index(3), .index(1)], to: Tensor(scalar: Double.infinity))
        #expect(Self.message { _ = try Ridge.crossValidated(Self.x, y) }
                == "ridge_cv: Y has a non-finite value in column 1 (row 3); set nan to \"omit\" to leave such targets out")
        let model = try Ridge.crossValidated(Self.x, y, nan: .omit)
        #expect(model.summary.omittedTargetCount == 1)
        #expect(model.alphas.scalars(as: Double.self)[1].isNaN)
        #expect(try model.weights.selecting(1, axis: 1).scalars(as: Double.self) == [0, 0, 0])
        let clean = try Ridge.crossValidated(Self.x, Self.y)
        #expect(close(try model.weights.selecting(2, axis: 1).scalars(as: Double.self),
                      try clean.weights.selecting(2, axis: 1).scalars(as: Double.self), 1e-12))
    }

    @Test(arguments: RidgeScore.allCases)
    func constantTargets(score: RidgeScore) throws {
        var y = Self.y.copy()
        try y.set([.all, .index(2)], to: Tensor(scalar: 4.5))
        let model = try Ridge.crossValidated(Self.x, y, score: score)
        #expect(model.summary.constantTargetCount == 1)
        #expect(model.alphas.scalars(as: Double.self)[2].isNaN)
        #expect(model.bestScores.scalars(as: Double.self)[2].isNaN)
        #expect(try model.cvScores.selecting(2, axis: 1).scalars(as: Double.self).allSatisfy(\.isNaN))
        #expect(try model.weights.selecting(2, axis: 1).scalars(as: Double.self) == [0, 0, 0])
        #expect(model.intercept.scalars(as: Double.self)[2] == 4.5)
        #expect(model.bestScores.scalars(as: Double.self).filter(\.isNaN).count == 1)
    }

    /// A source that hands out column blocks of an array and records which it was asked for.
    final class RecordingSource: TargetSource, @unchecked Sendable {
        let values: Tensor
        var requests: [Range<Int>] = []
        init(_ values: Tensor) { self.values = values }
        var rowCount: Int { values.shape[0] }
        var targetCount: Int { values.shape[1] }
        func targets(_ range: Range<Int>) throws -> Tensor {
            requests.append(range)
            return try values.sliced(axis: 1, range).contiguous()
        }
    }

    @Test func streamingSourceAndWeights() throws {
        let y = tensor(lcgMatrix(seed: 3, rows: 20, columns: 10))
        let source = RecordingSource(y)
        var collected: [Range<Int>] = []
        var weights = [[Double]](repeating: [], count: 3)
        let summary = try Ridge.fitStreaming(Self.x, source, targetBlockSize: 4) { range, block in
            collected.append(range)
            #expect(block.shape == [3, range.count])
            for feature in 0..<3 { weights[feature] += try block.selecting(feature, axis: 0).scalars(as: Double.self) }
        }
        #expect(collected == [0..<4, 4..<8, 8..<10])
        // Five folds and the refit each read every block once.
        #expect(source.requests.count == 6 * 3)
        let model = try Ridge.crossValidated(Self.x, y)
        #expect(close(weights.flatMap { $0 }, model.weights.scalars(as: Double.self), 1e-12))
        #expect(close(summary.cvScores.scalars(as: Double.self), model.cvScores.scalars(as: Double.self), 1e-12))
        #expect(Self.message {
            _ = try Ridge.fitStreaming(Self.x, source) { _, _ in throw AlignmentError("sink", "disk full") }
        } == "sink: disk full")
    }

    struct WrongShapeSource: TargetSource {
        var rowCount: Int { 20 }
        var targetCount: Int { 3 }
        func targets(_ range: Range<Int>) throws -> Tensor { try Tensor.zeros([19, range.count]) }
    }

    @Test func sourceReturningWrongShape() {
        #expect(Self.message { _ = try Ridge.crossValidated(Self.x, WrongShapeSource()) }
                == "ridge_cv: the target source returned shape [19, 3] for targets 0..<3; expected [20, 3]")
    }
}

/// Targets streamed from an HDF5 file give the fit of the same targets in memory.
@Suite struct RidgeHDF5Tests {
    @Test(arguments: [nil, [20, 3]] as [[Int]?])
    func hdf5SourceMatchesInMemory(chunks: [Int]?) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ridge-hdf5-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("y.h5").path
        let x = tensor(lcgMatrix(seed: 1, rows: 20, columns: 3))
        let y = tensor(lcgMatrix(seed: 6, rows: 20, columns: 11))
        try HDF5.write(path, "bold", y, chunks: chunks)
        let source = try HDF5TargetSource(path: path, name: "bold")
        #expect(source.rowCount == 20 && source.targetCount == 11)
        let streamed = try Ridge.crossValidated(x, source, targetBlockSize: 4)
        let direct = try Ridge.crossValidated(x, y)
        #expect(close(streamed.weights.scalars(as: Double.self), direct.weights.scalars(as: Double.self), 1e-12))
        #expect(close(streamed.cvScores.scalars(as: Double.self), direct.cvScores.scalars(as: Double.self), 1e-12))
        try HDF5.write(path, "cube", try Tensor.zeros([2, 2, 2]))
        #expect(RidgeInputTests.message { _ = try HDF5TargetSource(path: path, name: "cube") }
                == "ridge_cv: HDF5 dataset \"/cube\" must be [n, targets] or [n], got shape [2, 2, 2]")
    }
}

/// A dataset chunked by columns is read in blocks of whole chunks: the widest multiple of the chunk width within
/// the block budget (8 192 targets here), not the even split rounded to 32 (5 024); the fit is the same.
@Suite struct RidgeBlockAlignmentTests {
    @Test func chunkedDatasetsAreReadInWholeChunks() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ridge-align-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("y.h5").path
        let x = tensor(lcgMatrix(seed: 1, rows: 20, columns: 3), dtype: .float32)
        let y = try Tensor.randomNormal([20, 10_000], seed: 4, dtype: .float32)
        try HDF5.write(path, "chunked", y, chunks: [20, 300])
        try HDF5.write(path + ".plain", "whole", y)
        let chunked = try HDF5TargetSource(path: path, name: "chunked")
        #expect(chunked.blockAlignment == 300)
        #expect(try HDF5TargetSource(path: path + ".plain", name: "whole").blockAlignment == 1)
        #expect(y.blockAlignment == 1)
        func blockSize(_ source: some TargetSource) throws -> Int {
            try RidgeSetup(x, source, alphas: [1], folds: .kFold(5), solver: .automatic, nan: .refuse,
                           targetBlockSize: nil, operation: "ridge_cv").blockSize
        }
        #expect(try blockSize(chunked) == 8_100)
        #expect(try blockSize(y) == 5_024)
        let streamed = try Ridge.crossValidated(x, chunked)
        let direct = try Ridge.crossValidated(x, y)
        #expect(close(streamed.cvScores.scalars(as: Double.self), direct.cvScores.scalars(as: Double.self), 1e-6))
        #expect(streamed.alphas.scalars(as: Double.self) == direct.alphas.scalars(as: Double.self))
    }
}

/// A model written to an HDF5 file as it is fit (`savingTo:`) equals the fit in memory, reads back with `open`,
/// predicts the same, and leaves no file when the fit fails.
@Suite struct SavedRidgeModelTests {
    static func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ridge-saved-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// float64 and float32 fits, in one block and in several, with and without an intercept.
    @Test(arguments: [(DType.float64, nil, true), (.float64, 4, false), (.float32, 3, true)] as [(DType, Int?, Bool)])
    func savedModelEqualsTheFitInMemory(dtype: DType, blockSize: Int?, intercept: Bool) throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("model.h5").path
        let x = tensor(lcgMatrix(seed: 2, rows: 24, columns: 5)).astype(dtype)
        let y = tensor(lcgMatrix(seed: 7, rows: 24, columns: 13).map { $0.map { $0 + 3 } }, dtype: dtype)
        let direct = try Ridge.crossValidated(x, y, fitIntercept: intercept, targetBlockSize: blockSize)
        let saved = try Ridge.crossValidated(x, y, fitIntercept: intercept, targetBlockSize: blockSize,
                                             savingTo: path)
        // The saved fit streams its weights (projections through each fold's basis U), the fit in memory projects
        // through the cross products `Xᶜᵀ Y` (`RidgeCrossProducts`): equal to rounding.
        let tolerance = dtype == .float32 ? 2e-5 : 1e-10
        for model in [saved, try SavedRidgeModel.open(path)] {
            #expect(model.weights.shape == [5, 13] && model.weights.dtype == dtype)
            #expect(close(try model.weights.read().astype(.float64).scalars(as: Double.self),
                          direct.weights.astype(.float64).scalars(as: Double.self), tolerance))
            #expect(close(model.summary.cvScores.scalars(as: Double.self), direct.cvScores.scalars(as: Double.self),
                          tolerance))
            #expect(close(model.summary.alphas.scalars(as: Double.self), direct.alphas.scalars(as: Double.self), 0))
            #expect(close(model.summary.intercept.astype(.float64).scalars(as: Double.self),
                          direct.intercept.astype(.float64).scalars(as: Double.self), tolerance))
            #expect(close(model.summary.bestScores.scalars(as: Double.self),
                          direct.bestScores.scalars(as: Double.self), tolerance))
            #expect(model.summary.alphaGrid == direct.summary.alphaGrid)
            #expect(model.summary.score == .r2 && model.summary.solver == direct.summary.solver)
            let probe = tensor(lcgMatrix(seed: 9, rows: 6, columns: 5)).astype(dtype)
            #expect(close(try model.predict(probe).astype(.float64).scalars(as: Double.self),
                          try direct.predict(probe).astype(.float64).scalars(as: Double.self),
                          dtype == .float32 ? 1e-6 : 1e-12))
        }
    }

    /// The per-target bookkeeping survives the file: constant targets, omitted targets and dropped rows.
    @Test func countsAndDroppedRowsRoundTrip() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("model.h5").path
        var x = tensor(lcgMatrix(seed: 3, rows: 30, columns: 4))
        try x.set([.index(7), .index(1)], to: Tensor(scalar: Double.nan))
        var y = tensor(lcgMatrix(seed: 4, rows: 30, columns: 6))
        try y.set([.all, .index(2)], to: Tensor(scalar: 5.0))
        try y.set([.index(11), .index(4)], to: Tensor(scalar: Double.infinity))
        _ = try Ridge.crossValidated(x, y, nan: .omit, savingTo: path)
        let reopened = try SavedRidgeModel.open(path)
        #expect(reopened.summary.constantTargetCount == 1 && reopened.summary.omittedTargetCount == 1)
        #expect(reopened.summary.droppedRows == [7])
        #expect(reopened.summary.alphas.scalars(as: Double.self)[2].isNaN)
    }

    /// A failed fit leaves the previous file untouched and no temporary file; a file that is not a model is refused.
    @Test func failuresLeaveThePreviousFile() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("model.h5").path
        try HDF5.write(path, "previous", try Tensor.ones([2]))
        var y = tensor(lcgMatrix(seed: 5, rows: 20, columns: 3))
        try y.set([.index(4), .index(1)], to: Tensor(scalar: Double.nan))
        #expect(RidgeInputTests.message {
            _ = try Ridge.crossValidated(tensor(lcgMatrix(seed: 1, rows: 20, columns: 3)), y, savingTo: path)
        } == "ridge_cv: Y has a non-finite value in column 1 (row 4); set nan to \"omit\" to leave such targets out")
        #expect(try HDF5File.open(path).keys() == ["previous"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["model.h5"])
        #expect(RidgeInputTests.message { _ = try SavedRidgeModel.open(path) }
                == "ridge_load: \(path) does not hold a ridge model (its root has no attribute model = \"ridge_cv\")")
        let saved = try Ridge.crossValidated(tensor(lcgMatrix(seed: 1, rows: 20, columns: 3)),
                                             tensor(lcgMatrix(seed: 5, rows: 20, columns: 3)), savingTo: path)
        #expect(RidgeInputTests.message { _ = try saved.predict(try Tensor.zeros([2, 4])) }
                == "predict: X has 4 features but the model was fit on 3")
    }

    /// A model file whose datasets disagree, or whose attributes are not what `ridge_cv` writes, is refused with
    /// the problem named.
    @Test func inconsistentModelFilesAreRefused() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("model.h5").path
        func write(cvScores: [Int] = [2, 4], intercept: Int = 4, score: HDF5Value = .string("r2")) throws {
            try HDF5.save(path) { file in
                try file.writeDataset("weights", try Tensor.zeros([3, 4]))
                try file.writeDataset("alpha_grid", Tensor([1.0, 10]))
                try file.writeDataset("cv_scores", try Tensor.zeros(cvScores))
                for name in ["alphas", "best_scores"] { try file.writeDataset(name, try Tensor.zeros([4])) }
                try file.writeDataset("intercept", try Tensor.zeros([intercept]))
                try file.setAttribute("model", .string("ridge_cv"))
                try file.setAttribute("score", score)
                try file.setAttribute("solver", .string("primal"))
                try file.setAttribute("constant_targets", .number(0))
                try file.setAttribute("omitted_targets", .number(0))
            }
        }
        try write()
        #expect(try SavedRidgeModel.open(path).summary.alphaGrid == [1, 10])
        try write(cvScores: [2, 5])
        #expect(RidgeInputTests.message { _ = try SavedRidgeModel.open(path) }
                == "ridge_load: \(path): weights [3, 4], alpha_grid [2] and cv_scores [2, 5] disagree")
        try write(intercept: 3)
        #expect(RidgeInputTests.message { _ = try SavedRidgeModel.open(path) }
                == "ridge_load: \(path): intercept has shape [3]; the weights have 4 targets")
        try write(score: .number(2))
        #expect(RidgeInputTests.message { _ = try SavedRidgeModel.open(path) }
                == "ridge_load: \(path): the attribute score is not a string")
        try write(score: .string("accuracy"))
        #expect(RidgeInputTests.message { _ = try SavedRidgeModel.open(path) }
                == "ridge_load: \(path): unknown score or solver")
        // What the HDF5 reader finds is reported as ridge_load's error.
        try HDF5.save(path) { file in try file.setAttribute("model", .string("ridge_cv")) }
        #expect(RidgeInputTests.message { _ = try SavedRidgeModel.open(path) }
                == "ridge_load: \(path): no \"weights\" in group \"/\"; the group is empty")
        let absent = folder.appendingPathComponent("absent.h5").path
        #expect(RidgeInputTests.message { _ = try SavedRidgeModel.open(absent) }
                == "ridge_load: \(absent): no such file")
    }
}
