/// Stateless element functions for the hottest kernels. As types rather than closures they specialise into the
/// loops of `zipApplying`/`mapApplying`, which the compiler then vectorises.

@usableFromInline struct Add<T: TensorFloat>: BinaryElementFunction {
    @inlinable init() {}
    @inlinable func callAsFunction(_ a: T, _ b: T) -> T { a + b }
}

@usableFromInline struct Subtract<T: TensorFloat>: BinaryElementFunction {
    @inlinable init() {}
    @inlinable func callAsFunction(_ a: T, _ b: T) -> T { a - b }
}

@usableFromInline struct Multiply<T: TensorFloat>: BinaryElementFunction {
    @inlinable init() {}
    @inlinable func callAsFunction(_ a: T, _ b: T) -> T { a * b }
}

@usableFromInline struct Divide<T: TensorFloat>: BinaryElementFunction {
    @inlinable init() {}
    @inlinable func callAsFunction(_ a: T, _ b: T) -> T { a / b }
}

/// numpy's `maximum`: NaN wins.
@usableFromInline struct Maximum<T: TensorFloat>: BinaryElementFunction {
    @inlinable init() {}
    @inlinable func callAsFunction(_ a: T, _ b: T) -> T { a.isNaN || a > b ? a : b }
}

/// numpy's `minimum`: NaN wins.
@usableFromInline struct Minimum<T: TensorFloat>: BinaryElementFunction {
    @inlinable init() {}
    @inlinable func callAsFunction(_ a: T, _ b: T) -> T { a.isNaN || a < b ? a : b }
}

@usableFromInline struct Negate<T: TensorFloat>: UnaryElementFunction {
    @inlinable init() {}
    @inlinable func callAsFunction(_ value: T) -> T { -value }
}

@usableFromInline struct Square<T: TensorFloat>: UnaryElementFunction {
    @inlinable init() {}
    @inlinable func callAsFunction(_ value: T) -> T { value * value }
}

@usableFromInline struct SquareRoot<T: TensorFloat>: UnaryElementFunction {
    @inlinable init() {}
    @inlinable func callAsFunction(_ value: T) -> T { value.squareRoot() }
}

@usableFromInline struct AbsoluteValue<T: TensorFloat>: UnaryElementFunction {
    @inlinable init() {}
    @inlinable func callAsFunction(_ value: T) -> T { Swift.abs(value) }
}

/// e^x for float32 as a branch-free polynomial that the compiler vectorises (glibc's expf is a scalar call).
///
/// Cephes' expf: x = n·ln2 + r with |r| ≤ ln2/2 (ln2 split in two parts so that r is exact), e^r by a degree-6
/// polynomial, and 2^n applied as two exponent-field scalings so that results down to the denormal range stay
/// correct. Maximum error about 1 ulp over the finite range; overflow gives +∞, underflow 0, NaN stays NaN.
public struct FastExponential: UnaryElementFunction {
    @inlinable public init() {}
    @inlinable public func callAsFunction(_ x: Float) -> Float {
        let low: Float = x < -104 ? -104 : x
        let clamped: Float = low > 88.7228394 ? 88.7228394 : low
        // n = round(x / ln2), found without a trapping Float→Int conversion: adding 1.5·2^23 leaves n in the low bits.
        let shifted = clamped * 1.44269504088896341 + 12_582_912
        let n = Int32(bitPattern: shifted.bitPattern) &- 0x4B40_0000
        let nFloat = shifted - 12_582_912
        let r = (clamped - nFloat * 0.693359375) + nFloat * 2.12194440e-4
        let z = r * r
        var y: Float = 1.9875691500e-4
        y = y * r + 1.3981999507e-3
        y = y * r + 8.3334519073e-3
        y = y * r + 4.1665795894e-2
        y = y * r + 1.6666665459e-1
        y = y * r + 5.0000001201e-1
        y = y * z + r + 1
        // 2^n as 2^(n/2) · 2^(n − n/2): each factor's exponent stays in the normal range for n ∈ [−150, 128].
        let half = n >> 1
        let first = Float(bitPattern: UInt32(bitPattern: (half &+ 127) << 23))
        let second = Float(bitPattern: UInt32(bitPattern: (n &- half &+ 127) << 23))
        var result = y * first * second
        result = x > 88.7228394 ? .infinity : result
        result = x < -103.9720840 ? 0 : result
        return x != x ? x : result
    }
}
