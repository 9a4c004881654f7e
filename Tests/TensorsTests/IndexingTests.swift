import Testing
@testable import Tensors

// MARK: - The naive model of numpy indexing

/// One axis-level selection of the naive model.
private enum Selector {
    case fixed(Int)
    case positions([Int])
    case newAxis
    /// Normalised positions of an index array (or one axis of a mask's nonzero), with the array's shape.
    case advanced(shape: [Int], values: [Int])
    /// A 0-d bool: selects from a new axis of length 1, consuming no input axis.
    case advancedNewAxis(shape: [Int])
}

/// Python's `range(length)[start:stop:step]`, spelled out with explicit clamping.
func pythonSlice(_ start: Int?, _ stop: Int?, _ step: Int?, length: Int) -> [Int] {
    let step = step ?? 1
    if step > 0 {
        var first = start ?? 0, end = stop ?? length
        if first < 0 { first += length }
        if end < 0 { end += length }
        first = min(max(first, 0), length)
        end = min(max(end, 0), length)
        return first < end ? Array(stride(from: first, to: end, by: step)) : []
    }
    var first = start ?? length - 1, end = stop ?? -1
    if start != nil && first < 0 { first += length }
    if stop != nil && end < 0 { end += length }
    first = min(max(first, -1), length - 1)
    end = min(max(end, -1), length - 1)
    return first > end ? Array(stride(from: first, to: end, by: step)) : []
}

/// numpy's broadcast of several shapes, naively.
func broadcastShapes(_ shapes: [[Int]]) -> [Int]? {
    let rank = shapes.map(\.count).max() ?? 0
    var result = [Int](repeating: 1, count: rank)
    for shape in shapes {
        for (axis, length) in shape.enumerated() {
            let target = axis + rank - shape.count
            if result[target] == 1 { result[target] = length } else if length != 1 && length != result[target] {
                return nil
            }
        }
    }
    return result
}

/// numpy's `x[items]` on the naive model: the result's shape and, for each result element in row-major order, the
/// row-major position of the input element it reads. Assumes a valid index expression.
func referenceIndex(_ shape: [Int], _ items: [TensorIndex]) -> (shape: [Int], sources: [Int]) {
    let consumed = items.reduce(0) { total, item in
        switch item {
        case .index, .slice: return total + 1
        case .array(let array): return total + (array.dtype == .bool ? array.rank : 1)
        case .newAxis, .ellipsis: return total
        }
    }
    let hasArray = items.contains { if case .array = $0 { return true } else { return false } }
    var selectors: [(selector: Selector, item: Int)] = []
    var axis = 0
    func whole() -> Selector { defer { axis += 1 }; return .positions(Array(0..<shape[axis])) }
    var advancedItems: [Int] = []
    for (number, item) in items.enumerated() {
        switch item {
        case .index(let position):
            selectors.append((.fixed(position < 0 ? position + shape[axis] : position), number))
            axis += 1
            if hasArray { advancedItems.append(number) }
        case .slice(let start, let stop, let step):
            selectors.append((.positions(pythonSlice(start, stop, step, length: shape[axis])), number))
            axis += 1
        case .newAxis:
            selectors.append((.newAxis, number))
        case .ellipsis:
            for _ in 0..<(shape.count - consumed) { selectors.append((whole(), number)) }
        case .array(let array) where array.dtype == .int64:
            let values = array.scalars(as: Int64.self).map { Int($0) < 0 ? Int($0) + shape[axis] : Int($0) }
            selectors.append((.advanced(shape: array.shape, values: values), number))
            axis += 1
            advancedItems.append(number)
        case .array(let mask):
            advancedItems.append(number)
            let reference = Reference(mask)
            let trues = Reference.allIndices(mask.shape).filter { reference[$0] != 0 }
            if mask.rank == 0 {
                selectors.append((.advancedNewAxis(shape: [trues.count]), number))
            }
            for maskAxis in 0..<mask.rank {
                selectors.append((.advanced(shape: [trues.count], values: trues.map { $0[maskAxis] }), number))
                axis += 1
            }
        }
    }
    while axis < shape.count { selectors.append((whole(), items.count)) }

    var blockShapes: [[Int]] = []
    for (selector, _) in selectors {
        switch selector {
        case .advanced(let arrayShape, _), .advancedNewAxis(let arrayShape): blockShapes.append(arrayShape)
        default: break
        }
    }
    let block = broadcastShapes(blockShapes)!
    let basicLengths: [(length: Int, item: Int)] = selectors.compactMap { selector, item in
        switch selector {
        case .positions(let positions): return (positions.count, item)
        case .newAxis: return (1, item)
        default: return nil
        }
    }
    let adjacent = advancedItems.isEmpty || advancedItems.last! - advancedItems.first! == advancedItems.count - 1
    let split = blockShapes.isEmpty || !adjacent ? 0 : basicLengths.filter { $0.item < advancedItems[0] }.count
    let basic = basicLengths.map(\.length)
    let resultShape = Array(basic[..<split]) + (blockShapes.isEmpty ? [] : block) + Array(basic[split...])
    let input = Reference(shape: shape, values: [Double](repeating: 0, count: shape.reduce(1, *)))
    let blockRank = blockShapes.isEmpty ? 0 : block.count
    let sources = Reference.allIndices(resultShape).map { index -> Int in
        let blockIndex = Array(index[split..<(split + blockRank)])
        var basicIndex = Array(index[..<split] + index[(split + blockRank)...])[...]
        var source: [Int] = []
        for (selector, _) in selectors {
            switch selector {
            case .fixed(let position): source.append(position)
            case .positions(let positions): source.append(positions[basicIndex.removeFirst()])
            case .newAxis: basicIndex.removeFirst()
            case .advancedNewAxis: break
            case .advanced(let arrayShape, let values):
                let shift = blockRank - arrayShape.count
                let element = Reference(shape: arrayShape, values: values.map(Double.init))[
                    arrayShape.indices.map { arrayShape[$0] == 1 ? 0 : blockIndex[$0 + shift] }]
                source.append(Int(element))
            }
        }
        return input.flatIndex(source)
    }
    return (resultShape, sources)
}

