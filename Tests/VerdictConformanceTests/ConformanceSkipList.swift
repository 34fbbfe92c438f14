// Which CEL conformance cases apply to Verdict's expression language (LANGUAGE.md §2-4) and how:
// the explicit skip list the issue asks for. Verdict has int, double, bool, string and list
// literals, the operators and built-ins of §3 and a static checker that is always on; it has no
// uint, bytes, null, maps, messages, timestamps/durations as values, type values, dyn or macros.
//
// A case is classified, in this order, by
//   1. the per-case table below (`caseRules`): named cases with a one-line reason each,
//   2. the expected result and the bindings (a uint/bytes/null/map/type result or binding),
//   3. the features its expression uses (`featureRules`: a pattern over the expression text
//      with string-literal contents blanked out, and the reason).
// Everything else runs. A case whose expected CEL result is a *runtime* "no such overload" error
// on an ill-typed expression (reachable in CEL only with the checker disabled) runs as a
// `staticRejection`: in Verdict the same expression must be a compile-time type error.

/// How one case is run.
enum Applicability: Equatable {
    /// Parse, check, evaluate; compare with the expected value or error.
    case run
    /// The checker must reject the expression (CEL's runtime overload error becomes a type error).
    case staticRejection(String)
    /// Not expressible in Verdict; the reason.
    case skip(String)

    var skipReason: String? {
        if case .skip(let reason) = self { return reason }
        return nil
    }
}

enum ConformanceSkipList {
    /// Classifies one case.
    static func classify(_ test: ConformanceCase) -> Applicability {
        if let rule = caseRules[test.id] { return rule }
        if let reason = resultReason(test) { return .skip(reason) }
        for declaration in test.declarations {
            if let reason = typeReason(declaration.type) { return .skip("binding of type \(reason)") }
        }
        for (_, value) in test.bindings {
            if let reason = valueReason(value) { return .skip("binding of \(reason)") }
        }
        if test.checkOnly { return .skip("check_only: no evaluation to compare") }
        let code = blankStringContents(test.expression)
        for rule in featureRules where code.range(of: rule.pattern, options: .regularExpression) != nil {
            return .skip(rule.reason)
        }
        if !test.container.isEmpty { return .skip("container (qualified name resolution of protobuf packages)") }
        return .run
    }

    // MARK: - Per-case rules

