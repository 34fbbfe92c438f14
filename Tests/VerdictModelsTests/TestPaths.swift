// Where the model tests find their data: the committed Models/ folder and the generated
// reference workload (VERDICT_WORKLOAD, else <package root>/.build-workload).
import Foundation

enum TestPaths {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let models = packageRoot + "/Models"
    static var workload: String {
        ProcessInfo.processInfo.environment["VERDICT_WORKLOAD"] ?? packageRoot + "/.build-workload"
    }

    /// Parses a CSV file of numbers (header skipped); empty cells are NaN.
    static func numericCSV(_ path: String) throws -> (header: [String], rows: [[Double]]) {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var lines = text.split(separator: "\n").map(String.init)
        let header = lines.removeFirst().split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let rows = lines.map { line in
            line.split(separator: ",", omittingEmptySubsequences: false).map { Double($0) ?? .nan }
        }
        return (header, rows)
    }
}
