/// Printing tensors as numpy's `str()` does.
///
/// ```
/// [[1.  2.5]
///  [3.  4. ]]
/// ```
/// Elements are separated by one space and aligned in columns; rows wrap at 75 characters; axes are nested in
/// brackets with one blank line per level between blocks. Tensors of more than 1000 elements are summarised: each
/// axis longer than 6 shows its first and last 3 entries around `...`. A 0-d tensor prints as its value alone
/// (`1.5`, `1e-05`, `3`, `true`); an empty one as `[]`. Use `summary` for a one-line digest of a large tensor.
extension Tensor: CustomStringConvertible {
    public var description: String { TensorPrinter(self).text }
}

/// numpy's print options, fixed at their defaults.
enum PrintOptions {
    static let threshold = 1000
    static let edgeItems = 3
    static let lineWidth = 75
}

struct TensorPrinter {
    let tensor: Tensor
    let summarised: Bool

    init(_ tensor: Tensor) {
        self.tensor = tensor
        summarised = tensor.count > PrintOptions.threshold
    }

    var text: String {
        if tensor.rank == 0 { return scalarText }
        if tensor.count == 0 { return "[]" }
        switch tensor.dtype {
        case .float64:
            let format = FloatElementFormat<Double>(shownValues(Double.self))
            return arrayText { format.format(element(Double.self, at: $0)) }
        case .float32:
            let format = FloatElementFormat<Float>(shownValues(Float.self))
            return arrayText { format.format(element(Float.self, at: $0)) }
        case .int64:
            let format = IntegerElementFormat(shownValues(Int64.self))
            return arrayText { format.format(element(Int64.self, at: $0)) }
        case .bool:
            return arrayText { BoolElementFormat.format(element(Bool.self, at: $0)) }
        }
    }

    private var scalarText: String {
        switch tensor.dtype {
        case .float64: return formatScalar(element(Double.self, at: tensor.offset))
        case .float32: return formatScalar(element(Float.self, at: tensor.offset))
        case .int64: return String(element(Int64.self, at: tensor.offset))
        case .bool: return element(Bool.self, at: tensor.offset) ? "true" : "false"
        }
    }

    private func element<T: TensorScalar>(_: T.Type, at storageOffset: Int) -> T {
        tensor.storage.bytes.assumingMemoryBound(to: T.self)[storageOffset]
    }

    /// The indices shown along `axis`: all of them, or the first and last `edgeItems` when summarising.
    private func shownIndices(_ axis: Int) -> [Int] {
        let length = tensor.shape[axis]
        if summarised && length > 2 * PrintOptions.edgeItems {
            return Array(0..<PrintOptions.edgeItems) + Array((length - PrintOptions.edgeItems)..<length)
        }
        return Array(0..<length)
    }

    /// Every element that will be printed (numpy's `_leading_trailing`); column widths depend only on these.
    private func shownValues<T: TensorScalar>(_: T.Type) -> [T] {
        var offsets = [tensor.offset]
        for axis in 0..<tensor.rank {
            let indices = shownIndices(axis)
            offsets = offsets.flatMap { base in indices.map { base + $0 * tensor.strides[axis] } }
        }
        return offsets.map { element(T.self, at: $0) }
    }

    /// numpy's `_formatArray` (non-legacy mode, separator " ").
    private func arrayText(_ formatElement: (Int) -> String) -> String {
        let rank = tensor.rank
        func recurse(axis: Int, base: Int, hangingIndent: String, width: Int) -> String {
            if axis == rank { return formatElement(base) }
            let nextIndent = hangingIndent + " "
            let length = tensor.shape[axis]
            let stride = tensor.strides[axis]
            let showSummary = summarised && 2 * PrintOptions.edgeItems < length
            let leading = showSummary ? PrintOptions.edgeItems : 0
            let trailing = showSummary ? PrintOptions.edgeItems : length
            func child(_ index: Int) -> String {
                recurse(axis: axis + 1, base: base + index * stride, hangingIndent: nextIndent, width: width - 1)
            }
            var text = ""
            if axis == rank - 1 {
                // The last axis: words on lines of at most `width - 1` characters (room for the closing bracket).
                let elementWidth = width - 1
                var line = hangingIndent
                func extend(_ word: String) {
                    // Wrapping a line that holds only the indent would not help.
                    if line.utf8.count + word.utf8.count > elementWidth && line.utf8.count > hangingIndent.utf8.count {
                        text += trimmingTrailingSpaces(line) + "\n"
                        line = hangingIndent
                    }
                    line += word
                }
                for index in 0..<leading {
                    extend(child(index))
                    line += " "
                }
                if showSummary {
                    extend("...")
                    line += " "
                }
                for back in Swift.stride(from: trailing, to: 1, by: -1) {
                    extend(child(length - back))
                    line += " "
                }
                extend(child(length - 1))
                text += line
            } else {
                // Outer axes: one row per line, plus one blank line per axis still below.
                let separator = String(repeating: "\n", count: rank - axis - 1)
                for index in 0..<leading { text += hangingIndent + child(index) + separator }
                if showSummary { text += hangingIndent + "..." + separator }
                for back in Swift.stride(from: trailing, to: 1, by: -1) {
                    text += hangingIndent + child(length - back) + separator
                }
                text += hangingIndent + child(length - 1)
            }
            return "[" + text.dropFirst(hangingIndent.count) + "]"
        }
        return recurse(axis: 0, base: tensor.offset, hangingIndent: " ", width: PrintOptions.lineWidth)
    }
}

private func trimmingTrailingSpaces(_ text: String) -> String {
    var result = Substring(text)
    while result.last == " " { result = result.dropLast() }
    return String(result)
}
