import Datasets
import Simulation
import Tensors
import Testing

/// The procedural generators (faces, places, bodies, objects, words): shapes, ranges, determinism, metadata, and
/// that the categories are told apart by plain image statistics.
@Suite struct StimulusGeneratorTests {
    typealias Generator = @Sendable (Int, Int, UInt64) throws -> StimulusSet

    static let generators: [(String, Generator)] = [
        ("face", { try Stimuli.faces(count: $0, size: $1, seed: $2) }),
        ("place", { try Stimuli.places(count: $0, size: $1, seed: $2) }),
        ("body", { try Stimuli.bodies(count: $0, size: $1, seed: $2) }),
        ("object", { try Stimuli.objects(count: $0, size: $1, seed: $2) }),
        ("word", { try Stimuli.words(count: $0, size: $1, seed: $2) }),
    ]

    @Test(arguments: generators.map(\.0), [8, 17, 32, 64])
    func imagesHaveTheirShapeRangeAndMetadata(_ category: String, size: Int) throws {
        let generate = Self.generators.first { $0.0 == category }!.1
        let set = try generate(6, size, 3)
        #expect(set.stimuli.shape == [6, size, size, 3])
        #expect(set.stimuli.dtype == .float32)
        let values = set.stimuli.scalars(as: Float.self)
        #expect(values.allSatisfy { $0 >= 0 && $0 <= 1 && $0.isFinite })
        #expect(try set.metadata["category"].strings == [String](repeating: category, count: 6))
        #expect(set.metadata.rowCount == 6)
        #expect(set.metadata.columns.count > 2, "every generator records its drawn parameters")
        // Every image has structure: its pixels are not all the same.
        for index in 0..<6 {
            let pixels = StimulusTestSupport.image(set.stimuli, index)
            #expect(pixels.max()! - pixels.min()! > 0.2, "\(category) \(index) has contrast")
        }
    }

    @Test(arguments: generators.map(\.0))
    func aSeedDeterminesTheImagesAndImageIDoesNotDependOnTheCount(_ category: String) throws {
        let generate = Self.generators.first { $0.0 == category }!.1
        let first = try generate(5, 24, 7), again = try generate(5, 24, 7), longer = try generate(8, 24, 7)
        let other = try generate(5, 24, 8)
        #expect(first.stimuli.scalars(as: Float.self) == again.stimuli.scalars(as: Float.self))
        #expect(Array(longer.stimuli.scalars(as: Float.self)[0..<(5 * 24 * 24 * 3)]) == first.stimuli.scalars(as: Float.self))
        #expect(first.stimuli.scalars(as: Float.self) != other.stimuli.scalars(as: Float.self))
        #expect(try first.metadata["kind"].strings == again.metadata["kind"].strings)
        // Images within a set differ from each other.
        let a = StimulusTestSupport.image(first.stimuli, 0), b = StimulusTestSupport.image(first.stimuli, 1)
        #expect(a != b)
    }

    @Test(arguments: generators.map(\.0))
    func zeroImagesGiveAnEmptySet(_ category: String) throws {
        let set = try Self.generators.first { $0.0 == category }!.1(0, 16, 0)
        #expect(set.stimuli.shape == [0, 16, 16, 3])
    }

