/// Linear algebra on tensors: products, decompositions and solvers, as numpy's `numpy.linalg` computes them.
///
/// Every function works in floating point: float32 stays float32, float64 stays float64, and int64 or bool inputs are
/// converted to float64 first (numpy keeps integer dtypes for products; bm does not, because BLAS and LAPACK have no
/// integer routines and a float64 result is what a neuroscientist wants from a product of counts).
///
/// Functions that take "a matrix or a stack of matrices" read the last two axes as the matrix and treat all leading
/// axes as a batch: `inv` of a `[10, 3, 3]` tensor inverts ten matrices. Layout: LAPACK is column-major and tensors
/// are row-major, so a row-major `m × n` buffer *is* the column-major `n × m` transpose. Decompositions are phrased on
/// whichever orientation LAPACK handles best (LU of Aᵀ solves with `trans = T`; the SVD and QR of a wide A come from
/// the tall Aᵀ; a tall A is copied transposed, as numpy copies every input), so each function copies its input once,
/// because LAPACK overwrites it, and returns transposed views where that saves a copy on the way out.
///
/// Contents: products `Tensor.matmul`, `dot`, `inner`, `outer`; `diagonal`, `trace`, `norm` (of all elements or
/// along axes); decompositions `svd`, `svdvals`, `eigh`, `eigvalsh`, `qr`, `cholesky`; solvers `solve`, `inv`,
/// `lstsq`, `pinv`; scalars `det`, `slogdet`, `matrixRank`, `cond`.
///
/// Threads: BLAS and LAPACK run on OpenBLAS's own threads (`Threads.count` of them) and are always called from the
/// caller's thread, never from inside bm's parallel loops; a batch of matrices is a loop of LAPACK calls.
///
/// LAPACK routines fail or never finish on NaN and infinity, so every LAPACK-backed function first checks its input
/// and throws `invalidArgument` (`linalg.svd: matrix contains NaN or infinity`), as scipy's `check_finite` does.
public enum Linalg {}

/// Shared checks and buffers of the LAPACK-backed functions.
extension Linalg {
    /// The batch shape and matrix size of `a`, which must have rank 2 or more (and be square when asked).
    /// Throws `invalidShape` naming `operation` and the shape.
    static func matrixShape(_ a: Tensor, operation: String, square: Bool = false) throws
        -> (batch: [Int], rows: Int, columns: Int)
    {
        guard a.rank >= 2 else {
            throw TensorError(.invalidShape, operation,
                              "expected a matrix or a stack of matrices (rank 2 or more), got shape \(formatShape(a.shape))")
        }
        let rows = a.shape[a.rank - 2], columns = a.shape[a.rank - 1]
        if square && rows != columns {
            throw TensorError(.invalidShape, operation,
                              "expected square matrices, got shape \(formatShape(a.shape))")
        }
        try checkIndexRange([rows, columns], subject: formatShape(a.shape), operation: operation)
        return (Array(a.shape.dropLast(2)), rows, columns)
    }

    /// BLAS and LAPACK index with 32-bit integers here; larger sizes must be refused, not truncated.
    /// Checked before any copy, so that a huge broadcast view fails fast instead of being materialised.
    /// `subject` names the operands in the message (`[3, 4]`, `[3, 4] @ [4]`).
    static func checkIndexRange(_ sizes: [Int], subject: String, operation: String) throws {
        for size in sizes where size > Int(Int32.max) {
            throw TensorError(.invalidShape, operation,
                              "\(subject): a dimension exceeds 2^31 - 1, which BLAS and LAPACK cannot index")
        }
    }

    /// A contiguous copy of `a` owned by the caller, in `dtype` (by default the float dtype of `a`), checked to be
    /// finite. LAPACK overwrites this copy; it is the only copy of the input a decomposition makes.
    static func lapackInput(_ a: Tensor, dtype: DType? = nil, operation: String) throws -> Tensor {
        let dtype = dtype ?? a.dtype.floatingPointResult
        let input = a.dtype == dtype ? a.copy() : a.astype(dtype)
        try requireFinite(input, operation: operation)
        return input
    }

    /// Throws `invalidArgument` (`matrix contains NaN or infinity`) unless every element of the contiguous float32
    /// or float64 `input` is finite: LAPACK fails or never finishes on such input.
    static func requireFinite(_ input: Tensor, operation: String) throws {
        let finite = input.dtype == .float32 ? allFinite(input.pointer(Float.self), count: input.count)
            : allFinite(input.pointer(Double.self), count: input.count)
        guard finite else { throw TensorError(.invalidArgument, operation, "matrix contains NaN or infinity") }
    }

    static func allFinite<T: TensorFloat>(_ values: UnsafePointer<T>, count: Int) -> Bool {
        for index in 0..<count where !values[index].isFinite { return false }
        return true
    }

    /// The error for a LAPACK `info` that the caller has no specific meaning for.
    static func lapackFailure(_ routine: String, info: Int, rows: Int, columns: Int, operation: String)
        -> TensorError
    {
        let shape = formatShape([rows, columns])
        if info < 0 {
            return TensorError(.lapack, operation,
                               "LAPACK \(routine) rejected argument \(-info) for a matrix of shape \(shape)")
        }
        return TensorError(.lapack, operation, "LAPACK \(routine) failed (info \(info)) for a matrix of shape \(shape)")
    }

    /// LAPACK's name for a routine in the precision of `T`: `"gesdd"` becomes `sgesdd` or `dgesdd`.
    static func routine<T: TensorFloat>(_ name: String, _: T.Type) -> String {
        (T.self == Float.self ? "s" : "d") + name
    }

    /// The workspace size a LAPACK query wrote into `work[0]`. Older LAPACKs round the float32 value down, so it is
    /// nudged up by one ulp's worth.
    static func workspaceSize<T: TensorFloat>(_ value: T) -> Int {
        let size = value.doubleValue * (T.self == Float.self ? 1 + 1e-6 : 1)
        return max(1, Int(size.rounded(.up)))
    }

    /// Runs `body` with `count` uninitialised elements of scratch memory.
    static func withScratch<T, R>(_: T.Type, count: Int, _ body: (UnsafeMutablePointer<T>) throws -> R) rethrows
        -> R
    {
        let buffer = UnsafeMutablePointer<T>.allocate(capacity: max(count, 1))
        defer { buffer.deallocate() }
        return try body(buffer)
    }

    /// A view of the contiguous `buffer` (shape `batch + [rows, columns]`) with its last two axes swapped, which is
    /// how a column-major LAPACK result reads as a row-major matrix without a copy.
    static func transposedView(of buffer: Tensor) -> Tensor {
        var shape = buffer.shape, strides = buffer.strides
        shape.swapAt(shape.count - 1, shape.count - 2)
        strides.swapAt(strides.count - 1, strides.count - 2)
        return Tensor(storage: buffer.storage, dtype: buffer.dtype, shape: shape, strides: strides,
                      offset: buffer.offset)
    }

    /// Writes identity matrices into every `rows × columns` matrix of the contiguous `tensor`.
    static func fillIdentity<T: TensorFloat>(_ tensor: Tensor, _: T.Type, rows: Int, columns: Int) {
        let values = tensor.mutablePointer(T.self)
        values.update(repeating: 0, count: tensor.count)
        let matrixSize = rows * columns
        guard matrixSize > 0 else { return }
        for matrix in 0..<(tensor.count / matrixSize) {
            for index in 0..<min(rows, columns) { values[matrix * matrixSize + index * columns + index] = 1 }
        }
    }
}
