import Autodiff
import Tensors

// The CNN and the MLP are readable as they are: their layers are feature maps `[n, c, h, w]` (read as spatial
// means) and features `[n, d]` (read as they are), the default layouts. Their forward passes record each layer but
// continue with their own value rather than `record`'s result, so a hook there can read a layer but its
// replacement does not reach the layers after it (the ViT's does); the gradient readout does not depend on it.

extension ResNet: ReadableModel {
    /// "conv1", "maxpool" (ImageNet stem), "layer1" … "layerS", "pool", "fc" (with a classifier).
    public var layerNames: [String] { activationNames }

    /// `self(images, in: pass)`: logits `[n, classes]`, or pooled features `[n, features]` without a classifier.
    public func forward(_ images: Variable, in pass: ForwardPass) throws -> Variable {
        try self(images, in: pass)
    }
}

extension MultilayerPerceptron: ReadableModel {
    /// "fc1" … "fcK" (hidden layers after their activation), "head" (with a classifier).
    public var layerNames: [String] { activationNames }

    /// `self(input, in: pass)`: `[n, outputs]`.
    public func forward(_ images: Variable, in pass: ForwardPass) throws -> Variable {
        try self(images, in: pass)
    }
}
