import Alignment
import Language
import Tensors

/// `temporal_generalization` (a global, as `time_resolved_rsa` and `time_resolved_encoding`) and the `hierarchy`
/// module: spatial and temporal hierarchy scores, emergence half-times and the spin test.
enum TimeLibrary {
    typealias Arg = AlignmentArguments

    static func correlation(_ context: BindingContext, _ test: CorrelationTest) -> Value {
        .makeRecord([("rho", .number(test.rho)), ("p", .number(test.pValue)), ("null", context.wrap(test.null))])
    }

    static func summary(_ arguments: Arguments, _ index: Int, _ operation: String) throws -> Hierarchy.LayerSummary {
        let name = try arguments.optionalString(index, "summary") ?? "best"
        return try Arg.choice(name, "summary", Hierarchy.LayerSummary.allCases.map { ($0.rawValue, $0) }, operation)
    }

    static func install(_ context: BindingContext) {
        context.define("temporal_generalization", "temporal_generalization(train_X, train_labels, test_X=nil, test_labels=nil, shrinkage=0.1, score=\"accuracy\")",
                       "Shrinkage-LDA decoders trained at each time and tested at each time: train_X [trials, sensors, "
                        + "times] → [times, times']; test on train_X when test_X is nil; score accuracy or roc_auc.") { arguments in
            let operation = "temporal_generalization"
            let trainX = try Arg.tensor(arguments, 0, "train_X", operation)
            let trainLabels = try Arg.tensor(arguments, 1, "train_labels", operation)
            let scoreName = try arguments.optionalString(5, "score") ?? "accuracy"
            let score = try Arg.choice(scoreName, "score", TemporalGeneralization.Score.allCases.map { ($0.rawValue, $0) }, operation)
            return context.wrap(try TemporalGeneralization.matrix(
                trainX: trainX, trainLabels: trainLabels,
                testX: try Arg.optionalTensor(arguments, 2, "test_X", operation) ?? trainX,
                testLabels: try Arg.optionalTensor(arguments, 3, "test_labels", operation) ?? trainLabels,
                shrinkage: try arguments.optionalNumber(4, "shrinkage") ?? 0.1, score: score))
        }
        let members: [(String, Value)] = [
            ("preferred_layer", context.function("hierarchy.preferred_layer", "preferred_layer(scores, summary=\"best\")",
                                                 "Each voxel's preferred layer (0-based) from scores [layers, voxels] → [voxels].") { arguments in
                context.wrap(try Hierarchy.preferredLayer(try Arg.tensor(arguments, 0, "scores", "preferred_layer"),
                                                          summary: try summary(arguments, 1, "preferred_layer")))
            }),
            ("spatial_score", context.function("hierarchy.spatial_score", "spatial_score(scores, hierarchy, summary=\"best\", coordinates=nil, draws=1000, seed=0)",
                                               "Spearman ρ between preferred layer and cortical hierarchy [voxels], with a spin "
                                                + "(coordinates [voxels, 3]) or permutation null → {rho, p, null}.") { arguments in
                let operation = "spatial_score"
                return correlation(context, try Hierarchy.spatialScore(
                    scores: try Arg.tensor(arguments, 0, "scores", operation), hierarchy: try Arg.tensor(arguments, 1, "hierarchy", operation),
                    summary: try summary(arguments, 2, operation),
                    coordinates: try Arg.optionalTensor(arguments, 3, "coordinates", operation),
                    draws: try arguments.optionalInteger(4, "draws") ?? 1_000, seed: try Arg.seed(arguments, 5, operation)))
            }),
            ("temporal_score", context.function("hierarchy.temporal_score",
                                                "temporal_score(curves, times, depths=nil, draws=10000, seed=0)",
                                                "Spearman ρ between layer depth and the peak time of each layer's curve "
                                                    + "[layers, times], with a two-sided permutation p over orderings of "
                                                    + "the depths (exact up to 8 layers, else draws) → {rho, p, "
                                                    + "peak_times [layers]}; rho and p NaN when every layer peaks at "
                                                    + "the same time.") { arguments in
                let operation = "temporal_score"
                let result = try Hierarchy.temporalScore(curves: try Arg.tensor(arguments, 0, "curves", operation),
                                                         times: try Arg.tensor(arguments, 1, "times", operation),
                                                         depths: try Arg.optionalTensor(arguments, 2, "depths", operation),
                                                         draws: try arguments.optionalInteger(3, "draws") ?? 10_000,
                                                         seed: try Arg.seed(arguments, 4, operation))
                return .makeRecord([("rho", .number(result.rho)), ("p", .number(result.pValue)),
                                    ("peak_times", context.wrap(result.peakTimes))])
            }),
            ("half_time", context.function("hierarchy.half_time", "half_time(curves, steps)",
                                           "Training step at which each voxel's alignment curve [checkpoints, voxels] first "
                                            + "reaches half its final value (log-step interpolation) → [voxels].") { arguments in
                context.wrap(try Hierarchy.halfTime(curves: try Arg.tensor(arguments, 0, "curves", "half_time"),
                                                    steps: try Arg.tensor(arguments, 1, "steps", "half_time")))
            }),
            ("spin_test", context.function("hierarchy.spin_test", "spin_test(x, y, coordinates=nil, draws=1000, seed=0)",
                                           "Spearman ρ of two cortical maps [vertices] with a spin-test null (coordinates "
                                            + "[vertices, 3] on a sphere) or a permutation null → {rho, p, null}.") { arguments in
                let operation = "spin_test"
                return correlation(context, try Hierarchy.spinTest(
                    try Arg.tensor(arguments, 0, "x", operation), try Arg.tensor(arguments, 1, "y", operation),
                    coordinates: try Arg.optionalTensor(arguments, 2, "coordinates", operation),
                    draws: try arguments.optionalInteger(3, "draws") ?? 1_000, seed: try Arg.seed(arguments, 4, operation)))
            }),
        ]
        context.interpreter.registerModule("hierarchy", members,
                                           documentation: "hierarchy: preferred_layer, spatial_score, temporal_score, "
                                            + "half_time, spin_test.", global: true)
    }
}
