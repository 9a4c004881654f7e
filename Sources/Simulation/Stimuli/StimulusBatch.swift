import Datasets
import Dispatch
import Synchronization
import Tensors

/// What one generated image shows: its category ("face", "place" …), the kind within it ("room", "cup", the word),
/// and the drawn parameters, one number each (the same names, in the same order, for every image of a generator).
struct StimulusDescription: Sendable {
    var category: String
    var kind: String
    var parameters: [(name: String, value: Double)]
}

/// The smallest and largest image side the generators draw: below 8 pixels nothing is recognisable, and above 1024
/// one batch of a few hundred images would take gigabytes.
public let stimulusSizeRange = 8...1024

/// Renders batches of images in parallel into one float32 tensor `[n, size, size, 3]` with a metadata table.
enum StimulusBatch {
    /// The most float32 values one request may produce (8 GiB): beyond it the allocation would fail or swap.
    static let maximumElements = 1 << 31

    /// Checks `count` (≥ 0), `size` (in `stimulusSizeRange`) and that `count` RGB images of that size stay within
    /// `maximumElements`.
    static func validate(count: Int, size: Int, operation: String) throws {
        guard count >= 0 else { throw SimulationError(operation, "the number of images must be >= 0, got \(count)") }
        guard stimulusSizeRange.contains(size) else {
            throw SimulationError(operation, "size must lie in \(stimulusSizeRange.lowerBound)..."
                                  + "\(stimulusSizeRange.upperBound) pixels, got \(size)")
        }
        guard count <= maximumElements / (size * size * 3) else {
            throw SimulationError(operation, "\(count) images of \(size) × \(size) pixels would need "
                                  + "\(count * size * size * 12 / (1 << 30)) GiB; the limit is 8 GiB per request")
        }
    }

    /// Draws image `i` with `draw(i, &random)` for every i in 0..<count on `Threads.count` threads; each image has its
    /// own random stream (`StimulusRandom(seed:stream:index:)`), so the result is the same on any number of threads.
    /// The metadata table has the columns `category`, `kind`, then the parameters of the first image.
    static func render(count: Int, size: Int, seed: UInt64, stream: String, operation: String,
                       _ draw: @escaping @Sendable (Int, inout StimulusRandom) throws -> (Painter, StimulusDescription))
        throws -> StimulusSet {
        try validate(count: count, size: size, operation: operation)
        let imageElements = size * size * 3
        var scalars = [Float](repeating: 0, count: count * imageElements)
        var descriptions = [StimulusDescription?](repeating: nil, count: count)
        let failure = FirstFailure()
        scalars.withUnsafeMutableBufferPointer { pixels in
            descriptions.withUnsafeMutableBufferPointer { described in
                let pixelBase = UncheckedPointer(pixels.baseAddress!), describedBase = UncheckedPointer(described.baseAddress!)
                let workers = Swift.max(1, Swift.min(Threads.count, count))
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    var index = worker
                    while index < count {
                        if Cancellation.isRequested { failure.record(TensorError(.cancelled, operation, "interrupted")); return }
                        do {
                            var random = StimulusRandom(seed: seed, stream: stream, index: index)
                            let (painter, description) = try draw(index, &random)
                            precondition(painter.pixels.count == imageElements, "internal: image size")
                            painter.pixels.withUnsafeBufferPointer { source in
                                (pixelBase.pointer + index * imageElements).update(from: source.baseAddress!,
                                                                                   count: imageElements)
                            }
                            describedBase.pointer[index] = description
                        } catch {
                            failure.record(error)
                            return
                        }
                        index += workers
                    }
                }
            }
        }
        if let error = failure.error { throw error }
        let images = try Tensor(shape: [count, size, size, 3], scalars: scalars)
        return try StimulusSet(stimuli: images, metadata: try metadataTable(descriptions.map { $0! }))
    }

    /// The table of `descriptions`: `category` and `kind` text columns, then one numeric column per parameter name
    /// (in order of first appearance; NaN where an image lacks it).
    static func metadataTable(_ descriptions: [StimulusDescription]) throws -> Table {
        var names = [String]()
        for description in descriptions {
            for parameter in description.parameters where !names.contains(parameter.name) { names.append(parameter.name) }
        }
        var columns: [(name: String, column: Table.Column)] = [
            ("category", .text(descriptions.map(\.category))), ("kind", .text(descriptions.map(\.kind))),
        ]
        for name in names {
            let values = descriptions.map { description in
                description.parameters.first(where: { $0.name == name })?.value ?? .nan
            }
            columns.append((name, .numeric(Tensor(values))))
        }
        return try Table(columns)
    }
}

/// A pointer handed to worker threads that write disjoint elements.
struct UncheckedPointer<Element>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Element>
    init(_ pointer: UnsafeMutablePointer<Element>) { self.pointer = pointer }
}

/// The first error thrown by any worker.
final class FirstFailure: Sendable {
    private let stored = Mutex<Error?>(nil)

    func record(_ error: Error) { stored.withLock { if $0 == nil { $0 = error } } }

    var error: Error? { stored.withLock { $0 } }
}
