import Foundation
import Testing
import Tensors
@testable import Simulation

@Suite struct SubjectFeatureBankTests {
    /// A full-field grating `[1, size, size, 1]` of amplitude `amplitude` around 0.5 whose wave vector points at
    /// `angle` degrees counter-clockwise from the image's x axis (y up).
    func grating(angle: Double, wavelength: Double, amplitude: Double, size: Int = 48) -> Tensor {
        var values = [Float]()
        let radians = angle * Double.pi / 180
        for row in 0..<size {
            for column in 0..<size {
                let u = Double(column) * cos(radians) - Double(row) * sin(radians)
                values.append(Float(0.5 + amplitude * cos(2 * Double.pi * u / wavelength)))
            }
        }
        return try! Tensor(shape: [1, size, size, 1], scalars: values)
    }

    @Test(arguments: [(0.0, 0), (45.0, 1), (90.0, 2), (135.0, 3)])
    func energyPeaksAtTheGratingsOrientation(angle: Double, channel: Int) throws {
        let bank = try FeatureBank(resolution: 48)
        for (scale, wavelength) in bank.wavelengths.enumerated() where scale < 2 {
            let features = try bank.features(grating(angle: angle, wavelength: wavelength, amplitude: 0.3), operation: "t")
            let half = 24
            // Energy of each orientation at this scale in the centre of the image.
            let centre = (half / 2) * half + half / 2
            let energies = try (0..<4).map { orientation in
                try features.early.get([.index(0), .index(scale * 4 + orientation), .index(centre)]).item()
            }
            #expect(energies.firstIndex(of: energies.max()!) == channel, "scale \(scale): \(energies)")
            // A grating of amplitude A at the preferred wavelength gives energy ≈ A.
            #expect(abs(energies[channel] - 0.3) < 0.06, "scale \(scale): \(energies[channel])")
        }
    }

    @Test func uniformImagesHaveNoEnergy() throws {
        let bank = try FeatureBank(resolution: 48)
        let features = try bank.features(try Tensor.full([2, 20, 24, 3], value: 0.4), operation: "t")
        #expect(try features.early.abs().max().item() < 1e-5)
        #expect(try features.middle.abs().max().item() < 1e-9)
    }

    @Test(arguments: [(8, 32), (32, 32), (48, 32), (20, 16), (7, 16)])
    func resamplingMatchesAreaAveragingOrInterpolation(from: Int, to: Int) {
        let matrix = PreparedImages.resampling(from: from, to: to)
        for output in 0..<to {
            let row = (0..<from).map { Double(matrix[output * from + $0]) }
            #expect(abs(row.reduce(0, +) - 1) < 1e-6)   // every output is a weighted average
            if from >= to {
                // Naive area average: the input cells overlapping [o·r, (o+1)·r).
                let ratio = Double(from) / Double(to)
                for input in 0..<from {
                    let overlap = max(0, min(Double(output + 1) * ratio, Double(input + 1)) - max(Double(output) * ratio, Double(input)))
                    #expect(abs(row[input] - overlap / ratio) < 1e-6)
                }
            }
        }
    }

    @Test func colourImagesUseLuminance() throws {
        let grey = SubjectFixtures.images(2)
        let colour = try Tensor.concatenate([grey, grey, grey], axis: 3)
        let prepared = try PreparedImages(colour, resolution: 48, operation: "t")
        let single = try PreparedImages(grey, resolution: 48, operation: "t")
        #expect(try (prepared.luminance - single.luminance).abs().max().item() < 1e-5)
        #expect(prepared.hasColour && !single.hasColour)
    }

    @Test func categoryEvidenceSeparatesAFaceLikeImageFromALineOfText() throws {
        // A skin-coloured oval with two dark eyes on grey, and one row of dark strokes on a light page.
        let size = 32
        var face = [Float](), text = [Float]()
        for row in 0..<size {
            for column in 0..<size {
                let dx = (Double(column) - 15.5) / 10, dy = (Double(row) - 15.5) / 13
                let inside = dx * dx + dy * dy < 1
                let eye = (row == 12 || row == 13) && (column == 11 || column == 12 || column == 19 || column == 20)
                face += eye ? [0.1, 0.08, 0.06] : (inside ? [0.85, 0.62, 0.5] : [0.5, 0.5, 0.5])
                let stroke = row >= 14 && row <= 18 && column % 3 != 2 && column > 3 && column < 28
                text += stroke ? [0.05, 0.05, 0.05] : [0.95, 0.95, 0.95]
            }
        }
        let images = try Tensor(shape: [2, size, size, 3], scalars: face + text)
        let features = try FeatureBank(resolution: 48).features(images, operation: "t")
        let evidence = SubjectFixtures.doubles(features.categoryEvidence)
        #expect(evidence.allSatisfy { $0 >= 0 && $0 <= 1 })
        let faces = SelectivityCategory.faces.index, words = SelectivityCategory.words.index
        #expect(evidence[faces] > 0.5 && evidence[faces] == evidence[0..<5].max(), "\(evidence)")
        #expect(evidence[5 + words] > 0.5 && evidence[5 + words] == evidence[5..<10].max(), "\(evidence)")
    }

    @Test func categoryEvidenceOfAUniformImageIsSmall() throws {
        let features = try FeatureBank(resolution: 48).features(try Tensor.full([1, 16, 16, 3], value: 0.5), operation: "t")
        #expect(SubjectFixtures.doubles(features.categoryEvidence).allSatisfy { $0 < 0.05 })
    }
}
