/// `range(stop)`, `range(start, stop)`, `range(start, stop, step)`: a lazy arithmetic sequence (nothing is
/// materialised; `for i in range(n)` counts directly). `list(r)` builds the list.
final class RangeObject: NativeObject, @unchecked Sendable {
    let start: Double
    let stop: Double
    let step: Double
    let count: Int

    init(start: Double, stop: Double, step: Double) throws {
        guard step != 0 else { throw LanguageError("range: step must not be zero") }
        guard start.isFinite, stop.isFinite, step.isFinite else { throw LanguageError("range: arguments must be finite numbers") }
        self.start = start
        self.stop = stop
        self.step = step
        let steps = ((stop - start) / step).rounded(.up)
        guard steps < 9e15 else { throw LanguageError("range: too many elements") }
        self.count = max(0, Int(steps))
    }

    var typeName: String { "range" }

    var displayString: String {
        step == 1 ? "range(\(numberText(start)), \(numberText(stop)))"
            : "range(\(numberText(start)), \(numberText(stop)), \(numberText(step)))"
    }

    func element(_ index: Int) -> Double { start + Double(index) * step }

    func length() throws -> Int? { count }

    func isTruthy() throws -> Bool { count > 0 }

    func makeIterator() throws -> (() throws -> Value?)? {
        var index = 0
        return { [self] in
            guard index < count else { return nil }
            defer { index += 1 }
            return .number(element(index))
        }
    }

    func subscriptGet(_ indices: [Subscript]) throws -> Value {
        guard indices.count == 1, case .value(.number(let number)) = indices[0] else {
            throw LanguageError("range index must be one integer")
        }
        guard let index = exactInteger(number) else { throw LanguageError("range index must be an integer, got \(numberText(number))") }
        let position = index < 0 ? index + count : index
        guard position >= 0, position < count else {
            throw LanguageError("range index \(index) out of range for length \(count)")
        }
        return .number(element(position))
    }

    func binaryOperation(_ operation: BinaryOperator, other: Value, side: OperandSide) throws -> Value? {
        guard operation == .equal || operation == .notEqual else { return nil }
        var same = false
        if case .native(let object) = other, let range = object as? RangeObject {
            same = range.count == count && (count == 0 || (range.start == start && (count == 1 || range.step == step)))
        }
        return .bool(operation == .equal ? same : !same)
    }

    func contains(_ number: Double) -> Bool {
        let offset = (number - start) / step
        guard offset >= 0, offset.rounded() == offset, let index = exactInteger(offset) else { return false }
        return index < count
    }
}
