import Foundation
import Testing
@testable import Tensors

/// Elementwise and reduction results compared with numpy's (Fixtures/tensors.json, made by
/// scripts/fixtures/tensor_fixtures.py).
@Suite("NumpyFixtures")
struct NumpyFixtureTests {
    struct Record: Decodable {
        let shape: [Int]
        let dtype: String
        let values: [Double]
        var tensor: Tensor {
            let type: DType = dtype == "float32" ? .float32 : (dtype == "int64" ? .int64 : .float64)
            return try! Tensor(shape: shape, scalars: values).astype(type)
        }
    }

    struct Fixture: Decodable {
        let numpy_version: String
        let x32, y32, x64, long32: Record
        let results: [String: Record]
    }

    static let fixture: Fixture = {
        let url = Bundle.module.url(forResource: "Fixtures/tensors", withExtension: "json")
            ?? Bundle.module.url(forResource: "tensors", withExtension: "json")!
        return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }()

    static var computed: [(String, () throws -> Tensor)] {
        let f = fixture
        let x32 = f.x32.tensor, y32 = f.y32.tensor, x64 = f.x64.tensor, long32 = f.long32.tensor
        return [
            ("add_x32_y32", { try x32 + y32 }),
            ("div_x32_y32", { try x32 / y32 }),
            ("mod_x32_y32", { try x32 % y32 }),
            ("pow_abs_x32_y32", { try x32.abs().pow(y32) }),
            ("sum_long32", { try long32.sum() }),
            ("mean_x64_axis02", { try x64.mean(axes: [0, 2]) }),
            ("var_x64_axis1_ddof1", { try x64.variance(axes: [1], ddof: 1) }),
            ("std_x32_axis0", { try x32.standardDeviation(axes: [0]) }),
            ("cumsum_x64_axis2", { try x64.cumsum(axis: 2) }),
            ("logsumexp_x64_axis2", { try x64.logsumexp(axes: [2]) }),
            ("softmax_x32_axis1", { try x32.softmax(axis: 1) }),
            ("tanh_x64", { try x64.tanh() }),
            ("erf_x64", { try x64.erf() }),
            ("argmax_x64_axis1", { try x64.argmax(axis: 1) }),
            ("round_half_even", { try Tensor([0.5, 1.5, 2.5, -0.5, -1.5]).apply(.round) }),
        ]
    }

    @Test("results equal numpy's", arguments: computed.map(\.0))
    func matchesNumpy(name: String) throws {
        let expected = Self.fixture.results[name]!
        let result = try Self.computed.first { $0.0 == name }!.1()
        #expect(result.shape == expected.shape)
        #expect(result.dtype.rawValue == expected.dtype, "\(name): dtype")
        let tolerance = expected.dtype == "float32" ? 2e-6 : 1e-13
        #expect(close(result.scalars(as: Double.self), expected.values, tolerance: tolerance), "\(name)")
    }
}
