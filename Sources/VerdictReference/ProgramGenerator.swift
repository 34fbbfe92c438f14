// Random well-typed rulesets and random requests for the differential test (VM == reference) and
// FuzzDifferential. A program is rules source text over a random schema (every field type of
// LANGUAGE.md §2), with lets, lists, counters, rules (shadow, rollout, challenge), scores,
// thresholds, `precedence` and `on error`; expressions are built type-directed, biased towards
// values that hit the edges: overflow, division by zero, NaN, bad conversions, missing fields,
// case-insensitive text, non-ASCII text.
import VerdictLanguage

/// The field types the generator declares.
public enum GeneratedType: String, CaseIterable, Sendable {
    case int, double, bool, string, stringCI = "string ci", country, ip, timestamp
}

/// One declared field.
public struct GeneratedField: Sendable {
    public var name: String
    public var type: GeneratedType
}

/// A generated ruleset: its source and what a request generator needs to know about it.
public struct GeneratedProgram: Sendable {
    public var source: String
    public var fields: [GeneratedField]
    /// Entries of every declared list (served by `PrecomputedHost`).
    public var listEntries: [String: [String]]
    /// Feature names of every declared model, by the path written in its declaration (what a
    /// `ModelCatalog` must describe for the checker).
    public var modelFeatures: [String: [String]]
    public var seed: UInt64
}

/// One generated request: field values by name (absent = missing) and the event time.
public struct GeneratedRequest: Sendable {
    public var values: [String: ReferenceValue]
    public var now: Int64
}

/// What the generator may produce. Everything is on by default except `regex`; a construct can be
/// turned off to keep a known bug from drowning a run (the differential test and FuzzDifferential
/// use the defaults).
public struct GeneratorOptions: Sendable {
    /// `s.matches(re)` conditions (off by default so the programs of existing seeds stay the same;
    /// RegexDifferentialTests turns it on).
    public var regex = false
    /// `-0.0` literals and double negation.
    public var signedZeros = true
    /// `c ? a : b` with one `string` and one `string ci` branch.
    public var mixedTextConditionals = true

    public init(regex: Bool = false, signedZeros: Bool = true, mixedTextConditionals: Bool = true) {
        self.regex = regex
        self.signedZeros = signedZeros
        self.mixedTextConditionals = mixedTextConditionals
    }
}

/// Builds random programs and requests from a seed (or from a fuzzer's bytes).
public struct ProgramGenerator {
    private var random: SeededRandom
    private var fields: [GeneratedField] = []
    private var lets: [(name: String, type: GeneratedType)] = []
    private var counters: [(name: String, sum: Bool)] = []
    private var models: [String] = []
    private let maxDepth: Int
    private let options: GeneratorOptions

    /// `maxDepth` bounds expression nesting (3-4 gives programs of a few hundred nodes).
    public init(seed: UInt64, maxDepth: Int = 4, options: GeneratorOptions = GeneratorOptions()) {
        self.init(random: SeededRandom(seed: seed), maxDepth: maxDepth, options: options)
    }

    /// A generator whose choices come from `random` (e.g. `SeededRandom(tape:)` over fuzzer input).
    public init(random: SeededRandom, maxDepth: Int = 4, options: GeneratorOptions = GeneratorOptions()) {
        self.random = random
        self.maxDepth = maxDepth
        self.options = options
    }

    // MARK: - Text pools (edges on purpose)

    // Non-ASCII letters in both cases ("é"/"É", "straße"/"STRAßE"): `ci` folds ASCII only.
    static let texts = ["", "a", "A", "abc", "ABC", "Abc", "x@y.com", "X@Y.COM", "no-at-sign", "é", "É", "straße",
                        "STRASSE", "STRAßE", "🐱", "a%b", "a_c", "4242", "424242", "-17", "1e3", "3.5", "nan"]
    static let ints: [Int64] = [0, 1, -1, 2, 3, 7, 10, 100, -100, 4242, 1_000_000_007, Int64.max, Int64.min, Int64.max - 1,
                                Int64.min + 1, 1 << 32, -(1 << 32), 3_037_000_500]
    static let doubles: [Double] = [0, -0.0, 0.5, 1, -1, 1.5, 2.25, 100, 1e300, -1e300, 9.223372036854776e18,
                                    -9.223372036854776e18, 1e-300, 123.456]
    static let countries = ["US", "FR", "GB", "DE", "BR"]
    static let ips = ["10.0.0.1", "10.1.2.3", "192.168.1.1", "8.8.8.8", "2001:db8::1", "::1"]
    static let timestamps: [Int64] = [0, 1_700_000_000, 1_700_003_600, 1_699_900_000, 1_800_000_000]
    static let durations = ["30s", "15m", "1h", "24h", "7d"]