// MARK: - Random index expressions

/// A small deterministic generator (SplitMix64), so that every run tests the same expressions.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A random valid index expression for `shape`: ints, slices (negative and out-of-range bounds, negative steps),
/// new axes, an ellipsis, int64 arrays that broadcast together, bool masks over one or two axes and 0-d bools.
func randomIndex(_ shape: [Int], _ random: inout SplitMix) -> [TensorIndex] {
    enum Kind { case int, slice, array, mask(Int), boolScalar }
    let rank = shape.count
    // The kinds, consuming at most `rank` axes; at most one mask, so that the broadcast block stays valid.
    var kinds: [Kind] = []
    var remaining = Int.random(in: 0...rank, using: &random)
    var hasMask = false
    while remaining > 0 || (kinds.isEmpty && Int.random(in: 0..<4, using: &random) == 0) {
        let roll = Int.random(in: 0..<10, using: &random)
        if remaining == 0 { kinds.append(.boolScalar); break }
        if roll < 2 { kinds.append(.int); remaining -= 1 }
        else if roll < 5 { kinds.append(.slice); remaining -= 1 }
        else if roll < 8 { kinds.append(.array); remaining -= 1 }
        else if roll < 9 && !hasMask {
            let axes = Int.random(in: 1...min(2, remaining), using: &random)
            kinds.append(.mask(axes)); remaining -= axes; hasMask = true
        } else { kinds.append(.boolScalar) }
    }
    let consumedBy: (Kind) -> Int = { kind in
        switch kind {
        case .int, .slice, .array: return 1
        case .mask(let axes): return axes
        case .boolScalar: return 0
        }
    }
    let total = kinds.map(consumedBy).reduce(0, +)
    let ellipsisAt: Int? = Bool.random(using: &random) ? Int.random(in: 0...kinds.count, using: &random) : nil
    // The common block shape of the int arrays: every array takes it or a broadcastable reduction of it.
    let blocks: [[Int]] = hasMask ? [[1], []] : [[], [3], [2, 3], [0], [2, 1, 2]]
    let block = blocks.randomElement(using: &random)!
    var items: [TensorIndex] = []
    var axis = 0
    for (position, kind) in kinds.enumerated() {
        if position == ellipsisAt {
            items.append(.ellipsis)
            axis = rank - kinds[position...].map(consumedBy).reduce(0, +)
        }
        if Int.random(in: 0..<6, using: &random) == 0 { items.append(.newAxis) }
        let length = axis < rank ? shape[axis] : 0
        switch kind {
        case .int where length > 0:
            items.append(.index(Int.random(in: -length..<length, using: &random)))
        case .int, .slice:
            func bound(_ random: inout SplitMix) -> Int? {
                if Int.random(in: 0..<4, using: &random) == 0 { return nil }
                return Int.random(in: (-length - 2)...(length + 2), using: &random)
            }
            let steps: [Int?] = [nil, 1, 2, 3, -1, -2, -3]
            let start = bound(&random), stop = bound(&random)
            items.append(.slice(start: start, stop: stop, step: steps.randomElement(using: &random)!))
        case .array:
            var arrayShape = block.map { Bool.random(using: &random) ? $0 : 1 }
            if !arrayShape.isEmpty && Bool.random(using: &random) { arrayShape.removeFirst() }
            let count = arrayShape.reduce(1, *)
            if length == 0 && count > 0 {
                items.append(.all)
            } else {
                let values = (0..<count).map { _ in Int64(Int.random(in: -length..<max(length, 1), using: &random)) }
                items.append(.array(try! Tensor(shape: arrayShape, scalars: values)))
            }
        case .mask(let axes):
            let maskShape = Array(shape[axis..<(axis + axes)])
            let count = maskShape.reduce(1, *)
            let values = (0..<count).map { _ in Int.random(in: 0..<3, using: &random) > 0 }
            items.append(.array(try! Tensor(shape: maskShape, scalars: values)))
        case .boolScalar:
            // False selects a block of length 0, which broadcasts only against lengths 0 and 1.
            let falseFits = !hasMask && (block.last ?? 0) <= 1
            items.append(.array(Tensor(scalar: !falseFits || Int.random(in: 0..<4, using: &random) > 0)))
        }
        axis += consumedBy(kind)
    }
    if ellipsisAt == kinds.count { items.append(.ellipsis) }
    precondition(total <= rank)
    return items
}

