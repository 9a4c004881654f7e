import Foundation
import RealModule
import Tensors

/// The element types of the fused kernels, with the two transcendental functions they need: float32 uses
/// branch-free polynomials that vectorise (as XLA's CPU backend does), float64 the exact library functions (so
/// that gradient checks by finite differences in float64 see the exact functions).
protocol KernelFloat: TensorFloat, SIMDScalar {
    /// eˣ.
    static func exponential(_ x: Self) -> Self
    /// The error function.
    static func errorFunction(_ x: Self) -> Self
}

extension Float: KernelFloat {
    @inline(__always) static func exponential(_ x: Float) -> Float { FastExponential()(x) }

    /// erf as Eigen's (and XLA's) float32 rational approximation on [-4, 4] (±1 beyond, exact in float32);
    /// maximum absolute error about 4e-7.
    @inline(__always) static func errorFunction(_ value: Float) -> Float {
        let x: Float = value > 4 ? 4 : (value < -4 ? -4 : value)
        let x2 = x * x
        var p: Float = -2.72614225801306e-10
        p = p * x2 + 2.77068142495902e-08
        p = p * x2 - 2.10102402082508e-06
        p = p * x2 - 5.69250639462346e-05
        p = p * x2 - 7.34990630326855e-04
        p = p * x2 - 2.95459980854025e-03
        p = p * x2 - 1.60960333262415e-02
        var q: Float = -1.45660718464996e-05
        q = q * x2 - 2.13374055278905e-04
        q = q * x2 - 1.68282697438203e-03
        q = q * x2 - 7.37332916720468e-03
        q = q * x2 - 1.42647390514189e-02
        return value != value ? value : x * p / q
    }
}

extension Double: KernelFloat {
    @inline(__always) static func exponential(_ x: Double) -> Double { Double.exp(x) }
    @inline(__always) static func errorFunction(_ x: Double) -> Double { Double.erf(x) }
}

/// Row reductions in 16 lanes: the compiler keeps floating-point sums in order and so never vectorises a plain
/// loop, while these lanes add in a fixed order of their own (results do not depend on the thread count).
enum Lanes {
    typealias Vector<T: KernelFloat> = SIMD16<T>

    @inline(__always)
    static func load<T: KernelFloat>(_ pointer: UnsafePointer<T>) -> SIMD16<T> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD16<T>.self)
    }

    /// Σ row[i].
    @inline(__always)
    static func sum<T: KernelFloat>(_ row: UnsafePointer<T>, _ count: Int) -> T {
        var lanes = SIMD16<T>(repeating: 0)
        var i = 0
        while i + 16 <= count { lanes += load(row + i); i += 16 }
        var total = lanes.sum()
        while i < count { total += row[i]; i += 1 }
        return total
    }

    /// Σ a[i]·b[i].
    @inline(__always)
    static func dot<T: KernelFloat>(_ a: UnsafePointer<T>, _ b: UnsafePointer<T>, _ count: Int) -> T {
        var lanes = SIMD16<T>(repeating: 0)
        var i = 0
        while i + 16 <= count { lanes += load(a + i) * load(b + i); i += 16 }
        var total = lanes.sum()
        while i < count { total += a[i] * b[i]; i += 1 }
        return total
    }

    /// Σ (row[i] - center)².
    @inline(__always)
    static func squaredDeviations<T: KernelFloat>(_ row: UnsafePointer<T>, _ count: Int, from center: T) -> T {
        var lanes = SIMD16<T>(repeating: 0)
        let shift = SIMD16<T>(repeating: center)
        var i = 0
        while i + 16 <= count {
            let deviation = load(row + i) - shift
            lanes += deviation * deviation
            i += 16
        }
        var total = lanes.sum()
        while i < count { total += (row[i] - center) * (row[i] - center); i += 1 }
        return total
    }

    /// The largest element, ignoring NaNs (-∞ when there is none), in four independent running maxima (the
    /// SIMD types' `pointwiseMax` goes lane by lane through memory). A softmax needs no NaN check here: a NaN
    /// element makes the sum of exponentials, and so every result, NaN.
    @inline(__always)
    static func maximum<T: KernelFloat>(_ row: UnsafePointer<T>, _ count: Int) -> T {
        var m0 = -T.infinity, m1 = m0, m2 = m0, m3 = m0
        var i = 0
        while i + 4 <= count {
            m0 = row[i] > m0 ? row[i] : m0
            m1 = row[i + 1] > m1 ? row[i + 1] : m1
            m2 = row[i + 2] > m2 ? row[i + 2] : m2
            m3 = row[i + 3] > m3 ? row[i + 3] : m3
            i += 4
        }
        while i < count { m0 = row[i] > m0 ? row[i] : m0; i += 1 }
        let first = m0 > m1 ? m0 : m1, second = m2 > m3 ? m2 : m3
        return first > second ? first : second
    }
}

