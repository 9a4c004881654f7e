import Testing
@testable import Tensors

@Test func smoke() throws {
    let t = try Tensor(shape: [2, 2], scalars: [1.0, 2, 3, 4])
    #expect(t.scalars(as: Double.self) == [1, 2, 3, 4])
}
