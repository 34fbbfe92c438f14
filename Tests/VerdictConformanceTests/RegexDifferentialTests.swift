// The differential test with `matches` conditions on: random rulesets whose text conditions
// include regex searches, compared between the VM (Pike VM over the compiled NFA) and the
// reference evaluator (its own backtracking matcher over the parsed pattern).
import Testing
import VerdictCompiler
import VerdictReference

@Test func vmAgreesWithReferenceOnRandomProgramsWithRegexes() {
    var summary = DifferentialSummary()
    for seed in UInt64(0)..<200 {
        Differential.run(generator: ProgramGenerator(seed: seed, options: GeneratorOptions(regex: true)), seed: seed,
                         requests: 10, compile: Compiler.compile, into: &summary)
    }
    #expect(summary.programs == 200)
    #expect(summary.rejected.isEmpty, "\(summary.rejected.prefix(3))")
    #expect(summary.uncompiled.isEmpty, "\(summary.uncompiled.prefix(3))")
    #expect(summary.mismatches.isEmpty, "\(summary.mismatches.prefix(3).map(\.description))")
}
