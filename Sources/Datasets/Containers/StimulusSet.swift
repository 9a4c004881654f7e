import Tensors

/// The stimuli of an experiment: a tensor `[n, …]` (images `[n, h, w, c]`, features, tokens…) and a metadata table
/// with one row per stimulus (names, categories, any column).
///
/// ```swift
/// let set = try StimulusSet(stimuli: images, metadata: try Table([("name", .text(names)), ("animate", .numeric(a))]))
/// let faces = try set.filter(column: "category", equals: .text("face"))   // (set, indices)
/// ```
public struct StimulusSet: Sendable {
    /// The stimuli, `[count, …]`.
    public let stimuli: Tensor
    /// One row per stimulus; a table without columns when there is no metadata.
    public let metadata: Table

    /// - Parameters: `stimuli` of rank ≥ 1, `[n, …]`; `metadata` with `n` rows (or no columns at all).
    /// - Throws: `DataError` (operation `stimuli`) for a 0-d tensor or a metadata table whose row count is not `n`.
    public init(stimuli: Tensor, metadata: Table? = nil) throws {
        guard stimuli.rank >= 1 else {
            throw DataError("stimuli", path: nil, "stimuli must have shape [n, …], got a 0-d tensor")
        }
        let table = try metadata ?? Table([])
        guard table.columns.isEmpty || table.rowCount == stimuli.shape[0] else {
            throw DataError("stimuli", path: nil, "the metadata has \(table.rowCount) rows but there are "
                            + "\(stimuli.shape[0]) stimuli (shape \(formatShape(stimuli.shape)))")
        }
        self.stimuli = stimuli
        self.metadata = table
    }

    /// Number of stimuli: `stimuli.shape[0]`.
    public var count: Int { stimuli.shape[0] }

    /// The `name` column's values when the metadata has a text column called `name`, else nil.
    public var names: [String]? { try? metadata["name"].strings }

    /// The stimuli at `indices` (in that order, repeats allowed) with their metadata rows.
    /// - Throws: `DataError` (operation `stimuli.subset`) for an index outside `0..<count`.
    public func subset(_ indices: [Int]) throws -> StimulusSet {
        try StimulusSet.checkIndices(indices, count: count, operation: "stimuli.subset")
        let selected = try stimuli.take(Tensor(indices.map(Int64.init)), axis: 0)
        return try StimulusSet(stimuli: selected, metadata: metadata.columns.isEmpty ? nil : metadata.selecting(rows: indices))
    }

    /// The stimuli whose metadata `column` equals `value`, in order, and their indices in this set.
    /// - Throws: `DataError` when there is no such column (listing the columns) or `value`'s kind (number or text)
    ///   differs from the column's.
    public func filter(column: String, equals value: Table.Value) throws -> (set: StimulusSet, indices: [Int]) {
        let indices: [Int]
        switch (try metadata[column], value) {
        case (.numeric(let numbers), .number(let wanted)):
            let all = numbers.scalars(as: Double.self)
            indices = all.indices.filter { all[$0] == wanted }
        case (.text(let strings), .text(let wanted)):
            indices = strings.indices.filter { strings[$0] == wanted }
        case (.numeric, .text(let wanted)):
            throw DataError("stimuli.filter", path: nil, "column '\(column)' holds numbers, not text like \"\(wanted)\"")
        case (.text, .number(let wanted)):
            throw DataError("stimuli.filter", path: nil, "column '\(column)' holds text, not numbers like \(wanted)")
        }
        return (try subset(indices), indices)
    }

    static func checkIndices(_ indices: [Int], count: Int, operation: String) throws {
        if let bad = indices.first(where: { $0 < 0 || $0 >= count }) {
            throw DataError(operation, path: nil, "stimulus index \(bad) is out of range for \(count) stimuli")
        }
    }
}

extension Table {
    /// The rows at `indices`, in that order (repeats allowed); the caller has checked them against `rowCount`.
    public func selecting(rows indices: [Int]) throws -> Table {
        try Table(zip(columns, values).map { name, column in
            switch column {
            case .numeric(let numbers):
                let all = numbers.scalars(as: Double.self)
                return (name, .numeric(Tensor(indices.map { all[$0] })))
            case .text(let strings):
                return (name, .text(indices.map { strings[$0] }))
            }
        })
    }
}
