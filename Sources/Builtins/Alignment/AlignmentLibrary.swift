import Language

/// The alignment toolkit in the language: encoding models, RSA and similarity, features, noise ceilings, statistics,
/// time and hierarchy scores. The everyday functions are globals; the rest live in modules (see docs/alignment.md).
enum AlignmentLibrary {
    static func install(_ context: BindingContext) {
        RidgeLibrary.install(context)
        SimilarityLibrary.install(context)
        InferenceLibrary.install(context)
        FeatureLibrary.install(context)
        TimeLibrary.install(context)
        RetinotopyLibrary.install(context)
    }
}
