// The `verdict` command as analysts and CI scripts use it: exit codes and output of `check`
// (plain and --json), `expr` (CEL notation, --json, missing, errors, diagnostics), `fmt --check`,
// and `compile` -> `disasm` of a ruleset with both kinds of threshold clause. Runs the binary that
// `swift build` put next to the test bundle.
import Foundation
import XCTest

final class CommandLineTests: XCTestCase {
    /// Output and exit status of one run of `verdict`.
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("verdict")
    }

    func verdict(_ arguments: String...) throws -> Run {
        guard FileManager.default.isExecutableFile(atPath: binary.path) else { throw XCTSkip("no verdict binary at \(binary.path)") }
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                   stderr: String(decoding: stderr, as: UTF8.self))
    }

    func temporaryFile(_ name: String, _ text: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("verdict-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static let thresholds = """
    ruleset t version "1"
    schema {
      amount_usd double
      country    string
    }
    score big: +60 if amount_usd > 100.0
    threshold review if score >= 50, block if score >= 50 and country == "RU"

    """

    func testCheckExitCodesAndJSON() throws {
        let good = try temporaryFile("good.rules", CommandLineTests.thresholds)
        let ok = try verdict("check", good)
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertTrue(ok.stdout.hasPrefix("ok: 1 file, 0 rules"), ok.stdout)

        let bad = try temporaryFile("bad.rules", "schema {\n  amount int\n}\nrule r: block if amout > 10\n")
        let failed = try verdict("check", bad)
        XCTAssertEqual(failed.status, 1)
        let text = failed.stdout + failed.stderr
        XCTAssertTrue(text.contains("bad.rules:4:18: error: unknown name 'amout'"), text)
        XCTAssertTrue(text.contains("did you mean 'amount'?"), text)

        let json = try verdict("check", "--json", bad)
        XCTAssertEqual(json.status, 1)
        let parsed = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        let first = try XCTUnwrap(parsed?.first)
        XCTAssertEqual(first["code"] as? String, "unknown-field")
        XCTAssertEqual(first["line"] as? Int, 4)
        XCTAssertEqual(first["column"] as? Int, 18)

        let unused = try temporaryFile("warn.rules", "schema {\n  amount int\n}\nlet big = amount > 10\n")
        XCTAssertEqual(try verdict("check", unused).status, 0, "warnings alone pass")
        XCTAssertEqual(try verdict("check", "--warnings-as-errors", unused).status, 1)
    }

    func testExprPrintsCELNotation() throws {
        XCTAssertEqual(try verdict("expr", "1 + 2 * 3").stdout, "7\n")
        XCTAssertEqual(try verdict("expr", "size(\"héllo\") == 5").stdout, "true\n")
        XCTAssertEqual(try verdict("expr", "\"a\\rb\\t\" + \"\\u0001\\\"\"").stdout, "\"a\\rb\\t\\u0001\\\"\"\n")
        XCTAssertEqual(try verdict("expr", "1.0 / 0.0").stdout, "double(\"inf\")\n")
        XCTAssertEqual(try verdict("expr", "2.0").stdout, "2.0\n")
        let overflow = try verdict("expr", "9223372036854775807 + 1")
        XCTAssertEqual(overflow.status, 0)
        XCTAssertTrue(overflow.stdout.hasPrefix("error: "), overflow.stdout)
        let json = try verdict("expr", "--json", "\"a\" + \"\\n\"")
        XCTAssertEqual(json.stdout, #"{"result":"value","type":"string","value":"a\n","cel":"\"a\\n\""}"# + "\n")
        let invalid = try verdict("expr", "1 + \"a\"")
        XCTAssertEqual(invalid.status, 1)
        XCTAssertTrue((invalid.stdout + invalid.stderr).contains("error:"), invalid.stdout + invalid.stderr)
    }

    func testFmtCheck() throws {
        let messy = try temporaryFile("messy.rules", "schema {\n  amount int\n}\nrule   r:  block if amount>10\n")
        XCTAssertEqual(try verdict("fmt", "--check", messy).status, 1)
        XCTAssertEqual(try verdict("fmt", messy).status, 0)
        XCTAssertEqual(try verdict("fmt", "--check", messy).status, 0, "formatted in place")
    }

    func testCompileAndDisassembleGeneralThresholds() throws {
        let rules = try temporaryFile("t.rules", CommandLineTests.thresholds)
        let output = URL(fileURLWithPath: rules).deletingLastPathComponent().appendingPathComponent("t.vbc").path
        let compiled = try verdict("compile", rules, "-o", output)
        XCTAssertEqual(compiled.status, 0, compiled.stderr)
        let listing = try verdict("disasm", output)
        XCTAssertEqual(listing.status, 0, listing.stderr)
        XCTAssertTrue(listing.stdout.contains("; threshold 0: review if score >= 50"), listing.stdout)
        XCTAssertTrue(listing.stdout.contains("; threshold 1: block if holdThreshold 1"), listing.stdout)
        XCTAssertTrue(listing.stdout.contains("loadScore"), listing.stdout)
    }

    /// `counters create --rules` writes the file the engine would (buckets fitted to the windows
    /// read), and `counters migrate` carries counts into a file for a changed ruleset.
    func testCountersCreateFromRulesAndMigrate() throws {
        let rules = try temporaryFile("v1.rules", """
            ruleset c
            schema {
              card       string
              created_at timestamp
            }
            counter attempts by card retain 7d
            counter blocks   by card retain 7d
            rule a: review if attempts(24h) > 3 || blocks(7d) > 0

            """)
        let directory = URL(fileURLWithPath: rules).deletingLastPathComponent()
        let old = directory.appendingPathComponent("old.vct").path, new = directory.appendingPathComponent("new.vct").path
        let created = try verdict("counters", "create", old, "--rules", rules, "--slots", "16")
        XCTAssertEqual(created.status, 0, created.stderr)
        XCTAssertTrue(created.stdout.contains("counter attempts by card retain 7d bucket 1h"), created.stdout)
        XCTAssertEqual(try verdict("counters", "add", old, "c1", "--counter", "attempts", "--at", "100000", "--repeat", "4").status, 0)
        // Version 2 reads attempts over 30 minutes: the 1-minute ring comes back, empty.
        let v2 = try temporaryFile("v2.rules", """
            ruleset c
            schema {
              card       string
              created_at timestamp
            }
            counter attempts by card retain 7d
            counter declines by card retain 1d
            rule a: review if attempts(24h) > 3 || attempts(30m) > 2 || declines(1h) > 1

            """)
        let migrated = try verdict("counters", "migrate", old, "--rules", v2, "-o", new)
        XCTAssertEqual(migrated.status, 0, migrated.stderr)
        for line in ["counter 'attempts': bucket 1h in the file, 1m wanted", "counter 'declines' is not in the file",
                     "counter 'blocks' is in the file but not wanted", "rings starting empty", "attempts 1m",
                     "counters starting empty: declines", "counters dropped: blocks"] {
            XCTAssertTrue(migrated.stdout.contains(line), "\(line) missing in:\n\(migrated.stdout)")
        }
        let read = try verdict("counters", "get", new, "c1", "--group", "card", "--at", "100100", "--window", "30m", "--window", "24h")
        XCTAssertTrue(read.stdout.contains("attempts[card=c1]: 30m=0 1d=4"), read.stdout)
        XCTAssertNotEqual(try verdict("counters", "migrate", old, "--rules", v2, "-o", old).status, 0)
    }
}
