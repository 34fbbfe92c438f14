// Helpers for the list tests: fresh temporary data directories and the reference workload path.
import Foundation
@testable import VerdictStore

/// The directory of this test process's list directories: removed when the process exits, so
/// that test runs do not leave LMDB environments (the reference lists are several MB each) in
/// the temporary directory.
private let listTestRoot: String = {
    let root = NSTemporaryDirectory() + "verdict-list-tests-\(getpid())"
    try! FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(atPath: NSTemporaryDirectory() + "verdict-list-tests-\(getpid())") }
    return root
}()

/// A new empty directory for one test, removed with the others when the test process exits.
func makeTemporaryListDirectory(_ tag: String = "lists") -> String {
    let path = listTestRoot + "/\(tag)-\(UUID().uuidString)"
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// The reference workload directory (VERDICT_WORKLOAD or <package root>/.build-workload), if generated.
func listReferenceWorkload() -> String? {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    let path = ProcessInfo.processInfo.environment["VERDICT_WORKLOAD"] ?? root + "/.build-workload"
    return FileManager.default.fileExists(atPath: path + "/lists/blocked_emails.txt") ? path : nil
}

/// The package root (for locating helper scripts).
let listPackageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

/// Runs a program (looked up on PATH) and returns its exit status and standard output.
@discardableResult
func runListTool(_ arguments: [String], input: String? = nil) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    let out = Pipe()
    process.standardOutput = out
    if let input {
        let inPipe = Pipe()
        process.standardInput = inPipe
        try process.run()
        inPipe.fileHandleForWriting.write(Data(input.utf8))
        try inPipe.fileHandleForWriting.close()
    } else {
        try process.run()
    }
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// Whether a tool is installed (`mdb_load`, `mdb_dump`) or python-lmdb importable.
func listToolAvailable(_ arguments: [String]) -> Bool {
    (try? runListTool(arguments))?.status == 0
}

let pythonLMDBAvailable = listToolAvailable(["python3", "-c", "import lmdb"])
let lmdbUtilsAvailable = listToolAvailable(["sh", "-c", "command -v mdb_load && command -v mdb_dump"])
/// The python-lmdb helper of these tests.
let listInteropScript = listPackageRoot + "/scripts/list_interop.py"
