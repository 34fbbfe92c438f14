// An assembler for VM programs: registers, constants (deduplicated), labels for forward jumps,
// and the side tables (rules, sets, lists, counters, models). The compiler emits through it, and
// tests and tools build programs with it directly. `build()` lays registers out as the VM wants
// them (fields, then lazily computed registers, then temporaries) and runs the verifier.

/// A forward jump target.
public struct Label: Hashable, Sendable {
    let id: Int
}

/// Builds a `ProgramContents` and verifies it into a `Program`.
public struct ProgramBuilder {
    private var contents = ProgramContents()
    private var registerTypes: [ValueType] = []
    private var isLazy: [Bool] = []
    /// Constants by their exact encoding (not `Value` equality, under which 0.0 == -0.0 and
    /// canonically equivalent strings are equal although their bytes differ).
    private var constantIndex: [[UInt8]: UInt16] = [:]
    private var labelTargets: [Int?] = []
    /// Jumps to patch: the instruction, its target and whether the offset goes in operand B (else C).
    private var pendingJumps: [(instruction: Int, label: Label, inB: Bool)] = []

    public init(name: String = "", version: String = "") {
        contents.name = name
        contents.version = version
    }

    /// Number of instructions emitted so far.
    public var instructionCount: Int { contents.code.count }

    /// Declares the next request field (all fields must be declared before other registers).
    @discardableResult
    public mutating func addField(_ name: String, _ type: ValueType, caseInsensitive: Bool = false) -> UInt16 {
        contents.fields.append(FieldInfo(name: name, type: type, caseInsensitive: caseInsensitive))
        return addRegister(type)
    }

    /// A temporary register.
    public mutating func addRegister(_ type: ValueType) -> UInt16 {
        registerTypes.append(type)
        isLazy.append(false)
        return UInt16(truncatingIfNeeded: registerTypes.count - 1)
    }

    /// A register reset to "not computed" at each evaluation (let values, model outputs, counter reads).
    public mutating func addLazyRegister(_ type: ValueType) -> UInt16 {
        let r = addRegister(type)
        isLazy[Int(r)] = true
        return r
    }

    /// The constant-pool index of `value` (added once).
    public mutating func constant(_ value: Value) -> UInt16 {
        let key = ProgramBuilder.constantKey(value)
        if let index = constantIndex[key] { return index }
        let slot: Slot
        func bytes(_ b: [UInt8]) -> (UInt64, UInt32) {
            let offset = contents.constantBytes.count
            contents.constantBytes.append(contentsOf: b)
            return (UInt64(offset), UInt32(b.count))
        }
        switch value {
        case .missing: slot = .missing
        case .error(let kind): slot = .error(kind)
        case .bool(let b): slot = .bool(b)
        case .int(let i): slot = .int(i)
        case .double(let d): slot = .double(d)
        case .string(let s):
            let (o, n) = bytes(Array(s.utf8))
            slot = Slot(tag: Tag.string, bits: o, length: n)
        case .ip(let a):
            let (o, n) = bytes(a.bytes)
            slot = Slot(tag: Tag.ip, bits: o, length: n)
        case .network(let net):
            let (o, n) = bytes(net.address.bytes)
            slot = Slot(tag: Tag.network, bits: o, length: n, aux: UInt8(net.prefixLength))
        }
        let index = UInt16(truncatingIfNeeded: contents.constants.count)
        contents.constants.append(slot)
        constantIndex[key] = index
        return index
    }

