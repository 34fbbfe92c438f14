// The bytecode verifier: a program runs only if every instruction's opcode and flags are known,
// every operand is in range and of the type the opcode table demands, every jump goes forward to
// an existing instruction, the code ends in `halt`, and every side table (constants, sets, rules,
// lists, counters, models, regex programs, thresholds) is well formed. Forward-only jumps to a final `halt` make
// evaluation terminate in at most `code.count` steps.

/// Why a program was rejected.
public struct VerificationError: Error, Equatable, CustomStringConvertible {
    public var message: String
    /// The offending instruction, when the problem is in the code.
    public var instruction: Int?

    public init(_ message: String, instruction: Int? = nil) { self.message = message; self.instruction = instruction }

    public var description: String {
        instruction.map { "invalid bytecode at instruction \($0): \(message)" } ?? "invalid bytecode: \(message)"
    }
}

enum Verifier {
    static let maxInstructions = 1 << 24

    static func verify(_ p: ProgramContents) throws(VerificationError) {
        let registers = p.registerTypes.count
        guard registers <= 65536 else { throw VerificationError("\(registers) registers (at most 65536)") }
        guard p.fields.count <= registers else { throw VerificationError("more fields than registers") }
        for (i, field) in p.fields.enumerated() {
            guard field.type != .network, p.registerTypes[i] == field.type else {
                throw VerificationError("field \(i) '\(field.name)' has type \(field.type) but register type \(p.registerTypes[i])")
            }
        }
        guard p.lazyRegisters.lowerBound >= p.fields.count, p.lazyRegisters.upperBound <= registers else {
            throw VerificationError("lazy register range \(p.lazyRegisters) outside the non-field registers")
        }
        guard p.constants.count <= 65536 else { throw VerificationError("\(p.constants.count) constants (at most 65536)") }
        for (i, k) in p.constants.enumerated() { try verifyConstant(k, i, p.constantBytes.count) }
        guard p.constantBytes.count <= Int(UInt32.max) else { throw VerificationError("constant bytes too large") }

        for (i, rule) in p.rules.enumerated() {
            if let basis = rule.rolloutBasisPoints, basis > 10000 { throw VerificationError("rule \(i): rollout above 100%") }
            if rule.kind == .score && rule.action != .none { throw VerificationError("rule \(i): a score has no action") }
            if rule.kind == .rule && rule.action == .none { throw VerificationError("rule \(i): a rule needs an action") }
        }
        for (i, set) in p.sets.enumerated() {
            guard set.elementType != .network, set.elements.count <= 65536 else { throw VerificationError("set \(i): bad element type or size") }
            for e in set.elements {
                guard Int(e) < p.constants.count, p.constants[Int(e)].tag == set.elementType.rawValue else {
                    throw VerificationError("set \(i): element \(e) is not a \(set.elementType) constant")
                }
            }
        }
        for (i, list) in p.lists.enumerated() where list.keyType != .string && list.keyType != .ip {
            throw VerificationError("list \(i): key type \(list.keyType) (string or ip)")
        }
        for (i, counter) in p.counters.enumerated() where counter.valueType != .int && counter.valueType != .double {
            throw VerificationError("counter \(i): value type \(counter.valueType) (int or double)")
        }
        for (i, read) in p.counterReads.enumerated() {
            guard Int(read.counter) < p.counters.count, read.windowSeconds > 0 else { throw VerificationError("counter read \(i): bad counter or window") }
        }
        for (i, batch) in p.counterBatches.enumerated() {
            guard batch.count >= 1, Int(batch.firstRead) + Int(batch.count) <= p.counterReads.count else {
                throw VerificationError("counter batch \(i): reads out of range")
            }
        }
        for (i, model) in p.models.enumerated() {
            guard model.arguments.count == model.features.count, model.arguments.count <= 4096 else {
                throw VerificationError("model \(i): \(model.arguments.count) argument registers for \(model.features.count) features")
            }
            for r in model.arguments {
                guard Int(r) < registers, [.bool, .int, .double].contains(p.registerTypes[Int(r)]) else {
                    throw VerificationError("model \(i): argument register \(r) is not a bool, int or double register")
                }
            }
        }
        guard p.regexes.count <= 65536 else { throw VerificationError("\(p.regexes.count) regexes (at most 65536)") }
        for (i, regex) in p.regexes.enumerated() {
            if let problem = regex.problem() { throw VerificationError("regex \(i): \(problem)") }
        }
        guard Set(p.precedence).count == p.precedence.count,
              p.precedence.allSatisfy({ $0 == .allow || $0 == .block || $0 == .review }) else {
            throw VerificationError("precedence must order distinct actions among allow, block, review")
        }
        guard p.thresholds.allSatisfy({ $0.action != .none }) else { throw VerificationError("a threshold needs an action") }
        guard p.thresholds.count <= ThresholdInfo.maximumCount else {
            throw VerificationError("more than \(ThresholdInfo.maximumCount) threshold clauses")
        }
        guard p.onError == .none || p.onError == .review || p.onError == .block else { throw VerificationError("on error must be review or block") }
        if let result = p.resultRegister, result < 0 || result >= registers { throw VerificationError("result register out of range") }

        guard !p.code.isEmpty, p.code.count <= maxInstructions else { throw VerificationError("code must have 1...\(maxInstructions) instructions") }
        guard p.code[p.code.count - 1].opcode == Opcode.halt.rawValue else { throw VerificationError("code must end in halt") }
        for pc in p.code.indices { try verifyInstruction(p, pc) }
    }

