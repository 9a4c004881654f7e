import Autodiff
import Foundation
import Networks
import Tensors
import Testing

func dinoErrorText(_ body: () throws -> Void) -> String {
    do { try body(); return "no error" } catch { return "\(error)" }
}

/// Rows of a float64 matrix.
func dinoRows(_ tensor: Tensor) -> [[Double]] {
    let values = tensor.astype(.float64).scalars(as: Double.self)
    let columns = tensor.shape[1]
    return (0..<tensor.shape[0]).map { Array(values[$0 * columns ..< ($0 + 1) * columns]) }
}

/// DINO's loss written with plain loops, as in the paper's pseudo-code.
func dinoNaiveLoss(student: [[Double]], teacher: [[Double]], center: [Double], views: Int, studentTemperature: Double,
                   teacherTemperature: Double) -> Double {
    let n = teacher.count / 2
    func softmax(_ row: [Double]) -> [Double] {
        let m = row.max()!
        let e = row.map { Foundation.exp($0 - m) }
        let s = e.reduce(0, +)
        return e.map { $0 / s }
    }
    var total = 0.0, terms = 0
    for a in 0..<2 {
        for v in 0..<views where v != a {
            var sum = 0.0
            for i in 0..<n {
                let q = softmax(zip(teacher[a * n + i], center).map { ($0 - $1) / teacherTemperature })
                let p = softmax(student[v * n + i].map { $0 / studentTemperature })
                for k in q.indices { sum -= q[k] * Foundation.log(p[k]) }
            }
            total += sum / Double(n)
            terms += 1
        }
    }
    return total / Double(terms)
}

@Suite struct DINOLossTests {
    @Test func lossEqualsHandComputedNumbers() throws {
        // Two images? One image, two views, K = 2: teacher view 0 uniform, view 1 (3/4, 1/4) at τt = 0.04;
        // student view 0 has log-probabilities (ln ¼, ln ¾) at τs = 0.1, view 1 uniform.
        let loss = try DINOLoss(prototypes: 2, dtype: .float64)
        let student = try Tensor([[0, 0.1 * Foundation.log(3.0)], [0, 0]])
        let teacher = try Tensor([[0, 0], [0.04 * Foundation.log(3.0), 0]])
        let value = try loss(studentOutput: Variable(student), teacherOutput: teacher, studentViews: 2,
                             teacherTemperature: 0.04).value.item() as Double
        let term01 = Foundation.log(2.0)                                                // −Σ ½ ln ½
        let term10 = -(0.75 * Foundation.log(0.25) + 0.25 * Foundation.log(0.75))       // 1.1116…
        #expect(abs(value - (term01 + term10) / 2) < 1e-12)
        #expect(abs(value - 0.902394) < 1e-6)
    }

    @Test(arguments: [(images: 1, views: 2, prototypes: 3), (3, 4, 5), (2, 6, 7), (4, 3, 1)])
    func lossMatchesNaiveLoops(images: Int, views: Int, prototypes: Int) throws {
        let loss = try DINOLoss(prototypes: prototypes, dtype: .float64)
        let center = try Tensor.randomNormal([1, prototypes], seed: 3)
        loss.center.value = center
        let student = try Tensor.randomNormal([views * images, prototypes], seed: 1)
        let teacher = try Tensor.randomNormal([2 * images, prototypes], seed: 2)
        let value = try loss(studentOutput: Variable(student), teacherOutput: teacher, studentViews: views,
                             teacherTemperature: 0.05).value.item() as Double
        let expected = dinoNaiveLoss(student: dinoRows(student), teacher: dinoRows(teacher),
                                     center: center.scalars(as: Double.self), views: views, studentTemperature: 0.1,
                                     teacherTemperature: 0.05)
        #expect(abs(value - expected) < 1e-10 * Swift.max(1, abs(expected)))
        // float32 logits give the same loss to float32 precision.
        let single = try DINOLoss(prototypes: prototypes)
        single.center.value = center.astype(.float32)
        let singleValue = try single(studentOutput: Variable(student.astype(.float32)),
                                     teacherOutput: teacher.astype(.float32), studentViews: views,
                                     teacherTemperature: 0.05).value.astype(.float64).item() as Double
        #expect(abs(singleValue - expected) < 1e-4 * Swift.max(1, abs(expected)))
    }

