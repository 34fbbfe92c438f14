// `verdict bench --rules-only`: the reference ruleset on the reference workload with lists,
// counters and models served from precomputed inputs (the same inputs the peer harnesses get),
// checked against the Python oracle, then timed per event (median, p99 of per-call timestamps
// minus the timer's own cost, as ../shared/bench/peers/src/bench.h does) in trace and fast mode,
// next to the C, Lua 5.4 and LuaJIT harnesses run in the same invocation.
import ArgumentParser
import Foundation
import VerdictVM

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark rule evaluation on the reference workload against the peer harnesses.")

    @Flag(help: "Time rule evaluation only (lists, counters and models precomputed).")
    var rulesOnly = false

    @Option(help: "The ruleset (default: $VERDICT_SHARED/bench/reference.rules).")
    var rules: String?

    @Option(help: "The reference workload directory (default: $VERDICT_WORKLOAD or .build-workload).")
    var workload: String?

    @Option(help: "prep.py's output for the peers (default: .build-bench/data).")
    var data = ".build-bench/data"

    @Option(help: "The first event prep.py used (its --first).")
    var first = 100_000

    @Option(help: "Use only the first N prepared events (e.g. for callgrind).")
    var events: Int?

    @Flag(help: "Do not build and run the peer harnesses.")
    var noPeers = false

    @Option(help: "Run the peers pinned to this CPU (pin this process with taskset, as `make bench-rules` does).")
    var pin: Int?

    func run() throws {
        guard rulesOnly else { throw ValidationError("only --rules-only is implemented") }
        let env = ProcessInfo.processInfo.environment
        let shared = env["VERDICT_SHARED"] ?? "../shared"
        let rulesPath = rules ?? shared + "/bench/reference.rules"
        let workloadDir = workload ?? env["VERDICT_WORKLOAD"] ?? ".build-workload"
        guard FileManager.default.fileExists(atPath: data + "/rules_in.tsv") else {
            throw ValidationError("\(data)/rules_in.tsv is missing: run `make bench-rules` (it runs ../shared/bench/peers/prep.py)")
        }
        let program = try compileRuleset([rulesPath])
        let workload = try RulesWorkload(data: data, eventsFile: workloadDir + "/events.ndjson", first: first, limit: events, program: program)
        let n = workload.events.count
        let request = Request(program: program)
        let precomputed = workload.host
        let host = precomputed.host

        // Correctness against the oracle.
        var mismatches = 0, rolloutDecided = 0, modeDisagreements = 0
        let ruleCount = min(program.rules.filter { $0.kind == .rule }.count, 64)
        for i in 0..<n {
            precomputed.select(i)
            set(request, workload.events[i])
            let trace = VM.evaluate(request, host: host, mode: .trace)
            var mask: UInt64 = 0
            for r in 0..<ruleCount where request.fired(rule: r) { mask |= 1 << UInt64(r) }
            let want = workload.expected[i]
            let rolloutFired = mask & (1 << 38) != 0
            if rolloutFired { rolloutDecided += 1 }
            let action = trace.action == VerdictAction.challenge ? 0 : Int(trace.action.rawValue)
            var ok = mask == want.mask && trace.score == want.score && trace.challenge == want.challenge
            // The oracle reports a challenge-only verdict as action none without a deciding rule.
            let decider = trace.action == VerdictAction.challenge ? -1 : (trace.decidingRule ?? -1)
            if !rolloutFired { ok = ok && action == want.action && decider == want.decider }
            if !ok {
                mismatches += 1
                if mismatches <= 5 {
                    print("mismatch event \(i): got \(trace.action) rule \(trace.decidingRule ?? -1) score \(trace.score) challenge \(trace.challenge) mask \(String(mask, radix: 16)); want \(want.action) rule \(want.decider) score \(want.score) challenge \(want.challenge) mask \(String(want.mask, radix: 16))")
                }
            }
            let fast = VM.evaluate(request, host: host, mode: .fast)
            if fast.action != trace.action || fast.decidingRule != trace.decidingRule { modeDisagreements += 1 }
        }

        let overhead = timerOverhead()
        var rows: [(String, Double, Double, Double)] = []
        for mode in [EvaluationMode.trace, .fast] {
            for i in 0..<min(n, 10_000) { precomputed.select(i); set(request, workload.events[i]); _ = VM.evaluate(request, host: host, mode: mode) }
            let start = monotonicNanoseconds()
            for i in 0..<n { precomputed.select(i); set(request, workload.events[i]); _ = VM.evaluate(request, host: host, mode: mode) }
            let mean = Double(monotonicNanoseconds() - start) / Double(n)
            var evalOnly = [UInt64](repeating: 0, count: n), setAndEval = [UInt64](repeating: 0, count: n)
            for i in 0..<n {
                precomputed.select(i)
                let t0 = monotonicNanoseconds()
                set(request, workload.events[i])
                let t1 = monotonicNanoseconds()
                _ = VM.evaluate(request, host: host, mode: mode)
                let t2 = monotonicNanoseconds()
                evalOnly[i] = t2 - t1
                setAndEval[i] = t2 - t0
            }
            let label = mode == .trace ? "trace" : "fast"
            rows.append(("verdict \(label), eval only", rulesPercentile(&evalOnly, 0.5, overhead), rulesPercentile(&evalOnly, 0.99, overhead), .nan))
            rows.append(("verdict \(label), set fields + eval", rulesPercentile(&setAndEval, 0.5, overhead), rulesPercentile(&setAndEval, 0.99, overhead), mean))
        }

        var peers: [PeerResult] = []
        if !noPeers {
            peers = try PeerHarnesses.run(peers: shared + "/bench/peers", build: ".build-bench/peers", data: data, cpu: pin)
        }

        print("rules-only benchmark: \(rulesPath), \(program.contents.code.count) instructions, \(n) events\(pin.map { ", pinned to cpu \($0)" } ?? "")")
        print("correctness: \(mismatches) mismatches against the Python oracle (action/deciding rule not compared on the \(rolloutDecided) events where rollout_limit fired: Verdict buckets with XXH3, prep.py with an md5 stand-in); fast and trace modes disagree on \(modeDisagreements)")
        func cell(_ x: Double) -> String { x.isNaN ? "-" : String(Int(x.rounded())) }
        func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s : s + String(repeating: " ", count: w - s.count) }
        print(pad("", 40) + pad("median ns", 11) + pad("p99 ns", 9) + "mean ns")
        for (name, median, p99, mean) in rows { print(pad(name, 40) + pad(cell(median), 11) + pad(cell(p99), 9) + cell(mean)) }
        for p in peers {
            print(pad("\(p.name) (peer)", 40) + pad(cell(p.medianNanoseconds), 11) + pad(cell(p.p99Nanoseconds), 9) + cell(p.meanNanoseconds)
                  + (p.mismatches > 0 ? "  (\(p.mismatches) mismatches)" : ""))
        }
        let ours = rows[0].1
        if !peers.isEmpty {
            print("ratios (median, Verdict trace mode eval only = \(cell(ours)) ns):")
            for p in peers {
                let r = ours / p.medianNanoseconds
                print("  Verdict / \(p.name): \(String(format: "%.2f", r))x" + (r < 1 ? "  (\(p.name) is \(String(format: "%.2f", 1 / r))x slower)" : ""))
            }
        }
    }

    private func set(_ request: Request, _ event: PreparedEvent) {
        request.reset()
        for (field, value) in event.fields { try? request.set(field, value: value) }
    }
}

private func rulesPercentile(_ values: inout [UInt64], _ q: Double, _ overhead: Double) -> Double {
    values.sort()
    return max(0, Double(values[Int(q * Double(values.count - 1))]) - overhead)
}
