import Testing
@testable import Tensors

// MARK: - The naive model

/// Row-major values and nested index arithmetic: the simple model every movement and indexing operation is checked
/// against. It never looks at strides, offsets or storage.
struct Reference: Equatable, CustomStringConvertible {
    var shape: [Int]
    var values: [Double]

    init(shape: [Int], values: [Double]) {
        precondition(shape.reduce(1, *) == values.count)
        self.shape = shape
        self.values = values
    }

    /// The tensor's elements as read by `scalars(as:)`.
    init(_ tensor: Tensor) {
        self.init(shape: tensor.shape, values: tensor.scalars(as: Double.self))
    }

    var rank: Int { shape.count }
    var description: String { "\(shape) \(values)" }

    func flatIndex(_ index: [Int]) -> Int {
        var flat = 0
        for (position, length) in zip(index, shape) { flat = flat * length + position }
        return flat
    }

    subscript(_ index: [Int]) -> Double { values[flatIndex(index)] }

    /// Every multi-index of `shape` in row-major order.
    static func allIndices(_ shape: [Int]) -> [[Int]] {
        var result: [[Int]] = [[]]
        for length in shape {
            result = result.flatMap { prefix in (0..<length).map { prefix + [$0] } }
        }
        return result
    }

    static func build(_ shape: [Int], _ element: ([Int]) -> Double) -> Reference {
        Reference(shape: shape, values: allIndices(shape).map(element))
    }

    func reshaped(_ newShape: [Int]) -> Reference { Reference(shape: newShape, values: values) }

    func permuted(_ axes: [Int]) -> Reference {
        Reference.build(axes.map { shape[$0] }) { index in
            var source = [Int](repeating: 0, count: rank)
            for (position, axis) in axes.enumerated() { source[axis] = index[position] }
            return self[source]
        }
    }

    func flipped(_ axes: [Int]) -> Reference {
        Reference.build(shape) { index in
            var source = index
            for axis in axes { source[axis] = shape[axis] - 1 - index[axis] }
            return self[source]
        }
    }

    /// numpy broadcasting, element by element.
    func broadcast(to target: [Int]) -> Reference {
        Reference.build(target) { index in
            let shift = target.count - rank
            return self[(0..<rank).map { shape[$0] == 1 ? 0 : index[$0 + shift] }]
        }
    }
}

/// Expects `tensor` to hold exactly `reference` (shape and every value).
func expectMatches(_ tensor: Tensor, _ reference: Reference, _ comment: String = "",
                   sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(tensor.shape == reference.shape, "\(comment)", sourceLocation: sourceLocation)
    #expect(tensor.scalars(as: Double.self) == reference.values, "\(comment)", sourceLocation: sourceLocation)
}