    // MARK: - Programs

    /// A random ruleset.
    public mutating func program(seed: UInt64) -> GeneratedProgram {
        fields = []
        lets = []
        counters = []
        models = []
        var lines: [String] = ["ruleset generated version \"seed-\(seed)\"", "", "schema {"]
        // Always at least one field of every type, plus a few more, some dotted.
        var types = GeneratedType.allCases
        for _ in 0..<random.below(4) { types.append(random.pick(GeneratedType.allCases)) }
        for (index, type) in types.enumerated() {
            let name = random.chance(1, in: 4) ? "obj\(index % 3).f\(index)" : "f\(index)"
            fields.append(GeneratedField(name: name, type: type))
            lines.append("  \(name) \(type.rawValue)")
        }
        lines.append("}")
        var listEntries: [String: [String]] = [:]
        lines.append("list names string ci")
        listEntries["names"] = ["abc", "X@Y.COM", "straße", "É"]
        lines.append("list exact string")
        listEntries["exact"] = ["abc", "4242", ""]
        lines.append("list networks ip")
        listEntries["networks"] = ["10.0.0.0/8", "2001:db8::/32", "8.8.8.8"]
        lines.append("list bins prefix")
        listEntries["bins"] = ["42", "4242", "9"]
        for index in 0..<(1 + random.below(2)) {
            let key = pickField(random.pick([GeneratedType.string, .stringCI, .int, .country, .ip]))
            let sum = random.chance(1, in: 3)
            let aggregate = sum ? " sum \(pickField(.double))" : ""
            counters.append(("c\(index)", sum))
            lines.append("counter c\(index) by \(key)\(aggregate) retain 7d")
        }
        var modelFeatures: [String: [String]] = [:]
        for index in 0..<random.below(3) {
            // Features: numbers, bools (1.0/0.0) and expressions that may be missing or fail.
            let features = (0..<(1 + random.below(3))).map { "x\($0)" }
            let bindings = features.map { feature -> String in
                let type = random.pick([GeneratedType.int, .double, .bool])
                return "  \(feature) = \(expression(type, depth: 2))"
            }
            modelFeatures["m\(index).json"] = features
            lines.append("model m\(index) \(random.pick(["xgboost", "lightgbm", "linear"])) \"m\(index).json\" {")
            lines += bindings
            lines.append("}")
            models.append("m\(index)")
        }
        for index in 0..<random.below(4) {
            let type = random.pick([GeneratedType.int, .double, .bool, .string, .bool])
            let name = "v\(index)"
            lines.append("let \(name) = \(expression(type, depth: maxDepth))")
            lets.append((name, type))
        }
        let ruleCount = 1 + random.below(6)
        for index in 0..<ruleCount {
            let action = random.pick(["allow", "block", "review", "challenge", "block", "review"])
            var line = "rule r\(index): \(action) if \(expression(.bool, depth: maxDepth))"
            if random.chance(1, in: 6) { line += " shadow" }
            if random.chance(1, in: 5) {
                let percent = random.pick(["0", "0.5", "10", "50", "100"])
                line += " rollout \(percent)% by \(pickField(random.pick([GeneratedType.string, .int, .ip])))"
            }
            lines.append(line)
        }
        for index in 0..<random.below(4) {
            let points = random.pick([5, 10, 25, -10, 40])
            lines.append("score s\(index): \(points < 0 ? "-" : "+")\(Swift.abs(points)) if \(expression(.bool, depth: maxDepth - 1))")
        }
        if random.chance(1, in: 2) {
            // The common form (decided after evaluation) and general conditions (decided by the program).
            var clauses = ["review if score >= 20", "block if score >= 50"]
            if random.chance(1, in: 2) {
                let comparison = random.pick([">", "<", "==", "!=", "<="])
                clauses.append("\(random.pick(["challenge", "allow", "review"])) if score \(comparison) \(random.pick([-10, 0, 15, 25]))"
                               + " and \(expression(.bool, depth: maxDepth - 1))")
            }
            if random.chance(1, in: 4) { clauses.append("block if \(expression(.bool, depth: maxDepth - 1))") }
            lines.append("threshold " + clauses.joined(separator: ", "))
        }
        if random.chance(1, in: 3) { lines.append("on error \(random.pick(["review", "block"]))") }
        if random.chance(1, in: 4) {
            let order = random.pick([["block", "allow", "review"], ["review", "block", "allow"], ["allow", "block", "review"]])
            lines.append("precedence \(order.joined(separator: " > "))")
        }
        return GeneratedProgram(source: lines.joined(separator: "\n") + "\n", fields: fields,
                                listEntries: listEntries, modelFeatures: modelFeatures, seed: seed)
    }

