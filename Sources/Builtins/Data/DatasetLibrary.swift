import Datasets
import Language
import Tensors

/// Dataset containers in the language: `recording(...)`, `dataset(...)` / `datasets.load(path)`, and the dataset and
/// recording objects.
enum DatasetLibrary {
    static func install(_ context: BindingContext) {
        context.define("recording", "recording(responses, modality=nil, repeats=nil, coordinates=nil, rois=nil, "
                       + "times=nil, sensors=nil, stimuli=nil)",
                       "One subject's responses → recording. fMRI: responses [n_stimuli, n_voxels], coordinates "
                       + "[n_voxels, 3], rois [n_voxels] (numbers or strings). MEG/EEG: responses [n_stimuli, n_sensors, "
                       + "n_times], times [n_times] (seconds), sensors [n_sensors] names. repeats: [n_repeats] + "
                       + "responses.shape (the noise-ceiling inputs). stimuli: the dataset stimulus index of each row "
                       + "(when a subject saw only some). modality: \"fmri\", \"meg\", \"eeg\"; nil: fmri for 2-D, meg "
                       + "for 3-D.\nErrors: any shape that does not match responses (the message gives both).") {
            arguments in .native(RecordingObject(try recording(arguments), context: context))
        }
        context.define("dataset", "dataset(path=nil, stimuli=nil, recordings=nil, metadata=nil)",
                       "A dataset → dataset object: stimuli [n, …] (a tensor), recordings a record subject → recording "
                       + "or tensor (2-D: fMRI, 3-D: MEG), metadata a table or record of columns (one row per "
                       + "stimulus). dataset(path) loads a file written by ds.save (as datasets.load).\n"
                       + "Errors: recordings whose rows do not match the stimuli, metadata of another length.") {
            arguments in
            if let path = try arguments.optionalString(0, "path") {
                return .native(DatasetObject(try Dataset.load(path), context: context))
            }
            guard let stimuliValue = arguments.optional(1, "stimuli"), !stimuliValue.isNil else {
                throw LanguageError("dataset: give stimuli= (a tensor [n, …]) or a path to load")
            }
            let stimuli = try TensorConversion.tensor(from: stimuliValue, operation: "dataset")
            let metadata = try arguments.optional(3, "metadata").flatMap {
                $0.isNil ? nil : try DataConversion.table($0, operation: "dataset")
            }
            var recordings: [(subject: String, recording: Recording)] = []
            if let value = arguments.optional(2, "recordings"), !value.isNil {
                let record = try arguments.record(2, "recordings")
                for (subject, entry) in zip(record.keys, record.values) {
                    if let object = entry.native(as: RecordingObject.self) {
                        recordings.append((subject, object.recording))
                    } else {
                        recordings.append((subject, try Recording(responses: TensorConversion.tensor(
                            from: entry, operation: "dataset (recording '\(subject)')"))))
                    }
                }
            }
            let set = try StimulusSet(stimuli: stimuli, metadata: metadata)
            return .native(DatasetObject(try Dataset(stimuli: set, recordings: recordings), context: context))
        }
        context.interpreter.registerModule("datasets", [
            ("load", context.function("datasets.load", "load(path)",
                                      "Reads a dataset file written by ds.save → dataset.\nErrors: missing file, an "
                                      + "HDF5 file that is not a bm dataset, a newer layout version, damaged contents.") {
                arguments in .native(DatasetObject(try Dataset.load(try arguments.string(0, "path")), context: context))
            }),
        ], documentation: "datasets: datasets.load(path) → dataset; build one with dataset(stimuli=…, recordings={…}, "
           + "metadata=…); ds.split(k=5) / ds.split(shared=true) / ds.split(train=…, test=…); ds.save(path).", global: true)
    }

    static func recording(_ arguments: Arguments) throws -> Recording {
        func tensor(_ index: Int, _ name: String) throws -> Tensor? {
            guard let value = arguments.optional(index, name), !value.isNil else { return nil }
            return try TensorConversion.tensor(from: value, operation: "recording (\(name))")
        }
        let responses = try TensorConversion.tensor(from: arguments.value(0, "responses"), operation: "recording")
        let modality: Recording.Modality
        if let name = try arguments.optionalString(1, "modality") {
            guard let known = Recording.Modality(rawValue: name.lowercased()) else {
                throw LanguageError("recording: unknown modality \"\(name)\" (use \"fmri\", \"meg\" or \"eeg\")")
            }
            modality = known
        } else {
            modality = responses.rank == 3 ? .meg : .fmri
        }
        let rois = try arguments.optional(4, "rois").flatMap {
            $0.isNil ? nil : try DataConversion.column($0, operation: "recording", name: "rois")
        }
        let sensors: [String]? = try arguments.optional(6, "sensors").flatMap { value in
            guard !value.isNil else { return nil }
            return try arguments.list(6, "sensors").elements.map { element in
                guard let text = element.stringValue else {
                    throw LanguageError("recording: sensors must be a list of strings, got a \(element.typeName) in it")
                }
                return text
            }
        }
        let stimuli = try arguments.optional(7, "stimuli").flatMap {
            $0.isNil ? nil : try DataConversion.indices($0, operation: "recording")
        }
        return try Recording(modality: modality, responses: responses, repeats: tensor(2, "repeats"),
                             voxelCoordinates: tensor(3, "coordinates"), roiLabels: rois, times: tensor(5, "times"),
                             sensorNames: sensors, stimulusIndices: stimuli)
    }
}