/// Rows per chunk of the kernels that sum parameter gradients over rows: fixed (never derived from the thread
/// count), and the chunks' partial sums are added in chunk order, so results do not depend on the thread count.
let rowsPerChunk = 32

/// The loops behind the fused primitives (`Fused.swift`); their vector-Jacobian products are in `Derivatives`.
/// Every kernel reads contiguous inputs and writes a new contiguous tensor; `T` is the inputs' common dtype.
enum FusedKernels {
    /// Calls `body` with `Float.self` or `Double.self` for a float32 or float64 tensor.
    static func dispatch<Result>(_ dtype: DType, float: () throws -> Result, double: () throws -> Result) rethrows
        -> Result {
        switch dtype {
        case .float32: return try float()
        case .float64: return try double()
        default: preconditionFailure("internal: fused kernel on dtype \(dtype)")
        }
    }

    // MARK: Linear

    /// y = x·Wᵀ + b with x viewed as a `[rows, inputs]` matrix: one gemm, the bias written first (beta = 1).
    static func linear<T: KernelFloat>(_: T.Type, _ x: Tensor, _ weight: Tensor, _ bias: Tensor?) throws -> Tensor {
        let (outputs, inputs) = (weight.shape[0], weight.shape[1])
        let rows = x.count / Swift.max(inputs, 1)
        let input = x.contiguous(), matrix = weight.contiguous()
        let result = Tensor(uninitializedShape: Array(x.shape.dropLast()) + [outputs], dtype: x.dtype)
        let output = result.mutablePointer(T.self)
        if let bias {
            let shift = bias.contiguous()
            let source = SendablePointer(shift.pointer(T.self)), destination = SendablePointer(output)
            try parallelRanges(rows, grain: outputs, operation: "linear") { range in
                for row in range { (destination.base + row * outputs).update(from: source.base, count: outputs) }
            }
        }
        if rows > 0 && outputs > 0 {
            Linalg.gemm(transposeA: false, transposeB: true, m: rows, n: outputs, k: inputs, alpha: 1,
                        a: input.pointer(T.self), lda: Swift.max(inputs, 1), b: matrix.pointer(T.self),
                        ldb: Swift.max(inputs, 1), beta: bias == nil ? 0 : 1, c: output, ldc: outputs)
        }
        // The pointers above point into these (possibly fresh contiguous copies): keep them alive until here.
        withExtendedLifetime((input, matrix, bias)) {}
        return result
    }