    private static func verifyConstant(_ k: Slot, _ i: Int, _ byteCount: Int) throws(VerificationError) {
        guard let type = ValueType(rawValue: k.tag), k.reserved == 0 else { throw VerificationError("constant \(i): bad tag \(k.tag)") }
        switch type {
        case .bool:
            guard k.bits <= 1, k.length == 0, k.aux == 0 else { throw VerificationError("constant \(i): bad bool") }
        case .int, .double:
            guard k.length == 0, k.aux == 0 else { throw VerificationError("constant \(i): bad number") }
        case .string, .ip, .network:
            guard k.bits <= UInt64(byteCount), UInt64(k.length) <= UInt64(byteCount) - k.bits else {
                throw VerificationError("constant \(i): bytes outside the constant area")
            }
            if type == .string && k.aux != 0 { throw VerificationError("constant \(i): bad string") }
            if type != .string {
                guard k.length == 4 || k.length == 16 else { throw VerificationError("constant \(i): an address has 4 or 16 bytes") }
                if type == .ip && k.aux != 0 { throw VerificationError("constant \(i): bad ip") }
                if type == .network && Int(k.aux) > Int(k.length) * 8 { throw VerificationError("constant \(i): prefix too long") }
            }
        }
    }

    private static func verifyInstruction(_ p: ProgramContents, _ pc: Int) throws(VerificationError) {
        let ins = p.code[pc]
        guard let op = Opcode(rawValue: ins.opcode) else { throw VerificationError("unknown opcode \(ins.opcode)", instruction: pc) }
        let info = op.info
        guard ins.flags & ~info.flags == 0 else { throw VerificationError("\(info.name): flags \(ins.flags) not allowed", instruction: pc) }
        func fail(_ message: String) -> VerificationError { VerificationError("\(info.name): \(message)", instruction: pc) }
        func registerType(_ r: UInt16) -> ValueType { p.registerTypes[Int(r)] }
        func check(_ operand: Operand, _ value: UInt16, _ name: String) throws(VerificationError) {
            let v = Int(value)
            switch operand {
            case .none:
                guard v == 0 else { throw fail("operand \(name) must be 0") }
            case .read(let type):
                guard v < p.registerTypes.count else { throw fail("register \(name)=\(v) out of range") }
                if let type, registerType(value) != type { throw fail("register \(name)=\(v) is \(registerType(value)), expected \(type)") }
            case .write(let type):
                guard v < p.registerTypes.count else { throw fail("register \(name)=\(v) out of range") }
                guard v >= p.fields.count else { throw fail("writes request field \(v)") }
                if let type, registerType(value) != type { throw fail("register \(name)=\(v) is \(registerType(value)), expected \(type)") }
            case .constant(let type):
                guard v < p.constants.count else { throw fail("constant \(name)=\(v) out of range") }
                if let type, p.constants[v].tag != type.rawValue { throw fail("constant \(name)=\(v) is not a \(type)") }
            case .jump:
                guard pc + 1 + v < p.code.count else { throw fail("jump past the end") }
            case .rule: guard v < p.rules.count else { throw fail("rule \(v) out of range") }
            case .set: guard v < p.sets.count else { throw fail("set \(v) out of range") }
            case .list: guard v < p.lists.count else { throw fail("list \(v) out of range") }
            case .counterBatch: guard v < p.counterBatches.count else { throw fail("counter batch \(v) out of range") }
            case .model: guard v < p.models.count else { throw fail("model \(v) out of range") }
            case .regex: guard v < p.regexes.count else { throw fail("regex \(v) out of range") }
            case .action: guard v >= 1 && v <= 4 else { throw fail("action \(v) out of range") }
            case .threshold:
                guard v < p.thresholds.count else { throw fail("threshold \(v) out of range") }
                guard p.thresholds[v].minimumScore == nil else { throw fail("threshold \(v) is decided by its minimum score") }
            }
        }
        try check(info.a, ins.a, "A")
        try check(info.b, ins.b, "B")
        try check(info.c, ins.c, "C")

        switch op {
        case .loadK:
            guard p.constants[Int(ins.b)].tag == registerType(ins.a).rawValue else { throw fail("constant type differs from the register's") }
        case .move:
            guard registerType(ins.a) == registerType(ins.b) else { throw fail("registers of different types") }
        case .testInSet, .inSet:
            let (key, set) = op == .inSet ? (ins.b, ins.c) : (ins.a, ins.b)
            guard registerType(key) == p.sets[Int(set)].elementType else { throw fail("key type differs from the set's") }
        case .testList, .list:
            let (key, list) = op == .list ? (ins.b, ins.c) : (ins.a, ins.b)
            guard registerType(key) == p.lists[Int(list)].keyType else { throw fail("key type differs from the list's") }
        case .counter:
            let batch = p.counterBatches[Int(ins.c)]
            for i in 0..<Int(batch.count) {
                let register = Int(ins.a) + i
                guard p.lazyRegisters.contains(register) else { throw fail("a counter cache must be a lazy register") }
                let counter = p.counters[Int(p.counterReads[Int(batch.firstRead) + i].counter)]
                guard p.registerTypes[register] == counter.valueType else { throw fail("register type differs from the counter's") }
            }
            guard registerType(ins.b) != .network else { throw fail("bad key type") }
        case .model:
            let next = Int(ins.a) + 1
            guard next < p.registerTypes.count, p.registerTypes[next] == .double else { throw fail("needs two double registers") }
        case .fire:
            guard p.rules[Int(ins.a)].rolloutBasisPoints == nil else { throw fail("a rollout rule needs fireRollout") }
        case .fireRollout:
            guard p.rules[Int(ins.a)].rolloutBasisPoints != nil else { throw fail("rule has no rollout") }
            guard registerType(ins.b) != .network else { throw fail("bad key type") }
        case .bucket:
            guard registerType(ins.b) != .network else { throw fail("bad key type") }
        default:
            break
        }
    }
}