func describe(_ items: [TensorIndex]) -> String {
    items.map { item -> String in
        switch item {
        case .index(let position): return "\(position)"
        case .slice(let start, let stop, let step):
            return "\(start.map(String.init) ?? ""):\(stop.map(String.init) ?? ""):\(step.map(String.init) ?? "")"
        case .newAxis: return "None"
        case .ellipsis: return "..."
        case .array(let array): return "\(array.dtype)\(array.shape)\(array.scalars(as: Double.self))"
        }
    }.joined(separator: ", ")
}

// MARK: - Tests

@Suite struct IndexingTests {
    /// Random expressions over every shape, dtype and layout: `get` against the naive model; basic expressions give
    /// views, advanced ones copies.
    @Test(arguments: inputCases)
    func getMatchesReference(_ input: InputCase) throws {
        let tensor = input.tensor
        let reference = Reference(tensor)
        var random = SplitMix(state: UInt64(input.testDescription.utf8.reduce(7) { $0 &* 31 &+ Int($1) }.magnitude))
        for _ in 0..<12 {
            let items = randomIndex(input.shape, &random)
            let (shape, sources) = referenceIndex(input.shape, items)
            let result = try tensor.get(items)
            expectMatches(result, Reference(shape: shape, values: sources.map { reference.values[$0] }),
                          "x\(input.shape)[\(describe(items))]")
            #expect(result.dtype == input.dtype)
            let advanced = items.contains { if case .array = $0 { return true } else { return false } }
            #expect((result.storage === tensor.storage) == !advanced, "x\(input.shape)[\(describe(items))]")
        }
    }

