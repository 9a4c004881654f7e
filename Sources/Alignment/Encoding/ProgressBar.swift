import Foundation

/// A one-line progress bar on stderr for long fits: `ridge_cv [#########.........] 45% 12.3 s`.
/// Drawn only when stderr is a terminal (`isatty(2)`), so logs and pipes never receive control characters, and only
/// once the fit has run for a second (a quick fit in the REPL leaves no bar behind); redrawn at most ten times a
/// second.
struct ProgressBar {
    let label: String
    let total: Int
    let enabled: Bool
    private var done = 0
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var drawn = false

    /// `enabled: nil` means "when stderr is a terminal".
    init(label: String, total: Int, enabled: Bool? = nil) {
        self.label = label
        self.total = Swift.max(total, 1)
        self.enabled = enabled ?? (isatty(2) != 0)
    }

    mutating func advance(by steps: Int = 1) {
        done += steps
        guard enabled else { return }
        let now = Date()
        if now.timeIntervalSince(start) < 1 { return }
        if done < total && now.timeIntervalSince(lastDraw) < 0.1 { return }
        lastDraw = now
        drawn = true
        let fraction = Double(Swift.min(done, total)) / Double(total)
        let width = 30, filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let elapsed = String(format: "%.1f", now.timeIntervalSince(start))
        FileHandle.standardError.write("\r\(label) [\(bar)] \(Int(fraction * 100))% \(elapsed) s".data(using: .utf8)!)
    }

    func finish() {
        guard enabled && drawn else { return }
        FileHandle.standardError.write("\n".data(using: .utf8)!)
    }
}
