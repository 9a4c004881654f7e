/// The error every data-format operation throws for a user-facing problem: a missing or unreadable file, a corrupt or
/// truncated one, a wrong dataset name or dtype. `description` reads `operation: path: message`, e.g.
/// `npy.load: /data/betas.npy: header claims 4000000 bytes but the file has 1200`.
public struct DataError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The user-facing operation (`h5.open`, `npy.load`, `images.load`).
    public let operation: String
    /// The file concerned, when there is one.
    public let path: String?
    public let message: String

    public init(_ operation: String, path: String?, _ message: String) {
        self.operation = operation
        self.path = path
        self.message = message
    }

    public var description: String {
        if let path { return "\(operation): \(path): \(message)" }
        return "\(operation): \(message)"
    }
}
