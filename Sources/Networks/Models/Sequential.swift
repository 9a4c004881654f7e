import Autodiff
import Tensors

/// Layers applied in order (PyTorch's `nn.Sequential`): y = layerₖ(… layer₂(layer₁(x))).
///
/// Child names are "0", "1", … (PyTorch's numbering, so a `Sequential`'s parameters are "0.weight", "2.bias", …) or
/// the names given to `init(named:)` (PyTorch's `nn.Sequential(OrderedDict(...))`). When `recordsOutputs` is true,
/// each layer's output is recorded in the forward pass under its child name, so that every layer can be read.
public final class Sequential: Layer {
    /// The layers with their names, in application order.
    public let namedLayers: [(name: String, layer: any Layer)]
    /// Whether each layer's output is recorded under its name (false for a Sequential used inside another model,
    /// whose records would clash with the model's own names).
    public let recordsOutputs: Bool
    public var isTraining = true

    /// The layers, in application order.
    public var layers: [any Layer] { namedLayers.map(\.layer) }

    /// Layers named "0", "1", … in order.
    public init(_ layers: [any Layer], recordsOutputs: Bool = true) {
        namedLayers = layers.enumerated().map { (String($0.offset), $0.element) }
        self.recordsOutputs = recordsOutputs
    }

    /// Layers with the given names. Throws `invalidArgument` for an empty, repeated or dotted name (a dot would make
    /// parameter names ambiguous).
    public init(named layers: [(name: String, layer: any Layer)], recordsOutputs: Bool = true) throws {
        var seen = Set<String>()
        for (name, _) in layers {
            guard !name.isEmpty, !name.contains(".") else {
                throw TensorError(.invalidArgument, "Sequential", "layer name \"\(name)\" must be non-empty and "
                                  + "contain no dot")
            }
            guard seen.insert(name).inserted else {
                throw TensorError(.invalidArgument, "Sequential", "layer name \"\(name)\" is used twice")
            }
        }
        namedLayers = layers
        self.recordsOutputs = recordsOutputs
    }

    public var children: [(name: String, module: any Module)] { namedLayers.map { ($0.name, $0.layer as any Module) } }

    /// The layers applied in order to `input` (any shape the first layer accepts); an empty Sequential is the
    /// identity. Throws what a layer throws (same kind), prefixed by the failing layer's position and name:
    /// "Sequential: layer 2: Linear: input of shape …", or "layer 2 (\"fc\")" for a named layer.
    public func callAsFunction(_ input: Variable, in pass: ForwardPass) throws -> Variable {
        var value = input
        for (index, (name, layer)) in namedLayers.enumerated() {
            do {
                value = try layer(value, in: pass)
            } catch let error as TensorError {
                let label = name == String(index) ? "layer \(index)" : "layer \(index) (\"\(name)\")"
                throw TensorError(error.kind, "Sequential", "\(label): \(error.description)")
            }
            if recordsOutputs { value = pass.record(name, value) }
        }
        return value
    }
}