    /// Random expressions: `set` against the naive model (value broadcast, converted, last write wins), and the
    /// tensor it was copied from, sharing its storage, never changes.
    @Test(arguments: inputCases)
    func setMatchesReference(_ input: InputCase) throws {
        let original = input.tensor
        let before = Reference(original)
        var random = SplitMix(state: UInt64(input.testDescription.utf8.reduce(11) { $0 &* 37 &+ Int($1) }.magnitude))
        for round in 0..<12 {
            let items = randomIndex(input.shape, &random)
            let (shape, sources) = referenceIndex(input.shape, items)
            // The value: the selection's shape with some axes of length 1 and maybe fewer axes, another dtype.
            var valueShape = shape.map { Bool.random(using: &random) ? $0 : 1 }
            if !valueShape.isEmpty && Bool.random(using: &random) { valueShape.removeFirst() }
            let valueDType = allDTypes[round % allDTypes.count]
            let value = viewedTensor(valueShape, valueDType, ViewLayout.allCases[round % ViewLayout.allCases.count])
            let converted = Reference(value.astype(input.dtype)).broadcast(to: shape)
            var expected = before
            for (position, source) in sources.enumerated() { expected.values[source] = converted.values[position] }
            var tensor = original
            try tensor.set(items, to: value)
            expectMatches(tensor, expected, "x\(input.shape)[\(describe(items))] = \(valueShape)")
            #expect(tensor.dtype == input.dtype)
            expectMatches(original, before, "the source of the copy changed")
        }
    }

    /// Cases checked against numpy 2.4 itself; each result was printed by the python line beside it, with
    /// `a = np.arange(24).reshape(2, 3, 4)` and `show(x)` printing shape and `x.ravel().tolist()`.
    @Test func agreesWithNumpy() throws {
        let a = try Tensor.arange(24).reshaped([2, 3, 4])
        let ints: ([Int64]) -> TensorIndex = { .array(Tensor($0)) }
        let cases: [(String, [TensorIndex], [Int], [Double])] = [
            // show(a[0, :, [0, 1]])  — the int counts as advanced: separated by the slice, the block goes first
            ("a[0, :, [0, 1]]", [.index(0), .all, ints([0, 1])], [2, 3], [0, 4, 8, 1, 5, 9]),
            // show(a[:, [2, 0], 1:3])
            ("a[:, [2, 0], 1:3]", [.all, ints([2, 0]), .slice(start: 1, stop: 3, step: nil)], [2, 2, 2],
             [9, 10, 1, 2, 21, 22, 13, 14]),
            // show(a[[1, 0], :, [3, -1]])
            ("a[[1, 0], :, [3, -1]]", [ints([1, 0]), .all, ints([3, -1])], [2, 3], [15, 19, 23, 3, 7, 11]),
            // show(a[..., None, [1, 2]])
            ("a[..., None, [1, 2]]", [.ellipsis, .newAxis, ints([1, 2])], [2, 3, 1, 2],
             [1, 2, 5, 6, 9, 10, 13, 14, 17, 18, 21, 22]),
            // show(a[1, ::-2, None])
            ("a[1, ::-2, None]", [.index(1), .slice(start: nil, stop: nil, step: -2), .newAxis], [2, 1, 4],
             [20, 21, 22, 23, 12, 13, 14, 15]),
            // show(a[[[0], [1]], [0, 2]])
            ("a[[[0], [1]], [0, 2]]", [.array(try Tensor([[Int64(0)], [1]])), ints([0, 2])], [2, 2, 4],
             [0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 20, 21, 22, 23]),
            // show(a[:, np.array(True), 0, [1]])
            ("a[:, True, 0, [1]]", [.all, .array(Tensor(scalar: true)), .index(0), ints([1])], [2, 1], [1, 13]),
            // show(a[:, -1:-4:-1, 5:-6:-3])
            ("a[:, -1:-4:-1, 5:-6:-3]",
             [.all, .slice(start: -1, stop: -4, step: -1), .slice(start: 5, stop: -6, step: -3)],
             [2, 3, 2], [11, 8, 7, 4, 3, 0, 23, 20, 19, 16, 15, 12]),
            // show(a[:, np.array([[True, False, False, True]] * 3)])
            ("a[:, mask2d]", [.all, .array(try Tensor(Array(repeating: [true, false, false, true], count: 3)))],
             [2, 6], [0, 3, 4, 7, 8, 11, 12, 15, 16, 19, 20, 23]),
        ]
        for (text, items, shape, values) in cases {
            expectMatches(try a.get(items), Reference(shape: shape, values: values), text)
        }
        // show(a[a % 5 == 0])
        let mask = try Tensor(shape: [2, 3, 4], scalars: (0..<24).map { $0 % 5 == 0 })
        expectMatches(try a.get([.array(mask)]), Reference(shape: [5], values: [0, 5, 10, 15, 20]))
    }

