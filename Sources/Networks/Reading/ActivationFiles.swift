import Datasets
import Tensors

extension ReadableModel {
    /// `activations` streamed into a new HDF5 file at `path`, batch by batch, so that only one batch is in memory:
    /// one dataset per layer, named by the layer ("blocks.0", …), of the shape `activations` would return, chunked
    /// by batches of rows.
    ///
    /// The file is built under a temporary name in the same folder and renamed over `path` only once every layer's
    /// rows are all written: an error or an interruption leaves the previous file (or none), never a half-written
    /// one. Root attributes: "layers" (the layer names in order, since HDF5 lists members alphabetically), "pool",
    /// "images" (n).
    /// - `gzip`: deflate level 0…9, or nil for uncompressed data. `hooks`: as in `activations`.
    /// - Returns: each layer's name and dataset shape, in layer order.
    /// - Throws: what `activations` throws; `DataError` (`h5.write`) for a missing folder, an invalid gzip level or a
    ///   failed write.
    @discardableResult
    public func saveActivations(_ images: Tensor, to path: String, layers: LayerSelection = .all,
                                pool: TokenPool = .cls, batchSize: Int = 64, gzip: Int? = nil,
                                hooks: [String: ForwardPass.Hook] = [:], progress: ReadingProgress? = nil) throws -> [(name: String, shape: [Int])] {
        var shapes: [(name: String, shape: [Int])] = []
        try HDF5.save(path) { file in
            var writers: [HDF5RowWriter] = []
            let count = images.rank >= 1 ? images.shape[0] : 0
            let names = try forEachActivationBatch(images, layers: layers, pool: pool, batchSize: batchSize,
                                                   hooks: hooks, progress: progress) { _, tensors in
                if writers.isEmpty {
                    // Shapes are known from the first batch: n rows of what one image gives.
                    let layerNames = try resolveLayers(layers, operation: "activations")
                    writers = try zip(layerNames, tensors).map { name, tensor in
                        try file.createRowWriter(name, shape: [count] + tensor.shape.dropFirst(), dtype: tensor.dtype,
                                                 chunkRows: Swift.min(batchSize, count), gzip: gzip)
                    }
                }
                for (writer, tensor) in zip(writers, tensors) { try writer.append(tensor) }
            }
            for writer in writers { try writer.finish() }
            try file.setAttribute("layers", .strings(names))
            try file.setAttribute("pool", .string(pool.rawValue))
            try file.setAttribute("images", .number(Double(count)))
            shapes = zip(names, writers).map { ($0, $1.shape) }
        }
        return shapes
    }
}
