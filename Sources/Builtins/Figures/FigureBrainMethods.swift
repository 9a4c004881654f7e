import Language
import Plotting
import Tensors

/// Brain maps: values on a flattened cortical sheet (`brain`) and on a 3-D surface mesh (`surface`). Each needs a
/// panel of its own.
extension FigureMethods {
    static let brainMethods: [String: Method] = [
        "brain": method("brain(values, x, y, panel=0, regions=nil, triangles=nil, cmap=\"viridis\", vmin=nil, "
                        + "vmax=nil, threshold=nil, two_sided=false, below_color=\"lightgrey\", "
                        + "outline_color=\"black\", outline_width=0.75, max_edge=nil, colorbar_label=nil)",
                        "plot.flatMap",
                        """
                        A flat map: vertex i at (x[i], y[i]) (equal aspect, y up) coloured cmap(values[i]), [v] each, \
                        blended across triangles (Gouraud). triangles [t, 3] int64 vertex indices, default the \
                        Delaunay triangulation without edges longer than max_edge (default 4 × the median edge). \
                        regions [v] integer labels (an atlas) draw outlines where labels change. Vertices below \
                        threshold (|value| below it with two_sided=true) and NaN are drawn in below_color.
                        Errors: plot.flatMap: lengths differ (naming both); fewer than 3 distinct points; \
                        non-integer regions; triangles out of range; unknown colour map; a panel already used.
                        """) { figure, arguments in
            let values = try arguments.tensor("values")
            let x = try arguments.tensor("x"), y = try arguments.tensor("y")
            let regions = try arguments.optionalTensor("regions"), triangles = try arguments.optionalTensor("triangles")
            let colormap = try arguments.optionalString("cmap") ?? "viridis"
            let limits = try arguments.colorLimits(values: values, colormap: colormap)
            let threshold = try arguments.optionalNumber("threshold")
            let twoSided = try arguments.bool("two_sided", default: false)
            let below = try arguments.color("below_color") ?? .lightGrey
            let outline = try arguments.color("outline_color") ?? .black
            let outlineWidth = try arguments.optionalNumber("outline_width") ?? 0.75
            let maxEdge = try arguments.optionalNumber("max_edge")
            let colorbarLabel = try arguments.optionalString("colorbar_label")
            return try figure.update(arguments) {
                try $0.flatMap(x: x, y: y, values: values, regions: regions, triangles: triangles,
                               colormap: colormap, limits: limits, threshold: threshold,
                               thresholdBothSigns: twoSided, belowThresholdColor: below, outlineColor: outline,
                               outlineWidth: outlineWidth, maxEdgeLength: maxEdge, colorbarLabel: colorbarLabel)
            }
        },
        "surface": method("surface(vertices, faces, values, panel=0, view=[\"lateral\", \"medial\"], "
                          + "hemi=\"left\", cmap=\"viridis\", vmin=nil, vmax=nil, threshold=nil, two_sided=false, "
                          + "below_color=\"lightgrey\", colorbar_label=nil)", "plot.surface",
                          """
                          Values [v] on a triangle mesh: vertices [v, 3] in RAS coordinates (FreeSurfer, GIfTI), \
                          faces [f, 3] int64. view: one of lateral, medial, ventral, dorsal, or a list of them, drawn \
                          side by side at one scale; hemi: left or right (sets which side is lateral). Faces are \
                          painted far to near, each vertex shaded by 0.35 + 0.65 |n · d| (Lambert, light at the \
                          viewer). Threshold and limits as brain().
                          Errors: plot.surface: vertices not [v, 3]; faces not [f, 3] int64 or out of range; values \
                          not [v]; unknown view or colour map; a panel already used.
                          """) { figure, arguments in
            let vertices = try arguments.tensor("vertices"), faces = try arguments.tensor("faces")
            let values = try arguments.tensor("values")
            var viewNames = ["lateral", "medial"]
            if let view = arguments.value("view") {
                if case .string(let name) = view { viewNames = [name] } else {
                    viewNames = try arguments.strings("view") ?? []
                }
            }
            let views = try viewNames.map { name in
                guard let view = SurfaceView(rawValue: name) else {
                    throw PlottingError("plot.surface", "unknown view \"\(name)\": use "
                                        + SurfaceView.allCases.map(\.rawValue).joined(separator: ", "))
                }
                return view
            }
            let hemisphereName = try arguments.optionalString("hemi") ?? "left"
            guard let hemisphere = Hemisphere(rawValue: hemisphereName) else {
                throw PlottingError("plot.surface", "unknown hemisphere \"\(hemisphereName)\": use left or right")
            }
            let colormap = try arguments.optionalString("cmap") ?? "viridis"
            let limits = try arguments.colorLimits(values: values, colormap: colormap)
            let threshold = try arguments.optionalNumber("threshold")
            let twoSided = try arguments.bool("two_sided", default: false)
            let below = try arguments.color("below_color") ?? .lightGrey
            let colorbarLabel = try arguments.optionalString("colorbar_label")
            return try figure.update(arguments) {
                try $0.surface(vertices: vertices, faces: faces, values: values, views: views, hemisphere: hemisphere,
                               colormap: colormap, limits: limits, threshold: threshold,
                               thresholdBothSigns: twoSided, belowThresholdColor: below, colorbarLabel: colorbarLabel)
            }
        },
    ]
}
