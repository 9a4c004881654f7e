import Datasets
import Foundation
import Tensors

extension Stimuli {
    /// Where the real stimulus sets live relative to the repository: `../shared/data` beside the checkout.
    public static let sharedDataFolder = "../shared/data"
    /// The default path of the LFW subset, relative to the current folder.
    public static let lfwDefaultPath = sharedDataFolder + "/lfw_faces/lfw_subset.npy"
    /// The default folder of the Kriegeskorte 92-image set, relative to the current folder.
    public static let kriegeskorte92DefaultFolder = sharedDataFolder + "/kriegeskorte92"

    /// The 100 face and 100 non-face patches of scikit-image's LFW subset (Labeled Faces in the Wild), read from
    /// `lfw_subset.npy` (float64 `[200, 25, 25]` grayscale in [0, 1]: faces first).
    ///
    /// - Parameters: `path` of the .npy file; `size` resizes every image to `size × size` (antialiased bilinear) when
    ///   given.
    /// - Returns: images `[200, s, s, 3]` float32 (gray repeated on the three channels); metadata `category` ("face"
    ///   or "nonface"), `kind` ("lfw"), `label` (1 for faces, 0 otherwise).
    /// - Throws: `SimulationError` (`stimuli.lfw`) naming the path when the file is absent, or when its array is not
    ///   `[n, h, w]` with n even; `DataError` when it cannot be read; resizing errors for a size below 1.
    public static func lfwFaces(path: String = lfwDefaultPath, size: Int? = nil) throws -> StimulusSet {
        let operation = "stimuli.lfw"
        guard FileManager.default.fileExists(atPath: path) else {
            throw SimulationError(operation, "\(path): no such file (the LFW subset lives in ../shared/data/lfw_faces "
                                  + "beside the checkout; pass its path)")
        }
        let array = try NPY.load(path)
        guard array.rank == 3, array.shape[0] % 2 == 0, array.shape[0] > 0 else {
            throw SimulationError(operation, "\(path): expected faces then non-faces as [n, height, width] with n even, "
                                  + "got shape \(formatShape(array.shape))")
        }
        let count = array.shape[0]
        var images = try array.astype(.float32).reshaped([count, array.shape[1], array.shape[2], 1])
            .broadcast(to: [count, array.shape[1], array.shape[2], 3]).contiguous()
        if let size { images = try Images.resize(images, height: size, width: size) }
        let labels = (0..<count).map { $0 < count / 2 ? 1.0 : 0.0 }
        let table = try Table([("category", .text(labels.map { $0 == 1 ? "face" : "nonface" })),
                               ("kind", .text([String](repeating: "lfw", count: count))), ("label", .numeric(Tensor(labels)))])
        return try StimulusSet(stimuli: images, metadata: table)
    }

    /// The 92 images of Kriegeskorte et al. (2008) with their category vectors, read from `k92.h5` in `folder`
    /// (`images` uint8 `[92, 175, 175, 3]`; `categories` `[92, 12]` with attribute `labels`).
    ///
    /// - Parameters: `folder` holding `k92.h5`; `size` resizes to `size × size` when given.
    /// - Returns: images `[92, s, s, 3]` float32 in [0, 1]; metadata `category` (one of "human face", "human body",
    ///   "animal face", "animal body", "natural object", "artificial object"), `kind` ("kriegeskorte92"), `index`
    ///   (1…92, the published order and the PNG file names), then one 0/1 column per label of the file (animate,
    ///   inanim, human, nonhumani, body, face, natObj, artiObj, rand24, rand48, other48, monkeyape).
    /// - Throws: `SimulationError` (`stimuli.kriegeskorte92`) naming the path when `k92.h5` is absent or its datasets
    ///   do not have the layout above; `DataError` when HDF5 cannot read it.
    public static func kriegeskorte92(folder: String = kriegeskorte92DefaultFolder, size: Int? = nil) throws -> StimulusSet {
        let operation = "stimuli.kriegeskorte92"
        let path = (folder as NSString).appendingPathComponent("k92.h5")
        guard FileManager.default.fileExists(atPath: path) else {
            throw SimulationError(operation, "\(path): no such file (the 92 images live in ../shared/data/kriegeskorte92 "
                                  + "beside the checkout; pass its folder)")
        }
        let file = try HDF5File.open(path)
        let stored = try file["images"].read()
        guard stored.rank == 4, stored.shape[3] == 3, stored.shape[0] > 0 else {
            throw SimulationError(operation, "\(path): images must be [n, height, width, 3], got \(formatShape(stored.shape))")
        }
        let count = stored.shape[0]
        let categoryMatrix = try file["categories"].read()
        guard categoryMatrix.rank == 2, categoryMatrix.shape[0] == count else {
            throw SimulationError(operation, "\(path): categories must be [\(count), labels], got "
                                  + formatShape(categoryMatrix.shape))
        }
        let names: [String]
        switch try file["categories"].attribute("labels") {
        case .strings(let strings): names = strings
        case .string(let string): names = [string]
        default: names = []
        }
        guard names.count == categoryMatrix.shape[1] else {
            throw SimulationError(operation, "\(path): categories has \(categoryMatrix.shape[1]) columns but its labels "
                                  + "attribute names \(names.count)")
        }
        var images = try (stored.astype(.float32) / 255).astype(.float32)
        if let size { images = try Images.resize(images, height: size, width: size) }
        let matrix = categoryMatrix.astype(.float64).scalars(as: Double.self)
        let columnCount = names.count
        func flag(_ row: Int, _ name: String) -> Bool {
            guard let column = names.firstIndex(of: name) else { return false }
            return matrix[row * columnCount + column] != 0
        }
        let categories = (0..<count).map { row -> String in
            if flag(row, "animate") {
                let who = flag(row, "human") ? "human" : "animal"
                return flag(row, "face") ? "\(who) face" : "\(who) body"
            }
            return flag(row, "natObj") ? "natural object" : "artificial object"
        }
        var columns: [(name: String, column: Table.Column)] = [
            ("category", .text(categories)), ("kind", .text([String](repeating: "kriegeskorte92", count: count))),
            ("index", .numeric(Tensor((1...count).map(Double.init)))),
        ]
        for (column, name) in names.enumerated() {
            columns.append((name, .numeric(Tensor((0..<count).map { matrix[$0 * columnCount + column] }))))
        }
        return try StimulusSet(stimuli: images, metadata: try Table(columns))
    }
}
