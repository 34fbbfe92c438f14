// ASCII case folding of `string ci` literals (docs/language.md, Decisions: `ci` semantics). The
// checker folds constants with the same rule as the VM, the list store and the reference
// evaluator: A-Z to a-z, every other byte (non-ASCII letters included) unchanged.

extension String {
    /// The text with ASCII letters `A-Z` lower-cased and every other byte unchanged.
    var asciiLowercased: String {
        String(decoding: utf8.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
    }
}
