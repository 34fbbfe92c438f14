// The regular-expression syntax of `s.matches(re)`: the RE2 subset of LANGUAGE.md §3 parsed into
// a small tree. The checker validates patterns with this parser (so a pattern is accepted exactly
// when it can run) and the compiler translates the tree into the VM's regex program. `(?i)` is
// applied while parsing (every literal and class gets its case variants), so the tree has no flags.

/// A parsed regular expression. Characters are Unicode code points.
public indirect enum RegexNode: Equatable, Sendable {
    /// Matches the empty string.
    case empty
    /// One code point from sorted, disjoint, non-adjacent ranges (literals, classes, `.`).
    case codePoints([ClosedRange<UInt32>])
    /// `^` / `\A`: the start of the text.
    case beginText
    /// `$` / `\z`: the end of the text.
    case endText
    case concatenation([RegexNode])
    case alternation([RegexNode])
    /// `x*`, `x+`, `x?`, `x{n}`, `x{n,}`, `x{n,m}` (`max == nil`: unbounded). Laziness does not
    /// change whether a pattern matches, so it is not recorded.
    case repetition(RegexNode, min: Int, max: Int?)

    /// Number of instructions of this node's compiled program (the compiler's layout: a code point
    /// set, anchor, split or jump is one instruction each).
    public var instructionCount: Int {
        switch self {
        case .empty: return 0
        case .codePoints, .beginText, .endText: return 1
        case .concatenation(let xs): return xs.reduce(0) { $0 + $1.instructionCount }
        case .alternation(let xs): return xs.reduce(0) { $0 + $1.instructionCount } + 2 * (xs.count - 1)
        case .repetition(let x, let min, let max):
            let n = x.instructionCount
            guard let max else { return min * n + n + 2 }
            return min * n + (max - min) * (n + 1)
        }
    }
}

/// Why a pattern is not accepted: a message and the 0-based code point offset in the pattern.
public struct RegexSyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
    public var offset: Int
    public var message: String
    public var description: String { "\(message) (at character \(offset + 1) of the pattern)" }
}

/// Parser of the RE2 subset.
public enum RegexParser {
    /// Largest count of a counted repetition `{n,m}`.
    public static let maxRepeat = 1000
    /// Largest compiled program (instructions), bounding the matcher's per-request scratch.
    public static let maxInstructions = 10_000

    /// Parses `pattern`, or throws the first problem found.
    public static func parse(_ pattern: String) throws(RegexSyntaxError) -> RegexNode {
        var p = State(Array(pattern.unicodeScalars).map(\.value))
        if p.hasPrefix("(?i)") { p.caseInsensitive = true; p.i = 4 }
        let node = try p.alternation()
        if p.i < p.s.count { throw p.error("unmatched ')'") }
        guard node.instructionCount + 1 <= maxInstructions else {
            throw RegexSyntaxError(offset: 0, message: "pattern too large (more than \(maxInstructions) instructions once repetitions are expanded)")
        }
        return node
    }

    static let digit: [ClosedRange<UInt32>] = [48...57]
    static let word: [ClosedRange<UInt32>] = [48...57, 65...90, 95...95, 97...122]
    static let space: [ClosedRange<UInt32>] = [9...10, 12...13, 32...32]
    static let maxCodePoint: UInt32 = 0x10FFFF

