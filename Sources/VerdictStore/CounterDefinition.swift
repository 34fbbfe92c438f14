// What a velocity counter is: its name, the key expression it is grouped by, what it aggregates
// (count, sum, bounded distinct), how long it retains events and its finest bucket. Also the text
// form used by the CLI: the `counter` declaration of the rule language (LANGUAGE.md §5), `when`
// ignored, with an optional trailing `bucket DURATION`; and the bucket an engine fits to the
// windows a ruleset reads.

/// What a counter aggregates over the events of one key.
public enum CounterAggregate: Equatable, Sendable {
    /// The number of events.
    case count
    /// The sum of a numeric expression (the expression's source text).
    case sum(String)
    /// The number of distinct values of an expression, exact up to `CounterTable.distinctCap`.
    case distinct(String)

    /// A one-byte code stored in the counter file.
    var code: UInt8 {
        switch self {
        case .count: return 1
        case .sum: return 2
        case .distinct: return 3
        }
    }

    /// The expression text of `sum` and `distinct`, empty for `count`.
    var expression: String {
        switch self {
        case .count: return ""
        case .sum(let text), .distinct(let text): return text
        }
    }

    /// The aggregate as the declaration writes it: `sum EXPR`, `distinct EXPR`, or `count`
    /// (which a declaration leaves out).
    var text: String {
        switch self {
        case .count: return "count"
        case .sum(let e): return "sum \(e)"
        case .distinct(let e): return "distinct \(e)"
        }
    }
}

/// One velocity counter: `counter NAME by KEY [sum EXPR | distinct EXPR] retain DURATION [bucket DURATION]`.
///
/// Counters with the same `key` expression share one slot per key value in the table, so an event
/// hashes and probes each key once for all of that key's counters.
public struct CounterDefinition: Equatable, Sendable {
    /// The counter's name, unique in a table (1...64 bytes of UTF-8).
    public var name: String
    /// The key expression's source text (e.g. `card.fingerprint`), 1...64 bytes.
    public var key: String
    /// What the counter aggregates.
    public var aggregate: CounterAggregate
    /// The longest window that can be read, in seconds (1 second ... 400 days).
    public var retain: Int64
    /// The width of the finest ring's buckets in seconds: a divisor of one hour (default 60, the
    /// overshoot of windows up to an hour), or one day. Engines pick the widest bucket the windows
    /// they read allow (`fittedBucket(aggregate:retain:windows:)`): `3600` drops the sub-hour
    /// ring when only windows over an hour are read, `86400` also the hour ring when only windows
    /// over a day are read (count and sum only; distinct counters have no rings).
    public var bucket: Int64

    /// The longest accepted `retain`: 400 days.
    public static let maximumRetain: Int64 = 400 * 86_400
    /// The longest accepted name, key or expression, in UTF-8 bytes.
    public static let maximumTextBytes = 64

    /// Creates a definition; `validate()` tells whether a table accepts it.
    public init(name: String, key: String, aggregate: CounterAggregate = .count, retain: Int64, bucket: Int64 = 60) {
        self.name = name
        self.key = key
        self.aggregate = aggregate
        self.retain = retain
        self.bucket = bucket
    }

    /// Parses the declaration form `NAME by KEY [sum EXPR | distinct EXPR] [when ...] retain DURATION
    /// [bucket DURATION]`, with or without a leading `counter`. A `when` clause is accepted and ignored: conditions are
    /// evaluated by the engine, not stored in the table.
    public init(declaration: String) throws(CounterError) {
        var words = declaration.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        if words.first == "counter" { words.removeFirst() }
        var bucket: Int64 = 60
        if words.count >= 2, words[words.count - 2] == "bucket" {
            guard let seconds = parseCounterDuration(words[words.count - 1]) else {
                throw .invalidDefinition("'\(declaration)': '\(words[words.count - 1])' is not a duration")
            }
            bucket = seconds
            words.removeLast(2)
        }
        func fail(_ why: String) -> CounterError {
            .invalidDefinition("'\(declaration)': \(why); expected NAME by KEY [sum EXPR | distinct EXPR] retain DURATION")
        }
        guard words.count >= 5, words[1] == "by" else { throw fail("missing 'by'") }
        guard let retainAt = words.lastIndex(of: "retain"), retainAt == words.count - 2 else {
            throw fail("'retain DURATION' must come last")
        }
        guard let retain = parseCounterDuration(words[retainAt + 1]) else {
            throw fail("'\(words[retainAt + 1])' is not a duration like 90s, 15m, 1h, 7d")
        }
        var aggregate = CounterAggregate.count
        var rest = Array(words[3..<retainAt])
        if let whenAt = rest.firstIndex(of: "when") { rest.removeSubrange(whenAt...) }
        if !rest.isEmpty {
            guard rest.count == 2 else { throw fail("unexpected '\(rest.joined(separator: " "))'") }
            switch rest[0] {
            case "sum": aggregate = .sum(rest[1])
            case "distinct": aggregate = .distinct(rest[1])
            default: throw fail("'\(rest[0])' is neither 'sum' nor 'distinct'")
            }
        }
        self.init(name: words[0], key: words[2], aggregate: aggregate, retain: retain, bucket: bucket)
        try validate()
    }

