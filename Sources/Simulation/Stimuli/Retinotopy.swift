import Datasets
import Tensors

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A retinotopic mapping run: the frames shown, the binary aperture of each frame (what a population receptive
/// field analysis models: which part of the visual field is stimulated), and when each frame starts.
///
/// Visual-field coordinates: pixel (row i, column j) of a `size × size` frame has its centre at
/// `x = ((j + 0.5) / size · 2 − 1) · fieldRadius`, `y = (1 − (i + 0.5) / size · 2) · fieldRadius` degrees (y up,
/// fixation at the centre); the stimulated field is the disc of radius `fieldRadius` inscribed in the frame.
public struct RetinotopySequence: Sendable {
    /// "wedges", "rings" or "bars".
    public let kind: String
    /// `[frames, size, size, 3]` float32 in [0, 1]: a black-and-white checkerboard inside the aperture, mean gray (0.5)
    /// outside.
    public let frames: Tensor
    /// `[frames, size, size]` float32, 1 inside the aperture and 0 outside.
    public let apertures: Tensor
    /// Onset of each frame in seconds: `frame · frameDuration`.
    public let times: [Double]
    /// Seconds each frame is shown (one TR in a pRF design).
    public let frameDuration: Double
    /// Degrees of visual angle from the centre to the frame's edge.
    public let fieldRadius: Double
    /// One row per frame: `cycle` (or `sweep`) and the aperture's position — `angle` (wedge centre, degrees
    /// counter-clockwise from the right horizontal meridian), `eccentricity` (ring's inner edge, degrees), or
    /// `direction` (bar motion, degrees) and `position` (bar centre along it, degrees; NaN on blank frames).
    public let parameters: Table
}

extension Stimuli {
    /// Rotating-wedge polar-angle mapping (Sereno et al. 1995; Engel et al. 1997): a wedge of `width` degrees of
    /// polar angle steps around fixation, `framesPerCycle` frames per revolution, for `cycles` revolutions. The wedge
    /// of frame f covers the polar angles [a_f − width/2, a_f + width/2) with a_f = startAngle ± 360 · f /
    /// framesPerCycle (counter-clockwise unless `clockwise`), so with width = 360 / framesPerCycle every angle is
    /// covered by exactly one frame per cycle.
    ///
    /// The carrier is a polar checkerboard (24 sectors × 8 rings) whose contrast reverses every frame, a stand-in
    /// for the 4–8 Hz flicker that one frame per TR cannot show.
    /// - Throws: `SimulationError` (`stimuli.wedges`) for a size outside 8…1024, fewer than 2 frames per cycle, fewer
    ///   than 1 cycle, a width outside (0, 360], or a frame duration or field radius that is not positive.
    public static func wedges(size: Int = 64, framesPerCycle: Int = 16, cycles: Int = 2, width: Double = 45,
                              startAngle: Double = 90, clockwise: Bool = false, frameDuration: Double = 1,
                              fieldRadius: Double = 10) throws -> RetinotopySequence {
        let operation = "stimuli.wedges"
        try checkSequence(size: size, framesPerCycle: framesPerCycle, cycles: cycles, frameDuration: frameDuration,
                          fieldRadius: fieldRadius, operation: operation)
        guard width > 0, width <= 360 else {
            throw SimulationError(operation, "width must lie in (0, 360] degrees of polar angle, got \(width)")
        }
        guard startAngle.isFinite else { throw SimulationError(operation, "startAngle must be finite, got \(startAngle)") }
        let total = framesPerCycle * cycles
        let centres = (0..<total).map { frame -> Double in
            let angle = startAngle + (clockwise ? -1 : 1) * 360 * Double(frame % framesPerCycle) / Double(framesPerCycle)
            return angle.truncatingRemainder(dividingBy: 360) + (angle < 0 ? 360 : 0)
        }
        let table = try Table([("cycle", .numeric(Tensor((0..<total).map { Double($0 / framesPerCycle) }))),
                               ("angle", .numeric(Tensor(centres)))])
        return try sequence(kind: "wedges", size: size, frames: total, frameDuration: frameDuration,
                            fieldRadius: fieldRadius, parameters: table) { frame, x, y in
            let radius = (x * x + y * y).squareRoot()
            guard radius <= 1 else { return false }
            var angle = atan2(y, x) * 180 / .pi - centres[frame] + width / 2
            angle = angle.truncatingRemainder(dividingBy: 360)
            if angle < 0 { angle += 360 }
            return angle < width
        }
    }

    /// Expanding (or contracting) ring eccentricity mapping: a ring of `width` (a fraction of the field radius)
    /// whose inner edge moves out by 1/framesPerCycle of the radius per frame and wraps back to fixation, so that
    /// with width = 1 / framesPerCycle every eccentricity within the field is covered once per cycle. Eccentricity
    /// is linear in the field radius (not cortically magnified). Carrier and flicker as `wedges`.
    /// - Throws: `SimulationError` (`stimuli.rings`) as `wedges`, and for a width outside (0, 1].
    public static func rings(size: Int = 64, framesPerCycle: Int = 16, cycles: Int = 2, width: Double = 0.125,
                             expanding: Bool = true, frameDuration: Double = 1,
                             fieldRadius: Double = 10) throws -> RetinotopySequence {
        let operation = "stimuli.rings"
        try checkSequence(size: size, framesPerCycle: framesPerCycle, cycles: cycles, frameDuration: frameDuration,
                          fieldRadius: fieldRadius, operation: operation)
        guard width > 0, width <= 1 else {
            throw SimulationError(operation, "width must lie in (0, 1] (a fraction of the field radius), got \(width)")
        }
        let total = framesPerCycle * cycles
        let starts = (0..<total).map { frame -> Double in
            let step = Double(frame % framesPerCycle) / Double(framesPerCycle)
            return expanding ? step : (1 - step - width + 1).truncatingRemainder(dividingBy: 1)
        }
        let table = try Table([("cycle", .numeric(Tensor((0..<total).map { Double($0 / framesPerCycle) }))),
                               ("eccentricity", .numeric(Tensor(starts.map { $0 * fieldRadius })))])
        return try sequence(kind: "rings", size: size, frames: total, frameDuration: frameDuration,
                            fieldRadius: fieldRadius, parameters: table) { frame, x, y in
            let radius = (x * x + y * y).squareRoot()
            guard radius <= 1 else { return false }
            var offset = (radius - starts[frame]).truncatingRemainder(dividingBy: 1)
            if offset < 0 { offset += 1 }
            return offset < width
        }
    }

    /// Sweeping bars (Dumoulin & Wandell 2008): a bar of `width` (a fraction of the field radius) crosses the field
    /// in each of `directions` (motion direction, degrees counter-clockwise from rightward) in `stepsPerSweep`
    /// frames, from fully outside one edge to fully outside the other, each sweep followed by `blankFrames` frames
    /// of mean gray (aperture empty) that give the baseline. Within the disc of the field only. The bar moves
    /// (2 + width) / stepsPerSweep field radii per frame, which must not exceed its width, so that every point of
    /// the field is stimulated in every sweep.
    /// Carrier and flicker as `wedges`.
    /// - Throws: `SimulationError` (`stimuli.bars`) for a size outside 8…1024, no directions, a non-finite
    ///   direction, fewer than 2 steps, steps that move the bar further than its width, negative blanks, a width
    ///   outside (0, 2], or a non-positive frame duration or field radius.
    public static func bars(size: Int = 64, directions: [Double] = [0, 45, 90, 135, 180, 225, 270, 315],
                            stepsPerSweep: Int = 16, width: Double = 0.25, blankFrames: Int = 0, frameDuration: Double = 1,
                            fieldRadius: Double = 10) throws -> RetinotopySequence {
        let operation = "stimuli.bars"
        try checkSequence(size: size, framesPerCycle: stepsPerSweep, cycles: directions.count, frameDuration: frameDuration,
                          fieldRadius: fieldRadius, operation: operation, cycleName: "the number of directions", stepName: "steps per sweep")
        guard directions.allSatisfy(\.isFinite) else { throw SimulationError(operation, "directions must be finite") }
        guard blankFrames >= 0 else { throw SimulationError(operation, "blank frames must be >= 0, got \(blankFrames)") }
        guard width > 0, width <= 2 else {
            throw SimulationError(operation, "width must lie in (0, 2] (a fraction of the field radius), got \(width)")
        }
        let step = (2 + width) / Double(stepsPerSweep)
        guard step <= width else {
            let needed = Int(((2 + width) / width).rounded(.up))
            throw SimulationError(operation, "\(stepsPerSweep) steps per sweep move the bar \(step) field radii per frame, "
                                  + "more than its width \(width): parts of the field would never be stimulated; use at "
                                  + "least \(needed) steps or a wider bar")
        }
        var sweeps = [Double](), sweepDirections = [Double](), positions = [Double]()
        for (sweep, direction) in directions.enumerated() {
            for step in 0..<stepsPerSweep {
                sweeps.append(Double(sweep)); sweepDirections.append(direction)
                positions.append(-(1 + width / 2) + (Double(step) + 0.5) * (2 + width) / Double(stepsPerSweep))
            }
            for _ in 0..<blankFrames { sweeps.append(Double(sweep)); sweepDirections.append(direction); positions.append(.nan) }
        }
        let table = try Table([("sweep", .numeric(Tensor(sweeps))), ("direction", .numeric(Tensor(sweepDirections))),
                               ("position", .numeric(Tensor(positions.map { $0 * fieldRadius })))])
        let units = sweepDirections.map { (cos($0 * .pi / 180), sin($0 * .pi / 180)) }
        return try sequence(kind: "bars", size: size, frames: positions.count, frameDuration: frameDuration,
                            fieldRadius: fieldRadius, parameters: table) { frame, x, y in
            guard !positions[frame].isNaN, x * x + y * y <= 1 else { return false }
            return abs(x * units[frame].0 + y * units[frame].1 - positions[frame]) < width / 2
        }
    }

    static func checkSequence(size: Int, framesPerCycle: Int, cycles: Int, frameDuration: Double, fieldRadius: Double,
                              operation: String, cycleName: String = "cycles",
                              stepName: String = "frames per cycle") throws {
        try StimulusBatch.validate(count: 0, size: size, operation: operation)
        guard framesPerCycle >= 2 else { throw SimulationError(operation, "\(stepName) must be at least 2, got \(framesPerCycle)") }
        guard cycles >= 1 else { throw SimulationError(operation, "\(cycleName) must be at least 1, got \(cycles)") }
        guard framesPerCycle * cycles <= 100_000 else {
            throw SimulationError(operation, "\(framesPerCycle * cycles) frames are more than the 100000 bm makes in one run")
        }
        // Frames and apertures: four values per pixel and frame.
        let frames = framesPerCycle * cycles
        guard frames <= StimulusBatch.maximumElements / (size * size * 4) else {
            throw SimulationError(operation, "\(frames) frames of \(size) × \(size) pixels with their apertures would "
                                  + "need \(frames * size * size * 16 / (1 << 30)) GiB; the limit is 8 GiB per request")
        }
        guard frameDuration > 0, frameDuration.isFinite else {
            throw SimulationError(operation, "frame duration must be positive, got \(frameDuration) seconds")
        }
        guard fieldRadius > 0, fieldRadius.isFinite else {
            throw SimulationError(operation, "field radius must be positive, got \(fieldRadius) degrees")
        }
    }

    /// Frames and apertures from `inside(frame, x, y)`, with (x, y) the pixel centre in field radii (y up).
    static func sequence(kind: String, size: Int, frames: Int, frameDuration: Double, fieldRadius: Double,
                         parameters: Table, inside: (Int, Double, Double) -> Bool) throws -> RetinotopySequence {
        let pixels = size * size
        var apertures = [Float](repeating: 0, count: frames * pixels)
        var images = [Float](repeating: 0.5, count: frames * pixels * 3)
        let side = Double(size)
        for frame in 0..<frames {
            try Cancellation.check("stimuli.\(kind)")
            let polarity = frame % 2 == 0
            for row in 0..<size {
                let y = 1 - (Double(row) + 0.5) / side * 2
                for column in 0..<size {
                    let x = (Double(column) + 0.5) / side * 2 - 1
                    guard inside(frame, x, y) else { continue }
                    let index = frame * pixels + row * size + column
                    apertures[index] = 1
                    // Polar checks: 24 sectors of 15° and 8 rings of eccentricity.
                    let sector = Int(((atan2(y, x) + .pi) / (2 * .pi) * 24).rounded(.down))
                    let ring = Int(((x * x + y * y).squareRoot() * 8).rounded(.down))
                    let value: Float = ((sector + ring) % 2 == 0) == polarity ? 1 : 0
                    images[3 * index] = value; images[3 * index + 1] = value; images[3 * index + 2] = value
                }
            }
        }
        return RetinotopySequence(kind: kind, frames: try Tensor(shape: [frames, size, size, 3], scalars: images),
                                  apertures: try Tensor(shape: [frames, size, size], scalars: apertures),
                                  times: (0..<frames).map { Double($0) * frameDuration }, frameDuration: frameDuration,
                                  fieldRadius: fieldRadius, parameters: parameters)
    }
}
