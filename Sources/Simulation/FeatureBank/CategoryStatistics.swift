import Foundation
import Tensors

/// Hand-designed image statistics that give each image evidence in [0, 1] for faces, places, bodies, words and objects.
/// They are heuristics, not detectors: they separate typical generated stimuli and typical photographs of the
/// categories imperfectly and can be fooled by anything sharing the statistic. When exact category responses are
/// needed (localiser ground truth), give the stimulus labels instead (`VirtualSubject`, `labels:`).
///
/// With `σ(z) = 1 / (1 + e^(−z))`, statistics computed on the resampled R × R image:
/// - symmetry `m`: Pearson r between the central luminance (middle half of columns, middle 3/4 of rows) and its
///   left–right mirror; skin `k`: fraction of the central disc (radius 0.35 R) whose colour is skin-like
///   (r > g > b, r − b > 0.06, r > 0.2, r / (r + g + b) in [0.36, 0.6]);
/// - foreground: pixels whose luminance differs from the border median by more than 0.1; its fraction `f` and
///   elongation `e = √(var_y / var_x)` of its pixel positions;
/// - from the early energies: periphery `p` (fraction of energy outside the central disc), cardinality `c` (fraction
///   of the two coarser scales' energy at 0° and 90°), fineness `q` (fraction of energy at the finest scale) and
///   line spread `l = sd_x / sd_y` of the finest-scale energy over positions.
/// Evidence: faces `σ(8(m − 0.45)) · σ(12(k − 0.25))` (grey images: `σ(10(f − 0.3))` in place of the skin term);
/// places `σ(10(p − 0.55)) · σ(10(c − 0.55))`; bodies `σ(4(e − 1.5)) · σ(20(f − 0.05)) · σ(10(0.6 − f))`;
/// words `σ(10(q − 0.4)) · σ(3(l − 1.5))`; objects `σ(10(0.55 − p)) · σ(20(f − 0.05)) · σ(4(1.6 − e))`.
enum CategoryStatistics {
    static func logistic(_ z: Double) -> Double { 1 / (1 + Foundation.exp(-z)) }

