import Tensors

/// An experiment ready for analysis: a stimulus set, one recording per subject, and train/test splits.
///
/// ```swift
/// var dataset = try Dataset(stimuli: set, recordings: [("S01", fmri1), ("S02", fmri2)])
/// dataset = try dataset.withSplits(DatasetSplits.kFold(stimulusCount: set.count, folds: 5, seed: 0))
/// try dataset.save("experiment.h5")          // one HDF5 file; Dataset.load reads it back
/// ```
public struct Dataset: Sendable {
    public let stimuli: StimulusSet
    /// `(subject, recording)` in the order given.
    public let recordings: [(subject: String, recording: Recording)]
    public let splits: [DatasetSplit]

    /// - Throws: `DataError` (operation `dataset`) for an empty or repeated subject name, a name containing `/`, a
    ///   recording whose rows do not match the stimuli (`n` rows, or stimulus indices below `n`), or a split whose
    ///   indices are out of range.
    public init(stimuli: StimulusSet, recordings: [(subject: String, recording: Recording)],
                splits: [DatasetSplit] = []) throws {
        func fail(_ message: String) -> DataError { DataError("dataset", path: nil, message) }
        var seen = Set<String>()
        for (subject, recording) in recordings {
            guard !subject.isEmpty, !subject.contains("/") else {
                throw fail("subject names must be non-empty and contain no '/', got \"\(subject)\"")
            }
            guard seen.insert(subject).inserted else { throw fail("subject \"\(subject)\" appears twice") }
            if let indices = recording.stimulusIndices {
                if let bad = indices.first(where: { $0 >= stimuli.count }) {
                    throw fail("recording \"\(subject)\" refers to stimulus \(bad), but there are \(stimuli.count)")
                }
            } else if recording.stimulusCount != stimuli.count {
                throw fail("recording \"\(subject)\" has \(recording.stimulusCount) rows (shape "
                           + "\(formatShape(recording.responses.shape))) but there are \(stimuli.count) stimuli; "
                           + "give its stimulus indices when a subject saw only some of them")
            }
        }
        var splitNames = Set<String>()
        for split in splits {
            guard !split.name.isEmpty, !split.name.contains("/"), splitNames.insert(split.name).inserted else {
                throw fail("split names must be distinct, non-empty and contain no '/', got \"\(split.name)\"")
            }
            try StimulusSet.checkIndices(split.train + split.test, count: stimuli.count, operation: "dataset")
        }
        self.stimuli = stimuli
        self.recordings = recordings
        self.splits = splits
    }

    /// Subject names, in order.
    public var subjects: [String] { recordings.map(\.subject) }

    /// The recording of `subject`.
    /// - Throws: `DataError` (operation `dataset`) when there is none, listing the subjects.
    public func recording(_ subject: String) throws -> Recording {
        guard let found = recordings.first(where: { $0.subject == subject }) else {
            throw DataError("dataset", path: nil, "no subject \"\(subject)\"; the subjects are "
                            + (recordings.isEmpty ? "none" : subjects.map { "\"\($0)\"" }.joined(separator: ", ")))
        }
        return found.recording
    }

    /// The same dataset with `splits` instead of its current ones (validated as `init` does).
    public func withSplits(_ splits: [DatasetSplit]) throws -> Dataset {
        try Dataset(stimuli: stimuli, recordings: recordings, splits: splits)
    }

    /// The split called `name`.
    /// - Throws: `DataError` (operation `dataset`) when there is none, listing the names there are.
    public func split(_ name: String) throws -> DatasetSplit {
        guard let found = splits.first(where: { $0.name == name }) else {
            throw DataError("dataset", path: nil, "no split \"\(name)\"; the splits are "
                            + (splits.isEmpty ? "none (call split first)" : splits.map { "\"\($0.name)\"" }.joined(separator: ", ")))
        }
        return found
    }

    /// The stimuli at `indices` (in that order) with their metadata, and each recording restricted to the rows of
    /// those stimuli it presented (subjects that presented none are left out; see `Recording.restricted(to:)`).
    /// Splits are dropped, since their indices refer to the old set.
    /// - Throws: `DataError` for an index out of range.
    public func subset(_ indices: [Int]) throws -> Dataset {
        let set = try stimuli.subset(indices)
        let kept = try recordings.compactMap { entry -> (subject: String, recording: Recording)? in
            try entry.recording.restricted(to: indices).map { (entry.subject, $0) }
        }
        return try Dataset(stimuli: set, recordings: kept)
    }

    /// The training and test parts of split `index` (in `splits`) as datasets (`subset` of its train and test
    /// indices).
    /// - Throws: `DataError` (operation `dataset.fold`) when `index` is outside `0..<splits.count`.
    public func fold(_ index: Int) throws -> (train: Dataset, test: Dataset) {
        guard splits.indices.contains(index) else {
            throw DataError("dataset.fold", path: nil, "split \(index) is out of range: the dataset has "
                            + (splits.isEmpty ? "no splits (call split first)" : "\(splits.count) splits"))
        }
        return (try subset(splits[index].train), try subset(splits[index].test))
    }
}
