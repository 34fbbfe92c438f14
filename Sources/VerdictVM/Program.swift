// A compiled ruleset as the VM runs it. `ProgramContents` is the plain description (what the
// compiler, the builder and the .vbc decoder produce); `Program` is the verified, immutable form
// that owns the flat image the interpreter reads. The only way to get a `Program` is through the
// verifier, so every program that runs has passed it.

/// The action of a rule or of the final verdict (LANGUAGE.md §7). Raw values are the bytecode's
/// action codes.
public enum VerdictAction: UInt8, CaseIterable, Sendable, CustomStringConvertible {
    case none = 0, allow = 1, block = 2, review = 3, challenge = 4

    public var description: String {
        switch self {
        case .none: return "none"
        case .allow: return "allow"
        case .block: return "block"
        case .review: return "review"
        case .challenge: return "challenge"
        }
    }
}

/// A request field: register `index` of every request bound to the program.
public struct FieldInfo: Equatable, Sendable {
    public var name: String
    public var type: ValueType
    /// Declared `ci`: equality and `in` compare ASCII case-insensitively.
    public var caseInsensitive: Bool
    public init(name: String, type: ValueType, caseInsensitive: Bool = false) {
        self.name = name; self.type = type; self.caseInsensitive = caseInsensitive
    }
}

/// A `rule` or `score` declaration, indexed by its order in the ruleset.
public struct RuleInfo: Equatable, Sendable {
    public enum Kind: UInt8, Sendable { case rule = 0, score = 1 }
    public var name: String
    public var kind: Kind
    /// The rule's action (`.none` for scores).
    public var action: VerdictAction
    public var shadow: Bool
    /// `rollout N% by KEY` as basis points 0...10000; nil when the rule has no rollout.
    public var rolloutBasisPoints: UInt16?
    /// Points added to the score when a score declaration fires.
    public var points: Int64
    public var reason: String?

    public init(name: String, kind: Kind = .rule, action: VerdictAction, shadow: Bool = false,
                rolloutBasisPoints: UInt16? = nil, points: Int64 = 0, reason: String? = nil) {
        self.name = name; self.kind = kind; self.action = action; self.shadow = shadow
        self.rolloutBasisPoints = rolloutBasisPoints; self.points = points; self.reason = reason
    }

    /// Whether a firing of this rule can take part in the decision (not shadow, not a score).
    public var isEnforceable: Bool { kind == .rule && !shadow && action != .none }
}

/// `x in [c1, c2, ...]` with constant elements: a precomputed hash set over constants.
public struct ConstantSetInfo: Equatable, Sendable {
    public var elementType: ValueType
    public var caseInsensitive: Bool
    /// Constant-pool indices of the elements.
    public var elements: [UInt16]
    public init(elementType: ValueType, caseInsensitive: Bool, elements: [UInt16]) {
        self.elementType = elementType; self.caseInsensitive = caseInsensitive; self.elements = elements
    }
}

/// A `list NAME KIND` declaration; the host performs the lookup.
public struct ListInfo: Equatable, Sendable {
    public var name: String
    /// Type of the lookup key: `.string` (exact, ci, prefix lists) or `.ip` (CIDR lists).
    public var keyType: ValueType
    public init(name: String, keyType: ValueType) { self.name = name; self.keyType = keyType }
}

/// A `counter` declaration; its reads return `valueType` (int for counts, double for sums).
public struct CounterInfo: Equatable, Sendable {
    public var name: String
    public var valueType: ValueType
    public init(name: String, valueType: ValueType) { self.name = name; self.valueType = valueType }
}

/// One distinct `COUNTER(window)` read of the program.
public struct CounterReadInfo: Equatable, Sendable {
    public var counter: UInt16
    public var windowSeconds: Int64
    public init(counter: UInt16, windowSeconds: Int64) { self.counter = counter; self.windowSeconds = windowSeconds }
}

