import Builtins
import Language
import Tensors
import Testing

/// The tensor bindings seen from a host: values scripts produce, and the documentation every builtin carries.
@Suite struct TensorBindingTests {
    func interpreter() throws -> Interpreter {
        let interpreter = try Interpreter()
        Builtins.install(into: interpreter)
        return interpreter
    }

    @Test func reductionsGiveNumbersAndIndexingGivesScalars() throws {
        let bm = try interpreter()
        #expect(try bm.evaluate("tensor([[1, 2], [3, 4]]).sum()") == .number(10))
        #expect(try bm.evaluate("tensor([[1, 2], [3, 4]])[1, 0]") == .number(3))
        #expect(try bm.evaluate("(tensor([1, 2]) > 1).any()") == .bool(true))
        #expect(try bm.evaluate("tensor([1, 2]).sum(axis=0, keepdims=true)").typeName == "tensor")
        #expect(try bm.evaluate("tensor([[1, 2], [3, 4]]).tolist()")
                == .makeList([.makeList([.number(1), .number(2)]), .makeList([.number(3), .number(4)])]))
    }

    @Test func everyBuiltinIsDocumented() throws {
        let bm = try interpreter()
        var printed = ""
        bm.output = { printed += $0 }
        for name in ["tensor", "zeros", "randn", "concat", "zscore", "corr", "spearman", "cdist", "threads"] {
            printed = ""
            try bm.run(source: "help(\(name))", file: "help.bm")
            #expect(printed.contains("\(name)("), "help(\(name)) shows the signature")
            #expect(printed.split(separator: "\n").count >= 2, "help(\(name)) has a docstring")
        }
        printed = ""
        try bm.run(source: "help(linalg.svd)", file: "help.bm")
        #expect(printed.contains("svd(a, full_matrices=false)"))
        printed = ""
        try bm.run(source: "help(tensor([1]).sum)", file: "help.bm")
        #expect(printed.contains("sum(axis=nil, keepdims=false)"))
        printed = ""
        try bm.run(source: "help(\"tensors\")", file: "help.bm")
        #expect(printed.contains("methods    abs, all, any, argmax"), "the tensors topic lists the methods")
    }

    @Test func engineErrorsCarryTheScriptLocation() throws {
        let bm = try interpreter()
        do {
            try bm.run(source: "let a = ones([2, 3])\nlet b = a @ ones([2, 3])\n", file: "shapes.bm")
            Issue.record("expected a shape error")
        } catch let error as ScriptError {
            #expect(error.description.hasPrefix(
                "shapes.bm:2:11: error: matmul: [2, 3] @ [2, 3]: inner dimensions 3 and 2 differ"))
            #expect(error.underlying is TensorError)
        }
    }

    @Test func indexAssignmentIsSeenThroughEveryName() throws {
        let bm = try interpreter()
        try bm.run(source: "let a = zeros([3])\nlet b = a\nb[1] = 5", file: "alias.bm")
        #expect(try bm.evaluate("a[1]") == .number(5))
    }
}
