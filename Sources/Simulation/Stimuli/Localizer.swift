import Datasets
import Tensors

extension Stimuli {
    /// The conditions of the category localiser, in label order.
    public static let localizerCategories = ["faces", "places", "bodies", "words", "objects", "scrambled"]

    /// The stimuli of a category localiser (Kanwisher et al. 1997; Downing et al. 2001; Cohen et al. 2000;
    /// Stigliani et al. 2015): `perCategory` faces, places, bodies, words, objects and phase-scrambled images, in
    /// that order. The scrambled images are phase-scrambled (`.fitted`) versions of further images of the five
    /// intact categories in turn (drawn with other seeds than the intact ones), so they match the intact images'
    /// spectra on average without repeating any of them.
    ///
    /// - Parameters: `perCategory` ≥ 1; `size` 8…1024; `seed` any number.
    /// - Returns: images `[6 · perCategory, size, size, 3]` float32 in [0, 1]; metadata `category` (a name of
    ///   `localizerCategories`), `label` (its index), `kind` (the generator's kind: hair style, layout, pose, object,
    ///   word, or for scrambled images the source category).
    /// - Throws: `SimulationError` (`stimuli.localizer`) for perCategory below 1 or a size outside 8…1024.
    public static func localizerSet(perCategory: Int, size: Int = 64, seed: UInt64 = 0) throws -> StimulusSet {
        let operation = "stimuli.localizer"
        guard perCategory >= 1 else {
            throw SimulationError(operation, "the number of images per category must be at least 1, got \(perCategory)")
        }
        try StimulusBatch.validate(count: perCategory, size: size, operation: operation)
        let intact = [try faces(count: perCategory, size: size, seed: seed),
                      try places(count: perCategory, size: size, seed: seed),
                      try bodies(count: perCategory, size: size, seed: seed),
                      try words(count: perCategory, size: size, seed: seed),
                      try objects(count: perCategory, size: size, seed: seed)]
        // Sources of the scrambled images: image k comes from category k mod 5, drawn with a different seed.
        let sourceSeed = seed &+ 0x5c4a_3b1d
        let perSource = (perCategory + 4) / 5
        let sources = [try faces(count: perSource, size: size, seed: sourceSeed),
                       try places(count: perSource, size: size, seed: sourceSeed),
                       try bodies(count: perSource, size: size, seed: sourceSeed),
                       try words(count: perSource, size: size, seed: sourceSeed),
                       try objects(count: perSource, size: size, seed: sourceSeed)]
        var sourceImages = [Tensor](), sourceKinds = [String]()
        for k in 0..<perCategory {
            let set = sources[k % 5]
            sourceImages.append(try set.stimuli.get([.index(k / 5)]))
            sourceKinds.append(localizerCategories[k % 5])
        }
        let scrambledImages = try scrambled(try Tensor.stack(sourceImages, axis: 0), seed: seed, range: .fitted)
        let images = try Tensor.concatenate(intact.map(\.stimuli) + [scrambledImages], axis: 0)
        var categories = [String](), labels = [Double](), kinds = [String]()
        for (label, set) in intact.enumerated() {
            categories += [String](repeating: localizerCategories[label], count: perCategory)
            labels += [Double](repeating: Double(label), count: perCategory)
            kinds += try set.metadata["kind"].strings ?? []
        }
        categories += [String](repeating: "scrambled", count: perCategory)
        labels += [Double](repeating: 5, count: perCategory)
        kinds += sourceKinds
        let table = try Table([("category", .text(categories)), ("label", .numeric(Tensor(labels))), ("kind", .text(kinds))])
        return try StimulusSet(stimuli: images, metadata: table)
    }
}