    /// Cases classified by name (`file/section/name`). Ill-typed expressions whose CEL result is a
    /// runtime overload error are static rejections; those where CEL's dynamic typing yields a
    /// value are skipped, since Verdict rejects them at compile time by design (LANGUAGE.md §2:
    /// no implicit conversions, no dyn).
    static let caseRules: [String: Applicability] = {
        var rules: [String: Applicability] = [:]
        func reject(_ reason: String, _ ids: [String]) { for id in ids { rules[id] = .staticRejection(reason) } }
        func skip(_ reason: String, _ ids: [String]) { for id in ids { rules[id] = .skip(reason) } }

        reject("non-bool operand of a logical operator", [
            "logic/AND/no_overload", "logic/OR/no_overload", "logic/NOT/no_overload",
        ])
        reject("non-bool condition of `? :`", ["logic/conditional/bad_type"])
        reject("unary minus on bool", ["integer_math/int64_math/unary_minus_not_bool"])
        reject("`%` is not defined on double", ["fp_math/fp_math/mod_not_support"])
        reject("ordering between string and a number", [
            "comparisons/lt_literal/lt_mixed_types_error", "comparisons/gt_literal/gt_mixed_types_error",
            "comparisons/lte_literal/lte_mixed_types_error", "comparisons/gte_literal/gte_mixed_types_error",
        ])
        reject("ordering of lists", [
            "comparisons/lt_literal/lt_list_unsupported", "comparisons/gt_literal/gt_list_unsupported",
            "comparisons/lte_literal/lte_list_unsupported", "comparisons/gte_literal/gte_list_unsupported",
        ])
        reject("undeclared name", ["basic/variables/self_eval_unbound_lookup"])
        reject("unknown function", ["basic/functions/unbound"])

        skip("ill-typed operand absorbed at runtime by CEL (disable_check); a type error in Verdict", [
            "logic/AND/short_circuit_type_left", "logic/AND/short_circuit_type_right",
            "logic/OR/short_circuit_type_left", "logic/OR/short_circuit_type_right",
            "basic/variables/unbound_is_runtime_error", "basic/functions/unbound_is_runtime_error",
        ])
        skip("branches of different types need dyn; a type error in Verdict", ["logic/conditional/mixed_type"])
        skip("heterogeneous list literal needs dyn", [
            "comparisons/eq_literal/not_eq_list_length", "comparisons/eq_literal/not_eq_list_false_vs_types",
            "comparisons/eq_literal/eq_list_elem_mixed_types", "comparisons/in_list_literal/elem_in_mixed_type_list",
        ])
        skip("list concatenation: `+` is defined on numbers and strings only (LANGUAGE.md §3)", [
            "lists/concatenation/list_append", "lists/concatenation/list_not_commutative",
            "lists/concatenation/list_repeat", "lists/concatenation/empty_empty",
            "lists/concatenation/left_unit", "lists/concatenation/right_unit",
        ])
        skip("list value outside `in`: list literals are only the right operand of `in` (LANGUAGE.md §2)", [
            "basic/self_eval_zeroish/self_eval_empty_list", "basic/self_eval_nonzeroish/self_eval_list_singleitem",
            "comparisons/eq_literal/eq_list_empty", "comparisons/eq_literal/eq_list_numbers",
            "comparisons/eq_literal/not_eq_list_order", "comparisons/eq_literal/not_eq_list_string_case",
            "comparisons/ne_literal/ne_list_empty", "comparisons/ne_literal/not_ne_list_empty",
            "comparisons/ne_literal/ne_list_bool", "comparisons/ne_literal/not_ne_list_bool",
            "comparisons/ne_literal/not_ne_list_of_list",
            "lists/index/zero_based", "lists/index/singleton", "lists/index/middle", "lists/index/last",
            "lists/index/index_out_of_bounds", "lists/size/list_empty", "lists/size/list",
        ])
        skip("ordering of bools: Verdict compares bools with == and != only", [
            "comparisons/lt_literal/lt_bool_false_first", "comparisons/lt_literal/not_lt_bool_same",
            "comparisons/lt_literal/not_lt_bool_true_first", "comparisons/gt_literal/gt_bool_true_false",
            "comparisons/gt_literal/not_gt_bool_false_true", "comparisons/gt_literal/not_gt_bool_same",
            "comparisons/lte_literal/lte_bool_false_true", "comparisons/lte_literal/lte_bool_false_false",
            "comparisons/lte_literal/lte_bool_true_false", "comparisons/gte_literal/gte_bool_gt",
            "comparisons/gte_literal/gte_bool_eq", "comparisons/gte_literal/not_gte_bool_lt",
            "comparisons/bound/bool_lt_right_true",
        ])
        skip("declares a variable named like a keyword; schema field names cannot be keywords", [
            "basic/reserved_const/false", "basic/reserved_const/true",
        ])
        return rules
    }()

    /// Applicable cases that fail today because of a bug outside this test target, with the
    /// owner and the bug, for every pipeline (`shared`) or only through the compiler and VM (`vm`).
    /// The runner fails if one of them starts passing (remove it then).
    static func knownFailures(pipeline: String) -> [String: String] {
        let known: [String: String] = [:]
        guard pipeline == "vm" else { return known }
        return known
    }

    // MARK: - Expected results and bindings

    private static func resultReason(_ test: ConformanceCase) -> String? {
        switch test.expectation {
        case .value(let value): return valueReason(value).map { "result is \($0)" }
        case .error: return nil
        case .unsupported(let matcher): return "result matcher \(matcher) (unknowns/typed results)"
        }
    }

