import Datasets
import Foundation
import Tensors
import Testing

/// Dataset containers: validation messages, subsets against a naive model, splits against naive definitions, and
/// save/load round trips of every field.
@Suite struct ContainerTests {
    static func temporaryFolder() throws -> String {
        let path = NSTemporaryDirectory() + "/bm-containers-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func metadata(_ count: Int) throws -> Table {
        try Table([("name", .text((0..<count).map { "s\($0)" })),
                   ("category", .text((0..<count).map { $0 % 3 == 0 ? "face" : "body" })),
                   ("size", .numeric(Tensor((0..<count).map { Double($0) * 1.5 })))])
    }

    static func sampleDataset() throws -> Dataset {
        let stimuli = try StimulusSet(stimuli: try Tensor.randomUniform([7, 3, 3, 3], seed: 1, dtype: .float32),
                                      metadata: try metadata(7))
        let fmri = try Recording(modality: .fmri, responses: try Tensor.randomNormal([7, 5], seed: 2),
                                 repeats: try Tensor.randomNormal([3, 7, 5], seed: 3),
                                 voxelCoordinates: try Tensor.randomNormal([5, 3], seed: 4),
                                 roiLabels: .text(["V1", "V1", "V2", "FFA", "FFA"]))
        let meg = try Recording(modality: .meg, responses: try Tensor.randomNormal([4, 2, 6], seed: 5, dtype: .float32),
                                repeats: try Tensor.randomNormal([2, 4, 2, 6], seed: 6, dtype: .float32),
                                times: try Tensor.linspace(-0.1, 0.4, count: 6), sensorNames: ["MEG0111", "MEG0112"],
                                stimulusIndices: [6, 0, 3, 2])
        let eeg = try Recording(modality: .eeg, responses: try Tensor.randomNormal([7, 3, 4], seed: 7))
        let fmriNumbers = try Recording(modality: .fmri, responses: try Tensor.randomNormal([7, 2], seed: 8),
                                        roiLabels: .numeric(Tensor([1.0, 2.0])))
        return try Dataset(stimuli: stimuli, recordings: [("S01", fmri), ("S02", meg), ("S03", eeg), ("S04", fmriNumbers)],
                           splits: try DatasetSplits.kFold(stimulusCount: 7, folds: 3, seed: 9))
    }

