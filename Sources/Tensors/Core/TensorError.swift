/// The error every user mistake in the tensor engine throws.
///
/// `description` reads `operation: message`, e.g. `matmul: [3, 4] @ [5, 2]: inner dimensions 4 and 5 differ`;
/// the language layer adds the script location in front.
public struct TensorError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What went wrong, for callers that branch on it.
    public enum Kind: String, Sendable {
        case shapeMismatch, invalidAxis, invalidShape, dtype, index, invalidArgument
        case singularMatrix, notPositiveDefinite, lapack, cancelled
    }

    public let kind: Kind
    /// The engine operation that failed, as users call it (`matmul`, `reshape`, `linalg.cholesky`).
    public let operation: String
    public let message: String

    public init(_ kind: Kind, _ operation: String, _ message: String) {
        self.kind = kind
        self.operation = operation
        self.message = message
    }

    public var description: String { "\(operation): \(message)" }
}

/// Formats a shape as users see it: `[3, 4]`, `[]` for a scalar.
@inlinable
public func formatShape(_ shape: [Int]) -> String {
    "[" + shape.map(String.init).joined(separator: ", ") + "]"
}