    private static func valueReason(_ value: CELValue) -> String? {
        switch value {
        case .int, .double, .string, .bool: return nil
        case .uint: return "a uint"
        case .bytes: return "bytes"
        case .null: return "null"
        case .map: return "a map"
        case .type: return "a type value"
        case .unsupported(let field): return "a \(field) (protobuf message or enum)"
        case .list(let items): return items.lazy.compactMap { valueReason($0) }.first.map { "a list holding \($0)" }
        }
    }

    private static func typeReason(_ type: String) -> String? {
        switch type {
        case "INT64", "DOUBLE", "STRING", "BOOL": return nil
        case "UINT64": return "uint"
        case "BYTES": return "bytes"
        default: return type
        }
    }

    // MARK: - Expression features

    /// A feature of the expression text that Verdict does not have. Patterns are matched against
    /// the expression with string-literal contents blanked (so `'{'` is not a map), in order.
    struct FeatureRule {
        var pattern: String
        var reason: String
    }

    static let featureRules: [FeatureRule] = [
        FeatureRule(pattern: #"google\.|\b[A-Z][A-Za-z0-9_]*\s*\{"#, reason: "protobuf message"),
        FeatureRule(pattern: #"\b(timestamp|duration)\s*\("#, reason: "timestamp/duration values"),
        FeatureRule(pattern: #"\btype\s*\("#, reason: "type() and type values"),
        FeatureRule(pattern: #"\bdyn\b"#, reason: "dyn (Verdict has no dynamic type)"),
        FeatureRule(pattern: #"(^|[^A-Za-z0-9_.])(0x[0-9A-Fa-f]+|[0-9]+)[uU]\b"#, reason: "uint literal"),
        FeatureRule(pattern: #"\buint\s*\("#, reason: "uint conversion"),
        FeatureRule(pattern: #"(^|[^A-Za-z0-9_])[bB][rR]?['"]|\bbytes\s*\("#, reason: "bytes"),
        FeatureRule(pattern: #"\bbool\s*\("#, reason: "bool() conversion is not a Verdict built-in"),
        FeatureRule(pattern: #"\bnull\b"#, reason: "null (Verdict has missing, not null)"),
        FeatureRule(pattern: #"\{"#, reason: "map literal"),
        FeatureRule(pattern: #"\.(all|exists|exists_one|map|filter)\s*\("#, reason: "comprehension macro"),
        FeatureRule(pattern: #"\b(int|uint|double|bool|string|bytes|list|map|null_type|type)\b\s*($|[^\s(]|\s[^(])"#,
                    reason: "type denotation used as a value"),
    ]

    /// The expression with the contents of every string literal replaced by spaces (quotes and
    /// prefixes kept), so feature patterns see only code. Handles `'..'`, `".."`, triple quotes,
    /// raw prefixes and backslash escapes.
    static func blankStringContents(_ expression: String) -> String {
        let chars = Array(expression)
        var out: [Character] = []
        var i = 0
        while i < chars.count {
            let c = chars[i]
            guard c == "'" || c == "\"" else { out.append(c); i += 1; continue }
            let raw = i > 0 && (chars[i - 1] == "r" || chars[i - 1] == "R")
            let triple = i + 2 < chars.count && chars[i + 1] == c && chars[i + 2] == c
            let delimiter = triple ? 3 : 1
            out.append(contentsOf: chars[i..<(i + delimiter)])
            i += delimiter
            while i < chars.count {
                if !raw, chars[i] == "\\" { out.append(" "); if i + 1 < chars.count { out.append(" ") }; i += 2; continue }
                if chars[i] == c, !triple || (i + 2 < chars.count && chars[i + 1] == c && chars[i + 2] == c) {
                    out.append(contentsOf: chars[i..<(i + delimiter)])
                    i += delimiter
                    break
                }
                out.append(" ")
                i += 1
            }
        }
        return String(out)
    }
}
