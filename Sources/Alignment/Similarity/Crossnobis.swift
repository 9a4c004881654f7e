import Tensors

extension RSA {
    /// The cross-validated Mahalanobis ("crossnobis") RDM, as rsatoolbox `calc_rdm_crossnobis` with one precision.
    ///
    /// Conditions are sorted by label. For each partition p (leave-one-partition-out), `A` = the mean pattern of each
    /// condition over the observations of the *other* partitions and `B` = its mean within p; with `K = A P Bᵀ`,
    /// `D_p[i, j] = (K_ii + K_jj − K_ij − K_ji) / d`, and the result is the mean of `D_p` over partitions. Noise
    /// that is independent between partitions cancels in expectation, so the distances are unbiased (and can be
    /// negative).
    /// - Parameters: `x` [observations, d]; `conditions` [observations] condition labels (integers); `partitions`
    ///   [observations] run/fold labels, or nil for rsatoolbox's default (the k-th occurrence of each condition
    ///   forms fold k, which needs equally many observations per condition); `precision` [d, d] or nil (identity).
    /// - Returns: float64 [conditions, conditions] over the sorted distinct labels.
    /// - Throws: `AlignmentError` for mismatched lengths (shapes named), non-finite values, fewer than 2 partitions,
    ///   a condition missing from some partition, unbalanced default folds, a precision not [d, d].
    public static func crossnobis(_ x: Tensor, conditions: Tensor, partitions: Tensor? = nil,
                                  precision: Tensor? = nil) throws -> Tensor {
        let operation = "rdm_crossnobis"
        let data = try Inputs.matrix(x, "X", operation)
        _ = try Inputs.finiteColumns(data, "X", operation, policy: .refuse)
        let labels = try Inputs.vector(conditions, "conditions", operation)
        guard labels.count == data.rows else {
            throw AlignmentError(operation, "conditions \(formatShape(conditions.shape)) must have one label per row of X \(formatShape(x.shape))")
        }
        let distinct = Array(Set(labels)).sorted()
        var folds: [Double]
        if let partitions {
            folds = try Inputs.vector(partitions, "partitions", operation)
            guard folds.count == data.rows else {
                throw AlignmentError(operation, "partitions \(formatShape(partitions.shape)) must have one label per row of X \(formatShape(x.shape))")
            }
        } else {
            var seen = [Double: Int]()
            folds = labels.map { label in defer { seen[label, default: 0] += 1 }; return Double(seen[label, default: 0]) }
            let counts = Set(seen.values)
            guard counts.count == 1 else {
                throw AlignmentError(operation, "default partitions need the same number of observations per condition, got counts \(counts.sorted())")
            }
        }
        let foldValues = Array(Set(folds)).sorted()
        guard foldValues.count >= 2 else {
            throw AlignmentError(operation, "cross-validation needs at least 2 partitions, got \(foldValues.count)")
        }
        let d = data.columns, n = distinct.count
        if let precision, precision.shape != [d, d] {
            throw AlignmentError(operation, "precision \(formatShape(precision.shape)) must be [\(d), \(d)] for X with \(d) channels")
        }
        let conditionIndex = Dictionary(uniqueKeysWithValues: distinct.enumerated().map { ($1, $0) })

        func means(_ include: (Int) -> Bool, _ description: String) throws -> Matrix {
            var sums = Matrix(rows: n, columns: d)
            var counts = [Int](repeating: 0, count: n)
            for row in 0..<data.rows where include(row) {
                let c = conditionIndex[labels[row]]!
                counts[c] += 1
                for column in 0..<d { sums[c, column] += data[row, column] }
            }
            if let missing = counts.firstIndex(of: 0) {
                throw AlignmentError(operation, "condition \(formatLabel(distinct[missing])) has no observation \(description)")
            }
            for c in 0..<n { for column in 0..<d { sums[c, column] /= Double(counts[c]) } }
            return sums
        }

        var total = Matrix(rows: n, columns: n)
        for fold in foldValues {
            try Cancellation.check(operation)
            let train = try means({ folds[$0] != fold }, "outside partition \(formatLabel(fold))")
            let test = try means({ folds[$0] == fold }, "in partition \(formatLabel(fold))")
            var left = train.tensor
            if let precision { left = try Tensor.matmul(left, precision.astype(.float64)) }
            let kernel = Matrix(rows: n, columns: n, values: Inputs.values(try Tensor.matmul(left, test.tensor.transposed())))
            for i in 0..<n {
                for j in 0..<n where i != j {
                    total[i, j] += (kernel[i, i] + kernel[j, j] - kernel[i, j] - kernel[j, i]) / Double(d)
                }
            }
        }
        for index in total.values.indices { total.values[index] /= Double(foldValues.count) }
        return total.tensor
    }

    static func formatLabel(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
