import Alignment
import Foundation
import Language
import Tensors

/// Representational similarity: `rdm`, `rdm_over_time`, `crossnobis`, `compare_rdms`, `rdm_noise_ceiling`, `cka`,
/// `procrustes`, `time_resolved_rsa` (globals), and the module `rsa` with the bootstrap and helpers. Names and
/// spellings of metrics and methods follow rsatoolbox and scipy.
enum SimilarityLibrary {
    typealias Arg = AlignmentArguments

    /// Reports an engine's non-fatal warnings (constant patterns…) on stderr, where they do not mix with results.
    static func report(_ warnings: AlignmentWarnings, _ operation: String) {
        for message in warnings.messages {
            FileHandle.standardError.write(Data("warning: \(operation): \(message)\n".utf8))
        }
    }

    static func metric(_ arguments: Arguments, _ index: Int, _ precisionIndex: Int, _ operation: String) throws -> RDMMetric {
        let name = try arguments.optionalString(index, "metric") ?? "correlation"
        return try RDMMetric.named(name, precision: try Arg.optionalTensor(arguments, precisionIndex, "precision", operation))
    }

    static func method(_ arguments: Arguments, _ index: Int) throws -> RDMComparison {
        try RDMComparison.named(try arguments.optionalString(index, "method") ?? "spearman")
    }

