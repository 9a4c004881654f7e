import Datasets

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Procedural stimulus generators: faces, places, bodies, objects, written words, phase-scrambled images, gratings
/// and retinotopic mapping sequences. Every generator is seeded and returns float32 images `[n, size, size, 3]` in
/// [0, 1] with a metadata table (docs/stimuli.md).
public enum Stimuli {}

extension Stimuli {
    /// Skin tones from light to dark, interpolated by a uniform draw.
    static let lightSkin = RGB(0.96, 0.80, 0.69), darkSkin = RGB(0.34, 0.21, 0.14)
    static let hairColors = [RGB(0.08, 0.06, 0.05), RGB(0.30, 0.18, 0.10), RGB(0.55, 0.38, 0.20), RGB(0.80, 0.65, 0.40),
                             RGB(0.55, 0.55, 0.55), RGB(0.45, 0.12, 0.06)]
    static let irisColors = [RGB(0.30, 0.18, 0.08), RGB(0.20, 0.35, 0.55), RGB(0.30, 0.40, 0.25), RGB(0.15, 0.10, 0.06)]

    /// A muted background: a random hue at low saturation and mid to high lightness, so that figures stand out by
    /// shape, not by colour.
    static func background(_ random: inout StimulusRandom) -> RGB {
        let gray = random.uniform(0.35, 0.85)
        let tint = RGB(random.uniform(0, 1), random.uniform(0, 1), random.uniform(0, 1))
        return RGB(gray: gray).mixed(with: tint, random.uniform(0, 0.3))
    }

    /// Procedural faces, front-on to three-quarter view: an oval head (with ears, neck and usually hair) holding two
    /// eyes (white, iris, pupil) under brows, a nose and a mouth in the face's canonical configuration — eyes halfway
    /// down the head, nose between eyes and mouth, mouth at three quarters.
    ///
    /// Each image draws: skin tone (light to dark), head width and elongation, position, roll (in-plane tilt,
    /// ±20°), yaw (a turn of the head, ±0.5: the features shift towards the turned side and the far eye narrows),
    /// pitch (features up or down), eye spacing and size, iris colour, gaze, brow height and tilt, nose length, mouth
    /// width and curvature (frown to smile), hair (none, short, long) and colour, background, image contrast
    /// (0.6–1) and a little pixel noise.
    ///
    /// - Parameters: `count` ≥ 0 images of `size × size` (8…1024) pixels; `seed` any number.
    /// - Returns: images `[count, size, size, 3]` float32 in [0, 1]; metadata columns `category` ("face"), `kind`
    ///   (hair style), then `skin`, `head_width`, `elongation`, `center_x`, `center_y`, `roll`, `yaw`, `pitch`,
    ///   `eye_spacing`, `eye_size`, `mouth_width`, `mouth_curvature`, `contrast` (angles in degrees, positions in
    ///   image units).
    /// - Throws: `SimulationError` (`stimuli.faces`) for a negative count or a size outside 8…1024.
    public static func faces(count: Int, size: Int = 64, seed: UInt64 = 0) throws -> StimulusSet {
        try StimulusBatch.render(count: count, size: size, seed: seed, stream: "faces", operation: "stimuli.faces") {
            _, random in drawFace(size: size, &random)
        }
    }

