// swift-tools-version: 6.0
// bm: a Swift scripting environment for comparing AI models with brains. Layout and rules: DEVELOPERS.md.
import Foundation
import PackageDescription

/// On x86-64, engine code is compiled for AVX2 and FMA (`-target-cpu haswell`: the x86-64-v3 level that every
/// x86-64 CPU since 2013 has) when the machine building it has them, as bm is built where it runs (scripts/install).
/// Kernels then use 8-lane vectors instead of SSE's 4; floating-point results do not change, since Swift never fuses a
/// multiply and an add on its own. Elsewhere, or on an older CPU, the compiler's default target is kept.
func hostCPUSettings() -> [String] {
    #if arch(x86_64) && os(Linux)
    guard let cpuInfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let flagLine = cpuInfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return [] }
    let flags = Set(flagLine.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == ":" }).map(String.init))
    let haswell: Set = ["avx", "avx2", "fma", "bmi1", "bmi2", "f16c", "movbe", "abm", "xsave"]
    return haswell.isSubset(of: flags) ? ["-target-cpu", "haswell"] : []
    #else
    return []
    #endif
}

/// Numeric engine code is compiled with cross-module optimisation so that generic kernels specialise into callers.
let engineSettings: [SwiftSetting] = [
    .unsafeFlags(["-cross-module-optimization"] + hostCPUSettings(), .when(configuration: .release)),
]

let package = Package(
    name: "bm",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Tensors", targets: ["Tensors"]),
        .library(name: "Datasets", targets: ["Datasets"]),
        .library(name: "Language", targets: ["Language"]),
        .executable(name: "bm", targets: ["bm"]),
        .library(name: "Alignment", targets: ["Alignment"]),
        .library(name: "Plotting", targets: ["Plotting"]),
        .library(name: "Autodiff", targets: ["Autodiff"]),
        .library(name: "Networks", targets: ["Networks"]),
        .library(name: "Simulation", targets: ["Simulation"]),
        .executable(name: "bm-bench", targets: ["BenchmarkTool"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
    ],
    targets: [
        // System libraries: each has exactly one Swift file that imports it.
        .systemLibrary(
            name: "CBLAS",
            path: "Sources/CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
        ),
        .systemLibrary(
            name: "CHDF5",
            path: "Sources/CHDF5",
            pkgConfig: "hdf5",
            providers: [.apt(["libhdf5-dev"])]
        ),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CJPEG", path: "Sources/CJPEG", pkgConfig: "libturbojpeg",
                       providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "CCairo", path: "Sources/CCairo", pkgConfig: "cairo", providers: [.apt(["libcairo2-dev"])]),

        .systemLibrary(name: "CReadline", path: "Sources/CReadline", providers: [.apt(["libreadline-dev"])]),

        // Engine.
        .target(name: "Tensors", dependencies: ["CBLAS", .product(name: "RealModule", package: "swift-numerics")],
                swiftSettings: engineSettings),
        .target(name: "Alignment", dependencies: ["Tensors", "Datasets"], swiftSettings: engineSettings),
        .target(name: "Datasets", dependencies: ["Tensors", "CZlib", "CPNG", "CJPEG", "CHDF5"],
                swiftSettings: engineSettings),
        .target(name: "Plotting", dependencies: ["Tensors", "Datasets", "CCairo"], swiftSettings: engineSettings),
        .target(name: "Autodiff", dependencies: ["Tensors"], swiftSettings: engineSettings),
        .target(name: "Networks", dependencies: ["Tensors", "Autodiff", "Datasets"], swiftSettings: engineSettings),
        // Virtual subjects and stimulus generators; Plotting renders written words with Cairo.
        .target(name: "Simulation", dependencies: ["Tensors", "Datasets", "Plotting"], swiftSettings: engineSettings),

        // The scripting language core: knows nothing of tensors (DEVELOPERS.md, "Layers like Lua 5.4").
        // Exclusivity checks are off in release because the evaluator's hot path reads interpreter state on every step.
        .target(name: "Language", swiftSettings: [
            .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
        ]),

        // The bridge: binds engine modules into the language.
        .target(name: "Builtins", dependencies: ["Language", "Tensors", "Datasets", "Alignment", "Plotting",
                                                 "Autodiff", "Networks", "Simulation"],
                swiftSettings: engineSettings),

        // Executables.
        .executableTarget(name: "bm", dependencies: ["Builtins", "Language", "Tensors", "CReadline"],
                          swiftSettings: engineSettings),
        .executableTarget(name: "BenchmarkTool",
                          dependencies: ["Tensors", "Alignment", "Datasets", "Autodiff", "Networks"],
                          path: "Sources/BenchmarkTool",
                          swiftSettings: engineSettings),

        // Tests.
        .testTarget(name: "TensorsTests", dependencies: ["Tensors"], resources: [.copy("Fixtures")]),
        .testTarget(name: "AlignmentTests", dependencies: ["Alignment"], resources: [.copy("Fixtures")]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets"], resources: [.copy("Fixtures")]),
        .testTarget(name: "LanguageTests", dependencies: ["Language"]),
        .testTarget(name: "BuiltinsTests", dependencies: ["Builtins", "Language", "Tensors", "Plotting", "Alignment",
                                                         "Networks", "Simulation"]),
        // The one golden test: every script under Tests/Scripts, run by the interpreter bm uses.
        .testTarget(name: "ScriptTests", dependencies: ["Builtins", "Language"]),
        // Drives the bm executable through a pseudo-terminal.
        .testTarget(name: "REPLTests"),
        .testTarget(name: "AutodiffTests", dependencies: ["Autodiff", "Tensors"], resources: [.copy("Fixtures")]),
        .testTarget(name: "NetworksTests", dependencies: ["Networks", "Autodiff", "Tensors", "Datasets"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "SimulationTests", dependencies: ["Simulation", "Tensors", "Alignment"]),
        .testTarget(name: "PlottingTests", dependencies: ["Plotting", "Tensors"], resources: [.copy("References")]),
    ]
)
