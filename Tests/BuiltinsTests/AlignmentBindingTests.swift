import Alignment
import Builtins
import Language
import Tensors
import Testing

/// The alignment bindings seen from a host: the numbers a script gets are the engine's numbers for the same data
/// (scripts and Swift draw the same seeded samples), every function is documented, and engine errors keep their type.
@Suite struct AlignmentBindingTests {
    func interpreter() throws -> Interpreter {
        let interpreter = try Interpreter()
        Builtins.install(into: interpreter)
        return interpreter
    }

    /// The elements of a script expression's tensor (or number), flattened.
    func numbers(_ bm: Interpreter, _ expression: String) throws -> [Double] {
        let value = try bm.evaluate("tensor(\(expression)).reshape(-1).tolist()")
        return try #require(value.listValue).elements.map { try #require($0.numberValue) }
    }

    @Test func ridgeModelIsTheEnginesModel() throws {
        let bm = try interpreter()
        try bm.run(source: """
            let X = randn([60, 5], seed=1)
            let Y = randn([60, 3], seed=2) + X @ randn([5, 3], seed=3)
            let model = ridge_cv(X, Y, alphas=[0.1, 1, 10, 100], folds=[arange(0, 20), arange(20, 40), arange(40, 60)])
            let Xtest = randn([7, 5], seed=4)
            """, file: "ridge.bm")
        let x = try Tensor.randomNormal([60, 5], seed: 1)
        let y = try Tensor.randomNormal([60, 3], seed: 2) + Tensor.matmul(x, try Tensor.randomNormal([5, 3], seed: 3))
        let model = try Ridge.crossValidated(x, y, alphas: [0.1, 1, 10, 100],
                                             folds: .testIndices([Array(0..<20), Array(20..<40), Array(40..<60)]))
        #expect(try numbers(bm, "model.weights") == model.weights.scalars(as: Double.self))
        #expect(try numbers(bm, "model.intercept") == model.intercept.scalars(as: Double.self))
        #expect(try numbers(bm, "model.alphas") == model.alphas.scalars(as: Double.self))
        #expect(try numbers(bm, "model.cv_scores") == model.cvScores.scalars(as: Double.self))
        let predicted = try model.predict(try Tensor.randomNormal([7, 5], seed: 4))
        #expect(try numbers(bm, "model.predict(Xtest)") == predicted.scalars(as: Double.self))
    }

    @Test(arguments: ["5", "arange(40, 60)", "arange(60) >= 40"])
    func encodeScoresAreTheEnginesScores(test: String) throws {
        let bm = try interpreter()
        try bm.run(source: """
            let X = randn([60, 5], seed=1)
            let Y = randn([60, 3], seed=2) + X @ randn([5, 3], seed=3)
            let result = encode(X, Y, test=\(test), alphas=[1, 10], folds=3)
            """, file: "encode.bm")
        let x = try Tensor.randomNormal([60, 5], seed: 1)
        let y = try Tensor.randomNormal([60, 3], seed: 2) + Tensor.matmul(x, try Tensor.randomNormal([5, 3], seed: 3))
        let engineTest: EncodingTest = test == "5" ? .crossValidated(folds: 5)
            : test.contains(">=") ? .mask((0..<60).map { $0 >= 40 }) : .rows(Array(40..<60))
        let result = try Ridge.encode(x, y, test: engineTest, alphas: [1, 10], folds: 3)
        #expect(try numbers(bm, "result.r") == result.correlation.scalars(as: Double.self))
        #expect(try numbers(bm, "result.r2") == result.r2.scalars(as: Double.self))
        #expect(try numbers(bm, "result.prediction") == result.prediction.scalars(as: Double.self))
    }

    @Test(arguments: [false, true])
    func timeResolvedEncodingIsTheEngines(shared: Bool) throws {
        let bm = try interpreter()
        try bm.run(source: """
            let X = randn([30, 4], seed=5)
            let meg = randn([30, 2, 3], seed=6)
            let curve = time_resolved_encoding(X, meg, test=3, alphas=[1, 100], folds=3, shared_alphas=\(shared))
            """, file: "meg.bm")
        let result = try Ridge.timeResolvedEncode(try Tensor.randomNormal([30, 4], seed: 5),
                                                  try Tensor.randomNormal([30, 2, 3], seed: 6),
                                                  test: .crossValidated(folds: 3), alphas: [1, 100], folds: 3,
                                                  sharedAlphas: shared)
        #expect(try numbers(bm, "curve.r") == result.correlation.scalars(as: Double.self))
        #expect(try numbers(bm, "curve.mean_r") == result.meanCorrelation.scalars(as: Double.self))
        #expect(try numbers(bm, "curve.alphas") == result.alphas.scalars(as: Double.self))
    }

