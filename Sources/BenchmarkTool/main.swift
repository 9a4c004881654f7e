import Foundation
import Tensors

/// bm-bench SUITE…: prints one JSON line per figure. scripts/bench runs it beside the Python peers and prints ratios.
let suites: [String: () throws -> [Figure]] = [
    "tensors": tensorBenchmarks,
    "similarity": similarityBenchmarks,
    "alignment": alignmentBenchmarks,
    "datasets": datasetBenchmarks,
    "dino": dinoBenchmarks,
]

let requested = Array(CommandLine.arguments.dropFirst())
if requested.isEmpty || requested.contains(where: { suites[$0] == nil }) {
    FileHandle.standardError.write("usage: bm-bench SUITE… (suites: \(suites.keys.sorted().joined(separator: ", ")))\n"
        .data(using: .utf8)!)
    exit(2)
}
do {
    for name in requested {
        for figure in try suites[name]!() { print(figure.json) }
    }
    print(Figure(name: "peak_rss", seconds: 0, extra: ["bytes": peakResidentBytes()]).json)
} catch {
    FileHandle.standardError.write("bm-bench: \(error)\n".data(using: .utf8)!)
    exit(1)
}