/// Expects `body` to throw a `TensorError` reading exactly `expected`.
func expectErrorText<Result>(_ expected: String, sourceLocation: SourceLocation = #_sourceLocation,
                               _ body: () throws -> Result) {
    do {
        _ = try body()
        Issue.record("expected the error \"\(expected)\", nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as TensorError {
        #expect(error.description == expected, sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected a TensorError, got \(error)", sourceLocation: sourceLocation)
    }
}

// MARK: - Inputs in several layouts

/// How a test input is laid out in memory; every layout holds the same logical values.
enum ViewLayout: CaseIterable, Sendable {
    case contiguous, transposed, flipped, strided, viewOfView
}

/// Deterministic values: distinct for numeric dtypes, so any misplaced element shows.
func testValue(_ position: Int, _ dtype: DType) -> Double {
    switch dtype {
    case .bool: return position % 3 == 1 ? 1 : 0
    case .int64: return Double(position) - 7
    case .float32, .float64: return Double(position) * 0.5 - 3
    }
}

func contiguousTensor(_ shape: [Int], _ dtype: DType, start: Int = 0) -> Tensor {
    let count = shape.reduce(1, *)
    return try! Tensor(shape: shape, scalars: (0..<count).map { testValue(start + $0, dtype) }).astype(dtype)
}

/// A tensor of `shape` and `dtype` laid out as `layout` (built with views of a larger or permuted base).
func viewedTensor(_ shape: [Int], _ dtype: DType, _ layout: ViewLayout) -> Tensor {
    let all = [TensorIndex](repeating: .all, count: shape.count)
    switch layout {
    case .contiguous:
        return contiguousTensor(shape, dtype)
    case .transposed:
        return contiguousTensor(shape.reversed(), dtype).transposed()
    case .flipped:
        return try! contiguousTensor(shape, dtype).flipped()
    case .strided:
        let base = contiguousTensor(shape.map { 2 * $0 + 1 }, dtype)
        return try! base.get(all.map { _ in .slice(start: 1, stop: nil, step: 2) })
    case .viewOfView:
        let base = contiguousTensor(shape.map { 2 * $0 }.reversed(), dtype).transposed()
        let stepped = try! base.get(all.map { _ in .slice(start: nil, stop: nil, step: -2) })
        return try! stepped.flipped(axes: shape.isEmpty ? [] : [0])
    }
}

/// Shapes of ranks 0–4 with axes of length 0 and 1.
let movementShapes: [[Int]] = [[], [1], [5], [0], [2, 3], [3, 1], [1, 4], [0, 3], [2, 3, 4], [2, 1, 3], [3, 0, 2],
                           [2, 3, 1, 2], [1, 2, 1, 3], [2, 2, 0, 1]]
let allDTypes: [DType] = [.float32, .float64, .int64, .bool]

/// One test input: a shape, a dtype and a layout.
struct InputCase: CustomTestStringConvertible, Sendable {
    var shape: [Int]
    var dtype: DType
    var layout: ViewLayout
    var testDescription: String { "\(shape) \(dtype) \(layout)" }
    var tensor: Tensor { viewedTensor(shape, dtype, layout) }
}

/// Every (shape, dtype, layout) combination.
let inputCases: [InputCase] = movementShapes.flatMap { shape in
    allDTypes.flatMap { dtype in ViewLayout.allCases.map { InputCase(shape: shape, dtype: dtype, layout: $0) } }
}

// MARK: - ViewLayout sanity

@Suite struct LayoutTests {
    /// The layouts are built with `transposed`, `flipped` and strided `get`; their values must be what the naive
    /// model says those views hold.
    @Test(arguments: inputCases)
    func layoutsHoldTheViewedValues(_ input: InputCase) {
        let shape = input.shape, rank = shape.count
        let expected: Reference
        switch input.layout {
        case .contiguous:
            expected = Reference(contiguousTensor(shape, input.dtype))
        case .transposed:
            expected = Reference(contiguousTensor(shape.reversed(), input.dtype)).permuted((0..<rank).reversed())
        case .flipped:
            expected = Reference(contiguousTensor(shape, input.dtype)).flipped(Array(0..<rank))
        case .strided:
            let base = Reference(contiguousTensor(shape.map { 2 * $0 + 1 }, input.dtype))
            expected = Reference.build(shape) { index in base[index.map { 2 * $0 + 1 }] }
        case .viewOfView:
            let base = Reference(contiguousTensor(shape.map { 2 * $0 }.reversed(), input.dtype))
                .permuted((0..<rank).reversed())
            let stepped = Reference.build(shape) { index in
                base[index.indices.map { axis in 2 * shape[axis] - 1 - 2 * index[axis] }]
            }
            expected = stepped.flipped(rank == 0 ? [] : [0])
        }
        let tensor = input.tensor
        expectMatches(tensor, expected)
        let spread = shape.filter { $0 > 1 }.count
        let spreadOut = spread > 1 || (spread == 1 && input.layout != .transposed)
        if input.layout != .contiguous && !shape.contains(0) && spreadOut {
            #expect(!tensor.isContiguous)
        }
    }
}

// MARK: - Views

/// Shapes with `count` elements to reshape into, with and without a -1.
func reshapeTargets(_ shape: [Int]) -> [[Int]] {
    let count = shape.reduce(1, *)
    var targets: [[Int]] = [[count], [1] + shape + [1], shape.reversed()]
    if count > 0 {
        targets += [[-1], [1, -1], [-1, 1]]
        if count % 2 == 0 { targets += [[2, -1], [-1, 2, 1]] }
        if count == 1 { targets += [[], [1, 1, 1]] }
    } else {
        targets += [[0, 7], [3, 0, 2]]
    }
    return targets
}

@Suite struct ViewTests {
    @Test(arguments: inputCases)
    func reshapeKeepsRowMajorOrder(_ input: InputCase) throws {
        let tensor = input.tensor
        let reference = Reference(tensor)
        for target in reshapeTargets(input.shape) {
            let known = target.filter { $0 != -1 }.reduce(1, *)
            let resolved = target.map { $0 == -1 ? reference.values.count / known : $0 }
            let result = try tensor.reshaped(target)
            expectMatches(result, reference.reshaped(resolved), "target \(target)")
            if input.layout == .contiguous { #expect(result.storage === tensor.storage, "contiguous → view") }
            #expect(result.flattened().scalars(as: Double.self) == reference.values)
        }
    }

    /// numpy decides view or copy per layout; these agree with `np.shares_memory` (python3, numpy 2.4):
    /// ```
    /// a = np.arange(24).reshape(2, 3, 4); t = a.transpose(1, 0, 2)
    /// np.shares_memory(t, t.reshape(3, 8))            # False
    /// np.shares_memory(t, t.reshape(3, 2, 2, 2))      # True
    /// np.shares_memory(a[:, ::2], a[:, ::2].reshape(4, 4))           # False
    /// np.shares_memory(a[:, :, ::2], a[:, :, ::2].reshape(6, 1, 2))  # True
    /// ```
    @Test func reshapeViewOrCopyAsNumpy() throws {
        let a = try Tensor.arange(24).reshaped([2, 3, 4])
        let t = try a.permuted([1, 0, 2])
        let cases: [(Tensor, [Int], Bool)] = [
            (t, [3, 8], false), (t, [3, 2, 2, 2], true),
            (try a.get([.all, .slice(start: nil, stop: nil, step: 2)]), [4, 4], false),
            (try a.get([.all, .all, .slice(start: nil, stop: nil, step: 2)]), [6, 1, 2], true),
        ]
        for (source, target, sharesMemory) in cases {
            let result = try source.reshaped(target)
            #expect((result.storage === source.storage) == sharesMemory, "\(source.shape) → \(target)")
            expectMatches(result, Reference(source).reshaped(target))
        }
    }

    @Test func reshapeErrors() {
        let tensor = contiguousTensor([2, 3], .float64)
        expectErrorText("reshape: cannot reshape a tensor of shape [2, 3] (6 elements) into shape [4, 2]") {
            try tensor.reshaped([4, 2])
        }
        expectErrorText("reshape: cannot reshape a tensor of shape [2, 3] (6 elements) into shape [4, -1]") {
            try tensor.reshaped([4, -1])
        }
        expectErrorText("reshape: only one length can be -1, got shape [-1, -1]") { try tensor.reshaped([-1, -1]) }
        expectErrorText("reshape: negative length -2 in shape [-2, -3]") { try tensor.reshaped([-2, -3]) }
        expectErrorText("reshape: cannot reshape a tensor of shape [0, 3] (0 elements) into shape [0, -1]") {
            try contiguousTensor([0, 3], .int64).reshaped([0, -1])
        }
    }

    @Test(arguments: inputCases)
    func transposesAndPermutations(_ input: InputCase) throws {
        let tensor = input.tensor
        let reference = Reference(tensor)
        let rank = input.shape.count
        let reversed = Array((0..<rank).reversed())
        expectMatches(tensor.transposed(), reference.permuted(reversed))
        expectMatches(tensor.T, reference.permuted(reversed))
        #expect(tensor.T.storage === tensor.storage)
        // Every rotation and one swap, given with negative axes too.
        for shift in 0..<max(rank, 1) {
            let axes = (0..<rank).map { ($0 + shift) % rank }
            expectMatches(try tensor.permuted(axes), reference.permuted(axes))
            expectMatches(try tensor.permuted(axes.map { $0 - rank }), reference.permuted(axes))
        }
        if rank >= 2 {
            var swapped = Array(0..<rank)
            swapped.swapAt(0, rank - 1)
            expectMatches(try tensor.swappingAxes(0, -1), reference.permuted(swapped))
        }
    }

    @Test func permutationErrors() {
        let tensor = contiguousTensor([2, 3], .float32)
        expectErrorText("permute: axes [0, 0] are not a permutation of the axes of a tensor of shape [2, 3]") {
            try tensor.permuted([0, 0])
        }
        expectErrorText("permute: axes [0] are not a permutation of the axes of a tensor of shape [2, 3]") {
            try tensor.permuted([0])
        }
        expectErrorText("permute: axes [0, 2] are not a permutation of the axes of a tensor of shape [2, 3]") {
            try tensor.permuted([0, 2])
        }
        expectErrorText("swapaxes: axis 2 is out of range for a tensor of rank 2") { try tensor.swappingAxes(0, 2) }
        expectErrorText("swapaxes: axis -3 is out of range for a tensor of rank 2") { try tensor.swappingAxes(-3, 1) }
    }

    @Test(arguments: inputCases)
    func squeezeAndUnsqueeze(_ input: InputCase) throws {
        let tensor = input.tensor
        let reference = Reference(tensor)
        let shape = input.shape
        expectMatches(try tensor.squeezed(), reference.reshaped(shape.filter { $0 != 1 }))
        for axis in shape.indices where shape[axis] == 1 {
            var expected = shape
            expected.remove(at: axis)
            expectMatches(try tensor.squeezed(axes: [axis]), reference.reshaped(expected))
            expectMatches(try tensor.squeezed(axes: [axis - shape.count]), reference.reshaped(expected))
        }
        for axis in -(shape.count + 1)...shape.count {
            var expected = shape
            expected.insert(1, at: axis < 0 ? axis + shape.count + 1 : axis)
            let result = try tensor.unsqueezed(axis: axis)
            expectMatches(result, reference.reshaped(expected), "axis \(axis)")
            #expect(result.storage === tensor.storage)
        }
    }

    @Test func squeezeErrors() {
        let tensor = contiguousTensor([2, 1, 3], .int64)
        expectErrorText("squeeze: cannot squeeze axis 2 of length 3 in a tensor of shape [2, 1, 3]") {
            try tensor.squeezed(axes: [1, 2])
        }
        expectErrorText("squeeze: axis 3 is out of range for a tensor of rank 3") { try tensor.squeezed(axes: [3]) }
        expectErrorText("squeeze: axis -1 is repeated") { try tensor.squeezed(axes: [2, -1]) }
        expectErrorText("unsqueeze: axis 4 is out of range for a tensor of rank 4") { try tensor.unsqueezed(axis: 4) }
        expectErrorText("unsqueeze: axis -5 is out of range for a tensor of rank 4") {
            try tensor.unsqueezed(axis: -5)
        }
    }

    @Test(arguments: inputCases)
    func flips(_ input: InputCase) throws {
        let tensor = input.tensor
        let reference = Reference(tensor)
        let rank = input.shape.count
        let flippedAll = try tensor.flipped()
        expectMatches(flippedAll, reference.flipped(Array(0..<rank)))
        #expect(flippedAll.storage === tensor.storage)
        for axis in 0..<rank {
            expectMatches(try tensor.flipped(axes: [axis]), reference.flipped([axis]))
            expectMatches(try tensor.flipped(axes: [axis - rank]), reference.flipped([axis]))
        }
        // Flipping twice is the identity, and flips compose with other views.
        expectMatches(try flippedAll.flipped(), reference)
        expectMatches(try flippedAll.transposed().flipped(), reference.permuted((0..<rank).reversed()))
    }

    @Test func flipErrors() {
        let tensor = contiguousTensor([2, 3], .bool)
        expectErrorText("flip: axis 2 is out of range for a tensor of rank 2") { try tensor.flipped(axes: [2]) }
        expectErrorText("flip: axis -2 is repeated") { try tensor.flipped(axes: [0, -2]) }
    }
}

// MARK: - Joining and splitting

/// The naive concatenation: element `i` along `axis` comes from the piece whose range holds `i`.
func referenceConcatenate(_ pieces: [Reference], axis: Int) -> Reference {
    var shape = pieces[0].shape
    shape[axis] = pieces.reduce(0) { $0 + $1.shape[axis] }
    return Reference.build(shape) { index in
        var position = index[axis]
        for piece in pieces {
            if position < piece.shape[axis] {
                var source = index
                source[axis] = position
                return piece[source]
            }
            position -= piece.shape[axis]
        }
        preconditionFailure("unreachable")
    }
}

@Suite struct JoiningTests {
    @Test(arguments: inputCases.filter { !$0.shape.isEmpty })
    func concatenateAlongEveryAxis(_ input: InputCase) throws {
        let first = input.tensor
        for axis in input.shape.indices {
            // A second piece of another length on `axis`, another layout and another dtype.
            var otherShape = input.shape
            otherShape[axis] = 2
            let second = viewedTensor(otherShape, .int64, .flipped)
            var emptyShape = input.shape
            emptyShape[axis] = 0
            let empty = viewedTensor(emptyShape, input.dtype, .transposed)
            let pieces = [first, second, empty, first]
            let result = try Tensor.concatenate(pieces, axis: axis - (axis % 2) * input.shape.count)
            #expect(result.dtype == DType.promote(input.dtype, .int64))
            expectMatches(result, referenceConcatenate(pieces.map(Reference.init), axis: axis), "axis \(axis)")
            let single = try Tensor.concatenate([first], axis: axis)
            expectMatches(single, Reference(first))
        }
    }

    @Test(arguments: inputCases)
    func stackAlongEveryAxis(_ input: InputCase) throws {
        let first = input.tensor
        let second = try viewedTensor(input.shape, .float32, .contiguous).flattened().reshaped(input.shape)
        let rank = input.shape.count
        for axis in 0...rank {
            let result = try Tensor.stack([first, second, first], axis: axis - (axis % 2) * (rank + 1))
            #expect(result.dtype == DType.promote(input.dtype, .float32))
            let pieces = [first, second, first].map { Reference($0).reshaped(
                Array(input.shape[..<axis]) + [1] + Array(input.shape[axis...])) }
            expectMatches(result, referenceConcatenate(pieces, axis: axis), "axis \(axis)")
        }
    }

    @Test(arguments: inputCases.filter { !$0.shape.isEmpty })
    func splits(_ input: InputCase) throws {
        let tensor = input.tensor
        let reference = Reference(tensor)
        for axis in input.shape.indices {
            let length = input.shape[axis]
            for sections in 1...max(1, length) where length % sections == 0 {
                let pieces = try tensor.split(sections: sections, axis: axis)
                #expect(pieces.count == sections)
                #expect(pieces.allSatisfy { $0.storage === tensor.storage })
                expectMatches(try Tensor.concatenate(pieces, axis: axis), reference)
                let piece = length / sections
                for (number, part) in pieces.enumerated() {
                    var shape = input.shape
                    shape[axis] = piece
                    expectMatches(part, Reference.build(shape) { index in
                        var source = index
                        source[axis] += number * piece
                        return reference[source]
                    })
                }
            }
            // Python slice bounds: negative, clipped and decreasing indices.
            for indices in [[1], [0, length], [-1, 1, 99], [2, -2], []] {
                let pieces = try tensor.split(at: indices, axis: axis)
                #expect(pieces.count == indices.count + 1)
                let bounds = [0] + indices.map { min(max($0 < 0 ? $0 + length : $0, 0), length) } + [length]
                for (number, part) in pieces.enumerated() {
                    let start = bounds[number], stop = max(bounds[number + 1], start)
                    var shape = input.shape
                    shape[axis] = stop - start
                    expectMatches(part, Reference.build(shape) { index in
                        var source = index
                        source[axis] += start
                        return reference[source]
                    }, "indices \(indices) piece \(number)")
                }
            }
        }
    }

    @Test func joiningErrors() throws {
        let a = contiguousTensor([2, 3], .float64), b = contiguousTensor([3, 3], .float64)
        let c = contiguousTensor([2, 4], .int64)
        expectErrorText("concatenate: shapes [2, 3], [3, 3], [2, 4] must agree on every axis except axis 1") {
            try Tensor.concatenate([a, b, c], axis: 1)
        }
        expectErrorText("concatenate: shapes [2, 3], [2, 4] must agree on every axis except axis 0") {
            try Tensor.concatenate([a, c], axis: 0)
        }
        expectErrorText("concatenate: tensors must have the same rank, got shapes [2, 3], [3]") {
            try Tensor.concatenate([a, contiguousTensor([3], .float64)], axis: 0)
        }
        expectErrorText("concatenate: 0-d tensors cannot be concatenated, got shapes [], []") {
            try Tensor.concatenate([Tensor(scalar: 1.0), Tensor(scalar: 2.0)], axis: 0)
        }
        expectErrorText("concatenate: needs at least one tensor") { try Tensor.concatenate([], axis: 0) }
        expectErrorText("concatenate: axis 2 is out of range for a tensor of rank 2") {
            try Tensor.concatenate([a, a], axis: 2)
        }
        expectErrorText("stack: all tensors must have the same shape, got [2, 3], [3, 3]") {
            try Tensor.stack([a, b])
        }
        expectErrorText("stack: needs at least one tensor") { try Tensor.stack([]) }
        expectErrorText("stack: axis 3 is out of range for a tensor of rank 3") { try Tensor.stack([a, a], axis: 3) }
        expectErrorText("split: axis 1 of length 3 in a tensor of shape [2, 3] does not divide into 2 equal sections") {
            try a.split(sections: 2, axis: 1)
        }
        expectErrorText("split: sections must be at least 1, got 0") { try a.split(sections: 0) }
        expectErrorText("split: axis 2 is out of range for a tensor of rank 2") { try a.split(sections: 1, axis: 2) }
        expectErrorText("split: axis -3 is out of range for a tensor of rank 2") { try a.split(at: [1], axis: -3) }
    }
}

// MARK: - Take, take along an axis, repeat, tile

@Suite struct TakingTests {
    @Test(arguments: inputCases.filter { !$0.shape.isEmpty })
    func takeAlongEveryAxis(_ input: InputCase) throws {
        let tensor = input.tensor
        let reference = Reference(tensor)
        for axis in input.shape.indices {
            let length = input.shape[axis]
            // Index tensors of rank 0, 1 and 2 (transposed), negative entries included.
            let choices: [Tensor] = length == 0
                ? [Tensor([Int64]()), try Tensor(shape: [0, 2], scalars: [Int64]())]
                : [Tensor(scalar: Int64(length - 1)), Tensor([0, Int64(-length), Int64(length - 1), 0]),
                   try Tensor([[Int64(-1), 0, Int64(length / 2)], [0, 0, Int64(-1)]]).transposed()]
            for indices in choices {
                let positions = Reference(indices)
                let shape = Array(input.shape[..<axis]) + indices.shape + Array(input.shape[(axis + 1)...])
                let expected = Reference.build(shape) { index in
                    let chosen = Int(positions[Array(index[axis..<(axis + indices.rank)])])
                    return reference[Array(index[..<axis]) + [chosen < 0 ? chosen + length : chosen]
                                     + Array(index[(axis + indices.rank)...])]
                }
                let result = try tensor.take(indices, axis: axis)
                expectMatches(result, expected, "axis \(axis) indices \(positions)")
                #expect(result.dtype == input.dtype)
            }
        }
        // No axis: the flattened tensor.
        if reference.values.count > 1 {
            let flat = try tensor.take(Tensor([Int64(1), -1, 0]))
            expectMatches(flat, Reference(shape: [3], values: [reference.values[1], reference.values.last!,
                                                               reference.values[0]]))
        }
    }

    @Test(arguments: inputCases.filter { !$0.shape.isEmpty })
    func takeAlongAxisBroadcasts(_ input: InputCase) throws {
        let tensor = input.tensor
        let reference = Reference(tensor)
        let rank = input.shape.count
        for axis in 0..<rank where input.shape[axis] > 0 {
            let length = input.shape[axis]
            // Off `axis`, the indices either match the tensor or have length 1 (broadcast); on it, length 3.
            var indexShape = input.shape.enumerated().map { $0.offset % 2 == 0 ? $0.element : 1 }
            indexShape[axis] = 3
            let count = indexShape.reduce(1, *)
            let indices = try Tensor(shape: indexShape,
                                     scalars: (0..<count).map { Int64(($0 * 7) % (2 * length) - length) })
            let positions = Reference(indices)
            var resultShape = zip(input.shape, indexShape).map { $0 == 1 ? $1 : $0 }
            resultShape[axis] = 3
            let expected = Reference.build(resultShape) { index in
                let chosen = Int(positions[index.indices.map { indexShape[$0] == 1 ? 0 : index[$0] }])
                var source = index.indices.map { input.shape[$0] == 1 ? 0 : index[$0] }
                source[axis] = chosen < 0 ? chosen + length : chosen
                return reference[source]
            }
            expectMatches(try tensor.takeAlongAxis(indices, axis: axis), expected, "axis \(axis)")
            expectMatches(try tensor.takeAlongAxis(indices, axis: axis - rank), expected, "axis \(axis - rank)")
        }
    }

    @Test(arguments: inputCases)
    func repeatAndTile(_ input: InputCase) throws {
        let tensor = input.tensor
        let reference = Reference(tensor)
        let shape = input.shape
        expectMatches(try tensor.repeated(2), Reference(shape: [reference.values.count * 2],
                                                        values: reference.values.flatMap { [$0, $0] }))
        for axis in shape.indices {
            let counts = (0..<shape[axis]).map { ($0 * 2) % 3 }
            var starts = [0]
            for count in counts { starts.append(starts.last! + count) }
            var resultShape = shape
            resultShape[axis] = starts.last!
            let expected = Reference.build(resultShape) { index in
                var source = index
                source[axis] = starts.lastIndex { $0 <= index[axis] }!
                return reference[source]
            }
            expectMatches(try tensor.repeated(counts, axis: axis), expected, "axis \(axis)")
        }
        for repetitions in [[2], [1, 3], [2, 1, 2, 1, 1], [0, 2]] {
            let rank = max(shape.count, repetitions.count)
            let lengths = [Int](repeating: 1, count: rank - shape.count) + shape
            let counts = [Int](repeating: 1, count: rank - repetitions.count) + repetitions
            let padded = reference.reshaped(lengths)
            let expected = Reference.build(zip(lengths, counts).map { $0 * $1 }) { index in
                padded[index.indices.map { index[$0] % lengths[$0] }]
            }
            expectMatches(try tensor.tiled(repetitions), expected, "repetitions \(repetitions)")
        }
    }

    @Test func takingErrors() throws {
        let a = contiguousTensor([2, 3], .float64)
        expectErrorText("take: index 3 is out of bounds for axis 1 with size 3") {
            try a.take(Tensor([Int64(0), 3]), axis: 1)
        }
        expectErrorText("take: index -7 is out of bounds for axis 0 with size 6") { try a.take(Tensor([Int64(-7)])) }
        expectErrorText("take: indices must be int64, got float64") { try a.take(Tensor([0.0]), axis: 0) }
        expectErrorText("take: axis 2 is out of range for a tensor of rank 2") {
            try a.take(Tensor([Int64(0)]), axis: 2)
        }
        let indices = try Tensor([[Int64(0)], [Int64(2)]])
        expectErrorText("take_along_axis: indices of shape [2] must have the rank of the tensor, of shape [2, 3]") {
            try a.takeAlongAxis(Tensor([Int64(0), 1]), axis: 1)
        }
        expectErrorText("take_along_axis: indices of shape [3, 1] do not broadcast against a tensor of shape [2, 3] "
                        + "off axis 1") {
            try a.takeAlongAxis(try Tensor([[Int64(0)], [0], [0]]), axis: 1)
        }
        expectErrorText("take_along_axis: index 2 is out of bounds for axis 0 with size 2") {
            try a.takeAlongAxis(indices, axis: 0)
        }
        expectErrorText("take_along_axis: axis 2 is out of range for a tensor of rank 2") {
            try a.takeAlongAxis(indices, axis: 2)
        }
        expectErrorText("take_along_axis: indices must be int64, got bool") {
            try a.takeAlongAxis(try Tensor([[true]]), axis: 0)
        }
        expectErrorText("repeat: repeats must be >= 0, got -1") { try a.repeated(-1) }
        expectErrorText("repeat: 2 counts for axis 1 of length 3 in a tensor of shape [2, 3]") {
            try a.repeated([1, 2], axis: 1)
        }
        expectErrorText("repeat: axis 2 is out of range for a tensor of rank 2") { try a.repeated(1, axis: 2) }
        expectErrorText("tile: repetitions must be >= 0, got -2") { try a.tiled([1, -2]) }
        expectErrorText("repeat: shape [9223372036854775807] is too large") { try a.repeated(Int.max) }
        expectErrorText("repeat: shape [2, 4611686018427387904] is too large") {
            try a.repeated([1 << 62, 0, 0], axis: 1)
        }
        expectErrorText("tile: tiling shape [2, 3] by [4611686018427387904, 1] gives too many elements") {
            try a.tiled([1 << 62, 1])
        }
        expectErrorText("tile: tiling shape [2, 3] by [3037000499, 3037000499] gives too many elements") {
            try a.tiled([3_037_000_499, 3_037_000_499])
        }
    }
}
