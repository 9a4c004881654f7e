import Autodiff
import Foundation
import Tensors
import Testing

/// Graph construction, the backward sweep's order and seeds, conventions at non-differentiable points, and errors.
@Suite("Graph")
struct GraphTests {
    @Test func nothingIsRecordedWithoutGradients() throws {
        let a = Variable(try Tensor.randomNormal([3, 4], seed: 1))
        let b = Variable(try Tensor.randomNormal([4, 2], seed: 2), requiresGradient: false)
        let results = [
            try Variable.matmul(a, b), try (a * a).sum(axes: [0]), try a.softmax(), try a.get([.index(0)]),
            try Variable.concatenate([a, a]), try a.layerNormalized().gelu(),
        ] + (try a.split(sections: 2, axis: 1))
        for result in results {
            #expect(!result.isRecorded)
            #expect(!result.requiresGradient)
        }
        // One input that requires a gradient is enough to record.
        let tracked = Variable(try Tensor.randomNormal([3, 4], seed: 3), requiresGradient: true)
        let mixed = try a * tracked
        #expect(mixed.isRecorded && mixed.requiresGradient && mixed.operationName == "multiply")
        #expect(!tracked.isRecorded)
        #expect(!mixed.detached().isRecorded)
    }

    /// The gradient with respect to each layer's output becomes available from the last layer back to the first,
    /// both in `completionOrder` and in the order `observe` is called.
    @Test func intermediateGradientsArriveInReverseLayerOrder() throws {
        var activation = Variable(try Tensor.randomNormal([2, 4], seed: 10))
        var layerOutputs: [Variable] = []
        var weights: [Variable] = []
        for layer in 0..<4 {
            let weight = Variable(try Tensor.randomNormal([4, 4], seed: UInt64(20 + layer)) * 0.5,
                                  requiresGradient: true)
            weights.append(weight)
            activation = try Variable.matmul(activation, weight).tanh()
            layerOutputs.append(activation)
        }
        let loss = try activation.square().sum()
        // Request them in a scrambled order: the completion order must not depend on it.
        let requested = [layerOutputs[1], layerOutputs[3], layerOutputs[0], layerOutputs[2]]
        var observed: [Int] = []
        let pass = try Variable.backward(of: loss, with: requested) { index, gradient in
            observed.append(index)
            #expect(gradient.shape == [2, 4])
        }
        #expect(pass.completionOrder == [1, 3, 0, 2])
        #expect(observed == [1, 3, 0, 2])

        // The last layer's output gradient is 2·output, exactly.
        let expected = try activation.value * 2
        #expect(Tensor.allClose(pass.gradients[1], expected, relativeTolerance: 0, absoluteTolerance: 0))
        // Gradients w.r.t. an intermediate and w.r.t. the weights agree with the chain rule through that layer:
        // dL/dW3 = h2ᵀ · (dL/dh3 ⊙ (1 - h3²)).
        let weightGradients = try Variable.gradients(of: loss, with: weights)
        let local = try pass.gradients[1] * (1 - layerOutputs[3].value * layerOutputs[3].value)
        let chained = try Tensor.matmul(layerOutputs[2].value.transposed(), local)
        #expect(Tensor.allClose(weightGradients[3], chained, relativeTolerance: 1e-12, absoluteTolerance: 1e-14))
    }

    /// A fixed network (nothing requires a gradient) records only from the first layer output that asks for one.
    @Test func gradientsWithRespectToLayerOutputsOfAFixedNetwork() throws {
        let input = Variable(try Tensor.randomNormal([3, 4], seed: 30))
        let weights = try (0..<3).map { Variable(try Tensor.randomNormal([4, 4], seed: UInt64(31 + $0))) }
        let first = try Variable.matmul(input, weights[0]).tanh().requiringGradient()
        let second = try Variable.matmul(first, weights[1]).tanh().requiringGradient()
        #expect(!first.isRecorded && second.requiresGradient && second.requiringGradient() === second)
        let logits = try Variable.matmul(second, weights[2])
        let loss = try Losses.crossEntropy(logits: logits, labels: Tensor([0, 3, 1] as [Int64]))
        let pass = try Variable.backward(of: loss, with: [first, second, weights[0]])
        #expect(pass.completionOrder == [1, 0])
        #expect(pass.gradients[2].scalars(as: Double.self).allSatisfy { $0 == 0 })
        // dL/dsecond = softmax-minus-onehot / batch, through the last (linear) layer.
        let probabilities = try logits.value.softmax(axis: -1)
        let oneHot = try Tensor([[1.0, 0, 0, 0], [0, 0, 0, 1], [0, 1, 0, 0]])
        let expected = try Tensor.matmul((probabilities - oneHot) / 3.0, weights[2].value.transposed())
        #expect(Tensor.allClose(pass.gradients[1], expected, relativeTolerance: 1e-12, absoluteTolerance: 1e-15))
    }