    /// Writes checked against numpy 2.4 (`show` as above).
    @Test func setAgreesWithNumpy() throws {
        let a = try Tensor.arange(24).reshaped([2, 3, 4])
        // b = a.copy(); b[[0, 0], [1, 1]] = np.array([[100], [200]]); show(b)  — the last write wins
        var b = a
        try b.set([.array(Tensor([Int64(0), 0])), .array(Tensor([Int64(1), 1]))],
                  to: try Tensor([[Int64(100)], [200]]))
        expectMatches(b, Reference(shape: [2, 3, 4],
                                   values: [0, 1, 2, 3, 200, 200, 200, 200] + (8..<24).map(Double.init)))
        // b = a.astype(np.float32); b[b > 20] = -1.5; show(b)
        var c = a.astype(.float32)
        try c.set([.array(try Tensor(shape: [2, 3, 4], scalars: (0..<24).map { $0 > 20 }))], to: Tensor(scalar: -1.5))
        #expect(c.dtype == .float32)
        expectMatches(c, Reference(shape: [2, 3, 4], values: (0..<21).map(Double.init) + [-1.5, -1.5, -1.5]))
        // b = a.copy(); b[:, 1:, ::-2] = np.array([7.9, -7.9]); show(b)  — float to int64 truncates toward zero
        var d = a
        try d.set([.all, .slice(start: 1, stop: nil, step: nil), .slice(start: nil, stop: nil, step: -2)],
                  to: Tensor([7.9, -7.9]))
        expectMatches(d, Reference(shape: [2, 3, 4], values: [0, 1, 2, 3, 4, -7, 6, 7, 8, -7, 10, 7, 12, 13, 14, 15,
                                                               16, -7, 18, 7, 20, -7, 22, 7]))
        expectMatches(a, Reference(shape: [2, 3, 4], values: (0..<24).map(Double.init)))
    }

    /// Joining and gathering results checked against numpy 2.4:
    /// ```
    /// x = np.array([[10, 30, 20], [60, 40, 50]]); show(np.take_along_axis(x, np.argsort(x, axis=1), axis=1))
    /// show(np.take(a, [[2, 0]], axis=2))
    /// show(np.concatenate([np.array([[1, 2]]), np.array([[3.5, 4.5]], dtype=np.float32)], axis=0))  # float64
    /// show(np.stack([np.array([1, 2]), np.array([3, 4])], axis=1))
    /// show(np.tile(np.array([[1, 2]]), (2, 1, 2)))
    /// show(np.repeat(np.array([[1, 2], [3, 4]]), [1, 2], axis=0))
    /// [s.tolist() for s in np.split(np.arange(6), [1, -1, 2])]   # [[0], [1, 2, 3, 4], [], [2, 3, 4, 5]]
    /// ```
    @Test func movementAgreesWithNumpy() throws {
        let a = try Tensor.arange(24).reshaped([2, 3, 4])
        let x = try Tensor([[Int64(10), 30, 20], [60, 40, 50]])
        let order = try Tensor([[Int64(0), 2, 1], [1, 2, 0]])
        expectMatches(try x.takeAlongAxis(order, axis: 1), Reference(shape: [2, 3], values: [10, 20, 30, 40, 50, 60]))
        expectMatches(try a.take(try Tensor([[Int64(2), 0]]), axis: 2),
                      Reference(shape: [2, 3, 1, 2], values: [2, 0, 6, 4, 10, 8, 14, 12, 18, 16, 22, 20]))
        let joined = try Tensor.concatenate([try Tensor([[Int64(1), 2]]), try Tensor([[Float(3.5), 4.5]])], axis: 0)
        #expect(joined.dtype == .float64)
        expectMatches(joined, Reference(shape: [2, 2], values: [1, 2, 3.5, 4.5]))
        expectMatches(try Tensor.stack([Tensor([Int64(1), 2]), Tensor([Int64(3), 4])], axis: 1),
                      Reference(shape: [2, 2], values: [1, 3, 2, 4]))
        expectMatches(try Tensor([[Int64(1), 2]]).tiled([2, 1, 2]),
                      Reference(shape: [2, 1, 4], values: [1, 2, 1, 2, 1, 2, 1, 2]))
        expectMatches(try Tensor([[Int64(1), 2], [3, 4]]).repeated([1, 2], axis: 0),
                      Reference(shape: [3, 2], values: [1, 2, 3, 4, 3, 4]))
        let pieces = try Tensor.arange(6).split(at: [1, -1, 2])
        #expect(pieces.map { $0.scalars(as: Int64.self) } == [[0], [1, 2, 3, 4], [], [2, 3, 4, 5]])
    }