    @Test func gradientFlowsToTheStudentOnlyAndMatchesFiniteDifferences() throws {
        let loss = try DINOLoss(prototypes: 4, dtype: .float64)
        let student = try Tensor.randomNormal([6, 4], seed: 4)
        let teacher = try Tensor.randomNormal([4, 4], seed: 5)
        func value(_ s: Tensor) throws -> Double {
            try loss(studentOutput: Variable(s), teacherOutput: teacher, studentViews: 3, teacherTemperature: 0.04)
                .value.item()
        }
        let leaf = Variable(student, requiresGradient: true)
        let output = try loss(studentOutput: leaf, teacherOutput: teacher, studentViews: 3, teacherTemperature: 0.04)
        let gradient = try Variable.gradients(of: output, with: [leaf])[0].scalars(as: Double.self)
        var values = student.scalars(as: Double.self)
        for index in [0, 5, 11, 23] {
            let saved = values[index]
            values[index] = saved + 1e-6
            let plus = try value(Tensor(shape: [6, 4], scalars: values))
            values[index] = saved - 1e-6
            let minus = try value(Tensor(shape: [6, 4], scalars: values))
            values[index] = saved
            #expect(abs((plus - minus) / 2e-6 - gradient[index]) < 1e-6)
        }
    }

    @Test func centerFollowsTheTeacherWithMomentum() throws {
        let loss = try DINOLoss(prototypes: 3, centerMomentum: 0.9, dtype: .float64)
        let first = try Tensor([[1.0, 2, 3], [3, 2, 1]])
        try loss.updateCenter(first)
        #expect(loss.center.value.scalars(as: Double.self).map { ($0 * 1e12).rounded() / 1e12 } == [0.2, 0.2, 0.2])
        let second = try Tensor([[10.0, 0, -10]])
        try loss.updateCenter(second)
        let expected = [0.9 * 0.2 + 0.1 * 10, 0.9 * 0.2, 0.9 * 0.2 - 0.1 * 10]
        for (a, b) in zip(loss.center.value.scalars(as: Double.self), expected) { #expect(abs(a - b) < 1e-12) }
        // The centre is a buffer (checkpointed), not a parameter (not optimised).
        #expect(loss.namedBuffers.map(\.name) == ["center"] && loss.namedParameters.isEmpty)
    }

    @Test func centeringChangesTheTeacherDistribution() throws {
        let loss = try DINOLoss(prototypes: 2, dtype: .float64)
        loss.center.value = try Tensor([[0.04 * Foundation.log(3.0), 0]])
        let probabilities = try loss.teacherProbabilities(Tensor([[0.04 * Foundation.log(3.0), 0]]), temperature: 0.04)
        #expect(probabilities.scalars(as: Double.self).map { ($0 * 1e12).rounded() / 1e12 } == [0.5, 0.5])
    }

    @Test func teacherTemperatureWarmsUpLinearlyThenStays() throws {
        let schedule = try TeacherTemperatureSchedule(start: 0.04, final: 0.07, warmupSteps: 4)
        let values = try (0..<7).map { try schedule.value(at: $0) }
        let expected = [0.04, 0.05, 0.06, 0.07, 0.07, 0.07, 0.07]
        for (a, b) in zip(values, expected) { #expect(abs(a - b) < 1e-15) }
        #expect(try TeacherTemperatureSchedule(warmupSteps: 0).value(at: 0) == 0.07)
        #expect(try TeacherTemperatureSchedule(warmupSteps: 1).value(at: 0) == 0.04)
        #expect(dinoErrorText { _ = try schedule.value(at: -1) } == "TeacherTemperatureSchedule: step -1 is negative")
    }

    @Test func perImageLossIsTheCrossEntropyOfEachImage() throws {
        let loss = try DINOLoss(prototypes: 5, dtype: .float64)
        let student = try Tensor.randomNormal([3, 5], seed: 8)
        let teacher = try loss.teacherProbabilities(Tensor.randomNormal([3, 5], seed: 9), temperature: 0.07)
        let perImage = try loss.perImageLoss(studentOutput: Variable(student), teacherProbabilities: teacher)
        #expect(perImage.shape == [3])
        let q = dinoRows(teacher), s = dinoRows(student)
        for i in 0..<3 {
            let logits = s[i].map { $0 / 0.1 }
            let m = logits.max()!
            let logSum = m + Foundation.log(logits.map { Foundation.exp($0 - m) }.reduce(0, +))
            let expected = -zip(q[i], logits).map { $0 * ($1 - logSum) }.reduce(0, +)
            #expect(abs(perImage.value.scalars(as: Double.self)[i] - expected) < 1e-10)
        }
    }

    @Test func perImageObjectiveOfAModelGivesOneGradientPerImage() throws {
        let backbone = try VisionTransformer(imageSize: 8, patchSize: 4, width: 8, depth: 1, heads: 2, seed: 1)
        let student = DINOModel(backbone: backbone, head: try DINOHead(inputs: 8, prototypes: 16, hidden: 12,
                                                                       bottleneck: 6, seed: 2))
        let teacher = try student.replica()
        try teacher.initializeParameters(seed: 7)
        let loss = try DINOLoss(prototypes: 16)
        let images = Variable(try Tensor.randomUniform([3, 3, 8, 8], seed: 3).astype(.float32), requiresGradient: true)
        let pass = ForwardPass()
        let perImage = try perImageLoss(student: student, teacher: teacher, images: images, loss: loss, in: pass)
        #expect(perImage.shape == [3])
        #expect(perImage.value.scalars(as: Float.self).allSatisfy { $0.isFinite && $0 > 0 })
        // Images do not interact: the gradient of image 0's loss is zero on image 1.
        let gradient = try Variable.gradients(of: perImage.selecting(0, axis: 0), with: [images])[0]
        let perImageNorms = try gradient.abs().sum(axes: [1, 2, 3]).scalars(as: Float.self)
        #expect(perImageNorms[0] > 0 && perImageNorms[1] == 0 && perImageNorms[2] == 0)
        // The feature-level variant gives the same numbers.
        let features = try student.features(Variable(images.value), in: ForwardPass()).classToken
        let targets = try teacher.teacherProbabilities(images.value, loss: loss, temperature: 0.07)
        let same = try perImageLoss(studentClassFeatures: features, head: student.head, teacherProbabilities: targets,
                                    loss: loss, in: ForwardPass())
        #expect(same.value.scalars(as: Float.self) == perImage.value.scalars(as: Float.self))
    }

    @Test(arguments: [(images: 4, prototypes: 3, iterations: 3), (6, 8, 1), (2, 5, 0)])
    func sinkhornKnoppMatchesNaiveLoops(images: Int, prototypes: Int, iterations: Int) throws {
        let logits = try Tensor.randomNormal([images, prototypes], std: 0.3, seed: 12)
        let result = dinoRows(try DINOLoss.sinkhornKnopp(logits, temperature: 0.05, iterations: iterations))
        // DINOv2's sinkhorn_knopp_teacher, transcribed with loops on Q [K, B].
        let t = dinoRows(logits)
        var q = (0..<prototypes).map { k in (0..<images).map { b in Foundation.exp(t[b][k] / 0.05) } }
        let total = q.flatMap { $0 }.reduce(0, +)
        q = q.map { $0.map { $0 / total } }
        for _ in 0..<iterations {
            for k in 0..<prototypes {
                let row = q[k].reduce(0, +)
                q[k] = q[k].map { $0 / row / Double(prototypes) }
            }
            for b in 0..<images {
                let column = (0..<prototypes).map { q[$0][b] }.reduce(0, +)
                for k in 0..<prototypes { q[k][b] = q[k][b] / column / Double(images) }
            }
        }
        for b in 0..<images {
            for k in 0..<prototypes { #expect(abs(result[b][k] - q[k][b] * Double(images)) < 1e-12) }
            if iterations > 0 { #expect(abs(result[b].reduce(0, +) - 1) < 1e-12) }
        }
        // With the Sinkhorn–Knopp teacher the loss uses these targets.
        let loss = try DINOLoss(prototypes: prototypes, centering: .sinkhornKnopp(iterations: iterations),
                                dtype: .float64)
        guard images % 2 == 0 else { return }
        let student = try Tensor.randomNormal([images, prototypes], seed: 13)
        let value = try loss(studentOutput: Variable(student), teacherOutput: logits, studentViews: 2,
                             teacherTemperature: 0.05).value.item()
        let n = images / 2, s = dinoRows(student)
        var expected = 0.0
        for (a, v) in [(0, 1), (1, 0)] {
            for i in 0..<n {
                let row = s[v * n + i].map { $0 / 0.1 }
                let m = row.max()!
                let logSum = m + Foundation.log(row.map { Foundation.exp($0 - m) }.reduce(0, +))
                for k in 0..<prototypes { expected -= result[a * n + i][k] * (row[k] - logSum) / Double(n) / 2 }
            }
        }
        #expect(abs(value - expected) < 1e-10)
    }

    @Test func errorsNameTheShapes() throws {
        let loss = try DINOLoss(prototypes: 4)
        let student = Variable(try Tensor.zeros([6, 4], dtype: .float32))
        #expect(dinoErrorText {
            _ = try loss(studentOutput: student, teacherOutput: Tensor.zeros([4, 4], dtype: .float32), studentViews: 2,
                         teacherTemperature: 0.04)
        } == "DINOLoss: student output [6, 4] and teacher output [4, 4] are not [V · n, 4] and [2 · n, 4] with V = 2 "
            + "student views (V ≥ 2)")
        #expect(dinoErrorText {
            _ = try loss.teacherProbabilities(Tensor.zeros([2, 3]), temperature: 0.04)
        } == "DINOLoss: teacher output of shape [2, 3] is not [n, 4]")
        #expect(dinoErrorText { _ = try DINOLoss(prototypes: 0) }
            == "DINOLoss: prototypes and the student temperature must be positive and the centre momentum in [0, 1], "
            + "got 0, 0.1, 0.9")
    }
}
