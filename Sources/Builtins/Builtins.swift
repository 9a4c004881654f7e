import Language

/// The bridge between bm's engine and its language: each `*Library.swift` binds one engine area into an interpreter.
/// The language core knows nothing of tensors; the engine knows nothing of the language; only this target sees both.
public enum Builtins {
    /// Installs every engine library into `interpreter`: tensors and their methods, `linalg`, statistics, figures,
    /// data formats and dataset containers, and the alignment toolkit.
    public static func install(into interpreter: Interpreter) {
        let context = BindingContext(interpreter: interpreter)
        TensorLibrary.install(context)
        LinalgLibrary.install(context)
        StatisticsLibrary.install(context)
        FigureLibrary.install(context)
        DataLibraries.install(context)
        AlignmentLibrary.install(context)
        GradientLibrary.install(context)
        NetworksLibrary.install(context)
        TrainingLibrary.install(context)
        SubjectLibrary.install(context)
        StimulusLibrary.install(context)
    }
}

/// What the libraries share while binding: the interpreter (to make builtin function values) and the method table of
/// each native type.
final class BindingContext {
    unowned let interpreter: Interpreter

    init(interpreter: Interpreter) { self.interpreter = interpreter }

    /// Defines a global builtin; arity and keyword names are checked by the language against `signature`.
    func define(_ name: String, _ signature: String, _ documentation: String,
                _ body: @escaping (Arguments) throws -> Value) {
        interpreter.define(name, signature: signature, documentation: documentation, body)
    }

    /// A builtin function value, for modules (records of functions).
    func function(_ name: String, _ signature: String, _ documentation: String,
                  _ body: @escaping (Arguments) throws -> Value) -> Value {
        interpreter.makeFunction(name, signature: signature, documentation: documentation, body)
    }
}

/// A method of a native type: bound to its receiver when a script reads `x.name`, then called with the language's
/// own arity and keyword checks (the signature), so native methods and builtins share one checking path.
struct NativeMethod<Receiver>: Sendable {
    let signature: String
    let documentation: String
    let body: @Sendable (Receiver, Arguments, BindingContext) throws -> Value
}
