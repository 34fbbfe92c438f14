// Calls: counter reads `name(window)`, `raw(model)`, and the builtin functions and methods of
// LANGUAGE.md §3 with their exact arities and argument types, each resolved to a typed overload.

extension Checker {
    /// Builtins called as functions, with their arity (for did-you-mean and arity messages).
    static let functionArity: [String: Int] = [
        "size": 1, "lower": 1, "upper": 1, "domain": 1, "int": 1, "double": 1, "string": 1,
        "abs": 1, "min": 2, "max": 2, "has": 1, "is_missing": 1, "bucket": 2, "cidr": 2,
        "matches": 2, "raw": 1,
    ]
    /// Builtins called as methods on a string (`s.startsWith("4")`), with their argument count.
    static let methodArity: [String: Int] = [
        "contains": 1, "startsWith": 1, "endsWith": 1, "matches": 1, "size": 0,
    ]
    /// Longest regex pattern accepted, in bytes (LANGUAGE.md §8).
    static let regexLimit = 1024

    func checkCall(_ expr: Expr, name: String, target: Expr?, arguments: [Expr], _ context: ExpressionContext) -> VerdictType {
        if let target {
            return checkMethod(expr, name: name, target: target, arguments: arguments, context)
        }
        if case .counter(let id)? = symbols[name] {
            return checkCounterRead(expr, id: id, arguments: arguments, context)
        }
        if case .model(let id)? = symbols[name] {
            use(name, .model(id), context)
            for argument in arguments { _ = check(argument, context.operand(duration: false)) }
            error(.modelCall, "model '\(name)' is not a function; its name is its output", at: expr.range,
                  hint: "write \(name) > 0.5, or raw(\(name)) for the margin")
            return record(expr, .error)
        }
        guard let arity = Checker.functionArity[name] else {
            for argument in arguments { _ = check(argument, context.operand(duration: false)) }
            let candidates = Checker.functionArity.keys.sorted() + counterDeclarations.map(\.name.name)
            error(.unknownFunction, "unknown function '\(name)'", at: expr.range,
                  hint: Suggestion.hint(for: name, among: candidates)
                    ?? "the functions are " + Checker.functionArity.keys.sorted().joined(separator: ", "))
            return record(expr, .error)
        }
        guard arguments.count == arity else {
            for argument in arguments { _ = check(argument, context.operand(duration: false)) }
            error(.wrongArity, "'\(name)' takes \(arity) argument\(arity == 1 ? "" : "s"), found \(arguments.count)",
                  at: expr.range)
            return record(expr, .error)
        }
        if name == "raw" { return checkRaw(expr, arguments[0], context) }
        if name == "bucket" { return checkBucket(expr, arguments, context) }
        if name == "has" || name == "is_missing" {
            let type = check(arguments[0], context.operand(duration: false))
            if type.isError { return record(expr, .error) }
            return record(expr, .bool, .builtin(name == "has" ? .has : .isMissing))
        }
        let types = arguments.map { check($0, context.operand(duration: false)) }
        if types.contains(where: \.isError) { return record(expr, .error) }
        let first = types[0]
        func reject(_ expected: String, _ index: Int = 0, hint: String? = nil) -> VerdictType {
            error(.argumentType, "'\(name)' expects \(expected), not '\(types[index])'", at: arguments[index].range, hint: hint)
            return record(expr, .error)
        }
        switch name {
        case "size":
            guard first.isText else { return reject("a string") }
            return record(expr, .int, .builtin(.size))
        case "lower", "upper":
            guard first.isText else { return reject("a string") }
            return record(expr, .string, .builtin(name == "lower" ? .lower : .upper))
        case "domain":
            guard first.isText else { return reject("a string (an email address)") }
            return record(expr, .stringCaseInsensitive, .builtin(.domain))
        case "int":
            guard [.int, .double, .timestamp].contains(first) || first.isText else {
                return reject("a double, string or timestamp", hint: first == .bool ? "write x ? 1 : 0" : nil)
            }
            return record(expr, .int, .builtin(.toInt(from: first.isText ? .string : first)))
        case "double":
            guard first.isNumeric || first.isText else { return reject("an int or string") }
            return record(expr, .double, .builtin(.toDouble(from: first.isText ? .string : first)))
        case "string":
            guard first != .duration, first != .action else { return reject("a scalar value") }
            return record(expr, .string, .builtin(.toString(from: first.isText ? .string : first)))
        case "abs":
            guard first.isNumeric else { return reject("an int or double") }
            return record(expr, first, .builtin(.abs(first == .int ? .int : .double)))
        case "min", "max":
            guard first.isNumeric else { return reject("an int or double") }
            guard types[1] == first else {
                return reject("two values of the same type ('\(first)')", 1,
                              hint: "no implicit conversions: convert with \(first == .int ? "int" : "double")(...)")
            }
            let kind: ArithmeticKind = first == .int ? .int : .double
            return record(expr, first, .builtin(name == "min" ? .min(kind) : .max(kind)))
        case "cidr":
            guard first == .ip else { return reject("an ip as its first argument") }
            guard case .string(let text) = arguments[1].kind else {
                return reject("a network literal such as \"10.0.0.0/8\" as its second argument", 1)
            }
            guard let network = IPNetwork(text) else {
                error(.invalidCidr, "'\(text)' is not a CIDR network", at: arguments[1].range,
                      hint: "e.g. \"10.0.0.0/8\" or \"2001:db8::/32\"")
                return record(expr, .error)
            }
            return record(expr, .bool, .builtin(.cidr(network)))
        case "matches":
            guard first.isText else { return reject("a string") }
            return checkRegex(expr, arguments[1])
        default:
            return record(expr, .error)
        }
    }