    /// The finest bucket an engine gives a counter that a ruleset reads over `windows` (seconds,
    /// duplicates allowed). For a count or sum whose every window, clamped to `retain`, is over one
    /// day: 86400; over one hour: 3600; else the default 60. A read uses the finest ring that
    /// covers its window, and the sub-hour ring covers at most an hour and the hour ring at most a
    /// day, so a window over an hour is served by the hour or day ring, and one over a day by the
    /// day ring, whatever the finest bucket is: the fitted bucket gives the same reading for every
    /// window of `windows` and only drops rings none of them uses. A counter read nowhere keeps
    /// 60 (hosts may read it over any window), and so do distinct counters (no rings).
    public static func fittedBucket(aggregate: CounterAggregate, retain: Int64, windows: [Int64]) -> Int64 {
        if case .distinct = aggregate { return 60 }
        guard let shortest = windows.map({ min($0, retain) }).min() else { return 60 }
        return shortest > 86_400 ? 86_400 : shortest > 3600 ? 3600 : 60
    }

    /// Checks the limits a counter file imposes on a definition.
    public func validate() throws(CounterError) {
        for (what, text) in [("name", name), ("key", key), ("expression", aggregate.expression)] {
            if text.utf8.count > Self.maximumTextBytes || (text.isEmpty && what != "expression") {
                throw .invalidDefinition("counter '\(name)': \(what) must be 1...\(Self.maximumTextBytes) bytes")
            }
        }
        if case .count = aggregate {} else if aggregate.expression.isEmpty {
            throw .invalidDefinition("counter '\(name)': sum and distinct need an expression")
        }
        guard retain >= 1, retain <= Self.maximumRetain else {
            throw .invalidDefinition("counter '\(name)': retain must be 1s...400d, got \(retain)s")
        }
        guard bucket == 86_400 || (bucket >= 1 && bucket <= 3600 && 3600 % bucket == 0) else {
            throw .invalidDefinition("counter '\(name)': bucket must divide 1h (e.g. 10s, 1m, 5m, 15m, 1h) or be 1d, got \(bucket)s")
        }
    }

    /// The declaration text, the inverse of `init(declaration:)`.
    public var declaration: String {
        var text = "counter \(name) by \(key)"
        if aggregate != .count { text += " " + aggregate.text }
        text += " retain \(formatCounterDuration(retain))"
        return bucket == 60 ? text : text + " bucket \(formatCounterDuration(bucket))"
    }
}

/// Parses `90s`, `15m`, `1h`, `7d` (or a bare number of seconds) into seconds.
public func parseCounterDuration(_ text: String) -> Int64? {
    guard let unit = text.last else { return nil }
    let scale: Int64
    var digits = Substring(text)
    switch unit {
    case "s": scale = 1; digits = digits.dropLast()
    case "m": scale = 60; digits = digits.dropLast()
    case "h": scale = 3600; digits = digits.dropLast()
    case "d": scale = 86_400; digits = digits.dropLast()
    default: scale = 1
    }
    guard let value = Int64(digits), value > 0 else { return nil }
    let (seconds, overflow) = value.multipliedReportingOverflow(by: scale)
    return overflow ? nil : seconds
}

/// Formats seconds with the largest unit that divides them exactly (`7d`, `90m`, `45s`).
public func formatCounterDuration(_ seconds: Int64) -> String {
    for (unit, scale) in [("d", Int64(86_400)), ("h", 3600), ("m", 60)] where seconds % scale == 0 {
        return "\(seconds / scale)\(unit)"
    }
    return "\(seconds)s"
}
