import Foundation
import Synchronization

extension Tensor {
    /// A one-line digest for tensors too large to print:
    /// `Tensor float32 [1000, 4096] mean=0.00123 std=0.999 min=-4.81 max=5.02`.
    ///
    /// One pass over the elements on `Threads.count` threads, accumulating in float64 (a non-contiguous tensor is
    /// first copied). `std` is the population standard deviation (ddof 0), merged across chunks with Chan's
    /// pairwise formula so that it stays accurate when the mean is large. NaNs are left out of the statistics and
    /// counted (`nan=3`); bool tensors count `true` as 1. An empty tensor reads `Tensor float64 [0, 3] empty`.
    public var summary: String {
        let head = "Tensor \(dtype) \(formatShape(shape))"
        if count == 0 { return head + " empty" }
        let source = contiguous()
        let moments: Moments?
        switch dtype {
        case .float64: moments = Moments.of(source, Double.self)
        case .float32: moments = Moments.of(source, Float.self)
        case .int64: moments = Moments.of(source, Int64.self)
        case .bool: moments = Moments.of(source, Bool.self)
        }
        guard let moments else { return head + " (interrupted)" }
        var text = head
        if moments.count > 0 {
            let std = (moments.squaredDeviations / Double(moments.count)).squareRoot()
            text += " mean=\(summaryNumber(moments.mean)) std=\(summaryNumber(std))"
            text += " min=\(summaryNumber(moments.minimum)) max=\(summaryNumber(moments.maximum))"
        }
        if moments.nanCount > 0 { text += " nan=\(moments.nanCount)" }
        return text
    }
}

/// Six significant digits, as C's `%g` (`0.00123457`, `1e+06`), and `nan`, `inf`, `-inf`.
private func summaryNumber(_ value: Double) -> String {
    if value.isNaN { return "nan" }
    if value.isInfinite { return value < 0 ? "-inf" : "inf" }
    return String(format: "%.6g", value)
}

/// Count, mean, sum of squared deviations, extremes and NaN count of a set of values; two sets merge exactly
/// (Chan, Golub & LeVeque 1979).
private struct Moments: Sendable {
    var count = 0
    var mean = 0.0
    var squaredDeviations = 0.0
    var minimum = Double.infinity
    var maximum = -Double.infinity
    var nanCount = 0

    mutating func merge(_ other: Moments) {
        nanCount += other.nanCount
        guard other.count > 0 else { return }
        guard count > 0 else {
            let nans = nanCount
            self = other
            nanCount = nans
            return
        }
        let total = count + other.count
        let delta = other.mean - mean
        mean += delta * Double(other.count) / Double(total)
        squaredDeviations += other.squaredDeviations + delta * delta * Double(count) * Double(other.count) / Double(total)
        count = total
        minimum = Swift.min(minimum, other.minimum)
        maximum = Swift.max(maximum, other.maximum)
    }

    /// Moments of a contiguous tensor, chunk by chunk; chunks merge in index order, so the result does not depend
    /// on the thread count. Nil when the user interrupted the pass.
    static func of<T: TensorScalar>(_ tensor: Tensor, _: T.Type) -> Moments? {
        let base = SendablePointer(tensor.pointer(T.self))
        let partials = Mutex<[Int: Moments]>([:])
        let completed: Void? = try? parallelRanges(tensor.count, operation: "summary") { range in
            var chunk = Moments()
            // Welford's update within the chunk.
            for index in range {
                let value = base.base[index].doubleValue
                if value.isNaN {
                    chunk.nanCount += 1
                    continue
                }
                chunk.count += 1
                let delta = value - chunk.mean
                chunk.mean += delta / Double(chunk.count)
                chunk.squaredDeviations += delta * (value - chunk.mean)
                chunk.minimum = Swift.min(chunk.minimum, value)
                chunk.maximum = Swift.max(chunk.maximum, value)
            }
            partials.withLock { $0[range.lowerBound] = chunk }
        }
        guard completed != nil else { return nil }
        var result = Moments()
        for (_, chunk) in partials.withLock({ $0 }).sorted(by: { $0.key < $1.key }) { result.merge(chunk) }
        return result
    }
}
