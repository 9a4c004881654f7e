/// The error the alignment toolkit throws for a user mistake, naming the function and the argument at fault:
/// `ridge_cv: alphas must all be > 0, got -1`, `rdm: X has NaN in column 17 (use nan="omit" to drop such columns)`.
/// Shape problems inside the tensor engine surface as `TensorError` and pass through unchanged.
public struct AlignmentError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The user-facing function (`ridge_cv`, `compare_rdms`, `cka`).
    public let operation: String
    public let message: String

    public init(_ operation: String, _ message: String) {
        self.operation = operation
        self.message = message
    }

    public var description: String { "\(operation): \(message)" }
}
