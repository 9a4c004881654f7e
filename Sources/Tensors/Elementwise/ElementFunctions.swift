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