    @Test(arguments: [("face", "stimuli.faces"), ("place", "stimuli.places"), ("body", "stimuli.bodies"),
                      ("object", "stimuli.objects"), ("word", "stimuli.words")])
    func badCountsAndSizesAreRefusedWithTheirValues(_ category: String, _ operation: String) throws {
        let generate = Self.generators.first { $0.0 == category }!.1
        #expect(throws: SimulationError(operation, "the number of images must be >= 0, got -1")) { try generate(-1, 32, 0) }
        #expect(throws: SimulationError(operation, "size must lie in 8...1024 pixels, got 4")) { try generate(2, 4, 0) }
        #expect(throws: SimulationError(operation, "size must lie in 8...1024 pixels, got 2000")) { try generate(2, 2000, 0) }
        #expect(throws: SimulationError(operation, "1000 images of 1024 × 1024 pixels would need 11 GiB; the limit is 8 GiB per request")) {
            try generate(1000, 1024, 0)
        }
    }

    @Test func objectsAndPlacesDrawEveryKind() throws {
        let objects = try Stimuli.objects(count: 80, size: 16, seed: 1)
        #expect(Set(try objects.metadata["kind"].strings ?? []) == Set(Stimuli.objectKinds))
        let places = try Stimuli.places(count: 30, size: 16, seed: 1)
        #expect(Set(try places.metadata["kind"].strings ?? []) == Set(Stimuli.placeKinds))
    }

    /// Faces are face-like: the eye region is darker than the cheeks and forehead, as in the mean human face
    /// (the contrast a Viola–Jones detector or a face-selective neuron keys on), and they are brighter in the middle
    /// of the image, where the head is, than in the corners' background on average.
    @Test func facesHaveDarkEyesInTheirSkinAtTheCanonicalPlace() throws {
        let set = try Stimuli.faces(count: 40, size: 64, seed: 11)
        var eyeDarker = 0
        for index in 0..<40 {
            let gray = StimulusTestSupport.gray(StimulusTestSupport.image(set.stimuli, index), channels: 3)
            let row = try set.metadata.row(index)
            guard case .number(let cx) = row["center_x"], case .number(let cy) = row["center_y"],
                  case .number(let width) = row["head_width"], case .number(let elongation) = row["elongation"],
                  case .number(let roll) = row["roll"], case .number(let yaw) = row["yaw"],
                  case .number(let pitch) = row["pitch"], case .number(let spacing) = row["eye_spacing"]
            else { Issue.record("missing face parameters"); return }
            let angle = roll * .pi / 180
            func pixel(_ u: Double, _ v: Double) -> Double {
                let x = cx + width * (cos(angle) * u - sin(angle) * v), y = cy + width * (sin(angle) * u + cos(angle) * v)
                return gray[Swift.min(63, Int(y * 64)) * 64 + Swift.min(63, Int(x * 64))]
            }
            let eyeY = -0.08 * elongation + pitch * 0.2 * elongation
            let eyes = (pixel(-spacing * (1 - abs(yaw) * 0.25) + yaw * 0.38 + yaw * 0.05, eyeY)
                        + pixel(spacing * (1 - abs(yaw) * 0.25) + yaw * 0.38 + yaw * 0.05, eyeY)) / 2
            let cheeks = (pixel(-0.55, 0.45 * elongation) + pixel(0.55, 0.45 * elongation)) / 2
            if eyes < cheeks { eyeDarker += 1 }
        }
        #expect(eyeDarker >= 34, "the iris is darker than the cheeks in \(eyeDarker) of 40 faces")
    }

    @Test func wordsRenderInkThatDependsOnTheString() throws {
        let set = try Stimuli.words(["house", "garden", "house"], size: 64, seed: 2)
        #expect(try set.metadata["kind"].strings == ["house", "garden", "house"])
        var inks = [[Double]]()
        for index in 0..<3 {
            let gray = StimulusTestSupport.gray(StimulusTestSupport.image(set.stimuli, index), channels: 3)
            let page = gray.sorted()[gray.count / 2]
            let ink = gray.map { page - $0 > 0.3 ? 1.0 : 0.0 }
            #expect(ink.reduce(0, +) > 30, "word \(index) has visible ink")
            inks.append(ink)
        }
        // Different strings leave different ink; the ink of longer words spreads wider.
        #expect(inks[0] != inks[1])
        func extent(_ ink: [Double]) -> Int {
            let columns = (0..<64).filter { column in (0..<64).contains { ink[$0 * 64 + column] > 0 } }
            return columns.max()! - columns.min()!
        }
        let fonts = try set.metadata["font_size"].numbers!.scalars(as: Double.self)
        #expect(Double(extent(inks[1])) / fonts[1] > Double(extent(inks[0])) / fonts[0])
    }

    @Test func wordErrorsNameTheString() throws {
        #expect(throws: SimulationError("stimuli.words", "string 1 is empty: a word stimulus needs visible text")) {
            try Stimuli.words(["cat", " "], size: 32)
        }
        #expect(throws: SimulationError("stimuli.words", "string 0 contains a control character (newline, tab …); pass one line")) {
            try Stimuli.words(["a\nb"], size: 32)
        }
    }

    /// Proof that the categories differ in image statistics, as the localiser needs: a linear (ridge) classifier on
    /// a thumbnail, a gradient-orientation histogram, gradient energy by region and colour statistics, trained on
    /// images of one seed, sorts images of another seed far above chance (1/6).
    @Test func aSimpleClassifierTellsTheLocalizerCategoriesApart() throws {
        let size = 32
        func examples(seed: UInt64) throws -> [([Double], Int)] {
            let set = try Stimuli.localizerSet(perCategory: 24, size: size, seed: seed)
            let labels = try set.metadata["label"].numbers!.scalars(as: Double.self)
            return (0..<set.count).map { index in
                (StimulusTestSupport.features(StimulusTestSupport.image(set.stimuli, index), side: size), Int(labels[index]))
            }
        }
        let (accuracy, confusion) = try StimulusTestSupport.ridgeClassification(training: try examples(seed: 1),
                                                                                test: try examples(seed: 2))
        #expect(accuracy > 0.75, "held-out accuracy \(accuracy), chance 0.17; confusion (rows: true) \(confusion)")
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
