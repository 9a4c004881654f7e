import Foundation
import Tensors

/// Hand-designed image statistics that give each image evidence in [0, 1] for faces, places, bodies, words and objects.
/// They are heuristics, not detectors: calibrated by eye on bm's generated stimuli (on 40 images per category of
/// `Stimuli` at 64 px the largest evidence is the image's own category for 39 faces, 36 places, 38 bodies, 39 words
/// and 21 objects — objects are confused with bodies; a uniform image gets at most 0.04), and weak on real photographs (on the grey LFW subset, mean face
/// evidence 0.43 for faces against 0.34 for non-faces). When exact category responses are needed (localiser ground
/// truth), give the stimulus labels instead (`VirtualSubject.responses(to:labels:)`).
///
/// Statistics on the resampled R × R image, with `σ(z) = 1 / (1 + e^(−z))`:
/// - foreground: pixels whose colour differs from the per-channel median of the border (width R/16) by more than 0.12
///   in some channel; f its fraction of the image, e = √((var_y + ¼) / (var_x + ¼)) the elongation of its pixel
///   positions, h and w its height and width (5th to 95th percentile of rows and columns, over R);
/// - skin k: the fraction of foreground pixels with r > g > b, r − b > 0.06, r / (r + g + b) in [0.36, 0.6],
///   r − g ≥ (g − b) / 2 and (r − b) / r < 0.65 (skin tones from light to dark, not yellow or orange);
/// - periphery p: the fraction of luminance-gradient magnitude (central differences) outside the central disc of
///   radius 0.35 R;
/// - for grey images (mean |r − g| + |g − b| ≤ 0.02), symmetry m: Pearson r of the central luminance (middle half of
///   the columns, middle 3/4 of the rows) with its mirror image, and eye band d: mean luminance of rows 0.3–0.45 R
///   minus rows 0.5–0.65 R over columns 0.2–0.8 R (eyes and brows darker than cheeks).
/// Evidence:
/// faces `σ(10(k − 0.35)) σ(20(f − 0.18)) σ(15(0.68 − w))` (grey: `σ(8(m − 0.2)) σ(60(−d − 0.02))`);
/// places `σ(12(f − 0.55)) σ(15(w − 0.7)) σ(25(0.6 − p))`;
/// bodies `σ(6(e − 1.65)) σ(40(0.22 − f)) σ(15(0.45 − w)) σ(150(f − 0.025))`;
/// words `σ(12(0.45 − e)) σ(20(0.25 − h)) σ(150(f − 0.01))`;
/// objects `σ(150(f − 0.025)) σ(20(0.35 − f)) σ(6(1.7 − e)) σ(8(e − 0.45)) σ(8(0.5 − k))` (grey: without the skin term).
enum CategoryStatistics {
    static func logistic(_ z: Double) -> Double { 1 / (1 + Foundation.exp(-z)) }

