// The reference evaluator's `matches`: a backtracking matcher written directly from the meaning
// of each node of the checker's regex syntax tree (RegexParser), over Unicode scalars, trying every
// start position. It shares only the parser with the VM (whose matcher is a Pike VM over the
// compiled NFA), so the differential test compares two independent matching algorithms. It is
// exponential on pathological patterns: for tests and fuzzing only.
import VerdictLanguage

enum ReferenceRegex {
    /// Whether `pattern` (already accepted by the checker) matches somewhere in `text`; nil if the
    /// parser rejects it.
    static func search(_ pattern: String, in text: String) -> Bool? {
        guard let root = try? RegexParser.parse(pattern) else { return nil }
        let scalars = text.unicodeScalars.map(\.value)
        for start in 0...scalars.count where match(root, scalars, start, { _ in true }) { return true }
        return false
    }

    /// Matches `node` at `i`, then asks the continuation `k` about the position after it.
    private static func match(_ node: RegexNode, _ t: [UInt32], _ i: Int, _ k: (Int) -> Bool) -> Bool {
        switch node {
        case .empty: return k(i)
        case .codePoints(let ranges): return i < t.count && ranges.contains { $0.contains(t[i]) } && k(i + 1)
        case .beginText: return i == 0 && k(i)
        case .endText: return i == t.count && k(i)
        case .concatenation(let xs): return sequence(xs[...], t, i, k)
        case .alternation(let xs): return xs.contains { match($0, t, i, k) }
        case .repetition(let x, let min, let max): return repeated(x, min, max, t, i, k)
        }
    }

    private static func sequence(_ xs: ArraySlice<RegexNode>, _ t: [UInt32], _ i: Int, _ k: (Int) -> Bool) -> Bool {
        guard let first = xs.first else { return k(i) }
        return match(first, t, i) { j in sequence(xs.dropFirst(), t, j, k) }
    }

    /// At least `min`, at most `max` (nil: unbounded) copies of `x`; an optional copy must consume
    /// input (an empty one changes nothing, and refusing it ends unbounded loops).
    private static func repeated(_ x: RegexNode, _ min: Int, _ max: Int?, _ t: [UInt32], _ i: Int, _ k: (Int) -> Bool) -> Bool {
        if min > 0 { return match(x, t, i) { j in repeated(x, min - 1, max.map { $0 - 1 }, t, j, k) } }
        if max == 0 { return k(i) }
        if match(x, t, i, { j in j > i && repeated(x, 0, max.map { $0 - 1 }, t, j, k) }) { return true }
        return k(i)
    }
}
