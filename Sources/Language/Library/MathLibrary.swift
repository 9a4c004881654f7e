#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Math on numbers: `abs sqrt exp log floor ceil round`, trigonometry, and the constants `pi`, `inf`, `nan`.
extension Interpreter {
    func installMathLibrary() {
        let unary: [(String, String, (Double) -> Double)] = [
            ("abs", "Absolute value |x|.", { Swift.abs($0) }),
            ("sqrt", "Square root √x (nan for x < 0).", { $0.squareRoot() }),
            ("exp", "e raised to x.", { exp($0) }),
            ("floor", "Largest whole number ≤ x.", { $0.rounded(.down) }),
            ("ceil", "Smallest whole number ≥ x.", { $0.rounded(.up) }),
            ("sin", "Sine of x (radians).", { sin($0) }),
            ("cos", "Cosine of x (radians).", { cos($0) }),
            ("tan", "Tangent of x (radians).", { tan($0) }),
            ("tanh", "Hyperbolic tangent of x.", { tanh($0) }),
        ]
        for (name, documentation, function) in unary {
            define(name, signature: "\(name)(x)", documentation: documentation) { arguments in
                .number(function(try arguments.number(0, "x")))
            }
        }
        define("isnan", signature: "isnan(x)", documentation: "True when x is nan (nan == nan is false).") { arguments in
            .bool(try arguments.number(0, "x").isNaN)
        }
        define("log", signature: "log(x, base=nil)", documentation: "Natural logarithm of x, or the logarithm in `base`.") { arguments in
            let x = try arguments.number(0, "x")
            if let base = try arguments.optionalNumber(1, "base") { return .number(log(x) / log(base)) }
            return .number(log(x))
        }
        define("round", signature: "round(x, digits=0)",
               documentation: "x rounded to `digits` decimals, halves to even like Python (round(2.5) == 2).") { arguments in
            let x = try arguments.number(0, "x")
            let digits = try arguments.optionalInteger(1, "digits") ?? 0
            guard digits != 0 else { return .number(x.rounded(.toNearestOrEven)) }
            // Round the exact decimal value of x (as Python does): printf's conversion is exact.
            if digits > 0, digits <= 30, x.isFinite { return .number(Double(cFormat("%.\(digits)f", x)) ?? x) }
            let scale = pow(10, Double(digits))
            return .number((x * scale).rounded(.toNearestOrEven) / scale)
        }
        define("atan2", signature: "atan2(y, x)", documentation: "The angle of the point (x, y) in radians, in (-π, π].") { arguments in
            .number(atan2(try arguments.number(0, "y"), try arguments.number(1, "x")))
        }
        setGlobal("pi", .number(Double.pi))
        setGlobal("inf", .number(Double.infinity))
        setGlobal("nan", .number(Double.nan))
    }
}
