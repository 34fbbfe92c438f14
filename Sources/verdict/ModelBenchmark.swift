// The timing loop of `verdict model bench`, shaped like the peer harnesses' bench.h so that the
// numbers compare: a warm-up, one loop over all rows timed as a whole (mean), then one loop with
// a timestamp pair per row (p50/p99, minus the median cost of an empty timestamp pair).
import Foundation
import VerdictModels

enum ModelBenchmark {
    struct Result {
        var meanNanoseconds: Double
        var p50Nanoseconds: Double
        var p99Nanoseconds: Double
        var visitedPerRow: Double
        /// Sum of the first margin over every prediction, so no prediction can be optimized away.
        var checksum: Double
    }

    @inline(__always) static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    static func run(_ model: any PredictiveModel, _ values: [Double], width: Int) -> Result {
        let rows = width == 0 ? 0 : values.count / width
        guard rows > 0 else { return Result(meanNanoseconds: 0, p50Nanoseconds: 0, p99Nanoseconds: 0, visitedPerRow: 0, checksum: 0) }
        var margins = [Double](repeating: 0, count: model.info.outputCount)
        var sink = 0.0
        var latencies = [UInt64](repeating: 0, count: rows)
        var overhead = [UInt64](repeating: 0, count: 100_001)
        for index in overhead.indices { let start = now(); overhead[index] = now() - start }
        overhead.sort()
        let timer = Double(overhead[overhead.count / 2])
        var mean = 0.0, visited = 0
        values.withUnsafeBufferPointer { input in
            margins.withUnsafeMutableBufferPointer { output in
                let x = input.baseAddress!, m = output.baseAddress!
                for row in 0..<min(rows, 10_000) { model.predictMargins(x + row * width, m); sink += m[0] }
                let start = now()
                for row in 0..<rows { model.predictMargins(x + row * width, m); sink += m[0] }
                mean = Double(now() - start) / Double(rows)
                for row in 0..<rows {
                    let begin = now()
                    model.predictMargins(x + row * width, m)
                    latencies[row] = now() - begin
                    sink += m[0]
                }
                for row in 0..<rows { visited += model.visitedNodes(x + row * width) }
            }
        }
        latencies.sort()
        func percentile(_ q: Double) -> Double { max(0, Double(latencies[Int(q * Double(rows - 1))]) - timer) }
        return Result(meanNanoseconds: mean, p50Nanoseconds: percentile(0.5), p99Nanoseconds: percentile(0.99),
                      visitedPerRow: Double(visited) / Double(rows), checksum: sink)
    }
}
