// The meaning of every operator and builtin of the rule language on plain values (LANGUAGE.md
// §2-4, CEL langdef where the language is silent), written for clarity, not speed: checked
// integer arithmetic, exact int/double comparison, text compared by code points (no Unicode
// normalisation), CEL conversions. Case mapping (`lower`, `upper`, `ci` comparisons, `domain`)
// is ASCII-only, the VM's documented choice where LANGUAGE.md is silent (like CEL's
// `lowerAscii`): non-ASCII letters compare exactly. Strict in the sense of §4: callers handle
// missing/error operands before calling these.
import Foundation
import VerdictLanguage

enum ReferenceSemantics {
    // MARK: Arithmetic

    static func arithmetic(_ op: ArithmeticOperator, _ a: ReferenceValue, _ b: ReferenceValue) -> ReferenceResult {
        switch (a, b) {
        case (.int(let x), .int(let y)): return intArithmetic(op, x, y).map { .value(.int($0)) } ?? .error(intError(op, y))
        case (.double(let x), .double(let y)):
            switch op {
            case .add: return .value(.double(x + y))
            case .subtract: return .value(.double(x - y))
            case .multiply: return .value(.double(x * y))
            case .divide: return .value(.double(x / y))
            case .remainder: return .error(.conversion)  // the checker has no double `%`
            }
        case (.timestamp(let t), .duration(let d)):
            let r = op == .add ? t.addingReportingOverflow(d) : t.subtractingReportingOverflow(d)
            return r.overflow ? .error(.overflow) : .value(.timestamp(r.partialValue))
        case (.duration(let d), .timestamp(let t)):
            let r = d.addingReportingOverflow(t)
            return r.overflow ? .error(.overflow) : .value(.timestamp(r.partialValue))
        case (.timestamp(let x), .timestamp(let y)):
            let r = x.subtractingReportingOverflow(y)
            return r.overflow ? .error(.overflow) : .value(.duration(r.partialValue))
        case (.duration(let x), .duration(let y)):
            let r = op == .add ? x.addingReportingOverflow(y) : x.subtractingReportingOverflow(y)
            return r.overflow ? .error(.overflow) : .value(.duration(r.partialValue))
        default:
            return .error(.conversion)
        }
    }

    /// Checked int64 arithmetic; nil on overflow or division by zero.
    static func intArithmetic(_ op: ArithmeticOperator, _ x: Int64, _ y: Int64) -> Int64? {
        let r: (partialValue: Int64, overflow: Bool)
        switch op {
        case .add: r = x.addingReportingOverflow(y)
        case .subtract: r = x.subtractingReportingOverflow(y)
        case .multiply: r = x.multipliedReportingOverflow(by: y)
        case .divide:
            if y == 0 { return nil }
            r = x.dividedReportingOverflow(by: y)
        case .remainder:
            if y == 0 { return nil }
            r = x.remainderReportingOverflow(dividingBy: y)
        }
        return r.overflow ? nil : r.partialValue
    }

    private static func intError(_ op: ArithmeticOperator, _ y: Int64) -> ReferenceError {
        switch op {
        case .divide where y == 0: return .divisionByZero
        case .remainder where y == 0: return .moduloByZero
        default: return .overflow
        }
    }

    static func negate(_ a: ReferenceValue) -> ReferenceResult {
        switch a {
        case .int(let x): return x == .min ? .error(.overflow) : .value(.int(-x))
        case .double(let x): return .value(.double(-x))
        case .duration(let x): return x == .min ? .error(.overflow) : .value(.duration(-x))
        default: return .error(.conversion)
        }
    }

    // MARK: Comparison

