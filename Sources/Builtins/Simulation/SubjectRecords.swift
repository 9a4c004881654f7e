import Language
import Simulation
import Tensors

/// Simulation results as script records of tensors, lists and numbers.
enum SubjectRecords {
    static func truth(_ context: BindingContext, _ truth: GroundTruth) -> Value {
        let tensor = { (value: Tensor) -> Value in context.wrap(value) }
        return .makeRecord([
            ("regions", SubjectLibrary.strings(truth.regions)),
            ("region_index", tensor(truth.regionIndex)),
            ("hemisphere", tensor(truth.hemisphere)),
            ("hierarchy", tensor(truth.hierarchyPosition)),
            ("hierarchy_level", tensor(truth.hierarchyLevel)),
            ("x", tensor(truth.x)), ("y", tensor(truth.y)), ("flat_x", tensor(truth.flatMapX)),
            ("stage_weights", tensor(truth.stageWeights)),
            ("stages", SubjectLibrary.strings(truth.stages)),
            ("polar_angle", tensor(truth.polarAngle)), ("eccentricity", tensor(truth.eccentricity)),
            ("prf_size", tensor(truth.prfSize)), ("prf_x", tensor(truth.prfX)), ("prf_y", tensor(truth.prfY)),
            ("orientation", tensor(truth.orientationPreference)), ("scale", tensor(truth.scalePreference)),
            ("category_preference", tensor(truth.categoryPreference)),
            ("preferred_category", SubjectLibrary.strings(truth.preferredCategory)),
            ("categories", SubjectLibrary.strings(truth.categories)),
            ("gain", tensor(truth.gain)), ("noise_scale", tensor(truth.noiseScale)),
            ("myelin", tensor(truth.myelin)), ("timescale", tensor(truth.timescale)),
            ("region_names", SubjectLibrary.strings(truth.regionNames)),
            ("region_latency", tensor(truth.regionLatency)),
            ("region_stage", SubjectLibrary.strings(truth.regionStage)),
            ("region_category", SubjectLibrary.strings(truth.regionCategory)),
            ("region_level", tensor(truth.regionLevel)),
        ])
    }

    /// Flat-map coordinates for `fig.brain(values, x=c.x, y=c.y, regions=c.regions)` and the maps.
    static func cortex(_ context: BindingContext, _ subject: VirtualSubject) -> Value {
        let cortex = subject.cortex
        return .makeRecord([
            ("x", context.wrap(Tensor(cortex.flatMapX))), ("y", context.wrap(Tensor(cortex.y))),
            ("sheet_x", context.wrap(Tensor(cortex.x))),
            ("hemisphere", context.wrap(Tensor(cortex.hemisphere.map { Int64($0.rawValue) }))),
            ("regions", context.wrap(Tensor(cortex.region.map { Int64($0.order) }))),
            ("region_names", SubjectLibrary.strings(CorticalRegion.allCases.map(\.rawValue))),
            ("hierarchy", context.wrap(Tensor(cortex.hierarchyPosition))),
            ("myelin", context.wrap(Tensor(cortex.myelin))), ("timescale", context.wrap(Tensor(cortex.timescale))),
            ("polar_angle", context.wrap(Tensor(cortex.polarAngle))),
            ("eccentricity", context.wrap(Tensor(cortex.eccentricity))),
            ("prf_size", context.wrap(Tensor(cortex.prfSize))),
            ("field_of_view", .number(cortex.fieldOfView)),
        ])
    }

    static func fmri(_ context: BindingContext, _ data: FMRIData, truth: GroundTruth) -> Value {
        .makeRecord([
            ("responses", context.wrap(data.responses)), ("mean", context.wrap(data.mean)),
            ("signal", context.wrap(data.signal)), ("noise_sd", context.wrap(data.noiseStandardDeviation)),
            ("signal_variance", context.wrap(data.signalVariance)), ("noise_ceiling", context.wrap(data.noiseCeiling)),
            ("single_trial_noise_ceiling", context.wrap(data.singleTrialNoiseCeiling)),
            ("labelled", .bool(data.stages.fromLabels)),
            ("truth", SubjectRecords.truth(context, truth)),
        ])
    }

    static func meg(_ context: BindingContext, _ data: MEGData) -> Value {
        .makeRecord([
            ("data", context.wrap(data.data)), ("mean", context.wrap(data.mean)), ("signal", context.wrap(data.signal)),
            ("times", context.wrap(data.times)), ("sources", context.wrap(data.sources)),
            ("source_regions", SubjectLibrary.strings(data.sourceRegions.map(\.rawValue))),
            ("source_hemispheres", SubjectLibrary.strings(data.sourceHemispheres.map { $0 == .left ? "left" : "right" })),
            ("source_positions", context.wrap(data.sourcePositions)),
            ("source_orientations", context.wrap(data.sourceOrientations)),
            ("sensor_positions", context.wrap(data.sensorPositions)), ("lead_field", context.wrap(data.leadField)),
            ("latency", .makeRecord(CorticalRegion.allCases.map { ($0.rawValue, .number(data.regionLatency[$0.order])) })),
            ("noise_sd", .number(data.noiseStandardDeviation)), ("sfreq", .number(data.samplingRate)),
        ])
    }

    static func timeSeries(_ context: BindingContext, _ run: FMRITimeSeries) -> Value {
        .makeRecord([
            ("data", context.wrap(run.data)), ("signal", context.wrap(run.signal)), ("times", context.wrap(run.times)),
            ("design", context.wrap(run.design)), ("event_responses", context.wrap(run.eventResponses)),
            ("noise_sd", context.wrap(run.noiseStandardDeviation)), ("noise_ceiling", context.wrap(run.noiseCeiling)),
            ("tr", .number(run.tr)),
        ])
    }

    static func stages(_ context: BindingContext, _ stages: StageResponses) -> Value {
        .makeRecord([
            ("early", context.wrap(stages.early)), ("middle", context.wrap(stages.middle)),
            ("category", context.wrap(stages.category)), ("total", context.wrap(stages.total)),
            ("category_evidence", context.wrap(stages.categoryEvidence)), ("labelled", .bool(stages.fromLabels)),
        ])
    }
}
