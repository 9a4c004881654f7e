import Datasets
import Language
import Simulation
import Tensors

/// The `stimuli` module: procedural stimulus sets (faces, places, bodies, objects, words, scrambled images,
/// gratings), retinotopic mapping sequences, the category localiser set, and the real LFW and Kriegeskorte-92
/// images (docs/stimuli.md).
enum StimulusLibrary {
    /// The record scripts get for a generated set: `images` [n, size, size, 3], `categories` and `kinds` (lists of
    /// strings, one per image) and `metadata` (a table with every drawn parameter).
    static func record(_ set: StimulusSet, _ context: BindingContext) throws -> Value {
        .makeRecord([
            ("images", context.wrap(set.stimuli)),
            ("categories", strings(try set.metadata["category"].strings ?? [])),
            ("kinds", strings(try set.metadata["kind"].strings ?? [])),
            ("metadata", .native(TableObject(set.metadata, context: context))),
        ])
    }

    static func strings(_ values: [String]) -> Value { .makeList(values.map { .string($0) }) }

    static func sequenceRecord(_ sequence: RetinotopySequence, _ context: BindingContext) -> Value {
        .makeRecord([
            ("frames", context.wrap(sequence.frames)), ("apertures", context.wrap(sequence.apertures)),
            ("times", context.wrap(Tensor(sequence.times))), ("frame_duration", .number(sequence.frameDuration)),
            ("field_radius", .number(sequence.fieldRadius)), ("kind", .string(sequence.kind)),
            ("parameters", .native(TableObject(sequence.parameters, context: context))),
        ])
    }

    /// A non-negative whole-number seed (default 0).
    static func seed(_ arguments: Arguments, _ index: Int) throws -> UInt64 {
        guard let seed = try arguments.optionalInteger(index, "seed") else { return 0 }
        guard seed >= 0 else { throw LanguageError("\(arguments.functionName): seed must be >= 0, got \(seed)") }
        return UInt64(seed)
    }

    /// A list (or 1-d tensor) of numbers, or one number repeated `count` times.
    static func numbers(_ arguments: Arguments, _ index: Int, _ name: String, default value: Double, count: Int?) throws -> [Double] {
        guard let given = arguments.optional(index, name), !given.isNil else {
            return [Double](repeating: value, count: count ?? 1)
        }
        if case .number(let number) = given { return [Double](repeating: number, count: count ?? 1) }
        let tensor = try TensorConversion.tensor(from: given, operation: arguments.functionName)
        guard tensor.rank <= 1, tensor.dtype != .bool else {
            throw LanguageError("\(arguments.functionName): \(name) must be a number or a 1-d list of numbers, got shape "
                                + formatShape(tensor.shape))
        }
        let values = tensor.astype(.float64).scalars(as: Double.self)
        if let count, values.count != count {
            throw LanguageError("\(arguments.functionName): \(name) has \(values.count) values for \(count) gratings")
        }
        return values
    }

