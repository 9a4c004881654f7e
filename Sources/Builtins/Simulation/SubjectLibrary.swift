import Language
import Simulation
import Tensors

/// Virtual subjects: `virtual_subject(...)` and `cohort(n, ...)` make subjects whose `.fmri`, `.meg` and
/// `.fmri_timeseries` simulate measurements with known ground truth (docs/simulation.md).
enum SubjectLibrary {
    static let subjectDocumentation = """
        A virtual subject of cohort `seed`: `vertices` vertices on a flat two-hemisphere cortex with regions V1, V2, \
        V4, LO, FFA, PPA, EBA, VWFA, IFJ, PFC, responding to images [n, h, w, c] (values in [0, 1], spanning \
        field_of_view degrees) through a fixed feature bank (Gabor energy early, texture statistics middle, category \
        evidence high). Subjects of one cohort share the vertex layout and most tuning; index sets the individual \
        part (region borders, gains, noise, latencies).
        Methods: fmri(images, repeats=1, noise=1, seed=0, labels=nil), meg(images, ...), \
        fmri_timeseries(images, tr, ...), responses(images, labels=nil), vertices(region, hemisphere=nil). \
        Attributes: regions, truth, cortex, index, seed, vertices_count.
        Errors: VirtualCortex: fewer than 200 vertices; VirtualSubject: index < 0; FeatureBank: resolution not a \
        multiple of 4 in 48...256; virtual_subject: seed < 0.
        """

    static func install(_ context: BindingContext) {
        context.define("virtual_subject",
                       "virtual_subject(seed=0, index=0, vertices=2000, field_of_view=10, resolution=64, region_jitter=2.5)",
                       subjectDocumentation) { arguments in
            let subject = try makeSubject(arguments, indexPosition: 1, seedPosition: 0, index: nil)
            return .native(SubjectObject(subject, context: context))
        }
        context.define("cohort",
                       "cohort(n, seed=0, vertices=2000, field_of_view=10, resolution=64, region_jitter=2.5)",
                       "A list of n virtual subjects (index 0 … n−1) of cohort `seed`: the same vertex layout and "
                        + "shared tunings, individual region borders, gains, noise and latencies. See "
                        + "help(virtual_subject).\nErrors: cohort: n < 1; as virtual_subject.") { arguments in
            let count = try arguments.integer(0, "n")
            guard count >= 1 else { throw LanguageError("cohort: n must be >= 1, got \(count)") }
            return .makeList(try (0..<count).map { index in
                .native(SubjectObject(try makeSubject(arguments, indexPosition: nil, seedPosition: 1, index: index),
                                      context: context))
            })
        }
    }

    /// Builds a subject from the shared keyword arguments; positions of vertices… follow seed and index.
    static func makeSubject(_ arguments: Arguments, indexPosition: Int?, seedPosition: Int, index: Int?) throws
        -> VirtualSubject
    {
        let operation = indexPosition == nil ? "cohort" : "virtual_subject"
        let base = seedPosition + (indexPosition == nil ? 1 : 2)
        let seed = try arguments.optionalInteger(seedPosition, "seed") ?? 0
        guard seed >= 0 else { throw LanguageError("\(operation): seed must be >= 0, got \(seed)") }
        let subjectIndex = try index ?? (try arguments.optionalInteger(indexPosition!, "index") ?? 0)
        return try VirtualSubject(index: subjectIndex, seed: UInt64(seed),
                                  vertices: try arguments.optionalInteger(base, "vertices") ?? 2000,
                                  fieldOfView: try arguments.optionalNumber(base + 1, "field_of_view") ?? 10,
                                  resolution: try arguments.optionalInteger(base + 2, "resolution") ?? 64,
                                  regionJitter: try arguments.optionalNumber(base + 3, "region_jitter") ?? 2.5)
    }

    /// Stimulus labels: a list of names, one per image; faces, places (scenes), bodies, words, objects (singular
    /// forms accepted) select a category; scrambled, none, other, "" and nil mark an image of no category.
    static func labels(_ value: Value?, operation: String) throws -> [SelectivityCategory?]? {
        guard let value, !value.isNil else { return nil }
        guard let list = value.listValue else {
            throw LanguageError("\(operation): labels must be a list of category names, got \(value.typeName)")
        }
        return try list.elements.map { element -> SelectivityCategory? in
            if element.isNil { return nil }
            guard let name = element.stringValue else {
                throw LanguageError("\(operation): labels must be category names (strings), got \(element.typeName)")
            }
            if ["", "scrambled", "none", "other", "baseline"].contains(name.lowercased()) { return nil }
            do { return try SelectivityCategory.named(name, operation: operation) } catch let error as SimulationError {
                throw LanguageError(error.description + ", or scrambled/none for no category")
            }
        }
    }

    /// A user seed: a whole number ≥ 0.
    static func seed(_ arguments: Arguments, _ index: Int, _ operation: String) throws -> UInt64 {
        let seed = try arguments.optionalInteger(index, "seed") ?? 0
        guard seed >= 0 else { throw LanguageError("\(operation): seed must be >= 0, got \(seed)") }
        return UInt64(seed)
    }

    static func strings(_ values: [String]) -> Value { .makeList(values.map { .string($0) }) }
}