    private func checkMethod(_ expr: Expr, name: String, target: Expr, arguments: [Expr], _ context: ExpressionContext) -> VerdictType {
        let targetType = check(target, context.operand(duration: false))
        guard let arity = Checker.methodArity[name] else {
            for argument in arguments { _ = check(argument, context.operand(duration: false)) }
            if Checker.functionArity[name] != nil {
                error(.unknownMethod, "'\(name)' is a function, not a method", at: expr.range,
                      hint: "write \(name)(\(sources[target.range.file]?.text(of: target.range) ?? "x")\(arguments.isEmpty ? "" : ", ..."))")
            } else {
                error(.unknownMethod, "unknown method '\(name)'", at: expr.range,
                      hint: Suggestion.hint(for: name, among: Checker.methodArity.keys.sorted()))
            }
            return record(expr, .error)
        }
        guard arguments.count == arity else {
            for argument in arguments { _ = check(argument, context.operand(duration: false)) }
            error(.wrongArity, "'.\(name)' takes \(arity) argument\(arity == 1 ? "" : "s"), found \(arguments.count)",
                  at: expr.range)
            return record(expr, .error)
        }
        if targetType.isError { return record(expr, .error) }
        guard targetType.isText else {
            error(.argumentType, "'.\(name)' is a string method; it cannot be called on '\(targetType)'", at: target.range,
                  hint: "convert with string(...)")
            return record(expr, .error)
        }
        if name == "size" { return record(expr, .int, .builtin(.size)) }
        if name == "matches" { return checkRegex(expr, arguments[0]) }
        let argumentType = check(arguments[0], context.operand(duration: false))
        if argumentType.isError { return record(expr, .error) }
        guard argumentType.isText else {
            error(.argumentType, "'.\(name)' expects a string, not '\(argumentType)'", at: arguments[0].range)
            return record(expr, .error)
        }
        let ci = targetType == .stringCaseInsensitive
        switch name {
        case "contains": return record(expr, .bool, .builtin(.contains(caseInsensitive: ci)))
        case "startsWith": return record(expr, .bool, .builtin(.startsWith(caseInsensitive: ci)))
        default: return record(expr, .bool, .builtin(.endsWith(caseInsensitive: ci)))
        }
    }

