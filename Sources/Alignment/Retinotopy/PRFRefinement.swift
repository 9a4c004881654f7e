import Foundation
import Tensors

/// The local search after the grid: Nelder–Mead (Lagarias et al. 1998 coefficients: reflection 1, expansion 2,
/// contraction ½, shrink ½) on (x, y, log σ), minimising `1 − r` with r the correlation of the prediction with the
/// vertex's response. Searching log σ keeps σ positive and makes steps relative to the size.
enum PRFRefinement {
    /// Objective evaluations allowed per vertex: 3 parameters converge in well under this.
    static let maximumEvaluations = 240

    /// The refined candidate, never worse than `start` (the simplex keeps its best vertex).
    /// - Parameters: `target` [T] the centred unit-norm response; `steps` the first simplex' edge along each axis.
    static func nelderMead(_ stimulus: PRFStimulus, target: [Double], start: PRFCandidate,
                           steps: (x: Double, y: Double, logSigma: Double), bounds: PRFBounds) -> PRFCandidate {
        func objective(_ point: [Double]) -> Double {
            let candidate = PRFCandidate(x: point[0], y: point[1], sigma: Foundation.exp(point[2]))
            // Outside the box counts as worse than any correlation (1 − r ≤ 2).
            guard bounds.contains(candidate) else { return 3 }
            return 1 - correlation(stimulus.prediction(x: candidate.x, y: candidate.y, sigma: candidate.sigma), target)
        }
        let origin = [start.x, start.y, Foundation.log(start.sigma)]
        var simplex = [origin]
        for axis in 0..<3 {
            var point = origin
            point[axis] += [steps.x, steps.y, steps.logSigma][axis]
            simplex.append(point)
        }
        var values = simplex.map(objective)
        var evaluations = values.count
        while evaluations < maximumEvaluations {
            let order = values.indices.sorted { values[$0] < values[$1] }
            simplex = order.map { simplex[$0] }
            values = order.map { values[$0] }
            let spread = values[3] - values[0]
            let size = (1...3).map { vertex in zip(simplex[vertex], simplex[0]).map { Swift.abs($0 - $1) }.max() ?? 0 }.max() ?? 0
            if spread <= 1e-9 && size <= 1e-4 { break }
            let centroid = (0..<3).map { axis in (simplex[0][axis] + simplex[1][axis] + simplex[2][axis]) / 3 }
            func along(_ coefficient: Double) -> [Double] {
                (0..<3).map { centroid[$0] + coefficient * (simplex[3][$0] - centroid[$0]) }
            }
            let reflected = along(-1)
            let reflectedValue = objective(reflected)
            evaluations += 1
            if reflectedValue < values[0] {
                let expanded = along(-2)
                let expandedValue = objective(expanded)
                evaluations += 1
                if expandedValue < reflectedValue {
                    simplex[3] = expanded; values[3] = expandedValue
                } else {
                    simplex[3] = reflected; values[3] = reflectedValue
                }
            } else if reflectedValue < values[2] {
                simplex[3] = reflected; values[3] = reflectedValue
            } else {
                let outside = reflectedValue < values[3]
                let contracted = along(outside ? -0.5 : 0.5)
                let contractedValue = objective(contracted)
                evaluations += 1
                if contractedValue < (outside ? reflectedValue : values[3]) {
                    simplex[3] = contracted; values[3] = contractedValue
                } else {
                    for vertex in 1...3 {
                        simplex[vertex] = (0..<3).map { simplex[0][$0] + 0.5 * (simplex[vertex][$0] - simplex[0][$0]) }
                        values[vertex] = objective(simplex[vertex])
                    }
                    evaluations += 3
                }
            }
        }
        let best = values.indices.min { values[$0] < values[$1] } ?? 0
        let point = simplex[best]
        return PRFCandidate(x: point[0], y: point[1], sigma: Foundation.exp(point[2]))
    }

    /// Pearson correlation of `prediction` with a centred unit-norm `target` (0 for a constant prediction).
    static func correlation(_ prediction: [Double], _ target: [Double]) -> Double {
        let mean = prediction.reduce(0, +) / Double(prediction.count)
        var dot = 0.0, norm = 0.0
        for (p, t) in zip(prediction, target) { let d = p - mean; dot += d * t; norm += d * d }
        return norm > 0 ? dot / norm.squareRoot() : 0
    }
}