    /// A random request for `program`: each field missing one time in five, else an edge value.
    public mutating func request(for program: GeneratedProgram) -> GeneratedRequest {
        var values: [String: ReferenceValue] = [:]
        for field in program.fields where !random.chance(1, in: 5) {
            values[field.name] = value(of: field.type)
        }
        return GeneratedRequest(values: values, now: random.pick(ProgramGenerator.timestamps))
    }

    private mutating func value(of type: GeneratedType) -> ReferenceValue {
        switch type {
        case .int: return .int(random.chance(1, in: 3) ? Int64(random.below(21)) - 10 : random.pick(ProgramGenerator.ints))
        case .double:
            if random.chance(1, in: 12) { return .double(.nan) }
            if random.chance(1, in: 12) { return .double(random.chance(1, in: 2) ? .infinity : -.infinity) }
            return .double(random.chance(1, in: 3) ? Double(random.below(41)) / 4 - 5 : random.pick(ProgramGenerator.doubles))
        case .bool: return .bool(random.chance(1, in: 2))
        case .string, .stringCI: return .string(random.pick(ProgramGenerator.texts))
        case .country: return .string(random.pick(ProgramGenerator.countries))
        case .ip: return .ip(IPAddress(random.pick(ProgramGenerator.ips)) ?? IPAddress(high: 0, low: 0, isIPv4: false))
        case .timestamp: return .timestamp(random.pick(ProgramGenerator.timestamps))
        }
    }

    // MARK: - Expressions

    private mutating func pickField(_ type: GeneratedType) -> String {
        let matching = fields.filter { $0.type == type }
        return matching.isEmpty ? fields[0].name : random.pick(matching).name
    }

    private func quoted(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }

