import Autodiff
import Tensors
import Testing

/// Where a test input's values are drawn from: functions like log, sqrt and division need inputs away from their
/// singular points, and the non-differentiable ones (abs, relu, max, clip) inputs away from their kinks, which random
/// normal values avoid with probability 1.
enum Domain: Sendable {
    case real, positive, awayFromZero
}

/// One function checked against central finite differences.
struct GradientCase: Sendable, CustomTestStringConvertible {
    let name: String
    let shapes: [[Int]]
    let domains: [Domain]
    /// Inputs are strided views (axes reversed in memory) rather than contiguous tensors.
    let nonContiguous: Bool
    let function: @Sendable ([Variable]) throws -> Variable

    init(_ name: String, _ shapes: [[Int]], domains: [Domain]? = nil, nonContiguous: Bool = false,
         _ function: @escaping @Sendable ([Variable]) throws -> Variable) {
        self.name = name
        self.shapes = shapes
        self.domains = domains ?? shapes.map { _ in .real }
        self.nonContiguous = nonContiguous
        self.function = function
    }

    var testDescription: String {
        "\(name) \(shapes.map { formatShape($0) }.joined(separator: " "))\(nonContiguous ? " strided" : "")"
    }

    /// Float64 inputs of `shapes` drawn from `domains`, deterministic in `seed`.
    func inputs(seed: UInt64) throws -> [Tensor] {
        try zip(shapes, domains).enumerated().map { index, pair in
            let (shape, domain) = pair
            // A strided input is the transpose of a contiguous tensor of the reversed shape.
            let storedShape = nonContiguous ? Array(shape.reversed()) : shape
            var values = try Tensor.randomNormal(storedShape, seed: seed &+ UInt64(index) &* 7919)
            switch domain {
            case .real: break
            case .positive: values = try values.abs() + 0.5
            case .awayFromZero:
                values = try values * 0.5 + Tensor.where(values .>= 0, Tensor(scalar: 0.6), Tensor(scalar: -0.6))
            }
            guard nonContiguous else { return values }
            let reversed = try values.permuted(Array((0..<shape.count).reversed()))
            precondition(shape.filter { $0 > 1 }.count < 2 || !reversed.isContiguous, "strided input expected")
            return reversed
        }
    }
}

/// A fixed random weighting of the function's output, so that every output element contributes its own upstream
/// gradient (a plain sum would give every element the same upstream 1 and miss transposition errors).
func weightedLoss(_ output: Variable, weights: Tensor) throws -> Variable {
    try (output * Variable(weights)).sum()
}

/// Checks the reverse-mode gradient of `sum(function(inputs) · weights)` against central differences
/// (step 1e-5 in float64) element by element: |analytic - numeric| ≤ 1e-6 · |numeric| + 1e-8 · max(1, scale),
/// where scale is the largest numeric gradient element of that input.
func checkGradients(_ testCase: GradientCase, seed: UInt64 = 17, sourceLocation: SourceLocation = #_sourceLocation)
    throws {
    let inputs = try testCase.inputs(seed: seed)
    let shape = try testCase.function(inputs.map { Variable($0) }).shape
    let weights = try Tensor.randomNormal(shape, seed: seed &+ 1000)
    let analytic = try gradient(of: { try weightedLoss(testCase.function($0), weights: weights) }, at: inputs)

    func loss(_ points: [Tensor]) throws -> Double {
        let output = try weightedLoss(testCase.function(points.map { Variable($0) }), weights: weights)
        #expect(!output.isRecorded, "no graph may be built when nothing requires a gradient",
                sourceLocation: sourceLocation)
        return try output.value.item()
    }
    let step = 1e-5
    for (inputIndex, input) in inputs.enumerated() {
        #expect(analytic[inputIndex].shape == input.shape, sourceLocation: sourceLocation)
        #expect(analytic[inputIndex].dtype == .float64, sourceLocation: sourceLocation)
        var numeric = [Double]()
        for element in 0..<input.count {
            func shifted(_ amount: Double) throws -> Double {
                var points = inputs
                var perturbed = input.copy()
                perturbed.makeUniqueContiguous()
                perturbed.mutablePointer(Double.self)[element] += amount
                points[inputIndex] = perturbed
                return try loss(points)
            }
            numeric.append((try shifted(step) - shifted(-step)) / (2 * step))
        }
        let computed = analytic[inputIndex].contiguous().scalars(as: Double.self)
        let scale = Swift.max(1, numeric.map { Swift.abs($0) }.max() ?? 0)
        var worst: (element: Int, analytic: Double, numeric: Double)?
        for (element, (a, n)) in zip(computed, numeric).enumerated()
            where !(Swift.abs(a - n) <= 1e-6 * Swift.abs(n) + 1e-8 * scale) {
            worst = worst ?? (element, a, n)
        }
        #expect(worst == nil, "input \(inputIndex): first mismatch \(String(describing: worst))",
                sourceLocation: sourceLocation)
    }
}
