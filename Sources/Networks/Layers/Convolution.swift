import Autodiff
import Foundation
import Tensors

/// Checks a `[n, channels, height, width]` input; the error names the layer, the shape and the expected shape.
func checkImages(_ input: Variable, channels: Int, layer: String) throws {
    guard input.rank == 4, input.shape[1] == channels else {
        throw TensorError(.shapeMismatch, layer, "input of shape \(formatShape(input.shape)) is not "
                          + "[n, \(channels), height, width]")
    }
}

/// The sliding windows of `input` `[n, c, h, w]` (im2col): `[n, c, kh·kw, outHeight, outWidth]`, window position
/// (i, j) at index i·kw + j, after zero padding of `padding` on each side. Differentiable (strided slices stacked).
/// Throws `invalidShape` when the kernel does not fit the padded image.
func slidingWindows(_ input: Variable, kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int),
                    layer: String) throws -> Variable {
    var padded = input
    let (n, c) = (input.shape[0], input.shape[1])
    if padding.0 > 0 {
        let zeros = Variable(try Tensor.zeros([n, c, padding.0, padded.shape[3]], dtype: input.dtype))
        padded = try Variable.concatenate([zeros, padded, zeros], axis: 2)
    }
    if padding.1 > 0 {
        let zeros = Variable(try Tensor.zeros([n, c, padded.shape[2], padding.1], dtype: input.dtype))
        padded = try Variable.concatenate([zeros, padded, zeros], axis: 3)
    }
    let (height, width) = (padded.shape[2], padded.shape[3])
    guard height >= kernel.0, width >= kernel.1 else {
        throw TensorError(.invalidShape, layer, "kernel \(kernel.0)×\(kernel.1) is larger than the padded image "
                          + "\(height)×\(width) of input \(formatShape(input.shape))")
    }
    let outHeight = (height - kernel.0) / stride.0 + 1
    let outWidth = (width - kernel.1) / stride.1 + 1
    // Non-overlapping tiling that covers the image exactly: one reshape and one permutation.
    if kernel == stride, height == outHeight * kernel.0, width == outWidth * kernel.1 {
        return try padded.reshaped([n, c, outHeight, kernel.0, outWidth, kernel.1]).permuted([0, 1, 3, 5, 2, 4])
            .reshaped([n, c, kernel.0 * kernel.1, outHeight, outWidth])
    }
    var windows: [Variable] = []
    for i in 0..<kernel.0 {
        for j in 0..<kernel.1 {
            windows.append(try padded.get([
                .all, .all,
                .slice(start: i, stop: i + stride.0 * (outHeight - 1) + 1, step: stride.0),
                .slice(start: j, stop: j + stride.1 * (outWidth - 1) + 1, step: stride.1),
            ]))
        }
    }
    return try Variable.stack(windows, axis: 2)
}

/// 2-D convolution (cross-correlation, as PyTorch's `Conv2d`) by im2col and one matrix product:
/// y[n, o, i, j] = b[o] + Σ_{c, u, v} W[o, c, u, v] · x[n, c, i·s + u - p, j·s + v - p].
/// Layout `[n, channels, height, width]`; `weight` `[outputs, channels, kh, kw]`, `bias` `[outputs]`.
/// A patch embedding is a Conv2d with kernel = stride = patch size.
public final class Conv2d: Layer {
    public let weight: Parameter
    public let bias: Parameter?
    public let channels: Int
    public let outputs: Int
    public let kernel: (Int, Int)
    public let stride: (Int, Int)
    public let padding: (Int, Int)
    public var isTraining = true

    /// Weights uniform on ±1/√(channels·kh·kw) by default (PyTorch's default bound), biases zero.
    /// Throws `invalidArgument` for non-positive sizes or negative padding.
    public init(channels: Int, outputs: Int, kernel: (Int, Int), stride: (Int, Int) = (1, 1),
                padding: (Int, Int) = (0, 0), bias: Bool = true, weightInitialization: Initialization? = nil,
                dtype: DType = .float32, seed: UInt64 = 0) throws {
        guard channels > 0, outputs > 0, kernel.0 > 0, kernel.1 > 0, stride.0 > 0, stride.1 > 0,
              padding.0 >= 0, padding.1 >= 0 else {
            throw TensorError(.invalidArgument, "Conv2d", "channels \(channels), outputs \(outputs), kernel "
                              + "\(kernel), stride \(stride) must be positive and padding \(padding) non-negative")
        }
        (self.channels, self.outputs, self.kernel, self.stride, self.padding) =
            (channels, outputs, kernel, stride, padding)
        let fanIn = Double(channels * kernel.0 * kernel.1)
        weight = Parameter(try Tensor.zeros([outputs, channels, kernel.0, kernel.1], dtype: dtype),
                           initialization: weightInitialization ?? .uniform(bound: 1 / fanIn.squareRoot()))
        self.bias = bias ? Parameter(try Tensor.zeros([outputs], dtype: dtype), initialization: .zeros) : nil
        try initializeParameters(seed: seed)
    }

