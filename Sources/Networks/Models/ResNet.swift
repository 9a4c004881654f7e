import Autodiff
import Tensors

/// torchvision's `BasicBlock`: y = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)), both convolutions 3×3 with
/// padding 1 and no bias, the first with stride `stride`. The shortcut is the identity, or `downsample` — a 1×1
/// convolution with stride `stride` and a BatchNorm (torchvision's projection, "downsample.0", "downsample.1") —
/// when the stride is not 1 or the width changes.
public final class BasicBlock: Layer {
    public let conv1: Conv2d
    public let bn1: BatchNorm
    public let conv2: Conv2d
    public let bn2: BatchNorm
    /// The projection shortcut, or nil for the identity.
    public let downsample: Sequential?
    public var isTraining = true

    /// Throws `invalidArgument` for non-positive sizes.
    public init(channels: Int, outputs: Int, stride: Int = 1, dtype: DType = .float32) throws {
        conv1 = try ResNet.convolution(channels, outputs, kernel: 3, stride: stride, dtype: dtype)
        bn1 = try BatchNorm(features: outputs, dtype: dtype)
        conv2 = try ResNet.convolution(outputs, outputs, kernel: 3, stride: 1, dtype: dtype)
        bn2 = try BatchNorm(features: outputs, dtype: dtype)
        downsample = stride != 1 || channels != outputs
            ? Sequential([try ResNet.convolution(channels, outputs, kernel: 1, stride: stride, dtype: dtype),
                          try BatchNorm(features: outputs, dtype: dtype)], recordsOutputs: false)
            : nil
    }

    public var children: [(name: String, module: any Module)] {
        [("conv1", conv1), ("bn1", bn1), ("conv2", conv2), ("bn2", bn2)]
            + (downsample.map { [("downsample", $0 as any Module)] } ?? [])
    }

    /// `[n, channels, h, w]` → `[n, outputs, ⌈h/stride⌉, ⌈w/stride⌉]`. Throws `shapeMismatch` for another channel
    /// count or rank.
    public func callAsFunction(_ input: Variable, in pass: ForwardPass) throws -> Variable {
        let inner = try bn1(conv1(input, in: pass), in: pass).relu()
        let residual = try bn2(conv2(inner, in: pass), in: pass)
        let shortcut = try downsample.map { try $0(input, in: pass) } ?? input
        return try (residual + shortcut).relu()
    }
}

/// A ResNet with basic blocks (He et al. 2016; torchvision's `ResNet` with `BasicBlock`): a stem, stages of basic
/// blocks — stage s has `blocksPerStage[s]` blocks of width `stageWidths[s]`, the first block of every stage after
/// the first with stride 2 (a 1×1 projection shortcut) —, a global average pool and an optional linear classifier.
///
/// Stems: `.imageNet` is torchvision's conv 7×7 stride 2 padding 3, BatchNorm, ReLU, max pool 3×3 stride 2
/// padding 1; `.small` (for 32×32 images, as CIFAR ResNets) is conv 3×3 stride 1 padding 1, BatchNorm, ReLU.
/// Images are `[n, channels, height, width]`, any size.
///
/// Parameter and buffer names are torchvision's: "conv1.weight", "bn1.running_mean", "layer1.0.conv1.weight",
/// "layer2.0.downsample.0.weight", "fc.bias", … (torchvision's `num_batches_tracked` buffers are not kept:
/// `stateFromTorchvision` drops them). Initialisation is torchvision's: convolutions Kaiming normal with fan-out
/// (std √(2 / (outputs·k²))), BatchNorm weight 1 and bias 0, running mean 0 and variance 1, the classifier's weight
/// uniform ±1/√fanIn (its bias starts at 0; torchvision draws it uniformly too).
public final class ResNet: Layer {
    /// The first layers, before the stages.
    public enum Stem: Sendable, Equatable { case imageNet, small }

    public let channels: Int
    public let stem: Stem
    public let stageWidths: [Int]
    public let blocksPerStage: [Int]
    public let conv1: Conv2d
    public let bn1: BatchNorm
    /// `stages[s][b]` is "layer\(s + 1).\(b)".
    public let stages: [[BasicBlock]]
    /// The classifier "fc", or nil for a feature extractor ending at the pool.
    public let fc: Linear?
    public var isTraining = true

