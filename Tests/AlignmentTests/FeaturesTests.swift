import Foundation
import Testing
import Tensors
@testable import Alignment

/// Standardizer, PCA, delays, HRF and downsampling against naive loops and nilearn / scikit-learn fixtures.
@Suite struct FeaturesTests {
    static func message(_ body: () throws -> Void) -> String? {
        do { try body() } catch let error as AlignmentError { return error.description } catch { return "\(error)" }
        return nil
    }

    static func fixture() -> [String: Any] {
        let url = Bundle.module.url(forResource: "Fixtures/ridge/ridge", withExtension: "json")!
        return try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }

    @Test(arguments: [DType.float64, .float32], [0, 1])
    func standardizerUsesTrainingRowsOnly(dtype: DType, ddof: Int) throws {
        let data = lcgMatrix(seed: 3, rows: 12, columns: 4).enumerated().map { row, values in
            values.enumerated().map { $1 * Double($0 + 1) + Double(row) }
        }
        let train = [0, 2, 3, 5, 7, 8, 11]
        let scaler = try Standardizer.fit(tensor(data, dtype: dtype), rows: train, ddof: ddof)
        let transformed = rows(try scaler.transform(tensor(data, dtype: dtype)))
        for column in 0..<4 {
            let values = train.map { data[$0][column] }
            let mean = values.reduce(0, +) / Double(values.count)
            let sd = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - ddof)).squareRoot()
            for row in 0..<12 {
                // Test rows are transformed with training statistics, not their own.
                #expect(abs(transformed[row][column] - (data[row][column] - mean) / sd) < (dtype == .float32 ? 1e-4 : 1e-12))
            }
        }
        let back = rows(try scaler.inverseTransform(try scaler.transform(tensor(data))))
        #expect(close(back.flatMap { $0 }, data.flatMap { $0 }, 1e-12))
    }

    @Test func standardizerConstantColumnAndErrors() throws {
        let x = try Tensor([[1.0, 5], [2, 5], [3, 5]])
        let scaler = try Standardizer.fit(x)
        #expect(scaler.scale.scalars(as: Double.self)[1] == 1)
        #expect(try scaler.transform(x).selecting(1, axis: 1).scalars(as: Double.self) == [0, 0, 0])
        #expect(Self.message { _ = try Standardizer.fit(Tensor([1.0])) } == "standardize: X must be [n, features], got shape [1]")
        #expect(Self.message { _ = try Standardizer.fit(x, rows: []) } == "standardize: no training rows")
        #expect(Self.message { _ = try Standardizer.fit(x, rows: [0, 4]) } == "standardize: training row 4 is outside 0..<3")
        #expect(Self.message { _ = try Standardizer.fit(x, rows: [0], ddof: 1) }
                == "standardize: ddof must be in 0..<1 (the training rows), got 1")
        #expect(Self.message { _ = try Standardizer.fit(try Tensor([[Double.nan, 1], [1, 1]])) }
                == "standardize: X has a non-finite value in column 0 of the training rows")
        #expect(Self.message { _ = try scaler.transform(try Tensor([[1.0, 2, 3]])) }
                == "standardize: X must be [n, 2] as in the fit, got shape [1, 3]")
    }

    @Test func pcaMatchesScikitLearn() throws {
        let reference = Self.fixture()["pca"] as! [String: Any]
        let scales = reference.doubles("scales")
        let data = lcgMatrix(seed: 31, rows: 30, columns: 6).map { row in zip(row, scales).map(*) }
        let expected = reference.matrix("components")
        for method in [PCA.Method.exact, .randomized(oversamples: 3, powerIterations: 6, seed: 4)] {
            let pca = try PCA.fit(tensor(data), components: 3, method: method)
            let components = rows(pca.components)
            for (mine, theirs) in zip(components, expected) {
                // Same axis up to sign.
                let sign = zip(mine, theirs).map(*).reduce(0, +) < 0 ? -1.0 : 1.0
                #expect(maxRelativeError(mine.map { $0 * sign }, theirs) < 1e-6)
                let largest = mine.indices.max { abs(mine[$0]) < abs(mine[$1]) }!
                #expect(mine[largest] > 0)
            }
            #expect(maxRelativeError(pca.explainedVariance.scalars(as: Double.self),
                                     reference.doubles("explained_variance")) < 1e-6)
            #expect(maxRelativeError(pca.explainedVarianceRatio.scalars(as: Double.self),
                                     reference.doubles("explained_variance_ratio")) < 1e-6)
        }
        let pca = try PCA.fit(tensor(data), components: 6)
        let roundTrip = try pca.inverseTransform(try pca.transform(tensor(data)))
        #expect(close(roundTrip.scalars(as: Double.self), data.flatMap { $0 }, 1e-10))
        #expect(Self.message { _ = try PCA.fit(tensor(data), components: 7) }
                == "pca: components must be in 1...6 (min of rows and features), got 7")
        #expect(Self.message { _ = try PCA.fit(tensor(data), components: 2, rows: [1]) } == "pca: needs at least 2 rows, got 1")
        #expect(Self.message { _ = try pca.transform(try Tensor([[1.0]])) }
                == "pca: X must be [n, 6] as in the fit, got shape [1, 1]")
        #expect(Self.message { _ = try PCA.fit(tensor(data), components: 2, method: .randomized(oversamples: -1)) }
                == "pca: oversamples and powerIterations must be ≥ 0, got -1 and 4")
    }

    @Test(arguments: [[1, 2, 3, 4], [0], [0, -2, 5], [12]])
    func delaysMatchNaiveShift(_ delays: [Int]) throws {
        let data = lcgMatrix(seed: 8, rows: 10, columns: 3)
        let result = rows(try Delays.delays(tensor(data), delays))
        for row in 0..<10 {
            for (block, delay) in delays.enumerated() {
                for column in 0..<3 {
                    let source = row - delay
                    let expected = source >= 0 && source < 10 ? data[source][column] : 0
                    #expect(result[row][block * 3 + column] == expected)
                }
            }
        }
        #expect(Self.message { _ = try Delays.delays(tensor(data), []) } == "delays: delays is empty")
        #expect(Self.message { _ = try Delays.delays(Tensor([1.0]), [1]) } == "delays: X must be [n, features], got shape [1]")
    }

    @Test func hrfKernelsMatchNilearn() throws {
        let reference = Self.fixture()["hrf"] as! [String: Any]
        let cases: [(String, HRFModel, Double, Int, Double, Double)] = [
            ("spm_tr2_os4", .spm, 2, 4, 32, 0), ("glover_tr2_os4", .glover, 2, 4, 32, 0),
            ("spm_tr1.5_os1_onset1", .spm, 1.5, 1, 32, 1), ("glover_tr0.7_os2_len20", .glover, 0.7, 2, 20, 0),
        ]
        for (name, model, tr, oversampling, length, onset) in cases {
            let kernel = try HRF.kernel(model, tr: tr, oversampling: oversampling, timeLength: length, onset: onset)
            #expect(maxRelativeError(kernel.scalars(as: Double.self), reference.doubles(name)) < 1e-10, "\(name)")
        }
        #expect(Self.message { _ = try HRF.kernel(tr: 0) } == "hrf: tr must be > 0, got 0.0")
        #expect(Self.message { _ = try HRF.kernel(tr: 2, oversampling: 0) } == "hrf: oversampling must be at least 1, got 0")
        #expect(Self.message { _ = try HRF.kernel(tr: 40, oversampling: 1) }
                == "hrf: the kernel grid has 1 points; lower tr or raise timeLength")
    }

    @Test func convolveHRFIsCausalAndPreservesSustainedInput() throws {
        let tr = 2.0
        var impulse = [[Double]](repeating: [0, 1], count: 40)
        impulse[3][0] = 1
        let result = rows(try HRF.convolve(tensor(impulse), tr: tr))
        let taps = 16
        let h = (0..<taps).map { k -> Double in
            let t = Double(k) * tr
            func density(_ a: Double) -> Double { t > 0 ? exp((a - 1) * log(t) - t - lgamma(a)) : 0 }
            return density(6) - 0.167 * density(16)
        }
        let total = h.reduce(0, +)
        for row in 0..<40 {
            let expected = row >= 3 && row - 3 < taps ? h[row - 3] / total : 0
            #expect(abs(result[row][0] - expected) < 1e-12)
        }
        // A constant input reaches 1 once the kernel is full.
        #expect(abs(result[39][1] - 1) < 1e-12)
        // The response peaks 4–6 s after the event.
        let peak = (0..<40).max { result[$0][0] < result[$1][0] }!
        #expect((peak - 3) * 2 >= 4 && (peak - 3) * 2 <= 6)
        #expect(Self.message { _ = try HRF.convolve(tensor(impulse), tr: -1) } == "convolve_hrf: tr must be > 0, got -1.0")
    }

    @Test func averageToTRBins() throws {
        let x = try Tensor([[1.0, 10], [2, 20], [3, 30], [4, 40], [5, 50]])
        let times = [0.1, 1.9, 2.0, 5.5, 7.99]
        let result = rows(try Downsampling.averageToTR(x, times: times, tr: 2, count: 4))
        #expect(result[0] == [1.5, 15])
        #expect(result[1] == [3, 30])
        #expect(result[2] == [4, 40])
        #expect(result[3] == [5, 50])
        let gap = rows(try Downsampling.averageToTR(x, times: [0, 0, 0, 0, 9], tr: 2, count: 5))
        #expect(gap[1][0].isNaN && gap[4] == [5, 50] && gap[0] == [2.5, 25])
        #expect(Self.message { _ = try Downsampling.averageToTR(x, times: [1], tr: 2, count: 3) }
                == "downsample: times has 1 entries for 5 rows")
        #expect(Self.message { _ = try Downsampling.averageToTR(x, times: times, tr: 0, count: 3) }
                == "downsample: tr must be > 0, got 0.0")
        #expect(Self.message { _ = try Downsampling.averageToTR(x, times: times, tr: 1, count: -1) }
                == "downsample: count must be ≥ 0, got -1")
    }
}