    public var localParameters: [(name: String, parameter: Parameter)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// `[n, channels, h, w]` → `[n, outputs, (h + 2p - kh)/s + 1, (w + 2p - kw)/s + 1]`.
    /// Throws `shapeMismatch` for another rank or channel count, `invalidShape` when the kernel does not fit.
    public func callAsFunction(_ input: Variable, in pass: ForwardPass) throws -> Variable {
        try checkImages(input, channels: channels, layer: "Conv2d")
        if let tiles = patchGrid(input) {
            // [n, rows·columns, outputs] → [n, outputs, rows, columns] (a view).
            return try patchTokens(input, in: pass).reshaped([input.shape[0], tiles.rows, tiles.columns, outputs])
                .permuted([0, 3, 1, 2])
        }
        let windows = try slidingWindows(input, kernel: kernel, stride: stride, padding: padding, layer: "Conv2d")
        let (n, outHeight, outWidth) = (input.shape[0], windows.shape[3], windows.shape[4])
        let columns = try windows.reshaped([n, channels * kernel.0 * kernel.1, outHeight * outWidth])
        let matrix = try pass.variable(for: weight).reshaped([outputs, channels * kernel.0 * kernel.1])
        var result = try Variable.matmul(matrix, columns)    // [n, outputs, positions]
        if let bias { result = try result + pass.variable(for: bias).reshaped([outputs, 1]) }
        return try result.reshaped([n, outputs, outHeight, outWidth])
    }

    /// The patch grid when the kernel tiles the image exactly (stride = kernel, no padding, sizes divisible), the
    /// case of a vision transformer's patch embedding; nil otherwise.
    func patchGrid(_ input: Variable) -> (rows: Int, columns: Int)? {
        guard kernel == stride, padding == (0, 0), input.rank == 4, input.shape[2] % kernel.0 == 0,
              input.shape[3] % kernel.1 == 0 else { return nil }
        return (input.shape[2] / kernel.0, input.shape[3] / kernel.1)
    }

    /// The output as tokens, `[n, rows·columns, outputs]` (row-major over the output grid, features last): the
    /// layout a vision transformer wants, which for a patch embedding costs one permuting copy of the images
    /// (im2col is a pure reshape when stride = kernel) and one matrix product, and nothing after.
    /// Throws as `callAsFunction`.
    public func patchTokens(_ input: Variable, in pass: ForwardPass) throws -> Variable {
        try checkImages(input, channels: channels, layer: "Conv2d")
        guard let grid = patchGrid(input) else {
            let output = try self(input, in: pass)
            let n = output.shape[0]
            return try output.reshaped([n, outputs, output.shape[2] * output.shape[3]]).swappingAxes(1, 2)
        }
        let (n, rows, columns) = (input.shape[0], grid.rows, grid.columns)
        let patchLength = channels * kernel.0 * kernel.1
        // [n, c, rows, kh, columns, kw] → [n, rows, columns, c, kh, kw]: each patch's pixels in the weight's order.
        let patches = try input.reshaped([n, channels, rows, kernel.0, columns, kernel.1])
            .permuted([0, 2, 4, 1, 3, 5]).reshaped([n, rows * columns, patchLength])
        let matrix = try pass.variable(for: weight).reshaped([outputs, patchLength])
        return try Variable.linear(patches, weight: matrix, bias: bias.map(pass.variable(for:)))
    }
}

/// Average or maximum over `kernel` windows moved by `stride` (PyTorch's `AvgPool2d`/`MaxPool2d`, no padding).
/// Layout `[n, c, h, w]` → `[n, c, (h - kh)/s + 1, (w - kw)/s + 1]`. Max pooling splits the gradient among ties.
public final class Pool2d: Layer {
    public enum Kind: Sendable { case average, maximum }
    public let kind: Kind
    public let kernel: (Int, Int)
    public let stride: (Int, Int)
    public var isTraining = true

    /// `stride` defaults to the kernel. Throws `invalidArgument` for non-positive sizes.
    public init(_ kind: Kind, kernel: (Int, Int), stride: (Int, Int)? = nil) throws {
        let stride = stride ?? kernel
        guard kernel.0 > 0, kernel.1 > 0, stride.0 > 0, stride.1 > 0 else {
            throw TensorError(.invalidArgument, "Pool2d", "kernel \(kernel) and stride \(stride) must be positive")
        }
        (self.kind, self.kernel, self.stride) = (kind, kernel, stride)
    }

    /// Throws `shapeMismatch` for an input that is not 4-d, `invalidShape` when the kernel does not fit.
    public func callAsFunction(_ input: Variable, in pass: ForwardPass) throws -> Variable {
        guard input.rank == 4 else {
            throw TensorError(.shapeMismatch, "Pool2d", "input of shape \(formatShape(input.shape)) is not "
                              + "[n, channels, height, width]")
        }
        let windows = try slidingWindows(input, kernel: kernel, stride: stride, padding: (0, 0), layer: "Pool2d")
        switch kind {
        case .average: return try windows.mean(axes: [2])
        case .maximum: return try windows.max(axes: [2])
        }
    }
}
