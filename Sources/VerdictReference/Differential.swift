// The differential check: a generated ruleset is checked once, compiled for the VM, and evaluated
// by both the VM and the reference evaluator on generated requests; the verdicts must be identical
// (action, deciding rule, score, challenge flag, fired rules with shadow/enforced marks, missing
// and error rules), and the VM's fast mode must agree with its trace mode on action and deciding
// rule. Used by the differential test, `make differential` and FuzzDifferential. The compiler is
// passed in, so this file does not depend on how the program is built.
import VerdictLanguage
import VerdictVM

/// One disagreement, with everything needed to reproduce it.
public struct DifferentialMismatch: CustomStringConvertible, Sendable {
    public var seed: UInt64
    public var source: String
    public var request: String
    public var reference: String
    public var vm: String

    public var description: String {
        "differential mismatch (seed \(seed))\n--- program\n\(source)--- request\n\(request)\n--- reference\n\(reference)\n--- vm\n\(vm)"
    }
}

/// Totals of a differential run.
public struct DifferentialSummary: Sendable {
    public var programs = 0
    /// Programs the checker rejected (a generator bug: it must only produce valid rulesets).
    public var rejected: [String] = []
    /// Programs the compiler or verifier refused.
    public var uncompiled: [String] = []
    public var evaluations = 0
    public var mismatches: [DifferentialMismatch] = []

    public init() {}
}

public enum Differential {
    /// Builds a VM program from a checked ruleset (the compiler under test).
    public typealias Compile = (CheckedRuleset) throws -> Program

    /// Generates, checks and compiles the program of `seed`, then compares VM and reference on
    /// `requests` generated requests, adding the outcome to `summary`.
    public static func run(seed: UInt64, requests: Int, maxDepth: Int = 4, compile: Compile,
                           into summary: inout DifferentialSummary) {
        run(generator: ProgramGenerator(seed: seed, maxDepth: maxDepth), seed: seed, requests: requests,
            compile: compile, into: &summary)
    }

    /// The same with a given generator (fuzzing drives it from the input bytes); `seed` labels the
    /// program in reports and seeds the host's counter values.
    public static func run(generator: ProgramGenerator, seed: UInt64, requests: Int, compile: Compile,
                           into summary: inout DifferentialSummary) {
        var generator = generator
        let generated = generator.program(seed: seed)
        summary.programs += 1
        let checked = Frontend.check(text: generated.source, path: "generated.rules",
                                     options: CheckOptions(modelCatalog: InMemoryModelCatalog(generated.modelFeatures)))
        guard let ruleset = checked.ruleset else {
            let first = checked.diagnostics.first { $0.severity == .error }
            summary.rejected.append("seed \(seed): \(first.map { DiagnosticRenderer(sources: checked.sources).render($0) } ?? "")")
            return
        }
        let program: Program
        do {
            program = try compile(ruleset)
        } catch {
            summary.uncompiled.append("seed \(seed): \(error)")
            return
        }
        let host = PrecomputedHost(listEntries: generated.listEntries, seed: seed)
        let adapter = VMHostAdapter(host: host, ruleset: ruleset, program: program)
        let vmRequest = Request(program: program)
        for _ in 0..<requests {
            let input = generator.request(for: generated)
            summary.evaluations += 1
            if let mismatch = compare(seed: seed, generated: generated, ruleset: ruleset, program: program,
                                      request: vmRequest, adapter: adapter, host: host, input: input) {
                summary.mismatches.append(mismatch)
            }
        }
    }

