import Foundation
import Testing
@testable import Datasets
@testable import Tensors

@Suite("Table")
struct TableTests {
    /// Every cell must be what Python's csv module reads: numeric columns hold the numbers (NaN for missing
    /// markers), text columns the exact strings.
    @Test("CSV and TSV files split as Python's csv module splits them", arguments: ["quoted.csv", "events.tsv"])
    func referenceFiles(name: String) throws {
        let table = try Table.read(FormatFixtures.path(name))
        let reference = FormatFixtures.manifest.tables[name]!
        #expect(table.columns == reference[0])
        #expect(table.rowCount == reference.count - 1)
        for (index, columnName) in table.columns.enumerated() {
            let cells = reference.dropFirst().map { $0[index] }
            switch try table[columnName] {
            case .numeric(let numbers):
                let expected = cells.map { Table.missingMarkers.contains($0) ? Double.nan : Double($0)! }
                let actual = numbers.scalars(as: Double.self)
                #expect(zip(actual, expected).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }, "\(columnName)")
            case .text(let strings):
                #expect(strings == cells, "\(columnName)")
            }
        }
    }

    @Test("column types: numeric when every present cell is a number")
    func columnTypes() throws {
        let quoted = try Table.read(FormatFixtures.path("quoted.csv"))
        #expect(try quoted["name"].strings == ["Smith, J.", "Lee", "Ng", ""])
        #expect(try quoted["comment"].strings == ["said \"hi\"", "two\nlines", "plain", ""])
        let score = try #require(try quoted["score"].numbers)
        #expect(score.dtype == .float64 && score.shape == [4])
        let values = score.scalars(as: Double.self)
        #expect(values[0] == 1.5 && values[1].isNaN && values[2] == -300 && values[3] == 4)
        let events = try Table.read(FormatFixtures.path("events.tsv"))
        #expect(try events["onset"].numbers?.scalars(as: Double.self) == [0, 2.5, 5, 7.5])
        #expect(try events["response_time"].numbers?.scalars(as: Double.self)[1].isNaN == true)
        // A text column keeps "n/a" as written.
        #expect(try events["stim_file"].strings?.last == "n/a")
    }

    @Test("rows, row access and filtering by a mask")
    func rowsAndFilter() throws {
        let events = try Table.read(FormatFixtures.path("events.tsv"))
        let row = try events.row(2)
        #expect(row["trial_type"] == .text("face") && row["onset"] == .number(5))
        #expect(events.rows.count == 4 && events.rows[3]["trial_type"] == .text("scrambled"))
        let isFace = Tensor(try events["trial_type"].strings!.map { $0 == "face" })
        let faces = try events.filter(where: isFace)
        #expect(faces.rowCount == 2 && faces.columns == events.columns)
        #expect(try faces["onset"].numbers?.scalars(as: Double.self) == [0, 5])
        #expect(try faces["stim_file"].strings == ["stim/face01.png", "stim/face07.png"])
        let late = try events.filter(where: try events["onset"].numbers! .> 4.0)
        #expect(try late["trial_type"].strings == ["face", "scrambled"])
        let none = events.filter { _ in false }
        #expect(none.rowCount == 0 && none.columns == events.columns)
    }

    @Test("write then read returns the same table", arguments: ["csv", "tsv"], 0..<20)
    func roundTrip(fileExtension: String, seed: Int) throws {
        var random = SplitMix(seed: UInt64(seed))
        let rowCount = random.next(below: 6)
        let alphabet = Array("ab ,\"\t\n\r\u{00FC}12.-")
        var columns: [(name: String, column: Table.Column)] = []
        for index in 0..<(1 + random.next(below: 4)) {
            let name = index == 0 ? "col, \"\(seed)\"" : "c\(index)"
            if random.next(below: 2) == 0 {
                let values: [Double] = (0..<rowCount).map { _ in
                    [Double.nan, .infinity, -.infinity, 0.1, -2, 1e-300, 123456789.125, 3e20][random.next(below: 8)]
                }
                columns.append((name, .numeric(Tensor(values))))
            } else {
                // A letter in each cell keeps the column text, whatever else it holds.
                let values = (0..<rowCount).map { _ in
                    "x" + String((0..<random.next(below: 8)).map { _ in alphabet[random.next(below: alphabet.count)] })
                }
                columns.append((name, .text(values)))
            }
        }
        let table = try Table(columns)
        let path = FormatFixtures.temporaryFolder() + "/table." + fileExtension
        try table.write(path)
        let loaded = try Table.read(path)
        #expect(loaded.columns == table.columns && loaded.rowCount == table.rowCount)
        for (name, column) in columns {
            switch (column, try loaded[name]) {
            case let (.numeric(expected), .numeric(actual)):
                let pairs = zip(expected.scalars(as: Double.self), actual.scalars(as: Double.self))
                #expect(pairs.allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }, "\(name)")
            case let (.text(expected), .text(actual)):
                #expect(expected == actual, "\(name)")
            default:
                // A numeric column with no rows or only missing values may come back either way only if empty.
                #expect(rowCount == 0 || column.numbers != nil, "\(name) changed type")
            }
        }
    }