    /// Sorted, merged ranges.
    static func normalize(_ ranges: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
        var out: [ClosedRange<UInt32>] = []
        for r in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = out.last, r.lowerBound <= last.upperBound &+ 1 {
                out[out.count - 1] = last.lowerBound...max(last.upperBound, r.upperBound)
            } else {
                out.append(r)
            }
        }
        return out
    }

    /// The code points not in `ranges` (which must be normalized).
    static func complement(_ ranges: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
        var out: [ClosedRange<UInt32>] = []
        var next: UInt32 = 0
        for r in ranges {
            if r.lowerBound > next { out.append(next...(r.lowerBound - 1)) }
            next = r.upperBound &+ 1
        }
        if next <= maxCodePoint && !(ranges.last?.upperBound == maxCodePoint) { out.append(next...maxCodePoint) }
        return out
    }

    /// Adds the simple (one code point) upper- and lower-case variants of every code point. Ranges
    /// wider than 4096 code points get ASCII variants only (such ranges already hold almost every
    /// letter of the scripts they cover).
    static func caseFolded(_ ranges: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
        var out = ranges
        for r in ranges {
            let wide = r.count > 4096
            for c in r.lowerBound...(wide ? min(r.upperBound, 127) : r.upperBound) {
                guard let scalar = Unicode.Scalar(c) else { continue }
                for variant in [scalar.properties.lowercaseMapping, scalar.properties.uppercaseMapping] {
                    let scalars = variant.unicodeScalars
                    if scalars.count == 1, let v = scalars.first?.value, v != c { out.append(v...v) }
                }
            }
        }
        return normalize(out)
    }

    private struct State {
        let s: [UInt32]
        var i = 0
        var caseInsensitive = false
        init(_ s: [UInt32]) { self.s = s }

        func error(_ message: String, at offset: Int? = nil) -> RegexSyntaxError {
            RegexSyntaxError(offset: offset ?? i, message: message)
        }
        func hasPrefix(_ text: String, at offset: Int? = nil) -> Bool {
            let start = offset ?? i
            let t = text.unicodeScalars.map(\.value)
            return start + t.count <= s.count && Array(s[start..<(start + t.count)]) == t
        }
        var peek: UInt32? { i < s.count ? s[i] : nil }
        func isChar(_ c: Character) -> Bool { peek == c.unicodeScalars.first!.value }

        func set(_ ranges: [ClosedRange<UInt32>]) -> RegexNode {
            .codePoints(caseInsensitive ? RegexParser.caseFolded(RegexParser.normalize(ranges)) : RegexParser.normalize(ranges))
        }

        mutating func alternation() throws(RegexSyntaxError) -> RegexNode {
            var branches = [try concatenation()]
            while isChar("|") { i += 1; branches.append(try concatenation()) }
            return branches.count == 1 ? branches[0] : .alternation(branches)
        }

        mutating func concatenation() throws(RegexSyntaxError) -> RegexNode {
            var items: [RegexNode] = []
            while let c = peek, c != 0x7C, c != 0x29 {   // '|', ')'
                var atom = try self.atom()
                while let (min, max, start) = try quantifier() {
                    if case .beginText = atom { throw error("missing argument to repetition operator", at: start) }
                    if case .endText = atom { throw error("missing argument to repetition operator", at: start) }
                    if isChar("?") { i += 1 }   // lazy: same set of matched texts
                    if let q = peek, q == 0x2A || q == 0x2B || q == 0x3F {
                        throw error("bad repetition operator: a repetition cannot directly follow another")
                    }
                    atom = .repetition(atom, min: min, max: max)
                }
                items.append(atom)
            }
            if items.isEmpty { return .empty }
            return items.count == 1 ? items[0] : .concatenation(items)
        }

        /// `*`, `+`, `?` or a well-formed `{n}`, `{n,}`, `{n,m}` at the current position.
        mutating func quantifier() throws(RegexSyntaxError) -> (Int, Int?, Int)? {
            let start = i
            guard let c = peek else { return nil }
            switch c {
            case 0x2A: i += 1; return (0, nil, start)
            case 0x2B: i += 1; return (1, nil, start)
            case 0x3F: i += 1; return (0, 1, start)
            case 0x7B:
                var j = i + 1
                func number(_ j: inout Int) -> Int? {
                    var value = 0, digits = 0
                    while j < s.count, s[j] >= 48, s[j] <= 57 {
                        value = min(value * 10 + Int(s[j] - 48), 1_000_000); digits += 1; j += 1
                    }
                    return digits > 0 ? value : nil
                }
                guard let low = number(&j) else { return nil }   // not a repetition: a literal '{'
                var high: Int? = low
                if j < s.count, s[j] == 0x2C { j += 1; high = number(&j) }
                guard j < s.count, s[j] == 0x7D else { return nil }
                if low > RegexParser.maxRepeat || (high ?? 0) > RegexParser.maxRepeat {
                    throw error("repetition count above \(RegexParser.maxRepeat)", at: start)
                }
                if let high, high < low { throw error("bad repetition range: {\(low),\(high)}", at: start) }
                i = j + 1
                return (low, high, start)
            default: return nil
            }
        }

        mutating func atom() throws(RegexSyntaxError) -> RegexNode {
            let start = i
            let c = s[i]
            switch c {
            case 0x28:   // (
                if hasPrefix("(?:") {
                    i += 3
                } else if hasPrefix("(?") {
                    throw error(hasPrefix("(?i)") ? "the flag (?i) is supported only at the start of the pattern"
                                                  : "unsupported group syntax (supported: ( ), (?: ), (?i) at the start)")
                } else {
                    i += 1
                }
                let inner = try alternation()
                guard isChar(")") else { throw error("missing ')'", at: start) }
                i += 1
                return inner
            case 0x2A, 0x2B, 0x3F:
                throw error("missing argument to repetition operator")
            case 0x2E:   // .
                i += 1
                return .codePoints([0...9, 11...RegexParser.maxCodePoint])
            case 0x5E: i += 1; return .beginText
            case 0x24: i += 1; return .endText
            case 0x5B: return try characterClass()
            case 0x5C:   // backslash
                i += 1
                if isChar("A") { i += 1; return .beginText }
                if isChar("z") { i += 1; return .endText }
                return set(try escape())
            default:
                i += 1
                return set([c...c])
            }
        }

        /// An escape after the backslash: the code points it stands for.
        mutating func escape() throws(RegexSyntaxError) -> [ClosedRange<UInt32>] {
            let start = i - 1
            guard let c = peek else { throw error("trailing backslash at the end of the pattern", at: start) }
            i += 1
            switch c {
            case 0x64: return RegexParser.digit                                       // d
            case 0x44: return RegexParser.complement(RegexParser.digit)               // D
            case 0x77: return RegexParser.word                                        // w
            case 0x57: return RegexParser.complement(RegexParser.word)                // W
            case 0x73: return RegexParser.space                                       // s
            case 0x53: return RegexParser.complement(RegexParser.space)               // S
            case 0x6E: return [10...10]                                               // n
            case 0x74: return [9...9]                                                 // t
            case 0x72: return [13...13]                                               // r
            case 0x66: return [12...12]                                               // f
            case 0x76: return [11...11]                                               // v
            case 0x61: return [7...7]                                                 // a
            case 0x78:                                                                // x
                var value: UInt32 = 0, digits = 0
                func hex(_ d: UInt32) -> UInt32? {
                    switch d {
                    case 48...57: return d - 48
                    case 65...70: return d - 55
                    case 97...102: return d - 87
                    default: return nil
                    }
                }
                if isChar("{") {
                    i += 1
                    while let d = peek, let h = hex(d) { value = min(value * 16 + h, 0x110000); digits += 1; i += 1 }
                    guard digits > 0, isChar("}") else { throw error("bad \\x{...} escape", at: start) }
                    i += 1
                } else {
                    for _ in 0..<2 {
                        guard let d = peek, let h = hex(d) else { throw error("bad \\x escape (\\xHH or \\x{H...})", at: start) }
                        value = value * 16 + h; i += 1
                    }
                }
                guard value <= RegexParser.maxCodePoint, !(0xD800...0xDFFF).contains(value) else {
                    throw error("escape \\x{\(String(value, radix: 16))} is not a Unicode code point", at: start)
                }
                return [value...value]
            case 0x30...0x39:
                throw error(c == 0x30 ? "octal escapes are not supported (use \\x{...})" : "backreferences are not supported", at: start)
            case 0x62, 0x42:
                throw error("word boundaries (\\b, \\B) are not supported", at: start)
            case 0x70, 0x50:
                throw error("Unicode classes (\\p, \\P) are not supported", at: start)
            default:
                // Any other ASCII character that is not a letter or digit escapes itself.
                if c < 128, !(0x41...0x5A).contains(c), !(0x61...0x7A).contains(c) { return [c...c] }
                throw error("unknown escape \\\(Unicode.Scalar(c).map { String($0) } ?? "?")", at: start)
            }
        }

        /// `[...]` or `[^...]`.
        mutating func characterClass() throws(RegexSyntaxError) -> RegexNode {
            let start = i
            i += 1
            let negated = isChar("^")
            if negated { i += 1 }
            var ranges: [ClosedRange<UInt32>] = []
            var first = true
            while true {
                guard let c = peek else { throw error("missing ']' of a character class", at: start) }
                if c == 0x5D && !first { i += 1; break }   // ]
                first = false
                if hasPrefix("[:") { throw error("POSIX classes ([:alpha:]) are not supported") }
                let itemStart = i
                let low = try classAtom()
                guard low.count == 1, low[0].lowerBound == low[0].upperBound else { ranges += low; continue }
                if isChar("-"), i + 1 < s.count, s[i + 1] != 0x5D {
                    i += 1
                    let high = try classAtom()
                    guard high.count == 1, high[0].lowerBound == high[0].upperBound else {
                        throw error("bad character class range (a class cannot end a range)", at: itemStart)
                    }
                    guard low[0].lowerBound <= high[0].lowerBound else {
                        throw error("bad character class range (start after end)", at: itemStart)
                    }
                    ranges.append(low[0].lowerBound...high[0].lowerBound)
                } else {
                    ranges += low
                }
            }
            var normalized = RegexParser.normalize(ranges)
            if caseInsensitive { normalized = RegexParser.caseFolded(normalized) }
            return .codePoints(negated ? RegexParser.complement(normalized) : normalized)
        }

        mutating func classAtom() throws(RegexSyntaxError) -> [ClosedRange<UInt32>] {
            let c = s[i]
            i += 1
            if c == 0x5C { return try escape() }
            return [c...c]
        }
    }
}
