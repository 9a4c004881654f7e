import Alignment
import Language
import Tensors

/// Encoding models: `ridge_cv`, `ridge_load`, `encode`, `banded_ridge_cv`, `variance_partitioning`,
/// `time_resolved_encoding` (globals: they are what every encoding analysis calls first). Names and defaults follow
/// himalaya.
enum RidgeLibrary {
    typealias Arg = AlignmentArguments

    static func install(_ context: BindingContext) {
        context.define("ridge_cv", "ridge_cv(X, Y, alphas=nil, folds=5, fit_intercept=true, score=\"r2\", solver=\"auto\", groups=nil, nan=\"refuse\", weights_to=nil, progress=nil)",
                       "Ridge with one penalty per target chosen by cross-validation (himalaya RidgeCV): X [n, p], "
                        + "Y [n, t] (a tensor, or an h5 dataset read from disk a block of targets at a time) → model "
                        + "with .weights [p, t], .intercept [t], .alphas [t], .cv_scores [alphas, t], .predict(X). "
                        + "alphas default logspace(-1, 6, 15); folds: k or a list of test-index lists; groups: "
                        + "leave-one-group-out labels; score: r2, r, neg_mse; weights_to: an HDF5 path the model is "
                        + "written to as it is fit (its .weights then an h5 dataset); progress: a bar on stderr "
                        + "(default: when stderr is a terminal).") { arguments in
            let operation = "ridge_cv"
            let x = try Arg.tensor(arguments, 0, "X", operation)
            let targets = try arguments.value(1, "Y")
            let alphas = try Arg.alphas(arguments, 2, operation)
            let folds = try Arg.folds(arguments, folds: 3, groups: 7, operation)
            let fitIntercept = try arguments.optionalBool(4, "fit_intercept") ?? true
            let score = try Arg.score(arguments, 5, operation), solver = try Arg.solver(arguments, 6, operation)
            let nan = try Arg.nanPolicy(arguments, 8, operation)
            let path = try arguments.optionalString(9, "weights_to")
            let progress = try arguments.optionalBool(10, "progress")
            func fit(_ y: some TargetSource) throws -> Value {
                if let path {
                    let saved = try Ridge.crossValidated(x, y, alphas: alphas, folds: folds, fitIntercept: fitIntercept,
                                                         score: score, solver: solver, nan: nan, progress: progress,
                                                         savingTo: path)
                    return savedModelValue(context, saved)
                }
                return modelValue(context, try Ridge.crossValidated(
                    x, y, alphas: alphas, folds: folds, fitIntercept: fitIntercept, score: score, solver: solver,
                    nan: nan, progress: progress))
            }
            if case .native(let object) = targets, let dataset = object as? H5DatasetObject {
                return try fit(try HDF5TargetSource(dataset.dataset))
            }
            return try fit(try TensorConversion.tensor(from: targets, operation: operation))
        }
        context.define("ridge_load", "ridge_load(path)",
                       "The ridge model that ridge_cv(…, weights_to=path) wrote: .weights (an h5 dataset [p, t], read "
                        + "when used), .intercept, .alphas, .cv_scores, .best_scores, .alpha_grid, .score, .solver, "
                        + ".path and .predict(X). Errors: the file cannot be opened, or holds no ridge model or one "
                        + "whose datasets disagree.") { arguments in
            savedModelValue(context, try SavedRidgeModel.open(try arguments.string(0, "path")))
        }
        context.define("encode", "encode(X, Y, test=5, alphas=nil, folds=5, fit_intercept=true, score=\"r2\", solver=\"auto\")",
                       "Fits ridge_cv on training rows and scores held-out rows → {r [t], r2 [t], alphas [folds, t], "
                        + "model, models, prediction [m, t], test_rows}. test: outer folds (a number), row indices or a "
                        + "boolean mask.") { arguments in
            let operation = "encode"
            let result = try Ridge.encode(
                try Arg.tensor(arguments, 0, "X", operation), try Arg.tensor(arguments, 1, "Y", operation),
                test: try Arg.test(arguments.optional(2, "test"), operation), alphas: try Arg.alphas(arguments, 3, operation),
                folds: try arguments.optionalInteger(4, "folds") ?? 5,
                fitIntercept: try arguments.optionalBool(5, "fit_intercept") ?? true,
                score: try Arg.score(arguments, 6, operation), solver: try Arg.solver(arguments, 7, operation),
                progress: false)
            let models = result.models.map { modelValue(context, $0) }
            return .makeRecord([
                ("r", context.wrap(result.correlation)), ("r2", context.wrap(result.r2)),
                ("alphas", context.wrap(result.alphas)), ("model", models.last ?? .nil), ("models", .makeList(models)),
                ("prediction", context.wrap(result.prediction)),
                ("test_rows", .makeList(result.testRows.map { .number(Double($0)) })),
            ])
        }
        context.define("banded_ridge_cv", "banded_ridge_cv(bands, Y, alphas=nil, iterations=100, band_weights=nil, seed=0, folds=5, fit_intercept=true, score=\"r2\", solver=\"auto\", groups=nil)",
                       "Banded ridge by random search over band weightings (himalaya GroupRidgeCV): bands a list of "
                        + "[n, p_b] → model with .weights, .intercept, .alphas, .deltas [bands, t], .band_weights, "
                        + ".cv_scores, .predict(bands).") { arguments in
            let operation = "banded_ridge_cv"
            let model = try Ridge.bandedCrossValidated(
                try Arg.tensors(arguments, 0, "bands", operation), try Arg.tensor(arguments, 1, "Y", operation),
                alphas: try Arg.alphas(arguments, 2, operation),
                iterations: try arguments.optionalInteger(3, "iterations") ?? 100,
                bandWeights: try Arg.optionalTensor(arguments, 4, "band_weights", operation),
                seed: try Arg.seed(arguments, 5, operation),
                folds: try Arg.folds(arguments, folds: 6, groups: 10, operation),
                fitIntercept: try arguments.optionalBool(7, "fit_intercept") ?? true,
                score: try Arg.score(arguments, 8, operation), solver: try Arg.solver(arguments, 9, operation),
                progress: false)
            let predict = context.function("banded_ridge_model.predict", "predict(bands)",
                                           "Predictions [n, t] of a list of bands [n, p_b].") { arguments in
                context.wrap(try model.predict(try Arg.tensors(arguments, 0, "bands", "predict")))
            }
            return .native(AlignmentObject("banded_ridge_model", attributes: [
                ("weights", context.wrap(model.weights)), ("intercept", context.wrap(model.intercept)),
                ("alphas", context.wrap(model.alphas)), ("deltas", context.wrap(model.deltas)),
                ("band_weights", context.wrap(model.bandWeights)), ("cv_scores", context.wrap(model.cvScores)),
                ("band_sizes", .makeList(model.bandSizes.map { .number(Double($0)) })),
            ], methods: [("predict", predict)]))
        }
        context.define("variance_partitioning", "variance_partitioning(bands, Y, test=5, alphas=nil, iterations=20, seed=0, folds=5, fit_intercept=true)",
                       "Held-out R² of every subset of the bands and the unique and shared variance derived from them "
                        + "→ {subsets, subset_r2 [subsets, t], unique [bands, t], shared [t]}.") { arguments in
            let operation = "variance_partitioning"
            let result = try Ridge.variancePartitioning(
                try Arg.tensors(arguments, 0, "bands", operation), try Arg.tensor(arguments, 1, "Y", operation),
                test: try Arg.test(arguments.optional(2, "test"), operation), alphas: try Arg.alphas(arguments, 3, operation),
                iterations: try arguments.optionalInteger(4, "iterations") ?? 20, seed: try Arg.seed(arguments, 5, operation),
                folds: try arguments.optionalInteger(6, "folds") ?? 5,
                fitIntercept: try arguments.optionalBool(7, "fit_intercept") ?? true)
            return .makeRecord([
                ("subsets", .makeList(result.subsets.map { .makeList($0.map { .number(Double($0)) }) })),
                ("subset_r2", context.wrap(result.subsetR2)), ("unique", context.wrap(result.unique)),
                ("shared", context.wrap(result.shared)),
            ])
        }
        context.define("time_resolved_encoding", "time_resolved_encoding(X, meg, test=5, alphas=nil, folds=5, shared_alphas=false, fit_intercept=true)",
                       "One ridge per MEG time point: X [trials, p], meg [trials, sensors, times] → {r [sensors, times], "
                        + "r2, mean_r [times], alphas [folds, sensors, times]}; shared_alphas keeps one alpha per sensor "
                        + "over time.") { arguments in
            let operation = "time_resolved_encoding"
            let result = try Ridge.timeResolvedEncode(
                try Arg.tensor(arguments, 0, "X", operation), try Arg.tensor(arguments, 1, "meg", operation),
                test: try Arg.test(arguments.optional(2, "test"), operation), alphas: try Arg.alphas(arguments, 3, operation),
                folds: try arguments.optionalInteger(4, "folds") ?? 5,
                sharedAlphas: try arguments.optionalBool(5, "shared_alphas") ?? false,
                fitIntercept: try arguments.optionalBool(6, "fit_intercept") ?? true)
            return .makeRecord([
                ("r", context.wrap(result.correlation)), ("r2", context.wrap(result.r2)),
                ("mean_r", context.wrap(result.meanCorrelation)), ("alphas", context.wrap(result.alphas)),
            ])
        }
    }

