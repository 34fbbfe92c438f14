// `verdict disasm`: readable listings of programs and of the opcode table itself (docs/vm.md is
// generated from `opcodeTable()`). Operands are printed by their kind from the opcode table:
// registers by field name or number, constants with their value, jumps with their target, rules,
// sets, lists, counters and models by name.

public enum Disassembler {
    /// A listing of a program: header, fields, side tables, then one line per instruction.
    public static func listing(_ p: ProgramContents) -> String {
        var out: [String] = []
        out.append("; ruleset \(p.name.isEmpty ? "-" : p.name) version \(p.version.isEmpty ? "-" : "\"\(p.version)\"")")
        out.append("; \(p.code.count) instructions, \(p.registerTypes.count) registers (\(p.fields.count) fields, lazy \(p.lazyRegisters)), \(p.constants.count) constants, \(p.rules.count) rules")
        if !p.precedence.isEmpty { out.append("; precedence \(p.precedence.map(\.description).joined(separator: " > "))") }
        for (i, t) in p.thresholds.enumerated() {
            out.append("; threshold \(i): \(t.action) if " + (t.minimumScore.map { "score >= \($0)" } ?? "holdThreshold \(i)"))
        }
        if p.onError != .none { out.append("; on error \(p.onError)") }
        for (i, f) in p.fields.enumerated() { out.append(";   r\(i) = field \(f.name) \(f.type)\(f.caseInsensitive ? " ci" : "")") }
        for (i, r) in p.rules.enumerated() {
            var line = ";   rule \(i) \(r.name): " + (r.kind == .score ? "score \(r.points > 0 ? "+" : "")\(r.points)" : r.action.description)
            if r.shadow { line += " shadow" }
            if let basis = r.rolloutBasisPoints { line += " rollout \(Double(basis) / 100)%" }
            out.append(line)
        }
        for (i, s) in p.sets.enumerated() {
            let elements = s.elements.map { constantText(p, Int($0)) }.joined(separator: ", ")
            out.append(";   set \(i) \(s.elementType)\(s.caseInsensitive ? " ci" : ""): [\(elements)]")
        }
        for (i, m) in p.models.enumerated() {
            out.append(";   model \(i) \(m.name): " + zip(m.features, m.arguments).map { "\($0)=r\($1)" }.joined(separator: " "))
        }
        if let result = p.resultRegister { out.append("; result r\(result)") }
        for (pc, ins) in p.code.enumerated() {
            out.append(instructionText(p, pc, ins))
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// One instruction: `0012  testGtDK     amount_usd, 1000.0, ->0015`.
    public static func instructionText(_ p: ProgramContents, _ pc: Int, _ ins: Instruction) -> String {
        let number = String(pc).leftPadded(4)
        guard let op = Opcode(rawValue: ins.opcode) else { return "\(number)  <bad opcode \(ins.opcode)>" }
        let info = op.info
        var operands: [String] = []
        for (operand, value) in [(info.a, ins.a), (info.b, ins.b), (info.c, ins.c)] {
            let v = Int(value)
            switch operand {
            case .none: continue
            case .read, .write: operands.append(v < p.fields.count ? p.fields[v].name : "r\(v)")
            case .constant: operands.append(constantText(p, v))
            case .jump: operands.append("->\(String(pc + 1 + v).leftPadded(4, with: "0"))")
            case .rule: operands.append(v < p.rules.count ? "rule \(p.rules[v].name)" : "rule #\(v)")
            case .set: operands.append("set \(v)")
            case .list: operands.append(v < p.lists.count ? "@\(p.lists[v].name)" : "list #\(v)")
            case .counterBatch:
                if v < p.counterBatches.count {
                    let batch = p.counterBatches[v]
                    let reads = (Int(batch.firstRead)..<Int(batch.firstRead) + Int(batch.count)).map { i -> String in
                        guard i < p.counterReads.count, Int(p.counterReads[i].counter) < p.counters.count else { return "#\(i)" }
                        return "\(p.counters[Int(p.counterReads[i].counter)].name)(\(p.counterReads[i].windowSeconds)s)"
                    }
                    operands.append(reads.joined(separator: " "))
                } else { operands.append("counter batch #\(v)") }
            case .model: operands.append(v < p.models.count ? "model \(p.models[v].name)" : "model #\(v)")
            case .regex: operands.append(v < p.regexes.count ? "regex \(Value.string(p.regexes[v].pattern))" : "regex #\(v)")
            case .threshold: operands.append("threshold \(v)")
            case .action: operands.append(VerdictAction(rawValue: UInt8(truncatingIfNeeded: v))?.description ?? "action #\(v)")
            }
        }
        var flags: [String] = []
        if ins.flags & InstructionFlag.negate != 0 { flags.append("not") }
        if ins.flags & InstructionFlag.caseInsensitive != 0 { flags.append("ci") }
        let text = "\(number)  \(info.name.rightPadded(18)) \(operands.joined(separator: ", "))"
        return flags.isEmpty ? text : text + "  [\(flags.joined(separator: " "))]"
    }

    static func constantText(_ p: ProgramContents, _ index: Int) -> String {
        guard index < p.constants.count else { return "k#\(index)" }
        let k = p.constants[index]
        let value = p.constantBytes.withUnsafeBufferPointer { buffer -> Value in
            guard k.tag < Tag.string || (k.bits <= UInt64(buffer.count) && UInt64(k.length) <= UInt64(buffer.count) - k.bits),
                  let base = buffer.baseAddress ?? UnsafePointer(bitPattern: 1) else { return .error(.badOperand) }
            return Request.read(k, arena: base)
        }
        return value.description
    }

    /// The opcode table as a Markdown table (docs/vm.md).
    public static func opcodeTable() -> String {
        var out = ["| # | opcode | A | B | C | flags | semantics |", "|---:|---|---|---|---|---|---|"]
        for op in Opcode.allCases {
            let info = op.info
            var flags: [String] = []
            if info.flags & InstructionFlag.negate != 0 { flags.append("not") }
            if info.flags & InstructionFlag.caseInsensitive != 0 { flags.append("ci") }
            out.append("| \(op.rawValue) | `\(info.name)` | \(operandText(info.a)) | \(operandText(info.b)) | \(operandText(info.c)) | \(flags.joined(separator: " ")) | \(info.semantics.replacingPipes()) |")
        }
        return out.joined(separator: "\n") + "\n"
    }

    static func operandText(_ operand: Operand) -> String {
        switch operand {
        case .none: return ""
        case .read(let t): return "R" + (t.map { ":\($0)" } ?? "")
        case .write(let t): return "R!" + (t.map { ":\($0)" } ?? "")
        case .constant(let t): return "K" + (t.map { ":\($0)" } ?? "")
        case .jump: return "J"
        case .rule: return "rule"
        case .set: return "set"
        case .list: return "list"
        case .counterBatch: return "counters"
        case .model: return "model"
        case .regex: return "regex"
        case .threshold: return "threshold"
        case .action: return "action"
        }
    }
}

extension String {
    func leftPadded(_ width: Int, with pad: Character = " ") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
    func rightPadded(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
    func replacingPipes() -> String {
        var out = ""
        for c in self { if c == "|" { out += "\\|" } else { out.append(c) } }
        return out
    }
}