    /// dx = g·W, dW = gᵀ·x, db = Σ_rows g.
    static func linearProducts<T: KernelFloat>(_: T.Type, _ x: Tensor, _ weight: Tensor, hasBias: Bool,
                                               gradient g: Tensor, needed: [Bool]) throws -> [Tensor?] {
        let (outputs, inputs) = (weight.shape[0], weight.shape[1])
        let rows = x.count / Swift.max(inputs, 1)
        let gradient = g.contiguous(), input = x.contiguous(), matrix = weight.contiguous()
        defer { withExtendedLifetime((gradient, input, matrix)) {} }
        var products: [Tensor?] = []
        if needed[0] {
            let result = Tensor(uninitializedShape: x.shape, dtype: x.dtype)
            if outputs == 0 {
                result.mutablePointer(T.self).update(repeating: 0, count: result.count)
            } else if rows > 0 && inputs > 0 {
                Linalg.gemm(transposeA: false, transposeB: false, m: rows, n: inputs, k: outputs, alpha: 1,
                            a: gradient.pointer(T.self), lda: outputs, b: matrix.pointer(T.self),
                            ldb: inputs, beta: 0, c: result.mutablePointer(T.self), ldc: inputs)
            }
            products.append(result)
        } else {
            products.append(nil)
        }
        if needed[1] {
            let result = Tensor(uninitializedShape: weight.shape, dtype: weight.dtype)
            if rows == 0 {
                result.mutablePointer(T.self).update(repeating: 0, count: result.count)
            } else if outputs > 0 && inputs > 0 {
                Linalg.gemm(transposeA: true, transposeB: false, m: outputs, n: inputs, k: rows, alpha: 1,
                            a: gradient.pointer(T.self), lda: outputs, b: input.pointer(T.self),
                            ldb: inputs, beta: 0, c: result.mutablePointer(T.self), ldc: inputs)
            }
            products.append(result)
        } else {
            products.append(nil)
        }
        if hasBias && needed[2] {
            // Σ_rows g as the product gᵀ·1 (one BLAS pass over g instead of a strided column reduction).
            let result = Tensor(uninitializedShape: [outputs], dtype: g.dtype)
            let sums = result.mutablePointer(T.self)
            sums.update(repeating: 0, count: outputs)
            if rows > 0 && outputs > 0 {
                let ones = UnsafeMutablePointer<T>.allocate(capacity: rows)
                defer { ones.deallocate() }
                ones.update(repeating: 1, count: rows)
                Linalg.gemm(transposeA: true, transposeB: false, m: outputs, n: 1, k: rows, alpha: 1,
                            a: gradient.pointer(T.self), lda: outputs, b: ones, ldb: 1, beta: 0, c: sums, ldc: 1)
            }
            products.append(result)
        } else if hasBias {
            products.append(nil)
        }
        return products
    }

    /// Hidden elements per chunk of `geluFeedForward`: about 1 MB of float32, so that a chunk's hidden activations
    /// stay in cache between the two products.
    static let feedForwardChunkElements = 1 << 18

    /// fc2(GELU(fc1(x))) = GELU(x·W1ᵀ + b1)·W2ᵀ + b2, `chunk` rows at a time through one reused hidden buffer: the
    /// `[rows, hidden]` activations are never allocated (in a small ViT they are 4 MB a block, which glibc and the
    /// kernel fault and zero afresh). Each product is `linear`'s gemm (the bias written first, beta = 1) on a row
    /// range, and the GELU is `geluInPlace`, so every element is computed as by `linear`, `gelu`, `linear`.
    /// Sizes are positive (the caller takes the composite otherwise).
    static func geluFeedForward<T: KernelFloat>(_: T.Type, _ x: Tensor, _ weight1: Tensor, _ bias1: Tensor?,
                                                _ weight2: Tensor, _ bias2: Tensor?) throws -> Tensor {
        let (hidden, inputs, outputs) = (weight1.shape[0], weight1.shape[1], weight2.shape[0])
        let rows = x.count / inputs
        let input = x.contiguous(), first = weight1.contiguous(), second = weight2.contiguous()
        let shift1 = bias1?.contiguous(), shift2 = bias2?.contiguous()
        let result = Tensor(uninitializedShape: Array(x.shape.dropLast()) + [outputs], dtype: x.dtype)
        let output = result.mutablePointer(T.self)
        let chunk = Swift.max(1, Swift.min(rows, feedForwardChunkElements / hidden))
        let activations = UnsafeMutablePointer<T>.allocate(capacity: chunk * hidden)
        defer { activations.deallocate() }
        var start = 0
        while start < rows {
            let count = Swift.min(chunk, rows - start)
            if let shift1 {
                let values = shift1.pointer(T.self)
                for row in 0..<count { (activations + row * hidden).update(from: values, count: hidden) }
            }
            Linalg.gemm(transposeA: false, transposeB: true, m: count, n: hidden, k: inputs, alpha: 1,
                        a: input.pointer(T.self) + start * inputs, lda: inputs, b: first.pointer(T.self), ldb: inputs,
                        beta: shift1 == nil ? 0 : 1, c: activations, ldc: hidden)
            try geluInPlace(activations, count: count * hidden)
            let destination = output + start * outputs
            if let shift2 {
                let values = shift2.pointer(T.self)
                for row in 0..<count { (destination + row * outputs).update(from: values, count: outputs) }
            }
            Linalg.gemm(transposeA: false, transposeB: true, m: count, n: outputs, k: hidden, alpha: 1,
                        a: UnsafePointer(activations), lda: hidden, b: second.pointer(T.self), ldb: hidden,
                        beta: shift2 == nil ? 0 : 1, c: destination, ldc: outputs)
            start += count
        }
        withExtendedLifetime((input, first, second, shift1, shift2)) {}
        return result
    }