    @Test("missing values are written as n/a in TSV (BIDS) and empty in CSV")
    func missingMarkers() throws {
        let folder = FormatFixtures.temporaryFolder()
        let table = try Table([("onset", .numeric(Tensor([1.5, .nan]))), ("trial_type", .text(["a b", "x,y"]))])
        try table.write(folder + "/events.tsv")
        try table.write(folder + "/events.csv")
        #expect(try String(contentsOfFile: folder + "/events.tsv", encoding: .utf8)
                == "onset\ttrial_type\n1.5\ta b\nn/a\tx,y\n")
        #expect(try String(contentsOfFile: folder + "/events.csv", encoding: .utf8)
                == "onset,trial_type\n1.5,a b\n,\"x,y\"\n")
    }

    @Test("the delimiter comes from the extension, the header line, or the caller")
    func delimiter() throws {
        let folder = FormatFixtures.temporaryFolder()
        try "a\tb\n1\t2\n".write(toFile: folder + "/t.txt", atomically: true, encoding: .utf8)
        #expect(try Table.read(folder + "/t.txt").columns == ["a", "b"])
        try "a;b\n1;2\n".write(toFile: folder + "/s.txt", atomically: true, encoding: .utf8)
        #expect(try Table.read(folder + "/s.txt", delimiter: ";").columns == ["a", "b"])
        #expect(try Table.read(folder + "/s.txt").columns == ["a;b"])
    }

    @Test("malformed tables are DataErrors naming the file and line")
    func errors() throws {
        let folder = FormatFixtures.temporaryFolder()
        func write(_ text: String, _ name: String = "t.csv") -> String {
            let path = folder + "/" + UUID().uuidString + "-" + name
            #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
            return path
        }
        let cases: [(String, String)] = [
            ("a,b\n1,2\n3\n", "line 3: 1 fields, but the header has 2 columns"),
            ("a,b\n\"x\ny\",2\n1,2,3\n", "line 4: 3 fields, but the header has 2 columns"),
            ("a,b\n\"open,2\n", "line 2: a quoted field starts here and is never closed"),
            ("a,b\n\"x\"y,2\n", "line 2: unexpected text after the closing quote of a field"),
            ("a,a\n1,2\n", "line 1: column name 'a' appears twice"),
            ("a,,c\n1,2,3\n", "line 1: a column name is empty"),
            ("", "the file is empty: a table needs a header row"),
            ("\n\n", "the file is empty: a table needs a header row"),
        ]
        for (text, message) in cases {
            let path = write(text)
            expectDataError("table.read", path, message) { _ = try Table.read(path) }
        }
        let binary = folder + "/binary.csv"
        #expect(FileManager.default.createFile(atPath: binary, contents: Data([0x61, 0x0A, 0xFF, 0xFE])))
        expectDataError("table.read", binary, "the file is not UTF-8 text") { _ = try Table.read(binary) }
        let missing = folder + "/absent.tsv"
        expectDataError("table.read", missing, "no such file") { _ = try Table.read(missing) }
        let path = write("a,b\n1,2\n")
        expectDataError("table.read", path, "the delimiter must be one ASCII character other than a quote or "
                        + "newline, not '\"'") { _ = try Table.read(path, delimiter: "\"") }

        let table = try Table.read(FormatFixtures.path("events.tsv"))
        expectDataError("table", nil, "no column named 'onsets'; the columns are 'onset', 'duration', 'trial_type', "
                        + "'response_time', 'stim_file'") { _ = try table["onsets"] }
        expectDataError("table.row", nil, "row 4 is out of range for a table of 4 rows") { _ = try table.row(4) }
        expectDataError("table.filter", nil, "the mask must be a bool tensor of shape [4], not bool [3]") {
            _ = try table.filter(where: Tensor([true, false, true]))
        }
        expectDataError("table.filter", nil, "the mask must be a bool tensor of shape [4], not float64 [4]") {
            _ = try table.filter(where: Tensor([1.0, 0, 1, 0]))
        }
        expectDataError("table", nil, "column 'b' has 1 rows but 'a' has 2") {
            _ = try Table([("a", .text(["x", "y"])), ("b", .numeric(Tensor([1.0])))])
        }
        expectDataError("table", nil, "column name 'a' appears twice") {
            _ = try Table([("a", .text(["x"])), ("a", .text(["y"]))])
        }
        expectDataError("table", nil, "numeric column 'm' must have shape [rows], not [2, 2]") {
            _ = try Table([("m", .numeric(try Tensor([[1.0, 2], [3, 4]])))])
        }
        let nowhere = folder + "/absent/t.csv"
        expectDataError("table.write", nowhere, "folder \(folder)/absent does not exist") { try table.write(nowhere) }
    }
}

/// A small seeded generator for test data (SplitMix64).
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func next(below bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
