/// The loops behind every elementwise operation: one input (`map`), two broadcast inputs (`zip`), three (`zip3`).
///
/// Each loop has a unit-stride path that the compiler vectorises, a path for a broadcast scalar operand, and a general
/// strided path; large loops run on `Threads.count` threads and stop between chunks when cancelled.
extension Tensor {
    /// `f` applied to every element; the result is contiguous with this tensor's shape.
    @inlinable
    func map<S: TensorScalar, D: TensorScalar>(_: S.Type, to _: D.Type, operation: String,
                                                _ f: @escaping @Sendable (S) -> D) throws -> Tensor {
        try mapApplying(operation: operation, UnaryClosure(body: f))
    }

    /// `f` applied to every element. Generic over the function's type so that stateless functions (`Negate<T>`…)
    /// inline into the loop and vectorise; closures arrive wrapped in `UnaryClosure`.
    @inlinable
    func mapApplying<F: UnaryElementFunction>(operation: String, _ f: F) throws -> Tensor {
        typealias S = F.Input
        typealias D = F.Output
        precondition(S.dtype == dtype, "internal: map over \(S.self) on a \(dtype) tensor")
        let result = Tensor(uninitializedShape: shape, dtype: D.dtype)
        let loop = StridedLoop(shape: shape, operands: [(strides, offset), (result.strides, 0)])
        let source = SendablePointer(storage.bytes.assumingMemoryBound(to: S.self))
        let destination = SendablePointer(result.storage.bytes.assumingMemoryBound(to: D.self))
        let sourceStride = loop.innerStride(0), destinationStride = loop.innerStride(1)
        try loop.run(operation: operation) { offsets, length in
            let input = source.base + offsets[0], output = destination.base + offsets[1]
            if sourceStride == 1 && destinationStride == 1 {
                for index in 0..<length { output[index] = f(input[index]) }
            } else {
                for index in 0..<length { output[index * destinationStride] = f(input[index * sourceStride]) }
            }
        }
        return result
    }

    /// `f(a, b)` over the broadcast of `a` and `b`, both already of dtype `A` and `B`.
    /// Throws `shapeMismatch` when the shapes do not broadcast.
    @inlinable
    static func zip<A: TensorScalar, B: TensorScalar, D: TensorScalar>(
        _ a: Tensor, _ b: Tensor, _: A.Type, _: B.Type, to _: D.Type, operation: String,
        _ f: @escaping @Sendable (A, B) -> D
    ) throws -> Tensor {
        try zipApplying(a, b, operation: operation, BinaryClosure(body: f))
    }

    /// `f(a, b)` over the broadcast of `a` and `b`; generic over the function's type so that stateless functions
    /// (`Add<T>`…) inline into the loop and vectorise.
    @inlinable
    static func zipApplying<F: BinaryElementFunction>(_ a: Tensor, _ b: Tensor, operation: String,
                                                      _ f: F) throws -> Tensor {
        typealias A = F.Left
        typealias B = F.Right
        typealias D = F.Output
        precondition(a.dtype == A.dtype && b.dtype == B.dtype, "internal: zip dtypes")
        let shape = a.shape == b.shape ? a.shape : try Shapes.broadcast(a.shape, b.shape, operation: operation)
        let result = Tensor(uninitializedShape: shape, dtype: D.dtype)
        let loop = StridedLoop(shape: shape, operands: [
            (a.broadcastStrides(to: shape), a.offset), (b.broadcastStrides(to: shape), b.offset), (result.strides, 0),
        ])
        let left = SendablePointer(a.storage.bytes.assumingMemoryBound(to: A.self))
        let right = SendablePointer(b.storage.bytes.assumingMemoryBound(to: B.self))
        let destination = SendablePointer(result.storage.bytes.assumingMemoryBound(to: D.self))
        let leftStride = loop.innerStride(0), rightStride = loop.innerStride(1), outStride = loop.innerStride(2)
        try loop.run(operation: operation) { offsets, length in
            let x = left.base + offsets[0], y = right.base + offsets[1], output = destination.base + offsets[2]
            if outStride == 1 && leftStride == 1 && rightStride == 1 {
                for index in 0..<length { output[index] = f(x[index], y[index]) }
            } else if outStride == 1 && leftStride == 1 && rightStride == 0 {
                let scalar = y[0]
                for index in 0..<length { output[index] = f(x[index], scalar) }
            } else if outStride == 1 && leftStride == 0 && rightStride == 1 {
                let scalar = x[0]
                for index in 0..<length { output[index] = f(scalar, y[index]) }
            } else {
                for index in 0..<length {
                    output[index * outStride] = f(x[index * leftStride], y[index * rightStride])
                }
            }
        }
        return result
    }