/// A recording: `.modality`, `.responses`, `.repeats` (= `.noise_ceiling_inputs`), `.coordinates`, `.rois`, `.times`,
/// `.sensors`, `.stimuli` (dataset indices of the rows), `.shape`, `len(r)` (rows).
final class RecordingObject: NativeObject {
    let recording: Recording
    let context: BindingContext

    init(_ recording: Recording, context: BindingContext) {
        self.recording = recording
        self.context = context
    }

    var typeName: String { "recording" }
    var displayString: String {
        "<\(recording.modality.rawValue) recording \(formatShape(recording.responses.shape))"
            + (recording.repeats.map { ", \($0.shape[0]) repeats" } ?? "") + ">"
    }
    var memberNames: [String] {
        ["modality", "responses", "repeats", "noise_ceiling_inputs", "coordinates", "rois", "times", "sensors",
         "stimuli", "shape"]
    }

    func attribute(_ name: String) throws -> Value? {
        let optionalTensor = { (tensor: Tensor?) -> Value in tensor.map { self.context.wrap($0) } ?? .nil }
        switch name {
        case "modality": return .string(recording.modality.rawValue)
        case "responses": return context.wrap(recording.responses)
        case "repeats", "noise_ceiling_inputs": return optionalTensor(recording.repeats)
        case "coordinates": return optionalTensor(recording.voxelCoordinates)
        case "rois": return recording.roiLabels.map { DataConversion.columnValue(context, $0) } ?? .nil
        case "times": return optionalTensor(recording.times)
        case "sensors": return recording.sensorNames.map { .makeList($0.map { .string($0) }) } ?? .nil
        case "stimuli": return context.wrap(Tensor(recording.rowStimuli.map(Int64.init)))
        case "shape": return .makeList(recording.responses.shape.map { .number(Double($0)) })
        default: return nil
        }
    }

    func length() throws -> Int? { recording.stimulusCount }
}

/// A dataset: stimuli, metadata, recordings by subject, splits. `ds["S01"]` is a recording.
final class DatasetObject: NativeObject {
    private(set) var dataset: Dataset
    let context: BindingContext

    init(_ dataset: Dataset, context: BindingContext) {
        self.dataset = dataset
        self.context = context
    }

    var typeName: String { "dataset" }
    var displayString: String {
        "<dataset: \(dataset.stimuli.count) stimuli \(formatShape(dataset.stimuli.stimuli.shape)), subjects "
            + (dataset.subjects.isEmpty ? "none" : dataset.subjects.joined(separator: ", "))
            + ", \(dataset.splits.count) splits>"
    }
    var memberNames: [String] {
        ["stimuli", "metadata", "names", "subjects", "recordings", "splits"] + DatasetObject.methods.keys.sorted()
    }

    func attribute(_ name: String) throws -> Value? {
        switch name {
        case "stimuli": return context.wrap(dataset.stimuli.stimuli)
        case "metadata": return .native(TableObject(dataset.stimuli.metadata, context: context))
        case "names": return dataset.stimuli.names.map { .makeList($0.map { .string($0) }) } ?? .nil
        case "subjects": return .makeList(dataset.subjects.map { .string($0) })
        case "recordings":
            return .makeRecord(dataset.recordings.map { ($0.subject, .native(RecordingObject($0.recording, context: context))) })
        case "splits": return .makeList(dataset.splits.map { splitRecord($0) })
        default: return DataConversion.bind(DatasetObject.methods, name, typeName: "dataset", receiver: self, context: context)
        }
    }

    func splitRecord(_ split: DatasetSplit) -> Value {
        .makeRecord([("name", .string(split.name)), ("train", context.wrap(Tensor(split.train.map(Int64.init)))),
                     ("test", context.wrap(Tensor(split.test.map(Int64.init))))])
    }

    func subscriptGet(_ indices: [Subscript]) throws -> Value {
        guard indices.count == 1, case .value(.string(let subject)) = indices[0] else {
            throw LanguageError("dataset: index with a subject name, e.g. ds[\"S01\"]")
        }
        return .native(RecordingObject(try dataset.recording(subject), context: context))
    }

