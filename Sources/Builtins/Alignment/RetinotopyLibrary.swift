import Alignment
import Language
import Tensors

/// `prf_fit`: population receptive field mapping (Dumoulin & Wandell 2008) as a global function.
enum RetinotopyLibrary {
    typealias Arg = AlignmentArguments

    static let documentation = """
        Population receptive field fit (Dumoulin & Wandell 2008). Each vertex's response is modelled as \
        gain · p(t) + offset with p(t) = Σ_pixels a(t, pixel) · exp(−((x − x0)² + (y − y0)²) / 2σ²), the aperture a \
        optionally convolved with hrf. apertures [T, h, w] (1 where the field is stimulated, fractions allowed), \
        responses [T, V]; pixel (i, j) sits at x = ((j + 0.5) / w · 2 − 1) · extent, y = (1 − (i + 0.5) / h · 2) · \
        extent · h / w degrees (as stimuli.wedges/rings/bars with field_radius = extent). hrf: nil or a kernel \
        sampled once per frame, e.g. features.hrf(tr, oversampling=1). grid: nil (17 × 17 centres over \
        [−extent, extent] × 8 sizes from extent/20 to extent), or a record with positions (a count or a list of \
        degrees, both axes) or x and y (lists), and sizes (a count) or sigma (a list of degrees). The coarse \
        search correlates every grid prediction with every vertex in one GEMM; refine=true then runs Nelder–Mead \
        on (x, y, log σ) per vertex. → {x, y, sigma, angle (degrees, (−180, 180], counter-clockwise from the \
        right horizontal meridian), eccentricity, r2 (variance explained, gain ≥ 0), gain, offset}, each [V]; \
        a vertex with a constant response gets NaN.
        """

    static func install(_ context: BindingContext) {
        context.define("prf_fit", "prf_fit(apertures, responses, extent=10, hrf=nil, grid=nil, refine=true)",
                       documentation) { arguments in
            let operation = "prf_fit"
            let stimulus = try PRFStimulus(apertures: try Arg.tensor(arguments, 0, "apertures", operation),
                                           extent: try arguments.optionalNumber(2, "extent") ?? 10,
                                           hrf: try Arg.optionalTensor(arguments, 3, "hrf", operation))
            let grid = try self.grid(arguments.optional(4, "grid"), stimulus: stimulus)
            let fit = try PopulationReceptiveField.fit(stimulus, responses: try Arg.tensor(arguments, 1, "responses", operation),
                                                       grid: grid, refine: try arguments.optionalBool(5, "refine") ?? true)
            return .makeRecord([("x", context.wrap(fit.x)), ("y", context.wrap(fit.y)), ("sigma", context.wrap(fit.sigma)),
                                ("angle", context.wrap(fit.angle)), ("eccentricity", context.wrap(fit.eccentricity)),
                                ("r2", context.wrap(fit.r2)), ("gain", context.wrap(fit.gain)),
                                ("offset", context.wrap(fit.offset))])
        }
    }

    /// The `grid=` record: nil gives nil (the standard grid).
    static func grid(_ value: Value?, stimulus: PRFStimulus) throws -> PRFGrid? {
        let operation = "prf_fit"
        guard let value, !value.isNil else { return nil }
        guard let record = value.recordValue else {
            throw LanguageError("\(operation): grid must be nil or a record {positions, sizes} or {x, y, sigma}, got \(value.typeName)")
        }
        let known = ["positions", "sizes", "x", "y", "sigma"]
        if let unknown = record.keys.first(where: { !known.contains($0) }) {
            throw LanguageError("\(operation): grid has no field '\(unknown)' (fields: \(known.joined(separator: ", ")))")
        }
        let standard = try PRFGrid.standard(extent: stimulus.extent, pixelSize: stimulus.pixelSize)
        func numbers(_ key: String) throws -> [Double]? {
            guard let field = record[key], !field.isNil else { return nil }
            let tensor = try TensorConversion.tensor(from: field, operation: operation)
            guard tensor.rank <= 1 else {
                throw LanguageError("\(operation): grid.\(key) must be a number or a 1-d list, got shape \(formatShape(tensor.shape))")
            }
            return try tensor.astype(.float64).reshaped([tensor.count]).scalars(as: Double.self)
        }
        func count(_ key: String, _ values: [Double]?) throws -> Int? {
            guard let values, values.count == 1 else { return nil }
            guard let whole = exactInteger(values[0]) else {
                throw LanguageError("\(operation): grid.\(key) as a count must be a whole number, got \(values[0])")
            }
            return whole
        }
        var xs = standard.xs, ys = standard.ys, sigmas = standard.sigmas
        if let positions = try numbers("positions") {
            if let n = try count("positions", positions), record["positions"]?.listValue == nil {
                xs = try PRFGrid.standard(extent: stimulus.extent, pixelSize: stimulus.pixelSize, positions: n).xs
            } else {
                xs = positions
            }
            ys = xs
        }
        if let x = try numbers("x") { xs = x }
        if let y = try numbers("y") { ys = y }
        if let sizes = try numbers("sizes") {
            guard let n = try count("sizes", sizes) else {
                throw LanguageError("\(operation): grid.sizes must be a count (use sigma= for a list of sizes)")
            }
            sigmas = try PRFGrid.standard(extent: stimulus.extent, pixelSize: stimulus.pixelSize, sizes: n).sigmas
        }
        if let sigma = try numbers("sigma") { sigmas = sigma }
        return try PRFGrid(xs: xs, ys: ys, sigmas: sigmas)
    }
}
