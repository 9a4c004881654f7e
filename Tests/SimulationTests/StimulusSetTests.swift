import Datasets
import Foundation
import Simulation
import Tensors
import Testing

/// The localiser set, and the real stimulus sets in ../shared/data when present.
@Suite struct StimulusSetTests {
    /// `<repository>/../shared/data`, the repository found from this file's path.
    static let sharedData: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/data").path
    }()
    static let lfwPath = sharedData + "/lfw_faces/lfw_subset.npy"
    static let k92Folder = sharedData + "/kriegeskorte92"
    static let hasLFW = FileManager.default.fileExists(atPath: lfwPath)
    static let hasK92 = FileManager.default.fileExists(atPath: k92Folder + "/k92.h5")

    @Test func localizerSetHoldsEachCategoryInOrder() throws {
        let set = try Stimuli.localizerSet(perCategory: 7, size: 24, seed: 4)
        #expect(set.stimuli.shape == [42, 24, 24, 3])
        let categories = try set.metadata["category"].strings!
        let labels = try set.metadata["label"].numbers!.scalars(as: Double.self)
        for (label, name) in Stimuli.localizerCategories.enumerated() {
            #expect(Array(categories[(label * 7)..<((label + 1) * 7)]) == [String](repeating: name, count: 7))
            #expect(Array(labels[(label * 7)..<((label + 1) * 7)]) == [Double](repeating: Double(label), count: 7))
        }
        // Scrambled images come from every intact category, and are not copies of the intact images.
        let kinds = try set.metadata["kind"].strings!
        #expect(Array(kinds[35..<40]) == ["faces", "places", "bodies", "words", "objects"])
        let values = set.stimuli.scalars(as: Float.self)
        #expect(values.allSatisfy { $0 >= 0 && $0 <= 1 })
        // The intact faces are the faces generator's images for the same seed.
        let faces = try Stimuli.faces(count: 7, size: 24, seed: 4).stimuli.scalars(as: Float.self)
        #expect(Array(values[0..<faces.count]) == faces)
        let again = try Stimuli.localizerSet(perCategory: 7, size: 24, seed: 4)
        #expect(again.stimuli.scalars(as: Float.self) == values)
    }

    @Test func localizerErrors() throws {
        #expect(throws: SimulationError("stimuli.localizer", "the number of images per category must be at least 1, got 0")) {
            try Stimuli.localizerSet(perCategory: 0)
        }
        #expect(throws: SimulationError("stimuli.localizer", "size must lie in 8...1024 pixels, got 7")) {
            try Stimuli.localizerSet(perCategory: 2, size: 7)
        }
    }

    @Test func absentRealDataIsReportedWithItsPath() throws {
        #expect(throws: SimulationError("stimuli.lfw", "/nonexistent-bm/lfw.npy: no such file (the LFW subset lives in "
                                        + "../shared/data/lfw_faces beside the checkout; pass its path)")) {
            try Stimuli.lfwFaces(path: "/nonexistent-bm/lfw.npy")
        }
        #expect(throws: SimulationError("stimuli.kriegeskorte92", "/nonexistent-bm/k92.h5: no such file (the 92 images "
                                        + "live in ../shared/data/kriegeskorte92 beside the checkout; pass its folder)")) {
            try Stimuli.kriegeskorte92(folder: "/nonexistent-bm")
        }
    }

    @Test(.enabled(if: hasLFW, "../shared/data/lfw_faces/lfw_subset.npy is absent beside the checkout"))
    func lfwFacesThenNonFacesAsRGB() throws {
        let set = try Stimuli.lfwFaces(path: Self.lfwPath)
        #expect(set.stimuli.shape == [200, 25, 25, 3])
        #expect(set.stimuli.dtype == .float32)
        let labels = try set.metadata["label"].numbers!.scalars(as: Double.self)
        #expect(labels == [Double](repeating: 1, count: 100) + [Double](repeating: 0, count: 100))
        #expect(try set.metadata["category"].strings![99...100] == ["face", "nonface"])
        // Gray repeated on the channels, equal to the file's values.
        let raw = try NPY.load(Self.lfwPath).scalars(as: Double.self)
        let pixels = set.stimuli.scalars(as: Float.self)
        for index in stride(from: 0, to: raw.count, by: 997) {
            #expect(abs(Double(pixels[3 * index]) - raw[index]) < 1e-6 && pixels[3 * index] == pixels[3 * index + 2])
        }
        let resized = try Stimuli.lfwFaces(path: Self.lfwPath, size: 32)
        #expect(resized.stimuli.shape == [200, 32, 32, 3])
    }

    @Test(.enabled(if: hasK92, "../shared/data/kriegeskorte92/k92.h5 is absent beside the checkout"))
    func kriegeskorte92ImagesAndCategoryVectors() throws {
        let set = try Stimuli.kriegeskorte92(folder: Self.k92Folder)
        #expect(set.stimuli.shape == [92, 175, 175, 3])
        let png = try Images.load(Self.k92Folder + "/stimuli/05.png")
        let fifth = try set.stimuli.get([.index(4)])
        #expect(try (fifth - png).abs().max().item() == 0, "the h5 images are the PNG files' pixels")
        let animate = try set.metadata["animate"].numbers!.scalars(as: Double.self)
        let face = try set.metadata["face"].numbers!.scalars(as: Double.self)
        #expect(animate.reduce(0, +) == 48, "48 animate and 44 inanimate images")
        let categories = try set.metadata["category"].strings!
        #expect(Set(categories) == ["human face", "human body", "animal face", "animal body", "natural object",
                                    "artificial object"])
        for index in 0..<92 {
            #expect(categories[index].hasSuffix("face") == (animate[index] == 1 && face[index] == 1))
        }
        #expect(try set.metadata["index"].numbers!.scalars(as: Double.self).first == 1)
        let small = try Stimuli.kriegeskorte92(folder: Self.k92Folder, size: 64)
        #expect(small.stimuli.shape == [92, 64, 64, 3])
    }
}
