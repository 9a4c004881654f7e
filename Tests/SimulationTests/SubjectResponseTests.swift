import Foundation
import Testing
import Tensors
@testable import Simulation

@Suite struct SubjectResponseTests {
    let subject = SubjectFixtures.subject

    @Test func simulationsAreDeterministicPerSeed() throws {
        let images = SubjectFixtures.images(6)
        let first = try subject.fmri(images, repeats: 2, noise: 0.5, seed: 3)
        let rebuilt = try VirtualSubject(index: 0, seed: 7, vertices: 400, resolution: 48)
        let second = try rebuilt.fmri(images, repeats: 2, noise: 0.5, seed: 3)
        #expect(first.responses.scalars(as: Float.self) == second.responses.scalars(as: Float.self))
        let reseeded = try subject.fmri(images, repeats: 2, noise: 0.5, seed: 4)
        #expect(first.signal.scalars(as: Float.self) == reseeded.signal.scalars(as: Float.self))
        #expect(first.responses.scalars(as: Float.self) != reseeded.responses.scalars(as: Float.self))
        let otherCohort = try VirtualSubject(index: 0, seed: 8, vertices: 400, resolution: 48)
        #expect(try otherCohort.responses(to: images).total.scalars(as: Float.self)
                != first.signal.scalars(as: Float.self))
    }

    @Test func totalIsTheGainWeightedSumOfStages() throws {
        let stages = try subject.responses(to: SubjectFixtures.images(3))
        let count = subject.cortex.vertexCount
        let early = SubjectFixtures.doubles(stages.early), middle = SubjectFixtures.doubles(stages.middle)
        let category = SubjectFixtures.doubles(stages.category), total = SubjectFixtures.doubles(stages.total)
        for index in stride(from: 0, to: total.count, by: 7) {
            let vertex = index % count
            let weights = subject.cortex.region[vertex].stageWeights
            let expected = subject.gain[vertex]
                * (weights.early * early[index] + weights.middle * middle[index] + weights.category * category[index])
            #expect(abs(expected - total[index]) < 1e-4 * max(1, abs(expected)))
        }
    }

    @Test func earlyVerticesPreferStimuliAtTheirPRF() throws {
        let cortex = subject.cortex
        let chosen = cortex.vertices(in: .v1).filter { cortex.eccentricity[$0] > 1.5 && cortex.eccentricity[$0] < 3.5 }
            .prefix(16)
        #expect(chosen.count >= 8)
        var scalars = [Float]()
        for vertex in chosen {
            scalars += SubjectFixtures.dot(x: cortex.prfX[vertex], y: cortex.prfY[vertex], radius: 0.8)
            scalars += SubjectFixtures.dot(x: -cortex.prfX[vertex], y: -cortex.prfY[vertex], radius: 0.8)
        }
        let images = try Tensor(shape: [2 * chosen.count, 32, 32, 1], scalars: scalars)
        let responses = SubjectFixtures.doubles(try subject.responses(to: images).total)
        var preferred = 0
        for (position, vertex) in chosen.enumerated() {
            let inside = responses[(2 * position) * cortex.vertexCount + vertex]
            let outside = responses[(2 * position + 1) * cortex.vertexCount + vertex]
            if inside > outside + 0.1 { preferred += 1 }
        }
        #expect(preferred == chosen.count, "\(preferred) of \(chosen.count)")
    }

    @Test func categoryRegionsRespondMostToTheirLabelledCategory() throws {
        // The same 6 images under every label, so that only the labels differ between categories.
        let base = SubjectFixtures.images(6)
        let images = try Tensor.concatenate(Array(repeating: base, count: 6), axis: 0)
        let kinds: [SelectivityCategory?] = SelectivityCategory.allCases + [nil]
        let labels = kinds.flatMap { Array(repeating: $0, count: 6) }
        let responses = SubjectFixtures.doubles(try subject.responses(to: images, labels: labels).total)
        let count = subject.cortex.vertexCount
        for region in [CorticalRegion.ffa, .ppa, .eba, .vwfa, .lo] {
            let vertices = subject.cortex.vertices(in: region)
            func mean(_ kind: SelectivityCategory?) -> Double {
                let rows = labels.indices.filter { labels[$0] == kind }
                return rows.flatMap { row in vertices.map { responses[row * count + $0] } }.reduce(0, +)
                    / Double(rows.count * vertices.count)
            }
            let own = mean(region.preferredCategory!)
            for other in kinds where other != region.preferredCategory {
                #expect(own > mean(other) + 0.15, "\(region): \(own) vs \(String(describing: other)) \(mean(other))")
            }
        }
        // Early regions ignore labels.
        let v1 = subject.cortex.vertices(in: .v1)
        for vertex in v1.prefix(20) { #expect(responses[vertex] == responses[6 * count + vertex]) }
    }

    @Test func subjectsDifferButCorrelate() throws {
        let images = SubjectFixtures.images(24, seed: 5)
        let first = SubjectFixtures.doubles(try subject.responses(to: images).total)
        let second = SubjectFixtures.doubles(try SubjectFixtures.other.responses(to: images).total)
        let count = subject.cortex.vertexCount
        let shared = (0..<count).filter {
            subject.cortex.region[$0] == SubjectFixtures.other.cortex.region[$0] && subject.cortex.region[$0].hierarchyLevel < 4
        }
        let correlations = shared.map { vertex in
            SubjectFixtures.correlation((0..<24).map { first[$0 * count + vertex] }, (0..<24).map { second[$0 * count + vertex] })
        }.sorted()
        let median = correlations[correlations.count / 2]
        #expect(median > 0.5 && median < 0.999, "median r \(median)")
        #expect(first != second)
        #expect(subject.gain != SubjectFixtures.other.gain)
        #expect(subject.regionLatency != SubjectFixtures.other.regionLatency)
    }

    @Test func cohortMakesConsecutiveSubjects() throws {
        let cohort = try VirtualSubject.cohort(2, seed: 7, vertices: 400, resolution: 48)
        #expect(cohort.map(\.index) == [0, 1])
        #expect(cohort[1].gain == SubjectFixtures.other.gain)
    }

    @Test func groundTruthDescribesEveryVertex() {
        let truth = subject.truth
        #expect(truth.regions.count == 400 && truth.stageWeights.shape == [400, 3])
        #expect(truth.categoryPreference.shape == [400, 5] && truth.categories.count == 5)
        #expect(truth.regionNames == CorticalRegion.allCases.map(\.rawValue))
        let ffa = truth.regions.firstIndex(of: "FFA")!
        #expect(truth.preferredCategory[ffa] == "faces" && truth.stages[ffa] == "category")
        #expect(truth.regionStage[0] == "early" && truth.regionStage[2] == "middle")
    }
}

