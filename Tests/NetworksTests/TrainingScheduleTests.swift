import Foundation
import Networks
import Tensors
import Testing

/// DINO's `utils.cosine_scheduler` transcribed with explicit arrays, numpy's linspace included
/// (`arange(0, num) * step + start`, last point set to the stop value).
func referenceCosineScheduler(base: Double, final: Double, epochs: Int, stepsPerEpoch: Int, warmupEpochs: Int,
                              startWarmup: Double) -> [Double] {
    var warmup: [Double] = []
    let warmupIterations = warmupEpochs * stepsPerEpoch
    if warmupIterations == 1 {
        warmup = [startWarmup]  // numpy's linspace of one point is its start
    } else if warmupEpochs > 0 {
        let step = (base - startWarmup) / Double(warmupIterations - 1)
        for i in 0..<warmupIterations { warmup.append(Double(i) * step + startWarmup) }
        if warmupIterations > 1 { warmup[warmupIterations - 1] = base }
    }
    let iterations = (0..<(epochs * stepsPerEpoch - warmupIterations)).map(Double.init)
    let decay = iterations.map { final + 0.5 * (base - final) * (1 + Foundation.cos(Double.pi * $0 / Double(iterations.count))) }
    return warmup + decay
}

@Suite struct TrainingScheduleTests {
    @Test(arguments: [(5e-4, 1e-6, 10, 7, 2, 0.0), (0.04, 0.4, 5, 3, 0, 0.0), (0.996, 1.0, 4, 5, 0, 0.0),
                      (1.0, 0.0, 3, 1, 1, 0.5), (2.0, 2.0, 2, 4, 1, 0.1), (0.1, 0.0, 1, 1, 0, 0.0)])
    func cosineScheduleMatchesDINOsSchedulerAtEveryStep(base: Double, final: Double, epochs: Int, stepsPerEpoch: Int,
                                                         warmupEpochs: Int, startWarmup: Double) throws {
        let schedule = try CosineSchedule(baseValue: base, finalValue: final, epochs: epochs,
                                          stepsPerEpoch: stepsPerEpoch, warmupEpochs: warmupEpochs,
                                          startWarmupValue: startWarmup)
        let expected = referenceCosineScheduler(base: base, final: final, epochs: epochs, stepsPerEpoch: stepsPerEpoch,
                                                warmupEpochs: warmupEpochs, startWarmup: startWarmup)
        #expect(schedule.count == expected.count)
        #expect(schedule.values == expected)
    }

