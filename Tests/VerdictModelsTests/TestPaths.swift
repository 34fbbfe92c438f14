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

    /// Parses a CSV file of numbers (header skipped); empty cells are NaN. With `only`, rows not
    /// listed (0-based data row numbers) are left empty, unparsed.
    static func numericCSV(_ path: String, only: Set<Int>? = nil) throws -> (header: [String], rows: [[Double]]) {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var lines = text.split(separator: "\n")
        let header = lines.removeFirst().split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let rows = lines.enumerated().map { index, line -> [Double] in
            if let only, !only.contains(index) { return [] }
            return line.split(separator: ",", omittingEmptySubsequences: false).map { Double($0) ?? .nan }
        }
        return (header, rows)
    }
}
