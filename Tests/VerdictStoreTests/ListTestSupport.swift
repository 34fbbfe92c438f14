// Helpers for the list tests: fresh temporary data directories and the reference workload path.
import Foundation
@testable import VerdictStore

/// A new empty directory under the system temporary directory.
func makeTemporaryListDirectory(_ tag: String = "lists") -> String {
    let path = NSTemporaryDirectory() + "verdict-\(tag)-\(UUID().uuidString)"
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// The reference workload directory (VERDICT_WORKLOAD or <package root>/.build-workload), if generated.
func referenceWorkload() -> String? {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    let path = ProcessInfo.processInfo.environment["VERDICT_WORKLOAD"] ?? root + "/.build-workload"
    return FileManager.default.fileExists(atPath: path + "/lists/blocked_emails.txt") ? path : nil
}

/// The package root (for locating helper scripts).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
