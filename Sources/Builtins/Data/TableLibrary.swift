import Datasets
import Language
import Tensors

/// The `csv` module and the table object: CSV/TSV files as named columns (numbers as float64 tensors, text as lists
/// of strings).
enum TableLibrary {
    static func install(_ context: BindingContext) {
        context.interpreter.registerModule("csv", [
            ("read", context.function("csv.read", "read(path, delimiter=nil)",
                                      "Reads a CSV/TSV file with a header row → table (t.columns, t[\"col\"], t.rows, "
                                      + "len(t), t.filter(mask)). A column is numbers (float64; empty, n/a, NA, NaN → "
                                      + "nan) when every cell parses, else text. delimiter: one character (default: tab "
                                      + "for .tsv, comma for .csv).\nErrors: missing file, not UTF-8, empty file, "
                                      + "repeated column name, a row with the wrong number of fields (its line).") {
                arguments in
                let delimiter = try arguments.optionalString(1, "delimiter")
                if let delimiter, delimiter.count != 1 {
                    throw LanguageError("csv.read: delimiter must be one character, got \"\(delimiter)\"")
                }
                return .native(TableObject(try Table.read(try arguments.string(0, "path"), delimiter: delimiter?.first),
                                           context: context))
            }),
            ("write", context.function("csv.write", "write(path, table)",
                                       "Writes a table, or a record of columns (tensors, lists of numbers or of "
                                       + "strings, all of one length), as CSV (TSV for .tsv) atomically → nil.\n"
                                       + "Errors: columns of different lengths, a 2-D column, missing folder.") { arguments in
                try DataConversion.table(arguments.value(1, "table"), operation: "csv.write")
                    .write(try arguments.string(0, "path"))
                return .nil
            }),
        ], documentation: "csv: csv.read(path) → table, csv.write(path, table_or_record_of_columns).", global: true)
        context.define("table", "table(columns)",
                       "A table from a record of columns (tensors, lists of numbers or of strings, one length) → table.\n"
                       + "Errors: columns of different lengths, a 2-D column.") { arguments in
            .native(TableObject(try DataConversion.table(arguments.value(0, "columns"), operation: "table"), context: context))
        }
    }
}

/// A table: `t.columns`, `t["col"]` (a tensor, or a list of strings), `t[i]` (row i as a record), `t.rows`, `len(t)`,
/// `t.filter(mask)`, and iteration over rows (records).
final class TableObject: NativeObject {
    let table: Table
    let context: BindingContext

    init(_ table: Table, context: BindingContext) {
        self.table = table
        self.context = context
    }

    var typeName: String { "table" }
    var displayString: String {
        "<table \(table.rowCount) rows × \(table.columns.count) columns: \(table.columns.joined(separator: ", "))>"
    }
    var memberNames: [String] { ["columns", "rows"] + TableObject.methods.keys.sorted() }

    func attribute(_ name: String) throws -> Value? {
        switch name {
        case "columns": return .makeList(table.columns.map { .string($0) })
        case "rows": return .makeList(table.rows.map { DataConversion.rowRecord(table, $0) })
        default: return DataConversion.bind(TableObject.methods, name, typeName: "table", receiver: self, context: context)
        }
    }

    func subscriptGet(_ indices: [Subscript]) throws -> Value {
        guard indices.count == 1, case .value(let key) = indices[0] else {
            throw LanguageError("table: index with a column name (t[\"onset\"]) or a row number (t[0])")
        }
        switch key {
        case .string(let name): return DataConversion.columnValue(context, try table[name])
        case .number(let number):
            guard let row = exactInteger(number) else { throw LanguageError("table: row \(number) is not an integer") }
            return DataConversion.rowRecord(table, try table.row(row < 0 ? row + table.rowCount : row))
        default:
            throw LanguageError("table: index with a column name or a row number, got \(key.typeName)")
        }
    }

    func length() throws -> Int? { table.rowCount }

    func makeIterator() throws -> (() throws -> Value?)? {
        var position = 0
        let table = self.table
        return {
            guard position < table.rowCount else { return nil }
            defer { position += 1 }
            return DataConversion.rowRecord(table, try table.row(position))
        }
    }

    static let methods: [String: NativeMethod<TableObject>] = [
        "filter": NativeMethod(signature: "filter(mask)",
                               documentation: "The rows where mask (a bool tensor of one entry per row, e.g. "
                                + "t[\"rt\"] > 0.5) is true → table.\nErrors: a mask that is not bool or of another length.") {
            object, arguments, context in
            let mask = try TensorConversion.tensor(from: arguments.value(0, "mask"), operation: "table.filter")
            return .native(TableObject(try object.table.filter(where: mask), context: context))
        },
        "select": NativeMethod(signature: "select(rows)",
                               documentation: "The rows at the given indices (a list or int tensor), in that order → table.") {
            object, arguments, context in
            let rows = try DataConversion.indices(arguments.value(0, "rows"), operation: "table.select")
            if let bad = rows.first(where: { $0 < 0 || $0 >= object.table.rowCount }) {
                throw LanguageError("table.select: row \(bad) is out of range for a table of \(object.table.rowCount) rows")
            }
            return .native(TableObject(try object.table.selecting(rows: rows), context: context))
        },
        "write": NativeMethod(signature: "write(path)", documentation: "csv.write(path, t) → nil.") {
            object, arguments, _ in
            try object.table.write(try arguments.string(0, "path"))
            return .nil
        },
    ]
}