    /// Three-way order of two values of comparable types; nil when unordered (NaN) or of
    /// incomparable types. Numbers compare exactly across int and double.
    static func order(_ a: ReferenceValue, _ b: ReferenceValue) -> Int? {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        case (.double(let x), .double(let y)):
            if x.isNaN || y.isNaN { return nil }
            return x < y ? -1 : (x == y ? 0 : 1)
        case (.int(let x), .double(let y)): return compareIntDouble(x, y)
        case (.double(let x), .int(let y)): return compareIntDouble(y, x).map { -$0 }
        case (.bool(let x), .bool(let y)): return x == y ? 0 : (!x ? -1 : 1)
        case (.string(let x), .string(let y)): return compareText(x, y)
        case (.timestamp(let x), .timestamp(let y)), (.duration(let x), .duration(let y)):
            return x < y ? -1 : (x == y ? 0 : 1)
        case (.ip(let x), .ip(let y)):
            if x.high != y.high { return x.high < y.high ? -1 : 1 }
            return x.low < y.low ? -1 : (x.low == y.low ? 0 : 1)
        case (.action(let x), .action(let y)): return x == y ? 0 : (x.rawValue < y.rawValue ? -1 : 1)
        default: return nil
        }
    }

    /// Exact comparison of an int with a double (CEL's cross-type numeric ordering); nil for NaN.
    static func compareIntDouble(_ x: Int64, _ y: Double) -> Int? {
        if y.isNaN { return nil }
        if y >= 9223372036854775808.0 { return -1 }  // 2^63: above every int64
        if y < -9223372036854775808.0 { return 1 }
        // -2^63 <= y < 2^63: truncation is exact and in range.
        let whole = Int64(y.rounded(.towardZero))
        if x != whole { return x < whole ? -1 : 1 }
        let fraction = y - Double(whole)
        return fraction > 0 ? -1 : (fraction < 0 ? 1 : 0)
    }

    /// Code-point order (UTF-8 byte order is the same), no normalisation.
    static func compareText(_ x: String, _ y: String) -> Int {
        let a = Array(x.utf8), b = Array(y.utf8)
        for (p, q) in zip(a, b) where p != q { return p < q ? -1 : 1 }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }

    /// `==`: exact for numbers (across int/double), byte-wise for text, lower-cased text when
    /// `caseInsensitive`.
    static func equal(_ a: ReferenceValue, _ b: ReferenceValue, caseInsensitive: Bool) -> Bool {
        if caseInsensitive, case .string(let x) = a, case .string(let y) = b {
            return fold(x) == fold(y)
        }
        if case .list(let xs) = a, case .list(let ys) = b {
            return xs.count == ys.count && zip(xs, ys).allSatisfy { equal($0, $1, caseInsensitive: caseInsensitive) }
        }
        return order(a, b) == 0
    }

    static func compare(_ op: ComparisonOperator, _ a: ReferenceValue, _ b: ReferenceValue, caseInsensitive: Bool) -> Bool {
        switch op {
        case .equal: return equal(a, b, caseInsensitive: caseInsensitive)
        case .notEqual: return !equal(a, b, caseInsensitive: caseInsensitive)
        case .less: return order(a, b).map { $0 < 0 } ?? false
        case .lessEqual: return order(a, b).map { $0 <= 0 } ?? false
        case .greater: return order(a, b).map { $0 > 0 } ?? false
        case .greaterEqual: return order(a, b).map { $0 >= 0 } ?? false
        }
    }

    // MARK: Text

    /// Case folding for `ci` comparisons: ASCII `A-Z` to `a-z`, every other byte unchanged.
    static func fold(_ s: String) -> [UInt8] { s.utf8.map(lowerASCII) }

    static func lowerASCII(_ b: UInt8) -> UInt8 { b >= 65 && b <= 90 ? b + 32 : b }
    static func upperASCII(_ b: UInt8) -> UInt8 { b >= 97 && b <= 122 ? b - 32 : b }

    /// `lower(s)` / `upper(s)`: ASCII case mapping.
    static func lower(_ s: String) -> String { String(decoding: s.utf8.map(lowerASCII), as: UTF8.self) }
    static func upper(_ s: String) -> String { String(decoding: s.utf8.map(upperASCII), as: UTF8.self) }

    /// Byte-subsequence search on UTF-8, which for valid UTF-8 is code-point substring search.
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        if needle.isEmpty { return true }
        if needle.count > haystack.count { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return true
        }
        return false
    }

    static func text(_ s: String, caseInsensitive: Bool) -> [UInt8] { caseInsensitive ? fold(s) : Array(s.utf8) }

    /// Radar `LIKE`: anchored; `%` any run of code points, `_` exactly one.
    static func like(_ value: String, pattern: String, caseInsensitive: Bool) -> Bool {
        let s = Array((caseInsensitive ? lower(value) : value).unicodeScalars)
        let p = Array((caseInsensitive ? lower(pattern) : pattern).unicodeScalars)
        // Classic wildcard matching with backtracking to the last `%`.
        var i = 0, j = 0, star = -1, mark = 0
        while i < s.count {
            if j < p.count, p[j] == "_" || (p[j] != "%" && p[j] == s[i]) {
                i += 1; j += 1
            } else if j < p.count, p[j] == "%" {
                star = j; mark = i; j += 1
            } else if star >= 0 {
                j = star + 1; mark += 1; i = mark
            } else {
                return false
            }
        }
        while j < p.count, p[j] == "%" { j += 1 }
        return j == p.count
    }

    /// `s.matches(re)`: RE2's unanchored search over code points, by the independent backtracking
    /// matcher of ReferenceRegex.swift.
    static func matches(_ s: String, pattern: String) -> ReferenceResult {
        guard let found = ReferenceRegex.search(pattern, in: s) else { return .error(.conversion) }
        return .value(.bool(found))
    }

    /// `domain(email)`: text after the last `@`, lower-cased; missing without `@`.
    static func domain(_ email: String) -> ReferenceResult {
        guard let at = email.lastIndex(of: "@") else { return .missing }
        return .value(.string(lower(String(email[email.index(after: at)...]))))
    }

    // MARK: Conversions

    static func toInt(_ a: ReferenceValue) -> ReferenceResult {
        switch a {
        case .int: return .value(a)
        case .timestamp(let t): return .value(.int(t))
        case .double(let d):
            // CEL: the open interval (-2^63, 2^63); NaN is an error.
            guard d.isFinite, d > -9223372036854775808.0, d < 9223372036854775808.0 else { return .error(.conversion) }
            return .value(.int(Int64(d.rounded(.towardZero))))
        case .string(let s):
            guard let v = Int64(s) else { return .error(.conversion) }
            return .value(.int(v))
        default: return .error(.conversion)
        }
    }

    static func toDouble(_ a: ReferenceValue) -> ReferenceResult {
        switch a {
        case .double: return .value(a)
        case .int(let v): return .value(.double(Double(v)))
        case .string(let s):
            guard let v = Double(s) else { return .error(.conversion) }
            return .value(.double(v))
        default: return .error(.conversion)
        }
    }

    static func toString(_ a: ReferenceValue) -> ReferenceResult {
        switch a {
        case .string: return .value(a)
        case .int(let v): return .value(.string(String(v)))
        case .double(let v): return .value(.string(formatDouble(v)))
        case .bool(let v): return .value(.string(v ? "true" : "false"))
        case .ip(let v): return .value(.string(formatAddress(v)))
        case .timestamp(let v): return .value(.string(String(v)))
        case .duration(let v): return .value(.string("\(v)s"))
        case .action(let v): return .value(.string(v.rawValue))
        case .list: return .error(.conversion)
        }
    }

    /// `string(double)` (LANGUAGE.md is silent; this is the VM's documented rendering): whole
    /// numbers below 1e15 as `N.0` (`-0.0` keeps its sign), `NaN`, `+infinity`, `-infinity`,
    /// otherwise the shortest text that reads back to the same double.
    static func formatDouble(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+infinity" : "-infinity" }
        if v == v.rounded(), Swift.abs(v) < 1e15 { return (v.sign == .minus ? "-" : "") + String(Int64(Swift.abs(v))) + ".0" }
        return "\(v)"
    }

    /// `string(ip)`: dotted IPv4, RFC 5952 IPv6 (inet_ntop).
    static func formatAddress(_ address: IPAddress) -> String {
        let bytes = ReferenceEvaluator.canonicalBytes(.ip(address))
        var out = [CChar](repeating: 0, count: 64)
        let ok = bytes.withUnsafeBytes { inet_ntop(bytes.count == 4 ? AF_INET : AF_INET6, $0.baseAddress, &out, 64) } != nil
        return ok ? String(decoding: out.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : address.description
    }
}
