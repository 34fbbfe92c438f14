// `verdict model`: inspect a model file, predict rows from a CSV, and benchmark single-row
// prediction on the reference rows (the numbers that Benchmarks/models.sh puts beside the peers').
import ArgumentParser
import Foundation
import VerdictModels

struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Inspect, run and benchmark XGBoost, LightGBM and linear models.",
        subcommands: [Inspect.self, Predict.self, Bench.self]
    )

    struct Location: ParsableArguments {
        @Argument(help: "Model file: XGBoost .json/.ubj, LightGBM .txt, or linear .json.")
        var file: String
        @Option(help: "Model kind (xgboost, lightgbm, linear); guessed from the content when omitted.")
        var kind: String?

        func load() throws -> any PredictiveModel {
            var modelKind: ModelKind?
            if let kind {
                guard let parsed = ModelKind(rawValue: kind) else { throw ValidationError("unknown kind '\(kind)'") }
                modelKind = parsed
            }
            return try ModelLoader.load(path: file, kind: modelKind)
        }
    }

    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print trees, depth, features, objective and base score.")
        @OptionGroup var location: Location

        func run() throws {
            let info = try location.load().info
            print("kind:        \(info.kind.rawValue) (\(info.format))")
            print("objective:   \(info.objective) -> \(info.transform.name)")
            print("precision:   \(info.precision.rawValue)")
            print("outputs:     \(info.outputCount)")
            print("base margin: \(info.baseMargins.map { format($0, info.precision) }.joined(separator: ", "))")
            if info.kind != .linear || info.treeCount > 0 {
                print("trees:       \(info.treeCount) (\(info.genericTreeCount) walked one at a time: categorical splits, linear leaves, single leaves)")
                print("nodes:       \(info.nodeCount)")
                print("max depth:   \(info.maxDepth)")
            }
            print("features:    \(info.featureNames.count)")
            for (index, name) in info.featureNames.enumerated() { print("  \(index)\t\(name)") }
        }
    }

    struct Predict: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print `margin,output` per CSV row (a pair per class), shortest round-trip form in the model's precision.")
        @OptionGroup var location: Location
        @Option(help: "CSV with a header row of feature names; an empty cell is missing.")
        var csv: String

        func run() throws {
            let model = try location.load()
            let info = model.info
            let rows = try FeatureTable(path: csv, features: info.featureNames)
            let header = info.outputCount == 1 ? "margin,output"
                : (0..<info.outputCount).map { "margin_\($0),output_\($0)" }.joined(separator: ",")
            print(header)
            var margins = [Double](repeating: 0, count: info.outputCount)
            var outputs = margins
            for row in 0..<rows.count {
                rows.values.withUnsafeBufferPointer { values in
                    margins.withUnsafeMutableBufferPointer { m in
                        model.predictMargins(values.baseAddress! + row * rows.width, m.baseAddress!)
                        outputs.withUnsafeMutableBufferPointer { model.transform(m.baseAddress!, $0.baseAddress!) }
                    }
                }
                print((0..<info.outputCount).map {
                    format(margins[$0], info.precision) + "," + format(outputs[$0], info.precision)
                }.joined(separator: ","))
            }
        }
    }

    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time single-row prediction over CSV rows (release build, one thread); prints one JSON line.")
        @OptionGroup var location: Location
        @Option(help: "CSV of feature rows (header = feature names), e.g. the workload's features.csv.")
        var csv: String
        @Option(help: "First data row used.") var first = 100_000
        @Option(help: "Number of rows.") var rows = 100_000
        @Option(help: "Name of the measurement in the JSON line.") var anchor = "verdict_model"

        func run() throws {
            let model = try location.load()
            let table = try FeatureTable(path: csv, features: model.info.featureNames, first: first, limit: rows)
            let result = ModelBenchmark.run(model, table.values, width: table.width)
            print(String(format: "{\"anchor\":\"%@\",\"n\":%d,\"mean_ns\":%.1f,\"p50_ns\":%.1f,\"p99_ns\":%.1f,"
                         + "\"visited_nodes_per_row\":%.1f,\"ns_per_visited_node\":%.3f,\"p50_ns_per_visited_node\":%.3f,"
                         + "\"trees\":%d,\"checksum\":%.6g}",
                         anchor, table.count, result.meanNanoseconds, result.p50Nanoseconds, result.p99Nanoseconds,
                         result.visitedPerRow, result.meanNanoseconds / max(result.visitedPerRow, 1),
                         result.p50Nanoseconds / max(result.visitedPerRow, 1), model.info.treeCount, result.checksum))
        }
    }
}

/// Shortest text that round-trips in the model's precision.
func format(_ value: Double, _ precision: ModelPrecision) -> String {
    precision == .float32 ? Float(value).description : value.description
}

/// CSV rows mapped onto a model's feature order by header name (empty cell = NaN = missing).
struct FeatureTable {
    var values: [Double] = []
    let width: Int
    var count: Int { width == 0 ? 0 : values.count / width }

    init(path: String, features: [String], first: Int = 0, limit: Int = .max) throws {
        width = features.count
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw ValidationError("cannot read \(path)") }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).makeIterator()
        guard let header = lines.next() else { throw ValidationError("\(path): empty file") }
        let names = header.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        let columns = try features.map { name -> Int in
            guard let column = names.firstIndex(of: name) else { throw ValidationError("\(path): no column for model feature '\(name)'") }
            return column
        }
        var lineNumber = 1, taken = 0
        while let line = lines.next(), taken < limit {
            lineNumber += 1
            if lineNumber - 2 < first { continue }
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            for column in columns {
                let cell = column < cells.count ? cells[column].trimmingCharacters(in: .whitespacesAndNewlines) : ""
                if cell.isEmpty { values.append(.nan); continue }
                guard let value = Double(cell) else { throw ValidationError("\(path):\(lineNumber): '\(cell)' is not a number") }
                values.append(value)
            }
            taken += 1
        }
    }
}
