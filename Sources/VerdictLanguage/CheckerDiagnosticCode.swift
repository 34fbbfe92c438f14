// The stable codes of the diagnostics the type checker reports (docs/language.md lists each with
// an example; Golden/ has a case for each). Codes are lower-kebab and never change meaning; tools
// match on them.

/// Codes of semantic (type-checking) diagnostics.
public enum CheckerDiagnosticCode: String, CaseIterable, Sendable {
    /// A name (plain, Radar `:attr:` or `::meta::`) that is no schema field, let or model.
    case unknownField = "unknown-field"
    /// A schema field type that does not exist.
    case unknownType = "unknown-type"
    /// A list kind other than string, ip, prefix, country.
    case unknownListKind = "unknown-list-kind"
    /// A model kind other than xgboost, lightgbm, linear.
    case unknownModelKind = "unknown-model-kind"
    /// `@name` that names no declared list.
    case unknownList = "unknown-list"
    /// A call of a function that does not exist.
    case unknownFunction = "unknown-function"
    /// A method that does not exist, or a function called as a method.
    case unknownMethod = "unknown-method"
    /// `raw(x)` where x is not a model.
    case unknownModel = "unknown-model"
    /// A model binding for a feature the model does not have.
    case unknownFeature = "unknown-feature"
    /// Model features left without a binding.
    case unboundFeatures = "unbound-features"
    /// A model feature bound twice.
    case duplicateFeature = "duplicate-feature"
    /// A name declared twice (names are unique across the ruleset).
    case duplicateName = "duplicate-name"
    /// A second ruleset header, precedence or `on error`.
    case duplicateDeclaration = "duplicate-declaration"
    /// A declaration named like a context name (`now`, `score`, `verdict`, ...).
    case reservedName = "reserved-name"
    /// `ci` on something other than a string field or list.
    case ciMisuse = "ci-misuse"
    /// An operator applied to operand types it has no overload for.
    case typeMismatch = "type-mismatch"
    /// A condition (rule, score, threshold, `when`, `? :`) that is not a bool.
    case notBool = "not-bool"
    /// A builtin function or method argument of the wrong type.
    case argumentType = "argument-type"
    /// A call with the wrong number of arguments.
    case wrongArity = "wrong-arity"
    /// A rule or score name used as a value.
    case notAValue = "not-a-value"
    /// `score`, `verdict` or an action name outside the places that define them.
    case contextName = "context-name"
    /// A counter named without a window.
    case counterNeedsWindow = "counter-needs-window"
    /// A list named without `@`.
    case listNeedsAt = "list-needs-at"
    /// A list literal or `@list` anywhere but on the right of `in`.
    case listLiteralMisuse = "list-literal-misuse"
    /// A LIKE pattern that is not a string literal.
    case likePattern = "like-pattern"
    /// Indexing with `[ ]`.
    case unsupportedIndex = "unsupported-index"
    /// A model called like a function.
    case modelCall = "model-call"
    /// A model feature bound to something that is not int, double or bool.
    case featureType = "feature-type"
    /// A model file that cannot be found or read.
    case modelUnreadable = "model-unreadable"
    /// A counter key, distinct value, rollout or bucket key of a type that cannot be hashed.
    case keyType = "key-type"
    /// A counter summing something that is not a number.
    case sumType = "sum-type"
    /// A counter window that is not a positive duration literal.
    case invalidWindow = "invalid-window"
    /// A counter window longer than the counter retains.
    case windowTooLong = "window-too-long"
    /// A counter retaining for a non-positive duration.
    case invalidRetain = "invalid-retain"
    /// A duration literal outside counter windows and timestamp arithmetic.
    case durationMisuse = "duration-misuse"
    /// A country literal that is not an ISO-3166 alpha-2 code.
    case invalidCountry = "invalid-country"
    /// An ip literal that is not an IPv4 or IPv6 address.
    case invalidIp = "invalid-ip"
    /// A `cidr()` network literal that is not valid.
    case invalidCidr = "invalid-cidr"
    /// A regex that is not a literal or does not compile.
    case invalidRegex = "invalid-regex"
    /// A regex longer than 1 KiB.
    case regexTooLong = "regex-too-long"
    /// A `bucket()` count that is not a positive int literal.
    case invalidBucket = "invalid-bucket"
    /// A precedence that is not a ranking of allow, block and review.
    case invalidPrecedence = "invalid-precedence"
    /// `on error` with an action other than review or block.
    case invalidOnError = "invalid-on-error"
    /// More than `ParserLimits.maxThresholdClauses` threshold clauses in the ruleset.
    case tooManyThresholds = "too-many-thresholds"
    /// Lets, counters or models that depend on themselves.
    case cycle
    /// (warning) A let nothing refers to.
    case unusedLet = "unused-let"
    /// (warning) A list nothing looks up.
    case unusedList = "unused-list"
    /// (warning) A counter nothing reads.
    case unusedCounter = "unused-counter"
    /// (warning) A model nothing uses.
    case unusedModel = "unused-model"
    /// (warning) A rule that can never decide the verdict.
    case unreachableRule = "unreachable-rule"
}
