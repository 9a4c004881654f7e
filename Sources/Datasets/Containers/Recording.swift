import Tensors

/// One subject's brain responses to a stimulus set: fMRI `[n_stimuli, n_voxels]` or MEG/EEG
/// `[n_stimuli, n_sensors, n_times]`, with what analyses need beside them: voxel coordinates and ROI labels (fMRI),
/// times in seconds and sensor names (MEG/EEG), and the single repeats that noise ceilings are computed from.
///
/// `responses` are the (usually averaged) responses; `repeats` holds each repetition separately,
/// `[n_repeats] + responses.shape`. `stimulusIndices` says which stimuli of the dataset's set the rows belong to
/// (nil: all of them, in order), so subjects may see different stimuli (as in NSD).
public struct Recording: Sendable {
    public enum Modality: String, Sendable, CaseIterable {
        case fmri, meg, eeg
    }

    public let modality: Modality
    /// fMRI `[n_stimuli, n_voxels]`; MEG/EEG `[n_stimuli, n_sensors, n_times]`.
    public let responses: Tensor
    /// `[n_repeats] + responses.shape`: the noise-ceiling inputs; nil when not recorded.
    public let repeats: Tensor?
    /// fMRI: `[n_voxels, 3]` coordinates (mm or voxel indices).
    public let voxelCoordinates: Tensor?
    /// fMRI: one label per voxel, `[n_voxels]` (numbers or names).
    public let roiLabels: Table.Column?
    /// MEG/EEG: `[n_times]` seconds from stimulus onset.
    public let times: Tensor?
    /// MEG/EEG: `[n_sensors]` names.
    public let sensorNames: [String]?
    /// The dataset stimuli each row of `responses` answers; nil: all, in order.
    public let stimulusIndices: [Int]?

    /// - Throws: `DataError` (operation `recording`) when a shape does not match: fMRI responses must be 2-D and MEG/EEG
    ///   3-D; repeats `[r] + responses.shape`; coordinates `[n_voxels, 3]`; ROI labels, times and sensor names one per
    ///   voxel, time point and sensor; stimulus indices one per row, distinct and ≥ 0; fMRI-only or MEG-only
    ///   fields given for the other modality; non-numeric (bool) responses.
    public init(modality: Modality, responses: Tensor, repeats: Tensor? = nil, voxelCoordinates: Tensor? = nil,
                roiLabels: Table.Column? = nil, times: Tensor? = nil, sensorNames: [String]? = nil,
                stimulusIndices: [Int]? = nil) throws {
        func fail(_ message: String) -> DataError { DataError("recording", path: nil, message) }
        let shape = responses.shape
        guard responses.dtype != .bool else { throw fail("responses must be numbers, not bool") }
        switch modality {
        case .fmri:
            guard responses.rank == 2 else {
                throw fail("fMRI responses must have shape [n_stimuli, n_voxels], got \(formatShape(shape))")
            }
            guard times == nil, sensorNames == nil else {
                throw fail("times and sensor names belong to MEG/EEG recordings, not fMRI")
            }
            if let voxelCoordinates, voxelCoordinates.shape != [shape[1], 3] {
                throw fail("voxel coordinates must have shape [\(shape[1]), 3] (one row per voxel), got "
                           + formatShape(voxelCoordinates.shape))
            }
            if let roiLabels, roiLabels.count != shape[1] {
                throw fail("ROI labels must have one entry per voxel (\(shape[1])), got \(roiLabels.count)")
            }
        case .meg, .eeg:
            guard responses.rank == 3 else {
                throw fail("\(modality.rawValue.uppercased()) responses must have shape [n_stimuli, n_sensors, n_times], "
                           + "got \(formatShape(shape))")
            }
            guard voxelCoordinates == nil, roiLabels == nil else {
                throw fail("voxel coordinates and ROI labels belong to fMRI recordings, not \(modality.rawValue.uppercased())")
            }
            if let times, times.shape != [shape[2]] {
                throw fail("times must have shape [\(shape[2])] (one per time point), got \(formatShape(times.shape))")
            }
            if let sensorNames, sensorNames.count != shape[1] {
                throw fail("sensor names must have one entry per sensor (\(shape[1])), got \(sensorNames.count)")
            }
        }
        if let repeats, repeats.rank != shape.count + 1 || Array(repeats.shape.dropFirst()) != shape {
            throw fail("repeats must have shape [n_repeats] + \(formatShape(shape)), got \(formatShape(repeats.shape))")
        }
        if let stimulusIndices {
            guard stimulusIndices.count == shape[0] else {
                throw fail("\(stimulusIndices.count) stimulus indices for \(shape[0]) rows of responses")
            }
            guard stimulusIndices.allSatisfy({ $0 >= 0 }), Set(stimulusIndices).count == stimulusIndices.count else {
                throw fail("stimulus indices must be distinct and non-negative")
            }
        }
        self.modality = modality
        self.responses = responses
        self.repeats = repeats
        self.voxelCoordinates = voxelCoordinates
        self.roiLabels = roiLabels
        self.times = times
        self.sensorNames = sensorNames
        self.stimulusIndices = stimulusIndices
    }

    /// An fMRI recording when `responses` is 2-D, MEG when it is 3-D (the common cases); throws otherwise.
    public init(responses: Tensor) throws {
        guard responses.rank == 2 || responses.rank == 3 else {
            throw DataError("recording", path: nil, "responses must be fMRI [n_stimuli, n_voxels] or MEG "
                            + "[n_stimuli, n_sensors, n_times], got \(formatShape(responses.shape))")
        }
        try self.init(modality: responses.rank == 2 ? .fmri : .meg, responses: responses)
    }

    /// Number of rows (stimuli this subject saw).
    public var stimulusCount: Int { responses.shape[0] }

    /// The dataset stimulus indices of the rows: `stimulusIndices`, or `0..<stimulusCount`.
    public var rowStimuli: [Int] { stimulusIndices ?? Array(0..<stimulusCount) }

    /// The noise-ceiling inputs: `repeats`, `[n_repeats] + responses.shape`.
    public var noiseCeilingInputs: Tensor? { repeats }

    /// The rows answering dataset stimuli `stimuli` that this recording presented, as a recording of the subset
    /// whose stimulus `p` is `stimuli[p]`: its stimulus indices are those positions (nil when it presented them all).
    /// Nil when it presented none of them.
    public func restricted(to stimuli: [Int]) throws -> Recording? {
        let rowOf = Dictionary(rowStimuli.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        var rows: [Int64] = []
        var positions: [Int] = []
        for (position, stimulus) in stimuli.enumerated() {
            if let row = rowOf[stimulus] {
                rows.append(Int64(row))
                positions.append(position)
            }
        }
        guard !rows.isEmpty else { return nil }
        let indexTensor = Tensor(rows)
        return try Recording(modality: modality, responses: responses.take(indexTensor, axis: 0),
                             repeats: try repeats.map { try $0.take(indexTensor, axis: 1) },
                             voxelCoordinates: voxelCoordinates, roiLabels: roiLabels, times: times,
                             sensorNames: sensorNames, stimulusIndices: positions.count == stimuli.count ? nil : positions)
    }
}
