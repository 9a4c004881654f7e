/// Collects the non-fatal problems of a computation (constant patterns whose correlation is undefined, …) so that
/// the caller can report them; results carry NaN at those places, never a silent 0.
public final class AlignmentWarnings: @unchecked Sendable {
    public private(set) var messages: [String] = []

    public init() {}

    func add(_ message: String) { messages.append(message) }
}