    @Test func slicedAndSelecting() throws {
        let a = viewedTensor([3, 4, 2], .float64, .viewOfView)
        let reference = Reference(a)
        let middle = try a.sliced(axis: 1, 1..<3)
        #expect(middle.storage === a.storage)
        expectMatches(middle, Reference.build([3, 2, 2]) { reference[[$0[0], $0[1] + 1, $0[2]]] })
        expectMatches(try a.sliced(axis: -1, 1..<9), Reference.build([3, 4, 1]) { reference[[$0[0], $0[1], 1]] })
        expectMatches(try a.selecting(-1, axis: 1), Reference.build([3, 2]) { reference[[$0[0], 3, $0[1]]] })
        expectMatches(try a.selecting(2, axis: 0), Reference.build([4, 2]) { reference[[2, $0[0], $0[1]]] })
        expectErrorText("slice: axis 3 is out of range for a tensor of rank 3") { try a.sliced(axis: 3, 0..<1) }
        expectErrorText("index: axis -4 is out of range for a tensor of rank 3") { try a.selecting(0, axis: -4) }
        expectErrorText("index: index 4 is out of bounds for axis 1 with size 4") { try a.selecting(4, axis: 1) }
    }

    /// Copy-on-write: writing through `set` never changes a view or base sharing the storage, and a value that is a
    /// view of the tensor being written is read before it changes.
    @Test func setIsCopyOnWrite() throws {
        let base = try Tensor.arange(12).reshaped([3, 4])
        let baseValues = Reference(base)
        var view = try base.get([.slice(start: nil, stop: nil, step: -1), .index(1)])
        try view.set([.index(0)], to: Tensor(scalar: Int64(-5)))
        expectMatches(view, Reference(shape: [3], values: [-5, 5, 1]))
        expectMatches(base, baseValues)

        var written = base
        let viewOfWritten = try written.get([.all, .slice(start: 1, stop: 3, step: nil)])
        try written.set([.array(Tensor([Int64(0), 2]))], to: Tensor(scalar: 0.0))
        expectMatches(viewOfWritten, Reference.build([3, 2]) { baseValues[[$0[0], $0[1] + 1]] })
        expectMatches(base, baseValues)
        expectMatches(written, Reference(shape: [3, 4], values: [0, 0, 0, 0, 4, 5, 6, 7, 0, 0, 0, 0]))

        // a[::-1] = a: the value is the old content, reversed.
        var reversed = base
        try reversed.set([.slice(start: nil, stop: nil, step: -1)], to: reversed)
        expectMatches(reversed, baseValues.flipped([0]))
        // A gather whose value is a view of the same tensor.
        var shifted = base
        try shifted.set([.all, .array(Tensor([Int64(1), 2, 3]))], to: try shifted.sliced(axis: 1, 0..<3))
        expectMatches(shifted, Reference.build([3, 4]) { baseValues[[$0[0], max($0[1] - 1, 0)]] })
    }

