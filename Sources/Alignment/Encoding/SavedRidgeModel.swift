import Datasets
import Foundation
import Tensors

/// A ridge model whose weights live in an HDF5 file: what `Ridge.crossValidated(…, savingTo:)` writes as it fits, so
/// that a fit over 200 000 voxels never holds its `[p, t]` weights in memory, and what `SavedRidgeModel.open`
/// reads back later (or h5py: the layout is plain datasets).
///
/// File layout: `weights` `[p, t]` (the compute dtype, chunked by whole columns), `intercept` `[t]`, `alphas` `[t]`,
/// `best_scores` `[t]`, `cv_scores` `[n_alphas, t]`, `alpha_grid` `[n_alphas]` (float64), and on the root the
/// attributes `model` = "ridge_cv", `score`, `solver`, `constant_targets`, `omitted_targets`, `dropped_rows`.
public struct SavedRidgeModel: @unchecked Sendable {
    /// The file.
    public let path: String
    /// `[p, t]`, on disk (read when used).
    public let weights: HDF5Dataset
    /// Everything but the weights, in memory.
    public let summary: RidgeFitSummary

    /// Opens a model file written by `Ridge.crossValidated(…, savingTo:)`.
    /// - Throws: `AlignmentError` (`ridge_load`) when the file cannot be read (no such file, not HDF5, a missing
    ///   dataset: the HDF5 reader's message), does not hold a ridge model, or its datasets disagree in shape.
    public static func open(_ path: String) throws -> SavedRidgeModel {
        do {
            return try read(path)
        } catch let error as DataError {
            // The researcher called ridge_load: the error names it, with what the HDF5 reader found.
            throw AlignmentError("ridge_load", "\(error.path ?? path): \(error.message)")
        }
    }

    private static func read(_ path: String) throws -> SavedRidgeModel {
        let file = try HDF5File.open(path)
        guard case .string("ridge_cv")? = try? file.attribute("model") else {
            throw AlignmentError("ridge_load", "\(path) does not hold a ridge model (its root has no attribute "
                                    + "model = \"ridge_cv\")")
        }
        let weights = try file.dataset("weights")
        let grid = try file.dataset("alpha_grid").read()
        let cvScores = try file.dataset("cv_scores").read()
        let targets = weights.rank == 2 ? weights.shape[1] : -1
        guard weights.rank == 2, grid.rank == 1, cvScores.shape == [grid.count, targets] else {
            throw AlignmentError("ridge_load", "\(path): weights \(formatShape(weights.shape)), alpha_grid "
                                    + "\(formatShape(grid.shape)) and cv_scores \(formatShape(cvScores.shape)) disagree")
        }
        func vector(_ name: String) throws -> Tensor {
            let values = try file.dataset(name).read()
            guard values.shape == [targets] else {
                throw AlignmentError("ridge_load", "\(path): \(name) has shape \(formatShape(values.shape)); the "
                                        + "weights have \(targets) targets")
            }
            return values
        }
        func text(_ name: String) throws -> String {
            guard case .string(let value) = try file.attribute(name) else {
                throw AlignmentError("ridge_load", "\(path): the attribute \(name) is not a string")
            }
            return value
        }
        func count(_ name: String) throws -> Int {
            guard case .number(let value) = try file.attribute(name) else {
                throw AlignmentError("ridge_load", "\(path): the attribute \(name) is not a number")
            }
            return Int(value)
        }
        guard let score = RidgeScore(rawValue: try text("score")),
              let solver = RidgeSolver(rawValue: try text("solver")) else {
            throw AlignmentError("ridge_load", "\(path): unknown score or solver")
        }
        var dropped: [Int] = []
        if case .numbers(let rows)? = try? file.attribute("dropped_rows") {
            dropped = rows.astype(.float64).scalars(as: Double.self).map { Int($0) }
        }
        let summary = RidgeFitSummary(
            alphaGrid: grid.astype(.float64).scalars(as: Double.self), alphas: try vector("alphas"),
            cvScores: cvScores, bestScores: try vector("best_scores"), intercept: try vector("intercept"),
            score: score, solver: solver, constantTargetCount: try count("constant_targets"),
            omittedTargetCount: try count("omitted_targets"), droppedRows: dropped, featureCount: weights.shape[0])
        return SavedRidgeModel(path: path, weights: weights, summary: summary)
    }