    /// `f(a, b, c)` over the broadcast of three tensors of dtypes `A`, `B`, `C`.
    @inlinable
    static func zip3<A: TensorScalar, B: TensorScalar, C: TensorScalar, D: TensorScalar>(
        _ a: Tensor, _ b: Tensor, _ c: Tensor, _: A.Type, _: B.Type, _: C.Type, to _: D.Type, operation: String,
        _ f: @escaping @Sendable (A, B, C) -> D
    ) throws -> Tensor {
        let shape = try Shapes.broadcast(try Shapes.broadcast(a.shape, b.shape, operation: operation), c.shape,
                                         operation: operation)
        let result = Tensor(uninitializedShape: shape, dtype: D.dtype)
        let loop = StridedLoop(shape: shape, operands: [
            (a.broadcastStrides(to: shape), a.offset), (b.broadcastStrides(to: shape), b.offset),
            (c.broadcastStrides(to: shape), c.offset), (result.strides, 0),
        ])
        let first = SendablePointer(a.storage.bytes.assumingMemoryBound(to: A.self))
        let second = SendablePointer(b.storage.bytes.assumingMemoryBound(to: B.self))
        let third = SendablePointer(c.storage.bytes.assumingMemoryBound(to: C.self))
        let destination = SendablePointer(result.storage.bytes.assumingMemoryBound(to: D.self))
        let strideA = loop.innerStride(0), strideB = loop.innerStride(1), strideC = loop.innerStride(2)
        let strideOut = loop.innerStride(3)
        try loop.run(operation: operation) { offsets, length in
            let x = first.base + offsets[0], y = second.base + offsets[1], z = third.base + offsets[2]
            let output = destination.base + offsets[3]
            for index in 0..<length {
                output[index * strideOut] = f(x[index * strideA], y[index * strideB], z[index * strideC])
            }
        }
        return result
    }
}

/// A function of one element, applied by `mapApplying`.
@usableFromInline
protocol UnaryElementFunction: Sendable {
    associatedtype Input: TensorScalar
    associatedtype Output: TensorScalar
    func callAsFunction(_ value: Input) -> Output
}

/// A function of two elements, applied by `zipApplying`.
@usableFromInline
protocol BinaryElementFunction: Sendable {
    associatedtype Left: TensorScalar
    associatedtype Right: TensorScalar
    associatedtype Output: TensorScalar
    func callAsFunction(_ left: Left, _ right: Right) -> Output
}

@usableFromInline
struct UnaryClosure<Input: TensorScalar, Output: TensorScalar>: UnaryElementFunction {
    @usableFromInline let body: @Sendable (Input) -> Output
    @inlinable init(body: @escaping @Sendable (Input) -> Output) { self.body = body }
    @inlinable func callAsFunction(_ value: Input) -> Output { body(value) }
}

@usableFromInline
struct BinaryClosure<Left: TensorScalar, Right: TensorScalar, Output: TensorScalar>: BinaryElementFunction {
    @usableFromInline let body: @Sendable (Left, Right) -> Output
    @inlinable init(body: @escaping @Sendable (Left, Right) -> Output) { self.body = body }
    @inlinable func callAsFunction(_ left: Left, _ right: Right) -> Output { body(left, right) }
}
