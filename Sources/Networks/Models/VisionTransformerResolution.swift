import Autodiff
import Foundation
import Tensors

/// Images of another size than the one a vision transformer was built for, as DINOv2's `interpolate_pos_encoding`:
/// multi-crop training feeds local crops (say 16×16) to a network built for its global crops (32×32), and a trained
/// network can read larger images. The patch grid then has `height / patchSize` rows and `width / patchSize`
/// columns, and the learned position embeddings of the built grid are resampled to it.
extension VisionTransformer {
    /// The tokens of `images` `[n, channels, height, width]` whose height and width are any positive multiples of
    /// the patch size (not only `imageSize`): `[n, 1 + registers + rows · columns, width]`.
    ///
    /// With `interpolatingPositions: false` this is `callAsFunction(_:in:masks:)` (only `imageSize` accepted).
    /// Otherwise the patch position embeddings `[G·G, width]` (G = imageSize / patchSize) are resampled to the
    /// `rows × columns` grid by PyTorch's bicubic interpolation (`F.interpolate(mode="bicubic",
    /// align_corners=False)`, A = −0.75, borders clamped, size given as Hugging Face's Dinov2 does), written as one
    /// constant matrix product so that gradients reach `pos_embed`; the CLS position is kept. 2-D rotary embeddings
    /// are computed for the new grid. At the built size nothing is resampled, so the result equals
    /// `callAsFunction`'s. `masks`, when given, is bool `[n, rows · columns]`.
    /// Throws `shapeMismatch` for images that are not rank 4, have another channel count, or a side that is not a
    /// positive multiple of the patch size, and for masks of another shape.
    public func callAsFunction(_ images: Variable, in pass: ForwardPass, masks: Tensor? = nil,
                               interpolatingPositions: Bool) throws -> Variable {
        try tokens(images, in: pass, masks: masks, interpolatingPositions: interpolatingPositions)
    }

    /// `callAsFunction(_:in:masks:interpolatingPositions:)` on a tensor of images.
    public func callAsFunction(_ images: Tensor, in pass: ForwardPass, masks: Tensor? = nil,
                               interpolatingPositions: Bool) throws -> Variable {
        try tokens(Variable(images), in: pass, masks: masks, interpolatingPositions: interpolatingPositions)
    }

    /// The patch grid (rows, columns) of images of `shape` (rank 4, channels already checked).
    func patchGrid(of shape: [Int], interpolatingPositions: Bool) throws -> (rows: Int, columns: Int) {
        let height = shape[2], width = shape[3]
        if !interpolatingPositions {
            guard height == imageSize, width == imageSize else {
                throw TensorError(.shapeMismatch, "VisionTransformer", "images of shape \(formatShape(shape)) are not "
                                  + "\(imageSize)×\(imageSize): expected [n, \(channels), \(imageSize), \(imageSize)]")
            }
        } else {
            guard height > 0, width > 0, height % patchSize == 0, width % patchSize == 0 else {
                throw TensorError(.shapeMismatch, "VisionTransformer", "images of shape \(formatShape(shape)) have "
                                  + "sides \(height)×\(width) that are not positive multiples of the patch size "
                                  + "\(patchSize)")
            }
        }
        return (height / patchSize, width / patchSize)
    }

    /// The learned position embeddings `[1, 1 + G·G, width]` resampled to `[1, 1 + rows·columns, width]`.
    func interpolatedPositions(_ positions: Variable, rows: Int, columns: Int) throws -> Variable {
        let grid = imageSize / patchSize
        if rows == grid && columns == grid { return positions }
        let pieces = try positions.split(at: [1], axis: 1)
        let resampling = try PositionInterpolation.bicubicMatrix(from: (grid, grid), to: (rows, columns))
            .astype(positions.dtype)
        let patchPositions = try pieces[1].reshaped([grid * grid, width])
        let resampled = try Variable.matmul(Variable(resampling), patchPositions).reshaped([1, rows * columns, width])
        return try Variable.concatenate([pieces[0], resampled], axis: 1)
    }

    /// The rotary embedding of a `rows × columns` grid (nil for learned positions).
    func rotaryEmbedding(rows: Int, columns: Int) throws -> RotaryEmbedding? {
        guard let rotation else { return nil }
        if rotation.rows == rows && rotation.columns == columns { return rotation }
        return try RotaryEmbedding(rows: rows, columns: columns, headWidth: rotation.headWidth, base: rotation.base,
                                   dtype: patchEmbedding.weight.value.dtype)
    }
}

/// Resampling matrices for position embeddings.
public enum PositionInterpolation {
    /// PyTorch's 1-D bicubic weights (`upsample_bicubic2d`, align_corners=False, A = −0.75): row i of the
    /// `[outputs, inputs]` result holds the weights of output sample i. Source coordinate
    /// x = (i + ½) · inputs / outputs − ½; taps ⌊x⌋ − 1 … ⌊x⌋ + 2 clamped to the border, weights from the cubic
    /// convolution kernel at distances t + 1, t, 1 − t, 2 − t (t = x − ⌊x⌋). Each row sums to 1.
    /// Throws `invalidArgument` when a size is not positive.
    public static func bicubicWeights(inputs: Int, outputs: Int) throws -> [[Double]] {
        guard inputs > 0, outputs > 0 else {
            throw TensorError(.invalidArgument, "bicubicWeights", "sizes must be positive, got \(inputs) → \(outputs)")
        }
        let a = -0.75
        func near(_ x: Double) -> Double { ((a + 2) * x - (a + 3)) * x * x + 1 }
        func far(_ x: Double) -> Double { ((a * x - 5 * a) * x + 8 * a) * x - 4 * a }
        let scale = Double(inputs) / Double(outputs)
        return (0..<outputs).map { i in
            let source = scale * (Double(i) + 0.5) - 0.5
            let floor = source.rounded(.down)
            let t = source - floor
            let coefficients = [far(t + 1), near(t), near(1 - t), far(2 - t)]
            var row = [Double](repeating: 0, count: inputs)
            for (tap, coefficient) in coefficients.enumerated() {
                let index = Swift.min(Swift.max(Int(floor) - 1 + tap, 0), inputs - 1)
                row[index] += coefficient
            }
            return row
        }
    }

    /// The `[rows · columns, gridRows · gridColumns]` float64 matrix taking a row-major grid of values to the
    /// bicubically resampled grid: the Kronecker product of the row and column weights (bicubic interpolation is
    /// separable). Throws `invalidArgument` when a size is not positive.
    public static func bicubicMatrix(from grid: (rows: Int, columns: Int), to target: (rows: Int, columns: Int)) throws
        -> Tensor {
        let rowWeights = try bicubicWeights(inputs: grid.rows, outputs: target.rows)
        let columnWeights = try bicubicWeights(inputs: grid.columns, outputs: target.columns)
        let inputs = grid.rows * grid.columns
        var matrix = [Double](repeating: 0, count: target.rows * target.columns * inputs)
        for i in 0..<target.rows {
            for j in 0..<target.columns {
                let base = (i * target.columns + j) * inputs
                for a in 0..<grid.rows where rowWeights[i][a] != 0 {
                    for b in 0..<grid.columns {
                        matrix[base + a * grid.columns + b] = rowWeights[i][a] * columnWeights[j][b]
                    }
                }
            }
        }
        return try Tensor(shape: [target.rows * target.columns, inputs], scalars: matrix)
    }
}
