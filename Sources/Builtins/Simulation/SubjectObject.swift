import Language
import Simulation
import Tensors

/// A virtual subject as a script sees it (see `SubjectLibrary.subjectDocumentation`).
final class SubjectObject: NativeObject {
    let subject: VirtualSubject
    let context: BindingContext

    init(_ subject: VirtualSubject, context: BindingContext) {
        self.subject = subject
        self.context = context
    }

    var typeName: String { "virtual_subject" }
    var displayString: String {
        "<virtual subject \(subject.index) of cohort \(subject.seed): \(subject.cortex.vertexCount) vertices, "
            + "\(CorticalRegion.allCases.count) regions>"
    }
    var memberNames: [String] {
        ["index", "seed", "vertices_count", "regions", "truth", "cortex"] + SubjectObject.methods.keys.sorted()
    }

    func attribute(_ name: String) throws -> Value? {
        switch name {
        case "index": return .number(Double(subject.index))
        case "seed": return .number(Double(subject.seed))
        case "vertices_count": return .number(Double(subject.cortex.vertexCount))
        case "regions": return SubjectLibrary.strings(CorticalRegion.allCases.map(\.rawValue))
        case "truth": return SubjectRecords.truth(context, subject.truth)
        case "cortex": return SubjectRecords.cortex(context, subject)
        default:
            guard let method = SubjectObject.methods[name] else { return nil }
            return context.function("virtual_subject.\(name)", method.signature, method.documentation) {
                [context] arguments in
                try method.body(self, arguments, context)
            }
        }
    }

    typealias Method = NativeMethod<SubjectObject>

    static func images(_ arguments: Arguments, _ operation: String) throws -> Tensor {
        try TensorConversion.tensor(from: arguments.value(0, "images"), operation: operation)
    }

