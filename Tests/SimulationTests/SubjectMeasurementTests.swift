import Alignment
import Foundation
import Testing
import Tensors
@testable import Simulation

@Suite struct SubjectMeasurementTests {
    let subject = SubjectFixtures.subject

    @Test func fmriNoiseCeilingMatchesTheEstimateFromRepeats() throws {
        let data = try subject.fmri(SubjectFixtures.images(80, seed: 9), repeats: 2, noise: 1.5, seed: 1)
        #expect(data.responses.shape == [2, 80, 400] && data.mean.shape == [80, 400])
        let truth = SubjectFixtures.doubles(data.noiseCeiling)
        // The formula: 1 / (1 + (noise · s_v)² / repeats) wherever the signal varies.
        for vertex in 0..<400 {
            let expected = 1 / (1 + pow(1.5 * subject.noiseScale[vertex], 2) / 2)
            #expect(abs(truth[vertex] - expected) < 1e-9)
        }
        let estimate = SubjectFixtures.doubles(try NoiseCeiling.ncsnr(data.responses).ceiling).map { $0 / 100 }
        let error = zip(truth, estimate).map { abs($0 - $1) }.reduce(0, +) / 400
        #expect(error < 0.1, "mean |true − estimated| = \(error)")
        #expect(SubjectFixtures.correlation(truth, estimate) > 0.6)
        // The noise really has the stated standard deviation.
        let noise = try data.responses - data.signal
        let measured = SubjectFixtures.doubles(try noise.standardDeviation(axes: [0, 1]))
        let stated = SubjectFixtures.doubles(data.noiseStandardDeviation)
        let ratios = zip(measured, stated).map { $0 / $1 }
        #expect(ratios.allSatisfy { abs($0 - 1) < 0.25 } && abs(ratios.reduce(0, +) / 400 - 1) < 0.03)
    }

    @Test func noiselessFmriIsTheSignal() throws {
        let data = try subject.fmri(SubjectFixtures.images(3), repeats: 2, noise: 0)
        #expect(try data.responses.get([.index(1)]).contiguous().scalars(as: Float.self) == data.signal.scalars(as: Float.self))
        #expect(SubjectFixtures.doubles(data.noiseCeiling).allSatisfy { $0 == 1 })
    }

    @Test(arguments: [(0.5, 0.00015795069263349604), (1.0, 0.0030656620097151326), (2.0, 0.036089408297886365),
                      (4.0, 0.15629094533107124), (5.0, 0.17544116219546385), (8.0, 0.09009933169072562),
                      (12.0, 0.0006754520447549636), (15.0, -0.015136856322163364), (20.0, -0.008553178158694663),
                      (30.0, -0.00017111394776742753)])
    func canonicalHRFMatchesScipy(time: Double, expected: Double) {
        // scipy 1.17.1: gamma.pdf(t, 6) - gamma.pdf(t, 16) / 6
        #expect(abs(HemodynamicResponse.canonical.value(at: time) - expected) < 1e-12 * max(1, abs(expected) * 1e3))
    }

    @Test func canonicalHRFPeaksNearFiveSecondsWithAnUndershoot() {
        let hrf = HemodynamicResponse.canonical
        let grid = (0..<32_000).map { Double($0) * 0.001 }
        let values = grid.map { hrf.value(at: $0) }
        let peak = grid[values.firstIndex(of: values.max()!)!], trough = grid[values.firstIndex(of: values.min()!)!]
        #expect(abs(peak - 5.0) < 0.01, "peak at \(peak)")
        #expect(abs(trough - 15.75) < 0.02 && values.min()! < 0, "undershoot at \(trough)")
        #expect(hrf.value(at: 0) == 0 && hrf.value(at: -1) == 0)
        // The step response is the normalised integral of h.
        for time in [1.0, 3.0, 7.0, 15.0, 25.0] {
            let derivative = (hrf.step(at: time + 1e-4) - hrf.step(at: time - 1e-4)) / 2e-4
            #expect(abs(derivative - hrf.value(at: time) / (1 - hrf.ratio)) < 1e-6)
        }
        #expect(abs(hrf.step(at: 80) - 1) < 1e-12 && hrf.step(at: 0) == 0)
    }