    /// The width of the pooled features (the last stage's width).
    public var features: Int { stageWidths.last! }

    /// - `stemWidth`: the stem's output width (torchvision: 64 = the first stage's width), `stageWidths[0]` if nil.
    /// - `classes`: the classifier's outputs, or nil for none (the output is then the pooled `[n, features]`).
    /// - Throws `invalidArgument` when the stage lists are empty or of different lengths, or a size is not positive.
    public init(channels: Int = 3, stem: Stem = .imageNet, stemWidth: Int? = nil, stageWidths: [Int],
                blocksPerStage: [Int], classes: Int? = 1000, dtype: DType = .float32, seed: UInt64 = 0) throws {
        let stemWidth = stemWidth ?? stageWidths.first ?? 0
        guard !stageWidths.isEmpty, stageWidths.count == blocksPerStage.count, channels > 0, stemWidth > 0,
              stageWidths.allSatisfy({ $0 > 0 }), blocksPerStage.allSatisfy({ $0 > 0 }), (classes ?? 1) > 0 else {
            throw TensorError(.invalidArgument, "ResNet", "stage widths \(stageWidths) and blocks per stage "
                              + "\(blocksPerStage) must be non-empty lists of positive sizes of equal length; "
                              + "channels \(channels), stem width \(stemWidth) and classes \(classes ?? 1) positive")
        }
        (self.channels, self.stem, self.stageWidths, self.blocksPerStage) =
            (channels, stem, stageWidths, blocksPerStage)
        switch stem {
        case .imageNet: conv1 = try Self.convolution(channels, stemWidth, kernel: 7, stride: 2, dtype: dtype)
        case .small: conv1 = try Self.convolution(channels, stemWidth, kernel: 3, stride: 1, dtype: dtype)
        }
        bn1 = try BatchNorm(features: stemWidth, dtype: dtype)
        var width = stemWidth
        stages = try zip(stageWidths, blocksPerStage).enumerated().map { stage, shape in
            try (0..<shape.1).map { block in
                defer { width = shape.0 }
                return try BasicBlock(channels: width, outputs: shape.0, stride: stage > 0 && block == 0 ? 2 : 1,
                                      dtype: dtype)
            }
        }
        let last = stageWidths.last!
        fc = try classes.map {
            try Linear(inputs: last, outputs: $0,
                       weightInitialization: .uniform(bound: 1 / Double(last).squareRoot()), dtype: dtype)
        }
        try initializeParameters(seed: seed)
    }

    /// torchvision's ResNet-18: ImageNet stem, widths 64, 128, 256, 512, two blocks per stage (11.7 M parameters
    /// with 1000 classes).
    public static func resnet18(classes: Int? = 1000, channels: Int = 3, dtype: DType = .float32,
                                seed: UInt64 = 0) throws -> ResNet {
        try ResNet(channels: channels, stageWidths: [64, 128, 256, 512], blocksPerStage: [2, 2, 2, 2],
                   classes: classes, dtype: dtype, seed: seed)
    }

    /// torchvision's ResNet-34: as ResNet-18 with 3, 4, 6, 3 blocks per stage.
    public static func resnet34(classes: Int? = 1000, channels: Int = 3, dtype: DType = .float32,
                                seed: UInt64 = 0) throws -> ResNet {
        try ResNet(channels: channels, stageWidths: [64, 128, 256, 512], blocksPerStage: [3, 4, 6, 3],
                   classes: classes, dtype: dtype, seed: seed)
    }

    /// A ResNet for small (32×32) images: the small stem, widths 16, 32, 64 and `blocks` blocks per stage
    /// (`blocks` = 3 is the layout of He et al.'s CIFAR ResNet-20, with projection shortcuts).
    public static func small(classes: Int? = 10, blocks: Int = 3, channels: Int = 3, dtype: DType = .float32,
                             seed: UInt64 = 0) throws -> ResNet {
        try ResNet(channels: channels, stem: .small, stageWidths: [16, 32, 64],
                   blocksPerStage: [blocks, blocks, blocks], classes: classes, dtype: dtype, seed: seed)
    }

