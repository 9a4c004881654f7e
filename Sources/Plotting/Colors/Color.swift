/// An sRGB colour with opacity, every component in [0, 1].
public struct Color: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var red: Double
    public var green: Double
    public var blue: Double
    public var alpha: Double

    /// Components are clamped to [0, 1] so that no colour reaching Cairo is out of range.
    public init(red: Double, green: Double, blue: Double, alpha: Double = 1) {
        func clamped(_ value: Double) -> Double { value.isNaN ? 0 : Swift.min(1, Swift.max(0, value)) }
        self.red = clamped(red)
        self.green = clamped(green)
        self.blue = clamped(blue)
        self.alpha = clamped(alpha)
    }

    /// A grey of lightness `white` (0 black, 1 white).
    public init(white: Double, alpha: Double = 1) {
        self.init(red: white, green: white, blue: white, alpha: alpha)
    }

    /// A colour from 8-bit components.
    init(bytes red: UInt8, _ green: UInt8, _ blue: UInt8) {
        self.init(red: Double(red) / 255, green: Double(green) / 255, blue: Double(blue) / 255)
    }

    /// Parses `#rrggbb`, `#rrggbbaa` (hex digits, `#` optional) or a name: `black`, `white`, `grey`/`gray`,
    /// `lightgrey`, and the Okabe–Ito colours `orange`, `skyblue`, `green`, `yellow`, `blue`, `vermillion`, `purple`.
    /// Throws `PlottingError` (`color`) listing the accepted forms for anything else.
    public init(parsing text: String) throws {
        let lowered = text.lowercased()
        if let named = Color.named[lowered] {
            self = named
            return
        }
        let digits = lowered.hasPrefix("#") ? String(lowered.dropFirst()) : lowered
        guard digits.count == 6 || digits.count == 8, let value = UInt32(digits, radix: 16) else {
            throw PlottingError("color", "unknown colour \"\(text)\": use #rrggbb, #rrggbbaa or one of "
                                + Color.named.keys.sorted().joined(separator: ", "))
        }
        let rgba = digits.count == 6 ? value << 8 | 0xff : value
        self.init(red: Double(rgba >> 24 & 0xff) / 255, green: Double(rgba >> 16 & 0xff) / 255,
                  blue: Double(rgba >> 8 & 0xff) / 255, alpha: Double(rgba & 0xff) / 255)
    }

    /// `#rrggbb` (or `#rrggbbaa` when not opaque).
    public var description: String {
        func hex(_ value: Double) -> String {
            let byte = Int((value * 255).rounded())
            return (byte < 16 ? "0" : "") + String(byte, radix: 16)
        }
        return "#" + hex(red) + hex(green) + hex(blue) + (alpha < 1 ? hex(alpha) : "")
    }

    /// This colour with opacity `alpha`.
    public func withAlpha(_ alpha: Double) -> Color {
        Color(red: red, green: green, blue: blue, alpha: alpha)
    }

    /// This colour scaled toward black by `factor` in [0, 1] (used for Lambert shading), opacity kept.
    func shaded(_ factor: Double) -> Color {
        Color(red: red * factor, green: green * factor, blue: blue * factor, alpha: alpha)
    }

    /// Linear blend: `self` at t = 0, `other` at t = 1.
    func mixed(with other: Color, _ t: Double) -> Color {
        Color(red: red + (other.red - red) * t, green: green + (other.green - green) * t,
              blue: blue + (other.blue - blue) * t, alpha: alpha + (other.alpha - alpha) * t)
    }

    public static let black = Color(white: 0)
    public static let white = Color(white: 1)
    /// The grey of below-threshold and missing values in maps.
    public static let lightGrey = Color(white: 0.82)

    /// Okabe & Ito (2008), "Color universal design": eight colours distinguishable under the common colour-vision
    /// deficiencies. `palette` orders them so that the first series get the most saturated ones and yellow (weak on
    /// white) comes last.
    public static let okabeIto: [Color] = [
        Color(bytes: 0x00, 0x72, 0xB2), // blue
        Color(bytes: 0xE6, 0x9F, 0x00), // orange
        Color(bytes: 0x00, 0x9E, 0x73), // bluish green
        Color(bytes: 0xD5, 0x5E, 0x00), // vermillion
        Color(bytes: 0xCC, 0x79, 0xA7), // reddish purple
        Color(bytes: 0x56, 0xB4, 0xE9), // sky blue
        Color(bytes: 0x00, 0x00, 0x00), // black
        Color(bytes: 0xF0, 0xE4, 0x42), // yellow
    ]

    /// The colour of the `index`-th series (cycling through `okabeIto`).
    public static func palette(_ index: Int) -> Color {
        okabeIto[((index % okabeIto.count) + okabeIto.count) % okabeIto.count]
    }

    static let named: [String: Color] = [
        "black": .black, "white": .white, "grey": Color(white: 0.5), "gray": Color(white: 0.5),
        "lightgrey": .lightGrey, "lightgray": .lightGrey,
        "blue": okabeIto[0], "orange": okabeIto[1], "green": okabeIto[2], "vermillion": okabeIto[3],
        "purple": okabeIto[4], "skyblue": okabeIto[5], "yellow": okabeIto[7],
    ]
}
