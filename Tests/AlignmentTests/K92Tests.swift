import Datasets
import Foundation
import Testing
@testable import Alignment
import Tensors

/// The 92-image data set of Kriegeskorte et al. (2008) from ../shared/data (never copied into the repository):
/// the classic RSA results must come out of bm's RDM tools.
enum K92 {
    /// `<repository>/../shared/data/kriegeskorte92/k92.h5`, the repository found from this file's path.
    static let path: String = {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return repository.deletingLastPathComponent().appendingPathComponent("shared/data/kriegeskorte92/k92.h5").path
    }()

    static var available: Bool { FileManager.default.fileExists(atPath: path) }
}

@Suite(.enabled(if: K92.available, "../shared/data/kriegeskorte92/k92.h5 is absent: the Kriegeskorte-92 tests need the shared data folder beside the checkout"))
struct K92Tests {
    let file: HDF5File

    init() throws { file = try HDF5File.open(K92.path) }

    @Test func meanOfSubjectRDMsIsTheGroupRDM() throws {
        let subjects = try file["rdm_hIT_subjects"].read()
        #expect(subjects.shape == [8, 92, 92])
        let group = try file["rdm_hIT"].read()
        let mean = try subjects.mean(axes: [0])
        expectClose(try RSA.compare(mean, group, method: .spearman).item(), 1, tolerance: 1e-12)
    }

    @Test func animacyStructureOfHumanIT() throws {
        let rdm = try file["rdm_hIT"].read().scalars(as: Double.self)
        let categories = try file["categories"].read()
        let animate = try categories.get([.slice(start: nil, stop: nil, step: nil), .index(0)]).scalars(as: Double.self)
        var within = [Double](), between = [Double]()
        for i in 0..<92 {
            for j in (i + 1)..<92 {
                (animate[i] == animate[j] ? { within.append(rdm[i * 92 + j]) } : { between.append(rdm[i * 92 + j]) })()
            }
        }
        let withinMean = mean(within), betweenMean = mean(between)
        #expect(abs(withinMean - 0.7945) < 0.001, "within-category mean \(withinMean)")
        #expect(abs(betweenMean - 0.9004) < 0.001, "between-category mean \(betweenMean)")
        #expect(withinMean < betweenMean)
    }

    @Test func behaviourCorrelatesWithHumanIT() throws {
        let behaviour = try file["rdm_behaviour"].read()
        let group = try file["rdm_hIT"].read()
        let rho = try RSA.compare(try behaviour.mean(axes: [0]), group, method: .spearman).item()
        #expect(abs(rho - 0.3924) < 0.001, "Spearman \(rho)")
        // Each behavioural subject against hIT at once: [16].
        let each = try RSA.compare(behaviour, group, method: .spearman)
        #expect(each.shape == [16])
        #expect(each.scalars(as: Double.self).allSatisfy { $0 > -0.2 && $0 < rho + 0.2 })
    }

    @Test func noiseCeilingOfHumanITSubjects() throws {
        let subjects = try file["rdm_hIT_subjects"].read()
        let ceiling = try RSA.noiseCeiling(subjects, method: .spearman)
        #expect(ceiling.lower < ceiling.upper)
        #expect(ceiling.lower > 0 && ceiling.upper < 1)
    }
}