/// Consecutive counter reads with one key, read by one `counter` instruction in one host call:
/// `counterReads[firstRead ..< firstRead + count]`.
public struct CounterBatchInfo: Equatable, Sendable {
    public var firstRead: UInt16
    public var count: UInt16
    public init(firstRead: UInt16, count: UInt16) { self.firstRead = firstRead; self.count = count }
}

/// A `model` declaration: its features, and the registers that hold their values when `model` runs.
public struct ModelInfo: Equatable, Sendable {
    public var name: String
    public var features: [String]
    /// One register per feature (bool, int or double; missing becomes NaN).
    public var arguments: [UInt16]
    public init(name: String, features: [String], arguments: [UInt16]) {
        self.name = name; self.features = features; self.arguments = arguments
    }
}

/// One `threshold` clause (`ACTION if CONDITION`). The common form `score >= N` is decided after
/// evaluation from `minimumScore`; any other condition is compiled into the program, which marks
/// the clause as holding with `holdThreshold` (`minimumScore` is then nil).
public struct ThresholdInfo: Equatable, Sendable {
    /// At most this many clauses per program (their holding flags are one 64-bit word).
    public static let maximumCount = 64
    public var action: VerdictAction
    public var minimumScore: Int64?
    public init(action: VerdictAction, minimumScore: Int64?) { self.action = action; self.minimumScore = minimumScore }
}

/// Everything a program consists of, before verification.
public struct ProgramContents: Equatable, Sendable {
    public var name: String = ""
    public var version: String = ""
    /// Request fields: registers 0..<fields.count.
    public var fields: [FieldInfo] = []
    /// Static type of every register (fields first).
    public var registerTypes: [ValueType] = []
    /// Registers reset to "not computed" at the start of each evaluation (lets, models, counters).
    public var lazyRegisters: Range<Int> = 0..<0
    public var constants: [Slot] = []
    /// Bytes of string, ip and network constants (their slots hold offsets into it).
    public var constantBytes: [UInt8] = []
    public var code: [Instruction] = []
    public var rules: [RuleInfo] = []
    public var sets: [ConstantSetInfo] = []
    public var lists: [ListInfo] = []
    public var counters: [CounterInfo] = []
    public var counterReads: [CounterReadInfo] = []
    /// Groups of `counterReads` sharing a key (operand C of `counter`).
    public var counterBatches: [CounterBatchInfo] = []
    public var models: [ModelInfo] = []
    /// Compiled patterns of `matches` (operand C of the opcode).
    public var regexes: [RegexProgram] = []
    /// Decision order among allow/block/review (default allow > block > review).
    public var precedence: [VerdictAction] = [.allow, .block, .review]
    public var thresholds: [ThresholdInfo] = []
    /// `on error ACTION` (review or block); `.none` = fail open.
    public var onError: VerdictAction = .none
    /// For a standalone expression: the register holding its value at `halt`.
    public var resultRegister: Int? = nil

    public init() {}
}

/// A verified program: immutable, shareable between threads; requests bind to it.
public final class Program: @unchecked Sendable {
    public let contents: ProgramContents
    let image: ProgramImage

    /// Verifies `contents` and builds the interpreter's image; throws the first problem found.
    public init(_ contents: ProgramContents) throws(VerificationError) {
        try Verifier.verify(contents)
        self.contents = contents
        self.image = ProgramImage(contents)
    }

    public var name: String { contents.name }
    public var version: String { contents.version }
    public var fields: [FieldInfo] { contents.fields }
    public var rules: [RuleInfo] { contents.rules }

    /// The field (register) index of a schema field, resolved once by name.
    public func fieldIndex(named name: String) -> Int? {
        contents.fields.firstIndex { $0.name == name }
    }

    /// The index of a rule or score by name.
    public func ruleIndex(named name: String) -> Int? {
        contents.rules.firstIndex { $0.name == name }
    }
}