    /// A fitted `RidgeModel` as a script object.
    static func modelValue(_ context: BindingContext, _ model: RidgeModel) -> Value {
        let predict = context.function("ridge_model.predict", "predict(X)", "X [m, p] · weights + intercept → [m, t].") { arguments in
            context.wrap(try model.predict(try Arg.tensor(arguments, 0, "X", "predict")))
        }
        return .native(AlignmentObject("ridge_model", attributes: [("weights", context.wrap(model.weights))]
                                        + summaryAttributes(context, model.summary), methods: [("predict", predict)]))
    }

    /// A model written to an HDF5 file (`weights_to`): its weights an h5 dataset, read when predicting.
    static func savedModelValue(_ context: BindingContext, _ model: SavedRidgeModel) -> Value {
        let predict = context.function("ridge_model.predict", "predict(X)",
                                       "X [m, p] · weights + intercept → [m, t], the weights read from the model's "
                                        + "file a block of targets at a time.") { arguments in
            context.wrap(try model.predict(try Arg.tensor(arguments, 0, "X", "predict")))
        }
        return .native(AlignmentObject("ridge_model", attributes: [
            ("weights", .native(H5DatasetObject(model.weights, context: context))), ("path", .string(model.path)),
        ] + summaryAttributes(context, model.summary), methods: [("predict", predict)]))
    }

    /// The attributes every ridge model object has besides its weights.
    static func summaryAttributes(_ context: BindingContext, _ summary: RidgeFitSummary) -> [(String, Value)] {
        [
            ("intercept", context.wrap(summary.intercept)), ("alphas", context.wrap(summary.alphas)),
            ("cv_scores", context.wrap(summary.cvScores)), ("best_scores", context.wrap(summary.bestScores)),
            ("alpha_grid", TensorMethods.vector(context, summary.alphaGrid)),
            ("score", .string(summary.score.rawValue)), ("solver", .string(summary.solver.rawValue)),
        ]
    }
}
