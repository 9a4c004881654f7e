import Tensors

extension Table {
    /// Cells that mean "no value", as pandas and BIDS write them; they become NaN in numeric columns.
    static let missingMarkers: Set<String> = ["", "n/a", "NA", "NaN", "nan"]

    /// Reads a CSV or TSV file with a header row.
    ///
    /// The delimiter is `delimiter` when given, else a tab for `.tsv`/`.tab` files, a comma for `.csv`, and for other
    /// extensions a tab when the header line has one, else a comma. A column is numeric (float64, missing cells
    /// `""`, `n/a`, `NA`, `NaN`, `nan` → NaN) when every other cell parses as a number; otherwise it is text and
    /// keeps every cell exactly as written.
    /// - Throws: `DataError` (operation `table.read`) for a missing file, text that is not UTF-8, an empty file, a
    ///   repeated or empty column name, a row with the wrong number of fields (naming its line), or bad quoting.
    public static func read(_ path: String, delimiter: Character? = nil) throws -> Table {
        let operation = "table.read"
        let file = try ReadableFile(path: path, operation: operation)
        let bytes = try file.read(offset: 0, count: file.size)
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw DataError(operation, path: path, "the file is not UTF-8 text")
        }
        let separator = try delimiterByte(delimiter, path: path, operation: operation, firstLine: bytes.prefix {
            $0 != UInt8(ascii: "\n")
        })
        let records = try describing(operation, path) { try DelimitedText.parse(bytes, delimiter: separator) }
        guard let header = records.first else {
            throw DataError(operation, path: path, "the file is empty: a table needs a header row")
        }
        var seen = Set<String>()
        for name in header.fields {
            guard !name.isEmpty else {
                throw DataError(operation, path: path, "line \(header.line): a column name is empty")
            }
            guard seen.insert(name).inserted else {
                throw DataError(operation, path: path, "line \(header.line): column name '\(name)' appears twice")
            }
        }
        let rows = records.dropFirst()
        for record in rows where record.fields.count != header.fields.count {
            throw DataError(operation, path: path, "line \(record.line): \(record.fields.count) fields, but the "
                            + "header has \(header.fields.count) columns")
        }
        var columns: [(name: String, column: Column)] = []
        for (index, name) in header.fields.enumerated() {
            let cells = rows.map { $0.fields[index] }
            columns.append((name, column(from: cells)))
        }
        return try Table(columns)
    }

    /// A numeric column when every non-missing cell is a number, else a text column.
    static func column(from cells: [String]) -> Column {
        var numbers: [Double] = []
        numbers.reserveCapacity(cells.count)
        for cell in cells {
            if missingMarkers.contains(cell) {
                numbers.append(.nan)
            } else if let number = parseNumber(cell) {
                numbers.append(number)
            } else {
                return .text(cells)
            }
        }
        return .numeric(Tensor(numbers))
    }

    /// A decimal number as Python's `float()` reads it (surrounding spaces allowed, `inf`, `-inf`), excluding the
    /// hexadecimal forms Swift also accepts.
    static func parseNumber(_ cell: String) -> Double? {
        let trimmed = cell.trimmingSpaces
        guard !trimmed.isEmpty, !trimmed.lowercased().contains("x") else { return nil }
        return Double(trimmed)
    }

    /// Writes the table as CSV or TSV (delimiter chosen as `read` chooses it, from the extension) with a header
    /// row: numbers in their shortest round-trip form, NaN as `n/a` in TSV (the BIDS convention) and empty in CSV,
    /// text quoted only where needed. The file is replaced atomically. Column types are inferred again on reading,
    /// so a text column whose every cell looks like a number (`"007"`) reads back as numeric.
    /// - Throws: `DataError` (operation `table.write`) for a missing folder, a failed write or a multi-byte delimiter.
    public func write(_ path: String, delimiter: Character? = nil) throws {
        let operation = "table.write"
        let separator = try Table.delimiterByte(delimiter, path: path, operation: operation, firstLine: [])
        let missing = separator == UInt8(ascii: "\t") ? "n/a" : ""
        let separatorText = String(UnicodeScalar(separator))
        var text = columns.map { DelimitedText.escape($0, delimiter: separator) }.joined(separator: separatorText) + "\n"
        let cells: [[String]] = values.map { column in
            switch column {
            case .numeric(let numbers):
                return numbers.scalars(as: Double.self).map { $0.isNaN ? missing : Table.format($0) }
            case .text(let strings):
                return strings.map { DelimitedText.escape($0, delimiter: separator) }
            }
        }
        for row in 0..<rowCount {
            text += cells.map { $0[row] }.joined(separator: separatorText)
            text += "\n"
        }
        try AtomicFile.write(Array(text.utf8), to: path, operation: operation)
    }

    /// Shortest text that reads back to the same Double; integral values without a fraction (`3`, not `3.0`).
    static func format(_ value: Double) -> String {
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        if value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    private static func delimiterByte(_ delimiter: Character?, path: String, operation: String,
                                      firstLine: ArraySlice<UInt8>) throws -> UInt8 {
        if let delimiter {
            guard let ascii = delimiter.asciiValue, delimiter != "\"", delimiter != "\n" else {
                throw DataError(operation, path: path, "the delimiter must be one ASCII character other than a "
                                + "quote or newline, not '\(delimiter)'")
            }
            return ascii
        }
        let lowercased = path.lowercased()
        if lowercased.hasSuffix(".tsv") || lowercased.hasSuffix(".tab") { return UInt8(ascii: "\t") }
        if lowercased.hasSuffix(".csv") { return UInt8(ascii: ",") }
        return firstLine.contains(UInt8(ascii: "\t")) ? UInt8(ascii: "\t") : UInt8(ascii: ",")
    }
}

extension String {
    fileprivate var trimmingSpaces: Substring {
        let start = firstIndex { $0 != " " } ?? endIndex
        let end = lastIndex { $0 != " " }.map(index(after:)) ?? start
        return self[start..<Swift.max(start, end)]
    }
}
