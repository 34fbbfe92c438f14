// Unit tests of the text-format reader and the SimpleTest decoding used by the conformance runner.
import Testing

@Test func textprotoReadsNestedMessagesWithAndWithoutColons() throws {
    let message = try TextprotoParser.parse("""
        # comment
        name: "f"
        section { name: "s" test: { name: 't1', expr: "1" } test < name: "t2" expr: '2' > }
        section: { name: "s2" }
        """)
    #expect(message.string("name") == "f")
    let sections = message.all("section")
    #expect(sections.count == 2)
    guard case .message(let first) = sections[0] else { Issue.record("section is not a message"); return }
    #expect(first.all("test").count == 2)
}

@Test func textprotoDecodesEscapesAndConcatenatesAdjacentStrings() throws {
    let message = try TextprotoParser.parse(#"a: "\303\277" b: "x\ty" 'z\'' c: "\u270c\U0001F431" d: "\x00\xff""#)
    #expect(message.string("a") == "ÿ")
    #expect(message.string("b") == "x\tyz'")
    #expect(message.string("c") == "✌🐱")
    #expect(message.first("d") == .string([0x00, 0xFF]))
}

@Test func textprotoRejectsUnterminatedInput() {
    #expect(throws: TextprotoError.self) { try TextprotoParser.parse("a { b: 1") }
    #expect(throws: TextprotoError.self) { try TextprotoParser.parse("a: \"open") }
}

@Test func simpleTestDecodingCoversValuesErrorsAndBindings() throws {
    let file = try ConformanceFile(parsing: """
        name: "demo"
        section {
          name: "s"
          test { name: "default_true" expr: "true" }
          test { name: "list" expr: "[1, 2.5]" value: { list_value { values: { int64_value: 1 } values: { double_value: 2.5 } } } }
          test { name: "err" expr: "1/0" eval_error: { errors: { message: "divide by zero" } } }
          test {
            name: "bound" expr: "x" disable_check: true
            type_env: { name: "x", ident: { type: { primitive: INT64 } } }
            bindings: { key: "x" value: { value: { int64_value: 123 } } }
            value: { int64_value: 123 }
          }
          test { name: "inf" expr: "1.0/0.0" value: { double_value: -inf } }
        }
        """, fileName: "demo")
    #expect(file.cases.map(\.id) == ["demo/s/default_true", "demo/s/list", "demo/s/err", "demo/s/bound", "demo/s/inf"])
    #expect(file.cases[0].expectation == .value(.bool(true)))
    #expect(file.cases[1].expectation == .value(.list([.int(1), .double(2.5)])))
    #expect(file.cases[2].expectation == .error(["divide by zero"]))
    #expect(file.cases[3].disableCheck)
    #expect(file.cases[3].declarations == [CELDeclaration(name: "x", type: "INT64")])
    #expect(file.cases[3].bindings == ["x": .int(123)])
    #expect(file.cases[4].expectation == .value(.double(-.infinity)))
}
