/// The error every plotting mistake throws: mismatched lengths, wrong shapes, unknown names, out-of-range panels,
/// log axes over non-positive data. `description` reads `operation: message`, e.g.
/// `plot.line: x has 10 values but y has 12`. File problems on save throw `DataError` instead.
public struct PlottingError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The user-facing operation (`plot.line`, `plot.heatmap`, `figure.save`).
    public let operation: String
    public let message: String

    public init(_ operation: String, _ message: String) {
        self.operation = operation
        self.message = message
    }

    public var description: String { "\(operation): \(message)" }
}
