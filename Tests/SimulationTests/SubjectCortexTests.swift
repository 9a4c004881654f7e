import Foundation
import Testing
import Tensors
@testable import Simulation

@Suite struct SubjectCortexTests {
    let cortex = SubjectFixtures.subject.cortex

    @Test func everyRegionIsPresentInBothHemispheres() {
        for side in CorticalHemisphere.allCases {
            for region in CorticalRegion.allCases {
                #expect(!cortex.vertices(in: region, hemisphere: side).isEmpty, "\(region) \(side)")
            }
        }
        #expect(cortex.hemisphere.filter { $0 == .left }.count == 200)
    }

    @Test func hierarchyPositionRisesWithTheRegionLevel() {
        var previous = -1.0
        for level in 0...6 {
            let members = (0..<cortex.vertexCount).filter { cortex.region[$0].hierarchyLevel == level }
            let mean = members.map { cortex.hierarchyPosition[$0] }.reduce(0, +) / Double(members.count)
            #expect(mean > previous, "level \(level)")
            previous = mean
        }
    }

    @Test func hierarchyPositionIsTheDistanceFromTheV1Centre() {
        for vertex in stride(from: 0, to: cortex.vertexCount, by: 37) {
            let centre = cortex.centres[cortex.hemisphere[vertex].rawValue][CorticalRegion.v1.order]
            let distance = hypot(cortex.x[vertex] - centre.x, cortex.y[vertex] - centre.y)
            #expect(abs(distance - cortex.hierarchyPosition[vertex]) < 1e-12)
        }
    }

    @Test func regionsAreVoronoiCellsOfTheJitteredCentres() {
        for vertex in 0..<cortex.vertexCount {
            let centres = cortex.centres[cortex.hemisphere[vertex].rawValue]
            let distances = centres.map { hypot(cortex.x[vertex] - $0.x, cortex.y[vertex] - $0.y) }
            #expect(distances.firstIndex(of: distances.min()!) == cortex.region[vertex].order)
        }
    }

    @Test func prfSizeAndEccentricityFollowTheHierarchy() {
        func median(_ region: CorticalRegion, _ values: [Double]) -> Double {
            let sorted = cortex.vertices(in: region).map { values[$0] }.sorted()
            return sorted[sorted.count / 2]
        }
        let sizes = [CorticalRegion.v1, .v2, .v4, .lo].map { median($0, cortex.prfSize) }
        #expect(zip(sizes, sizes.dropFirst()).allSatisfy { $0 < $1 }, "\(sizes)")
        // Within every region the size law holds up to the 5 % jitter.
        for vertex in 0..<cortex.vertexCount {
            let law = cortex.region[vertex].prfSizeLaw
            let expected = law.intercept + law.slope * cortex.eccentricity[vertex]
            #expect(abs(cortex.prfSize[vertex] / expected - 1) < 0.3)
        }
        #expect(median(.ffa, cortex.eccentricity) < median(.ppa, cortex.eccentricity))
    }

    @Test func eachHemisphereMapsTheContralateralField() {
        for vertex in 0..<cortex.vertexCount where cortex.eccentricity[vertex] > 0.3 {
            let side = cortex.hemisphere[vertex]
            // Left hemisphere: right visual field (x ≥ 0), up to the 2° jitter at the vertical meridian.
            let slack = cortex.eccentricity[vertex] * sin(8 * Double.pi / 180)
            #expect(side == .left ? cortex.prfX[vertex] > -slack : cortex.prfX[vertex] < slack)
            #expect(cortex.eccentricity[vertex] <= cortex.fieldOfView / 2 * 1.2)
        }
    }

    @Test func mapsFollowTheHierarchyWithNoise() {
        let myelin = SubjectFixtures.correlation(cortex.hierarchyPosition, cortex.myelin)
        let timescale = SubjectFixtures.correlation(cortex.hierarchyPosition, cortex.timescale.map { log($0) })
        #expect(myelin < -0.9 && myelin > -0.9999, "\(myelin)")
        #expect(timescale > 0.9 && timescale < 0.9999, "\(timescale)")
    }

    @Test func layoutIsSharedAndRegionsAreIndividual() {
        let other = SubjectFixtures.other.cortex
        #expect(other.x == cortex.x && other.y == cortex.y)
        let differing = (0..<cortex.vertexCount).filter { other.region[$0] != cortex.region[$0] }.count
        #expect(differing > 0 && differing < cortex.vertexCount / 3, "\(differing)")
        let again = try! VirtualCortex(vertices: 400, seed: 7, subject: 0)
        #expect(again.region == cortex.region && again.polarAngle == cortex.polarAngle)
    }

    @Test func flatMapPutsHemispheresSideBySide() {
        let flat = cortex.flatMapX
        for vertex in 0..<cortex.vertexCount {
            #expect(cortex.hemisphere[vertex] == .left ? flat[vertex] <= -5 : flat[vertex] >= 5)
        }
    }

    @Test func regionNamesResolve() throws {
        #expect(try CorticalRegion.named("ffa") == .ffa)
        #expect(try cortex.vertices(in: "V1").count == cortex.vertices(in: .v1).count)
        #expect(try SelectivityCategory.named("face", operation: "x") == .faces)
        #expect(try SelectivityCategory.named("scenes", operation: "x") == .places)
    }
}
