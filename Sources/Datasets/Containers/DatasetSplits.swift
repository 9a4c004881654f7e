import Tensors

/// One train/test partition of a dataset's stimuli (indices into its stimulus set).
public struct DatasetSplit: Sendable, Equatable {
    public let name: String
    public let train: [Int]
    public let test: [Int]

    public init(name: String, train: [Int], test: [Int]) {
        self.name = name
        self.train = train
        self.test = test
    }
}

/// The ways to split stimuli into train and test sets.
public enum DatasetSplits {
    /// One split with the given train and test indices.
    /// - Throws: `DataError` (operation `dataset.split`) for an index outside `0..<stimulusCount`, a repeated index,
    ///   an index in both sets, or an empty test set.
    public static func explicit(train: [Int], test: [Int], stimulusCount: Int, name: String = "split") throws -> [DatasetSplit] {
        try check(train: train, test: test, stimulusCount: stimulusCount)
        return [DatasetSplit(name: name, train: train, test: test)]
    }

    /// `folds` splits whose test sets partition the stimuli: contiguous blocks (`seed` nil; the first
    /// `stimulusCount % folds` folds get one extra stimulus, as scikit-learn's `KFold`), or blocks of a seeded random
    /// permutation (`seed` given). Test and train indices are sorted within each fold.
    /// - Throws: `DataError` (operation `dataset.split`) when `folds` < 2 or exceeds `stimulusCount`.
    public static func kFold(stimulusCount: Int, folds: Int, seed: UInt64? = nil) throws -> [DatasetSplit] {
        guard folds >= 2, folds <= stimulusCount else {
            throw DataError("dataset.split", path: nil,
                            "k-fold needs 2 ≤ folds ≤ the \(stimulusCount) stimuli, got folds = \(folds)")
        }
        let order: [Int]
        if let seed {
            order = try Tensor.randomPermutation(stimulusCount, seed: seed).scalars(as: Int64.self).map { Int($0) }
        } else {
            order = Array(0..<stimulusCount)
        }
        var splits: [DatasetSplit] = []
        var start = 0
        for fold in 0..<folds {
            let size = stimulusCount / folds + (fold < stimulusCount % folds ? 1 : 0)
            let test = Set(order[start..<(start + size)])
            start += size
            splits.append(DatasetSplit(name: "fold\(fold)", train: (0..<stimulusCount).filter { !test.contains($0) },
                                       test: test.sorted()))
        }
        return splits
    }

    /// NSD's split: the stimuli every recording presented are the test set, all others the training set.
    /// - Throws: `DataError` (operation `dataset.split`) when there are no recordings, no stimulus is shared by all,
    ///   or every stimulus is (nothing would be left to train on).
    public static func sharedTest(recordings: [Recording], stimulusCount: Int) throws -> [DatasetSplit] {
        guard let first = recordings.first else {
            throw DataError("dataset.split", path: nil, "shared test stimuli need at least one recording")
        }
        var shared = Set(first.rowStimuli)
        for recording in recordings.dropFirst() { shared.formIntersection(recording.rowStimuli) }
        guard !shared.isEmpty else {
            throw DataError("dataset.split", path: nil, "no stimulus was presented in every recording")
        }
        guard shared.count < stimulusCount else {
            throw DataError("dataset.split", path: nil, "every recording presented all \(stimulusCount) stimuli, so a "
                            + "shared test set would leave nothing to train on; use k-fold or explicit splits")
        }
        return [DatasetSplit(name: "shared", train: (0..<stimulusCount).filter { !shared.contains($0) },
                             test: shared.sorted())]
    }

    static func check(train: [Int], test: [Int], stimulusCount: Int) throws {
        func fail(_ message: String) -> DataError { DataError("dataset.split", path: nil, message) }
        try StimulusSet.checkIndices(train + test, count: stimulusCount, operation: "dataset.split")
        guard !test.isEmpty else { throw fail("the test set is empty") }
        guard Set(train).count == train.count, Set(test).count == test.count else {
            throw fail("an index appears twice in the train or test set")
        }
        if let both = Set(train).intersection(test).min() {
            throw fail("stimulus \(both) is in both the train and the test set")
        }
    }
}
