import Autodiff
import Language
import Tensors

/// Traced versions of the statistics a loss comparing a model with brain data commonly uses: `zscore`, `corr`
/// (Pearson r, e.g. maximised by an encoding model) and `linalg.norm`, composed from Autodiff's primitives.
/// They accept exactly what the plain functions accept and throw the same errors (checked by the same engine code
/// before tracing), so a script behaves the same inside and outside grad.
extension TracedFunctions {
    /// `zscore(x, axis=0, ddof=0)`: (x − mean) / std along axis; a constant lane gives NaN, as outside grad.
    static func zscore(_ context: BindingContext) -> (Arguments) throws -> Value {
        { arguments in
            let x = try variables([try arguments.value(0, "x")], names: ["x"], operation: "zscore")[0]
            let axis = try arguments.optionalInteger(1, "axis") ?? 0
            let ddof = try arguments.optionalInteger(2, "ddof") ?? 0
            let position = try Shapes.normalizeAxis(axis, rank: x.rank, operation: "zscore")
            guard ddof >= 0 else {
                throw TensorError(.invalidArgument, "zscore", "ddof must be >= 0, got \(ddof)")
            }
            let centered = try x - x.mean(axes: [position], keepDims: true)
            let result = try centered / x.standardDeviation(axes: [position], ddof: ddof, keepDims: true)
            return try wrap(result, arguments, context)
        }
    }

    /// `corr(a, b)`: Pearson r of each column of `a` `[n, p]` with the same column of `b` → `[p]`, or of two vectors
    /// `[n]` → a 0-d tensor: Σ(a − ā)(b − b̄) / √(Σ(a − ā)² · Σ(b − b̄)²) over rows. NaN for a constant column.
    static func correlation(_ context: BindingContext) -> (Arguments) throws -> Value {
        { arguments in
            let operands = try variables([arguments.value(0, "a"), arguments.value(1, "b")], names: ["a", "b"],
                                         operation: "corr")
            // The engine's function checks the shapes and gives the same messages as outside grad.
            _ = try Statistics.pearson(operands[0].value, operands[1].value)
            let (a, b) = (try center(operands[0]), try center(operands[1]))
            let covariance = try (a * b).sum(axes: [0])
            let scale = try ((a * a).sum(axes: [0]) * (b * b).sum(axes: [0])).sqrt()
            return try wrap(try covariance / scale, arguments, context)
        }
    }

    /// `linalg.norm(a)`: √(Σ a²) over all elements. Its gradient a / ‖a‖ is NaN at a = 0, as in JAX.
    static func norm(_ context: BindingContext) -> (Arguments) throws -> Value {
        { arguments in
            let a = try variables([try arguments.value(0, "a")], names: ["a"], operation: "linalg.norm")[0]
            return try wrap(try (a * a).sum().sqrt(), arguments, context)
        }
    }

    /// Columns minus their means (axis 0).
    private static func center(_ x: Variable) throws -> Variable {
        try x - x.mean(axes: [0], keepDims: true)
    }
}