    private static func constantKey(_ value: Value) -> [UInt8] {
        func word(_ x: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: x >> (8 * $0)) } }
        switch value {
        case .missing: return [0]
        case .error(let kind): return [1] + word(kind.rawValue)
        case .bool(let b): return [2, b ? 1 : 0]
        case .int(let i): return [3] + word(UInt64(bitPattern: i))
        case .double(let d): return [4] + word(d.bitPattern)
        case .string(let s): return [5] + Array(s.utf8)
        case .ip(let a): return [6] + a.bytes
        case .network(let n): return [7, UInt8(n.prefixLength)] + n.address.bytes
        }
    }

    public mutating func newLabel() -> Label {
        labelTargets.append(nil)
        return Label(id: labelTargets.count - 1)
    }

    /// Binds `label` to the next instruction emitted.
    public mutating func bind(_ label: Label) {
        labelTargets[label.id] = contents.code.count
    }

    public mutating func emit(_ instruction: Instruction) {
        contents.code.append(instruction)
    }

    public mutating func emit(_ op: Opcode, a: UInt16 = 0, b: UInt16 = 0, c: UInt16 = 0, flags: UInt8 = 0) {
        contents.code.append(Instruction(op, a: a, b: b, c: c, flags: flags))
    }

    /// Emits an instruction whose C operand is a jump to `label` (patched when the label is bound).
    public mutating func emit(_ op: Opcode, a: UInt16 = 0, b: UInt16 = 0, flags: UInt8 = 0, jumpTo label: Label) {
        pendingJumps.append((contents.code.count, label, false))
        contents.code.append(Instruction(op, a: a, b: b, c: 0, flags: flags))
    }

    /// Emits an instruction whose B and C operands are jumps to `jumpB` and `jumpC`.
    public mutating func emit(_ op: Opcode, a: UInt16 = 0, jumpB: Label, jumpC: Label) {
        pendingJumps.append((contents.code.count, jumpB, true))
        pendingJumps.append((contents.code.count, jumpC, false))
        contents.code.append(Instruction(op, a: a))
    }

    @discardableResult
    public mutating func addRule(_ rule: RuleInfo) -> UInt16 {
        contents.rules.append(rule)
        return UInt16(truncatingIfNeeded: contents.rules.count - 1)
    }

    /// A constant set of `elements` (their constants are added).
    /// Adds a compiled regex (deduplicated by program) and returns its index for `matches`.
    public mutating func addRegex(_ regex: RegexProgram) -> UInt16 {
        if let i = contents.regexes.firstIndex(of: regex) { return UInt16(i) }
        contents.regexes.append(regex)
        return UInt16(truncatingIfNeeded: contents.regexes.count - 1)
    }

    public mutating func addSet(_ elements: [Value], type: ValueType, caseInsensitive: Bool = false) -> UInt16 {
        let indices = elements.map { constant($0) }
        contents.sets.append(ConstantSetInfo(elementType: type, caseInsensitive: caseInsensitive, elements: indices))
        return UInt16(truncatingIfNeeded: contents.sets.count - 1)
    }

    public mutating func addList(_ list: ListInfo) -> UInt16 {
        contents.lists.append(list)
        return UInt16(truncatingIfNeeded: contents.lists.count - 1)
    }

    public mutating func addCounter(_ counter: CounterInfo) -> UInt16 {
        contents.counters.append(counter)
        return UInt16(truncatingIfNeeded: contents.counters.count - 1)
    }

    public mutating func addCounterRead(_ read: CounterReadInfo) -> UInt16 {
        if let i = contents.counterReads.firstIndex(of: read) { return UInt16(i) }
        contents.counterReads.append(read)
        return UInt16(truncatingIfNeeded: contents.counterReads.count - 1)
    }

    /// A batch of the counter reads `firstRead ..< firstRead + count` (one `counter` instruction).
    public mutating func addCounterBatch(firstRead: UInt16, count: UInt16) -> UInt16 {
        contents.counterBatches.append(CounterBatchInfo(firstRead: firstRead, count: count))
        return UInt16(truncatingIfNeeded: contents.counterBatches.count - 1)
    }

    public mutating func addModel(_ model: ModelInfo) -> UInt16 {
        contents.models.append(model)
        return UInt16(truncatingIfNeeded: contents.models.count - 1)
    }

    public mutating func setPrecedence(_ actions: [VerdictAction]) { contents.precedence = actions }
    public mutating func addThreshold(_ threshold: ThresholdInfo) { contents.thresholds.append(threshold) }
    public mutating func setOnError(_ action: VerdictAction) { contents.onError = action }
    public mutating func setResultRegister(_ register: UInt16) { contents.resultRegister = Int(register) }

    /// Patches jumps, lays out registers (fields, lazy, temporaries) and returns the contents.
    public func finish() throws(VerificationError) -> ProgramContents {
        var p = contents
        for (instruction, label, inB) in pendingJumps {
            guard let target = labelTargets[label.id] else { throw VerificationError("unbound label", instruction: instruction) }
            let offset = target - instruction - 1
            guard offset >= 0, offset <= Int(UInt16.max) else { throw VerificationError("jump offset \(offset) out of range", instruction: instruction) }
            if inB { p.code[instruction].b = UInt16(offset) } else { p.code[instruction].c = UInt16(offset) }
        }
        guard registerTypes.count <= 65536 else { throw VerificationError("\(registerTypes.count) registers (at most 65536)") }
        // New numbering: fields keep theirs, lazy registers follow, then the rest (order kept).
        let fieldCount = p.fields.count
        var map = Array(0..<registerTypes.count)
        var next = fieldCount
        for r in fieldCount..<registerTypes.count where isLazy[r] { map[r] = next; next += 1 }
        let lazyEnd = next
        for r in fieldCount..<registerTypes.count where !isLazy[r] { map[r] = next; next += 1 }
        p.registerTypes = registerTypes
        for r in 0..<registerTypes.count { p.registerTypes[map[r]] = registerTypes[r] }
        p.lazyRegisters = fieldCount..<lazyEnd
        func remap(_ operand: Operand, _ value: inout UInt16) {
            switch operand {
            case .read, .write:
                if Int(value) < map.count { value = UInt16(map[Int(value)]) }
            default: break
            }
        }
        for i in p.code.indices {
            guard let op = Opcode(rawValue: p.code[i].opcode) else { continue }
            let info = op.info
            remap(info.a, &p.code[i].a)
            remap(info.b, &p.code[i].b)
            remap(info.c, &p.code[i].c)
        }
        for m in p.models.indices {
            p.models[m].arguments = p.models[m].arguments.map { Int($0) < map.count ? UInt16(map[Int($0)]) : $0 }
        }
        if let result = p.resultRegister, result < map.count { p.resultRegister = map[result] }
        return p
    }

    /// `finish()` then verification.
    public func build() throws(VerificationError) -> Program {
        try Program(finish())
    }
}
