import Autodiff
import Tensors
import Testing

/// Every primitive's vector-Jacobian product against central finite differences in float64, over shapes of ranks 0–4
/// with size-1 axes, broadcasting pairs and strided (transposed) inputs.
@Suite("PrimitiveGradients")
struct PrimitiveGradientTests {
    static let unaryShapes: [[Int]] = [[], [5], [3, 4], [2, 1, 3], [2, 3, 1, 2]]
    static let binaryShapes: [[[Int]]] = [
        [[3, 4], [3, 4]], [[2, 3, 4], [4]], [[3, 1], [1, 4]], [[], [2, 3]], [[2, 1, 3], [2, 4, 1]], [[1], [5]],
    ]

    static func unary(_ name: String, domain: Domain = .real,
                      _ function: @escaping @Sendable (Variable) throws -> Variable) -> [GradientCase] {
        unaryShapes.map { GradientCase(name, [$0], domains: [domain]) { try function($0[0]) } }
            + [GradientCase(name, [[3, 2, 4]], domains: [domain],
                            nonContiguous: true) { try function($0[0]) }]
    }

    static func binary(_ name: String, domains: [Domain] = [.real, .real],
                       _ function: @escaping @Sendable (Variable, Variable) throws -> Variable) -> [GradientCase] {
        binaryShapes.map { GradientCase(name, $0, domains: domains) { try function($0[0], $0[1]) } }
            + [GradientCase(name, [[4, 3], [2, 1, 3]], domains: domains, nonContiguous: true) {
                try function($0[0], $0[1])
            }]
    }

    static let elementwise: [GradientCase] =
        binary("add") { try $0 + $1 }
        + binary("subtract") { try $0 - $1 }
        + binary("multiply") { try $0 * $1 }
        + binary("divide", domains: [.real, .awayFromZero]) { try $0 / $1 }
        + binary("power", domains: [.positive, .real]) { try $0.pow($1) }
        + binary("maximum") { try Variable.maximum($0, $1) }
        + binary("minimum") { try Variable.minimum($0, $1) }
        + unary("negate") { try -$0 }
        + unary("power 3") { try $0.pow(3) }
        + unary("power -1.5", domain: .positive) { try $0.pow(-1.5) }
        + unary("power 0") { try $0.pow(0) * $0 }
        + unary("exp") { try $0.exp() }
        + unary("log", domain: .positive) { try $0.log() }
        + unary("log1p", domain: .positive) { try $0.log1p() }
        + unary("negated") { try $0.negated() }
        + unary("sqrt", domain: .positive) { try $0.sqrt() }
        + unary("tanh") { try $0.tanh() }
        + unary("sigmoid") { try $0.sigmoid() }
        + unary("erf") { try $0.erf() }
        + unary("abs", domain: .awayFromZero) { try $0.abs() }
        + unary("clip") { try $0.clipped(min: -0.5, max: 0.7) }
        + unary("clip below") { try $0.clipped(min: 0.1) }
        + unary("clip above") { try $0.clipped(max: 0.2) }
        + unary("scalar operators") { try (2.0 - $0) * 3.0 / 1.5 + 1.0 - (1.0 / ($0.square() + 2.0)) * 4.0 }

    @Test(arguments: elementwise)
    func elementwiseRule(_ testCase: GradientCase) throws {
        try checkGradients(testCase)
    }

    static let selection: [GradientCase] = [
        GradientCase("where", [[3, 4], [3, 1]]) { inputs in
            let condition = try Tensor.randomNormal([1, 4], seed: 5) .> 0
            return try Variable.where(condition, inputs[0], inputs[1])
        },
        GradientCase("where", [[2, 3], [3]], nonContiguous: true) { inputs in
            let condition = try Tensor.randomNormal([2, 3], seed: 6) .> 0
            return try Variable.where(condition, inputs[0], inputs[1])
        },
        GradientCase("where scalar branch", [[4], []]) { inputs in
            try Variable.where(try Tensor.randomNormal([4], seed: 8) .> 0, inputs[0], inputs[1])
        },
    ]

    @Test(arguments: selection)
    func whereRule(_ testCase: GradientCase) throws {
        try checkGradients(testCase)
    }

    static let matrixShapes: [[[Int]]] = [
        [[3, 4], [4, 2]], [[4], [4, 2]], [[3, 4], [4]], [[4], [4]], [[2, 3, 4], [4, 2]], [[2, 1, 3, 4], [3, 4, 2]],
        [[3, 4], [2, 4, 5]], [[1, 4], [4, 1]], [[2, 3, 4], [4]], [[4], [2, 4, 3]],
    ]
    static let products: [GradientCase] =
        matrixShapes.map { GradientCase("matmul", $0) { try Variable.matmul($0[0], $0[1]) } }
        + [[[3, 4], [4, 2]], [[2, 3, 4], [2, 4, 5]]].map {
            GradientCase("matmul", $0, nonContiguous: true) { try Variable.matmul($0[0], $0[1]) }
        }

    @Test(arguments: products)
    func matmulRule(_ testCase: GradientCase) throws {
        try checkGradients(testCase)
    }

    static let reductions: [GradientCase] = {
        var cases: [GradientCase] = []
        let axesChoices: [[Int]?] = [nil, [0], [-1], [0, 2], []]
        for axes in axesChoices {
            for keepDims in [false, true] {
                let label = "axes \(axes.map { "\($0)" } ?? "all") keepDims \(keepDims)"
                cases.append(GradientCase("sum \(label)", [[2, 3, 4]]) {
                    try $0[0].sum(axes: axes, keepDims: keepDims)
                })
                cases.append(GradientCase("mean \(label)", [[2, 1, 4]]) {
                    try $0[0].mean(axes: axes, keepDims: keepDims)
                })
                cases.append(GradientCase("max \(label)", [[2, 3, 4]], nonContiguous: true) {
                    try $0[0].max(axes: axes, keepDims: keepDims)
                })
                cases.append(GradientCase("min \(label)", [[3, 2, 2]]) {
                    try $0[0].min(axes: axes, keepDims: keepDims)
                })
            }
        }
        cases.append(GradientCase("sum of scalar", [[]]) { try $0[0].sum() })
        cases.append(GradientCase("max of scalar", [[]]) { try $0[0].max() })
        return cases
    }()

