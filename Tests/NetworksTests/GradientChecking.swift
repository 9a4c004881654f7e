import Autodiff
import Networks
import Tensors
import Testing

/// One module checked against central finite differences in float64: `forward` maps the input (nil when the module
/// takes none that is differentiable) to an output, inside a forward pass.
struct LayerCase: Sendable, CustomTestStringConvertible {
    let name: String
    let inputShape: [Int]?
    let make: @Sendable () throws -> any Module
    let forward: @Sendable (any Module, Variable?, ForwardPass) throws -> Variable

    init(_ name: String, input: [Int]?, make: @escaping @Sendable () throws -> any Module,
         forward: @escaping @Sendable (any Module, Variable?, ForwardPass) throws -> Variable) {
        (self.name, inputShape, self.make, self.forward) = (name, input, make, forward)
    }

    /// A case for a `Layer` applied to its single input.
    static func layer(_ name: String, input: [Int], training: Bool = true,
                      _ make: @escaping @Sendable () throws -> any Layer) -> LayerCase {
        LayerCase(name, input: input, make: {
            let layer = try make()
            layer.setTraining(training)
            return layer
        }, forward: { module, input, pass in try (module as! any Layer)(input!, in: pass) })
    }

    var testDescription: String { name }
}

/// Replaces element `index` of `tensor` (float64) by `value`.
func replacing(_ tensor: Tensor, at index: Int, with value: Double) throws -> Tensor {
    var scalars = tensor.contiguous().scalars(as: Double.self)
    scalars[index] = value
    return try Tensor(shape: tensor.shape, scalars: scalars)
}

/// Checks the gradients of sum(output · weights) with respect to the input and every parameter against central
/// differences (step 1e-5): |analytic - numeric| ≤ 1e-6·|numeric| + 1e-7·max(1, largest numeric element).
/// Every pass uses the same seed, so Dropout and DropPath draw the same masks each time. Returns the number of
/// scalars checked.
@discardableResult
func checkGradients(_ testCase: LayerCase, seed: UInt64 = 5) throws -> Int {
    let module = try testCase.make()
    try module.convert(to: .float64)
    var input = try testCase.inputShape.map { try Tensor.randomNormal($0, seed: seed) }
    let parameters = module.namedParameters

    func output(_ input: Tensor?, pass: ForwardPass, requiresGradient: Bool = false) throws -> (Variable?, Variable) {
        let variable = input.map { Variable($0, requiresGradient: requiresGradient) }
        return (variable, try testCase.forward(module, variable, pass))
    }
    let shape = try output(input, pass: ForwardPass(seed: seed)).1.shape
    let weights = Variable(try Tensor.randomNormal(shape, seed: seed &+ 99))

    let pass = ForwardPass(recordsGradients: true, seed: seed)
    let (inputVariable, result) = try output(input, pass: pass, requiresGradient: true)
    let loss = try (result * weights).sum()
    let targets = (inputVariable.map { [$0] } ?? []) + parameters.map { pass.variable(for: $0.parameter) }
    let analytic = try Variable.gradients(of: loss, with: targets)

    func numericLoss() throws -> Double {
        let (_, value) = try output(input, pass: ForwardPass(seed: seed))
        #expect(!value.isRecorded)
        return try (value * weights).sum().value.item()
    }
    func numericGradient(get: () -> Tensor, set: (Tensor) -> Void) throws -> Tensor {
        let original = get()
        var gradient = [Double](repeating: 0, count: original.count)
        let scalars = original.contiguous().scalars(as: Double.self)
        let step = 1e-5
        for index in scalars.indices {
            set(try replacing(original, at: index, with: scalars[index] + step))
            let above = try numericLoss()
            set(try replacing(original, at: index, with: scalars[index] - step))
            let below = try numericLoss()
            gradient[index] = (above - below) / (2 * step)
        }
        set(original)
        return try Tensor(shape: original.shape, scalars: gradient)
    }
    var numeric: [(String, Tensor)] = []
    if input != nil {
        numeric.append(("input", try numericGradient(get: { input! }, set: { input = $0 })))
    }
    for (name, parameter) in parameters {
        numeric.append((name, try numericGradient(get: { parameter.value }, set: { parameter.value = $0 })))
    }
    var checked = 0
    for ((name, expected), actual) in zip(numeric, analytic) {
        #expect(actual.shape == expected.shape, "\(testCase.name) \(name)")
        let scale = Swift.max(1, expected.scalars(as: Double.self).map(Swift.abs).max() ?? 0)
        let worst = zip(actual.contiguous().scalars(as: Double.self), expected.scalars(as: Double.self))
            .map { Swift.abs($0 - $1) - 1e-6 * Swift.abs($1) }.max() ?? 0
        #expect(worst <= 1e-7 * scale, "\(testCase.name): gradient of \(name) differs by \(worst)")
        checked += expected.count
    }
    // A gradient check that checks nothing cannot fail.
    #expect(checked > 0)
    #expect(analytic.contains { $0.scalars(as: Double.self).contains { $0 != 0 } }, "\(testCase.name): all zero")
    return checked
}
