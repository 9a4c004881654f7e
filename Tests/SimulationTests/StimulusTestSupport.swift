import Datasets
import Simulation
import Tensors

/// Helpers shared by the stimulus tests: pixels as plain arrays, image statistics, and a simple classifier.
enum StimulusTestSupport {
    /// Image `index` of `[n, h, w, c]` as a row-major `[h * w * c]` array of doubles.
    static func image(_ images: Tensor, _ index: Int) -> [Double] {
        let perImage = images.shape.dropFirst().reduce(1, *)
        let all = images.astype(.float64).scalars(as: Double.self)
        return Array(all[(index * perImage)..<((index + 1) * perImage)])
    }

    /// Mean over channels of `[h * w * c]` → `[h * w]`.
    static func gray(_ pixels: [Double], channels: Int) -> [Double] {
        stride(from: 0, to: pixels.count, by: channels).map { start in
            pixels[start..<(start + channels)].reduce(0, +) / Double(channels)
        }
    }

    static func pearson(_ a: [Double], _ b: [Double]) -> Double {
        let n = Double(a.count)
        let meanA = a.reduce(0, +) / n, meanB = b.reduce(0, +) / n
        var covariance = 0.0, varianceA = 0.0, varianceB = 0.0
        for index in a.indices {
            covariance += (a[index] - meanA) * (b[index] - meanB)
            varianceA += (a[index] - meanA) * (a[index] - meanA)
            varianceB += (b[index] - meanB) * (b[index] - meanB)
        }
        return covariance / (varianceA * varianceB).squareRoot()
    }

    /// Central-difference gradients of a `side × side` gray image (x rightward, y upward), interior pixels only.
    static func gradients(_ gray: [Double], side: Int) -> [(x: Double, y: Double, row: Int, column: Int)] {
        var result = [(x: Double, y: Double, row: Int, column: Int)]()
        for row in 1..<(side - 1) {
            for column in 1..<(side - 1) {
                let gx = (gray[row * side + column + 1] - gray[row * side + column - 1]) / 2
                let gy = (gray[(row - 1) * side + column] - gray[(row + 1) * side + column]) / 2
                result.append((gx, gy, row, column))
            }
        }
        return result
    }

    /// Features of one image for the category classifier: an 8 × 8 gray thumbnail, an 8-bin histogram of gradient
    /// orientations weighted by magnitude (normalised), gradient energy in a 4 × 4 grid, each channel's mean and
    /// standard deviation, a 4 × 4 colour thumbnail and the mean gradient magnitude.
    static func features(_ pixels: [Double], side: Int) -> [Double] {
        let grayImage = gray(pixels, channels: 3)
        var thumbnail = [Double](repeating: 0, count: 64), counts = [Double](repeating: 0, count: 64)
        for row in 0..<side {
            for column in 0..<side {
                let cell = (row * 8 / side) * 8 + column * 8 / side
                thumbnail[cell] += grayImage[row * side + column]
                counts[cell] += 1
            }
        }
        thumbnail = zip(thumbnail, counts).map { $0 / $1 }
        var histogram = [Double](repeating: 0, count: 8), energy = [Double](repeating: 0, count: 16)
        for gradient in gradients(grayImage, side: side) {
            let magnitude = (gradient.x * gradient.x + gradient.y * gradient.y).squareRoot()
            var angle = atan2(gradient.y, gradient.x)
            if angle < 0 { angle += .pi }
            histogram[Swift.min(7, Int(angle / .pi * 8))] += magnitude
            energy[(gradient.row * 4 / side) * 4 + gradient.column * 4 / side] += magnitude
        }
        let total = Swift.max(histogram.reduce(0, +), 1e-12)
        histogram = histogram.map { $0 / total }
        energy = energy.map { $0 / total }
        var colour = [Double]()
        for channel in 0..<3 {
            let values = stride(from: channel, to: pixels.count, by: 3).map { pixels[$0] }
            let mean = values.reduce(0, +) / Double(values.count)
            colour.append(mean)
            colour.append((values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)).squareRoot())
        }
        // A 4 × 4 colour thumbnail: where skin, sky, grass or ink are.
        var colourThumbnail = [Double](repeating: 0, count: 48)
        for row in 0..<side {
            for column in 0..<side {
                let cell = (row * 4 / side) * 4 + column * 4 / side
                for channel in 0..<3 { colourThumbnail[cell * 3 + channel] += pixels[(row * side + column) * 3 + channel] }
            }
        }
        let perCell = Double(side * side) / 16
        colourThumbnail = colourThumbnail.map { $0 / perCell }
        return thumbnail + histogram + energy + colour + colourThumbnail + [total / Double(side * side)]
    }

    /// Accuracy and confusion counts `[true label][predicted label]` of a linear classifier: ridge regression
    /// (penalty `penalty`) of one-hot labels on the features standardised on the training set, plus an intercept,
    /// predicting the label with the largest output.
    static func ridgeClassification(training: [([Double], Int)], test: [([Double], Int)],
                                    penalty: Double = 10) throws -> (accuracy: Double, confusion: [[Int]]) {
        let dimension = training[0].0.count
        var mean = [Double](repeating: 0, count: dimension), deviation = mean
        for (features, _) in training { for d in 0..<dimension { mean[d] += features[d] } }
        mean = mean.map { $0 / Double(training.count) }
        for (features, _) in training { for d in 0..<dimension { deviation[d] += pow(features[d] - mean[d], 2) } }
        deviation = deviation.map { Swift.max(($0 / Double(training.count)).squareRoot(), 1e-9) }
        func design(_ rows: [([Double], Int)]) throws -> Tensor {
            try Tensor(shape: [rows.count, dimension + 1], scalars: rows.flatMap { features, _ in
                (0..<dimension).map { (features[$0] - mean[$0]) / deviation[$0] } + [1]
            })
        }
        let labels = Set(training.map(\.1)).sorted()
        let x = try design(training)
        let y = try Tensor(shape: [training.count, labels.count], scalars: training.flatMap { _, label in
            labels.map { $0 == label ? 1.0 : 0.0 }
        })
        let xt = x.transposed()
        var gram = try Tensor.matmul(xt, x).scalars(as: Double.self)
        for d in 0..<dimension { gram[d * (dimension + 1) + d] += penalty }   // the intercept is not penalised
        let weights = try Linalg.solve(try Tensor(shape: [dimension + 1, dimension + 1], scalars: gram),
                                       try Tensor.matmul(xt, y))
        let outputs = try Tensor.matmul(try design(test), weights).scalars(as: Double.self)
        var correct = 0
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: labels.count), count: labels.count)
        for (row, (_, label)) in test.enumerated() {
            let scores = outputs[(row * labels.count)..<((row + 1) * labels.count)]
            let predicted = scores.indices.max(by: { scores[$0] < scores[$1] })! - row * labels.count
            if labels[predicted] == label { correct += 1 }
            if let truth = labels.firstIndex(of: label) { confusion[truth][predicted] += 1 }
        }
        return (Double(correct) / Double(test.count), confusion)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
