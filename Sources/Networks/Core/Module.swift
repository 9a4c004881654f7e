import Autodiff
import Tensors

/// A trainable tensor owned by a module. A class, so that an optimiser (or a checkpoint loader) can replace the value
/// in place and every module that shares the parameter sees the new one.
public final class Parameter {
    /// The current value.
    public var value: Tensor
    /// How `Module.initializeParameters(seed:)` draws this parameter.
    public let initialization: Initialization

    public init(_ value: Tensor, initialization: Initialization) {
        self.value = value
        self.initialization = initialization
    }
}

/// A network component: named parameters, named buffers (non-trainable state such as BatchNorm's running
/// statistics), named child modules and a training/evaluation flag.
///
/// Names follow PyTorch's `state_dict` convention (child names joined by dots, "blocks.0.attn.qkv.weight"), with the
/// names DINOv2's reference implementation uses, so that checkpoints map onto modules name for name.
public protocol Module: AnyObject {
    /// This module's own parameters (not its children's), in a fixed order.
    var localParameters: [(name: String, parameter: Parameter)] { get }
    /// This module's own buffers, in a fixed order; none by default.
    var localBuffers: [(name: String, parameter: Parameter)] { get }
    /// The direct children, in a fixed order.
    var children: [(name: String, module: any Module)] { get }
    /// True while training (Dropout, DropPath and BatchNorm behave differently), false in evaluation.
    var isTraining: Bool { get set }
}

/// A module mapping one variable to one variable.
public protocol Layer: Module {
    /// The layer applied to `input`; parameters are taken from `pass`, which also supplies randomness and records
    /// activations. Throws a `TensorError` naming the layer and the shapes when `input` does not fit.
    func callAsFunction(_ input: Variable, in pass: ForwardPass) throws -> Variable
}

extension Module {
    public var localParameters: [(name: String, parameter: Parameter)] { [] }
    public var localBuffers: [(name: String, parameter: Parameter)] { [] }
    public var children: [(name: String, module: any Module)] { [] }

    /// Every parameter of this module and its descendants with its full dotted name, depth first in declaration order.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        var result = localParameters
        for (childName, child) in children {
            result += child.namedParameters.map { (childName + "." + $0.name, $0.parameter) }
        }
        return result
    }

    /// Every buffer of this module and its descendants with its full dotted name.
    public var namedBuffers: [(name: String, parameter: Parameter)] {
        var result = localBuffers
        for (childName, child) in children {
            result += child.namedBuffers.map { (childName + "." + $0.name, $0.parameter) }
        }
        return result
    }

    /// The flat ordered state: parameters then buffers, name → tensor (PyTorch's `state_dict`).
    public var state: [(name: String, value: Tensor)] {
        (namedParameters + namedBuffers).map { ($0.name, $0.parameter.value) }
    }

    /// The total number of trainable scalars.
    public var parameterCount: Int { namedParameters.reduce(0) { $0 + $1.parameter.value.count } }

    /// Sets the training flag of this module and every descendant (PyTorch's `train()`/`eval()`).
    public func setTraining(_ training: Bool) {
        isTraining = training
        for (_, child) in children { child.setTraining(training) }
    }

    /// Converts every parameter and buffer to `dtype` (float32 or float64). Throws `dtype` for other types.
    public func convert(to dtype: DType) throws {
        guard dtype.isFloatingPoint else {
            throw TensorError(.dtype, "Module.convert", "parameters must be float32 or float64, got \(dtype)")
        }
        for (_, parameter) in namedParameters + namedBuffers { parameter.value = parameter.value.astype(dtype) }
    }

    /// Redraws every parameter from its `Initialization`. Each parameter's draw is seeded by `seed` and its full
    /// name, so the result depends on neither construction order nor the other parameters.
    public func initializeParameters(seed: UInt64) throws {
        for (name, parameter) in namedParameters {
            let value = try parameter.initialization.draw(parameter.value.shape,
                                                          seed: Seeds.mix(seed, Seeds.hash(name)))
            parameter.value = value.astype(parameter.value.dtype)
        }
    }

    /// Replaces parameters and buffers by the tensors of `state` with the same names (a checkpoint).
    /// Throws `invalidArgument` listing every unexpected and every missing name (and any shape mismatch with them),
    /// or `shapeMismatch` listing every tensor whose shape differs, with both shapes; nothing changes unless every
    /// tensor fits. Tensors keep the dtype of the parameter they replace.
    public func load(_ state: [String: Tensor]) throws {
        let own = namedParameters + namedBuffers
        let known = Set(own.map(\.name))
        let unexpected = state.keys.sorted().filter { !known.contains($0) }
        let missing = own.map(\.name).filter { state[$0] == nil }
        let misshapen = own.compactMap { name, parameter -> String? in
            guard let tensor = state[name], tensor.shape != parameter.value.shape else { return nil }
            return "\"\(name)\" has shape \(formatShape(tensor.shape)), expected \(formatShape(parameter.value.shape))"
        }
        func names(_ kind: String, _ list: [String]) -> String? {
            guard !list.isEmpty else { return nil }
            let shown = list.prefix(20).map { "\"\($0)\"" }.joined(separator: ", ")
            return "\(kind) tensor\(list.count > 1 ? "s" : "") \(shown)"
                + (list.count > 20 ? " and \(list.count - 20) more" : "")
        }
        let problems = [names("unexpected", unexpected), names("missing", missing)].compactMap { $0 }
            + misshapen.prefix(20) + (misshapen.count > 20 ? ["\(misshapen.count - 20) more shapes differ"] : [])
        if !problems.isEmpty {
            throw TensorError(unexpected.isEmpty && missing.isEmpty ? .shapeMismatch : .invalidArgument,
                              "Module.load", problems.joined(separator: "; "))
        }
        for (name, parameter) in own { parameter.value = state[name]!.astype(parameter.value.dtype) }
    }
}

/// Deterministic seed arithmetic: a stable (process-independent) hash of names and SplitMix64 mixing.
enum Seeds {
    /// FNV-1a over the UTF-8 bytes (Swift's `hashValue` changes between runs, so it cannot seed anything).
    static func hash(_ text: String) -> UInt64 {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { value = (value ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return value
    }

    /// SplitMix64 finaliser of `a` combined with `b`.
    static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var z = a &+ 0x9e37_79b9_7f4a_7c15 &* (b | 1) ^ b
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
