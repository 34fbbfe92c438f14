// The VM's entry points: evaluate a request (rules, the decision procedure of LANGUAGE.md §7, the
// verdict), and evaluate a standalone expression program to a `Value`. Per-evaluation setup (lazy
// registers, outcome bitsets, the decision state) and the decision post-pass live here; the
// instruction loop is in Interpreter.swift.

/// Runs verified programs.
public enum VM {
    /// Evaluates the request's program over its current fields. Allocation-free after warm-up
    /// (strings larger than any seen before may grow the arena once).
    public static func evaluate(_ request: Request, host: Host = .none, mode: EvaluationMode = .fast) -> Verdict {
        let ctx = request.context
        let saved = prepare(request, host: host, mode: mode)
        interpret(ctx)
        let verdict = decide(request)
        ctx.pointee.arenaLength = saved
        return verdict
    }

    /// Evaluates a standalone expression program (one with a `resultRegister`) and returns its value.
    public static func evaluateExpression(_ request: Request, host: Host = .none) -> Value {
        let ctx = request.context
        let saved = prepare(request, host: host, mode: .trace)
        interpret(ctx)
        let value = request.program.contents.resultRegister.map { request.value(ofRegister: $0) } ?? .missing
        ctx.pointee.arenaLength = saved
        return value
    }

    @inline(__always)
    private static func prepare(_ request: Request, host: Host, mode: EvaluationMode) -> Int {
        let ctx = request.context
        let r = ctx.pointee.registers
        for i in ctx.pointee.lazyStart..<ctx.pointee.lazyEnd { r[i] = .unset }
        // The four outcome bitsets are contiguous; up to 64 rules they are one word each, cleared
        // with four stores (the general case is out of line: merged with it, LLVM turned both
        // into one `memset` call).
        let words = ctx.pointee.fired
        if ctx.pointee.wordCount == 1 {
            words[0] = 0; words[1] = 0; words[2] = 0; words[3] = 0
        } else {
            clear(words, count: ctx.pointee.wordCount * 4)
        }
        ctx.pointee.best.update(repeating: -1, count: 5)
        ctx.pointee.score = 0
        ctx.pointee.thresholdsHeld = 0
        ctx.pointee.stoppedEarly = false
        ctx.pointee.code = mode == .fast ? ctx.pointee.fastCode : ctx.pointee.traceCode
        ctx.pointee.host = host
        return ctx.pointee.arenaLength
    }

    @inline(never)
    private static func clear(_ words: UnsafeMutablePointer<UInt64>, count: Int) {
        words.update(repeating: 0, count: count)
    }

    /// LANGUAGE.md §7: the first action of the precedence with an enforced firing (deciding rule =
    /// its lowest-numbered rule), else the most severe threshold that holds (block > review >
    /// challenge > allow), else none — or challenge when a challenge rule fired.
    @inline(__always)
    private static func decide(_ request: Request) -> Verdict {
        let c = request.context.pointee
        let challengeRule = c.best[Int(VerdictAction.challenge.rawValue)]
        var verdict = Verdict(action: .none, decidingRule: nil, score: c.score, challenge: challengeRule >= 0,
                              stoppedEarly: c.stoppedEarly)
        for i in 0..<c.precedenceCount {
            let action = c.precedence[i]
            let rule = c.best[Int(action.rawValue)]
            if rule >= 0 {
                verdict.action = action
                verdict.decidingRule = Int(rule)
                return verdict
            }
        }
        var severity = 0
        for i in 0..<c.thresholdCount {
            let threshold = c.thresholds[i]
            let holds = threshold.minimumScore.map { c.score >= $0 } ?? (c.thresholdsHeld & (UInt64(1) << UInt64(i)) != 0)
            guard holds else { continue }
            let s = thresholdSeverity(threshold.action)
            if s > severity { severity = s; verdict.action = threshold.action }
        }
        if verdict.action == .none && challengeRule >= 0 {
            verdict.action = .challenge
            verdict.decidingRule = Int(challengeRule)
        }
        return verdict
    }

    private static func thresholdSeverity(_ action: VerdictAction) -> Int {
        switch action {
        case .block: return 4
        case .review: return 3
        case .challenge: return 2
        case .allow: return 1
        case .none: return 0
        }
    }
}
