// What an evaluation returns: the allocation-free `Verdict` record, the per-rule outcome read
// from the request's bitsets, and `VerdictReport`, the allocating full record (fired rules with
// shadow marked, missing/error rules, ruleset version) for explanations and tools.

/// Fast mode stops as soon as nothing later can change the verdict (LANGUAGE.md §7); trace mode
/// evaluates every rule, including shadow rules, for explanations. Both give the same action and
/// deciding rule.
public enum EvaluationMode: Sendable {
    case fast, trace
}

/// The outcome of one evaluation. Per-rule detail stays in the request (`outcome(ofRule:)`,
/// `VerdictReport`) until the next evaluation.
public struct Verdict: Equatable, Sendable {
    public var action: VerdictAction
    /// The rule whose firing decided the action; nil when a threshold or nothing decided.
    public var decidingRule: Int?
    /// Sum of the points of the fired `score` declarations.
    public var score: Int64
    /// A `challenge` rule fired and was enforced (the verdict is `challenge` only if nothing else decided).
    public var challenge: Bool
    /// Fast mode stopped before the end of the program (later rules were not evaluated).
    public var stoppedEarly: Bool
}

/// What happened to one rule or score in the last evaluation.
public enum RuleOutcome: Equatable, Sendable {
    /// The condition was false, or the rule was not reached (fast mode).
    case notFired
    /// The condition was true and the rule took part in the decision.
    case fired
    /// The condition was true but the rule is shadow or outside its rollout.
    case firedNotEnforced
    /// The condition ended in missing.
    case missing
    /// The condition ended in error.
    case error
}

extension Request {
    /// The outcome of rule `index` in the last evaluation.
    public func outcome(ofRule index: Int) -> RuleOutcome {
        guard index >= 0, index < program.contents.rules.count else { return .notFired }
        let c = context.pointee
        let word = index >> 6, bit = UInt64(1) << UInt64(index & 63)
        if c.fired[word] & bit != 0 {
            return c.unenforced[word] & bit != 0 || program.contents.rules[index].shadow ? .firedNotEnforced : .fired
        }
        if c.errored[word] & bit != 0 { return .error }
        if c.missing[word] & bit != 0 { return .missing }
        return .notFired
    }

    /// Whether rule `index` fired (enforced or not) in the last evaluation; allocation-free.
    public func fired(rule index: Int) -> Bool {
        guard index >= 0, index < program.contents.rules.count else { return false }
        return context.pointee.fired[index >> 6] & (UInt64(1) << UInt64(index & 63)) != 0
    }
}

/// The full record of an evaluation, by rule name (allocates; for explanations, traces and tools).
public struct VerdictReport: Equatable, Sendable {
    public struct FiredRule: Equatable, Sendable {
        public var name: String
        public var action: VerdictAction
        /// Shadow rule, or outside its rollout: reported, never enforced.
        public var enforced: Bool
        public var shadow: Bool
    }
    public var rulesetVersion: String
    public var action: VerdictAction
    public var decidingRule: String?
    public var score: Int64
    public var challenge: Bool
    public var fired: [FiredRule]
    public var missing: [String]
    public var errors: [String]

    /// Reads the last evaluation of `request` that returned `verdict`.
    public init(_ verdict: Verdict, request: Request) {
        let rules = request.program.contents.rules
        rulesetVersion = request.program.contents.version
        action = verdict.action
        decidingRule = verdict.decidingRule.map { rules[$0].name }
        score = verdict.score
        challenge = verdict.challenge
        fired = []; missing = []; errors = []
        for (i, rule) in rules.enumerated() {
            switch request.outcome(ofRule: i) {
            case .fired: fired.append(FiredRule(name: rule.name, action: rule.action, enforced: true, shadow: rule.shadow))
            case .firedNotEnforced: fired.append(FiredRule(name: rule.name, action: rule.action, enforced: false, shadow: rule.shadow))
            case .missing: missing.append(rule.name)
            case .error: errors.append(rule.name)
            case .notFired: break
            }
        }
    }
}
