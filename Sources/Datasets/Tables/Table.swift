import Tensors

/// A table of named columns, as CSV and TSV files hold them (BIDS `events.tsv`, parcel tables, behavioural logs).
///
/// Each column is numeric (a float64 tensor of shape `[rowCount]`, missing values as NaN) or text. Column order is
/// the file's order.
public struct Table: Sendable {
    /// One column's values.
    public enum Column: Sendable {
        /// Float64 values, shape `[rowCount]`; missing cells are NaN.
        case numeric(Tensor)
        case text([String])

        /// Number of rows.
        public var count: Int {
            switch self {
            case .numeric(let values): return values.count
            case .text(let values): return values.count
            }
        }

        /// The values when the column is numeric, else nil.
        public var numbers: Tensor? {
            if case .numeric(let values) = self { return values }
            return nil
        }

        /// The values when the column is text, else nil.
        public var strings: [String]? {
            if case .text(let values) = self { return values }
            return nil
        }
    }

    /// One cell's value.
    public enum Value: Sendable, Equatable {
        case number(Double)
        case text(String)
    }

    /// Column names, in order.
    public private(set) var columns: [String]
    /// Column values, parallel to `columns`.
    public private(set) var values: [Column]
    /// Number of rows (data lines, without the header).
    public private(set) var rowCount: Int

    /// A table from `(name, column)` pairs.
    /// - Throws: `DataError` (operation `table`) when names repeat or are empty, columns differ in length, or a
    ///   numeric column is not one-dimensional.
    public init(_ columns: [(name: String, column: Column)]) throws {
        var seen = Set<String>()
        var normalized: [Column] = []
        for (name, column) in columns {
            guard seen.insert(name).inserted else {
                throw DataError("table", path: nil, "column name '\(name)' appears twice")
            }
            if case .numeric(let tensor) = column {
                guard tensor.rank == 1 else {
                    throw DataError("table", path: nil, "numeric column '\(name)' must have shape [rows], "
                                    + "not \(formatShape(tensor.shape))")
                }
                normalized.append(.numeric(tensor.astype(.float64)))
            } else {
                normalized.append(column)
            }
        }
        let counts = normalized.map(\.count)
        if let first = counts.first, let index = counts.firstIndex(where: { $0 != first }) {
            throw DataError("table", path: nil, "column '\(columns[index].name)' has \(counts[index]) rows but "
                            + "'\(columns[0].name)' has \(first)")
        }
        self.columns = columns.map(\.name)
        self.values = normalized
        self.rowCount = counts.first ?? 0
    }

    /// The column called `name`.
    /// - Throws: `DataError` (operation `table`) when there is none; the message lists the columns there are.
    public subscript(name: String) -> Column {
        get throws {
            guard let index = columns.firstIndex(of: name) else {
                throw DataError("table", path: nil, "no column named '\(name)'; the columns are "
                                + columns.map { "'\($0)'" }.joined(separator: ", "))
            }
            return values[index]
        }
    }

    /// Row `index` (0-based) as a dictionary from column name to value.
    /// - Throws: `DataError` (operation `table.row`) when `index` is not in `0..<rowCount`.
    public func row(_ index: Int) throws -> [String: Value] {
        guard index >= 0 && index < rowCount else {
            throw DataError("table.row", path: nil, "row \(index) is out of range for a table of \(rowCount) rows")
        }
        var result: [String: Value] = [:]
        for (name, column) in zip(columns, values) {
            switch column {
            case .numeric(let numbers): result[name] = .number(try numbers.scalar(at: [index]))
            case .text(let strings): result[name] = .text(strings[index])
            }
        }
        return result
    }

    /// Every row as a dictionary from column name to value.
    public var rows: [[String: Value]] {
        let numbers = values.map { $0.numbers?.scalars(as: Double.self) }
        return (0..<rowCount).map { index in
            var result: [String: Value] = [:]
            for (column, (name, values)) in zip(numbers, zip(columns, values)) {
                result[name] = column.map { .number($0[index]) } ?? .text(values.strings![index])
            }
            return result
        }
    }

    /// The rows where `mask` is true, in order.
    /// - Parameter mask: bool tensor of shape `[rowCount]` (e.g. `table["trial_type"]`-derived comparisons).
    /// - Throws: `DataError` (operation `table.filter`) when `mask` is not bool or its shape is not `[rowCount]`.
    public func filter(where mask: Tensor) throws -> Table {
        guard mask.dtype == .bool, mask.shape == [rowCount] else {
            throw DataError("table.filter", path: nil, "the mask must be a bool tensor of shape [\(rowCount)], "
                            + "not \(mask.dtype) \(formatShape(mask.shape))")
        }
        let keep = mask.scalars(as: Bool.self)
        return filter { keep[$0] }
    }

    /// The rows whose index satisfies `isIncluded`, in order.
    public func filter(_ isIncluded: (Int) throws -> Bool) rethrows -> Table {
        let indices = try (0..<rowCount).filter(isIncluded)
        var copy = self
        copy.values = values.map { column in
            switch column {
            case .numeric(let numbers):
                let all = numbers.scalars(as: Double.self)
                return .numeric(Tensor(indices.map { all[$0] }))
            case .text(let strings):
                return .text(indices.map { strings[$0] })
            }
        }
        copy.rowCount = indices.count
        return copy
    }
}
