// Tests of the conformance suite itself: every file decodes, every case is classified (run,
// static rejection, or skipped with a reason), the per-case skip table names only real cases, and
// the classification is printed per file with the reasons' counts.
import Foundation
import Testing

@Suite struct ConformanceClassificationTests {
    let files: [ConformanceFile]

    init() throws { files = try ConformanceData.loadAll() }

    @Test func everyFileDecodesWithUniqueCaseIDs() {
        #expect(!files.isEmpty, "no *.textproto under \(ConformanceData.directory.path)")
        for file in files {
            #expect(!file.cases.isEmpty, "\(file.name) has no cases")
            let ids = file.cases.map(\.id)
            #expect(Set(ids).count == ids.count, "\(file.name) has duplicate case ids")
        }
    }

    @Test func perCaseRulesNameExistingCases() {
        let ids = Set(files.flatMap { $0.cases.map(\.id) })
        for id in ConformanceSkipList.caseRules.keys.sorted() {
            #expect(ids.contains(id), "skip list names a case that does not exist: \(id)")
        }
    }

    @Test func classificationIsPrintedPerFile() {
        var reasons: [String: Int] = [:]
        for file in files {
            var run = 0, rejected = 0, skipped = 0
            for test in file.cases {
                switch ConformanceSkipList.classify(test) {
                case .run: run += 1
                case .staticRejection: rejected += 1
                case .skip(let reason):
                    #expect(!reason.isEmpty)
                    skipped += 1
                    reasons[reason, default: 0] += 1
                }
            }
            print("conformance classification \(file.name): \(file.cases.count) cases, \(run) run, "
                + "\(rejected) static rejections, \(skipped) skipped")
        }
        for (reason, count) in reasons.sorted(by: { $0.value > $1.value }) {
            print("  skipped \(count): \(reason)")
        }
    }

    @Test func stringContentsAreBlankedBeforeFeatureMatching() {
        #expect(ConformanceSkipList.blankStringContents("'{' + \"null\"") == "' ' + \"    \"")
        #expect(ConformanceSkipList.blankStringContents("r'\\' == '\\''") == "r' ' == '  '")
        let map = ConformanceCase(
            file: "f", section: "s", name: "n", expression: "'key' in {'key': 1}", disableCheck: false,
            disableMacros: false, checkOnly: false, container: "", declarations: [], bindings: [:],
            expectation: .value(.bool(true)))
        #expect(ConformanceSkipList.classify(map) == .skip("map literal"))
    }
}
