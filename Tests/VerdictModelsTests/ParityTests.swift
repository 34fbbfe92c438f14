// Parity with the real libraries: every model of Models/ (trained by Models/train.py with pinned
// xgboost/lightgbm) against its golden predictions in Models/goldens/ — random rows, special
// values, rows on and one ulp around every split threshold, odd category codes. Margins must be
// equal bit for bit in the model's precision; transformed outputs within 1 ulp (libm's exp).
import Foundation
import Testing
@testable import VerdictModels

@Suite struct ParityTests {
    static let goldens: [String] = {
        let folder = TestPaths.models + "/goldens"
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".csv") }.sorted()
    }()

    /// Equality of the bit patterns in the model's precision (NaN equals NaN).
    static func sameBits(_ a: Double, _ b: Double, _ precision: ModelPrecision) -> Bool {
        if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
        return precision == .float32 ? Float(a).bitPattern == Float(b).bitPattern : a.bitPattern == b.bitPattern
    }

    /// Within one unit in the last place of the expected value, in the model's precision.
    static func withinOneUlp(_ a: Double, _ b: Double, _ precision: ModelPrecision) -> Bool {
        if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
        if a == b { return true }
        return precision == .float32 ? abs(Float(a) - Float(b)) <= Float(b).ulp : abs(a - b) <= b.ulp
    }

    @Test func everyCommittedModelHasGoldens() {
        #expect(Self.goldens.count >= 20)
    }

    @Test(arguments: goldens)
    func marginsBitExactAndOutputsWithinOneUlp(golden: String) throws {
        let modelFile = String(golden.dropLast(4))
        let model = try ModelLoader.load(path: TestPaths.models + "/" + modelFile)
        let info = model.info
        let (header, rows) = try TestPaths.numericCSV(TestPaths.models + "/goldens/" + golden)
        let columns = try info.featureNames.map { name -> Int in
            guard let column = header.firstIndex(of: name) else { throw ModelError.missingField(name) }
            return column
        }
        let marginColumn = header.firstIndex(of: "margin_0")!, outputColumn = header.firstIndex(of: "output_0")!
        #expect(outputColumn - marginColumn == info.outputCount)
        var marginMismatches: [String] = [], outputMismatches = 0
        for (line, row) in rows.enumerated() {
            let margins = try model.margins(columns.map { row[$0] })
            let outputs = try model.outputs(margins: margins)
            for k in 0..<info.outputCount {
                if !Self.sameBits(margins[k], row[marginColumn + k], info.precision) {
                    marginMismatches.append("row \(line + 2) margin_\(k): got \(margins[k]), want \(row[marginColumn + k])")
                }
                if !Self.withinOneUlp(outputs[k], row[outputColumn + k], info.precision) { outputMismatches += 1 }
            }
        }
        #expect(marginMismatches.isEmpty, "\(modelFile): \(marginMismatches.count) margins differ, e.g. \(marginMismatches.prefix(3))")
        #expect(outputMismatches == 0, "\(modelFile): \(outputMismatches) outputs differ by more than 1 ulp")
    }
}
