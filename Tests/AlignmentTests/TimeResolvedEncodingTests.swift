import Foundation
import Testing
import Tensors
@testable import Alignment

/// Time-resolved encoding against the naive loop over time points of `Ridge.encode`.
@Suite struct TimeResolvedEncodingTests {
    /// Features [n, p] and a recording [n, sensors, times] whose sensors follow the features inside a window of
    /// time points (`signal`) and are pure noise elsewhere.
    static func problem(trials n: Int, features p: Int, sensors: Int, times: Int, signal: Range<Int>,
                        dtype: DType = .float64, seed: UInt64 = 1) throws -> (Tensor, Tensor) {
        let x = try Tensor.randomNormal([n, p], seed: seed)
        let weights = try Tensor.randomNormal([p, sensors], seed: seed + 1)
        let noise = try Tensor.randomNormal([n, sensors, times], seed: seed + 2)
        let response = try Tensor.matmul(x, weights).scalars(as: Double.self)
        var values = noise.scalars(as: Double.self)
        for trial in 0..<n { for sensor in 0..<sensors { for time in signal {
            values[(trial * sensors + sensor) * times + time] += 2 * response[trial * sensors + sensor]
        } } }
        return (x.astype(dtype), try Tensor(shape: [n, sensors, times], scalars: values).astype(dtype))
    }

    static func naiveCorrelation(_ x: Tensor, _ meg: Tensor, test: EncodingTest, alphas: [Double],
                                 folds: Int) throws -> [[Double]] {
        let (sensors, times) = (meg.shape[1], meg.shape[2])
        var result = [[Double]](repeating: [Double](repeating: 0, count: times), count: sensors)
        for time in 0..<times {
            let slice = try meg.selecting(time, axis: 2).contiguous()
            let r = try Ridge.encode(x, slice, test: test, alphas: alphas, folds: folds, progress: false)
                .correlation.scalars(as: Double.self)
            for sensor in 0..<sensors { result[sensor][time] = r[sensor] }
        }
        return result
    }

    static let cases: [(trials: Int, features: Int, sensors: Int, times: Int, test: EncodingTest, dtype: DType)] = [
        (40, 5, 3, 6, .crossValidated(folds: 4), .float64),
        (30, 8, 1, 1, .rows(Array(20..<30)), .float64),
        (36, 4, 2, 5, .crossValidated(folds: 3), .float32),
        (24, 30, 2, 3, .rows([0, 5, 10, 15, 20, 23]), .float64),   // more features than trials: the dual solver
    ]

    @Test(arguments: cases.indices)
    func perTimePointAlphasMatchTheNaiveLoop(index: Int) throws {
        let c = Self.cases[index]
        let (x, meg) = try Self.problem(trials: c.trials, features: c.features, sensors: c.sensors, times: c.times,
                                        signal: 0..<(c.times + 1) / 2, dtype: c.dtype)
        let alphas = [0.1, 1, 10, 100, 1000]
        let result = try Ridge.timeResolvedEncode(x, meg, test: c.test, alphas: alphas, folds: 3)
        let naive = try Self.naiveCorrelation(x, meg, test: c.test, alphas: alphas, folds: 3)
        let r = result.correlation.scalars(as: Double.self)
        let tolerance = c.dtype == .float32 ? 1e-4 : 1e-9
        #expect(result.correlation.shape == [c.sensors, c.times])
        for sensor in 0..<c.sensors { for time in 0..<c.times {
            #expect(abs(r[sensor * c.times + time] - naive[sensor][time]) < tolerance)
        } }
        let mean = result.meanCorrelation.scalars(as: Double.self)
        for time in 0..<c.times {
            let expected = (0..<c.sensors).map { naive[$0][time] }.reduce(0, +) / Double(c.sensors)
            #expect(abs(mean[time] - expected) < tolerance)
        }
    }

    @Test func transposedRecordingGivesTheSameCurves() throws {
        let (x, meg) = try Self.problem(trials: 30, features: 4, sensors: 3, times: 4, signal: 1..<3)
        // The same recording stored [times, trials, sensors] and viewed as [trials, sensors, times].
        let stored = try meg.permuted([2, 0, 1]).contiguous()
        let view = try stored.permuted([1, 2, 0])
        #expect(!view.isContiguous)
        let a = try Ridge.timeResolvedEncode(x, meg, test: .crossValidated(folds: 3), alphas: [1, 10], folds: 3)
        let b = try Ridge.timeResolvedEncode(x, view, test: .crossValidated(folds: 3), alphas: [1, 10], folds: 3)
        #expect(a.correlation.scalars(as: Double.self) == b.correlation.scalars(as: Double.self))
    }