    static func install(_ context: BindingContext) {
        context.define("rdm", "rdm(X, metric=\"correlation\", precision=nil, nan=\"refuse\")",
                       "Representational dissimilarity matrix of the rows of X [conditions, channels] → [n, n]; metric: "
                        + "correlation (1 − r), cosine, euclidean, sqeuclidean, euclidean_distance, mahalanobis "
                        + "(with precision [d, d]); nan=\"omit\" drops non-finite channels.") { arguments in
            let warnings = AlignmentWarnings()
            let result = try RSA.rdm(try Arg.tensor(arguments, 0, "X", "rdm"), metric: try metric(arguments, 1, 2, "rdm"),
                                     nan: try Arg.nanPolicy(arguments, 3, "rdm"), warnings: warnings)
            report(warnings, "rdm")
            return context.wrap(result)
        }
        context.define("rdm_over_time", "rdm_over_time(X, metric=\"correlation\", precision=nil, nan=\"refuse\")",
                       "RDMs of X [conditions, sensors, times] at every time point → [times, n, n].") { arguments in
            let warnings = AlignmentWarnings()
            let result = try RSA.rdmOverTime(try Arg.tensor(arguments, 0, "X", "rdm_over_time"),
                                             metric: try metric(arguments, 1, 2, "rdm_over_time"),
                                             nan: try Arg.nanPolicy(arguments, 3, "rdm_over_time"), warnings: warnings)
            report(warnings, "rdm_over_time")
            return context.wrap(result)
        }
        context.define("crossnobis", "crossnobis(X, conditions, partitions=nil, precision=nil)",
                       "Cross-validated Mahalanobis RDM (rsatoolbox calc_rdm_crossnobis): X [observations, d], "
                        + "conditions and partitions [observations] labels → [conditions, conditions], unbiased.") { arguments in
            let operation = "rdm_crossnobis"
            return context.wrap(try RSA.crossnobis(
                try Arg.tensor(arguments, 0, "X", operation), conditions: try Arg.tensor(arguments, 1, "conditions", operation),
                partitions: try Arg.optionalTensor(arguments, 2, "partitions", operation),
                precision: try Arg.optionalTensor(arguments, 3, "precision", operation)))
        }
        context.define("compare_rdms", "compare_rdms(a, b, method=\"spearman\")",
                       "Compares RDMs over their upper triangles: a [n, n] or [k, n, n], b [n, n] or [m, n, n] → a "
                        + "number, [k], [m] or [k, m]; method: spearman, corr, tau-a, rho-a, cosine, corr_cov, "
                        + "cosine_cov.") { arguments in
            let warnings = AlignmentWarnings()
            let result = try RSA.compare(try Arg.tensor(arguments, 0, "a", "compare_rdms"),
                                         try Arg.tensor(arguments, 1, "b", "compare_rdms"),
                                         method: try method(arguments, 2), warnings: warnings)
            report(warnings, "compare_rdms")
            return TensorMethods.numberOrTensor(context, result)
        }
        context.define("rdm_noise_ceiling", "rdm_noise_ceiling(rdms, method=\"spearman\")",
                       "Leave-one-subject-out noise ceiling of subject RDMs [subjects, n, n] → {lower, upper}.") { arguments in
            let ceiling = try RSA.noiseCeiling(try Arg.tensor(arguments, 0, "rdms", "noise_ceiling"),
                                               method: try method(arguments, 1))
            return .makeRecord([("lower", .number(ceiling.lower)), ("upper", .number(ceiling.upper))])
        }
        context.define("cka", "cka(X, Y, kernel=\"linear\", debiased=false, sigma=nil, fraction=1)",
                       "Centred kernel alignment of X [n, p] and Y [n, q] → a number in [0, 1]; kernel linear or rbf "
                        + "(bandwidth sigma, or fraction · median distance when sigma is nil).") { arguments in
            let operation = "cka"
            let kernelName = try arguments.optionalString(2, "kernel") ?? "linear"
            let kernel: CKAKernel
            switch kernelName {
            case "linear": kernel = .linear
            case "rbf":
                if let sigma = try arguments.optionalNumber(4, "sigma") { kernel = .rbf(sigma: sigma) }
                else { kernel = .rbfMedian(fraction: try arguments.optionalNumber(5, "fraction") ?? 1) }
            default: throw LanguageError("cka: kernel must be \"linear\" or \"rbf\", got \"\(kernelName)\"")
            }
            let warnings = AlignmentWarnings()
            let value = try Similarity.cka(try Arg.tensor(arguments, 0, "X", operation), try Arg.tensor(arguments, 1, "Y", operation),
                                           kernel: kernel, debiased: try arguments.optionalBool(3, "debiased") ?? false,
                                           warnings: warnings)
            report(warnings, operation)
            return .number(value)
        }
        context.define("procrustes", "procrustes(X, Y)",
                       "Orthogonal Procrustes comparison of X [n, p] and Y [n, q] after centring and unit norm → "
                        + "{distance, angular_distance, disparity}.") { arguments in
            let result = try Similarity.procrustes(try Arg.tensor(arguments, 0, "X", "procrustes"),
                                                   try Arg.tensor(arguments, 1, "Y", "procrustes"))
            return .makeRecord([("distance", .number(result.distance)), ("angular_distance", .number(result.angularDistance)),
                                ("disparity", .number(result.disparity))])
        }
        context.define("time_resolved_rsa", "time_resolved_rsa(rdms, model, method=\"spearman\", metric=nil)",
                       "compare_rdms(rdms[t], model) for every t: rdms [times, n, n] (or, with metric=, a recording "
                        + "[n, sensors, times]), model [n, n] or [m, n, n] → [times] or [m, times].") { arguments in
            let operation = "time_resolved_rsa"
            let data = try Arg.tensor(arguments, 0, "rdms", operation), model = try Arg.tensor(arguments, 1, "model", operation)
            let comparison = try method(arguments, 2)
            let warnings = AlignmentWarnings()
            let result: Tensor
            if let metricName = try arguments.optionalString(3, "metric") {
                result = try TimeResolved.rsa(recording: data, model: model, metric: try RDMMetric.named(metricName),
                                              method: comparison, warnings: warnings)
            } else {
                result = try TimeResolved.rsa(data, model: model, method: comparison, warnings: warnings)
            }
            report(warnings, operation)
            return context.wrap(result)
        }
        let members: [(String, Value)] = [
            ("bootstrap_noise_ceiling", context.function(
                "rsa.bootstrap_noise_ceiling", "bootstrap_noise_ceiling(rdms, method=\"spearman\", over=\"both\", resamples=1000, level=0.95, seed=0)",
                "Noise ceiling with percentile bootstrap intervals over subjects, stimuli or both → {lower, upper, "
                    + "lower_interval [2], upper_interval [2], samples [resamples, 2]}.") { arguments in
                let operation = "bootstrap_noise_ceiling"
                let overName = try arguments.optionalString(2, "over") ?? "both"
                let unit = try Arg.choice(overName, "over", RSA.BootstrapUnit.allCases.map { ($0.rawValue, $0) }, operation)
                let result = try RSA.bootstrapNoiseCeiling(
                    try Arg.tensor(arguments, 0, "rdms", operation), method: try method(arguments, 1), over: unit,
                    resamples: try arguments.optionalInteger(3, "resamples") ?? 1_000,
                    level: try arguments.optionalNumber(4, "level") ?? 0.95, seed: try Arg.seed(arguments, 5, operation))
                return .makeRecord([
                    ("lower", .number(result.estimate.lower)), ("upper", .number(result.estimate.upper)),
                    ("lower_interval", TensorMethods.vector(context, [result.lowerInterval.low, result.lowerInterval.high])),
                    ("upper_interval", TensorMethods.vector(context, [result.upperInterval.low, result.upperInterval.high])),
                    ("samples", context.wrap(result.samples)),
                ])
            }),
            ("upper_triangle", context.function("rsa.upper_triangle", "upper_triangle(rdm)",
                                                "The strict upper triangle of [n, n] (or each of [k, n, n]) in scipy "
                                                    + "squareform order → [n(n−1)/2] or [k, n(n−1)/2].") { arguments in
                context.wrap(try RSA.upperTriangle(try Arg.tensor(arguments, 0, "rdm", "upper_triangle")))
            }),
        ]
        context.interpreter.registerModule("rsa", members,
                                           documentation: "rsa: bootstrap_noise_ceiling, upper_triangle (rdm, compare_rdms, "
                                            + "rdm_noise_ceiling, crossnobis, time_resolved_rsa are globals).", global: true)
    }
}
