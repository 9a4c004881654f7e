import Alignment
import Language
import Tensors

/// The `features` module (standardizer, pca, delays, hrf, convolve_hrf, downsample) and the `noise_ceiling` module
/// (split_half, ncsnr, inter_subject, normalize): preparing features and bounding what a model can reach.
enum FeatureLibrary {
    typealias Arg = AlignmentArguments

    static func rows(_ arguments: Arguments, _ index: Int, _ operation: String) throws -> [Int]? {
        guard let value = arguments.optional(index, "rows"), !value.isNil else { return nil }
        return try Arg.integers(value, "rows", operation)
    }

    static func hrfModel(_ arguments: Arguments, _ index: Int, _ operation: String) throws -> HRFModel {
        let name = try arguments.optionalString(index, "model") ?? "spm"
        return try Arg.choice(name, "model", HRFModel.allCases.map { ($0.rawValue, $0) }, operation)
    }

    static func install(_ context: BindingContext) {
        var features: [(String, Value)] = []
        func add(_ name: String, _ signature: String, _ documentation: String, _ body: @escaping (Arguments) throws -> Value) {
            features.append((name, context.function("features.\(name)", signature, documentation, body)))
        }
        let standardizer: (Arguments) throws -> Value = { arguments in
            let operation = "standardize"
            let fitted = try Standardizer.fit(try Arg.tensor(arguments, 0, "X", operation), rows: try rows(arguments, 1, operation),
                                              center: try arguments.optionalBool(2, "center") ?? true,
                                              scale: try arguments.optionalBool(3, "scale") ?? true,
                                              ddof: try arguments.optionalInteger(4, "ddof") ?? 0)
            return .native(AlignmentObject("standardizer", attributes: [
                ("mean", context.wrap(fitted.mean)), ("scale", context.wrap(fitted.scale)),
            ], methods: [
                ("transform", context.function("standardizer.transform", "transform(X)", "(X − mean) / scale.") { arguments in
                    context.wrap(try fitted.transform(try Arg.tensor(arguments, 0, "X", "standardize")))
                }),
                ("inverse_transform", context.function("standardizer.inverse_transform", "inverse_transform(X)",
                                                       "X · scale + mean.") { arguments in
                    context.wrap(try fitted.inverseTransform(try Arg.tensor(arguments, 0, "X", "standardize")))
                }),
            ]))
        }
        let standardizerSignature = "(X, rows=nil, center=true, scale=true, ddof=0)"
        let standardizerDocumentation = "Column means and standard deviations of X [n, p] learned on rows (all when nil) "
            + "→ object with .mean, .scale, .transform(X), .inverse_transform(X); constant columns get scale 1."
        add("standardizer", "standardizer" + standardizerSignature, standardizerDocumentation, standardizer)
        add("zscore_fit", "zscore_fit" + standardizerSignature, standardizerDocumentation, standardizer)
        add("pca", "pca(X, components, rows=nil, method=\"exact\", oversamples=10, power_iterations=4, seed=0)",
            "Principal components of X [n, p] fitted on rows → object with .components [k, p], .mean, "
                + ".explained_variance, .explained_variance_ratio, .transform(X), .inverse_transform(Z); "
                + "method exact (SVD) or randomized.") { arguments in
            let operation = "pca"
            let methodName = try arguments.optionalString(3, "method") ?? "exact"
            let method: PCA.Method
            switch methodName {
            case "exact": method = .exact
            case "randomized":
                method = .randomized(oversamples: try arguments.optionalInteger(4, "oversamples") ?? 10,
                                     powerIterations: try arguments.optionalInteger(5, "power_iterations") ?? 4,
                                     seed: try Arg.seed(arguments, 6, operation))
            default: throw LanguageError("pca: method must be \"exact\" or \"randomized\", got \"\(methodName)\"")
            }
            let fitted = try PCA.fit(try Arg.tensor(arguments, 0, "X", operation), components: try arguments.integer(1, "components"),
                                     rows: try rows(arguments, 2, operation), method: method)
            return .native(AlignmentObject("pca", attributes: [
                ("components", context.wrap(fitted.components)), ("mean", context.wrap(fitted.mean)),
                ("explained_variance", context.wrap(fitted.explainedVariance)),
                ("explained_variance_ratio", context.wrap(fitted.explainedVarianceRatio)),
            ], methods: [
                ("transform", context.function("pca.transform", "transform(X)", "(X − mean) · componentsᵀ → [n, k].") { arguments in
                    context.wrap(try fitted.transform(try Arg.tensor(arguments, 0, "X", operation)))
                }),
                ("inverse_transform", context.function("pca.inverse_transform", "inverse_transform(Z)",
                                                       "Z · components + mean → [n, p].") { arguments in
                    context.wrap(try fitted.inverseTransform(try Arg.tensor(arguments, 0, "Z", operation)))
                }),
            ]))
        }
        add("delays", "delays(X, delays=[1, 2, 3, 4])",
            "FIR delays: X [n, p] → [n, p · d], block j is X shifted down by delays[j] rows (zero-padded).") { arguments in
            let shifts = try arguments.optional(1, "delays").map { try Arg.integers($0, "delays", "delays") } ?? [1, 2, 3, 4]
            return context.wrap(try Delays.delays(try Arg.tensor(arguments, 0, "X", "delays"), shifts))
        }
        add("hrf", "hrf(tr, model=\"spm\", oversampling=50, time_length=32, onset=0)",
            "The canonical HRF kernel of nilearn (spm or glover) sampled every tr / oversampling seconds, sum 1.") { arguments in
            context.wrap(try HRF.kernel(try hrfModel(arguments, 1, "hrf"), tr: try arguments.number(0, "tr"),
                                        oversampling: try arguments.optionalInteger(2, "oversampling") ?? 50,
                                        timeLength: try arguments.optionalNumber(3, "time_length") ?? 32,
                                        onset: try arguments.optionalNumber(4, "onset") ?? 0))
        }
        add("convolve_hrf", "convolve_hrf(X, tr, model=\"spm\", time_length=32)",
            "Each column of X [n, p] sampled every tr seconds convolved causally with the HRF (sum 1) → [n, p].") { arguments in
            context.wrap(try HRF.convolve(try Arg.tensor(arguments, 0, "X", "convolve_hrf"), tr: try arguments.number(1, "tr"),
                                          model: try hrfModel(arguments, 2, "convolve_hrf"),
                                          timeLength: try arguments.optionalNumber(3, "time_length") ?? 32))
        }
        add("downsample", "downsample(X, times, tr, count, start=0)",
            "Averages the rows of X [m, p] at times [m] (seconds) within each of count TR bins → [count, p]; "
                + "empty bins are NaN.") { arguments in
            let times = try Arg.tensor(arguments, 1, "times", "downsample")
            return context.wrap(try Downsampling.averageToTR(
                try Arg.tensor(arguments, 0, "X", "downsample"), times: times.astype(.float64).scalars(as: Double.self),
                tr: try arguments.number(2, "tr"), count: try arguments.integer(3, "count"),
                start: try arguments.optionalNumber(4, "start") ?? 0))
        }
        context.interpreter.registerModule("features", features,
                                           documentation: "features: standardizer (zscore_fit), pca, delays, hrf, "
                                            + "convolve_hrf, downsample.", global: true)

        let ceilings: [(String, Value)] = [
            ("split_half", context.function("noise_ceiling.split_half", "split_half(repeats)",
                                            "Spearman–Brown corrected odd/even split-half r per target of repeats [r, n, t] → [t].") { arguments in
                context.wrap(try NoiseCeiling.splitHalf(try Arg.tensor(arguments, 0, "repeats", "split_half")))
            }),
            ("ncsnr", context.function("noise_ceiling.ncsnr", "ncsnr(repeats, averaged=nil)",
                                       "NSD noise-ceiling SNR and ceiling (percent) of repeats [r, n, t] → {ncsnr, ceiling}.") { arguments in
                let result = try NoiseCeiling.ncsnr(try Arg.tensor(arguments, 0, "repeats", "ncsnr"),
                                                    averaged: try arguments.optionalInteger(1, "averaged"))
                return .makeRecord([("ncsnr", context.wrap(result.ncsnr)), ("ceiling", context.wrap(result.ceiling))])
            }),
            ("inter_subject", context.function("noise_ceiling.inter_subject", "inter_subject(subjects)",
                                               "Leave-one-subject-out (lower) and all-subject (upper) r of subjects [s, n, t] → {lower, upper}.") { arguments in
                let result = try NoiseCeiling.interSubject(try Arg.tensor(arguments, 0, "subjects", "inter_subject"))
                return .makeRecord([("lower", context.wrap(result.lower)), ("upper", context.wrap(result.upper))])
            }),
            ("normalize", context.function("noise_ceiling.normalize", "normalize(scores, ceiling)",
                                           "scores / ceiling, NaN where the ceiling is ≤ 0.") { arguments in
                TensorMethods.numberOrTensor(context, try NoiseCeiling.normalize(try Arg.tensor(arguments, 0, "scores", "normalize"),
                                                                                 by: try Arg.tensor(arguments, 1, "ceiling", "normalize")))
            }),
        ]
        context.interpreter.registerModule("noise_ceiling", ceilings,
                                           documentation: "noise_ceiling: split_half, ncsnr, inter_subject, normalize.",
                                           global: true)
    }
}
