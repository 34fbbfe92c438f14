// The one table of VM opcodes (Lua `lopcodes.h` style): every opcode with its operand kinds, the
// flags it accepts and a one-line semantics comment. The interpreter (Interpreter.swift) implements
// exactly these cases, the verifier checks operands against `info.operands`, and the disassembler
// and docs/vm.md (`verdict disasm --opcodes`) print from this table.
//
// Notation: R[x] register x, K[x] constant x, `pc += C` (or `pc += B`, e.g. `branchBool`) a forward
// jump relative to the next instruction. "truth" is the 4-valued result true/false/missing/error. Test ops (`test*`) are fused
// compare-and-branch superinstructions of a conjunction: on true they fall through; on false they
// clear the accumulator and jump (false absorbs, LANGUAGE.md §4); on missing or error they record
// it in the accumulator and fall through. Flag `negate` inverts a true/false outcome; flag `ci`
// makes string equality ASCII case-insensitive.

/// What an operand of an instruction designates; the verifier checks each one.
public enum Operand: Sendable, Equatable {
    case none
    /// A register that is read; `nil` = any type (checked against another operand when it matters).
    case read(ValueType?)
    /// A register that is written (never a request field); `nil` = type fixed by another operand.
    case write(ValueType?)
    /// A constant-pool index of that type (`nil` = any).
    case constant(ValueType?)
    /// A forward jump offset.
    case jump
    /// Index into the program's rules, constant sets, lists, counter batches or models.
    case rule, set, list, counterBatch, model
    /// Index into the program's compiled regexes.
    case regex
    /// Index into the program's threshold clauses (one decided by the program).
    case threshold
    /// An action code (`VerdictAction.rawValue` of allow/block/review/challenge).
    case action
}

/// Instruction flag bits (`Instruction.flags`).
public enum InstructionFlag {
    /// Invert a test's true/false outcome (missing and error stay as they are).
    public static let negate: UInt8 = 1
    /// Compare strings ASCII case-insensitively (fields declared `ci`).
    public static let caseInsensitive: UInt8 = 2
}

/// The static description of one opcode.
public struct OpcodeInfo: Sendable {
    public let name: String
    public let a: Operand
    public let b: Operand
    public let c: Operand
    /// Flag bits this opcode accepts; the verifier rejects any other.
    public let flags: UInt8
    public let semantics: String

    init(_ name: String, _ a: Operand, _ b: Operand, _ c: Operand, flags: UInt8 = 0, _ semantics: String) {
        self.name = name; self.a = a; self.b = b; self.c = c; self.flags = flags; self.semantics = semantics
    }
}

/// Every VM instruction. Raw values are the encoded opcode byte; never reorder (append only and bump
/// `BytecodeFormat.version`).
public enum Opcode: UInt8, CaseIterable, Sendable {
    // control and the decision procedure
    case halt, jump, lazyGuard, fastExitIfDecided, fastStop, fire, fireRollout
    // fused compare-and-branch tests of a conjunction
    case testTrue
    case testLtI, testLeI, testGtI, testGeI, testEqI, testNeI
    case testLtIK, testLeIK, testGtIK, testGeIK, testEqIK, testNeIK
    case testLtD, testLeD, testGtD, testGeD, testEqD, testNeD
    case testLtDK, testLeDK, testGtDK, testGeDK, testEqDK, testNeDK
    case testEqS, testNeS, testEqSK, testNeSK
    case testInSet, testList, testStartsWithK, testEndsWithK, testContainsK
    // loads
    case loadK, move
    // comparisons into a bool register
    case ltI, leI, gtI, geI, eqI, neI
    case ltIK, leIK, gtIK, geIK, eqIK, neIK
    case ltD, leD, gtD, geD, eqD, neD
    case ltDK, leDK, gtDK, geDK, eqDK, neDK
    case ltID, leID, gtID, geID, eqID, neID
    case ltS, leS, gtS, geS, eqS, neS, eqSK, neSK
    case eqB, neB, eqIP, neIP
    // arithmetic
    case addI, subI, mulI, divI, remI, negI, addIK, subIK, mulIK
    case addD, subD, mulD, divD, negD
    // logic (absorbing and/or), short-circuit jumps, presence
    case not, and, or, jumpIfFalse, jumpIfTrue, jumpIfNotBool, isMissing, has
    // strings
    case size, concat, lower, upper, startsWith, endsWith, contains, like, domain
    // conversions and math
    case intOfD, intOfS, doubleOfI, doubleOfS, stringOfI, stringOfD, stringOfB, stringOfIP
    case absI, absD, minI, maxI, minD, maxD, bucket
    // sets, ip networks, and the host (lists, counters, models)
    case inSet, cidr, list, counter, model
    // regular expressions (appended: raw values above are unchanged)
    case matches
    // threshold clauses with a general condition (appended)
    case loadScore, holdThreshold
    // the three-way guard of a shared-let block (appended)
    case branchBool