    @Test(arguments: [("correlation", "spearman"), ("euclidean", "corr"), ("cosine", "tau-a"), ("sqeuclidean", "cosine")])
    func rdmsAndComparisonsAreTheEngines(metric: String, method: String) throws {
        let bm = try interpreter()
        try bm.run(source: "let a = randn([8, 6], seed=7)\nlet b = randn([8, 6], seed=8)", file: "rsa.bm")
        let a = try Tensor.randomNormal([8, 6], seed: 7), b = try Tensor.randomNormal([8, 6], seed: 8)
        let ra = try RSA.rdm(a, metric: try RDMMetric.named(metric)), rb = try RSA.rdm(b, metric: try RDMMetric.named(metric))
        #expect(try numbers(bm, "rdm(a, metric=\"\(metric)\")") == ra.scalars(as: Double.self))
        let expected = try RSA.compare(ra, rb, method: try RDMComparison.named(method)).item()
        #expect(try bm.evaluate("compare_rdms(rdm(a, metric=\"\(metric)\"), rdm(b, metric=\"\(metric)\"), method=\"\(method)\")")
                == .number(expected))
        #expect(try bm.evaluate("cka(a, b)") == .number(try Similarity.cka(a, b)))
    }

    @Test func testsAreTheEngines() throws {
        let bm = try interpreter()
        try bm.run(source: "let x = randn([12, 4], seed=9)\nlet y = randn([12, 4], seed=10)", file: "stats.bm")
        let x = try Tensor.randomNormal([12, 4], seed: 9), y = try Tensor.randomNormal([12, 4], seed: 10)
        let one = try Inference.tTestOneSample(x, popmean: 0.1, alternative: .greater)
        #expect(try numbers(bm, "stats.ttest_1samp(x, popmean=0.1, alternative=\"greater\").statistic")
                == one.statistic.scalars(as: Double.self))
        #expect(try numbers(bm, "stats.ttest_1samp(x, popmean=0.1, alternative=\"greater\").p") == one.pValue.scalars(as: Double.self))
        let welch = try Inference.tTestIndependent(x, y, equalVariance: false)
        #expect(try numbers(bm, "stats.ttest_ind(x, y, equal_var=false).p") == welch.pValue.scalars(as: Double.self))
        let flips = try Inference.signFlipTest(x, permutations: 200, seed: 3)
        #expect(try numbers(bm, "stats.sign_flip_test(x, permutations=200, seed=3).p") == flips.pValue.scalars(as: Double.self))
        let design = try Tensor.concatenate([Tensor.ones([12, 1]), try x.sliced(axis: 1, 0..<2)], axis: 1)
        let contrast = try Inference.glm(design: design, y).contrast(Tensor([0.0, 1, -1]))
        #expect(try numbers(bm, "stats.glm(concat([ones([12, 1]), x[:, 0:2]], axis=1), y).contrast([0, 1, -1]).t")
                == contrast.statistic.scalars(as: Double.self))
    }

    @Test func everyAlignmentFunctionIsDocumented() throws {
        let bm = try interpreter()
        var printed = ""
        bm.output = { printed += $0 }
        let names = ["ridge_cv", "encode", "banded_ridge_cv", "variance_partitioning", "time_resolved_encoding", "rdm",
                     "rdm_over_time", "crossnobis", "compare_rdms", "rdm_noise_ceiling", "cka", "procrustes",
                     "time_resolved_rsa", "temporal_generalization", "rsa.bootstrap_noise_ceiling", "rsa.upper_triangle",
                     "stats.ttest_1samp", "stats.ttest_rel", "stats.ttest_ind", "stats.wilcoxon", "stats.fdr_bh",
                     "stats.sign_flip_test", "stats.permutation_test", "stats.bootstrap_ci",
                     "stats.cluster_permutation_test", "stats.glm", "features.standardizer", "features.zscore_fit",
                     "features.pca", "features.delays", "features.hrf", "features.convolve_hrf", "features.downsample",
                     "noise_ceiling.split_half", "noise_ceiling.ncsnr", "noise_ceiling.inter_subject",
                     "noise_ceiling.normalize", "hierarchy.preferred_layer", "hierarchy.spatial_score",
                     "hierarchy.temporal_score", "hierarchy.half_time", "hierarchy.spin_test"]
        for name in names {
            printed = ""
            try bm.run(source: "help(\(name))", file: "help.bm")
            let short = String(name.split(separator: ".").last!)
            #expect(printed.contains("\(short)("), "help(\(name)) shows the signature")
            #expect(printed.split(separator: "\n").count >= 2, "help(\(name)) has a docstring")
        }
    }

    @Test func engineErrorsKeepTheirTypeAndGainTheLocation() throws {
        let bm = try interpreter()
        do {
            try bm.run(source: "let X = randn([10, 3])\nridge_cv(X, randn([9, 2]))\n", file: "fit.bm")
            Issue.record("expected a row-count error")
        } catch let error as ScriptError {
            #expect(error.description.hasPrefix("fit.bm:2:1: error: ridge_cv: X has 10 rows but Y has 9"))
            #expect(error.underlying is AlignmentError)
        }
    }
}
