// "Did you mean ...?": the closest known name to a misspelt one, by edit distance (optimal string
// alignment: insertions, deletions, substitutions and adjacent transpositions, case-insensitive).
// Used for keywords and actions by the parser and for fields, lists, counters and models by the
// checker.

/// Finds near-miss names for did-you-mean hints.
public enum Suggestion {
    /// The candidate closest to `name`, if it is close enough to be a plausible typo: at most one
    /// edit for names of up to 4 characters, otherwise at most a third of the name's length (and
    /// never more than 3). Ties go to the earliest candidate. An exact match is not a suggestion.
    public static func closest<S: Sequence>(to name: String, among candidates: S) -> String? where S.Element == String {
        let target = Array(name.lowercased().unicodeScalars)
        let limit = min(3, max(1, target.count / 3))
        var best: (name: String, distance: Int)?
        for candidate in candidates {
            let other = Array(candidate.lowercased().unicodeScalars)
            if abs(other.count - target.count) > limit { continue }
            let distance = editDistance(target, other)
            if candidate == name { continue }
            if distance <= limit, distance < (best?.distance ?? Int.max) { best = (candidate, distance) }
        }
        return best?.name
    }

    /// Optimal-string-alignment distance between two scalar arrays.
    static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { value = min(value, previous2[j - 2] + 1) }
                current[j] = value
            }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[b.count]
    }
}

extension Suggestion {
    /// `did you mean 'x'?` for the closest candidate, or nil.
    public static func hint<S: Sequence>(for name: String, among candidates: S) -> String? where S.Element == String {
        closest(to: name, among: candidates).map { "did you mean '\($0)'?" }
    }
}
