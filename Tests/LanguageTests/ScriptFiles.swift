/// The golden scripts under `Tests/Scripts`, as inputs for the language's own tests (the fuzzer mutates them, error
/// tests import their helper modules). They are run and checked by the one golden test in ScriptTests.
enum ScriptFiles {
    /// `Tests/Scripts`, found from this file's path.
    static let root: String = {
        let testsDirectory = #filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast(2)
            .joined(separator: "/")
        return testsDirectory + "/Scripts"
    }()

    /// The text of every `.bm` file under `Tests/Scripts/language`.
    static func languageScripts() -> [String] {
        let folder = root + "/language"
        return listDirectoryEntries(folder).sorted().filter { $0.hasSuffix(".bm") }.compactMap { readFile(folder + "/" + $0) }
    }
}
