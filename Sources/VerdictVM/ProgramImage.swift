// The flat, pointer-addressed form of a verified program that the interpreter reads: code,
// constants, per-rule runtime records, the precomputed hash tables of constant sets, counter-read
// and model specs, the regex programs laid end to end. Built once per program (after verification) and freed with it; nothing in it
// is reference counted, so the interpreter loop touches no ARC-managed memory.

/// Per-rule data the `fire` opcodes need (16 bytes).
@frozen
public struct RuleRuntime {
    var action: UInt8
    var flags: UInt8
    var basisPoints: UInt16
    var reserved: UInt32
    var points: Int64

    static let shadow: UInt8 = 1
    static let score: UInt8 = 2
    static let enforceable: UInt8 = 4
    static let rollout: UInt8 = 8
}

/// Header of one constant set's open-addressing table in `ProgramImage.setEntries`.
@frozen
public struct SetHeader {
    var start: Int32
    var mask: Int32
    /// 0 = compare bytes (string, ip), 1 = compare the 64-bit payload (int, double, bool).
    var byBits: UInt8
    var caseInsensitive: UInt8
    /// 1 = every element is in its home slot (no probe chains): a lookup reads one slot.
    var direct: UInt8
    var reserved: UInt8
}

/// One slot of a constant set's table: the element's hash, constant index (-1 = empty) and, for
/// byte sets, byte length.
@frozen
public struct SetEntry {
    var hash: UInt64
    var constant: Int32
    var length: Int32
}

/// Where one counter batch lies in `ProgramImage.readCounters` / `readWindows` / `readIsDouble`.
@frozen
public struct CounterBatchRuntime {
    var first: Int32
    var count: Int32
}

/// Where one regex program lies in `ProgramImage.regexCode` / `regexRanges`.
@frozen
public struct RegexRuntime {
    var codeStart: Int32
    var count: Int32
    var rangeStart: Int32
}

@frozen
public struct ModelRuntime {
    var argumentStart: Int32
    var argumentCount: Int32
}

/// Owns raw copies of a program's tables for the interpreter.
final class ProgramImage {
    /// Fast mode's code: the program's code as verified.
    let code: UnsafeMutablePointer<Instruction>
    /// Trace mode's code: `code` without its fast-mode stops (see `traceCode(_:)`).
    let traceCode: UnsafeMutablePointer<Instruction>
    let constants: UnsafeMutablePointer<Slot>
    let constantBytes: UnsafeMutablePointer<UInt8>
    let constantByteCount: Int
    let rules: UnsafeMutablePointer<RuleRuntime>
    let setHeaders: UnsafeMutablePointer<SetHeader>
    let setEntries: UnsafeMutablePointer<SetEntry>
    /// Per counter read: the counter index and window (passed to the host as arrays, a batch at a
    /// time) and whether the counter's value is a double (else an int).
    let readCounters: UnsafeMutablePointer<Int32>
    let readWindows: UnsafeMutablePointer<Int64>
    let readIsDouble: UnsafeMutablePointer<UInt8>
    let counterBatches: UnsafeMutablePointer<CounterBatchRuntime>
    let models: UnsafeMutablePointer<ModelRuntime>
    let modelArguments: UnsafeMutablePointer<UInt16>
    let regexes: UnsafeMutablePointer<RegexRuntime>
    let regexCode: UnsafeMutablePointer<RegexInstruction>
    let regexRanges: UnsafeMutablePointer<RegexRange>
    /// Instructions of the largest regex (sizes the request's matcher scratch).
    let maxRegexInstructions: Int
    let precedence: UnsafeMutablePointer<VerdictAction>
    let precedenceCount: Int
    let thresholds: UnsafeMutablePointer<ThresholdInfo>
    let thresholdCount: Int
    let lazyRegisters: Range<Int>
    let registerCount: Int
    let ruleCount: Int
    /// Doubles a host call writes at most (a model's two outputs, a counter batch's reads).
    let hostOutputs: Int
    private var allocations: [UnsafeMutableRawPointer] = []

