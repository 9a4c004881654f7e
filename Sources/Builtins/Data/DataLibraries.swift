/// Every data-format and dataset library: `h5`, `npy`, `npz`, `safetensors`, `csv`, `images`, `datasets`, `json`,
/// `files` and `clock`.
enum DataLibraries {
    static func install(_ context: BindingContext) {
        H5Library.install(context)
        NumPyLibrary.install(context)
        TableLibrary.install(context)
        ImagesLibrary.install(context)
        DatasetLibrary.install(context)
        JSONLibrary.install(context)
    }
}