    // MARK: Layer normalisation

    /// The mean and 1/√(variance + epsilon) of one row (two passes, biased variance).
    @inline(__always)
    static func rowStatistics<T: KernelFloat>(_ row: UnsafePointer<T>, _ count: Int, _ epsilon: T) -> (T, T) {
        let mean = Lanes.sum(row, count) / T(fromDouble: Double(count))
        let variance = Lanes.squaredDeviations(row, count, from: mean) / T(fromDouble: Double(count))
        return (mean, 1 / (variance + epsilon).squareRoot())
    }

    /// y = (x - mean)/√(var + epsilon)·w + b over the last axis, one row at a time.
    static func layerNorm<T: KernelFloat>(_: T.Type, _ x: Tensor, _ weight: Tensor, _ bias: Tensor,
                                          epsilon: Double) throws -> Tensor {
        let features = weight.count
        let rows = x.count / Swift.max(features, 1)
        let input = x.contiguous(), scale = weight.contiguous(), shift = bias.contiguous()
        let result = Tensor(uninitializedShape: x.shape, dtype: x.dtype)
        let source = SendablePointer(input.pointer(T.self)), destination = SendablePointer(result.mutablePointer(T.self))
        let w = SendablePointer(scale.pointer(T.self)), b = SendablePointer(shift.pointer(T.self))
        let eps = T(fromDouble: epsilon)
        try parallelRanges(rows, grain: features, operation: "layer_norm") { range in
            for row in range {
                let x = UnsafePointer(source.base + row * features), y = destination.base + row * features
                let (mean, inverse) = rowStatistics(x, features, eps)
                for i in 0..<features { y[i] = (x[i] - mean) * inverse * w.base[i] + b.base[i] }
            }
        }
        withExtendedLifetime((input, scale, shift)) {}
        return result
    }