    public var children: [(name: String, module: any Module)] {
        var result: [(name: String, module: any Module)] = [("conv1", conv1), ("bn1", bn1)]
        for (stage, blocks) in stages.enumerated() {
            result += blocks.enumerated().map { ("layer\(stage + 1).\($0.offset)", $0.element as any Module) }
        }
        return result + (fc.map { [("fc", $0 as any Module)] } ?? [])
    }

    /// The names under which `callAsFunction` records activations, in order.
    public var activationNames: [String] {
        ["conv1"] + (stem == .imageNet ? ["maxpool"] : []) + stages.indices.map { "layer\($0 + 1)" } + ["pool"]
            + (fc == nil ? [] : ["fc"])
    }

    /// The logits `[n, classes]` of `images` `[n, channels, height, width]`, or the pooled features
    /// `[n, features]` without a classifier.
    ///
    /// Records in `pass`: "conv1" (the stem's output after its BatchNorm and ReLU), "maxpool" (ImageNet stem),
    /// "layer1" … "layerS" (each stage's output), "pool" (`[n, features]`) and "fc" (the logits).
    /// Throws `shapeMismatch` naming the images' shape when it is not `[n, channels, height, width]`.
    public func callAsFunction(_ images: Variable, in pass: ForwardPass) throws -> Variable {
        guard images.rank == 4, images.shape[1] == channels else {
            throw TensorError(.shapeMismatch, "ResNet", "images of shape \(formatShape(images.shape)) are not "
                              + "[n, \(channels), height, width]"
                              + (images.rank == 4 ? ": \(images.shape[1]) channels, expected \(channels)" : ""))
        }
        let parameterType = conv1.weight.value.dtype
        var x = images.requiresGradient || images.dtype == parameterType
            ? images : Variable(images.value.astype(parameterType))
        x = try bn1(conv1(x, in: pass), in: pass).relu()
        x = pass.record("conv1", x)
        if stem == .imageNet {
            x = try Self.maxPool(x)
            x = pass.record("maxpool", x)
        }
        for (stage, blocks) in stages.enumerated() {
            for block in blocks { x = try block(x, in: pass) }
            x = pass.record("layer\(stage + 1)", x)
        }
        x = try x.mean(axes: [2, 3])
        x = pass.record("pool", x)
        guard let fc else { return x }
        x = try fc(x, in: pass)
        x = pass.record("fc", x)
        return x
    }

    /// `callAsFunction` on a tensor (not differentiated with respect to it).
    public func callAsFunction(_ images: Tensor, in pass: ForwardPass) throws -> Variable {
        try self(Variable(images), in: pass)
    }

    /// A torchvision `state_dict` (tensors read from a safetensors file, say) without the BatchNorm
    /// `num_batches_tracked` counters, which this model does not keep; a leading "module." (DataParallel) is removed.
    public static func stateFromTorchvision(_ state: [String: Tensor]) -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for (name, tensor) in state where !name.hasSuffix(".num_batches_tracked") {
            result[name.hasPrefix("module.") ? String(name.dropFirst(7)) : name] = tensor
        }
        return result
    }

    /// A bias-free k×k convolution with padding k/2 and torchvision's Kaiming-normal (fan-out) initialisation.
    static func convolution(_ channels: Int, _ outputs: Int, kernel: Int, stride: Int, dtype: DType) throws
        -> Conv2d {
        try Conv2d(channels: channels, outputs: outputs, kernel: (kernel, kernel), stride: (stride, stride),
                   padding: (kernel / 2, kernel / 2), bias: false,
                   weightInitialization: .normal(std: (2 / Double(outputs * kernel * kernel)).squareRoot()),
                   dtype: dtype)
    }

    /// Max pooling 3×3, stride 2, padding 1 of a ReLU output. Padding with zeros is exact here (torchvision pads
    /// with -∞) because every input is ≥ 0, so a zero never exceeds the window's largest in-image value.
    static func maxPool(_ x: Variable) throws -> Variable {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let rows = Variable(try Tensor.zeros([n, c, 1, w], dtype: x.dtype))
        let padded = try Variable.concatenate([rows, x, rows], axis: 2)
        let columns = Variable(try Tensor.zeros([n, c, h + 2, 1], dtype: x.dtype))
        return try Pool2d(.maximum, kernel: (3, 3), stride: (2, 2))(
            Variable.concatenate([columns, padded, columns], axis: 3), in: ForwardPass())
    }
}
