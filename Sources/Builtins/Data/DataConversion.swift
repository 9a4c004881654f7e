import Datasets
import Foundation
import Language
import Tensors

/// Conversions between script values and the data formats' Swift types (records of tensors, HDF5 attributes,
/// table columns), and the method-binding helper the data objects share.
enum DataConversion {
    /// A record `name → tensor` in the given order.
    static func tensorRecord(_ context: BindingContext, _ pairs: [(name: String, tensor: Tensor)]) -> Value {
        .makeRecord(pairs.map { ($0.name, context.wrap($0.tensor)) })
    }

    /// `(name, tensor)` pairs from a record whose values are tensors (or numbers/lists, converted).
    static func namedTensors(_ arguments: Arguments, _ index: Int, _ name: String,
                             operation: String) throws -> [(name: String, tensor: Tensor)] {
        let record = try arguments.record(index, name)
        return try zip(record.keys, record.values).map { key, value in
            (key, try TensorConversion.tensor(from: value, operation: "\(operation) ('\(key)')"))
        }
    }

    /// A string → string map from a record of strings (safetensors metadata).
    static func stringMap(_ record: Record, operation: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for (key, value) in zip(record.keys, record.values) {
            guard case .string(let text) = value else {
                throw LanguageError("\(operation): metadata values must be strings; '\(key)' is a \(value.typeName)")
            }
            result[key] = text
        }
        return result
    }

    // MARK: HDF5 attributes

    static func value(_ context: BindingContext, _ attribute: HDF5Value) -> Value {
        switch attribute {
        case .number(let number): return .number(number)
        case .numbers(let tensor): return tensor.rank == 0 ? TensorConversion.scalarValue(tensor) : context.wrap(tensor)
        case .string(let text): return .string(text)
        case .strings(let texts): return .makeList(texts.map { .string($0) })
        }
    }

    static func attributesRecord(_ context: BindingContext, _ attributes: [String: HDF5Value]) -> Value {
        .makeRecord(attributes.sorted { $0.key < $1.key }.map { ($0.key, value(context, $0.value)) })
    }

    /// An attribute value from a number, bool, string, list of strings, or tensor / list of numbers.
    static func hdf5Value(_ value: Value, operation: String, name: String) throws -> HDF5Value {
        switch value {
        case .number(let number): return .number(number)
        case .string(let text): return .string(text)
        case .bool(let flag): return .numbers(Tensor(scalar: flag))
        case .list(let list) where !list.elements.isEmpty && list.elements.allSatisfy({ $0.stringValue != nil }):
            return .strings(list.elements.map { $0.stringValue! })
        case .list, .native:
            return .numbers(try TensorConversion.tensor(from: value, operation: "\(operation) (attribute '\(name)')"))
        default:
            throw LanguageError("\(operation): attribute '\(name)' must be a number, bool, string, list or tensor, "
                                + "got \(value.typeName)")
        }
    }

    static func hdf5Attributes(_ record: Record?, operation: String) throws -> [String: HDF5Value] {
        guard let record else { return [:] }
        var result: [String: HDF5Value] = [:]
        for (key, value) in zip(record.keys, record.values) {
            result[key] = try hdf5Value(value, operation: operation, name: key)
        }
        return result
    }

    // MARK: Tables

    /// A column as a script sees it: a float64 tensor, or a list of strings.
    static func columnValue(_ context: BindingContext, _ column: Table.Column) -> Value {
        switch column {
        case .numeric(let numbers): return context.wrap(numbers)
        case .text(let strings): return .makeList(strings.map { .string($0) })
        }
    }

    /// A column from a tensor, a list of numbers, or a list of strings.
    static func column(_ value: Value, operation: String, name: String) throws -> Table.Column {
        if case .list(let list) = value, !list.elements.isEmpty, list.elements.allSatisfy({ $0.stringValue != nil }) {
            return .text(list.elements.map { $0.stringValue! })
        }
        let tensor: Tensor
        do {
            tensor = try TensorConversion.tensor(from: value, operation: operation)
        } catch {
            throw LanguageError("\(operation): column '\(name)' must be a tensor, a list of numbers or a list of "
                                + "strings, got \(value.typeName)")
        }
        guard tensor.rank == 1 else {
            throw LanguageError("\(operation): column '\(name)' must be one-dimensional, got shape "
                                + formatShape(tensor.shape))
        }
        return .numeric(tensor.dtype == .float64 ? tensor : tensor.astype(.float64))
    }

    /// A table from a table object or a record of columns.
    static func table(_ value: Value, operation: String) throws -> Table {
        if let object = value.native(as: TableObject.self) { return object.table }
        guard case .record(let record) = value else {
            throw LanguageError("\(operation): expected a table or a record of columns, got \(value.typeName)")
        }
        return try Table(zip(record.keys, record.values).map { key, column in
            (key, try DataConversion.column(column, operation: operation, name: key))
        })
    }

    static func cell(_ value: Table.Value) -> Value {
        switch value {
        case .number(let number): return .number(number)
        case .text(let text): return .string(text)
        }
    }

    /// A row as a record in column order.
    static func rowRecord(_ table: Table, _ row: [String: Table.Value]) -> Value {
        .makeRecord(table.columns.map { ($0, cell(row[$0]!)) })
    }

    /// Integer indices from a list of numbers or an int64/whole-number tensor.
    static func indices(_ value: Value, operation: String) throws -> [Int] {
        let tensor = try TensorConversion.tensor(from: value, operation: operation)
        guard tensor.rank <= 1 else {
            throw LanguageError("\(operation): indices must be a list or a 1-D tensor, got shape \(formatShape(tensor.shape))")
        }
        if tensor.dtype == .bool {
            return tensor.scalars(as: Bool.self).enumerated().filter { $0.element }.map(\.offset)
        }
        return try tensor.scalars(as: Double.self).map { number in
            guard let integer = exactInteger(number) else {
                throw LanguageError("\(operation): index \(number) is not an integer")
            }
            return integer
        }
    }

    /// `x.name` for a method in `table`: the method bound to `receiver`, checked against its signature.
    static func bind<Receiver>(_ table: [String: NativeMethod<Receiver>], _ name: String, typeName: String,
                               receiver: Receiver, context: BindingContext) -> Value? {
        guard let method = table[name] else { return nil }
        return context.function("\(typeName).\(name)", method.signature, method.documentation) { [context] arguments in
            try method.body(receiver, arguments, context)
        }
    }
}