    static func drawFace(size: Int, _ random: inout StimulusRandom) -> (Painter, StimulusDescription) {
        var painter = Painter(size: size, background: background(&random))
        let skinTone = random.unit()
        let skin = lightSkin.mixed(with: darkSkin, skinTone)
        let shadow = skin.scaled(0.82)
        let headWidth = random.uniform(0.21, 0.28)
        let elongation = random.uniform(1.2, 1.42)
        let center = Point2(0.5 + random.uniform(-0.05, 0.05), 0.5 + random.uniform(-0.03, 0.05))
        let rollDegrees = random.uniform(-20, 20)
        let yaw = random.uniform(-0.5, 0.5)
        let pitch = random.uniform(-0.25, 0.25)
        let frame = Frame(origin: center, scale: headWidth, angle: rollDegrees * .pi / 180)
        let e = elongation
        let hairStyle = random.element(["none", "short", "short", "long", "long"])
        let hair = random.element(hairColors)

        // Behind the head: long hair, then shoulders, neck and ears.
        if hairStyle == "long" {
            painter.fill(frame.polygon([(-1.12, -0.2 * e), (1.12, -0.2 * e), (1.25, 1.05 * e), (-1.25, 1.05 * e)]), hair)
            painter.fill(frame.ellipse(0, -0.15 * e, 1.14, 0.95 * e), hair)
        }
        let clothing = RGB(random.uniform(0.1, 0.9), random.uniform(0.1, 0.9), random.uniform(0.1, 0.9))
        painter.fill(frame.ellipse(0, 2.05 * e, 1.9, 0.75 * e), clothing)
        painter.fill(frame.rectangle(-0.42, 0.5 * e, 0.42, 1.5 * e), shadow)
        let earShift = -yaw * 0.25
        painter.fill(frame.ellipse(-1.0 + earShift, 0.02 * e, 0.17, 0.28), shadow)
        painter.fill(frame.ellipse(1.0 + earShift, 0.02 * e, 0.17, 0.28), shadow)
        painter.fill(frame.ellipse(0, 0, 1, e), skin)
        // A soft shade on the side turned away gives the head some volume.
        painter.fill(frame.ellipse(yaw > 0 ? -0.55 : 0.55, 0.1 * e, 0.5, 0.85 * e), shadow, opacity: 0.35 * abs(yaw) + 0.1)
        if hairStyle != "none" {
            painter.fill(frame.ellipse(0, -0.78 * e, 1.02, 0.42 * e), hair)
            painter.fill(frame.ellipse(-0.35 * yaw - 0.3, -0.62 * e, 0.55, 0.22 * e, angle: 0.3), hair)
        }

        // Features, shifted by the head's turn and nod.
        let shift = yaw * 0.38, lift = pitch * 0.2 * e
        let eyeY = -0.08 * e + lift
        let spacing = random.uniform(0.34, 0.46), eyeSize = random.uniform(0.85, 1.2)
        let iris = random.element(irisColors)
        let gaze = Point2(random.uniform(-0.04, 0.04), random.uniform(-0.02, 0.02))
        let browHeight = random.uniform(0.17, 0.26), browTilt = random.uniform(-0.06, 0.06)
        for side in [-1.0, 1.0] {
            // The eye on the side the head turns away from is foreshortened.
            let foreshortening = 1 - Swift.max(0, side * yaw) * 0.6
            let x = side * spacing * (1 - abs(yaw) * 0.25) + shift
            let width = 0.19 * eyeSize * foreshortening, height = 0.095 * eyeSize
            painter.fill(frame.ellipse(x, eyeY, width, height), RGB(0.95, 0.95, 0.93))
            painter.fill(frame.ellipse(x + gaze.x + yaw * 0.05, eyeY + gaze.y, 0.085 * eyeSize * foreshortening,
                                       0.085 * eyeSize), iris)
            painter.fill(frame.ellipse(x + gaze.x + yaw * 0.05, eyeY + gaze.y, 0.04 * eyeSize * foreshortening,
                                       0.04 * eyeSize), RGB(0.02, 0.02, 0.02))
            painter.fill(frame.outline(x, eyeY, width, height, thickness: 0.025), shadow.scaled(0.7))
            let browY = eyeY - browHeight
            painter.fill(frame.stroke([(x - side * 0.2 * foreshortening, browY + 0.03 - side * browTilt),
                                       (x, browY - 0.02), (x + side * 0.22 * foreshortening, browY + 0.04 + side * browTilt)],
                                      radius: 0.035), hair.scaled(0.8))
        }
        let noseLength = random.uniform(0.3, 0.42)
        let noseX = shift * 1.15, noseTop = eyeY + 0.05, noseBottom = eyeY + noseLength * e
        painter.fill(frame.stroke([(noseX - 0.02, noseTop), (noseX + 0.03 + yaw * 0.12, noseBottom - 0.02),
                                   (noseX - 0.07, noseBottom + 0.02)], radius: 0.022), shadow.scaled(0.85))
        painter.fill(frame.ellipse(noseX - 0.07, noseBottom + 0.03, 0.04, 0.025), shadow.scaled(0.6))
        painter.fill(frame.ellipse(noseX + 0.07, noseBottom + 0.03, 0.04, 0.025), shadow.scaled(0.6))
        let mouthWidth = random.uniform(0.26, 0.4), curvature = random.uniform(-0.06, 0.12)
        let mouthY = noseBottom + random.uniform(0.16, 0.24) * e
        let lips = skin.mixed(with: RGB(0.55, 0.12, 0.15), 0.55)
        // Positive curvature lowers the middle of the mouth below its corners: a smile.
        let mouthCenter = shift * 1.05, visibleWidth = mouthWidth * (1 - abs(yaw) * 0.3)
        let mouthPoints = (0...8).map { step -> (Double, Double) in
            let t = Double(step) / 4 - 1
            return (mouthCenter + t * visibleWidth, mouthY + curvature * (1 - t * t))
        }
        painter.fill(frame.stroke(mouthPoints, radius: 0.04), lips)
        painter.addNoise(0.015, &random)
        let contrast = random.uniform(0.6, 1)
        painter.finish(contrast: contrast)
        return (painter, StimulusDescription(category: "face", kind: hairStyle, parameters: [
            ("skin", skinTone), ("head_width", headWidth), ("elongation", elongation), ("center_x", center.x),
            ("center_y", center.y), ("roll", rollDegrees), ("yaw", yaw), ("pitch", pitch), ("eye_spacing", spacing),
            ("eye_size", eyeSize), ("mouth_width", mouthWidth), ("mouth_curvature", curvature), ("contrast", contrast),
        ]))
    }
}
