// The peer harnesses of ../shared/bench/peers (the reference rules hand-written in C, and in Lua
// run by Lua 5.4 and LuaJIT), built and run by `verdict bench --rules-only` so their times are
// measured in the same run as Verdict's. Each prints JSON lines (bench.h): we keep eval-only ones.
import Foundation

struct PeerResult {
    var name: String
    var medianNanoseconds: Double
    var p99Nanoseconds: Double
    var meanNanoseconds: Double
    var mismatches: Int
}

enum PeerHarnesses {
    /// Builds the three harnesses into `build` (gcc; Lua 5.4 and LuaJIT headers from Debian's
    /// liblua5.4-dev / libluajit-5.1-dev) and runs each on `data`, pinned to `cpu` when given.
    static func run(peers: String, build: String, data: String, cpu: Int?) throws -> [PeerResult] {
        try FileManager.default.createDirectory(atPath: build, withIntermediateDirectories: true)
        let src = peers + "/src"
        let builds: [(String, [String])] = [
            ("rules_c", ["-O3", "-march=native", "-o", build + "/rules_c", src + "/rules_c.c", "-lm"]),
            ("rules_lua54", ["-O2", "-I/usr/include/lua5.4", "-o", build + "/rules_lua54", src + "/rules_lua.c", "-llua5.4", "-lm"]),
            ("rules_luajit", ["-O2", "-I/usr/include/luajit-2.1", "-o", build + "/rules_luajit", src + "/rules_lua.c", "-lluajit-5.1", "-lm"]),
        ]
        var results: [PeerResult] = []
        for (name, args) in builds {
            guard shell("gcc", args).status == 0 else {
                FileHandle.standardError.write("bench: cannot build \(name) (gcc \(args.joined(separator: " ")))\n".data(using: .utf8)!)
                continue
            }
            var command = [build + "/" + name]
            if name != "rules_c" { command += [name, src + "/rules.lua"] }
            command.append(data)
            if let cpu { command = ["taskset", "-c", String(cpu)] + command }
            let (status, output) = shell(command[0], Array(command.dropFirst()))
            guard status == 0 else { throw BenchError("\(name) failed: \(output)") }
            for line in output.split(separator: "\n") where line.hasPrefix("{") {
                guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let anchor = object["anchor"] as? String, !anchor.hasSuffix("build_and_eval") else { continue }
                results.append(PeerResult(name: anchor, medianNanoseconds: object["p50_ns"] as? Double ?? .nan,
                                          p99Nanoseconds: object["p99_ns"] as? Double ?? .nan,
                                          meanNanoseconds: object["mean_ns"] as? Double ?? .nan,
                                          mismatches: object["mismatch"] as? Int ?? -1))
            }
        }
        return results
    }

    static func shell(_ executable: String, _ arguments: [String]) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch { return (-1, "\(error)") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
