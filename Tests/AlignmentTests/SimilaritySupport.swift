import Foundation
import Testing
@testable import Alignment
import Tensors

/// Reads Fixtures/similarity/<name>.json (written by scripts/fixtures/similarity_fixtures.py).
func similarityFixture(_ name: String) -> [String: Any] {
    let url = Bundle.module.url(forResource: "Fixtures/similarity/\(name)", withExtension: "json")
        ?? Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures/similarity")!
    return try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
}

/// A fixture array `{"shape": [...], "values": [...]}` (null = NaN) as a float64 tensor.
func fixtureTensor(_ object: Any?) -> Tensor {
    let record = object as! [String: Any]
    let shape = (record["shape"] as! [Any]).map { ($0 as! NSNumber).intValue }
    let values = (record["values"] as! [Any]).map { ($0 as? NSNumber)?.doubleValue ?? .nan }
    return try! Tensor(shape: shape, scalars: values)
}

func fixtureNumber(_ object: Any?) -> Double { (object as! NSNumber).doubleValue }

/// |a − b| ≤ tolerance · max(1, |b|) elementwise, NaN matching NaN.
func expectClose(_ actual: Tensor, _ expected: Tensor, tolerance: Double = 1e-5, _ comment: Comment? = nil,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.shape == expected.shape, comment, sourceLocation: sourceLocation)
    guard actual.shape == expected.shape else { return }
    for (a, b) in zip(actual.scalars(as: Double.self), expected.scalars(as: Double.self)) {
        if b.isNaN { #expect(a.isNaN, comment, sourceLocation: sourceLocation); continue }
        #expect(abs(a - b) <= tolerance * Swift.max(1, abs(b)), "\(a) vs \(b) \(comment.map { "\($0)" } ?? "")",
                sourceLocation: sourceLocation)
    }
}

func expectClose(_ actual: Double, _ expected: Double, tolerance: Double = 1e-5, _ comment: Comment? = nil,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    if expected.isNaN { #expect(actual.isNaN, comment, sourceLocation: sourceLocation); return }
    #expect(abs(actual - expected) <= tolerance * Swift.max(1, abs(expected)),
            "\(actual) vs \(expected) \(comment.map { "\($0)" } ?? "")", sourceLocation: sourceLocation)
}

/// Asserts that `body` throws an AlignmentError with exactly this text.
func expectAlignmentError(_ text: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected error: \(text)", sourceLocation: sourceLocation)
    } catch let error as AlignmentError {
        #expect(error.description == text, sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
}

/// Deterministic test data independent of the engine's random generator.
struct SimilarityRandom {
    var state: UInt64
    init(_ seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }
    mutating func next() -> Double {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        return Double(state >> 11) / Double(1 << 53)
    }
    mutating func normal() -> Double {
        let u = Swift.max(next(), 1e-300), v = next()
        return (-2 * Foundation.log(u)).squareRoot() * cos(2 * .pi * v)
    }
    mutating func matrix(_ rows: Int, _ columns: Int) -> Tensor {
        try! Tensor(shape: [rows, columns], scalars: (0..<(rows * columns)).map { _ in normal() })
    }
}
