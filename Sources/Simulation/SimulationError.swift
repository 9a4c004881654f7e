/// A user mistake in a simulation request (a region that does not exist, a negative noise level, an empty stimulus
/// set …). Its text is "operation: message", like `TensorError`, so the language can add the script location.
public struct SimulationError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The operation that failed, e.g. "VirtualSubject.fmri".
    public let operation: String
    /// What was wrong, naming the offending values.
    public let message: String

    public init(_ operation: String, _ message: String) {
        self.operation = operation
        self.message = message
    }

    public var description: String { "\(operation): \(message)" }
}
