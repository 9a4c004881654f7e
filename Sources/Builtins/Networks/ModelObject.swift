import Foundation
import Language
import Networks
import Tensors

/// A network as a script sees it: `let m = vit(image_size=32, patch=4, width=64, depth=4, heads=4)`, then
/// `m.layers`, `m.activations(images)`, `m.gradients(images, labels=…, head=…)`, `m.save(path)`.
///
/// The object holds the Swift model itself (`model`), so that other libraries (training) work on the same
/// parameters: a model trained in place is read by `activations` afterwards. Every name bound to the object sees the
/// same model, as with a PyTorch module.
final class ModelObject: NativeObject {
    /// The network. Its parameters change in place when it is trained or loaded.
    let model: any ReadableModel
    /// How the model was built: enough to build it again (`load_model`) and to describe it.
    let configuration: ModelConfiguration
    let context: BindingContext

    init(_ model: any ReadableModel, configuration: ModelConfiguration, context: BindingContext) {
        self.model = model
        self.configuration = configuration
        self.context = context
    }

    /// The model as a vision transformer, when it is one (DINO training needs the ViT itself).
    var visionTransformer: VisionTransformer? { model as? VisionTransformer }

    var typeName: String { "model" }

    var displayString: String {
        "<model \(configuration.summary), \(model.layerNames.count) layers, "
            + "\(ModelObject.grouped(model.parameterCount)) parameters>"
    }

    var memberNames: [String] {
        ["layers", "parameter_count", "config", "dtype", "kind"] + ModelMethods.table.keys.sorted()
    }

    func attribute(_ name: String) throws -> Value? {
        switch name {
        case "layers": return .makeList(model.layerNames.map { .string($0) })
        case "parameter_count": return .number(Double(model.parameterCount))
        case "config": return configuration.record
        case "dtype": return .string(String(describing: parameterType))
        case "kind": return .string(configuration.kind)
        default:
            guard let method = ModelMethods.table[name] else { return nil }
            return context.function("model.\(name)", method.signature, method.documentation) { [context] arguments in
                try method.body(self, arguments, context)
            }
        }
    }

    /// The dtype of the parameters (float32 unless built with dtype="float64").
    var parameterType: DType { model.namedParameters.first?.parameter.value.dtype ?? .float32 }

    /// 1234567 → "1,234,567".
    static func grouped(_ number: Int) -> String {
        let digits = Array(String(number))
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return result
    }
}

/// What a model was built from, in the words of the function that built it.
enum ModelConfiguration: Equatable {
    case visionTransformer(VisionTransformerSettings)

    var kind: String {
        switch self {
        case .visionTransformer: "vit"
        }
    }

    /// One line for `print(model)`.
    var summary: String {
        switch self {
        case .visionTransformer(let settings):
            "vit \(settings.imageSize)×\(settings.imageSize)/\(settings.patch), width \(settings.width), depth "
                + "\(settings.depth), \(settings.heads) heads"
        }
    }

    /// The `config` attribute: the builder's keywords and their values.
    var record: Value {
        switch self {
        case .visionTransformer(let settings): settings.record
        }
    }

    /// The `[channels, height, width]` one image must have, when the model fixes it.
    var imageShape: [Int]? {
        switch self {
        case .visionTransformer(let settings): [settings.channels, settings.imageSize, settings.imageSize]
        }
    }

    /// JSON stored in saved files (metadata "bm.model"), so that `load_model` rebuilds the same architecture.
    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        switch self {
        case .visionTransformer(let settings):
            return String(decoding: try encoder.encode(settings), as: UTF8.self)
        }
    }

    /// The configuration stored as `json` by `json()`. Throws when the text is not one.
    static func from(json: String, path: String) throws -> ModelConfiguration {
        do {
            return .visionTransformer(try JSONDecoder().decode(VisionTransformerSettings.self, from: Data(json.utf8)))
        } catch {
            throw LanguageError("load_model: \(path): the model description (metadata \"bm.model\") is malformed: "
                                + "\(error)")
        }
    }

    /// A new model of this architecture, with parameters drawn from the configuration's seed.
    func build() throws -> any ReadableModel {
        switch self {
        case .visionTransformer(let settings): try settings.build()
        }
    }
}

/// The keywords of `vit(...)`.
struct VisionTransformerSettings: Codable, Equatable {
    var imageSize: Int
    var patch: Int
    var channels: Int = 3
    var width: Int
    var depth: Int
    var heads: Int
    var mlpRatio: Double = 4
    var registers: Int = 0
    var positional: String = "learned"
    var feedForward: String = "mlp"
    var layerScale: Double? = 1e-5
    var seed: UInt64 = 0
    var dtype: String = "float32"

    enum CodingKeys: String, CodingKey {
        case imageSize = "image_size", patch, channels, width, depth, heads, mlpRatio = "mlp_ratio", registers,
             positional, feedForward = "feed_forward", layerScale = "layer_scale", seed, dtype
    }

    /// The ViT these settings describe. Throws `LanguageError` for an unknown positional, feed-forward or dtype
    /// name, and the engine's `invalidArgument` for sizes that do not fit (image size not a multiple of patch…).
    func build() throws -> VisionTransformer {
        let positions: [String: VisionTransformer.Positional] = ["learned": .learned, "rope": .rope2D]
        let feedForwards: [String: VisionTransformer.FeedForward] = ["mlp": .mlp, "swiglu": .swiGLU]
        guard let positionKind = positions[positional] else {
            throw LanguageError("vit: positional must be \"learned\" or \"rope\", got \"\(positional)\"")
        }
        guard let feedForwardKind = feedForwards[feedForward] else {
            throw LanguageError("vit: feed_forward must be \"mlp\" or \"swiglu\", got \"\(feedForward)\"")
        }
        let types: [String: DType] = ["float32": .float32, "float64": .float64]
        guard let type = types[dtype] else {
            throw LanguageError("vit: dtype must be \"float32\" or \"float64\", got \"\(dtype)\"")
        }
        return try VisionTransformer(imageSize: imageSize, patchSize: patch, channels: channels, width: width,
                                     depth: depth, heads: heads, mlpRatio: mlpRatio, registers: registers,
                                     positional: positionKind, feedForward: feedForwardKind, layerScale: layerScale,
                                     dtype: type, seed: seed)
    }

    var record: Value {
        .makeRecord([
            ("image_size", .number(Double(imageSize))), ("patch", .number(Double(patch))),
            ("channels", .number(Double(channels))), ("width", .number(Double(width))),
            ("depth", .number(Double(depth))), ("heads", .number(Double(heads))), ("mlp_ratio", .number(mlpRatio)),
            ("registers", .number(Double(registers))), ("positional", .string(positional)),
            ("feed_forward", .string(feedForward)), ("layer_scale", layerScale.map { .number($0) } ?? .nil),
            ("seed", .number(Double(seed))), ("dtype", .string(dtype)),
        ])
    }
}