    private func checkRegex(_ expr: Expr, _ pattern: Expr) -> VerdictType {
        guard case .string(let text) = pattern.kind else {
            _ = check(pattern, .plain)
            error(.invalidRegex, "a regex must be a string literal", at: pattern.range,
                  hint: "patterns are compiled once when the ruleset loads")
            return record(expr, .error)
        }
        record(pattern, .string)
        if text.utf8.count > Checker.regexLimit {
            error(.regexTooLong, "regex is \(text.utf8.count) bytes; the limit is \(Checker.regexLimit)", at: pattern.range)
            return record(expr, .error)
        }
        do {
            _ = try RegexParser.parse(text)
        } catch {
            self.error(.invalidRegex, "invalid regex: \(error)", at: pattern.range,
                       hint: "supported: the RE2 subset of docs/language.md (no backreferences or lookaround)")
            return record(expr, .error)
        }
        return record(expr, .bool, .builtin(.matches(pattern: text)))
    }

    private func checkCounterRead(_ expr: Expr, id: CounterID, arguments: [Expr], _ context: ExpressionContext) -> VerdictType {
        let counter = counterDeclarations[id]
        use(counter.name.name, .counter(id), context)
        guard arguments.count == 1 else {
            error(.wrongArity, "counter '\(counter.name.name)' takes one window, found \(arguments.count) arguments",
                  at: expr.range, hint: "write \(counter.name.name)(1h)")
            return record(expr, .error)
        }
        let window = arguments[0]
        guard case .duration(let count, let unit) = window.kind else {
            _ = check(window, context.operand(duration: false))
            error(.invalidWindow, "a counter window must be a duration literal", at: window.range,
                  hint: "e.g. \(counter.name.name)(1h), \(counter.name.name)(7d)")
            return record(expr, .error)
        }
        record(window, .duration)
        let readType = counterReadType(id)
        let (seconds, overflow) = count.multipliedReportingOverflow(by: unit.seconds)
        if count <= 0 || overflow {
            error(.invalidWindow, "a counter window must be positive", at: window.range)
            return record(expr, .error)
        }
        if let retain = retainSeconds(counter), seconds > retain {
            error(.windowTooLong, "window \(count)\(unit.rawValue) is longer than counter '\(counter.name.name)' retains",
                  at: window.range,
                  hint: "the counter retains \(counter.retain.count)\(counter.retain.unit.rawValue); raise 'retain' or shorten the window")
            return record(expr, .error)
        }
        if readType.isError { return record(expr, .error) }
        return record(expr, readType, .counterRead(id, windowSeconds: seconds))
    }

    private func checkRaw(_ expr: Expr, _ argument: Expr, _ context: ExpressionContext) -> VerdictType {
        if case .name(let parts, .plain) = argument.kind, parts.count == 1 {
            if case .model(let id)? = symbols[parts[0]] {
                use(parts[0], .model(id), context)
                record(argument, .double, .modelOutput(id))
                return record(expr, .double, .modelRaw(id))
            }
            record(argument, .error)
            error(.unknownModel, "'\(parts[0])' is not a model", at: argument.range,
                  hint: Suggestion.hint(for: parts[0], among: modelDeclarations.map(\.name.name)) ?? "raw() takes a model name")
            return record(expr, .error)
        }
        let type = check(argument, context.operand(duration: false))
        if !type.isError {
            let name = sources[argument.range.file]?.text(of: argument.range) ?? ""
            error(.unknownModel, "raw() takes a model name", at: argument.range,
                  hint: Suggestion.hint(for: name, among: modelDeclarations.map(\.name.name)))
        }
        return record(expr, .error)
    }

    private func checkBucket(_ expr: Expr, _ arguments: [Expr], _ context: ExpressionContext) -> VerdictType {
        let keyType = checkKey(arguments[0], what: "bucket key", context)
        guard case .int(let buckets) = arguments[1].kind else {
            _ = check(arguments[1], context.operand(duration: false))
            error(.invalidBucket, "the bucket count must be an int literal", at: arguments[1].range, hint: "e.g. bucket(customer.id, 100)")
            return record(expr, .error)
        }
        record(arguments[1], .int)
        guard buckets > 0 else {
            error(.invalidBucket, "the bucket count must be positive", at: arguments[1].range)
            return record(expr, .error)
        }
        if keyType.isError { return record(expr, .error) }
        return record(expr, .int, .builtin(.bucket(buckets: buckets)))
    }
}