    /// The opcode's row of the table.
    public var info: OpcodeInfo {
        switch self {
        case .halt: return OpcodeInfo("halt", .none, .none, .none, "stop evaluation")
        case .jump: return OpcodeInfo("jump", .none, .none, .jump, "pc += C")
        case .lazyGuard: return OpcodeInfo("lazyGuard", .read(nil), .none, .jump, "if R[A] was computed in this evaluation: pc += C (let and model caches)")
        case .fastExitIfDecided: return OpcodeInfo("fastExitIfDecided", .action, .none, .none, "fast mode: stop if a rule with action A decided (nothing later can change the verdict)")
        case .fastStop: return OpcodeInfo("fastStop", .none, .none, .none, "fast mode: stop (what follows is evaluated only when tracing: shadow rules)")
        case .fire: return OpcodeInfo("fire", .rule, .none, .none, "end of rule A's condition: accumulator clear => fired; else record missing/error; clear the accumulator")
        case .fireRollout: return OpcodeInfo("fireRollout", .rule, .read(nil), .none, "fire, enforced only if bucket(R[B], 10000) < rule A's rollout basis points")
        case .testTrue: return OpcodeInfo("testTrue", .read(.bool), .none, .jump, flags: InstructionFlag.negate, "test R[A]")
        case .testLtI: return OpcodeInfo("testLtI", .read(.int), .read(.int), .jump, flags: InstructionFlag.negate, "test R[A] < R[B]")
        case .testLeI: return OpcodeInfo("testLeI", .read(.int), .read(.int), .jump, flags: InstructionFlag.negate, "test R[A] <= R[B]")
        case .testGtI: return OpcodeInfo("testGtI", .read(.int), .read(.int), .jump, flags: InstructionFlag.negate, "test R[A] > R[B]")
        case .testGeI: return OpcodeInfo("testGeI", .read(.int), .read(.int), .jump, flags: InstructionFlag.negate, "test R[A] >= R[B]")
        case .testEqI: return OpcodeInfo("testEqI", .read(.int), .read(.int), .jump, flags: InstructionFlag.negate, "test R[A] == R[B]")
        case .testNeI: return OpcodeInfo("testNeI", .read(.int), .read(.int), .jump, flags: InstructionFlag.negate, "test R[A] != R[B]")
        case .testLtIK: return OpcodeInfo("testLtIK", .read(.int), .constant(.int), .jump, flags: InstructionFlag.negate, "test R[A] < K[B]")
        case .testLeIK: return OpcodeInfo("testLeIK", .read(.int), .constant(.int), .jump, flags: InstructionFlag.negate, "test R[A] <= K[B]")
        case .testGtIK: return OpcodeInfo("testGtIK", .read(.int), .constant(.int), .jump, flags: InstructionFlag.negate, "test R[A] > K[B]")
        case .testGeIK: return OpcodeInfo("testGeIK", .read(.int), .constant(.int), .jump, flags: InstructionFlag.negate, "test R[A] >= K[B]")
        case .testEqIK: return OpcodeInfo("testEqIK", .read(.int), .constant(.int), .jump, flags: InstructionFlag.negate, "test R[A] == K[B]")
        case .testNeIK: return OpcodeInfo("testNeIK", .read(.int), .constant(.int), .jump, flags: InstructionFlag.negate, "test R[A] != K[B]")
        case .testLtD: return OpcodeInfo("testLtD", .read(.double), .read(.double), .jump, flags: InstructionFlag.negate, "test R[A] < R[B]")
        case .testLeD: return OpcodeInfo("testLeD", .read(.double), .read(.double), .jump, flags: InstructionFlag.negate, "test R[A] <= R[B]")
        case .testGtD: return OpcodeInfo("testGtD", .read(.double), .read(.double), .jump, flags: InstructionFlag.negate, "test R[A] > R[B]")
        case .testGeD: return OpcodeInfo("testGeD", .read(.double), .read(.double), .jump, flags: InstructionFlag.negate, "test R[A] >= R[B]")
        case .testEqD: return OpcodeInfo("testEqD", .read(.double), .read(.double), .jump, flags: InstructionFlag.negate, "test R[A] == R[B]")
        case .testNeD: return OpcodeInfo("testNeD", .read(.double), .read(.double), .jump, flags: InstructionFlag.negate, "test R[A] != R[B]")
        case .testLtDK: return OpcodeInfo("testLtDK", .read(.double), .constant(.double), .jump, flags: InstructionFlag.negate, "test R[A] < K[B]")
        case .testLeDK: return OpcodeInfo("testLeDK", .read(.double), .constant(.double), .jump, flags: InstructionFlag.negate, "test R[A] <= K[B]")
        case .testGtDK: return OpcodeInfo("testGtDK", .read(.double), .constant(.double), .jump, flags: InstructionFlag.negate, "test R[A] > K[B]")
        case .testGeDK: return OpcodeInfo("testGeDK", .read(.double), .constant(.double), .jump, flags: InstructionFlag.negate, "test R[A] >= K[B]")
        case .testEqDK: return OpcodeInfo("testEqDK", .read(.double), .constant(.double), .jump, flags: InstructionFlag.negate, "test R[A] == K[B]")
        case .testNeDK: return OpcodeInfo("testNeDK", .read(.double), .constant(.double), .jump, flags: InstructionFlag.negate, "test R[A] != K[B]")
        case .testEqS: return OpcodeInfo("testEqS", .read(.string), .read(.string), .jump, flags: InstructionFlag.negate | InstructionFlag.caseInsensitive, "test R[A] == R[B]")
        case .testNeS: return OpcodeInfo("testNeS", .read(.string), .read(.string), .jump, flags: InstructionFlag.negate | InstructionFlag.caseInsensitive, "test R[A] != R[B]")
        case .testEqSK: return OpcodeInfo("testEqSK", .read(.string), .constant(.string), .jump, flags: InstructionFlag.negate | InstructionFlag.caseInsensitive, "test R[A] == K[B]")
        case .testNeSK: return OpcodeInfo("testNeSK", .read(.string), .constant(.string), .jump, flags: InstructionFlag.negate | InstructionFlag.caseInsensitive, "test R[A] != K[B]")
        case .testInSet: return OpcodeInfo("testInSet", .read(nil), .set, .jump, flags: InstructionFlag.negate, "test R[A] in constant set B (the set's own case rule)")
        case .testList: return OpcodeInfo("testList", .read(nil), .list, .jump, flags: InstructionFlag.negate, "test R[A] in host list B")
        case .testStartsWithK: return OpcodeInfo("testStartsWithK", .read(.string), .constant(.string), .jump, flags: InstructionFlag.negate | InstructionFlag.caseInsensitive, "test R[A].startsWith(K[B])")
        case .testEndsWithK: return OpcodeInfo("testEndsWithK", .read(.string), .constant(.string), .jump, flags: InstructionFlag.negate | InstructionFlag.caseInsensitive, "test R[A].endsWith(K[B])")
        case .testContainsK: return OpcodeInfo("testContainsK", .read(.string), .constant(.string), .jump, flags: InstructionFlag.negate | InstructionFlag.caseInsensitive, "test R[A].contains(K[B])")
        case .loadK: return OpcodeInfo("loadK", .write(nil), .constant(nil), .none, "R[A] := K[B] (same type)")
        case .move: return OpcodeInfo("move", .write(nil), .read(nil), .none, "R[A] := R[B] (same type)")
        case .ltI: return OpcodeInfo("ltI", .write(.bool), .read(.int), .read(.int), "R[A] := R[B] < R[C]")
        case .leI: return OpcodeInfo("leI", .write(.bool), .read(.int), .read(.int), "R[A] := R[B] <= R[C]")
        case .gtI: return OpcodeInfo("gtI", .write(.bool), .read(.int), .read(.int), "R[A] := R[B] > R[C]")
        case .geI: return OpcodeInfo("geI", .write(.bool), .read(.int), .read(.int), "R[A] := R[B] >= R[C]")
        case .eqI: return OpcodeInfo("eqI", .write(.bool), .read(.int), .read(.int), "R[A] := R[B] == R[C]")
        case .neI: return OpcodeInfo("neI", .write(.bool), .read(.int), .read(.int), "R[A] := R[B] != R[C]")
        case .ltIK: return OpcodeInfo("ltIK", .write(.bool), .read(.int), .constant(.int), "R[A] := R[B] < K[C]")
        case .leIK: return OpcodeInfo("leIK", .write(.bool), .read(.int), .constant(.int), "R[A] := R[B] <= K[C]")
        case .gtIK: return OpcodeInfo("gtIK", .write(.bool), .read(.int), .constant(.int), "R[A] := R[B] > K[C]")
        case .geIK: return OpcodeInfo("geIK", .write(.bool), .read(.int), .constant(.int), "R[A] := R[B] >= K[C]")
        case .eqIK: return OpcodeInfo("eqIK", .write(.bool), .read(.int), .constant(.int), "R[A] := R[B] == K[C]")
        case .neIK: return OpcodeInfo("neIK", .write(.bool), .read(.int), .constant(.int), "R[A] := R[B] != K[C]")
        case .ltD: return OpcodeInfo("ltD", .write(.bool), .read(.double), .read(.double), "R[A] := R[B] < R[C]")
        case .leD: return OpcodeInfo("leD", .write(.bool), .read(.double), .read(.double), "R[A] := R[B] <= R[C]")
        case .gtD: return OpcodeInfo("gtD", .write(.bool), .read(.double), .read(.double), "R[A] := R[B] > R[C]")
        case .geD: return OpcodeInfo("geD", .write(.bool), .read(.double), .read(.double), "R[A] := R[B] >= R[C]")
        case .eqD: return OpcodeInfo("eqD", .write(.bool), .read(.double), .read(.double), "R[A] := R[B] == R[C]")
        case .neD: return OpcodeInfo("neD", .write(.bool), .read(.double), .read(.double), "R[A] := R[B] != R[C]")
        case .ltDK: return OpcodeInfo("ltDK", .write(.bool), .read(.double), .constant(.double), "R[A] := R[B] < K[C]")
        case .leDK: return OpcodeInfo("leDK", .write(.bool), .read(.double), .constant(.double), "R[A] := R[B] <= K[C]")
        case .gtDK: return OpcodeInfo("gtDK", .write(.bool), .read(.double), .constant(.double), "R[A] := R[B] > K[C]")
        case .geDK: return OpcodeInfo("geDK", .write(.bool), .read(.double), .constant(.double), "R[A] := R[B] >= K[C]")
        case .eqDK: return OpcodeInfo("eqDK", .write(.bool), .read(.double), .constant(.double), "R[A] := R[B] == K[C]")
        case .neDK: return OpcodeInfo("neDK", .write(.bool), .read(.double), .constant(.double), "R[A] := R[B] != K[C]")
        case .ltID: return OpcodeInfo("ltID", .write(.bool), .read(.int), .read(.double), "R[A] := R[B] < R[C], exact int/double comparison")
        case .leID: return OpcodeInfo("leID", .write(.bool), .read(.int), .read(.double), "R[A] := R[B] <= R[C], exact int/double comparison")
        case .gtID: return OpcodeInfo("gtID", .write(.bool), .read(.int), .read(.double), "R[A] := R[B] > R[C], exact int/double comparison")
        case .geID: return OpcodeInfo("geID", .write(.bool), .read(.int), .read(.double), "R[A] := R[B] >= R[C], exact int/double comparison")
        case .eqID: return OpcodeInfo("eqID", .write(.bool), .read(.int), .read(.double), "R[A] := R[B] == R[C], exact int/double comparison")
        case .neID: return OpcodeInfo("neID", .write(.bool), .read(.int), .read(.double), "R[A] := R[B] != R[C], exact int/double comparison")
        case .ltS: return OpcodeInfo("ltS", .write(.bool), .read(.string), .read(.string), "R[A] := R[B] < R[C] (UTF-8 byte order = code point order)")
        case .leS: return OpcodeInfo("leS", .write(.bool), .read(.string), .read(.string), "R[A] := R[B] <= R[C]")
        case .gtS: return OpcodeInfo("gtS", .write(.bool), .read(.string), .read(.string), "R[A] := R[B] > R[C]")
        case .geS: return OpcodeInfo("geS", .write(.bool), .read(.string), .read(.string), "R[A] := R[B] >= R[C]")
        case .eqS: return OpcodeInfo("eqS", .write(.bool), .read(.string), .read(.string), flags: InstructionFlag.caseInsensitive, "R[A] := R[B] == R[C]")
        case .neS: return OpcodeInfo("neS", .write(.bool), .read(.string), .read(.string), flags: InstructionFlag.caseInsensitive, "R[A] := R[B] != R[C]")
        case .eqSK: return OpcodeInfo("eqSK", .write(.bool), .read(.string), .constant(.string), flags: InstructionFlag.caseInsensitive, "R[A] := R[B] == K[C]")
        case .neSK: return OpcodeInfo("neSK", .write(.bool), .read(.string), .constant(.string), flags: InstructionFlag.caseInsensitive, "R[A] := R[B] != K[C]")
        case .eqB: return OpcodeInfo("eqB", .write(.bool), .read(.bool), .read(.bool), "R[A] := R[B] == R[C]")
        case .neB: return OpcodeInfo("neB", .write(.bool), .read(.bool), .read(.bool), "R[A] := R[B] != R[C]")
        case .eqIP: return OpcodeInfo("eqIP", .write(.bool), .read(.ip), .read(.ip), "R[A] := R[B] == R[C] (same family and bytes)")
        case .neIP: return OpcodeInfo("neIP", .write(.bool), .read(.ip), .read(.ip), "R[A] := R[B] != R[C]")
        case .addI: return OpcodeInfo("addI", .write(.int), .read(.int), .read(.int), "R[A] := R[B] + R[C] (overflow: error)")
        case .subI: return OpcodeInfo("subI", .write(.int), .read(.int), .read(.int), "R[A] := R[B] - R[C] (overflow: error)")
        case .mulI: return OpcodeInfo("mulI", .write(.int), .read(.int), .read(.int), "R[A] := R[B] * R[C] (overflow: error)")
        case .divI: return OpcodeInfo("divI", .write(.int), .read(.int), .read(.int), "R[A] := R[B] / R[C] truncating (zero divisor, MIN / -1: error)")
        case .remI: return OpcodeInfo("remI", .write(.int), .read(.int), .read(.int), "R[A] := R[B] % R[C] truncating (zero divisor, MIN % -1: error)")
        case .negI: return OpcodeInfo("negI", .write(.int), .read(.int), .none, "R[A] := -R[B] (MIN: error)")
        case .addIK: return OpcodeInfo("addIK", .write(.int), .read(.int), .constant(.int), "R[A] := R[B] + K[C] (overflow: error)")
        case .subIK: return OpcodeInfo("subIK", .write(.int), .read(.int), .constant(.int), "R[A] := R[B] - K[C] (overflow: error)")
        case .mulIK: return OpcodeInfo("mulIK", .write(.int), .read(.int), .constant(.int), "R[A] := R[B] * K[C] (overflow: error)")
        case .addD: return OpcodeInfo("addD", .write(.double), .read(.double), .read(.double), "R[A] := R[B] + R[C] (IEEE-754)")
        case .subD: return OpcodeInfo("subD", .write(.double), .read(.double), .read(.double), "R[A] := R[B] - R[C]")
        case .mulD: return OpcodeInfo("mulD", .write(.double), .read(.double), .read(.double), "R[A] := R[B] * R[C]")
        case .divD: return OpcodeInfo("divD", .write(.double), .read(.double), .read(.double), "R[A] := R[B] / R[C] (x/0 = ±inf or NaN, as CEL)")
        case .negD: return OpcodeInfo("negD", .write(.double), .read(.double), .none, "R[A] := -R[B]")
        case .not: return OpcodeInfo("not", .write(.bool), .read(.bool), .none, "R[A] := !R[B]")
        case .and: return OpcodeInfo("and", .write(.bool), .read(.bool), .read(.bool), "R[A] := R[B] && R[C]: false absorbs, then error, then missing")
        case .or: return OpcodeInfo("or", .write(.bool), .read(.bool), .read(.bool), "R[A] := R[B] || R[C]: true absorbs, then error, then missing")
        case .jumpIfFalse: return OpcodeInfo("jumpIfFalse", .read(.bool), .none, .jump, "if R[A] is false: pc += C")
        case .jumpIfTrue: return OpcodeInfo("jumpIfTrue", .read(.bool), .none, .jump, "if R[A] is true: pc += C")
        case .jumpIfNotBool: return OpcodeInfo("jumpIfNotBool", .read(.bool), .write(nil), .jump, "if R[A] is missing or error: R[B] := R[A]; pc += C (a ternary's condition)")
        case .isMissing: return OpcodeInfo("isMissing", .write(.bool), .read(nil), .none, "R[A] := R[B] is missing (error stays error)")
        case .has: return OpcodeInfo("has", .write(.bool), .read(nil), .none, "R[A] := R[B] is present (error stays error)")
        case .size: return OpcodeInfo("size", .write(.int), .read(.string), .none, "R[A] := number of code points of R[B]")
        case .concat: return OpcodeInfo("concat", .write(.string), .read(.string), .read(.string), "R[A] := R[B] + R[C]")
        case .lower: return OpcodeInfo("lower", .write(.string), .read(.string), .none, "R[A] := R[B] with ASCII letters lower-cased")
        case .upper: return OpcodeInfo("upper", .write(.string), .read(.string), .none, "R[A] := R[B] with ASCII letters upper-cased")
        case .startsWith: return OpcodeInfo("startsWith", .write(.bool), .read(.string), .read(.string), flags: InstructionFlag.caseInsensitive, "R[A] := R[B].startsWith(R[C])")
        case .endsWith: return OpcodeInfo("endsWith", .write(.bool), .read(.string), .read(.string), flags: InstructionFlag.caseInsensitive, "R[A] := R[B].endsWith(R[C])")
        case .contains: return OpcodeInfo("contains", .write(.bool), .read(.string), .read(.string), flags: InstructionFlag.caseInsensitive, "R[A] := R[B].contains(R[C])")
        case .like: return OpcodeInfo("like", .write(.bool), .read(.string), .read(.string), flags: InstructionFlag.caseInsensitive, "R[A] := R[B] LIKE R[C] (% any run, _ one code point, anchored)")
        case .domain: return OpcodeInfo("domain", .write(.string), .read(.string), .none, "R[A] := the part of R[B] after its last '@', lower-cased (no '@': missing)")
        case .intOfD: return OpcodeInfo("intOfD", .write(.int), .read(.double), .none, "R[A] := int(R[B]) truncating (NaN, out of range: error)")
        case .intOfS: return OpcodeInfo("intOfS", .write(.int), .read(.string), .none, "R[A] := int(R[B]) decimal (malformed, out of range: error)")
        case .doubleOfI: return OpcodeInfo("doubleOfI", .write(.double), .read(.int), .none, "R[A] := double(R[B]) (nearest)")
        case .doubleOfS: return OpcodeInfo("doubleOfS", .write(.double), .read(.string), .none, "R[A] := double(R[B]) (malformed: error)")
        case .stringOfI: return OpcodeInfo("stringOfI", .write(.string), .read(.int), .none, "R[A] := string(R[B])")
        case .stringOfD: return OpcodeInfo("stringOfD", .write(.string), .read(.double), .none, "R[A] := string(R[B]) (shortest round-trip form)")
        case .stringOfB: return OpcodeInfo("stringOfB", .write(.string), .read(.bool), .none, "R[A] := string(R[B])")
        case .stringOfIP: return OpcodeInfo("stringOfIP", .write(.string), .read(.ip), .none, "R[A] := string(R[B])")
        case .absI: return OpcodeInfo("absI", .write(.int), .read(.int), .none, "R[A] := abs(R[B]) (MIN: error)")
        case .absD: return OpcodeInfo("absD", .write(.double), .read(.double), .none, "R[A] := abs(R[B])")
        case .minI: return OpcodeInfo("minI", .write(.int), .read(.int), .read(.int), "R[A] := min(R[B], R[C])")
        case .maxI: return OpcodeInfo("maxI", .write(.int), .read(.int), .read(.int), "R[A] := max(R[B], R[C])")
        case .minD: return OpcodeInfo("minD", .write(.double), .read(.double), .read(.double), "R[A] := min(R[B], R[C]) (NaN if either is NaN)")
        case .maxD: return OpcodeInfo("maxD", .write(.double), .read(.double), .read(.double), "R[A] := max(R[B], R[C]) (NaN if either is NaN)")
        case .bucket: return OpcodeInfo("bucket", .write(.int), .read(nil), .read(.int), "R[A] := XXH3-64(bytes of R[B]) mod R[C] (R[C] <= 0: error)")
        case .inSet: return OpcodeInfo("inSet", .write(.bool), .read(nil), .set, "R[A] := R[B] in constant set C")
        case .cidr: return OpcodeInfo("cidr", .write(.bool), .read(.ip), .constant(.network), "R[A] := R[B] is inside network K[C] (other family: false)")
        case .list: return OpcodeInfo("list", .write(.bool), .read(nil), .list, "R[A] := R[B] in host list C")
        case .counter: return OpcodeInfo("counter", .write(nil), .read(nil), .counterBatch, "R[A+i] := host counter read i of batch C keyed by R[B], for every read of the batch (one host call)")
        case .model: return OpcodeInfo("model", .write(.double), .model, .none, "R[A], R[A+1] := host model B's probability and margin; the host reads the feature registers through a view")
        case .matches: return OpcodeInfo("matches", .write(.bool), .read(.string), .regex, "R[A] := regex C matches somewhere in R[B] (RE2 semantics, Pike VM: linear time)")
        case .loadScore: return OpcodeInfo("loadScore", .write(.int), .none, .none, "R[A] := the score (sum of the scores fired so far; emitted after every score)")
        case .holdThreshold: return OpcodeInfo("holdThreshold", .threshold, .none, .none, "end of threshold clause A's condition: accumulator clear => the clause holds; clear the accumulator")
        case .branchBool: return OpcodeInfo("branchBool", .read(.bool), .jump, .jump, "if R[A] is true: pc += B; if false: pc += C; missing or error: fall through (a shared-let block's guard)")
        }
    }
}

/// One instruction: 8 bytes, an opcode byte, a flags byte and three 16-bit operands.
@frozen
public struct Instruction: Equatable, Sendable {
    public var opcode: UInt8
    public var flags: UInt8
    public var a: UInt16
    public var b: UInt16
    public var c: UInt16

    public init(_ opcode: Opcode, a: UInt16 = 0, b: UInt16 = 0, c: UInt16 = 0, flags: UInt8 = 0) {
        self.opcode = opcode.rawValue; self.flags = flags; self.a = a; self.b = b; self.c = c
    }

    /// Raw form, for decoding bytes that are not verified yet.
    public init(rawOpcode: UInt8, flags: UInt8, a: UInt16, b: UInt16, c: UInt16) {
        self.opcode = rawOpcode; self.flags = flags; self.a = a; self.b = b; self.c = c
    }
}