    /// With x̂ = (x - mean)·r and ĝ = g·w: dx = r·(ĝ - mean(ĝ) - x̂·mean(ĝ·x̂)), dw = Σ_rows g·x̂, db = Σ_rows g.
    /// The sums over rows go through per-chunk partial sums added in chunk order (deterministic).
    static func layerNormProducts<T: KernelFloat>(_: T.Type, _ x: Tensor, _ weight: Tensor, epsilon: Double,
                                                  gradient g: Tensor) throws -> [Tensor?] {
        let features = weight.count
        let rows = x.count / Swift.max(features, 1)
        let input = x.contiguous(), scale = weight.contiguous(), gradient = g.contiguous()
        let inputGradient = Tensor(uninitializedShape: x.shape, dtype: x.dtype)
        let chunks = (rows + rowsPerChunk - 1) / rowsPerChunk
        let partials = Tensor(uninitializedShape: [Swift.max(chunks, 1), 2, features], dtype: x.dtype)
        partials.mutablePointer(T.self).update(repeating: 0, count: partials.count)
        let source = SendablePointer(input.pointer(T.self)), w = SendablePointer(scale.pointer(T.self))
        let upstream = SendablePointer(gradient.pointer(T.self))
        let destination = SendablePointer(inputGradient.mutablePointer(T.self))
        let partial = SendablePointer(partials.mutablePointer(T.self))
        let eps = T(fromDouble: epsilon), inverseCount = 1 / T(fromDouble: Double(Swift.max(features, 1)))
        try parallelRanges(chunks, grain: rowsPerChunk * features, operation: "layer_norm") { range in
            // x̂ and ĝ of one row, so that every loop below is elementwise or a lane reduction (both vectorise).
            let scratch = UnsafeMutablePointer<T>.allocate(capacity: 2 * Swift.max(features, 1))
            defer { scratch.deallocate() }
            let normalized = scratch, scaled = scratch + features
            for chunk in range {
                let weightSums = partial.base + chunk * 2 * features, biasSums = weightSums + features
                for row in (chunk * rowsPerChunk)..<Swift.min(rows, (chunk + 1) * rowsPerChunk) {
                    let x = UnsafePointer(source.base + row * features)
                    let g = UnsafePointer(upstream.base + row * features), dx = destination.base + row * features
                    let (mean, inverse) = rowStatistics(x, features, eps)
                    for i in 0..<features {
                        normalized[i] = (x[i] - mean) * inverse
                        scaled[i] = g[i] * w.base[i]
                        weightSums[i] += g[i] * normalized[i]
                        biasSums[i] += g[i]
                    }
                    let gradientMean = Lanes.sum(UnsafePointer(scaled), features) * inverseCount
                    let projection = Lanes.dot(UnsafePointer(scaled), UnsafePointer(normalized), features)
                        * inverseCount
                    for i in 0..<features {
                        dx[i] = inverse * (scaled[i] - gradientMean - normalized[i] * projection)
                    }
                }
            }
        }
        let weightGradient = Tensor(uninitializedShape: weight.shape, dtype: x.dtype)
        let biasGradient = Tensor(uninitializedShape: weight.shape, dtype: x.dtype)
        let dw = weightGradient.mutablePointer(T.self), db = biasGradient.mutablePointer(T.self)
        dw.update(repeating: 0, count: features)
        db.update(repeating: 0, count: features)
        for chunk in 0..<chunks {
            let sums = partial.base + chunk * 2 * features
            for i in 0..<features {
                dw[i] += sums[i]
                db[i] += sums[features + i]
            }
        }
        withExtendedLifetime((input, scale, gradient, partials)) {}
        return [inputGradient, weightGradient, biasGradient]
    }

    // MARK: GELU

    /// x·Φ(x) = x/2·(1 + erf(x/√2)) of one element.
    @inline(__always)
    static func geluScalar<T: KernelFloat>(_ value: T) -> T {
        value * 0.5 * (1 + T.errorFunction(value * T(fromDouble: 0.70710678118654752440)))
    }

    /// x·Φ(x) = x/2·(1 + erf(x/√2)), elementwise.
    static func gelu<T: KernelFloat>(_: T.Type, _ x: Tensor) throws -> Tensor {
        let input = x.contiguous()
        let result = Tensor(uninitializedShape: x.shape, dtype: x.dtype)
        let source = SendablePointer(input.pointer(T.self)), destination = SendablePointer(result.mutablePointer(T.self))
        try parallelRanges(x.count, operation: "gelu") { range in
            for i in range { destination.base[i] = geluScalar(source.base[i]) }
        }
        withExtendedLifetime(input) {}
        return result
    }

    /// The GELU of `count` elements at `data`, in place. (One pointer read and written at the same index, so that
    /// the loop vectorises: with a separate source and destination that may overlap, it would not.)
    static func geluInPlace<T: KernelFloat>(_ data: UnsafeMutablePointer<T>, count: Int) throws {
        let elements = SendablePointer(data)
        try parallelRanges(count, operation: "gelu") { range in
            for i in range { elements.base[i] = geluScalar(elements.base[i]) }
        }
    }

    /// GELU(x·Wᵀ + b): the product's own buffer receives the GELU (one buffer written once, instead of a second
    /// hidden-sized result). Only for values that nothing differentiates: the GELU's backward needs the product.
    static func linearGELU<T: KernelFloat>(_: T.Type, _ x: Tensor, _ weight: Tensor, _ bias: Tensor?) throws
        -> Tensor {
        let result = try linear(T.self, x, weight, bias)
        try geluInPlace(result.mutablePointer(T.self), count: result.count)
        return result
    }