    /// `X · weights + intercept` for `x` `[m, p]` → `[m, t]` in the weights' dtype, reading the weights from disk a
    /// block of columns at a time (about 16 MiB each).
    /// Throws `AlignmentError` when `x` is not 2-d or has a different number of features than the fit, and
    /// `DataError` when a read fails.
    public func predict(_ x: Tensor) throws -> Tensor {
        guard x.rank == 2 else {
            throw AlignmentError("predict", "X must be [n, features], got shape \(formatShape(x.shape))")
        }
        let features = weights.shape[0], targets = weights.shape[1]
        guard x.shape[1] == features else {
            throw AlignmentError("predict", "X has \(x.shape[1]) features but the model was fit on \(features)")
        }
        let dtype = weights.dtype == .float32 ? DType.float32 : .float64
        var output = Tensor(uninitializedShape: [x.shape[0], targets], dtype: dtype)
        output.makeUniqueContiguous()
        let width = Swift.max(1, (16 << 20) / Swift.max(1, features * dtype.itemSize))
        for start in stride(from: 0, to: targets, by: width) {
            let columns = start..<Swift.min(start + width, targets)
            let block = try weights.read(selection: [.all, .slice(start: columns.lowerBound, stop: columns.upperBound,
                                                                   step: 1)])
            let predicted = try Tensor.matmul(x.astype(dtype), block.astype(dtype))
                + summary.intercept.sliced(axis: 0, columns).astype(dtype)
            try output.set([.all, .slice(start: columns.lowerBound, stop: columns.upperBound, step: 1)], to: predicted)
        }
        return output
    }
}

extension Ridge {
    /// `crossValidated` that writes the model to the HDF5 file at `path` as it fits (weights column block by
    /// column block, then the per-target tables), atomically: the file appears only when the fit has finished, and
    /// replaces any file there. With a `TargetSource` reading Y from disk (`HDF5TargetSource`), neither Y nor the
    /// weights are ever in memory whole. `gzip`: deflate level 0…9 for the weights. Returns the saved model (its
    /// weights read from the file when used). Arguments and errors as `crossValidated`, plus `DataError`
    /// (`h5.write`) when the file cannot be written.
    public static func crossValidated(
        _ x: Tensor, _ y: some TargetSource, alphas: [Double] = defaultRidgeAlphas,
        folds: CrossValidation = .kFold(5), fitIntercept: Bool = true, score: RidgeScore = .r2,
        solver: RidgeSolver = .automatic, nan: NaNPolicy = .refuse, targetBlockSize: Int? = nil,
        progress: Bool? = nil, savingTo path: String, gzip: Int? = nil
    ) throws -> SavedRidgeModel {
        let dtype = computeDType(x, y)
        var summary: RidgeFitSummary? = nil
        try HDF5.save(path) { file in
            let featureCount = x.rank == 2 ? x.shape[1] : 0
            let writer = try file.createColumnWriter("weights", shape: [featureCount, y.targetCount], dtype: dtype,
                                                     gzip: gzip)
            let fitted = try fitStreaming(
                x, y, alphas: alphas, folds: folds, fitIntercept: fitIntercept, score: score, solver: solver, nan: nan,
                targetBlockSize: targetBlockSize, progress: progress) { _, block in try writer.append(block) }
            try writer.finish()
            try file.writeDataset("intercept", fitted.intercept)
            try file.writeDataset("alphas", fitted.alphas)
            try file.writeDataset("best_scores", fitted.bestScores)
            try file.writeDataset("cv_scores", fitted.cvScores)
            try file.writeDataset("alpha_grid", Tensor(fitted.alphaGrid))
            try file.setAttribute("model", .string("ridge_cv"))
            try file.setAttribute("score", .string(fitted.score.rawValue))
            try file.setAttribute("solver", .string(fitted.solver.rawValue))
            try file.setAttribute("constant_targets", .number(Double(fitted.constantTargetCount)))
            try file.setAttribute("omitted_targets", .number(Double(fitted.omittedTargetCount)))
            if !fitted.droppedRows.isEmpty {
                try file.setAttribute("dropped_rows", .numbers(Tensor(fitted.droppedRows.map { Double($0) })))
            }
            summary = fitted
        }
        return SavedRidgeModel(path: path, weights: try HDF5File.open(path).dataset("weights"), summary: summary!)
    }
}
