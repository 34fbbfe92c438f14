// The CEL conformance runner: every applicable case of ../shared/conformance/cel/*.textproto runs
// through parser -> checker -> evaluator and must match its expected value or error (or, for
// ill-typed expressions, be rejected by the checker). Prints executed/passed/skipped per file.
import Testing

/// Per-file tallies of a run.
struct ConformanceTally {
    var executed = 0, passed = 0, skipped = 0, knownFailures = 0
}

/// Runs every applicable case with `pipeline`; returns failures as readable lines.
func runConformance(_ label: String, _ pipeline: (ConformanceCase) -> ConformanceOutcome) throws -> [String] {
    var failures: [String] = []
    var total = ConformanceTally()
    let knownFailures = ConformanceSkipList.knownFailures(pipeline: label)
    for file in try ConformanceData.loadAll() {
        var tally = ConformanceTally()
        for test in file.cases {
            let applicability = ConformanceSkipList.classify(test)
            if applicability.skipReason != nil { tally.skipped += 1; continue }
            tally.executed += 1
            let outcome = pipeline(test)
            let known = knownFailures[test.id]
            if outcome.matches(test, applicability) {
                tally.passed += 1
                if known != nil { failures.append("\(test.id) passes now: remove it from knownFailures") }
            } else if let known {
                tally.knownFailures += 1
                print("conformance [\(label)] known failure \(test.id): \(known)")
            } else {
                let expected: String
                if case .staticRejection(let why) = applicability { expected = "rejected (\(why))" } else { expected = "\(test.expectation)" }
                failures.append("\(test.id): `\(test.expression)` expected \(expected), got \(outcome)")
            }
        }
        print("conformance [\(label)] \(file.name): executed \(tally.executed), passed \(tally.passed), skipped \(tally.skipped)"
            + (tally.knownFailures > 0 ? ", known failures \(tally.knownFailures)" : ""))
        total.executed += tally.executed; total.passed += tally.passed; total.skipped += tally.skipped
        total.knownFailures += tally.knownFailures
    }
    print("conformance [\(label)] total: executed \(total.executed), passed \(total.passed), skipped \(total.skipped), "
        + "known failures \(total.knownFailures)")
    return failures
}

@Test func conformanceThroughCheckerAndReferenceEvaluator() throws {
    let failures = try runConformance("reference", ReferencePipeline.run)
    for failure in failures { Issue.record(Comment(rawValue: failure)) }
}

@Test func conformanceThroughCompilerAndVM() throws {
    let failures = try runConformance("vm", VMPipeline.run)
    for failure in failures { Issue.record(Comment(rawValue: failure)) }
}