@Suite struct SubjectRetinotopyTests {
    @Test func dotMappingRecoversPlantedPRFCentres() throws {
        // Dots on a 9 × 9 grid over ±4°: the response-weighted mean dot position of an early vertex is its pRF centre,
        // which also pins the conventions (x rightwards, y upwards, left hemisphere ↔ right visual field).
        let subject = SubjectFixtures.subject, cortex = subject.cortex
        var positions = [(x: Double, y: Double)]()
        for index in 0..<81 { positions.append((x: Double(index % 9) - 4, y: 4 - Double(index / 9))) }
        var scalars = [Float]()
        for position in positions { scalars += SubjectFixtures.dot(x: position.x, y: position.y, radius: 0.6) }
        let responses = SubjectFixtures.doubles(try subject.responses(to: try Tensor(shape: [81, 32, 32, 1],
                                                                                       scalars: scalars)).total)
        let count = cortex.vertexCount
        let chosen = (0..<count).filter {
            cortex.region[$0].hierarchyLevel <= 1 && cortex.eccentricity[$0] > 0.5 && abs(cortex.prfX[$0]) < 3.5
                && abs(cortex.prfY[$0]) < 3.5
        }
        #expect(chosen.count > 40)
        var estimatedX = [Double](), estimatedY = [Double](), trueX = [Double](), trueY = [Double]()
        for vertex in chosen {
            let values = (0..<81).map { responses[$0 * count + vertex] }
            let floor = values.min()!
            let weights = values.map { pow($0 - floor, 4) }
            let total = weights.reduce(0, +)
            var sumX = 0.0, sumY = 0.0
            for (weight, position) in zip(weights, positions) {
                sumX += weight * position.x
                sumY += weight * position.y
            }
            estimatedX.append(sumX / total)
            estimatedY.append(sumY / total)
            trueX.append(cortex.prfX[vertex]); trueY.append(cortex.prfY[vertex])
        }
        let rx = SubjectFixtures.correlation(estimatedX, trueX), ry = SubjectFixtures.correlation(estimatedY, trueY)
        #expect(rx > 0.9 && ry > 0.9, "r_x \(rx), r_y \(ry)")
        // A shuffled control: the same estimates against another vertex's pRF do not correlate.
        let order = trueX.indices.sorted { SeededRandom.mix(UInt64($0)) < SeededRandom.mix(UInt64($1)) }
        let shuffled = order.map { trueX[$0] }
        #expect(abs(SubjectFixtures.correlation(estimatedX, shuffled)) < 0.3)
    }
}

@Suite struct SubjectChunkingTests {
    @Test func responsesDoNotDependOnTheOtherImagesPresented() throws {
        // More images than one chunk: each image's response equals its response alone.
        let subject = SubjectFixtures.subject
        let count = VirtualSubject.imagesPerChunk + 3
        let images = SubjectFixtures.images(count, size: 16, seed: 11)
        let labels: [SelectivityCategory?] = (0..<count).map { $0 % 6 == 5 ? nil : SelectivityCategory.allCases[$0 % 6] }
        let all = try subject.responses(to: images, labels: labels)
        #expect(all.total.shape == [count, 400] && all.categoryEvidence.shape == [count, 5])
        for index in [0, 5, VirtualSubject.imagesPerChunk - 1, VirtualSubject.imagesPerChunk, count - 1] {
            let alone = try subject.responses(to: try images.sliced(axis: 0, index..<(index + 1)), labels: [labels[index]])
            let together = try all.total.sliced(axis: 0, index..<(index + 1))
            #expect(try (alone.total - together).abs().max().item() < 1e-5, "image \(index)")
        }
        #expect(throws: SimulationError("VirtualSubject.responses", "labels has 2 entries for \(count) images")) {
            _ = try subject.responses(to: images, labels: [.faces, .words])
        }
    }
}
