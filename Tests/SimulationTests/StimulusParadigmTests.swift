import Datasets
import Simulation
import Tensors
import Testing

/// Gratings and retinotopic mapping sequences: orientation recovered from the image, apertures that tile the field
/// as promised, timing, and errors.
@Suite struct StimulusParadigmTests {
    /// The orientation (degrees in [0, 180)) of the dominant gradient: half the angle of the structure tensor's
    /// leading direction, 0.5 · atan2(2 Σ gx gy, Σ gx² − Σ gy²).
    static func dominantGradientOrientation(_ gray: [Double], side: Int) -> Double {
        var xx = 0.0, yy = 0.0, xy = 0.0
        for gradient in StimulusTestSupport.gradients(gray, side: side) {
            xx += gradient.x * gradient.x; yy += gradient.y * gradient.y; xy += gradient.x * gradient.y
        }
        var degrees = 0.5 * atan2(2 * xy, xx - yy) * 180 / .pi
        if degrees < 0 { degrees += 180 }
        return degrees
    }

    static func angularDifference(_ a: Double, _ b: Double, period: Double) -> Double {
        let difference = abs(a - b).truncatingRemainder(dividingBy: period)
        return Swift.min(difference, period - difference)
    }

    @Test(arguments: [0.0, 10, 30, 45, 60, 90, 100, 135, 170, 200, -45])
    func gratingOrientationIsRecoveredFromGradientEnergy(_ orientation: Double) throws {
        for (cycles, aperture) in [(4.0, Stimuli.Aperture.none), (7, .circle(radius: 0.45)), (6, .gaussian(sigma: 0.2))] {
            let set = try Stimuli.gratings([.init(orientation: orientation, cyclesPerImage: cycles, phase: 30, contrast: 0.8)],
                                           size: 64, aperture: aperture)
            let gray = StimulusTestSupport.gray(StimulusTestSupport.image(set.stimuli, 0), channels: 3)
            let found = Self.dominantGradientOrientation(gray, side: 64)
            #expect(Self.angularDifference(found, orientation, period: 180) < 1.5,
                    "orientation \(orientation), \(cycles) cycles, \(aperture): found \(found)")
        }
    }

    @Test func gratingsFollowTheirFormula() throws {
        let set = try Stimuli.gratings([.init(orientation: 0, cyclesPerImage: 2, phase: 0, contrast: 0.5),
                                        .init(orientation: 90, cyclesPerImage: 3, phase: 90, contrast: 0)],
                                       size: 16, aperture: .none)
        let first = StimulusTestSupport.image(set.stimuli, 0)
        for column in 0..<16 {
            let x = (Double(column) + 0.5) / 16 - 0.5
            let expected = 0.5 + 0.25 * cos(2 * .pi * 2 * x)
            #expect(abs(first[3 * (5 * 16 + column)] - expected) < 1e-6)
        }
        #expect(StimulusTestSupport.image(set.stimuli, 1).allSatisfy { abs($0 - 0.5) < 1e-7 }, "zero contrast is mean gray")
        #expect(try set.metadata["orientation"].numbers!.scalars(as: Double.self) == [0, 90])
        // Outside a circular aperture the image is mean gray.
        let windowed = try Stimuli.gratings([.init(orientation: 20, cyclesPerImage: 5)], size: 32, aperture: .circle(radius: 0.3))
        let pixels = StimulusTestSupport.image(windowed.stimuli, 0)
        #expect(abs(pixels[0] - 0.5) < 1e-7 && abs(pixels[3 * (31 * 32 + 31)] - 0.5) < 1e-7)
        let random = try Stimuli.gratings(count: 5, size: 32, seed: 3)
        #expect(random.stimuli.shape == [5, 32, 32, 3])
        #expect(random.stimuli.scalars(as: Float.self) == (try Stimuli.gratings(count: 5, size: 32, seed: 3)).stimuli.scalars(as: Float.self))
    }

    @Test func gratingErrorsNameTheGrating() throws {
        #expect(throws: SimulationError("stimuli.gratings", "grating 1: cycles per image must lie in (0, 16] (the Nyquist limit of 32 pixels), got 20.0")) {
            try Stimuli.gratings([.init(orientation: 0, cyclesPerImage: 2), .init(orientation: 0, cyclesPerImage: 20)], size: 32)
        }
        #expect(throws: SimulationError("stimuli.gratings", "grating 0: contrast must lie in [0, 1], got 1.5")) {
            try Stimuli.gratings([.init(orientation: 0, cyclesPerImage: 2, contrast: 1.5)], size: 32)
        }
        #expect(throws: SimulationError("stimuli.gratings", "grating 0: orientation and phase must be finite, got nan and 0.0")) {
            try Stimuli.gratings([.init(orientation: .nan, cyclesPerImage: 2)], size: 32)
        }
        #expect(throws: SimulationError("stimuli.gratings", "the Gaussian aperture's sigma must be positive, got 0.0")) {
            try Stimuli.gratings([.init(orientation: 0, cyclesPerImage: 2)], size: 32, aperture: .gaussian(sigma: 0))
        }
    }

    /// Per pixel, the frames of one cycle whose aperture covers it.
    static func coverage(_ sequence: RetinotopySequence, frames: Range<Int>) -> [[Int]] {
        let size = sequence.apertures.shape[1]
        let masks = sequence.apertures.scalars(as: Float.self)
        return (0..<(size * size)).map { pixel in frames.filter { masks[$0 * size * size + pixel] == 1 } }
    }

    static func insideField(_ pixel: Int, size: Int) -> Bool {
        let row = pixel / size, column = pixel % size
        let x = (Double(column) + 0.5) / Double(size) * 2 - 1, y = 1 - (Double(row) + 0.5) / Double(size) * 2
        return x * x + y * y <= 1
    }

    @Test(arguments: [(16, false), (12, true), (8, false)])
    func wedgesOfOneStepWidthCoverEachPolarAngleOncePerCycle(_ framesPerCycle: Int, _ clockwise: Bool) throws {
        let size = 32
        let sequence = try Stimuli.wedges(size: size, framesPerCycle: framesPerCycle, cycles: 2,
                                          width: 360 / Double(framesPerCycle), clockwise: clockwise, frameDuration: 1.5)
        #expect(sequence.frames.shape == [2 * framesPerCycle, size, size, 3])
        #expect(sequence.apertures.shape == [2 * framesPerCycle, size, size])
        #expect(sequence.times == (0..<(2 * framesPerCycle)).map { Double($0) * 1.5 })
        for cycle in 0..<2 {
            let covered = Self.coverage(sequence, frames: (cycle * framesPerCycle)..<((cycle + 1) * framesPerCycle))
            for pixel in 0..<(size * size) {
                #expect(covered[pixel].count == (Self.insideField(pixel, size: size) ? 1 : 0), "pixel \(pixel) cycle \(cycle)")
            }
        }
        // The wedge moves the promised way: the frame covering the point straight right of fixation comes a quarter
        // cycle before (counter-clockwise) or after (clockwise) the one covering the point straight above.
        let covered = Self.coverage(sequence, frames: 0..<framesPerCycle)
        let above = covered[2 * size + size / 2][0], right = covered[(size / 2) * size + size - 3][0]
        let quarter = framesPerCycle / 4
        #expect((above - right + framesPerCycle) % framesPerCycle == (clockwise ? framesPerCycle - quarter : quarter))
    }

    @Test func widerWedgesCoverEachAngleInOneContiguousRunPerCycle() throws {
        let sequence = try Stimuli.wedges(size: 24, framesPerCycle: 16, cycles: 1, width: 90)
        let covered = Self.coverage(sequence, frames: 0..<16)
        for pixel in 0..<(24 * 24) where Self.insideField(pixel, size: 24) {
            let frames = covered[pixel]
            #expect((3...5).contains(frames.count), "a 90° wedge stepping 22.5° covers a pixel 4 times, got \(frames)")
            // Contiguous modulo the cycle: at most one gap between consecutive covering frames.
            let gaps = frames.indices.filter { (frames[($0 + 1) % frames.count] - frames[$0] + 16) % 16 != 1 }
            #expect(gaps.count <= 1, "pixel \(pixel) covered by \(frames)")
        }
        // Frames show the checkerboard inside the aperture and mean gray outside; contrast reverses each frame.
        let frames = sequence.frames.scalars(as: Float.self), masks = sequence.apertures.scalars(as: Float.self)
        for index in 0..<masks.count {
            if masks[index] == 0 { #expect(frames[3 * index] == 0.5) } else { #expect(frames[3 * index] == 0 || frames[3 * index] == 1) }
        }
        let pixel = covered.indices.first { covered[$0].count >= 2 && covered[$0][1] == covered[$0][0] + 1 }!
        let (a, b) = (covered[pixel][0], covered[pixel][1])
        #expect(frames[3 * (a * 576 + pixel)] != frames[3 * (b * 576 + pixel)])
        #expect(try sequence.parameters["angle"].numbers!.scalars(as: Double.self)[0..<3] == [90, 112.5, 135])
    }

    @Test(arguments: [true, false])
    func ringsOfOneStepWidthCoverEachEccentricityOncePerCycle(_ expanding: Bool) throws {
        let sequence = try Stimuli.rings(size: 32, framesPerCycle: 8, cycles: 1, width: 1.0 / 8, expanding: expanding)
        let covered = Self.coverage(sequence, frames: 0..<8)
        for pixel in 0..<(32 * 32) {
            #expect(covered[pixel].count == (Self.insideField(pixel, size: 32) ? 1 : 0))
        }
        // Expanding rings reach the fovea before the periphery.
        let centre = covered[15 * 32 + 15][0], edge = covered[15 * 32 + 1][0]
        #expect(expanding ? centre < edge : centre > edge)
        let eccentricities = try sequence.parameters["eccentricity"].numbers!.scalars(as: Double.self)
        #expect(expanding ? eccentricities[1] > eccentricities[0] : eccentricities[1] < eccentricities[0])
    }

    @Test func barsSweepEachDirectionOnceWithBlanks() throws {
        let directions = [0.0, 90, 225]
        let sequence = try Stimuli.bars(size: 32, directions: directions, stepsPerSweep: 12, width: 0.2, blankFrames: 2,
                                        frameDuration: 2)
        #expect(sequence.apertures.shape == [42, 32, 32])
        #expect(sequence.times.last == 82)
        let masks = sequence.apertures.scalars(as: Float.self)
        for sweep in 0..<3 {
            let start = sweep * 14
            let covered = Self.coverage(sequence, frames: start..<(start + 12))
            for pixel in 0..<(32 * 32) where Self.insideField(pixel, size: 32) {
                let frames = covered[pixel]
                #expect(!frames.isEmpty && frames.last! - frames.first! + 1 == frames.count,
                        "sweep \(sweep) pixel \(pixel): \(frames)")
            }
            for blank in (start + 12)..<(start + 14) {
                #expect(masks[(blank * 1024)..<((blank + 1) * 1024)].allSatisfy { $0 == 0 })
            }
        }
        // A rightward sweep (direction 0) reaches the left of the field first.
        let covered = Self.coverage(sequence, frames: 0..<12)
        #expect(covered[16 * 32 + 2][0] < covered[16 * 32 + 29][0])
        let positions = try sequence.parameters["position"].numbers!.scalars(as: Double.self)
        #expect(positions[12].isNaN && positions[0] < 0 && positions[11] > 0)
    }

    @Test func sequenceErrorsNameTheParameter() throws {
        #expect(throws: SimulationError("stimuli.wedges", "frames per cycle must be at least 2, got 1")) {
            try Stimuli.wedges(framesPerCycle: 1)
        }
        #expect(throws: SimulationError("stimuli.wedges", "width must lie in (0, 360] degrees of polar angle, got 400.0")) {
            try Stimuli.wedges(width: 400)
        }
        #expect(throws: SimulationError("stimuli.rings", "cycles must be at least 1, got 0")) { try Stimuli.rings(cycles: 0) }
        #expect(throws: SimulationError("stimuli.rings", "width must lie in (0, 1] (a fraction of the field radius), got 0.0")) {
            try Stimuli.rings(width: 0)
        }
        #expect(throws: SimulationError("stimuli.bars", "the number of directions must be at least 1, got 0")) { try Stimuli.bars(directions: []) }
        #expect(throws: SimulationError("stimuli.bars", "frame duration must be positive, got -1.0 seconds")) {
            try Stimuli.bars(frameDuration: -1)
        }
        #expect(throws: SimulationError("stimuli.bars", "blank frames must be >= 0, got -2")) { try Stimuli.bars(blankFrames: -2) }
        #expect(throws: SimulationError("stimuli.bars", "8 steps per sweep move the bar 0.275 field radii per frame, more than its width 0.2: parts of the field would never be stimulated; use at least 11 steps or a wider bar")) {
            try Stimuli.bars(stepsPerSweep: 8, width: 0.2)
        }
        #expect(throws: SimulationError("stimuli.wedges", "size must lie in 8...1024 pixels, got 3")) { try Stimuli.wedges(size: 3) }
        #expect(throws: SimulationError("stimuli.wedges", "1000 frames of 1024 × 1024 pixels with their apertures would need 15 GiB; the limit is 8 GiB per request")) {
            try Stimuli.wedges(size: 1024, framesPerCycle: 500, cycles: 2)
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
