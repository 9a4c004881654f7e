import Autodiff
import Datasets
import Foundation
import Language
import Networks
import Tensors

/// Conversions of script arguments for the network libraries, with their messages in one place.
enum NetworkArguments {
    /// Images for `model`: `[n, h, w, c]` (what `images.load` gives) is converted to the model's `[n, c, h, w]`;
    /// `[n, c, h, w]` passes as it is. When both readings fit (c equal to the image side, tiny models only) the
    /// tensor is taken as `[n, c, h, w]`. Throws naming both accepted layouts when neither fits.
    static func images(_ value: Value, for object: ModelObject, operation: String) throws -> Tensor {
        let images = try TensorConversion.tensor(from: value, operation: operation)
        guard let expected = object.configuration.imageShape else { return images }
        let (channels, height, width) = (expected[0], expected[1], expected[2])
        if images.rank == 4 {
            if Array(images.shape[1...]) == expected { return images }
            if Array(images.shape[1...]) == [height, width, channels] { return try images.permuted([0, 3, 1, 2]) }
        }
        throw LanguageError("\(operation): images of shape \(formatShape(images.shape)) do not fit this model: "
                            + "expected [n, \(height), \(width), \(channels)] (as images.load gives) or "
                            + "[n, \(channels), \(height), \(width)]")
    }

    /// `layers=`: "all", one layer name, or a list of names.
    static func layers(_ arguments: Arguments, _ index: Int, operation: String) throws -> LayerSelection {
        guard let value = arguments.optional(index, "layers"), !value.isNil else { return .all }
        switch value {
        case .string(let name): return name == "all" ? .all : .names([name])
        case .list(let list):
            return .names(try list.elements.map { element in
                guard case .string(let name) = element else {
                    throw arguments.typeError(index, "layers", expected: "\"all\", a layer name or a list of names",
                                              got: value)
                }
                return name
            })
        default:
            throw arguments.typeError(index, "layers", expected: "\"all\", a layer name or a list of names", got: value)
        }
    }

    /// `pool=`: "cls", "mean_patches", "mean_tokens" or "none".
    static func pool(_ arguments: Arguments, _ index: Int, operation: String) throws -> TokenPool {
        let name = try arguments.optionalString(index, "pool") ?? "cls"
        guard let pool = TokenPool(rawValue: name) else {
            throw LanguageError("\(operation): unknown pool \"\(name)\"; use one of "
                                + TokenPool.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))
        }
        return pool
    }

    /// A positive batch size (`batch=`).
    static func batchSize(_ arguments: Arguments, _ index: Int, default fallback: Int, operation: String) throws
        -> Int {
        let size = try arguments.optionalInteger(index, "batch") ?? fallback
        guard size >= 1 else { throw LanguageError("\(operation): batch must be at least 1, got \(size)") }
        return size
    }

    /// With `progress=true`, a progress line on stderr rewritten after each batch ("model.activations: 64/200
    /// images"), ended by a newline when the last image is done; nil otherwise.
    static func progress(_ arguments: Arguments, _ index: Int, operation: String) throws -> ReadingProgress? {
        guard try arguments.optionalBool(index, "progress") ?? false else { return nil }
        return { completed, total in
            let end = completed == total ? "\n" : ""
            FileHandle.standardError.write(Data("\r\(operation): \(completed)/\(total) images\(end)".utf8))
        }
    }

    /// The classifier of `head=`: a weight tensor `[classes, width]`, or a record {weight, bias}; nil when absent.
    /// Throws when the weight is not 2-D with the model's feature width, or the bias is not `[classes]`.
    static func head(_ arguments: Arguments, _ index: Int, width: Int?, dtype: DType, operation: String) throws
        -> Linear? {
        guard let value = arguments.optional(index, "head"), !value.isNil else { return nil }
        let weight: Tensor
        var bias: Tensor?
        if case .record(let record) = value {
            guard let weightValue = record["weight"] else {
                throw LanguageError("\(operation): head record needs a \"weight\" [classes, width] (and optionally "
                                    + "a \"bias\" [classes])")
            }
            weight = try TensorConversion.tensor(from: weightValue, operation: operation)
            if let biasValue = record["bias"], !biasValue.isNil {
                bias = try TensorConversion.tensor(from: biasValue, operation: operation)
            }
        } else {
            weight = try TensorConversion.tensor(from: value, operation: operation)
        }
        guard weight.rank == 2, width.map({ weight.shape[1] == $0 }) ?? true else {
            throw LanguageError("\(operation): head weight of shape \(formatShape(weight.shape)) is not "
                                + "[classes, \(width.map(String.init) ?? "width")]")
        }
        if let bias, bias.shape != [weight.shape[0]] {
            throw LanguageError("\(operation): head bias of shape \(formatShape(bias.shape)) is not "
                                + "[\(weight.shape[0])] (one per class)")
        }
        let linear = try Linear(inputs: weight.shape[1], outputs: weight.shape[0], bias: bias != nil, dtype: dtype)
        linear.weight.value = weight.astype(dtype)
        if let bias { linear.bias?.value = bias.astype(dtype) }
        return linear
    }

    /// `labels=`: class indices, one per image → int64 `[n]`. Throws for non-integer values.
    static func labels(_ arguments: Arguments, _ index: Int, operation: String) throws -> Tensor? {
        guard let value = arguments.optional(index, "labels"), !value.isNil else { return nil }
        let labels = try TensorConversion.tensor(from: value, operation: operation)
        if labels.dtype == .int64 { return labels }
        guard labels.dtype.isFloatingPoint,
              labels.scalars(as: Double.self).allSatisfy({ $0 == $0.rounded() && abs($0) < 1e15 }) else {
            throw LanguageError("\(operation): labels must be whole class indices (0, 1, …), got \(labels.dtype) "
                                + "values that are not")
        }
        return labels.astype(.int64)
    }

    /// `hooks=`: a record layer name → function of that layer's output tensor returning a replacement tensor (or
    /// nil to keep the output: a hook that only reads). Throws when a value is not a function; the engine checks
    /// the names.
    static func hooks(_ arguments: Arguments, _ index: Int, context: BindingContext, operation: String) throws
        -> [String: ForwardPass.Hook] {
        guard let value = arguments.optional(index, "hooks"), !value.isNil else { return [:] }
        let record = try arguments.record(index, "hooks")
        var hooks: [String: ForwardPass.Hook] = [:]
        for (name, function) in zip(record.keys, record.values) {
            guard case .function = function else {
                throw LanguageError("\(operation): hooks.\(name) must be a function of the layer's output, got "
                                    + function.typeName)
            }
            hooks[name] = { _, output in
                let result = try arguments.call(function, [context.wrap(output.value)])
                if result.isNil { return output }
                return Variable(try TensorConversion.tensor(from: result, operation: operation).astype(output.dtype))
            }
        }
        return hooks
    }

    /// A record of layer name → tensor, in the readout's order.
    static func record(_ readout: LayerReadout, context: BindingContext) -> Value {
        .makeRecord(readout.layers.map { ($0.name, context.wrap($0.tensor)) })
    }
}