    /// A random expression of `type` (int, double, bool or string) with nesting at most `depth`.
    public mutating func expression(_ type: GeneratedType, depth: Int) -> String {
        if depth <= 0 || random.chance(1, in: 5) { return leaf(type) }
        let d = depth - 1
        switch type {
        case .int:
            switch random.below(12) {
            case 0, 1, 2: return "(\(expression(.int, depth: d)) \(random.pick(["+", "-", "*", "/", "%"])) \(expression(.int, depth: d)))"
            case 3: return "-(\(expression(.int, depth: d)))"
            case 4: return "(\(expression(.bool, depth: d)) ? \(expression(.int, depth: d)) : \(expression(.int, depth: d)))"
            case 5: return "size(\(expression(.string, depth: d)))"
            case 6: return "int(\(random.chance(1, in: 3) ? quoted(random.pick(ProgramGenerator.texts)) : expression(.double, depth: d)))"
            case 7: return "abs(\(expression(.int, depth: d)))"
            case 8: return "\(random.pick(["min", "max"]))(\(expression(.int, depth: d)), \(expression(.int, depth: d)))"
            case 9 where !counters.isEmpty:
                let counter = random.pick(counters.filter { !$0.sum }.isEmpty ? counters : counters.filter { !$0.sum })
                if counter.sum { return "int(\(counter.name)(\(random.pick(ProgramGenerator.durations))))" }
                return "\(counter.name)(\(random.pick(ProgramGenerator.durations)))"
            case 10: return "bucket(\(pickField(random.pick([GeneratedType.string, .int]))), \(random.pick([1, 2, 10, 100])))"
            default: return "int(\(pickField(.timestamp)))"
            }
        case .double:
            switch random.below(9) {
            case 0, 1, 2: return "(\(expression(.double, depth: d)) \(random.pick(["+", "-", "*", "/"])) \(expression(.double, depth: d)))"
            case 3 where options.signedZeros: return "-(\(expression(.double, depth: d)))"
            case 4: return "double(\(random.chance(1, in: 3) ? quoted(random.pick(ProgramGenerator.texts)) : expression(.int, depth: d)))"
            case 5: return "(\(expression(.bool, depth: d)) ? \(expression(.double, depth: d)) : \(expression(.double, depth: d)))"
            case 6: return "abs(\(expression(.double, depth: d)))"
            case 7 where !models.isEmpty:
                let model = random.pick(models)
                return random.chance(1, in: 2) ? model : "raw(\(model))"
            default: return "\(random.pick(["min", "max"]))(\(expression(.double, depth: d)), \(expression(.double, depth: d)))"
            }
        case .string, .country:
            switch random.below(6) {
            case 0, 1: return "(\(anyText(depth: d)) + \(anyText(depth: d)))"
            case 2: return "\(random.pick(["lower", "upper"]))(\(anyText(depth: d)))"
            case 3: return "string(\(expression(random.pick([GeneratedType.int, .double, .bool]), depth: d)))"
            case 4:
                let condition = expression(.bool, depth: d), then = expression(.string, depth: d)
                let otherwise = options.mixedTextConditionals ? anyText(depth: d) : expression(.string, depth: d)
                return "(\(condition) ? \(then) : \(otherwise))"
            default: return leaf(.string)
            }
        case .stringCI:
            switch random.below(3) {
            case 0: return "domain(\(anyText(depth: d)))"
            case 1: return "(\(expression(.bool, depth: d)) ? \(expression(.stringCI, depth: d)) : \(expression(.stringCI, depth: d)))"
            default: return leaf(.stringCI)
            }
        case .bool:
            return boolExpression(depth: d)
        case .ip, .timestamp:
            return leaf(type)
        }
    }

    /// Text of either kind: `string` (ordered byte-wise) or `string ci` (equality and `in` only).
    private mutating func anyText(depth: Int) -> String {
        expression(random.chance(1, in: 3) ? .stringCI : .string, depth: depth)
    }

