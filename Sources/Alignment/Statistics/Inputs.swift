import Tensors

/// A dense row-major float64 matrix: the working form of every alignment routine's input.
struct Matrix: Sendable {
    var rows: Int
    var columns: Int
    var values: [Double]

    init(rows: Int, columns: Int, values: [Double]) {
        precondition(values.count == rows * columns, "internal: matrix storage")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    init(rows: Int, columns: Int, repeating value: Double = 0) {
        self.init(rows: rows, columns: columns, values: [Double](repeating: value, count: rows * columns))
    }

    subscript(row: Int, column: Int) -> Double {
        get { values[row * columns + column] }
        set { values[row * columns + column] = newValue }
    }

    func row(_ index: Int) -> ArraySlice<Double> { values[(index * columns)..<((index + 1) * columns)] }

    func column(_ index: Int) -> [Double] { (0..<rows).map { values[$0 * columns + index] } }

    var tensor: Tensor { try! Tensor(shape: [rows, columns], scalars: values) }
}

/// Conversions from user tensors with the checks every public function shares; the messages name the argument.
enum Inputs {
    /// The elements as float64 in row-major order (one bulk copy from a contiguous float64 buffer).
    static func values(_ x: Tensor) -> [Double] {
        let source = (x.dtype == .float64 ? x : x.astype(.float64)).contiguous()
        return Array(UnsafeBufferPointer(start: source.pointer(Double.self), count: source.count))
    }

    /// `x` as a matrix; throws unless it has rank 2.
    static func matrix(_ x: Tensor, _ name: String, _ operation: String) throws -> Matrix {
        guard x.rank == 2 else {
            throw AlignmentError(operation, "\(name) must be 2-D [rows, columns], got shape \(formatShape(x.shape))")
        }
        return Matrix(rows: x.shape[0], columns: x.shape[1], values: values(x))
    }

    /// `x` as a vector; throws unless it has rank 1.
    static func vector(_ x: Tensor, _ name: String, _ operation: String) throws -> [Double] {
        guard x.rank == 1 else {
            throw AlignmentError(operation, "\(name) must be 1-D, got shape \(formatShape(x.shape))")
        }
        return values(x)
    }

    /// Applies `policy` to columns holding NaN or ±inf: throws naming the first such column, or drops them all.
    static func finiteColumns(_ x: Matrix, _ name: String, _ operation: String, policy: NaNPolicy) throws -> Matrix {
        var bad = [Bool](repeating: false, count: x.columns)
        for row in 0..<x.rows {
            for column in 0..<x.columns where !x[row, column].isFinite { bad[column] = true }
        }
        guard let first = bad.firstIndex(of: true) else { return x }
        if policy == .refuse {
            let kind = (0..<x.rows).contains { x[$0, first].isNaN } ? "NaN" : "an infinite value"
            throw AlignmentError(operation, "\(name) has \(kind) in column \(first) (use nan: .omit to drop such columns)")
        }
        let keep = (0..<x.columns).filter { !bad[$0] }
        var values = [Double]()
        values.reserveCapacity(x.rows * keep.count)
        for row in 0..<x.rows { for column in keep { values.append(x[row, column]) } }
        return Matrix(rows: x.rows, columns: keep.count, values: values)
    }

    /// Throws when a vector holds NaN or ±inf, naming the first position.
    static func requireFinite(_ x: [Double], _ name: String, _ operation: String) throws {
        if let index = x.firstIndex(where: { !$0.isFinite }) {
            throw AlignmentError(operation, "\(name) has \(x[index].isNaN ? "NaN" : "an infinite value") at index \(index)")
        }
    }

    /// Splits `x` [n, rest…] into its n rows along axis 0 and the trailing shape: the per-target layout of the tests.
    static func lanes(_ x: Tensor, _ name: String, _ operation: String) throws -> (rows: Int, lanes: [[Double]], shape: [Int]) {
        guard x.rank >= 1 else {
            throw AlignmentError(operation, "\(name) must have at least one axis (observations first), got a scalar")
        }
        let rows = x.shape[0]
        let trailing = Array(x.shape.dropFirst())
        let width = trailing.reduce(1, *)
        let flat = values(x)
        var lanes = [[Double]](repeating: [Double](repeating: 0, count: rows), count: width)
        for row in 0..<rows { for lane in 0..<width { lanes[lane][row] = flat[row * width + lane] } }
        return (rows, lanes, trailing)
    }

    static func tensor(_ values: [Double], shape: [Int]) -> Tensor { try! Tensor(shape: shape, scalars: values) }
}

func mean(_ x: [Double]) -> Double { x.isEmpty ? .nan : x.reduce(0, +) / Double(x.count) }

/// Sample variance with `ddof` (two-pass, for accuracy).
func variance(_ x: [Double], ddof: Int = 1) -> Double {
    let m = mean(x)
    var sum = 0.0
    for value in x { sum += (value - m) * (value - m) }
    return sum / Double(x.count - ddof)
}

/// Pearson correlation of two equal-length vectors; NaN when either is constant (the caller counts those).
func pearson(_ a: [Double], _ b: [Double]) -> Double {
    let ma = mean(a), mb = mean(b)
    var sab = 0.0, saa = 0.0, sbb = 0.0
    for index in a.indices {
        let da = a[index] - ma, db = b[index] - mb
        sab += da * db; saa += da * da; sbb += db * db
    }
    guard saa > 0, sbb > 0 else { return .nan }
    return Swift.max(-1, Swift.min(1, sab / (saa * sbb).squareRoot()))
}

/// Spearman correlation: Pearson correlation of average ranks.
func spearman(_ a: [Double], _ b: [Double]) -> Double { pearson(averageRanks(a).ranks, averageRanks(b).ranks) }