    static func install(_ context: BindingContext) {
        func generator(_ name: String, _ what: String,
                       _ generate: @escaping (Int, Int, UInt64) throws -> StimulusSet) -> (String, Value) {
            (name, context.function("stimuli.\(name)", "\(name)(n, size=64, seed=0)",
                                    "\(what)\nn images of size × size pixels → {images [n, size, size, 3] float32 in "
                                    + "[0, 1], categories, kinds (lists of strings), metadata (table of every drawn "
                                    + "parameter)}. Image i depends only on seed and i.\nErrors: n < 0, size outside "
                                    + "8...1024, seed < 0.") { arguments in
                try record(try generate(try arguments.integer(0, "n"), try arguments.optionalInteger(1, "size") ?? 64,
                                        try seed(arguments, 2)), context)
            })
        }
        var members: [(String, Value)] = [
            generator("faces", "Procedural faces: oval head, ears, neck, hair, eyes (white, iris, pupil), brows, nose and "
                      + "mouth in the canonical configuration, varying skin tone, head shape, roll, yaw, pitch, feature "
                      + "spacing and size, mouth curvature, hair, background and contrast.") {
                try Stimuli.faces(count: $0, size: $1, seed: $2)
            },
            generator("places", "Scenes in one-point perspective: sky, horizon and ground with a street (road, lane marks, "
                      + "facades with windows), a room (walls, floor boards, ceiling, window, door) or a house (roof, "
                      + "windows, door, path).") {
                try Stimuli.places(count: $0, size: $1, seed: $2)
            },
            generator("bodies", "Headless bodies: torso, neck stump, arms and legs articulated at shoulders, elbows, hips "
                      + "and knees, in standing, walking, arms-raised, reaching or dancing poses, varying clothing, "
                      + "skin, lean and size.") {
                try Stimuli.bodies(count: $0, size: $1, seed: $2)
            },
            generator("objects", "Household objects and tools from primitives: cup, chair, lamp, bottle, hammer, table, "
                      + "screwdriver, kettle, varying colours, proportions, size, position and tilt.") {
                try Stimuli.objects(count: $0, size: $1, seed: $2)
            },
        ]
        members.append(("words", context.function(
            "stimuli.words", "words(strings, size=64, seed=0)",
            "Written words rendered with Cairo (DejaVu Sans) in dark ink on a light page: strings is a list of strings "
            + "(one image each) or a number n (n words drawn from a list of common English words) → {images, "
            + "categories, kinds (the strings), metadata (font_size, bold, center_x, center_y, letters)}.\nErrors: an "
            + "empty string or one with a control character, size outside 8...1024, n < 0.") { arguments in
            let size = try arguments.optionalInteger(1, "size") ?? 64, seed = try seed(arguments, 2)
            let given = try arguments.value(0, "strings")
            if case .number = given {
                return try record(try Stimuli.words(count: try arguments.integer(0, "strings"), size: size, seed: seed), context)
            }
            guard let list = given.listValue else {
                throw LanguageError("stimuli.words: strings must be a list of strings or a number, got \(given.typeName)")
            }
            let texts = try list.elements.enumerated().map { index, element -> String in
                guard let text = element.stringValue else {
                    throw LanguageError("stimuli.words: element \(index) of strings is a \(element.typeName), not a string")
                }
                return text
            }
            return try record(try Stimuli.words(texts, size: size, seed: seed), context)
        }))
        members.append(("scrambled", context.function(
            "stimuli.scrambled", "scrambled(images, seed=0, range=\"fitted\")",
            "Phase-scrambled images: each image's Fourier amplitude spectrum is kept and its phases rotated by the phase "
            + "of white noise (the same for every channel; odd, so the result is real; zero at the mean). images: a "
            + "tensor [n, h, w, c] or [n, h, w] → float32 tensor of that shape, or a stimulus record → a record "
            + "(categories \"scrambled\", kinds the source categories). range: \"fitted\" (contrast shrunk about the "
            + "mean to fit [0, 1]), \"clipped\", \"exact\" (spectrum kept exactly, values may leave [0, 1]).\nErrors: "
            + "another rank, no pixels, a non-finite value, an unknown range, a mean outside [0, 1] with \"fitted\".") {
            arguments in
            let rangeName = try arguments.optionalString(2, "range") ?? "fitted"
            guard let range = Stimuli.ScrambleRange(rawValue: rangeName) else {
                throw LanguageError("stimuli.scrambled: range must be one of \"exact\", \"clipped\", \"fitted\", got "
                                    + "\"\(rangeName)\"")
            }
            let seed = try seed(arguments, 1)
            let given = try arguments.value(0, "images")
            if let fields = given.recordValue {
                guard let images = fields["images"] else {
                    throw LanguageError("stimuli.scrambled: a record of stimuli needs an images field")
                }
                var metadata: Table? = nil
                if let categories = fields["categories"]?.listValue {
                    metadata = try Table([("category", .text(categories.elements.map { $0.stringValue ?? "image" }))])
                }
                let set = try StimulusSet(stimuli: try TensorConversion.tensor(from: images, operation: "stimuli.scrambled"),
                                          metadata: metadata)
                return try record(try Stimuli.scrambled(set, seed: seed, range: range), context)
            }
            return context.wrap(try Stimuli.scrambled(try TensorConversion.tensor(from: given, operation: "stimuli.scrambled"),
                                                      seed: seed, range: range))
        }))
        members.append(("gratings", context.function(
            "stimuli.gratings",
            "gratings(orientations, cycles=4, phase=0, contrast=1, size=64, aperture=\"none\", radius=0.45, sigma=0.15)",
            "Sinusoidal gratings on mean gray: L = 0.5 + 0.5·contrast·window·cos(2π·cycles·(x cos θ + y sin θ) + phase), "
            + "(x, y) in image widths from the centre, y up. orientations (degrees, 0 = vertical stripes) a number or a "
            + "list; cycles (per image width), phase (degrees), contrast: a number or one per orientation. aperture: "
            + "\"none\", \"circle\" (radius, image units) or \"gaussian\" (sigma) → {images [n, size, size, 3], "
            + "categories, kinds, metadata}.\nErrors: cycles outside (0, size/2], contrast outside [0, 1], lists of "
            + "other lengths, an unknown aperture, a non-positive radius or sigma.") { arguments in
            let orientations = try numbers(arguments, 0, "orientations", default: 0, count: nil)
            let count = orientations.count
            let cycles = try numbers(arguments, 1, "cycles", default: 4, count: count)
            let phases = try numbers(arguments, 2, "phase", default: 0, count: count)
            let contrasts = try numbers(arguments, 3, "contrast", default: 1, count: count)
            let apertureName = try arguments.optionalString(5, "aperture") ?? "none"
            let aperture: Stimuli.Aperture
            switch apertureName {
            case "none": aperture = .none
            case "circle": aperture = .circle(radius: try arguments.optionalNumber(6, "radius") ?? 0.45)
            case "gaussian": aperture = .gaussian(sigma: try arguments.optionalNumber(7, "sigma") ?? 0.15)
            default:
                throw LanguageError("stimuli.gratings: aperture must be one of \"none\", \"circle\", \"gaussian\", got "
                                    + "\"\(apertureName)\"")
            }
            let gratings = (0..<count).map {
                Stimuli.Grating(orientation: orientations[$0], cyclesPerImage: cycles[$0], phase: phases[$0],
                                contrast: contrasts[$0])
            }
            return try record(try Stimuli.gratings(gratings, size: try arguments.optionalInteger(4, "size") ?? 64,
                                                   aperture: aperture), context)
        }))
        StimulusSequenceLibrary.install(context, into: &members)
        context.interpreter.registerModule("stimuli", members, documentation:
            "stimuli: faces(n), places(n), bodies(n), objects(n), words(strings or n), scrambled(images), gratings(...) "
            + "→ {images, categories, kinds, metadata}; wedges(), rings(), bars() → {frames, apertures, times, …}; "
            + "localizer(per_category) → {images, labels, categories, metadata}; lfw(), kriegeskorte92() → the real "
            + "sets in ../shared/data. See docs/stimuli.md.", global: true)
    }
}