    static let methods: [String: Method] = [
        "fmri": Method(signature: "fmri(images, repeats=1, noise=1, seed=0, labels=nil)", documentation: """
            fMRI responses to images [n, h, w, c] → {responses [repeats, n, V], mean [n, V], signal [n, V] \
            (noiseless), noise_sd [V], signal_variance [V], noise_ceiling [V], single_trial_noise_ceiling [V], truth}. \
            Noise sd of vertex v = noise · s_v · sd over the images of its signal, so noise_ceiling = \
            1 / (1 + (noise · s_v)² / repeats) (a fraction; ncsnr's ceiling is in percent). labels: a list of \
            category names per image (faces, places, bodies, words, objects; scrambled/none for no category) makes \
            category regions respond by label; without labels, by image statistics.
            Errors: VirtualSubject.fmri: noise < 0; repeats < 1; images not [n, h, w, 1|3|4]; labels of another \
            length or unknown names.
            """) { object, arguments, context in
            let operation = "VirtualSubject.fmri"
            let data = try object.subject.fmri(
                try images(arguments, operation), repeats: try arguments.optionalInteger(1, "repeats") ?? 1,
                noise: try arguments.optionalNumber(2, "noise") ?? 1, seed: try SubjectLibrary.seed(arguments, 3, operation),
                labels: try SubjectLibrary.labels(arguments.optional(4, "labels"), operation: operation))
            return SubjectRecords.fmri(context, data, truth: object.subject.truth)
        },
        "meg": Method(signature: "meg(images, repeats=1, noise=1, seed=0, labels=nil, sfreq=200, tmin=-0.1, tmax=0.5, "
                      + "sensors=102)", documentation: """
            MEG responses to images → {data [repeats, n, sensors, times], mean, signal (noiseless) [n, sensors, \
            times], times [times] (s), sources [n, sources, times], source_regions, source_hemispheres, \
            source_positions [sources, 3] (cm), sensor_positions [sensors, 3], lead_field [sensors, sources], \
            latency {region: peak latency (s)}, noise_sd}. Each region is cut into patches of about 25 neighbouring \
            vertices per hemisphere (at least two), one source each, with its own dipole orientation; a source's \
            amplitude is the mean response of its vertices, with an alpha-function time course peaking at the \
            region's latency (V1 ≈ 60 ms … PFC ≈ 200 ms); sensor noise sd = noise · s · rms(signal).
            Errors: VirtualSubject.meg: noise < 0; repeats < 1; sfreq ≤ 0; tmax ≤ tmin; fewer than 3 sensors; \
            images or labels as fmri.
            """) { object, arguments, context in
            let operation = "VirtualSubject.meg"
            let data = try object.subject.meg(
                try images(arguments, operation), repeats: try arguments.optionalInteger(1, "repeats") ?? 1,
                noise: try arguments.optionalNumber(2, "noise") ?? 1, seed: try SubjectLibrary.seed(arguments, 3, operation),
                labels: try SubjectLibrary.labels(arguments.optional(4, "labels"), operation: operation),
                samplingRate: try arguments.optionalNumber(5, "sfreq") ?? 200,
                start: try arguments.optionalNumber(6, "tmin") ?? -0.1, end: try arguments.optionalNumber(7, "tmax") ?? 0.5,
                sensors: try arguments.optionalInteger(8, "sensors") ?? 102)
            return SubjectRecords.meg(context, data)
        },
        "fmri_timeseries": Method(signature: "fmri_timeseries(images, tr=1, onsets=nil, durations=1, scans=nil, noise=1, "
                                  + "autocorrelation=0, seed=0, labels=nil)", documentation: """
            A BOLD run: image e shown from onsets[e] for durations[e] s (durations a number or a list; onsets default \
            to back-to-back presentation), neural boxcars convolved with SPM's canonical HRF, sampled every tr s → \
            {data [scans, V], signal [scans, V], times [scans], design [scans, events], event_responses [events, V], \
            noise_sd [V], noise_ceiling [V]}. images may also be event responses [events, V] (a feature sequence \
            already mapped to vertices). Noise: AR(1) with the given autocorrelation, sd = noise · s_v · sd(signal).
            Errors: VirtualSubject.fmri_timeseries: tr ≤ 0; onsets/durations of another length; negative onsets; \
            durations ≤ 0; autocorrelation outside (−1, 1); noise < 0.
            """) { object, arguments, context in
            let operation = "VirtualSubject.fmri_timeseries"
            let input = try images(arguments, operation)
            let events = input.rank >= 1 ? input.shape[0] : 0
            var durations: [Double]
            if let value = arguments.optional(3, "durations"), case .number(let single) = value {
                durations = Array(repeating: single, count: events)
            } else if arguments.optional(3, "durations") == nil || arguments.optional(3, "durations")!.isNil {
                durations = Array(repeating: 1, count: events)
            } else {
                durations = try arguments.numbers(3, "durations")
            }
            let onsets: [Double]
            if let value = arguments.optional(2, "onsets"), !value.isNil {
                onsets = try arguments.numbers(2, "onsets")
            } else {
                var start = 0.0
                onsets = durations.map { duration in defer { start += duration }; return start }
            }
            let tr = try arguments.optionalNumber(1, "tr") ?? 1
            let scans = try arguments.optionalInteger(4, "scans")
            let noise = try arguments.optionalNumber(5, "noise") ?? 1
            let autocorrelation = try arguments.optionalNumber(6, "autocorrelation") ?? 0
            let seed = try SubjectLibrary.seed(arguments, 7, operation)
            let run: FMRITimeSeries
            if input.rank == 2 {
                run = try object.subject.fmriTimeSeries(eventResponses: input, onsets: onsets, durations: durations,
                                                        tr: tr, scans: scans, noise: noise,
                                                        autocorrelation: autocorrelation, seed: seed)
            } else {
                run = try object.subject.fmriTimeSeries(
                    input, onsets: onsets, durations: durations, tr: tr, scans: scans, noise: noise,
                    autocorrelation: autocorrelation, seed: seed,
                    labels: try SubjectLibrary.labels(arguments.optional(8, "labels"), operation: operation))
            }
            return SubjectRecords.timeSeries(context, run)
        },
        "responses": Method(signature: "responses(images, labels=nil)", documentation: """
            Noiseless responses by stage → {early, middle, category, total} each [n, V], and category_evidence \
            [n, 5] (columns faces, places, bodies, words, objects; image statistics, or one-hot labels).
            """) { object, arguments, context in
            let operation = "VirtualSubject.responses"
            let stages = try object.subject.responses(
                to: try images(arguments, operation),
                labels: try SubjectLibrary.labels(arguments.optional(1, "labels"), operation: operation),
                operation: operation)
            return SubjectRecords.stages(context, stages)
        },
        "vertices": Method(signature: "vertices(region, hemisphere=nil)", documentation: """
            Indices (int64) of the vertices of a region (V1, V2, V4, LO, FFA, PPA, EBA, VWFA, IFJ, PFC), optionally \
            in one hemisphere ("left" or "right").
            Errors: VirtualCortex.region: unknown region; an unknown hemisphere.
            """) { object, arguments, context in
            var side: CorticalHemisphere?
            if let name = try arguments.optionalString(1, "hemisphere") {
                switch name {
                case "left": side = .left
                case "right": side = .right
                default: throw LanguageError("virtual_subject.vertices: hemisphere must be \"left\" or \"right\", got \"\(name)\"")
                }
            }
            let indices = try object.subject.cortex.vertices(in: try arguments.string(0, "region"), hemisphere: side)
            return context.wrap(Tensor(indices.map { Int64($0) }))
        },
    ]
}
