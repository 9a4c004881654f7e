import Language
import Testing

/// Every error message of the core library and the runtime, as the first line of the report.
@Suite struct LibraryErrorTests {
    static let cases: [(String, String)] = [
        ("num(\"abc\")", "num: cannot convert \"abc\" to a number"),
        ("num([1])", "num: argument 1 (x) must be a string, bool or number, got list"),
        ("min([])", "min: empty sequence"),
        ("max()", "max: empty sequence"),
        ("range(1, 2, 0)", "range: step must not be zero"),
        ("range(inf)", "range: arguments must be finite numbers"),
        ("range(\"a\")", "range: argument 1 (start_or_stop) must be a number, got string"),
        ("range(3)[3]", "range index 3 out of range for length 3"),
        ("sorted([1, \"a\"])", "cannot compare string and number with '<'"),
        ("sorted([1], reverse=1)", "sorted: reverse must be a bool, got number"),
        ("print(1, sep=2)", "print: sep must be a string, got number"),
        ("len(3)", "number has no length"),
        ("len()", "len: expected 1 argument, got 0"),
        ("assert(false)", "assertion failed"),
        ("error(\"plain\")", "plain"),
        ("[1].insert(0)", "list.insert: expected 2 arguments, got 1"),
        ("[1].insert(\"a\", 1)", "list.insert: argument 1 (index) must be an integer, got string"),
        ("[1].index(5)", "list.index: 5 is not in the list"),
        ("[1].remove(5)", "list.remove: 5 is not in the list"),
        ("[1].sort(1)", "list.sort: takes only keyword arguments key= and reverse=, got 1 positional"),
        ("[1].sort(kee=1)", "list.sort: unknown keyword argument 'kee'"),
        ("[1].append(1, k=2)", "list.append: unknown keyword argument 'k'"),
        ("[1].pop(3)", "list index 3 out of range for length 1"),
        ("\"a\".split(\"\")", "string.split: empty separator"),
        ("\"a\".replace(\"\", \"b\")", "string.replace: the text to replace is empty"),
        ("\"a\".count(\"\")", "string.count: empty text"),
        ("\"a\".upper(1)", "string.upper: expected 0 arguments, got 1"),
        ("\"a\".nope()", "string has no attribute or method 'nope' (available: contains, count, endswith, find, join, len, lower, lstrip, replace, rstrip, split, startswith, strip, upper)"),
        ("{a: 1}.remove(\"b\")", "unknown key 'b' (keys: a)"),
        ("{a: 1}.get(1)", "record.get: argument 1 (key) must be a string, got number"),
        ("{a: 1}[0]", "record keys are strings, got number"),
        ("{}.x", "unknown key 'x' (the record is empty)"),
        ("\"abc\"[5]", "string index 5 out of range for length 3"),
        ("\"abc\"[0] = \"x\"", "strings are immutable: build a new one instead of assigning to an index"),
        ("3[0]", "number cannot be indexed"),
        ("nil.x", "nil has no attribute or method 'x'"),
        ("(1).x = 2", "cannot set field 'x' on number"),
        ("[1, 2][1, 2]", "a list takes one index, got 2"),
        ("[1, 2][\"a\"]", "list index must be an integer, got string"),
        ("[1, 2][0:1] = 3", "can only assign a list to a list slice, got number"),
        ("[1, 2][::2] = [1]", "slice assignment supports only step 1"),
        ("[1][0.5:]", "slice bounds must be integers, got 0.5"),
        ("\"ab\" * 1.5", "can only repeat a whole number of times, got 1.5"),
        ("[1] * 1e9", "repetition result too large (more than 100000000 elements)"),
        ("2 in 3", "'in' needs a list, string, record or iterable on the right, got number"),
        ("1 in \"abc\"", "'in <string>' needs a string on the left, got number"),
        ("nan < [1]", "cannot compare number and list with '<'"),
        ("[nan] < [1]", "cannot order nan"),
        ("let a, b = 1", "cannot unpack number into 2 variables"),
        ("sqrt()", "sqrt: expected 1 argument, got 0"),
        ("log(1, base=\"e\")", "log: argument 2 (base) must be a number, got string"),
        ("round(1.5, 0.5)", "round: argument 2 (digits) must be an integer, got number"),
        ("help(\"no such topic\")", "help: no topic or function named 'no such topic' (topics: errors, lists, modules, records, strings, syntax, values)"),
        ("fn f(a, b=1) { a }\nf(b=2)", "f: missing argument 'a'"),
        ("fn f(a) { a }\nf(1, a=2)", "f: argument 'a' given twice"),
        ("len(1, x=2)", "len: argument 'x' given twice"),
        ("f(a=1, a=2)", "keyword argument 'a' given twice"),
        ("x = 1", "undefined variable 'x' (declare it with 'let' or 'var' first)"),
        ("reduce([], (a, b) => a)", "reduce: empty sequence and no initial value"),
    ]

    @Test(arguments: cases)
    func errorMessage(source: String, message: String) {
        let (_, error) = runScript(source, file: "t.bm")
        let firstLine = error?.split(separator: "\n").first.map(String.init) ?? "no error"
        #expect(firstLine.hasSuffix("error: " + message), "\(source)")
    }
}