    /// Evidence `[n, 5]` float64 (columns in `SelectivityCategory` order) of prepared images.
    static func evidence(_ images: PreparedImages) throws -> Tensor {
        let n = images.count, size = images.resolution
        let luminance = images.luminance.contiguous().scalars(as: Float.self)
        let planes = images.colour.map { $0.contiguous().scalars(as: Float.self) }
        var result = [Double]()
        for image in 0..<n {
            let base = image * size * size
            func value(_ plane: Int, _ row: Int, _ column: Int) -> Double { Double(planes[plane][base + row * size + column]) }
            func light(_ row: Int, _ column: Int) -> Double { Double(luminance[base + row * size + column]) }

            // Background colour: per-channel median of the border.
            let border = Swift.max(1, size / 16)
            var background = [Double]()
            for plane in 0..<3 {
                var values = [Double]()
                for row in 0..<size {
                    for column in 0..<size where row < border || row >= size - border || column < border || column >= size - border {
                        values.append(value(plane, row, column))
                    }
                }
                values.sort()
                background.append(values.count % 2 == 1 ? values[values.count / 2]
                                  : (values[values.count / 2 - 1] + values[values.count / 2]) / 2)
            }

            // Foreground shape and skin.
            var rows = [Int](), columns = [Int](), skin = 0.0, chroma = 0.0
            for row in 0..<size {
                for column in 0..<size {
                    let r = value(0, row, column), g = value(1, row, column), b = value(2, row, column)
                    chroma += abs(r - g) + abs(g - b)
                    let difference = Swift.max(abs(r - background[0]), abs(g - background[1]), abs(b - background[2]))
                    guard difference > 0.12 else { continue }
                    rows.append(row); columns.append(column)
                    let total = r + g + b
                    if r > g, g > b, r - b > 0.06, total > 0, r / total >= 0.36, r / total <= 0.6, r - g >= (g - b) / 2,
                       (r - b) / r < 0.65 { skin += 1 }
                }
            }
            let count = Double(rows.count)
            let foreground = count / Double(size * size)
            skin = count > 0 ? skin / count : 0
            var elongation = 1.0, height = 0.0, width = 0.0
            if rows.count >= 4 {
                elongation = ((variance(rows) + 0.25) / (variance(columns) + 0.25)).squareRoot()
                height = spread(rows) / Double(size)
                width = spread(columns) / Double(size)
            }
            let coloured = chroma / Double(size * size) > 0.02

            // Periphery of the luminance gradient.
            var total = 0.0, outside = 0.0
            let centre = Double(size - 1) / 2, radius = 0.35 * Double(size)
            for row in 0..<size {
                for column in 0..<size {
                    let dx = column == 0 ? light(row, 1) - light(row, 0)
                        : column == size - 1 ? light(row, column) - light(row, column - 1)
                        : (light(row, column + 1) - light(row, column - 1)) / 2
                    let dy = row == 0 ? light(1, column) - light(0, column)
                        : row == size - 1 ? light(row, column) - light(row - 1, column)
                        : (light(row + 1, column) - light(row - 1, column)) / 2
                    let magnitude = (dx * dx + dy * dy).squareRoot()
                    total += magnitude
                    let x = Double(column) - centre, y = Double(row) - centre
                    if x * x + y * y > radius * radius { outside += magnitude }
                }
            }
            let periphery = total > 0 ? outside / total : 0

            let faces: Double
            if coloured {
                faces = logistic(10 * (skin - 0.35)) * logistic(20 * (foreground - 0.18)) * logistic(15 * (0.68 - width))
            } else {
                var pairs = [(Double, Double)]()
                for row in (size / 8)..<(size - size / 8) {
                    for column in (size / 4)..<(size - size / 4) {
                        pairs.append((light(row, column), light(row, size - 1 - column)))
                    }
                }
                let symmetry = pearson(pairs)
                let eyes = bandMean(luminance, base, size, 0.3, 0.45) - bandMean(luminance, base, size, 0.5, 0.65)
                faces = logistic(8 * (symmetry - 0.2)) * logistic(60 * (-eyes - 0.02))
            }
            let places = logistic(12 * (foreground - 0.55)) * logistic(15 * (width - 0.7)) * logistic(25 * (0.6 - periphery))
            let bodies = logistic(6 * (elongation - 1.65)) * logistic(40 * (0.22 - foreground))
                * logistic(15 * (0.45 - width)) * logistic(150 * (foreground - 0.025))
            let words = logistic(12 * (0.45 - elongation)) * logistic(20 * (0.25 - height)) * logistic(150 * (foreground - 0.01))
            let objects = logistic(150 * (foreground - 0.025)) * logistic(20 * (0.35 - foreground))
                * logistic(6 * (1.7 - elongation)) * logistic(8 * (elongation - 0.45))
                * (coloured ? logistic(8 * (0.5 - skin)) : 1)
            result += [faces, places, bodies, words, objects]
        }
        return try Tensor(shape: [n, SelectivityCategory.allCases.count], scalars: result)
    }

    /// Population variance of integer positions.
    static func variance(_ values: [Int]) -> Double {
        let mean = Double(values.reduce(0, +)) / Double(values.count)
        return values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(values.count)
    }

    /// 95th minus 5th percentile (linear interpolation between order statistics, numpy's default).
    static func spread(_ values: [Int]) -> Double {
        let sorted = values.sorted().map(Double.init)
        func percentile(_ q: Double) -> Double {
            let position = q * Double(sorted.count - 1)
            let low = Int(position), high = Swift.min(low + 1, sorted.count - 1)
            return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
        }
        return percentile(0.95) - percentile(0.05)
    }

    /// Mean luminance of rows [low·R, high·R) over columns [0.2 R, 0.8 R).
    static func bandMean(_ luminance: [Float], _ base: Int, _ size: Int, _ low: Double, _ high: Double) -> Double {
        var sum = 0.0, count = 0.0
        for row in Int(low * Double(size))..<Int(high * Double(size)) {
            for column in Int(0.2 * Double(size))..<Int(0.8 * Double(size)) {
                sum += Double(luminance[base + row * size + column]); count += 1
            }
        }
        return count > 0 ? sum / count : 0
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
