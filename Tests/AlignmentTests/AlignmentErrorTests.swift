import Testing
@testable import Alignment

@Test func alignmentErrorNamesTheOperation() {
    #expect(AlignmentError("ridge_cv", "alphas must all be > 0, got -1").description
            == "ridge_cv: alphas must all be > 0, got -1")
}
