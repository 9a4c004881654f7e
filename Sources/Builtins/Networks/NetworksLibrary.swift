import Language
import Networks
import Tensors

/// Networks in scripts: `vit(...)` builds a DINOv2-style vision transformer, `load_model(path)` reads one saved by
/// `model.save` (or a Hugging Face DINOv2 checkpoint with its config.json); the `model` object reads activations
/// and gradients of every layer (ModelMethods).
enum NetworksLibrary {
    static func install(_ context: BindingContext) {
        context.define(
            "vit",
            "vit(image_size, patch, width, depth, heads, channels=3, mlp_ratio=4, registers=0, positional=\"learned\", "
                + "feed_forward=\"mlp\", layer_scale=1e-5, seed=0, dtype=\"float32\")",
            "A DINOv2-style vision transformer with freshly initialised weights (seeded) → model. Patch embedding "
                + "(patch × patch), class token, registers, learned or 2-D rotary (\"rope\") positions, pre-norm "
                + "blocks (feed_forward \"mlp\" or \"swiglu\", hidden width width · mlp_ratio, LayerScale initial "
                + "value layer_scale or nil for none) and a final LayerNorm. Layers: patch_embed, blocks.0 … "
                + "blocks.{depth-1}, norm. Images [n, image_size, image_size, channels] or [n, channels, image_size, "
                + "image_size].\nErrors: image_size not a multiple of patch, width not a multiple of heads (rope: "
                + "head width not a multiple of 4), unknown positional, feed_forward or dtype.") { arguments in
            var settings = VisionTransformerSettings(
                imageSize: try arguments.integer(0, "image_size"), patch: try arguments.integer(1, "patch"),
                width: try arguments.integer(2, "width"), depth: try arguments.integer(3, "depth"),
                heads: try arguments.integer(4, "heads"))
            settings.channels = try arguments.optionalInteger(5, "channels") ?? 3
            settings.mlpRatio = try arguments.optionalNumber(6, "mlp_ratio") ?? 4
            settings.registers = try arguments.optionalInteger(7, "registers") ?? 0
            settings.positional = try arguments.optionalString(8, "positional") ?? "learned"
            settings.feedForward = try arguments.optionalString(9, "feed_forward") ?? "mlp"
            if let value = arguments.optional(10, "layer_scale") {
                settings.layerScale = value.isNil ? nil : try arguments.number(10, "layer_scale")
            }
            let seed = try arguments.optionalInteger(11, "seed") ?? 0
            guard seed >= 0 else { throw LanguageError("vit: seed must be >= 0, got \(seed)") }
            settings.seed = UInt64(seed)
            settings.dtype = try arguments.optionalString(12, "dtype") ?? "float32"
            let configuration = ModelConfiguration.visionTransformer(settings)
            return .native(ModelObject(try configuration.build(), configuration: configuration, context: context))
        }
        context.define(
            "load_model", "load_model(path)",
            "A model from a safetensors file written by model.save (architecture from its metadata), or a Hugging "
                + "Face DINOv2 model.safetensors with its config.json beside it → model.\nErrors: missing or "
                + "unreadable file, no architecture given, missing or unexpected tensors, shapes that differ.") {
            arguments in
            .native(try ModelFiles.loadModel(try arguments.string(0, "path"), context: context))
        }
    }
}
