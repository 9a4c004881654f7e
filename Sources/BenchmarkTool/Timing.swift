import Foundation

/// Wall-clock timing for benchmarks: one warm-up call, then the best of `repeats` calls (the figure least disturbed by
/// other work on the machine; numpy's peer script measures the same way).
func bestTime(repeats: Int = 5, _ body: () throws -> Void) rethrows -> Double {
    try body()
    var best = Double.infinity
    for _ in 0..<repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return best
}

/// One benchmark figure, printed as a JSON line: name, seconds, and optional extra fields (GFLOP/s, sizes).
struct Figure {
    var name: String
    var seconds: Double
    var extra: [String: Double] = [:]

    var json: String {
        var fields = ["\"name\": \"\(name)\"", "\"seconds\": \(seconds)"]
        for (key, value) in extra.sorted(by: { $0.key < $1.key }) { fields.append("\"\(key)\": \(value)") }
        return "{" + fields.joined(separator: ", ") + "}"
    }
}

/// Peak resident memory of this process so far, in bytes (from /proc/self/status VmHWM).
func peakResidentBytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let digits = line.split(separator: " ").compactMap { Double($0) }
        return (digits.first ?? 0) * 1024
    }
    return 0
}
