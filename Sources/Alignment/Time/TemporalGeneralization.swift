import Tensors

/// Decoding over time: train at every time point, test at every time point (King & Dehaene 2014).
public enum TemporalGeneralization {
    /// How a decoder is scored on held-out trials.
    public enum Score: String, Sendable, CaseIterable {
        /// Fraction of trials whose predicted class is right.
        case accuracy
        /// Area under the ROC curve of the decision value (two classes only); ties count ½ (scikit-learn's
        /// `roc_auc_score`).
        case auc = "roc_auc"
    }

    /// The temporal generalisation matrix `G[t, t'] = score(decoder trained at t, tested at t')`.
    ///
    /// The decoder is shrinkage LDA (scikit-learn `LinearDiscriminantAnalysis(solver='lsqr', shrinkage=α)`): for
    /// the many-sensors, few-trials regime of MEG a shrunk covariance is the standard choice (Grootswagers et al.
    /// 2017), and unlike a logistic regression it has a closed form, so results are exact and reproducible. The
    /// same numbers come out of MNE's `GeneralizingEstimator` with that estimator.
    /// - Parameters: `trainX` [trials, sensors, times] with class labels `trainLabels` [trials] (integers; any
    ///   values, sorted to classes); `testX` [trials', sensors, times'] and `testLabels`; `shrinkage` α in [0, 1].
    /// - Returns: float64 [times, times'].
    /// - Throws: `AlignmentError` for wrong ranks, label counts that differ from trial counts or sensor counts that
    ///   differ (shapes named), fewer than 2 classes, a test label absent from training, `.auc` with more than 2
    ///   classes, α outside [0, 1], non-finite values.
    public static func matrix(trainX: Tensor, trainLabels: Tensor, testX: Tensor, testLabels: Tensor,
                              shrinkage: Double = 0.1, score: Score = .accuracy) throws -> Tensor {
        let operation = "temporal_generalization"
        guard trainX.rank == 3 else {
            throw AlignmentError(operation, "trainX must be 3-D [trials, sensors, times], got shape \(formatShape(trainX.shape))")
        }
        guard testX.rank == 3 else {
            throw AlignmentError(operation, "testX must be 3-D [trials, sensors, times], got shape \(formatShape(testX.shape))")
        }
        guard trainX.shape[1] == testX.shape[1] else {
            throw AlignmentError(operation, "trainX \(formatShape(trainX.shape)) and testX \(formatShape(testX.shape)) have different numbers of sensors")
        }
        guard shrinkage >= 0, shrinkage <= 1 else {
            throw AlignmentError(operation, "shrinkage must lie in [0, 1], got \(shrinkage)")
        }
        let trainY = try Inputs.vector(trainLabels, "trainLabels", operation)
        let testY = try Inputs.vector(testLabels, "testLabels", operation)
        guard trainY.count == trainX.shape[0] else {
            throw AlignmentError(operation, "trainLabels \(formatShape(trainLabels.shape)) must have one label per trial of trainX \(formatShape(trainX.shape))")
        }
        guard testY.count == testX.shape[0] else {
            throw AlignmentError(operation, "testLabels \(formatShape(testLabels.shape)) must have one label per trial of testX \(formatShape(testX.shape))")
        }
        let classes = Array(Set(trainY)).sorted()
        guard classes.count >= 2 else { throw AlignmentError(operation, "training needs at least 2 classes, got \(classes.count)") }
        if let unseen = testY.first(where: { !classes.contains($0) }) {
            throw AlignmentError(operation, "test label \(RSA.formatLabel(unseen)) does not occur in training")
        }
        if score == .auc && classes.count != 2 {
            throw AlignmentError(operation, "roc_auc needs exactly 2 classes, got \(classes.count)")
        }
        let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        let trainClasses = trainY.map { index[$0]! }, testClasses = testY.map { index[$0]! }
        let train = Inputs.values(trainX), test = Inputs.values(testX)
        try Inputs.requireFinite(train, "trainX", operation)
        try Inputs.requireFinite(test, "testX", operation)
        let sensors = trainX.shape[1], trainTimes = trainX.shape[2], testTimes = testX.shape[2]
        func slice(_ values: [Double], trials: Int, times: Int, at time: Int) -> Matrix {
            var m = Matrix(rows: trials, columns: sensors)
            for trial in 0..<trials { for s in 0..<sensors { m[trial, s] = values[(trial * sensors + s) * times + time] } }
            return m
        }
        let testSlices = (0..<testTimes).map { slice(test, trials: testY.count, times: testTimes, at: $0) }
        var result = [Double]()
        result.reserveCapacity(trainTimes * testTimes)
        for time in 0..<trainTimes {
            try Cancellation.check(operation)
            let model = try ShrinkageLDA(x: slice(train, trials: trainY.count, times: trainTimes, at: time),
                                         labels: trainClasses, classes: classes.count, shrinkage: shrinkage)
            for testSlice in testSlices {
                let decisions = try model.decisions(testSlice)
                switch score {
                case .accuracy:
                    var correct = 0
                    for trial in 0..<testSlice.rows {
                        var best = 0
                        for k in 1..<classes.count where decisions[trial, k] > decisions[trial, best] { best = k }
                        if best == testClasses[trial] { correct += 1 }
                    }
                    result.append(Double(correct) / Double(testSlice.rows))
                case .auc:
                    let values = (0..<testSlice.rows).map { decisions[$0, 1] - decisions[$0, 0] }
                    result.append(areaUnderCurve(values, positive: testClasses.map { $0 == 1 }))
                }
            }
        }
        return Inputs.tensor(result, shape: [trainTimes, testTimes])
    }

    /// ROC AUC by the Mann–Whitney statistic: `(R₊ − n₊(n₊+1)/2) / (n₊ n₋)` with average ranks; NaN when one
    /// class is absent.
    static func areaUnderCurve(_ values: [Double], positive: [Bool]) -> Double {
        let positives = positive.filter { $0 }.count, negatives = positive.count - positives
        guard positives > 0, negatives > 0 else { return .nan }
        let ranks = averageRanks(values).ranks
        var sum = 0.0
        for (rank, isPositive) in zip(ranks, positive) where isPositive { sum += rank }
        return (sum - Double(positives * (positives + 1)) / 2) / Double(positives * negatives)
    }
}