    @Test(arguments: reductions)
    func reductionRule(_ testCase: GradientCase) throws {
        try checkGradients(testCase)
    }

    static let movements: [GradientCase] = [
        GradientCase("reshape", [[3, 4]]) { try $0[0].reshaped([2, 6]) },
        GradientCase("reshape", [[4, 3]], nonContiguous: true) { try $0[0].reshaped([-1]) },
        GradientCase("reshape to scalar", [[1, 1]]) { try $0[0].reshaped([]) },
        GradientCase("flatten", [[2, 3, 2]]) { try $0[0].flattened() },
        GradientCase("squeeze", [[2, 1, 3, 1]]) { try $0[0].squeezed() },
        GradientCase("squeeze axis", [[1, 3, 1]]) { try $0[0].squeezed(axes: [-1]) },
        GradientCase("unsqueeze", [[2, 3]]) { try $0[0].unsqueezed(axis: 1).unsqueezed(axis: -1) },
        GradientCase("permute", [[2, 3, 4]]) { try $0[0].permuted([2, 0, 1]) },
        GradientCase("permute", [[2, 3, 4]], nonContiguous: true) { try $0[0].permuted([1, -1, 0]) },
        GradientCase("transpose", [[3, 5]]) { try $0[0].transposed() },
        GradientCase("swap axes", [[2, 3, 4]]) { try $0[0].swappingAxes(0, -1) },
        GradientCase("broadcast", [[3, 1]]) { try $0[0].broadcast(to: [2, 3, 4]) },
        GradientCase("broadcast scalar", [[]]) { try $0[0].broadcast(to: [2, 2]) },
        GradientCase("index int and slice", [[4, 5]]) {
            try $0[0].get([.index(1), .slice(start: 1, stop: nil, step: 2)])
        },
        GradientCase("index negative step", [[4, 5]], nonContiguous: true) {
            try $0[0].get([.slice(start: nil, stop: nil, step: -1), .newAxis, .ellipsis, .index(-1)])
        },
        GradientCase("index repeated array", [[4, 3]]) {
            try $0[0].get([.array(Tensor([0, 2, 0, 0, 3] as [Int64]))])
        },
        GradientCase("index two arrays", [[3, 4, 2]]) {
            try $0[0].get([.array(Tensor([[0, 2], [2, 2]] as [[Int64]])), .all, .array(Tensor([1, 1] as [Int64]))])
        },
        GradientCase("index array after slice", [[3, 4]], nonContiguous: true) {
            try $0[0].get([.slice(start: 1, stop: nil, step: nil), .array(Tensor([3, 0, 3, -1] as [Int64]))])
        },
        GradientCase("index mask", [[3, 4]]) { inputs in
            try inputs[0].get([.array(try Tensor.randomNormal([3, 4], seed: 9) .> 0)])
        },
        GradientCase("sliced", [[3, 5]]) { try $0[0].sliced(axis: -1, 1..<4) },
        GradientCase("selecting", [[3, 5]], nonContiguous: true) { try $0[0].selecting(2, axis: 0) },
        GradientCase("take", [[3, 4]]) { try $0[0].take(Tensor([[3, 3], [0, 1]] as [[Int64]]), axis: 1) },
        GradientCase("take flattened", [[2, 3]]) { try $0[0].take(Tensor([5, 0, 5] as [Int64])) },
        GradientCase("index mask over two axes", [[2, 3, 4]], nonContiguous: true) { inputs in
            try inputs[0].get([.index(1), .array(try Tensor.randomNormal([3, 4], seed: 12) .> 0)])
        },
        GradientCase("index separated arrays", [[3, 2, 4]]) {
            // Arrays separated by a slice: numpy moves the broadcast block to the front.
            try $0[0].get([.array(Tensor([2, 0, 2] as [Int64])), .slice(start: nil, stop: nil, step: -1),
                           .array(Tensor([[1], [3]] as [[Int64]]))])
        },
        GradientCase("index ellipsis array", [[2, 3, 3]]) {
            try $0[0].get([.ellipsis, .newAxis, .array(Tensor([[2, 2], [1, -3]] as [[Int64]]))])
        },
        GradientCase("concatenate", [[2, 3], [1, 3], [4, 3]]) { try Variable.concatenate($0, axis: 0) },
        GradientCase("concatenate", [[2, 3], [2, 1], [2, 2]], nonContiguous: true) {
            try Variable.concatenate($0, axis: -1)
        },
        GradientCase("stack", [[2, 3], [2, 3], [2, 3]]) { try Variable.stack($0, axis: 1) },
        GradientCase("stack", [[], []]) { try Variable.stack($0) },
        GradientCase("split sections", [[6, 2]]) { inputs in
            let pieces = try inputs[0].split(sections: 3)
            return try pieces[0] * 2 + pieces[2].square() - pieces[1].exp()
        },
        GradientCase("split at", [[2, 7]]) { inputs in
            let pieces = try inputs[0].split(at: [2, -2, 1], axis: 1)
            return try Variable.concatenate([pieces[3].exp(), pieces[0] * 3, pieces[1]], axis: 1)
        },
    ]

    @Test(arguments: movements)
    func movementRule(_ testCase: GradientCase) throws {
        try checkGradients(testCase)
    }
}