    @Test func seedsAndUnreachedVariables() throws {
        let x = Variable(Tensor([1.0, 2.0, 3.0]), requiresGradient: true)
        let unrelated = Variable(try Tensor([[5.0, 6.0]]), requiresGradient: true)
        let constant = Variable(Tensor([7.0]))
        let y = try x * x
        let pass = try Variable.backward(of: y, with: [x, unrelated, constant], seed: Tensor([1.0, 0.5, -1.0]))
        #expect(pass.gradients[0].scalars(as: Double.self) == [2, 2, -6])
        #expect(pass.gradients[1].scalars(as: Double.self) == [0, 0])
        #expect(pass.gradients[1].shape == [1, 2])
        #expect(pass.gradients[2].scalars(as: Double.self) == [0])
        #expect(pass.completionOrder == [0])
        // The same graph can be differentiated again.
        let again = try Variable.gradients(of: y.sum(), with: [x])
        #expect(again[0].scalars(as: Double.self) == [2, 4, 6])
    }

    @Test func valueAndGradientOfAFunction() throws {
        let result = try valueAndGradient(of: { try ($0[0] * $0[1]).sum() },
                                          at: [Tensor([1.0, 2.0]), Tensor([3.0, 4.0])])
        #expect(try result.value.item() == 11)
        #expect(result.gradients[0].scalars(as: Double.self) == [3, 4])
        #expect(result.gradients[1].scalars(as: Double.self) == [1, 2])
        let single = try gradient(of: { try $0.pow(3).sum() }, at: Tensor([2.0, -1.0]))
        #expect(single.scalars(as: Double.self) == [12, 3])
    }

    /// A variable used several times accumulates every path's gradient; index arrays repeating a position add up.
    @Test func gradientsAccumulate() throws {
        let x = Tensor([1.0, 2.0, 3.0, 4.0])
        let repeated = try gradient(of: { try $0.get([.array(Tensor([0, 2, 0, 0, -1] as [Int64]))]).sum() }, at: x)
        #expect(repeated.scalars(as: Double.self) == [3, 0, 1, 1])
        let reused = try gradient(of: { try ($0 * $0 + $0 * 3).sum() }, at: x)
        #expect(reused.scalars(as: Double.self) == [5, 7, 9, 11])
        // An integer leaf gets a float64 gradient.
        let integer = try gradient(of: { try ($0 * 2.5).sum() }, at: Tensor([1, 2] as [Int64]))
        #expect(integer.dtype == .float64 && integer.scalars(as: Double.self) == [2.5, 2.5])
    }

    /// Conventions at points where the derivative does not exist (documented in Derivatives.swift).
    @Test func nonDifferentiablePoints() throws {
        let ties = try gradient(of: { try $0.max(axes: [1]).sum() }, at: Tensor([[1.0, 3.0, 3.0], [2.0, 0.0, 1.0]]))
        #expect(ties.scalars(as: Double.self) == [0, 0.5, 0.5, 1, 0, 0])
        let allEqual = try gradient(of: { try $0.max() }, at: Tensor([2.0, 2.0, 2.0, 2.0]))
        #expect(allEqual.scalars(as: Double.self) == [0.25, 0.25, 0.25, 0.25])
        let maximum = try gradient(of: { try Variable.maximum($0[0], $0[1]).sum() },
                                   at: [Tensor([1.0, 2.0, 3.0]), Tensor([1.0, 5.0, 0.0])])
        #expect(maximum[0].scalars(as: Double.self) == [0.5, 0, 1])
        #expect(maximum[1].scalars(as: Double.self) == [0.5, 1, 0])
        let relu = try gradient(of: { try $0.relu().sum() }, at: Tensor([-1.0, 0.0, 2.0]))
        #expect(relu.scalars(as: Double.self) == [0, 0, 1])
        let absolute = try gradient(of: { try $0.abs().sum() }, at: Tensor([-1.0, 0.0, 2.0]))
        #expect(absolute.scalars(as: Double.self) == [-1, 0, 1])
        let clip = try gradient(of: { try $0.clipped(min: 0, max: 1).sum() }, at: Tensor([-1.0, 0.0, 0.5, 1.0, 2.0]))
        #expect(clip.scalars(as: Double.self) == [0, 1, 1, 1, 0])
        let power = try gradient(of: { try Variable(Tensor([0.0, 2.0])).pow($0).sum() }, at: Tensor([2.0, 3.0]))
        #expect(power.scalars(as: Double.self)[0] == 0)
        #expect(Swift.abs(power.scalars(as: Double.self)[1] - 8 * Foundation.log(2.0)) < 1e-12)
    }

