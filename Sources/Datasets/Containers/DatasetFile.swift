import Tensors

/// A dataset as one HDF5 file (layout in docs/data.md):
///
/// ```
/// /                      attributes kind = "bm.dataset", version = 1
/// /stimuli               [n, …] the stimulus tensor
/// /metadata/<column>     [n] float64 or strings; group attribute `columns` (their order)
/// /recordings/<subject>/responses          attribute modality = "fmri" | "meg" | "eeg"
///                       repeats, voxel_coordinates, roi_labels, times, sensor_names, stimulus_indices (optional)
///            group attribute `subjects` (their order)
/// /splits/<name>/train, /splits/<name>/test   int64 indices; group attribute `names` (their order)
/// ```
extension Dataset {
    /// The value of the root's `kind` attribute, by which `load` recognises a dataset file.
    public static let fileKind = "bm.dataset"
    /// The layout version written; `load` reads versions up to this one.
    public static let fileVersion = 1

    /// Writes the dataset to `path` atomically (`HDF5.save`): an interrupted save leaves the old file intact.
    /// - Throws: `DataError` (operation `h5.write`) when the folder does not exist or the write fails.
    public func save(_ path: String) throws {
        try HDF5.save(path) { file in
            try file.setAttribute("kind", .string(Dataset.fileKind))
            try file.setAttribute("version", .number(Double(Dataset.fileVersion)))
            try file.writeDataset("stimuli", stimuli.stimuli)
            let metadata = try file.createGroup("metadata")
            if !stimuli.metadata.columns.isEmpty {
                try metadata.setAttribute("columns", .strings(stimuli.metadata.columns))
            }
            for (name, column) in zip(stimuli.metadata.columns, stimuli.metadata.values) {
                try Dataset.writeColumn(column, name, in: metadata)
            }
            let group = try file.createGroup("recordings")
            if !recordings.isEmpty { try group.setAttribute("subjects", .strings(subjects)) }
            for (subject, recording) in recordings {
                let member = try group.createGroup(subject)
                try member.writeDataset("responses", recording.responses,
                                        attributes: ["modality": .string(recording.modality.rawValue)])
                if let repeats = recording.repeats { try member.writeDataset("repeats", repeats) }
                if let coordinates = recording.voxelCoordinates {
                    try member.writeDataset("voxel_coordinates", coordinates)
                }
                if let labels = recording.roiLabels { try Dataset.writeColumn(labels, "roi_labels", in: member) }
                if let times = recording.times { try member.writeDataset("times", times) }
                if let names = recording.sensorNames { try member.writeStrings("sensor_names", names) }
                if let indices = recording.stimulusIndices {
                    try member.writeDataset("stimulus_indices", Tensor(indices.map(Int64.init)))
                }
            }
            let splitGroup = try file.createGroup("splits")
            if !splits.isEmpty { try splitGroup.setAttribute("names", .strings(splits.map(\.name))) }
            for split in splits {
                let member = try splitGroup.createGroup(split.name)
                try member.writeDataset("train", Tensor(split.train.map(Int64.init)))
                try member.writeDataset("test", Tensor(split.test.map(Int64.init)))
            }
        }
    }

    /// Reads a dataset written by `save`.
    /// - Throws: `DataError` (operation `dataset.load`) when the file is not a bm dataset (no `kind` attribute
    ///   `bm.dataset`), has a newer layout version, or lacks a required member; what `HDF5File.open` and reading
    ///   throw; what `Dataset.init` throws for inconsistent contents.
    public static func load(_ path: String) throws -> Dataset {
        func fail(_ message: String) -> DataError { DataError("dataset.load", path: path, message) }
        let file = try HDF5File.open(path)
        guard (try? file.attribute("kind"))?.stringValue == fileKind else {
            throw fail("not a bm dataset file (its root has no attribute kind = \"\(fileKind)\"); open it with h5.open")
        }
        let version = (try? file.attribute("version"))?.doubleValue ?? 0
        guard version >= 1, version <= Double(fileVersion) else {
            throw fail("layout version \(version) is not one this bm reads (1…\(fileVersion)); update bm")
        }
        for required in ["stimuli", "metadata", "recordings", "splits"] where !file.contains(required) {
            throw fail("the member \"/\(required)\" is missing: the file is damaged")
        }
        let metadataGroup = try file.group("metadata")
        let columnNames = try order(metadataGroup, attribute: "columns")
        let metadata = try Table(columnNames.map { ($0, try readColumn(metadataGroup.dataset($0))) })
        let stimuli = try StimulusSet(stimuli: try file.dataset("stimuli").read(), metadata: metadata)

        let recordingGroup = try file.group("recordings")
        var recordings: [(subject: String, recording: Recording)] = []
        for subject in try order(recordingGroup, attribute: "subjects") {
            let member = try recordingGroup.group(subject)
            let responses = try member.dataset("responses")
            guard let modalityName = (try? responses.attribute("modality"))?.stringValue,
                  let modality = Recording.Modality(rawValue: modalityName) else {
                throw fail("recording \"\(subject)\" has no valid modality attribute (fmri, meg or eeg)")
            }
            func optional(_ name: String) throws -> Tensor? {
                member.contains(name) ? try member.dataset(name).read() : nil
            }
            let recording = try Recording(
                modality: modality, responses: try responses.read(), repeats: try optional("repeats"),
                voxelCoordinates: try optional("voxel_coordinates"),
                roiLabels: member.contains("roi_labels") ? try readColumn(member.dataset("roi_labels")) : nil,
                times: try optional("times"),
                sensorNames: member.contains("sensor_names") ? try member.dataset("sensor_names").readStrings() : nil,
                stimulusIndices: try optional("stimulus_indices").map { $0.astype(.int64).scalars(as: Int64.self).map { Int($0) } })
            recordings.append((subject, recording))
        }
        let splitGroup = try file.group("splits")
        let splits = try order(splitGroup, attribute: "names").map { name in
            let member = try splitGroup.group(name)
            func indices(_ part: String) throws -> [Int] {
                try member.dataset(part).read().astype(.int64).scalars(as: Int64.self).map { Int($0) }
            }
            return DatasetSplit(name: name, train: try indices("train"), test: try indices("test"))
        }
        return try Dataset(stimuli: stimuli, recordings: recordings, splits: splits)
    }

    /// Members in the order the attribute records (their name order when it is absent).
    private static func order(_ group: HDF5Group, attribute: String) throws -> [String] {
        guard let value = try? group.attribute(attribute) else { return try group.keys() }
        switch value {
        case .strings(let names): return names
        case .string(let name): return [name]
        default: return try group.keys()
        }
    }

    private static func writeColumn(_ column: Table.Column, _ name: String, in group: HDF5Group) throws {
        switch column {
        case .numeric(let numbers): try group.writeDataset(name, numbers)
        case .text(let strings): try group.writeStrings(name, strings)
        }
    }

    private static func readColumn(_ dataset: HDF5Dataset) throws -> Table.Column {
        if dataset.storedType.isString { return .text(try dataset.readStrings()) }
        return .numeric(try dataset.read().astype(.float64))
    }
}
