import Datasets
import Foundation
import Tensors

/// The data formats' figures, named as in scripts/bench_peers/datasets.py so that the driver can pair them:
/// a 1 GiB float32 dataset read whole from HDF5 (h5py) and from .npy (numpy), and the 92 PNG stimuli of
/// ../shared/data/kriegeskorte92 loaded as one float32 batch (Pillow + numpy stack). Files are written once into a
/// temporary folder (removed at the end); reads come from the page cache in both tools, so the figures compare
/// the code paths, not the disk.
func datasetBenchmarks() throws -> [Figure] {
    var figures: [Figure] = []
    let folder = NSTemporaryDirectory() + "/bm-bench-datasets-\(getpid())"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }

    // 16384 × 16384 float32 = 1 GiB.
    let side = 16_384
    let data = try Tensor.randomUniform([side, side], seed: 11, dtype: .float32)
    let gibibytes = Double(side * side * 4) / Double(1 << 30)
    let hdf5Path = folder + "/big.h5", npyPath = folder + "/big.npy"
    try HDF5.write(hdf5Path, "data", data)
    try NPY.save(npyPath, data)

    let hdf5 = try bestTime(repeats: 5) { _ = try HDF5File.open(hdf5Path)["data"].read() }
    figures.append(Figure(name: "h5_read_f32_1gib", seconds: hdf5, extra: ["gib_per_s": gibibytes / hdf5]))
    // Every element read into memory (numpy's np.load reads the file; bm's NPY.load maps it, so copy it out).
    let npy = try bestTime(repeats: 5) { _ = try NPY.load(npyPath).copy() }
    figures.append(Figure(name: "npy_load_f32_1gib", seconds: npy, extra: ["gib_per_s": gibibytes / npy]))
    // Both mapped lazily: bm's default load against np.load(mmap_mode="r").
    let mapped = try bestTime(repeats: 5) { _ = try NPY.load(npyPath) }
    figures.append(Figure(name: "npy_map_f32_1gib", seconds: mapped))
    let blocks = try bestTime(repeats: 3) {
        var total = 0.0
        try HDF5File.open(hdf5Path)["data"].forEachBlock(rows: 1024) { _, block in total += Double(block.shape[0]) }
        precondition(total == Double(side))
    }
    figures.append(Figure(name: "h5_blocks_1024_rows_f32_1gib", seconds: blocks))

    // The 92 stimuli (skipped when ../shared is absent beside the checkout).
    let stimuli = "../shared/data/kriegeskorte92/stimuli"
    if FileManager.default.fileExists(atPath: stimuli) {
        let load = try bestTime(repeats: 5) { _ = try Images.loadFolder(stimuli) }
        figures.append(Figure(name: "png_folder_k92_92x175x175", seconds: load, extra: ["threads": Double(Threads.count)]))
    } else {
        FileHandle.standardError.write("bm-bench datasets: \(stimuli) is absent; skipping the PNG figure\n"
            .data(using: .utf8)!)
    }
    return figures
}