    @Test func timeSeriesDesignIsTheConvolvedBoxcar() throws {
        let onsets = [0.0, 10.0, 25.0], durations = [2.0, 1.0, 4.0]
        let amplitudes = try Tensor.randomNormal([3, 400], seed: 2, dtype: .float32)
        let run = try subject.fmriTimeSeries(eventResponses: amplitudes, onsets: onsets, durations: durations, tr: 1.5,
                                             noise: 0)
        #expect(run.data.shape == [Int(((29 + 20) / 1.5).rounded(.up)), 400])
        let design = SubjectFixtures.doubles(run.design)
        let hrf = HemodynamicResponse.canonical
        for scan in 0..<run.data.shape[0] {
            let time = Double(scan) * 1.5
            for event in 0..<3 {
                // Naive midpoint sum of ∫ h(t − τ) dτ over the event, normalised by 1 − ratio.
                var integral = 0.0
                let step = 0.0005
                var tau = onsets[event] + step / 2
                while tau < onsets[event] + durations[event] {
                    integral += hrf.value(at: time - tau) * step
                    tau += step
                }
                #expect(abs(design[scan * 3 + event] - integral / (1 - hrf.ratio)) < 1e-5)
            }
        }
        let expected = try Tensor.matmul(run.design, amplitudes.astype(.float64))
        #expect(try (expected - run.signal.astype(.float64)).abs().max().item() < 1e-4)
        #expect(try (run.data - run.signal).abs().max().item() == 0)
    }

    @Test func sustainedEventsSettleAtTheirAmplitude() throws {
        let amplitudes = try Tensor.randomNormal([1, 400], seed: 3, dtype: .float32)
        let run = try subject.fmriTimeSeries(eventResponses: amplitudes, onsets: [0], durations: [200], tr: 2, scans: 60,
                                             noise: 0)
        let late = SubjectFixtures.doubles(try run.signal.get([.index(50)]))
        #expect(zip(late, SubjectFixtures.doubles(amplitudes)).allSatisfy { abs($0 - $1) < 1e-4 * max(1, abs($1)) })
    }

    @Test func timeSeriesNoiseHasTheStatedSizeAndAutocorrelation() throws {
        let events = 150
        let amplitudes = try Tensor.randomNormal([events, 400], seed: 4, dtype: .float32)
        let onsets = (0..<events).map { Double($0) * 4 }
        let run = try subject.fmriTimeSeries(eventResponses: amplitudes, onsets: onsets,
                                             durations: Array(repeating: 2, count: events), tr: 2, noise: 0.8,
                                             autocorrelation: 0.5, seed: 5)
        let residual = SubjectFixtures.doubles(try run.data - run.signal)
        let scans = run.data.shape[0]
        var ratio = 0.0, lagged = 0.0
        for vertex in 0..<400 {
            let series = (0..<scans).map { residual[$0 * 400 + vertex] }
            let variance = series.map { $0 * $0 }.reduce(0, +) / Double(scans)
            ratio += variance.squareRoot() / SubjectFixtures.doubles(run.noiseStandardDeviation)[vertex]
            lagged += SubjectFixtures.correlation(Array(series.dropLast()), Array(series.dropFirst()))
        }
        #expect(abs(ratio / 400 - 1) < 0.05, "sd ratio \(ratio / 400)")
        #expect(abs(lagged / 400 - 0.5) < 0.05, "lag-1 r \(lagged / 400)")
        let ceiling = SubjectFixtures.doubles(run.noiseCeiling)
        for vertex in stride(from: 0, to: 400, by: 13) {
            #expect(abs(ceiling[vertex] - 1 / (1 + pow(0.8 * subject.noiseScale[vertex], 2))) < 1e-9)
        }
    }