    static func same(_ a: Tensor?, _ b: Tensor?) -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        return a.dtype == b.dtype && a.shape == b.shape && a.scalars(as: Double.self) == b.scalars(as: Double.self)
    }

    static func sameColumn(_ a: Table.Column?, _ b: Table.Column?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case (.numeric(let x)?, .numeric(let y)?): return same(x, y)
        case (.text(let x)?, .text(let y)?): return x == y
        default: return false
        }
    }

    @Test func saveAndLoadKeepEveryField() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let original = try Self.sampleDataset()
        try original.save(folder + "/ds.h5")
        let loaded = try Dataset.load(folder + "/ds.h5")
        #expect(Self.same(loaded.stimuli.stimuli, original.stimuli.stimuli))
        #expect(loaded.stimuli.metadata.columns == original.stimuli.metadata.columns)
        for (a, b) in zip(loaded.stimuli.metadata.values, original.stimuli.metadata.values) { #expect(Self.sameColumn(a, b)) }
        #expect(loaded.subjects == ["S01", "S02", "S03", "S04"])
        for ((_, a), (_, b)) in zip(loaded.recordings, original.recordings) {
            #expect(a.modality == b.modality)
            #expect(Self.same(a.responses, b.responses))
            #expect(Self.same(a.repeats, b.repeats))
            #expect(Self.same(a.voxelCoordinates, b.voxelCoordinates))
            #expect(Self.sameColumn(a.roiLabels, b.roiLabels))
            #expect(Self.same(a.times, b.times))
            #expect(a.sensorNames == b.sensorNames)
            #expect(a.stimulusIndices == b.stimulusIndices)
        }
        #expect(loaded.splits == original.splits)
        // The layout docs/data.md describes.
        let file = try HDF5File.open(folder + "/ds.h5")
        #expect(try file.attribute("kind") == .string("bm.dataset"))
        #expect(try file.attribute("version").doubleValue == 1)
        #expect(try file.keys() == ["metadata", "recordings", "splits", "stimuli"])
        #expect(try file.group("recordings/S02").keys()
                == ["repeats", "responses", "sensor_names", "stimulus_indices", "times"])
        #expect(try file["recordings/S02/responses"].attribute("modality") == .string("meg"))
        #expect(try file.group("splits").keys() == ["fold0", "fold1", "fold2"])
    }

    @Test func anEmptyDatasetRoundTrips() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let empty = try Dataset(stimuli: try StimulusSet(stimuli: Tensor([1.0, 2.0, 3.0])), recordings: [])
        try empty.save(folder + "/empty.h5")
        let loaded = try Dataset.load(folder + "/empty.h5")
        #expect(Self.same(loaded.stimuli.stimuli, empty.stimuli.stimuli))
        #expect(loaded.stimuli.metadata.columns.isEmpty && loaded.recordings.isEmpty && loaded.splits.isEmpty)
    }

    @Test func loadRefusesOtherFilesNamingThem() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try HDF5.write(folder + "/plain.h5", "x", Tensor([1.0]))
        #expect(throws: DataError("dataset.load", path: folder + "/plain.h5", "not a bm dataset file (its root has no "
                                  + "attribute kind = \"bm.dataset\"); open it with h5.open")) {
            try Dataset.load(folder + "/plain.h5")
        }
        try HDF5.save(folder + "/future.h5") { file in
            try file.setAttribute("kind", .string("bm.dataset"))
            try file.setAttribute("version", .number(2))
        }
        #expect(throws: DataError("dataset.load", path: folder + "/future.h5",
                                  "layout version 2.0 is not one this bm reads (1…1); update bm")) {
            try Dataset.load(folder + "/future.h5")
        }
    }

    @Test(arguments: [(7, 3), (6, 2), (5, 5), (10, 4), (2, 2)])
    func kFoldMatchesScikitLearnsBlocks(_ count: Int, _ folds: Int) throws {
        let splits = try DatasetSplits.kFold(stimulusCount: count, folds: folds)
        // Naive model: fold f tests the block [start_f, start_f + size_f), sizes n/k plus one for the first n % k.
        var start = 0
        for (fold, split) in splits.enumerated() {
            var size = count / folds
            if fold < count % folds { size += 1 }
            #expect(split.test == Array(start..<(start + size)))
            #expect(split.train == (0..<count).filter { $0 < start || $0 >= start + size })
            start += size
        }
        #expect(start == count)
        let shuffled = try DatasetSplits.kFold(stimulusCount: count, folds: folds, seed: 4)
        #expect(shuffled.flatMap(\.test).sorted() == Array(0..<count), "test sets partition the stimuli")
        for split in shuffled { #expect(Set(split.train).union(split.test) == Set(0..<count)) }
        #expect(try DatasetSplits.kFold(stimulusCount: count, folds: folds, seed: 4) == shuffled, "seeded")
    }

    @Test func kFoldRejectsImpossibleFoldCounts() {
        #expect(throws: DataError("dataset.split", path: nil, "k-fold needs 2 ≤ folds ≤ the 3 stimuli, got folds = 1")) {
            try DatasetSplits.kFold(stimulusCount: 3, folds: 1)
        }
    }

    @Test func sharedTestIsTheIntersectionOfWhatSubjectsSaw() throws {
        let seen: [[Int]] = [[0, 1, 2, 5, 7], [7, 5, 3, 1], [1, 5, 6, 7, 8]]
        let recordings = try seen.map { indices in
            try Recording(modality: .fmri, responses: try Tensor.zeros([indices.count, 2]), stimulusIndices: indices)
        }
        let split = try #require(DatasetSplits.sharedTest(recordings: recordings, stimulusCount: 9).first)
        let naive = (0..<9).filter { index in seen.allSatisfy { $0.contains(index) } }
        #expect(split.test == naive)
        #expect(split.train == (0..<9).filter { !naive.contains($0) })
        #expect(throws: DataError("dataset.split", path: nil, "shared test stimuli need at least one recording")) {
            try DatasetSplits.sharedTest(recordings: [], stimulusCount: 3)
        }
    }

    @Test func explicitSplitsAreChecked() throws {
        #expect(try DatasetSplits.explicit(train: [0, 2], test: [1], stimulusCount: 3)
                == [DatasetSplit(name: "split", train: [0, 2], test: [1])])
        #expect(throws: DataError("dataset.split", path: nil, "the test set is empty")) {
            try DatasetSplits.explicit(train: [0], test: [], stimulusCount: 3)
        }
        #expect(throws: DataError("dataset.split", path: nil, "an index appears twice in the train or test set")) {
            try DatasetSplits.explicit(train: [0, 0], test: [1], stimulusCount: 3)
        }
        #expect(throws: DataError("dataset.split", path: nil, "stimulus index -1 is out of range for 3 stimuli")) {
            try DatasetSplits.explicit(train: [-1], test: [1], stimulusCount: 3)
        }
    }

    @Test func subsetsMatchANaiveSelection() throws {
        let dataset = try Self.sampleDataset()
        let indices = [6, 0, 3]
        let subset = try dataset.subset(indices)
        let stimuli = dataset.stimuli.stimuli
        for (position, index) in indices.enumerated() {
            #expect(Self.same(try subset.stimuli.stimuli.selecting(position, axis: 0), try stimuli.selecting(index, axis: 0)))
            #expect(try subset.stimuli.metadata.row(position) == dataset.stimuli.metadata.row(index))
        }
        // S02 saw 6, 0, 3 (rows 0, 1, 2 of its responses); all subjects saw them.
        #expect(subset.subjects == ["S01", "S02", "S03", "S04"])
        let meg = try subset.recording("S02")
        #expect(Self.same(meg.responses, try dataset.recording("S02").responses.sliced(axis: 0, 0..<3)))
        #expect(Self.same(meg.repeats, try dataset.recording("S02").repeats!.sliced(axis: 1, 0..<3)))
        #expect(meg.stimulusIndices == nil)
        // A subject keeps the rows of the stimuli it saw, indexed by their positions in the subset (naive model);
        // subjects that saw none are left out.
        let partial = try dataset.subset([1, 2, 4, 6])
        let partialMEG = try partial.recording("S02")
        #expect(partialMEG.stimulusIndices == [1, 3])
        let megRows = try dataset.recording("S02").responses
        #expect(Self.same(partialMEG.responses, try Tensor.stack([try megRows.selecting(3, axis: 0),
                                                                   try megRows.selecting(0, axis: 0)])))
        #expect(try dataset.subset([1, 4, 5]).subjects == ["S01", "S03", "S04"])
        let fold = try dataset.fold(1)
        #expect(Self.same(fold.test.stimuli.stimuli, try dataset.subset(dataset.splits[1].test).stimuli.stimuli))
        #expect(fold.train.stimuli.count + fold.test.stimuli.count == 7)
        #expect(throws: DataError("dataset.fold", path: nil, "split 3 is out of range: the dataset has 3 splits")) {
            try dataset.fold(3)
        }
        let faces = try dataset.stimuli.filter(column: "category", equals: .text("face"))
        #expect(faces.indices == [0, 3, 6])
        #expect(faces.set.names == ["s0", "s3", "s6"])
        #expect(try dataset.stimuli.filter(column: "size", equals: .number(3)).indices == [2])
        #expect(throws: DataError("stimuli.filter", path: nil, "column 'size' holds numbers, not text like \"big\"")) {
            try dataset.stimuli.filter(column: "size", equals: .text("big"))
        }
        #expect(throws: DataError("stimuli.subset", path: nil, "stimulus index 7 is out of range for 7 stimuli")) {
            try dataset.stimuli.subset([7])
        }
    }

    @Test func recordingsCheckTheirShapes() throws {
        let responses = try Tensor.zeros([4, 6])
        let cases: [(() throws -> Recording, String)] = [
            ({ try Recording(modality: .fmri, responses: responses, voxelCoordinates: try Tensor.zeros([6, 2])) },
             "voxel coordinates must have shape [6, 3] (one row per voxel), got [6, 2]"),
            ({ try Recording(modality: .fmri, responses: responses, roiLabels: .text(["V1"])) },
             "ROI labels must have one entry per voxel (6), got 1"),
            ({ try Recording(modality: .fmri, responses: responses, repeats: try Tensor.zeros([2, 4, 5])) },
             "repeats must have shape [n_repeats] + [4, 6], got [2, 4, 5]"),
            ({ try Recording(modality: .fmri, responses: responses, times: try Tensor.zeros([3])) },
             "times and sensor names belong to MEG/EEG recordings, not fMRI"),
            ({ try Recording(modality: .meg, responses: responses) },
             "MEG responses must have shape [n_stimuli, n_sensors, n_times], got [4, 6]"),
            ({ try Recording(modality: .eeg, responses: try Tensor.zeros([4, 2, 3]), roiLabels: .text(["a", "b"])) },
             "voxel coordinates and ROI labels belong to fMRI recordings, not EEG"),
            ({ try Recording(modality: .fmri, responses: responses, stimulusIndices: [0, 1, 1, 2]) },
             "stimulus indices must be distinct and non-negative"),
            ({ try Recording(modality: .fmri, responses: responses, stimulusIndices: [0]) },
             "1 stimulus indices for 4 rows of responses"),
            ({ try Recording(modality: .fmri, responses: try Tensor.zeros([4, 6], dtype: .bool)) },
             "responses must be numbers, not bool"),
            ({ try Recording(responses: try Tensor.zeros([4])) },
             "responses must be fMRI [n_stimuli, n_voxels] or MEG [n_stimuli, n_sensors, n_times], got [4]"),
        ]
        for (make, message) in cases {
            #expect(throws: DataError("recording", path: nil, message)) { try make() }
        }
        let recording = try Recording(modality: .fmri, responses: responses, repeats: try Tensor.zeros([2, 4, 6]))
        #expect(Self.same(recording.noiseCeilingInputs, recording.repeats))
    }

    @Test func datasetsCheckSubjectsAndRows() throws {
        let set = try StimulusSet(stimuli: try Tensor.zeros([3, 2]))
        let fitting = try Recording(responses: try Tensor.zeros([3, 4]))
        #expect(throws: DataError("dataset", path: nil, "subject \"S1\" appears twice")) {
            try Dataset(stimuli: set, recordings: [("S1", fitting), ("S1", fitting)])
        }
        #expect(throws: DataError("dataset", path: nil, "subject names must be non-empty and contain no '/', got \"a/b\"")) {
            try Dataset(stimuli: set, recordings: [("a/b", fitting)])
        }
        let partial = try Recording(modality: .fmri, responses: try Tensor.zeros([1, 4]), stimulusIndices: [5])
        #expect(throws: DataError("dataset", path: nil, "recording \"S1\" refers to stimulus 5, but there are 3")) {
            try Dataset(stimuli: set, recordings: [("S1", partial)])
        }
        let dataset = try Dataset(stimuli: set, recordings: [("S1", fitting)])
        #expect(throws: DataError("dataset", path: nil, "no split \"fold0\"; the splits are none (call split first)")) {
            try dataset.split("fold0")
        }
        #expect(throws: DataError("stimuli", path: nil, "stimuli must have shape [n, …], got a 0-d tensor")) {
            try StimulusSet(stimuli: Tensor(scalar: 1.0))
        }
    }
}
