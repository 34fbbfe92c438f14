// The acceptance check of the reference workload: fraud_gbdt (JSON and UBJ) and fraud_lgbm from
// ../shared/bench/gen_workload.py reproduce its expected_scores.csv margins exactly.
import Foundation
import Testing
@testable import VerdictModels

@Suite struct ReferenceWorkloadTests {
    static let available = FileManager.default.fileExists(atPath: TestPaths.workload + "/expected_scores.csv")

    /// (features by event, expected rows) of the workload.
    static func data() throws -> ([[Double]], [[Double]]) {
        let expected = try TestPaths.numericCSV(TestPaths.workload + "/expected_scores.csv").rows
        let features = try TestPaths.numericCSV(TestPaths.workload + "/features.csv", only: Set(expected.map { Int($0[0]) })).rows
        return (features, expected)
    }

    @Test(.enabled(if: available, "reference workload absent: run `make workload`"),
          arguments: ["fraud_gbdt.json", "fraud_gbdt.ubj"])
    func xgboostMarginsMatchExpectedScoresBitForBit(file: String) throws {
        let model = try ModelLoader.load(path: TestPaths.workload + "/models/" + file)
        #expect(model.info.kind == .xgboost)
        let (features, expected) = try Self.data()
        var mismatches = 0
        for row in expected {
            let margin = try model.margins(features[Int(row[0])])[0]
            if Float(margin).bitPattern != Float(row[1]).bitPattern { mismatches += 1 }
            let probability = try model.outputs(margins: [margin])[0]
            #expect(abs(Float(probability) - Float(row[2])) <= Float(row[2]).ulp)
        }
        #expect(mismatches == 0)
    }

    @Test(.enabled(if: available, "reference workload absent: run `make workload`"))
    func lightgbmMarginsMatchExpectedScoresBitForBit() throws {
        let model = try ModelLoader.load(path: TestPaths.workload + "/models/fraud_lgbm.txt")
        #expect(model.info.kind == .lightgbm)
        let (features, expected) = try Self.data()
        var mismatches = 0
        for row in expected {
            let margin = try model.margins(features[Int(row[0])])[0]
            if margin.bitPattern != row[3].bitPattern { mismatches += 1 }
            let probability = try model.outputs(margins: [margin])[0]
            #expect(abs(probability - row[4]) <= row[4].ulp)
        }
        #expect(mismatches == 0)
    }
}