    init(_ p: ProgramContents) {
        func copy<T>(_ array: [T], minimum: Int = 1) -> UnsafeMutablePointer<T> {
            let ptr = UnsafeMutablePointer<T>.allocate(capacity: max(array.count, minimum))
            if !array.isEmpty { ptr.initialize(from: array, count: array.count) }
            return ptr
        }
        code = copy(p.code)
        traceCode = copy(ProgramImage.traceCode(p.code))
        constants = copy(p.constants)
        constantBytes = copy(p.constantBytes)
        constantByteCount = p.constantBytes.count
        rules = copy(p.rules.map { r in
            var flags: UInt8 = 0
            if r.shadow { flags |= RuleRuntime.shadow }
            if r.kind == .score { flags |= RuleRuntime.score }
            if r.isEnforceable { flags |= RuleRuntime.enforceable }
            if r.rolloutBasisPoints != nil { flags |= RuleRuntime.rollout }
            return RuleRuntime(action: r.action.rawValue, flags: flags, basisPoints: r.rolloutBasisPoints ?? 10000,
                               reserved: 0, points: r.points)
        })
        var headers: [SetHeader] = []
        var entries: [SetEntry] = []
        for set in p.sets {
            let byBits = !(set.elementType == .string || set.elementType == .ip)
            let hashes: [(element: UInt16, hash: UInt64)] = set.elements.compactMap { element in
                let slot = p.constants[Int(element)]
                if byBits {
                    guard let bits = ByteOps.setBits(slot) else { return nil }
                    return (element, ByteOps.hashBits(bits))
                }
                return (element, p.constantBytes.withUnsafeBufferPointer {
                    ByteOps.hashBytes($0.baseAddress! + slot.offset, Int(slot.length), caseInsensitive: set.caseInsensitive)
                })
            }
            var capacity = 4
            while capacity < hashes.count * 2 { capacity *= 2 }
            // Direct-mapped when a table of up to 64 slots per element gives every element its own
            // home slot: a lookup then reads one slot (a miss does not walk a probe chain).
            var direct = false
            var size = capacity
            while size <= max(64 * hashes.count, 4) && size <= 4096 {
                if Set(hashes.map { Int(truncatingIfNeeded: $0.hash) & (size - 1) }).count == hashes.count {
                    direct = true; capacity = size; break
                }
                size *= 2
            }
            let start = entries.count
            entries.append(contentsOf: repeatElement(SetEntry(hash: 0, constant: -1, length: -1), count: capacity))
            for (element, hash) in hashes {
                var i = Int(truncatingIfNeeded: hash) & (capacity - 1)
                while entries[start + i].constant >= 0 { i = (i + 1) & (capacity - 1) }
                entries[start + i] = SetEntry(hash: hash, constant: Int32(element), length: Int32(p.constants[Int(element)].length))
            }
            headers.append(SetHeader(start: Int32(start), mask: Int32(capacity - 1), byBits: byBits ? 1 : 0,
                                     caseInsensitive: set.caseInsensitive ? 1 : 0, direct: direct ? 1 : 0, reserved: 0))
        }
        setHeaders = copy(headers)
        setEntries = copy(entries)
        readCounters = copy(p.counterReads.map { Int32($0.counter) })
        readWindows = copy(p.counterReads.map(\.windowSeconds))
        readIsDouble = copy(p.counterReads.map { p.counters[Int($0.counter)].valueType == .double ? 1 : 0 })
        counterBatches = copy(p.counterBatches.map { CounterBatchRuntime(first: Int32($0.firstRead), count: Int32($0.count)) })
        var arguments: [UInt16] = []
        models = copy(p.models.map { m in
            defer { arguments.append(contentsOf: m.arguments) }
            return ModelRuntime(argumentStart: Int32(arguments.count), argumentCount: Int32(m.arguments.count))
        })
        modelArguments = copy(arguments)
        var regexCodeAll: [RegexInstruction] = [], regexRangesAll: [RegexRange] = []
        regexes = copy(p.regexes.map { r in
            defer { regexCodeAll += r.instructions; regexRangesAll += r.ranges }
            return RegexRuntime(codeStart: Int32(regexCodeAll.count), count: Int32(r.instructions.count),
                                rangeStart: Int32(regexRangesAll.count))
        })
        regexCode = copy(regexCodeAll)
        regexRanges = copy(regexRangesAll)
        maxRegexInstructions = p.regexes.map(\.instructions.count).max() ?? 0
        precedence = copy(p.precedence)
        precedenceCount = p.precedence.count
        thresholds = copy(p.thresholds)
        thresholdCount = p.thresholds.count
        lazyRegisters = p.lazyRegisters
        registerCount = p.registerTypes.count
        ruleCount = p.rules.count
        hostOutputs = max(2, p.counterBatches.map { Int($0.count) }.max() ?? 0)
        allocations = [UnsafeMutableRawPointer(code), UnsafeMutableRawPointer(traceCode), UnsafeMutableRawPointer(constants), UnsafeMutableRawPointer(constantBytes),
                       UnsafeMutableRawPointer(rules), UnsafeMutableRawPointer(setHeaders), UnsafeMutableRawPointer(setEntries),
                       UnsafeMutableRawPointer(readCounters), UnsafeMutableRawPointer(readWindows),
                       UnsafeMutableRawPointer(readIsDouble), UnsafeMutableRawPointer(counterBatches), UnsafeMutableRawPointer(models), UnsafeMutableRawPointer(modelArguments),
                       UnsafeMutableRawPointer(regexes), UnsafeMutableRawPointer(regexCode), UnsafeMutableRawPointer(regexRanges),
                       UnsafeMutableRawPointer(precedence), UnsafeMutableRawPointer(thresholds)]
    }

    /// Verified code with its `fastExitIfDecided` and `fastStop` removed and every jump re-targeted
    /// (a jump to a removed instruction lands on the next kept one). Those two only stop a fast-mode
    /// evaluation and do nothing when tracing, so trace mode runs this and saves their dispatches;
    /// it is valid code of the same opcode table (the tests verify it).
    static func traceCode(_ code: [Instruction]) -> [Instruction] {
        func fastOnly(_ ins: Instruction) -> Bool {
            ins.opcode == Opcode.fastExitIfDecided.rawValue || ins.opcode == Opcode.fastStop.rawValue
        }
        // newIndex[i]: the trace-code index of instruction i, or of the next kept one if i is removed.
        var newIndex = [Int](repeating: 0, count: code.count + 1)
        var kept = 0
        for (i, ins) in code.enumerated() {
            newIndex[i] = kept
            if !fastOnly(ins) { kept += 1 }
        }
        newIndex[code.count] = kept
        var trace: [Instruction] = []
        trace.reserveCapacity(kept)
        for (i, ins) in code.enumerated() where !fastOnly(ins) {
            var moved = ins
            if let op = Opcode(rawValue: ins.opcode) {
                // Verified: the target i + 1 + offset is within the code; removals only shorten a jump.
                func retarget(_ offset: UInt16) -> UInt16 {
                    UInt16(truncatingIfNeeded: newIndex[i + 1 + Int(offset)] - newIndex[i] - 1)
                }
                let info = op.info
                if info.b == .jump { moved.b = retarget(ins.b) }
                if info.c == .jump { moved.c = retarget(ins.c) }
            }
            trace.append(moved)
        }
        return trace
    }

    deinit {
        for pointer in allocations { pointer.deallocate() }
    }
}