    @Test func logsumexpIsStable() throws {
        let large = Tensor([1000.0, 1000.0])
        let value = try Variable(large).logsumexp()
        #expect(Swift.abs(try value.value.item() - (1000 + Foundation.log(2.0))) < 1e-9)
        #expect(try gradient(of: { try $0.logsumexp() }, at: large).scalars(as: Double.self) == [0.5, 0.5])
        let negative = try Variable(Tensor([-Double.infinity, -Double.infinity])).logsumexp()
        #expect(try negative.value.item() == -Double.infinity)
        let softmax = try Variable(Tensor([1000.0, 0.0])).softmax().value.scalars(as: Double.self)
        #expect(softmax == [1, 0])
    }

    static let errors: [(String, @Sendable () throws -> Void)] = [
        ("gradient: output of shape [3] is not a scalar: pass a seed of that shape", {
            let x = Variable(Tensor([1.0, 2.0, 3.0]), requiresGradient: true)
            _ = try Variable.gradients(of: x.exp(), with: [x])
        }),
        ("gradient: seed of shape [2] for an output of shape [3]", {
            let x = Variable(Tensor([1.0, 2.0, 3.0]), requiresGradient: true)
            _ = try Variable.gradients(of: x.exp(), with: [x], seed: Tensor([1.0, 2.0]))
        }),
        ("gradient: cannot differentiate an output of dtype int64", {
            let x = Variable(Tensor([1, 2] as [Int64]), requiresGradient: true)
            _ = try Variable.gradients(of: x.sum(), with: [x])
        }),
        ("cross_entropy: labels must be int64 class indices, got float64", {
            _ = try Losses.crossEntropy(logits: Variable(Tensor([[1.0, 2.0]])), labels: Tensor([0.0]))
        }),
        ("cross_entropy: labels of shape [3] for logits of shape [2, 4]: expected [2]", {
            _ = try Losses.crossEntropy(logits: Variable(Tensor.zeros([2, 4])), labels: Tensor([0, 1, 2] as [Int64]))
        }),
        ("cross_entropy: label 4 is out of range for 4 classes", {
            _ = try Losses.crossEntropy(logits: Variable(Tensor.zeros([2, 4])), labels: Tensor([0, 4] as [Int64]))
        }),
        ("cross_entropy: logits must have a class axis, got shape []", {
            _ = try Losses.crossEntropy(logits: Variable(Tensor(scalar: 1.0)), labels: Tensor(scalar: Int64(0)))
        }),
        ("cross_entropy: targets of shape [2, 3] for logits of shape [2, 4]", {
            _ = try Losses.crossEntropy(logits: Variable(Tensor.zeros([2, 4])), targets: Variable(Tensor.zeros([2, 3])))
        }),
        ("matmul: [3, 4] @ [5, 2]: inner dimensions 4 and 5 differ", {
            _ = try Variable.matmul(Variable(Tensor.zeros([3, 4]), requiresGradient: true),
                                    Variable(Tensor.zeros([5, 2])))
        }),
        ("add: shapes [2] and [3] cannot be broadcast together", {
            _ = try Variable(Tensor.zeros([2]), requiresGradient: true) + Variable(Tensor.zeros([3]))
        }),
        ("index: index 3 is out of bounds for axis 0 with size 3", {
            _ = try Variable(Tensor.zeros([3]), requiresGradient: true).get([.index(3)])
        }),
        ("sum: axis 2 is out of range for a tensor of rank 2", {
            _ = try Variable(Tensor.zeros([3, 1]), requiresGradient: true).sum(axes: [2])
        }),
        ("take: indices must be int64, got float64", {
            _ = try Variable(Tensor.zeros([2]), requiresGradient: true).take(Tensor([0.0]))
        }),
        ("concatenate: needs at least one tensor", { _ = try Variable.concatenate([]) }),
        ("stack: needs at least one tensor", { _ = try Variable.stack([]) }),
        ("concatenate: 0-d tensors cannot be concatenated, got shapes [], []", {
            let x = Variable(Tensor(scalar: 1.0), requiresGradient: true)
            _ = try Variable.concatenate([x, x])
        }),
        ("clip: give a minimum, a maximum or both", {
            _ = try Variable(Tensor.zeros([2]), requiresGradient: true).clipped()
        }),
        ("split: axis 0 of length 5 in a tensor of shape [5] does not divide into 2 equal sections", {
            _ = try Variable(Tensor.zeros([5]), requiresGradient: true).split(sections: 2)
        }),
    ]

    @Test(arguments: errors.indices)
    func errorMessages(_ index: Int) {
        let (message, action) = Self.errors[index]
        #expect { try action() } throws: { error in "\(error)" == message }
    }
}
