// docs/vm.md ends with the opcode table generated from Opcode.swift: this test fails when an
// opcode changes without regenerating it (`verdict disasm --opcodes`).
import XCTest
import VerdictVM

final class OpcodeTableDocTests: XCTestCase {
    func testDocsOpcodeTableIsGeneratedFromTheTable() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let docs = try String(contentsOf: root.appendingPathComponent("docs/vm.md"), encoding: .utf8)
        XCTAssertTrue(docs.hasSuffix(Disassembler.opcodeTable()), "regenerate docs/vm.md's table with `verdict disasm --opcodes`")
    }

    func testEveryOpcodeHasADistinctName() {
        let names = Opcode.allCases.map(\.info.name)
        XCTAssertEqual(Set(names).count, names.count)
        XCTAssertEqual(zip(Opcode.allCases, names).filter { "\($0.0)" != $0.1 }.map(\.1), [], "table names match the cases")
    }
}
