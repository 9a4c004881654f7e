import Tensors

/// DINO's teacher update: an exponential moving average of the student's parameters,
///
///     teacher ← momentum · teacher + (1 − momentum) · student      (for every parameter, by name)
///
/// with `momentum` taken from `CosineSchedule.teacherMomentum` at each step. Buffers are not averaged (DINO's
/// teacher keeps its own). Throws `invalidArgument` for a momentum outside [0, 1] or a parameter name one module
/// has and the other lacks, `shapeMismatch` naming both shapes; the teacher is unchanged when it throws.
public func updateTeacher(_ teacher: any Module, from student: any Module, momentum: Double) throws {
    guard (0...1).contains(momentum) else {
        throw TensorError(.invalidArgument, "updateTeacher", "momentum must lie in [0, 1], got \(momentum)")
    }
    let studentParameters = Dictionary(student.namedParameters.map { ($0.name, $0.parameter) },
                                       uniquingKeysWith: { first, _ in first })
    let teacherParameters = teacher.namedParameters
    let teacherNames = Set(teacherParameters.map(\.name))
    if let extra = student.namedParameters.first(where: { !teacherNames.contains($0.name) }) {
        throw TensorError(.invalidArgument, "updateTeacher", "the student's \"\(extra.name)\" has no teacher parameter")
    }
    var updates: [(Parameter, Tensor)] = []
    for (name, parameter) in teacherParameters {
        guard let source = studentParameters[name] else {
            throw TensorError(.invalidArgument, "updateTeacher", "the teacher's \"\(name)\" has no student parameter")
        }
        guard source.value.shape == parameter.value.shape else {
            throw TensorError(.shapeMismatch, "updateTeacher", "\"\(name)\" has shape "
                              + "\(formatShape(parameter.value.shape)) in the teacher, \(formatShape(source.value.shape)) "
                              + "in the student")
        }
        let t = Elements.values(parameter.value), s = Elements.values(source.value)
        var averaged = t
        for i in averaged.indices { averaged[i] = momentum * t[i] + (1 - momentum) * s[i] }
        updates.append((parameter, Elements.tensor(averaged, shape: parameter.value.shape, dtype: parameter.value.dtype)))
    }
    for (parameter, value) in updates { parameter.value = value }
}