    func length() throws -> Int? { dataset.stimuli.count }

    static let methods: [String: NativeMethod<DatasetObject>] = [
        "save": NativeMethod(signature: "save(path)",
                             documentation: "Writes the dataset as one HDF5 file (layout: docs/data.md), atomically → nil.") {
            object, arguments, _ in
            try object.dataset.save(try arguments.string(0, "path"))
            return .nil
        },
        "split": NativeMethod(signature: "split(k=nil, seed=nil, train=nil, test=nil, shared=false)",
                              documentation: "Sets the dataset's train/test splits and returns them → list of {name, "
                                + "train, test} (int64 stimulus indices). k=5: k-fold over contiguous blocks (seed=s: "
                                + "blocks of a seeded shuffle); train=…, test=…: one explicit split; shared=true: the "
                                + "stimuli every subject saw are the test set (NSD).\nErrors: no or several kinds "
                                + "given, k outside 2…n, indices out of range or in both sets, nothing shared.") {
            object, arguments, _ in
            let count = object.dataset.stimuli.count
            let folds = try arguments.optionalInteger(0, "k")
            let seed = try arguments.optionalInteger(1, "seed")
            let train = try arguments.optional(2, "train").flatMap { $0.isNil ? nil : try DataConversion.indices($0, operation: "dataset.split") }
            let test = try arguments.optional(3, "test").flatMap { $0.isNil ? nil : try DataConversion.indices($0, operation: "dataset.split") }
            let shared = try arguments.optionalBool(4, "shared") ?? false
            let kinds = [folds != nil, train != nil || test != nil, shared].filter { $0 }.count
            guard kinds == 1 else {
                throw LanguageError("dataset.split: give exactly one of k=, train= with test=, or shared=true")
            }
            if let seed, seed < 0 { throw LanguageError("dataset.split: seed must be >= 0, got \(seed)") }
            let splits: [DatasetSplit]
            if let folds {
                splits = try DatasetSplits.kFold(stimulusCount: count, folds: folds, seed: seed.map { UInt64($0) })
            } else if shared {
                splits = try DatasetSplits.sharedTest(recordings: object.dataset.recordings.map(\.recording),
                                                      stimulusCount: count)
            } else {
                guard let test else { throw LanguageError("dataset.split: train= needs test= too") }
                let trainIndices = train ?? (0..<count).filter { !Set(test).contains($0) }
                splits = try DatasetSplits.explicit(train: trainIndices, test: test, stimulusCount: count)
            }
            object.dataset = try object.dataset.withSplits(splits)
            return .makeList(splits.map { object.splitRecord($0) })
        },
        "subset": NativeMethod(signature: "subset(indices)",
                               documentation: "The stimuli at indices (list, int or bool tensor) with their metadata, and "
                                + "each recording restricted to the rows of those stimuli it presented → dataset "
                                + "(without splits).\nErrors: an index out of range.") {
            object, arguments, context in
            let indices = try DataConversion.indices(arguments.value(0, "indices"), operation: "dataset.subset")
            return .native(DatasetObject(try object.dataset.subset(indices), context: context))
        },
        "fold": NativeMethod(signature: "fold(split=0)",
                             documentation: "The train and test parts of split number `split` (or the split of that "
                                + "name) → {train: dataset, test: dataset}, each as subset gives it.\nErrors: no such "
                                + "split (call split first).") {
            object, arguments, context in
            let index: Int
            if let name = try? arguments.string(0, "split") {
                let names = object.dataset.splits.map(\.name)
                guard let found = names.firstIndex(of: name) else { _ = try object.dataset.split(name); return .nil }
                index = found
            } else {
                index = try arguments.optionalInteger(0, "split") ?? 0
            }
            let parts = try object.dataset.fold(index)
            return .makeRecord([("train", .native(DatasetObject(parts.train, context: context))),
                                ("test", .native(DatasetObject(parts.test, context: context)))])
        },
        "filter": NativeMethod(signature: "filter(column, value)",
                               documentation: "The stimuli whose metadata column equals value (a number or string) → "
                                + "dataset, as subset.\nErrors: no such column (lists them), value of the other kind.") {
            object, arguments, context in
            let column = try arguments.string(0, "column")
            let value: Table.Value
            switch try arguments.value(1, "value") {
            case .number(let number): value = .number(number)
            case .string(let text): value = .text(text)
            case let other: throw arguments.typeError(1, "value", expected: "a number or a string", got: other)
            }
            let indices = try object.dataset.stimuli.filter(column: column, equals: value).indices
            return .native(DatasetObject(try object.dataset.subset(indices), context: context))
        },
    ]
}