    /// g·(Φ(x) + x·φ(x)), φ(x) = e^(-x²/2)/√(2π).
    static func geluProduct<T: KernelFloat>(_: T.Type, _ x: Tensor, gradient g: Tensor) throws -> Tensor {
        let input = x.contiguous(), gradient = g.contiguous()
        let result = Tensor(uninitializedShape: x.shape, dtype: x.dtype)
        let source = SendablePointer(input.pointer(T.self)), upstream = SendablePointer(gradient.pointer(T.self))
        let destination = SendablePointer(result.mutablePointer(T.self))
        try parallelRanges(x.count, operation: "gelu") { range in
            let halfRoot: T = T(fromDouble: 0.70710678118654752440)
            let density: T = T(fromDouble: 0.39894228040143267794)
            for i in range {
                let value = source.base[i]
                let cumulative = 0.5 * (1 + T.errorFunction(value * halfRoot))
                let slope = cumulative + value * density * T.exponential(-0.5 * value * value)
                destination.base[i] = upstream.base[i] * slope
            }
        }
        withExtendedLifetime((input, gradient)) {}
        return result
    }

    // MARK: Softmax

    /// Softmax of each `width`-long row of `data`, in place: exp(x - max) / Σ exp(x - max).
    @inline(__always)
    static func softmaxRow<T: KernelFloat>(_ row: UnsafeMutablePointer<T>, _ width: Int) {
        var maximum = Lanes.maximum(row, width)
        if !maximum.isFinite && !maximum.isNaN { maximum = 0 }
        for i in 0..<width { row[i] = T.exponential(row[i] - maximum) }
        let inverse = 1 / Lanes.sum(row, width)
        for i in 0..<width { row[i] *= inverse }
    }

    /// dx = y·(g - Σ g·y) for one row, written over `g`.
    @inline(__always)
    static func softmaxBackwardRow<T: KernelFloat>(_ y: UnsafePointer<T>, _ g: UnsafeMutablePointer<T>,
                                                   _ width: Int, scale: T) {
        let dot = Lanes.dot(UnsafePointer(g), y, width)
        for i in 0..<width { g[i] = scale * y[i] * (g[i] - dot) }
    }

    /// Softmax over the last axis.
    static func softmax<T: KernelFloat>(_: T.Type, _ x: Tensor) throws -> Tensor {
        let width = x.shape.last ?? 1
        var result = x.copy()
        result.makeUniqueContiguous()
        let rows = width == 0 ? 0 : x.count / width
        let data = SendablePointer(result.mutablePointer(T.self))
        try parallelRanges(rows, grain: width, operation: "softmax") { range in
            for row in range { softmaxRow(data.base + row * width, width) }
        }
        return result
    }

    /// The softmax's vector-Jacobian product from its output `y`.
    static func softmaxProduct<T: KernelFloat>(_: T.Type, _ y: Tensor, gradient g: Tensor) throws -> Tensor {
        let width = y.shape.last ?? 1
        let output = y.contiguous()
        var result = g.copy()
        result.makeUniqueContiguous()
        let rows = width == 0 ? 0 : y.count / width
        let values = SendablePointer(output.pointer(T.self)), data = SendablePointer(result.mutablePointer(T.self))
        try parallelRanges(rows, grain: width, operation: "softmax") { range in
            for row in range {
                softmaxBackwardRow(UnsafePointer(values.base + row * width), data.base + row * width, width, scale: 1)
            }
        }
        withExtendedLifetime(output) {}
        return result
    }

    // MARK: Accumulation

    /// `total += addend` in place (both contiguous, one shape and dtype; `total` uniquely owned).
    static func accumulate<T: KernelFloat>(_: T.Type, _ total: inout Tensor, _ addend: Tensor) throws {
        let source = addend.contiguous()
        let from = SendablePointer(source.pointer(T.self)), into = SendablePointer(total.mutablePointer(T.self))
        try parallelRanges(total.count, operation: "gradient") { range in
            for i in range { into.base[i] += from.base[i] }
        }
        withExtendedLifetime(source) {}
    }
}
