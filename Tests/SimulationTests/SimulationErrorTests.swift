import Simulation
import Testing

@Suite struct SimulationErrorTests {
    @Test(arguments: [("VirtualSubject.fmri", "noise level -1 is negative", "VirtualSubject.fmri: noise level -1 is negative"),
                      ("Stimuli.faces", "count 0 is not positive", "Stimuli.faces: count 0 is not positive")])
    func textNamesOperationThenMessage(operation: String, message: String, expected: String) {
        #expect(SimulationError(operation, message).description == expected)
    }
}