    /// Shared alphas: per sensor, the alpha with the best inner score averaged over time, then one fit per time
    /// point with that alpha only, written as plain loops over sensors and times.
    @Test(arguments: [false, true])
    func sharedAlphasMatchTheNaiveLoop(dual: Bool) throws {
        let (n, p, sensors, times) = (30, dual ? 40 : 5, 3, 4)
        let (x, meg) = try Self.problem(trials: n, features: p, sensors: sensors, times: times, signal: 0..<2)
        let testRows = Array(0..<8), alphas = [0.1, 10, 1000, 1e5]
        let result = try Ridge.timeResolvedEncode(x, meg, test: .rows(testRows), alphas: alphas, folds: 3,
                                                  sharedAlphas: true)
        let train = Tensor((8..<n).map { Int64($0) })
        let r = result.correlation.scalars(as: Double.self), chosen = result.alphas.scalars(as: Double.self)
        #expect(result.alphas.shape == [1, sensors, times])
        for sensor in 0..<sensors {
            let sensorData = try meg.selecting(sensor, axis: 1).contiguous()     // [n, times]
            let search = try Ridge.crossValidated(try x.take(train, axis: 0), try sensorData.take(train, axis: 0),
                                                  alphas: alphas, folds: .kFold(3), progress: false)
            let scores = search.cvScores.scalars(as: Double.self)
            var best = 0
            for index in alphas.indices {
                let mean = (0..<times).map { scores[index * times + $0] }.reduce(0, +) / Double(times)
                let bestMean = (0..<times).map { scores[best * times + $0] }.reduce(0, +) / Double(times)
                if mean > bestMean { best = index }
            }
            for time in 0..<times {
                let column = try sensorData.selecting(time, axis: 1).contiguous()
                let expected = try Ridge.encode(x, column, test: .rows(testRows), alphas: [alphas[best]], folds: 3,
                                                progress: false).correlation.scalars(as: Double.self)[0]
                #expect(abs(r[sensor * times + time] - expected) < 1e-9)
                #expect(chosen[sensor * times + time] == alphas[best])
            }
        }
    }

    @Test func theCurveRisesWhereTheSignalIs() throws {
        let (x, meg) = try Self.problem(trials: 60, features: 4, sensors: 4, times: 8, signal: 3..<5)
        for shared in [false, true] {
            let curve = try Ridge.timeResolvedEncode(x, meg, test: .crossValidated(folds: 5), folds: 3,
                                                     sharedAlphas: shared).meanCorrelation.scalars(as: Double.self)
            for time in 0..<8 {
                if (3..<5).contains(time) { #expect(curve[time] > 0.8) } else { #expect(curve[time] < 0.4) }
            }
        }
    }

    static func message(_ body: () throws -> Void) -> String? {
        do { try body() } catch { return "\(error)" }
        return nil
    }

    @Test func errorsNameTheShapes() throws {
        let x = try Tensor.randomNormal([10, 3], seed: 1), meg = try Tensor.randomNormal([10, 2, 4], seed: 2)
        #expect(Self.message { _ = try Ridge.timeResolvedEncode(try x.reshaped([30]), meg) }
                == "time_resolved_encoding: X must be [trials, features], got shape [30]")
        #expect(Self.message { _ = try Ridge.timeResolvedEncode(x, try meg.reshaped([10, 8])) }
                == "time_resolved_encoding: meg must be [trials, sensors, times], got shape [10, 8]")
        #expect(Self.message { _ = try Ridge.timeResolvedEncode(try x.sliced(axis: 0, 0..<9), meg) }
                == "time_resolved_encoding: X [9, 3] and meg [10, 2, 4] have different numbers of trials")
        #expect(Self.message { _ = try Ridge.timeResolvedEncode(x, meg, test: .rows([0, 10]), sharedAlphas: true) }
                == "time_resolved_encoding: test row 10 is outside 0..<10")
        #expect(Self.message { _ = try Ridge.timeResolvedEncode(x, meg, test: .rows([1, 1]), sharedAlphas: true) }
                == "time_resolved_encoding: test row 1 is listed twice")
        #expect(Self.message { _ = try Ridge.timeResolvedEncode(x, meg, test: .mask([true]), sharedAlphas: true) }
                == "time_resolved_encoding: test mask has 1 entries for 10 rows")
        #expect(Self.message { _ = try Ridge.timeResolvedEncode(x, meg, test: .rows([]), sharedAlphas: true) }
                == "time_resolved_encoding: no test rows")
    }
}
