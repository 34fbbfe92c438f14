// The decision procedure of LANGUAGE.md §7 over the reference evaluator, in trace form (every
// rule, score and threshold evaluated): challenge as a non-terminating flag, precedence among fired
// enforced rules, `shadow`, `rollout N% by KEY`, additive (saturating) scores, thresholds (the most
// severe action that holds wins: block > review > challenge > allow), `on error`.
// The VM's verdict (action, deciding rule, score, fired rules, per-rule missing/error) must equal
// this one for every program and request.
import VerdictLanguage

/// A rule that fired, as the verdict reports it.
public struct ReferenceFiredRule: Hashable, Sendable {
    public var name: String
    /// Declared `shadow`: reported, never enforced.
    public var shadow: Bool
    /// Has a rollout whose bucket excludes this request: reported, not enforced.
    public var outsideRollout: Bool
}

/// The verdict of one evaluation.
public struct ReferenceVerdict: Hashable, Sendable, CustomStringConvertible {
    public var action: VerdictAction
    /// The rule whose action decided (for `on error`, the rule whose condition failed; for a
    /// challenge verdict, the first enforced challenge rule that fired); nil when thresholds or
    /// nothing decided.
    public var decidingRule: String?
    /// Sum of the points of every score whose condition is true.
    public var score: Int64
    /// Some enforced `challenge` rule fired.
    public var challenge: Bool
    public var fired: [ReferenceFiredRule]
    /// Rules whose condition ended in missing / in error, by name, in rule order.
    public var missingRules: [String]
    public var errorRules: [String]
    /// Per-rule condition outcome, in rule order.
    public var conditions: [ReferenceResult]
    public var version: String?

    public var description: String {
        "\(action.rawValue) by \(decidingRule ?? "-") score \(score) challenge \(challenge) fired "
            + "\(fired.map { $0.name + ($0.shadow ? "(shadow)" : "") + ($0.outsideRollout ? "(out)" : "") }) "
            + "missing \(missingRules) error \(errorRules)"
    }
}

/// Buckets used by `rollout N%`: a key is inside when `bucket(key, rolloutBuckets)` is below
/// `N * rolloutBuckets / 100` (so 0.5% is 50 of 10,000 buckets).
public let rolloutBuckets: Int64 = 10_000

extension ReferenceEvaluator {
    /// Evaluates every rule, score and threshold and decides (LANGUAGE.md §7).
    public func decide() -> ReferenceVerdict {
        var verdict = ReferenceVerdict(action: .none, decidingRule: nil, score: 0, challenge: false, fired: [],
                                       missingRules: [], errorRules: [], conditions: [], version: ruleset.version)
        // Enforced candidates in rule order: (action, rule name).
        var candidates: [(Action, String)] = []
        var firstChallenge: String?
        for rule in ruleset.rules {
            let outcome = evaluate(rule.condition)
            verdict.conditions.append(outcome)
            if outcome == .missing { verdict.missingRules.append(rule.name) }
            if case .error = outcome { verdict.errorRules.append(rule.name) }
            let inside = rule.rollout.map(insideRollout) ?? true
            let enforced = !rule.shadow && inside
            if outcome.isTrue {
                verdict.fired.append(ReferenceFiredRule(name: rule.name, shadow: rule.shadow, outsideRollout: !inside))
                guard enforced else { continue }
                if rule.action == .challenge {
                    verdict.challenge = true
                    firstChallenge = firstChallenge ?? rule.name
                } else {
                    candidates.append((rule.action, rule.name))
                }
            } else if case .error = outcome, enforced, let onError = ruleset.onError {
                candidates.append((onError, rule.name))
            }
        }
        var total: Int64 = 0
        for score in ruleset.scores where evaluate(score.condition).isTrue {
            // Saturating: a score cannot overflow into the opposite sign.
            let (sum, overflow) = total.addingReportingOverflow(score.points)
            total = overflow ? (score.points > 0 ? .max : .min) : sum
        }
        verdict.score = total
        self.score = total
        for action in ruleset.precedence {
            if let decided = candidates.first(where: { $0.0 == action }) {
                verdict.action = VerdictAction(rawValue: action.rawValue) ?? .none
                verdict.decidingRule = decided.1
                return verdict
            }
        }
        // Thresholds: the most severe action whose condition holds (block > review > challenge > allow).
        let reached = ruleset.thresholds.filter { evaluate($0.condition).isTrue }.map(\.action)
        if let action = ([.block, .review, .challenge, .allow] as [Action]).first(where: reached.contains) {
            verdict.action = VerdictAction(rawValue: action.rawValue) ?? .none
            return verdict
        }
        if verdict.challenge {
            verdict.action = .challenge
            verdict.decidingRule = firstChallenge
        }
        return verdict
    }

    /// A rollout's key is inside its percentage; a missing or failing key is outside.
    private func insideRollout(_ rollout: CheckedRollout) -> Bool {
        guard case .value(let key) = evaluate(rollout.key) else { return false }
        let bucket = ReferenceEvaluator.bucket(key, rolloutBuckets)
        return Double(bucket) < rollout.percent * Double(rolloutBuckets) / 100
    }
}
