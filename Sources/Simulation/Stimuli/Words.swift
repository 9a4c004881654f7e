import Datasets
import Plotting

extension Stimuli {
    /// Common English words of three to eight letters (concrete and abstract nouns, verbs, adjectives), the default
    /// vocabulary of `words(count:)`.
    public static let wordList = [
        "house", "water", "table", "garden", "window", "river", "letter", "market", "winter", "summer", "bread",
        "chair", "paper", "money", "music", "story", "light", "night", "green", "black", "white", "small", "large",
        "happy", "early", "quiet", "simple", "strong", "friend", "mother", "father", "sister", "doctor", "teacher",
        "animal", "forest", "island", "bridge", "street", "school", "office", "church", "castle", "garage", "kitchen",
        "bottle", "pencil", "button", "candle", "basket", "pocket", "jacket", "wallet", "ticket", "rocket", "planet",
        "circle", "square", "number", "answer", "question", "reason", "season", "moment", "minute", "hour", "year",
        "cloud", "storm", "stone", "metal", "glass", "sugar", "salt", "honey", "apple", "lemon", "orange", "cherry",
        "horse", "tiger", "rabbit", "monkey", "turtle", "eagle", "spider", "whale", "shark", "sheep", "goat", "mouse",
        "dream", "truth", "peace", "power", "value", "energy", "nature", "culture", "memory", "silence", "courage",
        "travel", "listen", "follow", "remember", "forget", "become", "change", "begin", "finish", "arrive", "return",
        "climb", "swim", "dance", "write", "read", "speak", "laugh", "smile", "think", "learn", "build", "carry",
        "bright", "gentle", "honest", "clever", "narrow", "hollow", "golden", "silver", "frozen", "sudden", "distant",
        "village", "harbour", "station", "library", "theatre", "museum", "airport", "factory", "hospital", "prison",
        "engine", "wheel", "hammer", "ladder", "mirror", "blanket", "pillow", "carpet", "curtain", "shelf", "drawer",
    ]

    /// Written words: real strings rendered by Cairo (DejaVu Sans, regular or bold) in dark ink on a light page,
    /// centred with a small jitter, at a font size that fills 55–85% of the image width (shrunk until the word
    /// fits). These are the stimuli of visual word form localisers (words vs objects, faces, scrambled).
    ///
    /// - Parameters: `strings`, one image each (non-empty, printable); `size` 8…1024 pixels; `seed` draws the font
    ///   size, weight, ink and page colours and position.
    /// - Returns: images `[strings.count, size, size, 3]` float32 in [0, 1]; metadata `category` ("word"), `kind`
    ///   (the string), `font_size` (pixels), `bold` (0 or 1), `center_x`, `center_y` (image units), `letters`.
    /// - Throws: `SimulationError` (`stimuli.words`) for an empty string or a size outside 8…1024; `PlottingError`
    ///   when Cairo fails.
    public static func words(_ strings: [String], size: Int = 64, seed: UInt64 = 0) throws -> StimulusSet {
        let operation = "stimuli.words"
        if let empty = strings.firstIndex(where: { $0.allSatisfy(\.isWhitespace) }) {
            throw SimulationError(operation, "string \(empty) is empty: a word stimulus needs visible text")
        }
        if let bad = strings.firstIndex(where: { $0.unicodeScalars.contains { $0.properties.generalCategory == .control } }) {
            throw SimulationError(operation, "string \(bad) contains a control character (newline, tab …); pass one line")
        }
        return try StimulusBatch.render(count: strings.count, size: size, seed: seed, stream: "words",
                                        operation: operation) { index, random in
            try drawWord(strings[index], size: size, &random)
        }
    }

    /// `count` words drawn from `wordList` (each image draws its word with its own random stream).
    /// - Throws: as `words(_:size:seed:)`, and for a negative count.
    public static func words(count: Int, size: Int = 64, seed: UInt64 = 0) throws -> StimulusSet {
        try StimulusBatch.validate(count: count, size: size, operation: "stimuli.words")
        let chosen = (0..<count).map { index -> String in
            var random = StimulusRandom(seed: seed, stream: "word choice", index: index)
            return random.element(wordList)
        }
        return try words(chosen, size: size, seed: seed)
    }

    static func drawWord(_ text: String, size: Int, _ random: inout StimulusRandom) throws -> (Painter, StimulusDescription) {
        let page = RGB(gray: random.uniform(0.8, 1)).mixed(with: RGB(1, 0.95, 0.85), random.uniform(0, 0.5))
        let ink = RGB(gray: random.uniform(0, 0.2)).mixed(with: RGB(0.1, 0.1, 0.45), random.uniform(0, 0.5))
        var painter = Painter(size: size, background: page)
        let bold = random.bool()
        let side = Double(size)
        let targetWidth = side * random.uniform(0.55, 0.85)
        var fontSize = side * random.uniform(0.22, 0.32)
        let width = try TextBitmap.advanceWidth(text, fontSize: fontSize, bold: bold)
        if width > targetWidth { fontSize *= targetWidth / width }
        let center = Point2(0.5 + random.uniform(-0.06, 0.06), 0.5 + random.uniform(-0.08, 0.08))
        let coverage = try TextBitmap.render(text, width: size, height: size, fontSize: fontSize, centerX: center.x * side,
                                             centerY: center.y * side, bold: bold)
        for index in 0..<(size * size) where coverage[index] > 0 {
            let alpha = coverage[index]
            painter.pixels[3 * index] += (Float(ink.red) - painter.pixels[3 * index]) * alpha
            painter.pixels[3 * index + 1] += (Float(ink.green) - painter.pixels[3 * index + 1]) * alpha
            painter.pixels[3 * index + 2] += (Float(ink.blue) - painter.pixels[3 * index + 2]) * alpha
        }
        painter.addNoise(0.01, &random)
        painter.finish()
        return (painter, StimulusDescription(category: "word", kind: text, parameters: [
            ("font_size", fontSize), ("bold", bold ? 1 : 0), ("center_x", center.x), ("center_y", center.y),
            ("letters", Double(text.count)),
        ]))
    }
}