    @Test func knownValuesAndTeacherMomentum() throws {
        // numpy: cosine_scheduler(1, 0, 2, 2, warmup_epochs=1) = [0, 1, 1, 0.5]
        let schedule = try CosineSchedule(baseValue: 1, finalValue: 0, epochs: 2, stepsPerEpoch: 2, warmupEpochs: 1)
        #expect(schedule.values == [0, 1, 1, 0.5])
        let momentum = try CosineSchedule.teacherMomentum(epochs: 1, stepsPerEpoch: 4)
        #expect(trainingClose(momentum.values, [0.996, 0.996 + 0.004 * (1 - Foundation.cos(Double.pi / 4)) / 2, 0.998,
                                        0.996 + 0.004 * (1 - Foundation.cos(3 * Double.pi / 4)) / 2]))
    }

    @Test func errors() throws {
        #expect(throws: TensorError(.invalidArgument, "CosineSchedule", "epochs and steps per epoch must be positive, got 0 and 3")) {
            try CosineSchedule(baseValue: 1, finalValue: 0, epochs: 0, stepsPerEpoch: 3)
        }
        #expect(throws: TensorError(.invalidArgument, "CosineSchedule", "warm-up epochs must lie in 0..<2, got 2")) {
            try CosineSchedule(baseValue: 1, finalValue: 0, epochs: 2, stepsPerEpoch: 3, warmupEpochs: 2)
        }
        let schedule = try CosineSchedule(baseValue: 1, finalValue: 0, epochs: 2, stepsPerEpoch: 3)
        #expect(throws: TensorError(.index, "CosineSchedule", "step 6 is outside 0..<6")) { try schedule.value(at: 6) }
    }

    @Test func globalAndPerParameterClipping() throws {
        let gradients: [(name: String, gradient: Tensor)] = [("a", Tensor([3.0, 4])), ("b", try Tensor([[12.0]]))]
        #expect(GradientClipping.globalNorm(gradients) == 13)
        let (clipped, norm) = try GradientClipping.clipByGlobalNorm(gradients, maxNorm: 1)
        #expect(norm == 13)
        let factor = 1 / (13 + 1e-6)
        #expect(trainingClose(clipped[0].gradient.scalars(as: Double.self), [3 * factor, 4 * factor]))
        #expect(trainingClose(clipped[1].gradient.scalars(as: Double.self), [12 * factor]))
        #expect(try GradientClipping.clipByGlobalNorm(gradients, maxNorm: 20).gradients[0].gradient.scalars(as: Double.self) == [3, 4])
        let each = try GradientClipping.clipEachParameter(gradients, maxNorm: 6)
        #expect(each.norms.map(\.norm) == [5, 12])
        #expect(each.gradients[0].gradient.scalars(as: Double.self) == [3, 4])
        #expect(trainingClose(each.gradients[1].gradient.scalars(as: Double.self), [12 * 6 / (12 + 1e-6)]))
        #expect(clipped[1].gradient.shape == [1, 1])
        let single = try GradientClipping.clipByGlobalNorm([("a", Tensor([3.0, 4]).astype(.float32))], maxNorm: 1)
        #expect(single.gradients[0].gradient.dtype == .float32)
        #expect(throws: TensorError(.invalidArgument, "clipByGlobalNorm", "the maximum norm must be non-negative, got -1.0")) {
            try GradientClipping.clipByGlobalNorm(gradients, maxNorm: -1)
        }
    }
}

@Suite struct TrainingTeacherTests {
    @Test func teacherIsAnExponentialMovingAverageOfTheStudentByName() throws {
        let teacher = TrainingTestModule([("w", try Tensor([[1.0, 2]])), ("b", Tensor([4.0]))])
        let student = TrainingTestModule([("b", Tensor([0.0])), ("w", try Tensor([[3.0, -2]]))])
        try updateTeacher(teacher, from: student, momentum: 0.75)
        #expect(parameterValues(teacher, "w") == [0.75 * 1 + 0.25 * 3, 0.75 * 2 + 0.25 * -2])
        #expect(parameterValues(teacher, "b") == [3])
        try updateTeacher(teacher, from: student, momentum: 1)
        #expect(parameterValues(teacher, "b") == [3])

        let reshaped = TrainingTestModule([("w", try Tensor([[3.0, -2, 1]])), ("b", Tensor([0.0]))])
        #expect(throws: TensorError(.shapeMismatch, "updateTeacher",
                                    "\"w\" has shape [1, 2] in the teacher, [1, 3] in the student")) {
            try updateTeacher(teacher, from: reshaped, momentum: 0.5)
        }
        #expect(parameterValues(teacher, "w") == [1.5, 1])  // unchanged by the failed update
        let missing = TrainingTestModule([("w", try Tensor([[3.0, -2]]))])
        #expect(throws: TensorError(.invalidArgument, "updateTeacher", "the teacher's \"b\" has no student parameter")) {
            try updateTeacher(teacher, from: missing, momentum: 0.5)
        }
        let extra = TrainingTestModule([("w", try Tensor([[3.0, -2]])), ("b", Tensor([0.0])), ("c", Tensor([0.0]))])
        #expect(throws: TensorError(.invalidArgument, "updateTeacher", "the student's \"c\" has no teacher parameter")) {
            try updateTeacher(teacher, from: extra, momentum: 0.5)
        }
        #expect(throws: TensorError(.invalidArgument, "updateTeacher", "momentum must lie in [0, 1], got 1.5")) {
            try updateTeacher(teacher, from: student, momentum: 1.5)
        }
    }
}
