@testable import Plotting
import Testing

@Suite struct ColorTests {
    /// First and last entries of matplotlib's tables (matplotlib 3.10, `colormap(0, bytes=True)`).
    @Test(arguments: [
        ("viridis", "#440154", "#fde725"), ("magma", "#000004", "#fcfdbf"), ("cividis", "#00224e", "#fee838"),
        ("RdBu_r", "#053061", "#67001f"),
    ])
    func tableEnds(name: String, first: String, last: String) throws {
        let map = try Colormap(named: name)
        #expect(map.colors.count == 256)
        #expect(map.colors[0].description == first)
        #expect(map.colors[255].description == last)
        #expect(map.isDiverging == (name == "RdBu_r"))
    }

    @Test func lookupFollowsMatplotlib() throws {
        let map = Colormap.viridis
        #expect(map.color(atFraction: 0) == map.colors[0])
        #expect(map.color(atFraction: 1) == map.colors[255])
        #expect(map.color(atFraction: 1.7) == map.colors[255])
        #expect(map.color(atFraction: -3) == map.colors[0])
        #expect(map.color(atFraction: 0.5) == map.colors[128])
        #expect(map.color(atFraction: 127.99 / 256) == map.colors[127])
        #expect(map.color(atFraction: .nan).alpha == 0)
        #expect(map.color(of: 5, limits: 0...10) == map.colors[128])
        #expect(map.color(of: 3, limits: 3...3) == map.colors[128])
    }

    @Test func defaultLimits() throws {
        #expect(Colormap.viridis.defaultLimits([3, -1, .nan, 2, .infinity]) == -1...3)
        #expect(try Colormap(named: "RdBu_r").defaultLimits([3, -1, 2]) == -3...3)
        #expect(try Colormap(named: "RdBu_r").defaultLimits([0, 0]) == -1...1)
        #expect(Colormap.viridis.defaultLimits([.nan]) == 0...1)
    }

    @Test func unknownColormapListsTheNames() {
        #expect(throws: PlottingError("colormap",
                                      "unknown colour map \"jet\": known maps are viridis, magma, cividis, RdBu_r")) {
            try Colormap(named: "jet")
        }
    }

    @Test func parsingColors() throws {
        #expect(try Color(parsing: "#E69F00") == Color.okabeIto[1])
        #expect(try Color(parsing: "0072b2") == Color.okabeIto[0])
        #expect(try Color(parsing: "#ff000080").alpha == 128.0 / 255)
        #expect(try Color(parsing: "vermillion") == Color.okabeIto[3])
        #expect(Color(red: 2, green: -1, blue: .nan) == Color(red: 1, green: 0, blue: 0))
        #expect(throws: PlottingError.self) { try Color(parsing: "#12345") }
        do {
            _ = try Color(parsing: "teal")
            Issue.record("teal parsed")
        } catch let error as PlottingError {
            #expect(error.description.hasPrefix("color: unknown colour \"teal\": use #rrggbb, #rrggbbaa or one of black"))
        }
    }

    @Test func okabeItoPalette() {
        #expect(Set(Color.okabeIto).count == 8)
        #expect(Color.palette(0).description == "#0072b2")
        #expect(Color.palette(8) == Color.palette(0))
        #expect(Color.palette(-1) == Color.okabeIto[7])
    }
}
