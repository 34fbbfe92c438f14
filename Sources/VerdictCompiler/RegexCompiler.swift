// Translation of a checked `matches` pattern (VerdictLanguage's regex syntax tree) into the VM's
// regex program: the classic Thompson construction, laid out exactly as
// `RegexNode.instructionCount` counts (the parser bounds program size with that count).
import VerdictLanguage
import VerdictVM

enum RegexCompiler {
    /// The program of `pattern`; throws the parser's error for a pattern the checker would reject.
    static func compile(_ pattern: String) throws -> RegexProgram {
        let root = try RegexParser.parse(pattern)
        var emitter = Emitter()
        emitter.emit(root)
        emitter.code.append(RegexInstruction(.match))
        return RegexProgram(instructions: emitter.code, ranges: emitter.ranges, pattern: pattern)
    }

    private struct Emitter {
        var code: [RegexInstruction] = []
        var ranges: [RegexRange] = []
        var rangeIndex: [[RegexRange]: UInt32] = [:]

        var next: UInt32 { UInt32(code.count) }

        mutating func emit(_ node: RegexNode) {
            switch node {
            case .empty: break
            case .beginText: code.append(RegexInstruction(.beginText))
            case .endText: code.append(RegexInstruction(.endText))
            case .codePoints(let set):
                // An empty set (`[^\x{0}-\x{10FFFF}]`) matches nothing: it becomes a surrogate,
                // which the matcher's UTF-8 decoder never produces.
                let rs = set.isEmpty ? [RegexRange(0xD800, 0xD800)] : set.map { RegexRange($0.lowerBound, $0.upperBound) }
                let start: UInt32
                if let known = rangeIndex[rs] { start = known } else {
                    start = UInt32(ranges.count); ranges += rs; rangeIndex[rs] = start
                }
                code.append(RegexInstruction(.codePoints, x: start, y: UInt32(rs.count)))
            case .concatenation(let xs):
                for x in xs { emit(x) }
            case .alternation(let xs):
                // split L1, next; L1: x0; jump end; next: split L2, next2; ... last alternative.
                var jumps: [Int] = []
                for (i, x) in xs.enumerated() {
                    if i < xs.count - 1 {
                        let split = code.count
                        code.append(RegexInstruction(.split))
                        emit(x)
                        jumps.append(code.count)
                        code.append(RegexInstruction(.jump))
                        code[split] = RegexInstruction(.split, x: UInt32(split + 1), y: next)
                    } else {
                        emit(x)
                    }
                }
                for j in jumps { code[j] = RegexInstruction(.jump, x: next) }
            case .repetition(let x, let min, let max):
                for _ in 0..<min { emit(x) }
                guard let max else {
                    // L: split body, end; body: x; jump L; end:
                    let split = code.count
                    code.append(RegexInstruction(.split))
                    emit(x)
                    code.append(RegexInstruction(.jump, x: UInt32(split)))
                    code[split] = RegexInstruction(.split, x: UInt32(split + 1), y: next)
                    return
                }
                // (max - min) nested optional copies: split a, end; a: x; split b, end; b: x; ... end:
                var splits: [Int] = []
                for _ in min..<max {
                    splits.append(code.count)
                    code.append(RegexInstruction(.split))
                    emit(x)
                }
                for s in splits { code[s] = RegexInstruction(.split, x: UInt32(s + 1), y: next) }
            }
        }
    }
}
