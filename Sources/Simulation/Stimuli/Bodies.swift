import Datasets

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Stimuli {
    /// Pose families for bodies: the ranges of each joint angle (radians from hanging straight down, positive away
    /// from the body's midline).
    struct Pose {
        var name: String
        var upperArm: (left: ClosedRange<Double>, right: ClosedRange<Double>)
        var elbow: ClosedRange<Double>
        var thigh: (left: ClosedRange<Double>, right: ClosedRange<Double>)
        var knee: ClosedRange<Double>
    }

    static let poses = [
        Pose(name: "standing", upperArm: (0.05...0.35, 0.05...0.35), elbow: 0...0.4, thigh: (0.03...0.15, 0.03...0.15),
             knee: 0...0.1),
        Pose(name: "walking", upperArm: (-0.2...0.5, -0.2...0.5), elbow: 0.2...0.9, thigh: (-0.25...0.35, -0.25...0.35),
             knee: 0.1...0.7),
        Pose(name: "arms_raised", upperArm: (2.2...2.9, 2.2...2.9), elbow: 0...0.5, thigh: (0.05...0.3, 0.05...0.3),
             knee: 0...0.2),
        Pose(name: "reaching", upperArm: (1.2...1.8, 0.05...0.4), elbow: 0...0.3, thigh: (0.05...0.25, 0.05...0.25),
             knee: 0...0.2),
        Pose(name: "dancing", upperArm: (0.3...2.7, 0.3...2.7), elbow: 0...1.8, thigh: (-0.1...0.7, -0.1...0.7),
             knee: 0...1.2),
    ]

    /// Headless human bodies: a clothed torso (shoulders wider than hips) ending in a neck stump, two arms
    /// (upper arm, forearm, hand) and two legs (thigh, shin, foot), articulated at shoulders, elbows, hips and knees.
    /// The head is left out, as in body localisers (Downing et al. 2001), so that body-selective responses are not
    /// face responses.
    ///
    /// Each image draws a pose family (standing, walking, arms raised, reaching, dancing) and within it every joint
    /// angle, a mirror flip, the body's lean (±12°), size, position, shirt and trouser colours, sleeve length, skin
    /// tone, background and a little pixel noise.
    ///
    /// - Parameters: `count` ≥ 0 images of `size × size` (8…1024) pixels; `seed` any number.
    /// - Returns: images `[count, size, size, 3]` float32 in [0, 1]; metadata `category` ("body"), `kind` (the pose
    ///   family), `scale`, `center_x`, `lean`, `left_arm`, `right_arm`, `left_elbow`, `right_elbow`, `left_leg`,
    ///   `right_leg`, `left_knee`, `right_knee` (angles in degrees), `skin`.
    /// - Throws: `SimulationError` (`stimuli.bodies`) for a negative count or a size outside 8…1024.
    public static func bodies(count: Int, size: Int = 64, seed: UInt64 = 0) throws -> StimulusSet {
        try StimulusBatch.render(count: count, size: size, seed: seed, stream: "bodies", operation: "stimuli.bodies") {
            _, random in drawBody(size: size, &random)
        }
    }

    static func drawBody(size: Int, _ random: inout StimulusRandom) -> (Painter, StimulusDescription) {
        var painter = Painter(size: size, background: background(&random))
        let pose = random.element(poses)
        let scale = random.uniform(0.2, 0.26)
        let lean = random.uniform(-12, 12) * .pi / 180
        let hip = Point2(0.5 + random.uniform(-0.06, 0.06), 0.1 + 1.25 * scale + random.uniform(-0.02, 0.03))
        let frame = Frame(origin: hip, scale: scale, angle: lean)
        let skinTone = random.unit()
        let skin = lightSkin.mixed(with: darkSkin, skinTone)
        let shirt = RGB(random.uniform(0.05, 0.95), random.uniform(0.05, 0.95), random.uniform(0.05, 0.95))
        let trousers = RGB(random.uniform(0.05, 0.6), random.uniform(0.05, 0.6), random.uniform(0.1, 0.7))
        let shoes = RGB(gray: random.uniform(0.05, 0.3))
        let shortSleeves = random.bool()
        let mirrored = random.bool()
        func draw(_ range: ClosedRange<Double>) -> Double { random.uniform(range.lowerBound, range.upperBound) }
        var arms = (draw(pose.upperArm.left), draw(pose.upperArm.right))
        var thighs = (draw(pose.thigh.left), draw(pose.thigh.right))
        if mirrored { arms = (arms.1, arms.0); thighs = (thighs.1, thighs.0) }
        let elbows = (draw(pose.elbow), draw(pose.elbow)), knees = (draw(pose.knee), draw(pose.knee))

        /// The direction of a limb at `angle` from straight down, on `side` (−1 left, +1 right).
        func direction(_ angle: Double, _ side: Double) -> (Double, Double) { (side * sin(angle), cos(angle)) }
        // Legs first (behind the torso's hem).
        for (side, thigh, knee) in [(-1.0, thighs.0, knees.0), (1.0, thighs.1, knees.1)] {
            let top = (side * 0.2, 0.0)
            let d1 = direction(thigh, side)
            let kneePoint = (top.0 + 0.95 * d1.0, top.1 + 0.95 * d1.1)
            // Knees bend the shin back towards the midline.
            let d2 = direction(thigh - knee, side)
            let ankle = (kneePoint.0 + 0.9 * d2.0, kneePoint.1 + 0.9 * d2.1)
            painter.fill(frame.capsule(top.0, top.1, kneePoint.0, kneePoint.1, radius: 0.13), trousers)
            painter.fill(frame.capsule(kneePoint.0, kneePoint.1, ankle.0, ankle.1, radius: 0.1), trousers)
            painter.fill(frame.capsule(ankle.0, ankle.1 + 0.03, ankle.0 + side * 0.2, ankle.1 + 0.05, radius: 0.065), shoes)
        }
        // Torso: shoulders wider than hips, neck stump cut flat (headless).
        let neck = (0.0, -1.0)
        painter.fill(frame.rectangle(-0.1, neck.1 - 0.16, 0.1, neck.1 + 0.1), skin)
        painter.fill(frame.polygon([(-0.4, -0.95), (0.4, -0.95), (0.3, 0.08), (-0.3, 0.08)]), shirt)
        painter.fill(frame.capsule(-0.34, -0.93, 0.34, -0.93, radius: 0.1), shirt)
        painter.fill(frame.polygon([(-0.1, -1.0), (0.1, -1.0), (0, -0.86)]), skin)
        painter.fill(frame.rectangle(-0.31, -0.05, 0.31, 0.1), trousers)
        for (side, arm, elbow) in [(-1.0, arms.0, elbows.0), (1.0, arms.1, elbows.1)] {
            let shoulder = (side * 0.38, -0.9)
            let d1 = direction(arm, side)
            let elbowPoint = (shoulder.0 + 0.6 * d1.0, shoulder.1 + 0.6 * d1.1)
            let d2 = direction(arm + elbow, side)
            let wrist = (elbowPoint.0 + 0.55 * d2.0, elbowPoint.1 + 0.55 * d2.1)
            painter.fill(frame.capsule(shoulder.0, shoulder.1, elbowPoint.0, elbowPoint.1, radius: 0.09),
                         shortSleeves ? shirt : shirt.scaled(0.9))
            painter.fill(frame.capsule(elbowPoint.0, elbowPoint.1, wrist.0, wrist.1, radius: 0.075),
                         shortSleeves ? skin : shirt.scaled(0.9))
            painter.fill(frame.ellipse(wrist.0 + 0.06 * d2.0, wrist.1 + 0.06 * d2.1, 0.085, 0.085), skin)
        }
        painter.addNoise(0.015, &random)
        painter.finish(contrast: random.uniform(0.7, 1))
        let degrees = 180 / Double.pi
        return (painter, StimulusDescription(category: "body", kind: pose.name, parameters: [
            ("scale", scale), ("center_x", hip.x), ("lean", lean * degrees), ("left_arm", arms.0 * degrees),
            ("right_arm", arms.1 * degrees), ("left_elbow", elbows.0 * degrees), ("right_elbow", elbows.1 * degrees),
            ("left_leg", thighs.0 * degrees), ("right_leg", thighs.1 * degrees), ("left_knee", knees.0 * degrees),
            ("right_knee", knees.1 * degrees), ("skin", skinTone),
        ]))
    }
}