    private mutating func boolExpression(depth d: Int) -> String {
        let comparison = ["==", "!=", "<", "<=", ">", ">="]
        switch random.below(20) {
        case 0, 1: return "(\(expression(.bool, depth: d)) \(random.pick(["&&", "||", "and", "or"])) \(expression(.bool, depth: d)))"
        case 2: return "\(random.pick(["!", "not "]))(\(expression(.bool, depth: d)))"
        case 3: return "(\(expression(.int, depth: d)) \(random.pick(comparison)) \(expression(.int, depth: d)))"
        case 4: return "(\(expression(.double, depth: d)) \(random.pick(comparison)) \(expression(.double, depth: d)))"
        case 5:  // exact cross-type numeric comparison
            return random.chance(1, in: 2)
                ? "(\(expression(.int, depth: d)) \(random.pick(comparison)) \(expression(.double, depth: d)))"
                : "(\(expression(.double, depth: d)) \(random.pick(comparison)) \(expression(.int, depth: d)))"
        case 6:
            return random.chance(1, in: 2)
                ? "(\(expression(.string, depth: d)) \(random.pick(comparison)) \(expression(.string, depth: d)))"
                : "(\(anyText(depth: d)) \(random.pick(["==", "!="])) \(anyText(depth: d)))"
        case 7: return "(\(pickField(.stringCI)) \(random.pick(["==", "!="])) \(quoted(random.pick(ProgramGenerator.texts))))"
        case 8:
            let items = (0..<random.below(4)).map { _ in quoted(random.pick(ProgramGenerator.texts)) }
            let subject = anyText(depth: d)
            return "(\(subject) in [\(items.joined(separator: ", "))])"
        case 9:
            // Numeric sets: an int subject takes int elements (constants or not); a double subject
            // takes double literals and non-negative int literals (widened exactly).
            let isDouble = random.chance(1, in: 3)
            let items: [String] = (0..<(1 + random.below(3))).map { _ in
                if isDouble {
                    return random.chance(1, in: 2) ? "\(random.below(11))" : doubleLiteral(Double(random.below(9)) / 2)
                }
                if random.chance(1, in: 3) { return expression(.int, depth: 0) }
                let v = random.chance(1, in: 2) ? Int64(random.below(21)) - 10 : random.pick(ProgramGenerator.ints)
                return v == .min ? "(-9223372036854775807 - 1)" : "\(v)"
            }
            return "(\(expression(isDouble ? .double : .int, depth: d)) in [\(items.joined(separator: ", "))])"
        case 10: return "\(random.pick(["has", "is_missing"]))(\(random.pick(fields).name))"
        case 11:
            let method = random.pick(["contains", "startsWith", "endsWith"])
            return "\(anyText(depth: d)).\(method)(\(anyText(depth: d)))"
        case 12:
            return "(\(expression(.bool, depth: d)) ? \(expression(.bool, depth: d)) : \(expression(.bool, depth: d)))"
        case 13:
            switch random.below(4) {
            case 0: return "(\(pickField(.stringCI)) in @names)"
            case 1: return "(\(pickField(.string)) in @exact)"
            case 2: return "(\(pickField(.ip)) in @networks)"
            default: return "(\(pickField(.string)) in @bins)"
            }
        case 14:
            return "cidr(\(pickField(.ip)), \(quoted(random.pick(["10.0.0.0/8", "192.168.0.0/16", "2001:db8::/32", "0.0.0.0/0"]))))"
        case 15:
            return "(\(pickField(.ip)) \(random.pick(["==", "!="])) \(quoted(random.pick(ProgramGenerator.ips))))"
        case 16:
            return "(\(pickField(.country)) \(random.pick(["==", "!="])) \(random.chance(1, in: 2) ? quoted(random.pick(ProgramGenerator.countries)) : pickField(.country)))"
        case 17:
            return random.chance(1, in: 2)
                ? "(\(pickField(.timestamp)) \(random.pick(comparison)) now - \(random.pick(ProgramGenerator.durations)))"
                : "(now - \(pickField(.timestamp)) \(random.pick(comparison)) \(random.pick(ProgramGenerator.durations)))"
        case 18:
            return likeOrIncludes(depth: d)
        case 19 where !options.regex:   // with regexes on, 19 is `matches` (the default case)
            return likeOrIncludes(depth: d)
        default:
            return "\(anyText(depth: d)).matches(\(quoted(random.pick(["^a", "b+", "[0-9]{2,}", "^$", "é|É", "(?i)^[a-z]+[0-9]{2,4}$", "a.c|x*y?z", "[^@]+@[^.]+[.]com$", "(ab|a)(c|bcd)$"]))))"
        }
    }

    private mutating func likeOrIncludes(depth d: Int) -> String {
        let pattern = random.pick(["a%", "%c", "a_c", "%@%", "%", "_"])
        return random.chance(1, in: 2)
            ? "(\(anyText(depth: d)) LIKE \(quoted(pattern)))"
            : "(\(anyText(depth: d)) INCLUDES \(anyText(depth: d)))"
    }

    private mutating func leaf(_ type: GeneratedType) -> String {
        let usable = lets.filter { $0.type == type }
        if !usable.isEmpty, random.chance(1, in: 4) { return random.pick(usable).name }
        switch type {
        case .int:
            if random.chance(1, in: 2) { return pickField(.int) }
            let v = random.chance(1, in: 2) ? Int64(random.below(21)) - 10 : random.pick(ProgramGenerator.ints)
            return v == .min ? "(-9223372036854775807 - 1)" : (v < 0 ? "(\(v))" : "\(v)")
        case .double:
            if random.chance(1, in: 2) { return pickField(.double) }
            var v = random.pick(ProgramGenerator.doubles)
            if !options.signedZeros, v == 0 { v = 0.0 }  // -0.0 becomes 0.0
            return v.sign == .minus ? "(-\(doubleLiteral(-v)))" : doubleLiteral(v)
        case .bool:
            return random.chance(1, in: 3) ? random.pick(["true", "false"]) : pickField(.bool)
        case .string, .country:
            return random.chance(1, in: 2) ? pickField(.string) : quoted(random.pick(ProgramGenerator.texts))
        case .stringCI:
            return pickField(.stringCI)
        case .ip: return pickField(.ip)
        case .timestamp: return pickField(.timestamp)
        }
    }

    private func doubleLiteral(_ v: Double) -> String {
        let text = "\(v)"
        return text.contains(".") || text.contains("e") ? text : text + ".0"
    }
}
