import Datasets

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Stimuli {
    /// The household objects and tools `objects` draws.
    public static let objectKinds = ["cup", "chair", "lamp", "bottle", "hammer", "table", "screwdriver", "kettle"]

    static let objectColors = [RGB(0.80, 0.15, 0.12), RGB(0.15, 0.35, 0.75), RGB(0.95, 0.75, 0.15), RGB(0.20, 0.60, 0.30),
                               RGB(0.92, 0.92, 0.90), RGB(0.15, 0.15, 0.18), RGB(0.55, 0.35, 0.20), RGB(0.60, 0.30, 0.65),
                               RGB(0.95, 0.50, 0.15)]

    /// Household objects and tools built from primitives: cups (body, rim, handle), chairs (seat, back, legs),
    /// lamps (base, stem, shade), bottles (body, shoulder, neck, cap, label), hammers (handle, head, claw), tables
    /// (top, legs), screwdrivers (handle, shaft, tip) and kettles (body, spout, handle, lid).
    ///
    /// Each image draws a kind, its colours (from a palette of nine) with a darker shaded side, proportions (±15%),
    /// size, position and tilt (±15°; tools any angle), background and pixel noise.
    ///
    /// - Parameters: `count` ≥ 0 images of `size × size` (8…1024) pixels; `seed` any number.
    /// - Returns: images `[count, size, size, 3]` float32 in [0, 1]; metadata `category` ("object"), `kind` (one of
    ///   `objectKinds`), `scale`, `center_x`, `center_y`, `angle` (degrees), `aspect`.
    /// - Throws: `SimulationError` (`stimuli.objects`) for a negative count or a size outside 8…1024.
    public static func objects(count: Int, size: Int = 64, seed: UInt64 = 0) throws -> StimulusSet {
        try StimulusBatch.render(count: count, size: size, seed: seed, stream: "objects", operation: "stimuli.objects") {
            _, random in drawObject(size: size, kind: random.element(objectKinds), &random)
        }
    }

    static func drawObject(size: Int, kind: String, _ random: inout StimulusRandom) -> (Painter, StimulusDescription) {
        var painter = Painter(size: size, background: background(&random))
        let isTool = kind == "hammer" || kind == "screwdriver"
        let angle = isTool ? random.uniform(-180, 180) : random.uniform(-15, 15)
        let scale = random.uniform(0.3, 0.4)
        let center = Point2(0.5 + random.uniform(-0.06, 0.06), 0.5 + random.uniform(-0.06, 0.06))
        let aspect = random.uniform(0.85, 1.15)
        let frame = Frame(origin: center, scale: scale, angle: angle * .pi / 180)
        let main = random.element(objectColors)
        var second = random.element(objectColors)
        if second.luminance == main.luminance { second = main.scaled(0.6) }
        let dark = main.scaled(0.65)
        let a = aspect

        switch kind {
        case "cup":
            painter.fill(frame.outline(0.62 * a, -0.05, 0.3, 0.36, thickness: 0.12), main)
            painter.fill(frame.polygon([(-0.6 * a, -0.7), (0.6 * a, -0.7), (0.48 * a, 0.75), (-0.48 * a, 0.75)]), main)
            painter.fill(frame.polygon([(0.2 * a, -0.7), (0.6 * a, -0.7), (0.48 * a, 0.75), (0.16 * a, 0.75)]), dark, opacity: 0.5)
            painter.fill(frame.ellipse(0, -0.7, 0.6 * a, 0.14), main.scaled(0.8))
            painter.fill(frame.ellipse(0, -0.69, 0.52 * a, 0.1), RGB(0.25, 0.15, 0.08))
            painter.fill(frame.ellipse(0, 0.8, 0.85 * a, 0.12), second)
        case "chair":
            let wood = random.bool() ? main : RGB(0.5, 0.32, 0.18)
            for x in [-0.6, 0.6] {
                painter.fill(frame.capsule(x * a, -1.05, x * a, 0.95, radius: 0.06), wood.scaled(0.8))
            }
            for x in [-0.45, 0.45] { painter.fill(frame.capsule(x * a, 0.1, x * a, 0.8, radius: 0.05), wood.scaled(0.7)) }
            painter.fill(frame.rectangle(-0.6 * a, -1.05, 0.6 * a, -0.55), wood)
            painter.fill(frame.rectangle(-0.45 * a, -0.45, 0.45 * a, -0.35), wood)
            painter.fill(frame.polygon([(-0.6 * a, 0.05), (0.6 * a, 0.05), (0.45 * a, -0.15), (-0.45 * a, -0.15)]), second)
            painter.fill(frame.rectangle(-0.62 * a, 0.05, 0.62 * a, 0.15), second.scaled(0.7))
        case "lamp":
            painter.fill(frame.ellipse(0, 0.9, 0.45 * a, 0.12), dark)
            let bend = random.uniform(-0.3, 0.3)
            painter.fill(frame.stroke([(0, 0.9), (bend, 0.1), (0, -0.45)], radius: 0.045), RGB(gray: 0.45))
            painter.fill(frame.ellipse(0, -0.1, 0.22, 0.18), RGB(1, 0.95, 0.7), opacity: 0.6)
            painter.fill(frame.polygon([(-0.3 * a, -0.95), (0.3 * a, -0.95), (0.65 * a, -0.3), (-0.65 * a, -0.3)]), main)
            painter.fill(frame.polygon([(0.1 * a, -0.95), (0.3 * a, -0.95), (0.65 * a, -0.3), (0.3 * a, -0.3)]), dark, opacity: 0.5)
        case "bottle":
            let glass = random.bool() ? RGB(0.2, 0.45, 0.25) : main
            painter.fill(frame.rectangle(-0.38 * a, -0.3, 0.38 * a, 0.95), glass)
            painter.fill(frame.ellipse(0, -0.3, 0.38 * a, 0.3), glass)
            painter.fill(frame.rectangle(-0.13 * a, -0.95, 0.13 * a, -0.4), glass)
            painter.fill(frame.rectangle(-0.15 * a, -1.05, 0.15 * a, -0.9), second)
            painter.fill(frame.rectangle(-0.38 * a, 0.1, 0.38 * a, 0.6), RGB(0.95, 0.92, 0.85))
            painter.fill(frame.rectangle(0.14 * a, -0.3, 0.38 * a, 0.95), glass.scaled(0.6), opacity: 0.4)
            painter.fill(frame.capsule(-0.25 * a, -0.2, -0.25 * a, 0.8, radius: 0.035), RGB(gray: 1), opacity: 0.5)
        case "hammer":
            painter.fill(frame.capsule(0, -0.6, 0, 1.05, radius: 0.1), RGB(0.62, 0.42, 0.22))
            painter.fill(frame.capsule(0, 0.55, 0, 1.05, radius: 0.12), main)
            painter.fill(frame.rectangle(-0.55, -0.95, 0.25, -0.6), RGB(gray: 0.45))
            painter.fill(frame.polygon([(0.25, -0.95), (0.65, -1.1), (0.7, -0.95), (0.25, -0.6)]), RGB(gray: 0.35))
            painter.fill(frame.rectangle(-0.55, -0.95, 0.25, -0.87), RGB(gray: 0.7))
        case "table":
            let wood = random.bool() ? main : RGB(0.55, 0.35, 0.2)
            for x in [-0.85, 0.85] { painter.fill(frame.capsule(x * a, -0.1, x * a, 0.85, radius: 0.07), wood.scaled(0.7)) }
            for x in [-0.6, 0.6] { painter.fill(frame.capsule(x * a, -0.2, x * a, 0.6, radius: 0.06), wood.scaled(0.55)) }
            painter.fill(frame.polygon([(-1.0 * a, -0.15), (1.0 * a, -0.15), (0.75 * a, -0.45), (-0.75 * a, -0.45)]), wood)
            painter.fill(frame.rectangle(-1.0 * a, -0.15, 1.0 * a, -0.03), wood.scaled(0.75))
        case "screwdriver":
            painter.fill(frame.capsule(0, -1.0, 0, 0.2, radius: 0.04), RGB(gray: 0.7))
            painter.fill(frame.polygon([(-0.04, -1.0), (0.04, -1.0), (0.015, -1.12), (-0.015, -1.12)]), RGB(gray: 0.55))
            painter.fill(frame.capsule(0, 0.2, 0, 1.0, radius: 0.15), main)
            painter.fill(frame.capsule(0.07, 0.25, 0.07, 0.95, radius: 0.03), main.scaled(0.6))
        default:  // kettle
            painter.fill(frame.outline(0, -0.35, 0.55 * a, 0.45, thickness: 0.1), dark)
            painter.fill(frame.polygon([(0.5 * a, 0.2), (0.7 * a, 0.1), (1.05 * a, -0.4), (0.95 * a, -0.45), (0.6 * a, -0.1)]), main)
            painter.fill(frame.ellipse(0, 0.25, 0.7 * a, 0.6), main)
            painter.fill(frame.ellipse(0.3 * a, 0.3, 0.35 * a, 0.5), dark, opacity: 0.4)
            painter.fill(frame.ellipse(0, -0.3, 0.35 * a, 0.09), main.scaled(0.8))
            painter.fill(frame.circle(-0.05, -0.42, 0.08) , second)
            painter.fill(frame.rectangle(-0.6 * a, 0.75, 0.6 * a, 0.85), dark)
        }
        painter.addNoise(0.015, &random)
        painter.finish(contrast: random.uniform(0.7, 1))
        return (painter, StimulusDescription(category: "object", kind: kind, parameters: [
            ("scale", scale), ("center_x", center.x), ("center_y", center.y), ("angle", angle), ("aspect", aspect),
        ]))
    }
}

extension Frame {
    func circle(_ x: Double, _ y: Double, _ radius: Double) -> Shape { ellipse(x, y, radius, radius) }
}
