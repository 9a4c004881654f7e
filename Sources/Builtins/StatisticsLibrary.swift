import Language
import Tensors

/// Statistics helpers used everywhere in brain–model comparisons: z-scores, correlations, ranks, distances.
enum StatisticsLibrary {
    static func install(_ context: BindingContext) {
        func tensor(_ arguments: Arguments, _ index: Int, _ name: String, _ operation: String) throws -> Tensor {
            try TensorConversion.tensor(from: arguments.value(index, name), operation: operation)
        }
        context.define("zscore", "zscore(x, axis=0, ddof=0)",
                       "(x − mean) / std along axis; constant slices give NaN.",
                       traced: TracedFunctions.zscore(context)) { arguments in
            context.wrap(try Statistics.zscore(try tensor(arguments, 0, "x", "zscore"),
                                               axis: try arguments.optionalInteger(1, "axis") ?? 0,
                                               ddof: try arguments.optionalInteger(2, "ddof") ?? 0))
        }
        context.define("corr", "corr(a, b)",
                       "Pearson r column by column of two [n, p] matrices → [p] (vectors → a number).",
                       traced: TracedFunctions.correlation(context)) { arguments in
            TensorMethods.numberOrTensor(context, try Statistics.pearson(try tensor(arguments, 0, "a", "corr"),
                                                                         try tensor(arguments, 1, "b", "corr")))
        }
        context.define("spearman", "spearman(a, b)",
                       "Spearman ρ column by column (Pearson r of average-tie ranks).") { arguments in
            TensorMethods.numberOrTensor(context, try Statistics.spearman(try tensor(arguments, 0, "a", "spearman"),
                                                                          try tensor(arguments, 1, "b", "spearman")))
        }
        context.define("ranks", "ranks(x, axis=0)", "Ranks along axis from 1, ties averaged (scipy's rankdata).") { arguments in
            context.wrap(try Statistics.ranks(try tensor(arguments, 0, "x", "ranks"), axis: try arguments.optionalInteger(1, "axis") ?? 0))
        }
        context.define("cdist", "cdist(x, y=nil, metric=\"euclidean\")",
                       "Distances between the rows of x [n, d] and y [m, d] → [n, m] (of x with itself when y is nil); "
                       + "metric: euclidean, sqeuclidean, correlation, cosine.") { arguments in
            let name = try arguments.optionalString(2, "metric") ?? "euclidean"
            let metrics: [String: DistanceMetric] = ["euclidean": .euclidean, "sqeuclidean": .squaredEuclidean,
                                                     "correlation": .correlation, "cosine": .cosine]
            guard let metric = metrics[name] else {
                throw LanguageError("cdist: unknown metric \"\(name)\" (use euclidean, sqeuclidean, correlation or cosine)")
            }
            let x = try tensor(arguments, 0, "x", "cdist")
            if let other = arguments.optional(1, "y"), !other.isNil {
                return context.wrap(try Statistics.crossDistances(x, try TensorConversion.tensor(from: other, operation: "cdist"),
                                                                  metric: metric))
            }
            return context.wrap(try Statistics.pairwiseDistances(x, metric: metric))
        }
    }
}
