// "Did you mean" hints: the closest known name to a misspelled one, by Levenshtein edit distance
// (case differences cost nothing extra beyond a substitution), within a budget that grows with the
// length of the name so short names do not match everything.

/// Edit-distance suggestions for unknown names.
public enum Suggestion {
    /// The candidate closest to `name`, if one is close enough: distance at most
    /// `max(1, name.count / 3)`, ties broken by the first candidate in `candidates` order.
    /// A case-insensitive exact match always wins.
    public static func closest<S: Sequence>(to name: String, among candidates: S) -> String? where S.Element == String {
        let target = Array(name.unicodeScalars)
        let lowered = name.lowercased()
        let budget = max(1, target.count / 3)
        var best: (name: String, distance: Int)?
        for candidate in candidates where candidate != name {
            if candidate.lowercased() == lowered { return candidate }
            let scalars = Array(candidate.unicodeScalars)
            if abs(scalars.count - target.count) > budget { continue }
            let distance = editDistance(target, scalars, limit: budget)
            if distance <= budget, distance < (best?.distance ?? Int.max) {
                best = (candidate, distance)
            }
        }
        return best?.name
    }

    /// `did you mean 'x'?` for the closest candidate, or nil.
    public static func hint<S: Sequence>(for name: String, among candidates: S) -> String? where S.Element == String {
        closest(to: name, among: candidates).map { "did you mean '\($0)'?" }
    }

    /// Levenshtein distance, stopping early (returning `limit + 1`) once every cell of a row exceeds
    /// `limit`.
    static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar], limit: Int) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            var rowMinimum = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                rowMinimum = min(rowMinimum, current[j])
            }
            if rowMinimum > limit { return limit + 1 }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