    @Test func megLatenciesRiseAlongTheHierarchyAndAreRecoverable() throws {
        let meg = try subject.meg(SubjectFixtures.images(8), repeats: 2, noise: 0.5, seed: 1, samplingRate: 500,
                                  sensors: 40)
        let times = SubjectFixtures.doubles(meg.times)
        #expect(meg.data.shape == [2, 8, 40, 301] && abs(times[0] + 0.1) < 1e-12 && abs(times[300] - 0.5) < 1e-9)
        let latency = meg.regionLatency
        for a in CorticalRegion.allCases {
            for b in CorticalRegion.allCases where a.hierarchyLevel < b.hierarchyLevel {
                #expect(latency[a.order] < latency[b.order], "\(a) \(b)")
            }
        }
        #expect(abs(latency[CorticalRegion.v1.order] - 0.06) < 0.015 && abs(latency[CorticalRegion.pfc.order] - 0.2) < 0.015)
        // The variance over images of each source peaks at its region's latency.
        let sources = SubjectFixtures.doubles(meg.sources)
        let sourceCount = meg.sourceRegions.count
        for source in 0..<sourceCount {
            let variance = (0..<301).map { time -> Double in
                let values = (0..<8).map { sources[($0 * sourceCount + source) * 301 + time] }
                let mean = values.reduce(0, +) / 8
                return values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +)
            }
            let peak = times[variance.firstIndex(of: variance.max()!)!]
            #expect(abs(peak - latency[meg.sourceRegions[source].order]) <= 0.002 + 1e-9)
        }
        // Sensors are the lead field times the sources, plus noise of the stated size.
        let lead = SubjectFixtures.doubles(meg.leadField), signal = SubjectFixtures.doubles(meg.signal)
        for (image, sensor, time) in [(0, 0, 100), (3, 17, 150), (7, 39, 200)] {
            let expected = (0..<sourceCount).reduce(0.0) {
                $0 + lead[sensor * sourceCount + $1] * sources[(image * sourceCount + $1) * 301 + time]
            }
            #expect(abs(expected - signal[(image * 40 + sensor) * 301 + time]) < 1e-4 * max(1, abs(expected)))
        }
        let noise = try (meg.data - meg.signal).standardDeviation(axes: nil)
        #expect(abs(try noise.item() / meg.noiseStandardDeviation - 1) < 0.02)
    }

    /// MEG sources are patches: every vertex in exactly one, each patch inside one region and hemisphere, about 25
    /// vertices, at least two per region and hemisphere, neighbours on the sheet (a patch spans less of its
    /// region than the region does), and a patch's dipole orientation is shared by the cohort up to the individual
    /// perturbation.
    @Test func megSourcesArePatchesOfNeighbouringVertices() throws {
        let cortex = subject.cortex
        var seen = [Int](repeating: 0, count: cortex.vertexCount)
        var sources = 0
        for side in CorticalHemisphere.allCases {
            for region in CorticalRegion.allCases {
                let vertices = cortex.vertices(in: region, hemisphere: side)
                let patches = VirtualSubject.patches(of: vertices, cortex: cortex,
                                                     verticesPerSource: VirtualSubject.megVerticesPerSource)
                #expect(patches.count >= min(2, vertices.count), "\(region) \(side)")
                #expect(abs(patches.count - max(2, Int((Double(vertices.count) / 25).rounded()))) <= 1,
                        "\(region) \(side): \(vertices.count) vertices in \(patches.count) patches")
                func extent(_ members: [Int]) -> Double {
                    let xs = members.map { cortex.x[$0] }, ys = members.map { cortex.y[$0] }
                    return (xs.max()! - xs.min()!) + (ys.max()! - ys.min()!)
                }
                for patch in patches {
                    for vertex in patch { seen[vertex] += 1 }
                    #expect(patch.allSatisfy { cortex.region[$0] == region && cortex.hemisphere[$0] == side })
                    if patches.count > 2 { #expect(extent(patch) < extent(vertices)) }
                }
                sources += patches.count
            }
        }
        #expect(seen.allSatisfy { $0 == 1 })
        let images = SubjectFixtures.images(4)
        let meg = try subject.meg(images, sensors: 20), otherMEG = try SubjectFixtures.other.meg(images, sensors: 20)
        #expect(meg.sourceRegions.count == sources && meg.sources.shape == [4, sources, 121])
        // The same patch (region, hemisphere, patch number) in two subjects of a cohort points nearly the same way.
        let orientations = SubjectFixtures.doubles(meg.sourceOrientations)
        let otherOrientations = SubjectFixtures.doubles(otherMEG.sourceOrientations)
        let shared = min(meg.sourceRegions.count, otherMEG.sourceRegions.count)
        var cosines = [Double]()
        for source in 0..<shared where meg.sourceRegions[source] == otherMEG.sourceRegions[source]
            && meg.sourceHemispheres[source] == otherMEG.sourceHemispheres[source] {
            cosines.append((0..<3).reduce(0.0) { $0 + orientations[source * 3 + $1] * otherOrientations[source * 3 + $1] })
        }
        cosines.sort()
        #expect(cosines.count >= shared / 2 && cosines[cosines.count / 2] > 0.8, "median cosine of \(cosines)")
    }
}