    /// Evidence `[n, 5]` float64 from prepared images and the 12 early energy maps (each `[n, R/2, R/2]`).
    static func evidence(_ images: PreparedImages, energies: [Tensor]) throws -> Tensor {
        let n = images.count, size = images.resolution, half = size / 2
        let luminance = images.luminance.contiguous().scalars(as: Float.self)
        let red = images.colour[0].contiguous().scalars(as: Float.self)
        let green = images.colour[1].contiguous().scalars(as: Float.self)
        let blue = images.colour[2].contiguous().scalars(as: Float.self)
        let maps = energies.map { $0.contiguous().scalars(as: Float.self) }
        let perScale = FeatureBank.orientations.count
        var result = [Double]()
        for image in 0..<n {
            let base = image * size * size
            let centre = Double(size - 1) / 2, discRadius = 0.35 * Double(size)

            // Symmetry and skin.
            var pairs = [(Double, Double)]()
            for row in (size / 8)..<(size - size / 8) {
                for column in (size / 4)..<(size - size / 4) {
                    pairs.append((Double(luminance[base + row * size + column]),
                                  Double(luminance[base + row * size + size - 1 - column])))
                }
            }
            let symmetry = pearson(pairs)
            var skin = 0.0, disc = 0.0
            for row in 0..<size {
                for column in 0..<size {
                    let dy = Double(row) - centre, dx = Double(column) - centre
                    guard dx * dx + dy * dy <= discRadius * discRadius else { continue }
                    disc += 1
                    let index = base + row * size + column
                    let r = Double(red[index]), g = Double(green[index]), b = Double(blue[index])
                    let total = r + g + b
                    if r > g, g > b, r - b > 0.06, r > 0.2, total > 0, r / total >= 0.36, r / total <= 0.6 { skin += 1 }
                }
            }
            skin /= Swift.max(disc, 1)

            // Foreground against the border.
            let border = Swift.max(1, size / 16)
            var borderValues = [Float]()
            for row in 0..<size {
                for column in 0..<size where row < border || row >= size - border || column < border || column >= size - border {
                    borderValues.append(luminance[base + row * size + column])
                }
            }
            borderValues.sort()
            let background = borderValues[borderValues.count / 2]
            var count = 0.0, sumX = 0.0, sumY = 0.0, sumXX = 0.0, sumYY = 0.0
            for row in 0..<size {
                for column in 0..<size where abs(luminance[base + row * size + column] - background) > 0.1 {
                    count += 1
                    sumX += Double(column); sumY += Double(row)
                    sumXX += Double(column * column); sumYY += Double(row * row)
                }
            }
            let foreground = count / Double(size * size)
            var elongation = 1.0
            if count >= 4 {
                let varianceX = sumXX / count - (sumX / count) * (sumX / count)
                let varianceY = sumYY / count - (sumY / count) * (sumY / count)
                elongation = ((varianceY + 0.25) / (varianceX + 0.25)).squareRoot()
            }

            // Energy statistics.
            let mapBase = image * half * half
            var total = 0.0, outside = 0.0, cardinal = 0.0, coarse = 0.0, fine = 0.0
            var fineSum = 0.0, fineX = 0.0, fineY = 0.0, fineXX = 0.0, fineYY = 0.0
            let halfCentre = Double(half - 1) / 2, halfRadius = 0.35 * Double(half)
            for channel in 0..<maps.count {
                let scale = channel / perScale, orientation = channel % perScale
                for row in 0..<half {
                    for column in 0..<half {
                        let value = Double(maps[channel][mapBase + row * half + column])
                        total += value
                        let dy = Double(row) - halfCentre, dx = Double(column) - halfCentre
                        if dx * dx + dy * dy > halfRadius * halfRadius { outside += value }
                        if scale >= 1 {
                            coarse += value
                            if orientation == 0 || orientation == 2 { cardinal += value }
                        } else {
                            fine += value
                            fineSum += value
                            fineX += value * Double(column); fineY += value * Double(row)
                            fineXX += value * Double(column * column); fineYY += value * Double(row * row)
                        }
                    }
                }
            }
            let periphery = total > 0 ? outside / total : 0
            let cardinality = coarse > 0 ? cardinal / coarse : 0
            let fineness = total > 0 ? fine / total : 0
            var spread = 1.0
            if fineSum > 0 {
                let varianceX = fineXX / fineSum - (fineX / fineSum) * (fineX / fineSum)
                let varianceY = fineYY / fineSum - (fineY / fineSum) * (fineY / fineSum)
                spread = ((varianceX + 0.25) / (varianceY + 0.25)).squareRoot()
            }

            let faces = logistic(8 * (symmetry - 0.45))
                * (images.hasColour ? logistic(12 * (skin - 0.25)) : logistic(10 * (foreground - 0.3)))
            let places = logistic(10 * (periphery - 0.55)) * logistic(10 * (cardinality - 0.55))
            let bodies = logistic(4 * (elongation - 1.5)) * logistic(20 * (foreground - 0.05)) * logistic(10 * (0.6 - foreground))
            let words = logistic(10 * (fineness - 0.4)) * logistic(3 * (spread - 1.5))
            let objects = logistic(10 * (0.55 - periphery)) * logistic(20 * (foreground - 0.05)) * logistic(4 * (1.6 - elongation))
            result += [faces, places, bodies, words, objects]
        }
        return try Tensor(shape: [n, SelectivityCategory.allCases.count], scalars: result)
    }

    /// Pearson r of paired values; 0 when either is constant.
    static func pearson(_ pairs: [(Double, Double)]) -> Double {
        let count = Double(pairs.count)
        guard count > 1 else { return 0 }
        let meanA = pairs.reduce(0) { $0 + $1.0 } / count, meanB = pairs.reduce(0) { $0 + $1.1 } / count
        var covariance = 0.0, varianceA = 0.0, varianceB = 0.0
        for (a, b) in pairs {
            covariance += (a - meanA) * (b - meanB)
            varianceA += (a - meanA) * (a - meanA)
            varianceB += (b - meanB) * (b - meanB)
        }
        guard varianceA > 0, varianceB > 0 else { return 0 }
        return covariance / (varianceA * varianceB).squareRoot()
    }
}
