import Language
import Tensors

/// The `linalg` module: numpy.linalg's decompositions and solvers on LAPACK.
enum LinalgLibrary {
    static func install(_ context: BindingContext) {
        func matrix(_ arguments: Arguments, _ index: Int, _ name: String, _ operation: String) throws -> Tensor {
            try TensorConversion.tensor(from: arguments.value(index, name), operation: operation)
        }
        let members: [(String, Value)] = [
            ("svd", context.function("linalg.svd", "svd(a, full_matrices=false)",
                                     "Singular value decomposition a = u · diag(s) · vt → {u, s, vt}; s descending.") { arguments in
                let result = try Linalg.svd(try matrix(arguments, 0, "a", "linalg.svd"),
                                            fullMatrices: try arguments.optionalBool(1, "full_matrices") ?? false)
                return .makeRecord([("u", context.wrap(result.u)), ("s", context.wrap(result.s)), ("vt", context.wrap(result.vt))])
            }),
            ("eigh", context.function("linalg.eigh", "eigh(a)",
                                      "Eigen-decomposition of a symmetric matrix → {values (ascending), vectors (columns)}.") { arguments in
                let result = try Linalg.eigh(try matrix(arguments, 0, "a", "linalg.eigh"))
                return .makeRecord([("values", context.wrap(result.values)), ("vectors", context.wrap(result.vectors))])
            }),
            ("solve", context.function("linalg.solve", "solve(a, b)", "x with a · x = b (a square, nonsingular).") { arguments in
                context.wrap(try Linalg.solve(try matrix(arguments, 0, "a", "linalg.solve"), try matrix(arguments, 1, "b", "linalg.solve")))
            }),
            ("inv", context.function("linalg.inv", "inv(a)", "The inverse of a square nonsingular matrix.") { arguments in
                context.wrap(try Linalg.inv(try matrix(arguments, 0, "a", "linalg.inv")))
            }),
            ("cholesky", context.function("linalg.cholesky", "cholesky(a)",
                                          "Lower-triangular l with l · lᵀ = a (a symmetric positive definite).") { arguments in
                context.wrap(try Linalg.cholesky(try matrix(arguments, 0, "a", "linalg.cholesky")))
            }),
            ("lstsq", context.function("linalg.lstsq", "lstsq(a, b, rcond=nil)",
                                       "Least-squares x minimising ‖a · x − b‖ → {solution, residuals, rank, singular_values}.") { arguments in
                let result = try Linalg.lstsq(try matrix(arguments, 0, "a", "linalg.lstsq"), try matrix(arguments, 1, "b", "linalg.lstsq"),
                                              rcond: try arguments.optionalNumber(2, "rcond"))
                return .makeRecord([("solution", context.wrap(result.solution)), ("residuals", context.wrap(result.residuals)),
                                    ("rank", .number(Double(result.rank))), ("singular_values", context.wrap(result.singularValues))])
            }),
            ("qr", context.function("linalg.qr", "qr(a)", "Reduced QR: a = q · r, q orthonormal columns, r upper triangular.") { arguments in
                let result = try Linalg.qr(try matrix(arguments, 0, "a", "linalg.qr"))
                return .makeRecord([("q", context.wrap(result.q)), ("r", context.wrap(result.r))])
            }),
            ("det", context.function("linalg.det", "det(a)", "The determinant of a square matrix.") { arguments in
                TensorMethods.numberOrTensor(context, try Linalg.det(try matrix(arguments, 0, "a", "linalg.det")))
            }),
            ("slogdet", context.function("linalg.slogdet", "slogdet(a)",
                                         "{sign, logabsdet} with det(a) = sign · exp(logabsdet), without overflow.") { arguments in
                let result = try Linalg.slogdet(try matrix(arguments, 0, "a", "linalg.slogdet"))
                return .makeRecord([("sign", TensorMethods.numberOrTensor(context, result.sign)),
                                    ("logabsdet", TensorMethods.numberOrTensor(context, result.logAbsDet))])
            }),
            ("norm", context.function("linalg.norm", "norm(a)", "√(Σ a²) over all elements (Frobenius / Euclidean).",
                                      traced: TracedFunctions.norm(context)) { arguments in
                TensorMethods.numberOrTensor(context, Linalg.norm(try matrix(arguments, 0, "a", "linalg.norm")))
            }),
        ]
        context.interpreter.registerModule("linalg", members,
                                           documentation: "linalg: svd, eigh, solve, inv, cholesky, lstsq, qr, det, slogdet, norm "
                                            + "(numpy.linalg's meaning, on LAPACK).", global: true)
    }
}

extension TensorMethods {
    /// A 0-d result as a number; anything else as a tensor.
    static func numberOrTensor(_ context: BindingContext, _ tensor: Tensor) -> Value {
        tensor.rank == 0 ? TensorConversion.scalarValue(tensor) : context.wrap(tensor)
    }
}