    /// Evaluates one request both ways; nil when they agree.
    static func compare(seed: UInt64, generated: GeneratedProgram, ruleset: CheckedRuleset, program: Program,
                        request: Request, adapter: VMHostAdapter, host: PrecomputedHost,
                        input: GeneratedRequest) -> DifferentialMismatch? {
        var referenceRequest = ReferenceRequest(now: input.now)
        request.reset()
        var problems: [String] = []
        for (name, value) in input.values {
            if let field = ruleset.field(named: name) { referenceRequest.values[field.id] = value }
            guard let index = program.fieldIndex(named: name) else { problems.append("no VM field \(name)"); continue }
            do {
                try request.set(index, value: vmValue(value))
            } catch {
                problems.append("set \(name): \(error)")
            }
        }
        if let now = program.fieldIndex(named: "now") {
            do { try request.set(now, int: input.now) } catch { problems.append("set now: \(error)") }
        }
        let expected = ReferenceEvaluator(ruleset: ruleset, host: host, request: referenceRequest).decide()
        let (trace, report, fast) = adapter.withHost { vmHost -> (Verdict, VerdictReport, Verdict) in
            let trace = VM.evaluate(request, host: vmHost, mode: .trace)
            let report = VerdictReport(trace, request: request)
            let fast = VM.evaluate(request, host: vmHost, mode: .fast)
            return (trace, report, fast)
        }
        let kinds = Dictionary(program.rules.map { ($0.name, $0.kind) }, uniquingKeysWith: { a, _ in a })
        let isRule = { (name: String) in kinds[name] == .rule }
        let actual = VerdictSummary(
            action: report.action.description, decidingRule: report.decidingRule, score: report.score,
            challenge: report.challenge,
            fired: report.fired.filter { isRule($0.name) }.map { "\($0.name)\($0.shadow ? "(shadow)" : (!$0.enforced ? "(out)" : ""))" },
            missing: report.missing.filter(isRule), errors: report.errors.filter(isRule))
        let wanted = VerdictSummary(
            action: expected.action.rawValue, decidingRule: expected.decidingRule, score: expected.score,
            challenge: expected.challenge,
            fired: expected.fired.map { "\($0.name)\($0.shadow ? "(shadow)" : ($0.outsideRollout ? "(out)" : ""))" },
            missing: expected.missingRules, errors: expected.errorRules)
        if fast.action != trace.action || fast.decidingRule != trace.decidingRule {
            problems.append("fast mode \(fast.action) by \(fast.decidingRule.map { program.rules[$0].name } ?? "-") "
                + "differs from trace mode \(trace.action) by \(trace.decidingRule.map { program.rules[$0].name } ?? "-")")
        }
        if actual == wanted && problems.isEmpty { return nil }
        let conditions = zip(ruleset.rules, expected.conditions).map { "\($0.name) = \($1)" }.joined(separator: ", ")
        return DifferentialMismatch(
            seed: seed, source: generated.source,
            request: input.values.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value)" }.joined(separator: ", ")
                + " now = \(input.now)",
            reference: "\(wanted)\n  conditions: \(conditions)",
            vm: "\(actual)" + (problems.isEmpty ? "" : "\n  " + problems.joined(separator: "\n  ")))
    }

    /// A reference value as the VM's `Value` (timestamps are ints, ips their 4 or 16 bytes).
    public static func vmValue(_ value: ReferenceValue) -> Value {
        switch value {
        case .int(let v), .timestamp(let v), .duration(let v): return .int(v)
        case .double(let v): return .double(v)
        case .bool(let v): return .bool(v)
        case .string(let v): return .string(v)
        case .ip: return VerdictVM.IPAddress(bytes: ReferenceEvaluator.canonicalBytes(value)).map { .ip($0) } ?? .missing
        case .action(let a): return .string(a.rawValue)
        case .list: return .missing
        }
    }
}

/// The comparable part of a verdict (rules only; scores enter through the total).
struct VerdictSummary: Equatable, CustomStringConvertible {
    var action: String
    var decidingRule: String?
    var score: Int64
    var challenge: Bool
    var fired: [String]
    var missing: [String]
    var errors: [String]

    var description: String {
        "\(action) by \(decidingRule ?? "-"), score \(score), challenge \(challenge), fired \(fired), missing \(missing), errors \(errors)"
    }
}
