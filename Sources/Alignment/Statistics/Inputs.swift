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

/// Ranks 1…n with ties sharing the average rank (scipy `rankdata(method='average')`); also returns the tie group sizes.
func averageRanks(_ values: [Double]) -> (ranks: [Double], ties: [Int]) {
    let (order, keys) = stableOrderAndKeys(values)
    let n = values.count
    var ties = [Int]()
    // Equal keys are equal values (the keys are an order-preserving bijection with −0 folded into +0), and they
    // are read in sorted order: no random reads of `values`.
    let ranks = [Double](unsafeUninitializedCapacity: n) { ranks, initialized in
        order.withUnsafeBufferPointer { order in
            keys.withUnsafeBufferPointer { keys in
                var first = 0
                while first < n {
                    var last = first
                    while last + 1 < n && keys[last + 1] == keys[first] { last += 1 }
                    let rank = Double(first + last) / 2 + 1
                    for position in first...last { ranks[Int(order[position])] = rank }
                    ties.append(last - first + 1)
                    first = last + 1
                }
            }
        }
        initialized = n
    }
    return (ranks, ties)
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

/// The permutation that sorts `values` ascending, equal values in index order.
func stableOrder(_ values: [Double]) -> [Int] { stableOrderAndKeys(values).order.map { Int($0) } }

/// The stable ascending order of `values` and their sorted order-preserving 64-bit keys (sign bit flipped for
/// positives, all bits for negatives; −0 folded into +0). An LSD radix sort with 11-bit digits replaces the
/// comparison sort's n log n branchy comparisons: one read pass counts all six digits, and a digit's scatter pass is
/// skipped when every key shares it (common for distances, whose exponents barely vary, and for float32 values
/// widened to float64, whose low 29 bits are zero); 2048 buckets keep the scatter within cache.
func stableOrderAndKeys(_ values: [Double]) -> (order: [Int32], keys: [UInt64]) {
    let n = values.count
    precondition(n < Int(Int32.max), "internal: too many values to rank")
    var keys = [UInt64](unsafeUninitializedCapacity: n) { keys, initialized in
        values.withUnsafeBufferPointer { values in
            for index in 0..<n {
                let bits = (values[index] + 0).bitPattern
                keys[index] = bits >> 63 == 1 ? ~bits : bits | (1 << 63)
            }
        }
        initialized = n
    }
    if n < 4096 {
        let indices = (0..<n).sorted { (a: Int, b: Int) -> Bool in
            let left = keys[a], right = keys[b]
            return left < right || (left == right && a < b)
        }
        return (indices.map { Int32($0) }, indices.map { keys[$0] })
    }
    let digits = 6, buckets = 1 << 11
    var counts = [Int](repeating: 0, count: digits * buckets)
    counts.withUnsafeMutableBufferPointer { counts in
        keys.withUnsafeBufferPointer { keys in
            for key in keys {
                for digit in 0..<digits { counts[digit * buckets + Int((key >> UInt64(11 * digit)) & 0x7FF)] += 1 }
            }
        }
    }
    var order = [Int32](unsafeUninitializedCapacity: n) { order, initialized in
        for index in 0..<n { order[index] = Int32(index) }
        initialized = n
    }
    var keyBuffer = [UInt64](repeating: 0, count: n), orderBuffer = [Int32](repeating: 0, count: n)
    for digit in 0..<digits {
        let shift = UInt64(11 * digit)
        let moved: Bool = counts.withUnsafeMutableBufferPointer { counts in
            let histogram = counts.baseAddress! + digit * buckets
            for bucket in 0..<buckets where histogram[bucket] == n { return false }  // all keys share this digit
            var running = 0
            for bucket in 0..<buckets { let c = histogram[bucket]; histogram[bucket] = running; running += c }
            keys.withUnsafeBufferPointer { keys in
                order.withUnsafeBufferPointer { order in
                    keyBuffer.withUnsafeMutableBufferPointer { keyTarget in
                        orderBuffer.withUnsafeMutableBufferPointer { orderTarget in
                            for index in 0..<n {
                                let key = keys[index]
                                let bucket = Int((key >> shift) & 0x7FF)
                                let target = histogram[bucket]
                                histogram[bucket] = target + 1
                                keyTarget[target] = key
                                orderTarget[target] = order[index]
                            }
                        }
                    }
                }
            }
            return true
        }
        if moved {
            swap(&keys, &keyBuffer)
            swap(&order, &orderBuffer)
        }
    }
    return (order, keys)
}
