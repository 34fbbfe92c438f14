// The differential test: seeded random well-typed rulesets (ProgramGenerator) x random requests
// with missing fields and error-producing values; the VM (compiled by VerdictCompiler) and the
// reference evaluator must give identical verdicts. CI runs VERDICT_DIFFERENTIAL_PROGRAMS
// programs (default 10,000) x 10 requests; `make differential` runs 100,000.
import Foundation
import Testing
import VerdictCompiler
import VerdictLanguage
import VerdictReference
import VerdictVM

/// Seeds to run: VERDICT_DIFFERENTIAL_SEEDS (comma-separated, to reproduce a report), else
/// 0..<VERDICT_DIFFERENTIAL_PROGRAMS (default 10,000).
private var seeds: [UInt64] {
    let environment = ProcessInfo.processInfo.environment
    if let list = environment["VERDICT_DIFFERENTIAL_SEEDS"], !list.isEmpty {
        return list.split(separator: ",").compactMap { UInt64($0.trimmingCharacters(in: .whitespaces)) }
    }
    return Array(0..<(environment["VERDICT_DIFFERENTIAL_PROGRAMS"].flatMap { UInt64($0) } ?? 10_000))
}

/// Seeds of 0..<10,000 whose programs hit a known bug (the differential test expects them to
/// mismatch and fails when one stops mismatching, so the list shrinks as the bugs are fixed).
private let knownMismatchSeeds: [UInt64: String] = [:]

@Test func vmAgreesWithReferenceOnRandomPrograms() async {
    let all = seeds
    let workers = 4
    // Seeds are split across a few tasks; each task owns its summary.
    let summaries = await withTaskGroup(of: DifferentialSummary.self) { group in
        for worker in 0..<workers {
            group.addTask {
                var summary = DifferentialSummary()
                for seed in stride(from: worker, to: all.count, by: workers).map({ all[$0] }) {
                    Differential.run(seed: seed, requests: 10, compile: Compiler.compile, into: &summary)
                }
                return summary
            }
        }
        var all: [DifferentialSummary] = []
        for await summary in group { all.append(summary) }
        return all
    }
    let programs = summaries.reduce(0) { $0 + $1.programs }
    let evaluations = summaries.reduce(0) { $0 + $1.evaluations }
    let rejected = summaries.flatMap(\.rejected)
    let uncompiled = summaries.flatMap(\.uncompiled)
    let mismatches = summaries.flatMap(\.mismatches).sorted { $0.seed < $1.seed }
    print("differential: \(programs) programs, \(evaluations) evaluations, \(rejected.count) rejected by the checker, "
        + "\(uncompiled.count) not compiled, \(mismatches.count) mismatches")
    for problem in rejected.prefix(3) { Issue.record(Comment(rawValue: "checker rejected a generated program: \(problem)")) }
    for problem in uncompiled.prefix(3) { Issue.record(Comment(rawValue: "compiler refused a generated program: \(problem)")) }
    let mismatchingSeeds = Set(mismatches.map(\.seed))
    if !mismatchingSeeds.isEmpty { print("differential: mismatching seeds \(mismatchingSeeds.sorted())") }
    let unexplained = mismatches.filter { knownMismatchSeeds[$0.seed] == nil }
    for mismatch in unexplained.prefix(all.count <= 20 ? unexplained.count : 5) {
        Issue.record(Comment(rawValue: mismatch.description))
    }
    for seed in mismatchingSeeds.sorted() {
        guard let bug = knownMismatchSeeds[seed] else { continue }
        withKnownIssue(Comment(rawValue: bug)) {
            Issue.record(Comment(rawValue: mismatches.first { $0.seed == seed }!.description))
        }
    }
    let ran = Set(all)
    for (seed, bug) in knownMismatchSeeds where ran.contains(seed) && !mismatchingSeeds.contains(seed) {
        Issue.record("seed \(seed) no longer mismatches (\(bug)): remove it from knownMismatchSeeds")
    }
}

/// Evaluates `condition` of a one-rule ruleset with the VM and the reference; returns (reference, vm)
/// rule outcomes as text.
private func bothOutcomes(schema: String, condition: String, values: [String: ReferenceValue]) throws -> (String, String) {
    let checked = Frontend.check(text: "schema {\n\(schema)\n}\nrule r: block if \(condition)\n")
    guard let ruleset = checked.ruleset else { throw ConformanceCheckError(message: "rejected") }
    let program = try Compiler.compile(ruleset)
    let host = PrecomputedHost(listEntries: [:], seed: 0)
    var reference = ReferenceRequest()
    let request = Request(program: program)
    for (name, value) in values {
        reference.values[ruleset.field(named: name)!.id] = value
        try request.set(program.fieldIndex(named: name)!, value: Differential.vmValue(value))
    }
    let expected = ReferenceEvaluator(ruleset: ruleset, host: host, request: reference).evaluate(ruleset.rules[0].condition)
    _ = VMHostAdapter(host: host, ruleset: ruleset, program: program).withHost { VM.evaluate(request, host: $0, mode: .trace) }
    return ("\(expected)", "\(request.outcome(ofRule: 0))")
}

@Test func caseInsensitiveLiteralsFoldASCIIOnlyInBoth() throws {
    // `c == "É"` with c = "é": `ci` folds ASCII only (docs/language.md, Decisions 4), so the checker's
    // folded literal, the VM and the reference all keep "É" and "é" apart, and fold "X" to "x".
    for (text, fires) in [("é", false), ("É", true), ("xÉ", true), ("Xé", false)] {
        let (reference, vm) = try bothOutcomes(schema: "c string ci", condition: #"c == "XÉ" or c == "É""#,
                                               values: ["c": .string(text)])
        #expect(reference == "\(fires)", "\(text)")
        #expect(vm == (fires ? "fired" : "notFired"), "\(text)")
    }
}

@Test func zeroAndNegativeZeroConstantsStayDistinct() throws {
    // 0.0 and -0.0 are equal Values but different constants: `1.0 / (d * -0.0)` is -inf.
    let (reference, vm) = try bothOutcomes(schema: "d double", condition: "(0.0 < d) and ((1.0 / (d * -0.0)) < 0.0)",
                                           values: ["d": .double(1)])
    #expect(reference == "true")
    #expect(vm == "fired")
}

@Test func foldedConditionalKeepsItsOwnCaseSensitivity() throws {
    let (reference, vm) = try bothOutcomes(schema: "s string\nc string ci", condition: #"(false ? s : c) == "X@Y.COM""#,
                                           values: ["s": .string("x@y.com"), "c": .string("x@y.com")])
    #expect(reference == "false")
    #expect(vm == "notFired")
}
