/// A colour map: 256 colours from low to high values, looked up like matplotlib's (no blending between entries).
///
/// `viridis`, `magma` and `cividis` are perceptually uniform sequential maps (cividis also for red–green colour-vision
/// deficiency); `RdBu_r` is diverging (blue below, red above) and is centred on zero by default: its limits are
/// symmetric, ±max|value|.
public struct Colormap: Equatable, Sendable {
    /// The name users pass (`viridis`, `magma`, `cividis`, `RdBu_r`).
    public let name: String
    /// The 256 entries, low values first.
    public let colors: [Color]
    /// Diverging maps default to limits symmetric about zero.
    public let isDiverging: Bool

    /// The names `Colormap(named:)` accepts.
    public static let names = ["viridis", "magma", "cividis", "RdBu_r"]

    /// The colour map called `name` (exact spelling, see `names`).
    /// Throws `PlottingError` (`colormap`) listing the known names for anything else.
    public init(named name: String) throws {
        let table: String
        switch name {
        case "viridis": table = ColormapTables.viridis
        case "magma": table = ColormapTables.magma
        case "cividis": table = ColormapTables.cividis
        case "RdBu_r": table = ColormapTables.redBlueReversed
        default:
            throw PlottingError("colormap", "unknown colour map \"\(name)\": known maps are "
                                + Colormap.names.joined(separator: ", "))
        }
        self.name = name
        self.colors = Colormap.decode(table)
        self.isDiverging = name == "RdBu_r"
    }

    public static let viridis = try! Colormap(named: "viridis")

    /// The colour of `fraction` in [0, 1] (clamped): entry `min(255, floor(fraction × 256))`, as matplotlib does.
    /// NaN gives a transparent colour.
    public func color(atFraction fraction: Double) -> Color {
        guard !fraction.isNaN else { return Color(white: 0, alpha: 0) }
        let index = Int(Swift.min(255, Swift.max(0, (fraction * 256).rounded(.down))))
        return colors[index]
    }

    /// The colour of `value` within `limits`: `color(atFraction: (value - low) / (high - low))`; the middle entry
    /// when low == high.
    public func color(of value: Double, limits: ClosedRange<Double>) -> Color {
        let span = limits.upperBound - limits.lowerBound
        guard span > 0 else { return value.isNaN ? color(atFraction: .nan) : color(atFraction: 0.5) }
        return color(atFraction: (value - limits.lowerBound) / span)
    }

    /// Default limits for `values` (NaN and infinities ignored): [min, max], or [-m, m] with m = max|value| for
    /// diverging maps. [0, 1] when no finite value exists.
    public func defaultLimits(_ values: [Double]) -> ClosedRange<Double> {
        var low = Double.infinity
        var high = -Double.infinity
        for value in values where value.isFinite {
            low = Swift.min(low, value)
            high = Swift.max(high, value)
        }
        guard low <= high else { return 0...1 }
        if isDiverging {
            let magnitude = Swift.max(abs(low), abs(high))
            return magnitude > 0 ? -magnitude...magnitude : -1...1
        }
        return low...high
    }

    private static func decode(_ table: String) -> [Color] {
        let bytes = Array(table.utf8)
        precondition(bytes.count == 256 * 6, "internal: colour map table size")
        func digit(_ character: UInt8) -> UInt8 {
            character <= 57 ? character - 48 : character - 87
        }
        return (0..<256).map { entry in
            let start = entry * 6
            func byte(_ index: Int) -> UInt8 { digit(bytes[start + index]) << 4 | digit(bytes[start + index + 1]) }
            return Color(bytes: byte(0), byte(2), byte(4))
        }
    }
}