    @Test func indexingErrors() throws {
        let a = contiguousTensor([2, 3], .float64)
        expectErrorText("index: index 5 is out of bounds for axis 0 with size 2") { try a.get([.index(5)]) }
        expectErrorText("index: index -4 is out of bounds for axis 1 with size 3") { try a.get([.all, .index(-4)]) }
        expectErrorText("index: index 7 is out of bounds for axis 1 with size 3") {
            try a.get([.all, .array(Tensor([Int64(0), 7]))])
        }
        expectErrorText("index: index -3 is out of bounds for axis 0 with size 2") {
            try a.get([.array(Tensor([Int64(-3)])), .newAxis])
        }
        expectErrorText("index: too many indices: tensor of shape [2, 3] is 2-dimensional, but 3 were indexed") {
            try a.get([.index(0), .all, .index(0)])
        }
        expectErrorText("index: too many indices: tensor of shape [2, 3] is 2-dimensional, but 3 were indexed") {
            try a.get([.array(try Tensor([[true, false, true], [true, true, true]])), .index(0)])
        }
        expectErrorText("index: an index can only have a single ellipsis") { try a.get([.ellipsis, .ellipsis]) }
        expectErrorText("index: slice step cannot be zero") { try a.get([.slice(start: nil, stop: nil, step: 0)]) }
        expectErrorText("index: index arrays must be int64 or bool, got float32") {
            try a.get([.array(Tensor([Float(0)]))])
        }
        expectErrorText(
            "index: boolean mask of shape [3] does not match axes 0..<1 of shape [2] in a tensor of shape [2, 3]"
        ) { try a.get([.array(Tensor([true, false, true]))]) }
        expectErrorText(
            "index: boolean mask of shape [2, 2] does not match axes 0..<2 of shape [2, 3] in a tensor of shape [2, 3]"
        ) { try a.get([.array(try Tensor([[true, false], [true, true]]))]) }
        expectErrorText("index: index arrays could not be broadcast together, shapes [2], [3]") {
            try a.get([.array(Tensor([Int64(0), 1])), .array(Tensor([Int64(0), 1, 2]))])
        }
        // Several index arrays, and a strided one, are checked while their offsets are summed.
        expectErrorText("index: index 5 is out of bounds for axis 1 with size 3") {
            try a.get([.array(Tensor([Int64(0), 1])), .array(Tensor([Int64(0), 5]))])
        }
        expectErrorText("index: index -3 is out of bounds for axis 0 with size 2") {
            try a.get([.array(try Tensor([Int64(1), 0, -3]).flipped())])
        }
        // Broadcasting index arrays past what memory can hold is refused before anything is allocated.
        let tall = try Tensor(scalar: Int64(0)).broadcast(to: [1 << 20, 1])
        let wide = try Tensor(scalar: Int64(1)).broadcast(to: [1, 1 << 20])
        expectErrorText("index: shape [1048576, 1048576] is too large") {
            try a.get([.array(tall), .array(wide)])
        }
        var b = a
        expectErrorText("index: cannot assign a value of shape [3] to a selection of shape [2]") {
            try b.set([.all, .index(0)], to: Tensor([1.0, 2, 3]))
        }
        expectErrorText("index: cannot assign a value of shape [2, 2] to a selection of shape [2, 3]") {
            try b.set([.ellipsis], to: try Tensor([[1.0, 2], [3, 4]]))
        }
        expectErrorText("index: index 2 is out of bounds for axis 0 with size 2") {
            try b.set([.array(Tensor([Int64(2)]))], to: Tensor(scalar: 1.0))
        }
        expectErrorText(
            "index: boolean mask of shape [3] does not match axes 0..<1 of shape [2] in a tensor of shape [2, 3]"
        ) {
            try b.set([.array(Tensor([true, false, true]))], to: Tensor(scalar: 1.0))
        }
        expectMatches(b, Reference(a))
    }
}
