import Alignment
import Language
import Tensors

/// The `stats` module: scipy.stats' tests over observations along axis 0 (every trailing position tested at once),
/// resampling tests, FDR, the cluster test over time and the GLM.
enum InferenceLibrary {
    typealias Arg = AlignmentArguments

    /// A test result as `{statistic, p, df}` (numbers for one vector, tensors for many targets).
    static func result(_ context: BindingContext, _ test: TestResult) -> Value {
        .makeRecord([("statistic", TensorMethods.numberOrTensor(context, test.statistic)),
                     ("p", TensorMethods.numberOrTensor(context, test.pValue)),
                     ("df", TensorMethods.numberOrTensor(context, test.degreesOfFreedom))])
    }

    static func install(_ context: BindingContext) {
        var members: [(String, Value)] = []
        func add(_ name: String, _ signature: String, _ documentation: String, _ body: @escaping (Arguments) throws -> Value) {
            members.append((name, context.function("stats.\(name)", signature, documentation, body)))
        }
        add("ttest_1samp", "ttest_1samp(x, popmean=0, alternative=\"two-sided\")",
            "One-sample t test of mean(x) = popmean along axis 0: t = (x̄ − μ) / (s / √n), ν = n − 1 → {statistic, p, df}.") { arguments in
            result(context, try Inference.tTestOneSample(try Arg.tensor(arguments, 0, "x", "ttest_1samp"),
                                                         popmean: try arguments.optionalNumber(1, "popmean") ?? 0,
                                                         alternative: try Arg.alternative(arguments, 2, "ttest_1samp")))
        }
        add("ttest_rel", "ttest_rel(a, b, alternative=\"two-sided\")",
            "Paired t test: ttest_1samp(a − b) → {statistic, p, df}.") { arguments in
            result(context, try Inference.tTestPaired(try Arg.tensor(arguments, 0, "a", "ttest_rel"),
                                                      try Arg.tensor(arguments, 1, "b", "ttest_rel"),
                                                      alternative: try Arg.alternative(arguments, 2, "ttest_rel")))
        }
        add("ttest_ind", "ttest_ind(a, b, equal_var=true, alternative=\"two-sided\")",
            "Two-sample t test (pooled variance, or Welch with equal_var=false) → {statistic, p, df}.") { arguments in
            result(context, try Inference.tTestIndependent(try Arg.tensor(arguments, 0, "a", "ttest_ind"),
                                                           try Arg.tensor(arguments, 1, "b", "ttest_ind"),
                                                           equalVariance: try arguments.optionalBool(2, "equal_var") ?? true,
                                                           alternative: try Arg.alternative(arguments, 3, "ttest_ind")))
        }
        add("wilcoxon", "wilcoxon(x, y=nil, alternative=\"two-sided\", method=\"auto\", correction=false)",
            "Wilcoxon signed-rank test of x (or x − y) [n] as scipy.stats.wilcoxon → {statistic, p}.") { arguments in
            let methodName = try arguments.optionalString(3, "method") ?? "auto"
            let method = try Arg.choice(methodName, "method", Inference.WilcoxonMethod.allCases.map { ($0.rawValue, $0) }, "wilcoxon")
            return result(context, try Inference.wilcoxon(try Arg.tensor(arguments, 0, "x", "wilcoxon"),
                                                          try Arg.optionalTensor(arguments, 1, "y", "wilcoxon"),
                                                          alternative: try Arg.alternative(arguments, 2, "wilcoxon"),
                                                          method: method, correction: try arguments.optionalBool(4, "correction") ?? false))
        }
        add("fdr_bh", "fdr_bh(p)", "Benjamini–Hochberg adjusted p-values (any shape), as scipy.stats.false_discovery_control.") { arguments in
            TensorMethods.numberOrTensor(context, try Inference.benjaminiHochberg(try Arg.tensor(arguments, 0, "p", "fdr_bh")))
        }
        add("sign_flip_test", "sign_flip_test(x, permutations=10000, seed=0, alternative=\"two-sided\", max_statistic=false)",
            "Permutation test of mean(x) = 0 by flipping the signs of subjects (axis 0) → {statistic, p}; "
                + "max_statistic corrects over targets.") { arguments in
            let operation = "sign_flip_test"
            return result(context, try Inference.signFlipTest(
                try Arg.tensor(arguments, 0, "x", operation), permutations: try arguments.optionalInteger(1, "permutations") ?? 10_000,
                seed: try Arg.seed(arguments, 2, operation), alternative: try Arg.alternative(arguments, 3, operation),
                maxStatistic: try arguments.optionalBool(4, "max_statistic") ?? false))
        }
        add("permutation_test", "permutation_test(x, labels, permutations=10000, seed=0, alternative=\"two-sided\", max_statistic=false)",
            "Two-group permutation test of the difference of means, labels [n] of two values → {statistic, p}.") { arguments in
            let operation = "permutation_test"
            return result(context, try Inference.permutationTest(
                try Arg.tensor(arguments, 0, "x", operation), labels: try Arg.tensor(arguments, 1, "labels", operation),
                permutations: try arguments.optionalInteger(2, "permutations") ?? 10_000,
                seed: try Arg.seed(arguments, 3, operation), alternative: try Arg.alternative(arguments, 4, operation),
                maxStatistic: try arguments.optionalBool(5, "max_statistic") ?? false))
        }
        add("bootstrap_ci", "bootstrap_ci(x, level=0.95, resamples=10000, seed=0)",
            "Percentile bootstrap confidence interval of the mean along axis 0 → {lower, upper}.") { arguments in
            let operation = "bootstrap_ci"
            let interval = try Inference.bootstrapConfidenceInterval(
                try Arg.tensor(arguments, 0, "x", operation), level: try arguments.optionalNumber(1, "level") ?? 0.95,
                resamples: try arguments.optionalInteger(2, "resamples") ?? 10_000, seed: try Arg.seed(arguments, 3, operation))
            return .makeRecord([("lower", TensorMethods.numberOrTensor(context, interval.lower)),
                                ("upper", TensorMethods.numberOrTensor(context, interval.upper))])
        }
        add("cluster_permutation_test", "cluster_permutation_test(x, threshold=nil, permutations=1000, seed=0, alternative=\"two-sided\")",
            "Cluster-based sign-flip test over time of x [subjects, times] → {t [times], clusters: [{start, end, mass, p}]}.") { arguments in
            let operation = "cluster_permutation_test"
            let (t, clusters) = try Inference.clusterPermutationTest(
                try Arg.tensor(arguments, 0, "x", operation), threshold: try arguments.optionalNumber(1, "threshold"),
                permutations: try arguments.optionalInteger(2, "permutations") ?? 1_000,
                seed: try Arg.seed(arguments, 3, operation), alternative: try Arg.alternative(arguments, 4, operation))
            return .makeRecord([("t", context.wrap(t)), ("clusters", .makeList(clusters.map { cluster in
                .makeRecord([("start", .number(Double(cluster.start))), ("end", .number(Double(cluster.end))),
                             ("mass", .number(cluster.mass)), ("p", .number(cluster.pValue))])
            }))])
        }
        add("glm", "glm(design, Y)",
            "Least-squares GLM Y = Xβ + ε: design [n, k], Y [n, t] → object with .betas [k, t], .residual_variance, "
                + ".df and .contrast(c, alternative=\"two-sided\") → {t, p, df}.") { arguments in
            let fit = try Inference.glm(design: try Arg.tensor(arguments, 0, "design", "glm"), try Arg.tensor(arguments, 1, "Y", "glm"))
            let contrast = context.function("glm.contrast", "contrast(c, alternative=\"two-sided\")",
                                            "t test of cᵀβ = 0 per target → {t, p, df}.") { arguments in
                let test = try fit.contrast(try Arg.tensor(arguments, 0, "c", "glm_contrast"),
                                            alternative: try Arg.alternative(arguments, 1, "glm_contrast"))
                return .makeRecord([("t", TensorMethods.numberOrTensor(context, test.statistic)),
                                    ("p", TensorMethods.numberOrTensor(context, test.pValue)),
                                    ("df", TensorMethods.numberOrTensor(context, test.degreesOfFreedom))])
            }
            return .native(AlignmentObject("glm", attributes: [
                ("betas", context.wrap(fit.betas)), ("residual_variance", context.wrap(fit.residualVariance)),
                ("df", .number(Double(fit.degreesOfFreedom))),
            ], methods: [("contrast", contrast)]))
        }
        context.interpreter.registerModule("stats", members,
                                           documentation: "stats: ttest_1samp, ttest_rel, ttest_ind, wilcoxon, fdr_bh, "
                                            + "sign_flip_test, permutation_test, bootstrap_ci, cluster_permutation_test, glm.",
                                           global: true)
    }
}
