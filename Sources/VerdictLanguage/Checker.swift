// The type checker's driver: declares every name of a ruleset, checks each declaration (schema,
// lists, counters, models, lets, rules, scores, thresholds, precedence, `on error`), finds reference
// cycles and unused or unreachable declarations, and assembles the `CheckedRuleset`. Expression
// typing lives in ExpressionChecker.swift, builtin calls in BuiltinChecker.swift.

/// How to check a ruleset.
public struct CheckOptions: Sendable {
    /// Describes model files; nil checks without reading models (features are then taken from the
    /// bindings as written, in binding order, and unknown or unbound features go unnoticed).
    public var modelCatalog: (any ModelCatalog)?
    /// Extra directories where relative model paths are looked up, after the declaring file's own
    /// directory.
    public var modelRoots: [String]
    /// Stop reporting after this many errors.
    public var errorLimit: Int

    public init(modelCatalog: (any ModelCatalog)? = nil, modelRoots: [String] = [], errorLimit: Int = DiagnosticBag.defaultErrorLimit) {
        self.modelCatalog = modelCatalog
        self.modelRoots = modelRoots
        self.errorLimit = errorLimit
    }
}

/// What a name declared at the top level of a ruleset denotes.
enum Symbol {
    case field(FieldID)
    case list(ListID)
    case counter(CounterID)
    case model(ModelID)
    /// A let, by declaration index.
    case letBinding(Int)
    case rule
    case score
}

/// The type checker. Use `Checker.check(_:sources:options:)`.
public final class Checker {
    /// Names the language gives a meaning of its own; no declaration may take them.
    static let reservedNames: Set<String> = ["now", "score", "verdict", "none", "true", "false"]

    let options: CheckOptions
    let sources: SourceSet
    var diagnostics: DiagnosticBag

    // Declarations by kind, in declaration order.
    var fields: [CheckedField] = []
    var fieldIndex: [String: FieldID] = [:]
    /// Dotted fields by their name with `.` read as `_` (Radar attributes), built on first use.
    var underscoredFields: [String: [FieldID]]?
    var lists: [CheckedList] = []
    /// Lists whose kind was unknown: declared so uses resolve, but never looked up.
    var poisonedLists: Set<ListID> = []
    var counterDeclarations: [CounterDeclaration] = []
    var counterReadTypes: [VerdictType?] = []
    var counterStates: [CheckState] = []
    var modelDeclarations: [ModelDeclaration] = []
    var letDeclarations: [LetDeclaration] = []
    var letTypes: [VerdictType?] = []
    var letStates: [CheckState] = []
    /// The constant value of each let that folds to one (filled in dependency order).
    var letConstants: [Int: Bool] = [:]
    var symbols: [String: Symbol] = [:]
    var symbolRanges: [String: SourceRange] = [:]
    var used: Set<String> = []
    var graph = DependencyGraph()

    // Side tables, indexed by ExprID.
    var types: [VerdictType?] = []
    var resolutions: [Resolution?] = []
    var constants: [ExprID: ConstantValue] = [:]
    var constantSets: [ExprID: [ConstantValue]] = [:]

    enum CheckState { case unchecked, inProgress, done }

    init(sources: SourceSet, options: CheckOptions) {
        self.sources = sources
        self.options = options
        self.diagnostics = DiagnosticBag(errorLimit: options.errorLimit)
    }

    /// Checks the parsed files of one ruleset (in file order). Returns the checked ruleset when
    /// there is no error, and every diagnostic (errors and warnings) found.
    public static func check(_ units: [SourceUnit], sources: SourceSet, options: CheckOptions = CheckOptions()) -> (CheckedRuleset?, DiagnosticBag) {
        let checker = Checker(sources: sources, options: options)
        let ruleset = checker.run(units)
        return (checker.diagnostics.hasErrors ? nil : ruleset, checker.diagnostics)
    }

    func error(_ code: CheckerDiagnosticCode, _ message: String, at range: SourceRange, hint: String? = nil) {
        diagnostics.report(.error(code.rawValue, message, at: range, hint: hint))
    }

    func warning(_ code: CheckerDiagnosticCode, _ message: String, at range: SourceRange, hint: String? = nil) {
        diagnostics.report(.warning(code.rawValue, message, at: range, hint: hint))
    }

    /// `file:line` of a range, for messages that point at a second place.
    func place(_ range: SourceRange) -> String {
        guard let file = sources[range.file] else { return "?" }
        return "\(file.path):\(file.location(of: range.start).line)"
    }

    // MARK: - Driver

    private func run(_ units: [SourceUnit]) -> CheckedRuleset {
        var header: RulesetHeader?
        var precedence: PrecedenceDeclaration?
        var onError: OnErrorDeclaration?
        var rules: [(RuleDeclaration, String)] = []
        var scores: [ScoreDeclaration] = []
        var thresholds: [ThresholdDeclaration] = []

        // Pass 1: declare every name, so declarations may refer to each other in any order.
        for unit in units {
            for declaration in unit.declarations {
                switch declaration {
                case .ruleset(let h):
                    if let first = header {
                        error(.duplicateDeclaration, "the ruleset header is declared twice", at: h.range,
                              hint: "first declared at \(place(first.range))")
                    } else { header = h }
                case .schema(let block):
                    for field in block.fields { declareField(field) }
                case .list(let list): declareList(list)
                case .counter(let counter):
                    if declare(counter.name, as: .counter(counterDeclarations.count)) {
                        counterDeclarations.append(counter)
                    }
                case .model(let model):
                    if declare(model.name, as: .model(modelDeclarations.count)) {
                        modelDeclarations.append(model)
                    }
                case .letBinding(let binding):
                    if declare(binding.name, as: .letBinding(letDeclarations.count)) {
                        letDeclarations.append(binding)
                    }
                case .rule(let rule):
                    // A rule or score with a duplicate name is still checked (its references count).
                    if let name = rule.name { declare(name, as: .rule) }
                    rules.append((rule, rule.name?.name ?? ""))
                case .score(let score):
                    declare(score.name, as: .score)
                    scores.append(score)
                case .threshold(let threshold): thresholds.append(threshold)
                case .precedence(let p):
                    if let first = precedence {
                        error(.duplicateDeclaration, "precedence is declared twice", at: p.range,
                              hint: "first declared at \(place(first.range))")
                    } else { precedence = p }
                case .onError(let o):
                    if let first = onError {
                        error(.duplicateDeclaration, "'on error' is declared twice", at: o.range,
                              hint: "first declared at \(place(first.range))")
                    } else { onError = o }
                }
            }
        }
        // Unnamed Radar rules are named after their line once every explicit name is known.
        for index in rules.indices where rules[index].1.isEmpty {
            rules[index].1 = radarRuleName(rules[index].0)
        }
        counterReadTypes = Array(repeating: nil, count: counterDeclarations.count)
        counterStates = Array(repeating: .unchecked, count: counterDeclarations.count)
        letTypes = Array(repeating: nil, count: letDeclarations.count)
        letStates = Array(repeating: .unchecked, count: letDeclarations.count)

        // Pass 2: check every declaration.
        checkLetsAndCounters()
        let models = modelDeclarations.indices.map(checkModel)
        for id in counterDeclarations.indices { checkCounterCondition(id) }
        let checkedRules = rules.enumerated().map { checkRule($1.0, name: $1.1, index: $0) }
        let checkedScores = scores.enumerated().map { index, score in
            CheckedScore(index: index, name: score.name.name, points: score.points,
                         condition: checkCondition(score.condition, what: "score condition", context: .plain),
                         range: score.range)
        }
        let clauses = thresholds.flatMap { $0.clauses }
        if clauses.count > ParserLimits.maxThresholdClauses {
            error(.tooManyThresholds, "ruleset has more than \(ParserLimits.maxThresholdClauses) threshold clauses",
                  at: clauses[ParserLimits.maxThresholdClauses].range,
                  hint: "thresholds rank score bands; combine conditions with `and` / `or` in fewer clauses")
        }
        let checkedThresholds = clauses.map { clause in
            CheckedThreshold(action: clause.action.action,
                             condition: checkCondition(clause.condition, what: "threshold condition", context: .threshold),
                             range: clause.range)
        }
        let order = checkPrecedence(precedence)
        let failAction = checkOnError(onError)

        reportCycles()
        reportUnused()
        let letOrder = graph.letOrder(count: letDeclarations.count)
        for index in letOrder { letConstants[index] = constantBool(letDeclarations[index].value) }
        reportUnreachable(checkedRules, precedence: order)

        // Assemble, with lets in dependency order.
        var letID = [Int](repeating: 0, count: letDeclarations.count)
        for (position, index) in letOrder.enumerated() { letID[index] = position }
        for id in resolutions.indices {
            if case .letValue(let index)? = resolutions[id] { resolutions[id] = .letValue(letID[index]) }
        }
        let lets = letOrder.enumerated().map { position, index in
            CheckedLet(id: position, name: letDeclarations[index].name.name, value: letDeclarations[index].value,
                       type: letTypes[index] ?? .error, range: letDeclarations[index].range)
        }
        let counters = counterDeclarations.indices.map(checkedCounter)
        return CheckedRuleset(
            name: header?.name.name, version: header?.version?.value,
            fields: fields, lists: lists, counters: counters, models: models, lets: lets,
            rules: checkedRules, scores: checkedScores, thresholds: checkedThresholds,
            precedence: order, onError: failAction,
            types: types, resolutions: resolutions, constants: constants, constantSets: constantSets)
    }

    // MARK: - Names

    /// Declares a top-level name; reports duplicates and reserved names. Returns false when the
    /// declaration must be ignored.
    @discardableResult
    func declare(_ name: Identifier, as symbol: Symbol) -> Bool {
        if Checker.reservedNames.contains(name.name) {
            error(.reservedName, "'\(name.name)' is reserved and cannot name a declaration", at: name.range,
                  hint: "choose another name")
            return false
        }
        if let first = symbolRanges[name.name] {
            error(.duplicateName, "'\(name.name)' is already declared", at: name.range,
                  hint: "first declared at \(place(first)); names are unique across the ruleset")
            return false
        }
        symbols[name.name] = symbol
        symbolRanges[name.name] = name.range
        return true
    }

    private func declareField(_ field: SchemaField) {
        guard var type = VerdictType.schemaTypeNames[field.type.name] else {
            let hint = Suggestion.hint(for: field.type.name, among: VerdictType.schemaTypeNames.keys.sorted())
                ?? "field types are int, double, bool, string, country, ip, timestamp"
            error(.unknownType, "unknown field type '\(field.type.name)'", at: field.type.range, hint: hint)
            // Declared anyway (as .error) so its uses do not add "unknown name" errors.
            if declare(field.name, as: .field(fields.count)) {
                fieldIndex[field.name.name] = fields.count
                fields.append(CheckedField(id: fields.count, name: field.name.name, type: .error, range: field.name.range))
            }
            return
        }
        if field.caseInsensitive {
            if type == .string {
                type = .stringCaseInsensitive
            } else {
                error(.ciMisuse, "'ci' applies only to string fields, not '\(type)'", at: field.range,
                      hint: "remove 'ci'")
            }
        }
        let id = fields.count
        guard declare(field.name, as: .field(id)) else { return }
        fields.append(CheckedField(id: id, name: field.name.name, type: type, range: field.name.range))
        fieldIndex[field.name.name] = id
    }

    private func declareList(_ list: ListDeclaration) {
        guard let kind = ListKind(rawValue: list.kind.name) else {
            let hint = Suggestion.hint(for: list.kind.name, among: ListKind.allCases.map(\.rawValue))
                ?? "list kinds are string, ip, prefix, country"
            error(.unknownListKind, "unknown list kind '\(list.kind.name)'", at: list.kind.range, hint: hint)
            // Declared anyway so its uses do not add "unknown list" errors.
            if declare(list.name, as: .list(lists.count)) {
                poisonedLists.insert(lists.count)
                lists.append(CheckedList(id: lists.count, name: list.name.name, kind: .string, caseInsensitive: false, range: list.name.range))
            }
            return
        }
        if list.caseInsensitive && kind != .string {
            error(.ciMisuse, "'ci' applies only to string lists, not '\(kind.rawValue)'", at: list.range,
                  hint: "remove 'ci'")
        }
        let id = lists.count
        guard declare(list.name, as: .list(id)) else { return }
        lists.append(CheckedList(id: id, name: list.name.name, kind: kind,
                                 caseInsensitive: list.caseInsensitive && kind == .string, range: list.name.range))
    }

    private func radarRuleName(_ rule: RuleDeclaration) -> String {
        let base = sources[rule.range.file].map(rule.effectiveName) ?? "rule_0"
        var name = base
        var suffix = 2
        while symbolRanges[name] != nil { name = "\(base)_\(suffix)"; suffix += 1 }
        symbols[name] = .rule
        symbolRanges[name] = rule.range
        return name
    }

    // MARK: - Lets and counters (checked after what they use, so declaration order does not matter)

    /// Which lets and counters each let and counter refers to, read from the syntax (a counter's
    /// key and aggregated value, not its `when`, which runs after the verdict).
    private func syntacticDependencies() -> DependencyGraph {
        var graph = DependencyGraph()
        func collect(_ expr: Expr, into node: DependencyNode) {
            switch expr.kind {
            case .name(let parts, .plain) where parts.count == 1:
                if case .letBinding(let index)? = symbols[parts[0]] { graph.add(from: node, to: .letBinding(index)) }
            case .call(let name, let target, let arguments):
                if target == nil, case .counter(let id)? = symbols[name] { graph.add(from: node, to: .counter(id)) }
                target.map { collect($0, into: node) }
                for argument in arguments { collect(argument, into: node) }
            case .list(let elements, _): for element in elements { collect(element, into: node) }
            case .unary(_, let operand): collect(operand, into: node)
            case .binary(_, let left, let right): collect(left, into: node); collect(right, into: node)
            case .conditional(let a, let b, let c): collect(a, into: node); collect(b, into: node); collect(c, into: node)
            case .index(let base, let index): collect(base, into: node); collect(index, into: node)
            default: break
            }
        }
        for (index, declaration) in letDeclarations.enumerated() { collect(declaration.value, into: .letBinding(index)) }
        for (id, counter) in counterDeclarations.enumerated() {
            collect(counter.key, into: .counter(id))
            switch counter.aggregate {
            case .count: break
            case .sum(let value), .distinct(let value): collect(value, into: .counter(id))
            }
        }
        return graph
    }

    /// Checks every let and counter (but counters' `when`), each after the lets and counters it
    /// uses, without recursing through chains of them.
    private func checkLetsAndCounters() {
        let roots = letDeclarations.indices.map(DependencyNode.letBinding) + counterDeclarations.indices.map(DependencyNode.counter)
        for node in syntacticDependencies().postOrder(roots) {
            switch node {
            case .letBinding(let index): checkLet(index)
            case .counter(let id): checkCounter(id)
            case .model: break
            }
        }
    }

    /// The type of a let. A let not checked yet is on a reference cycle (everything else was
    /// checked in dependency order; the cycle is reported by `reportCycles`): `.error` then.
    func letType(_ index: Int) -> VerdictType {
        letStates[index] == .done ? letTypes[index] ?? .error : .error
    }

    private func checkLet(_ index: Int) {
        guard letStates[index] == .unchecked else { return }
        letStates[index] = .inProgress
        let declaration = letDeclarations[index]
        letTypes[index] = check(declaration.value, ExpressionContext(owner: .letBinding(index)))
        letStates[index] = .done
    }

    /// The type a read of counter `id` returns (`.error` for a counter on a reference cycle).
    func counterReadType(_ id: CounterID) -> VerdictType {
        counterStates[id] == .done ? counterReadTypes[id] ?? .error : .error
    }

    private func checkCounter(_ id: CounterID) {
        guard counterStates[id] == .unchecked else { return }
        counterStates[id] = .inProgress
        let counter = counterDeclarations[id]
        let context = ExpressionContext(owner: .counter(id))
        switch counter.aggregate {
        case .count:
            counterReadTypes[id] = .int
        case .sum(let value):
            let type = check(value, context)
            if type.isNumeric {
                counterReadTypes[id] = type
            } else {
                if !type.isError {
                    error(.sumType, "a counter can only sum int or double values, not '\(type)'", at: value.range,
                          hint: type.isText ? "use 'distinct' to count distinct values" : nil)
                }
                counterReadTypes[id] = .error
            }
        case .distinct(let value):
            checkKey(value, what: "distinct value", context)
            counterReadTypes[id] = .int
        }
        checkKey(counter.key, what: "counter key", context)
        if counter.retain.count <= 0 || retainSeconds(counter) == nil {
            error(.invalidRetain, "a counter must retain events for a positive duration of at most 100 years", at: counter.retain.range)
        }
        counterStates[id] = .done
    }

    /// A counter's retention in seconds, nil when it is not positive or absurdly long.
    func retainSeconds(_ counter: CounterDeclaration) -> Int64? {
        let (seconds, overflow) = counter.retain.count.multipliedReportingOverflow(by: counter.retain.unit.seconds)
        return !overflow && seconds > 0 && seconds <= 100 * 366 * 86400 ? seconds : nil
    }

    /// Checks a counter's `when`: it runs after the verdict, so it may read `verdict` and `score`,
    /// and its references are not evaluation dependencies of the counter (no cycle through them).
    private func checkCounterCondition(_ id: CounterID) {
        if let condition = counterDeclarations[id].condition {
            _ = checkCondition(condition, what: "counter 'when' condition", context: .counterWhen)
        }
    }

    private func checkedCounter(_ id: CounterID) -> CheckedCounter {
        let counter = counterDeclarations[id]
        let aggregate: CheckedAggregate
        switch counter.aggregate {
        case .count: aggregate = .count
        case .sum(let value): aggregate = .sum(value)
        case .distinct(let value): aggregate = .distinct(value)
        }
        return CheckedCounter(id: id, name: counter.name.name, key: counter.key, aggregate: aggregate,
                              condition: counter.condition, retainSeconds: retainSeconds(counter) ?? 0,
                              readType: counterReadTypes[id] ?? .error, range: counter.name.range)
    }

    /// Checks an expression used as a hash key (counter keys, distinct values, rollout keys,
    /// `bucket`): int, bool, text or ip.
    @discardableResult
    func checkKey(_ key: Expr, what: String, _ context: ExpressionContext) -> VerdictType {
        let type = check(key, context)
        switch type {
        case .int, .bool, .string, .stringCaseInsensitive, .country, .ip, .error: break
        default:
            error(.keyType, "a \(what) must be an int, bool, string, country or ip, not '\(type)'", at: key.range,
                  hint: type == .double ? "convert with int(...) or string(...)" : nil)
        }
        return type
    }

    // MARK: - Models

    private func checkModel(_ id: ModelID) -> CheckedModel {
        let model = modelDeclarations[id]
        let context = ExpressionContext(owner: .model(id))
        var bound: [String: Expr] = [:]
        var boundOrder: [String] = []
        for binding in model.bindings {
            let type = check(binding.value, context)
            switch type {
            case .int, .double, .bool, .error: break
            default:
                error(.featureType, "model feature '\(binding.feature.name)' must be int, double or bool, not '\(type)'",
                      at: binding.value.range, hint: type.isText ? "compare it, e.g. x == \"value\", to get a bool" : nil)
            }
            if bound[binding.feature.name] != nil {
                error(.duplicateFeature, "model feature '\(binding.feature.name)' is bound twice", at: binding.feature.range)
            } else {
                bound[binding.feature.name] = binding.value
                boundOrder.append(binding.feature.name)
            }
        }
        guard let kind = ModelKind(rawValue: model.kind.name) else {
            let hint = Suggestion.hint(for: model.kind.name, among: ModelKind.allCases.map(\.rawValue))
                ?? "model kinds are xgboost, lightgbm, linear"
            error(.unknownModelKind, "unknown model kind '\(model.kind.name)'", at: model.kind.range, hint: hint)
            return CheckedModel(id: id, name: model.name.name, kind: .linear, path: model.path.value, features: [], range: model.name.range)
        }
        let candidates = modelCandidates(model)
        var path = candidates.first ?? model.path.value
        var featureOrder = boundOrder
        if let catalog = options.modelCatalog {
            switch catalog.describe(ModelRequest(written: model.path.value, kind: kind, candidates: candidates)) {
            case .failure(let failure):
                error(.modelUnreadable, failure.message, at: model.path.range, hint: failure.hint)
            case .success(let description):
                path = description.path
                featureOrder = description.featureNames
                let known = Set(description.featureNames)
                let unbound = description.featureNames.filter { bound[$0] == nil }
                for binding in model.bindings where !known.contains(binding.feature.name) && !diagnostics.isFull {
                    error(.unknownFeature, "model '\(model.name.name)' has no feature '\(binding.feature.name)'",
                          at: binding.feature.range, hint: Suggestion.hint(for: binding.feature.name, among: unbound))
                }
                if !unbound.isEmpty {
                    let names = unbound.prefix(8).map { "'\($0)'" }.joined(separator: ", ") + (unbound.count > 8 ? ", ..." : "")
                    error(.unboundFeatures,
                          "model '\(model.name.name)' has \(unbound.count) unbound feature\(unbound.count == 1 ? "" : "s"): \(names)",
                          at: model.name.range, hint: "bind every feature: \(unbound[0]) = EXPR")
                }
            }
        }
        let features = featureOrder.compactMap { name in bound[name].map { CheckedFeature(name: name, value: $0) } }
        return CheckedModel(id: id, name: model.name.name, kind: kind, path: path, features: features, range: model.name.range)
    }

    /// Where a model path may be: relative to the declaring file, then to each model root.
    private func modelCandidates(_ model: ModelDeclaration) -> [String] {
        let written = model.path.value
        if written.hasPrefix("/") { return [written] }
        var candidates: [String] = []
        if let file = sources[model.path.range.file] {
            if let slash = file.path.lastIndex(of: "/") {
                candidates.append(String(file.path[...slash]) + written)
            } else {
                candidates.append(written)
            }
        }
        for root in options.modelRoots {
            candidates.append(root.hasSuffix("/") ? root + written : root + "/" + written)
        }
        return candidates
    }

    // MARK: - Rules, conditions, precedence

    /// Checks an expression that must be a bool.
    func checkCondition(_ condition: Expr, what: String, context: ExpressionContext) -> Expr {
        let type = check(condition, context)
        if type != .bool && !type.isError {
            error(.notBool, "a \(what) must be a bool, not '\(type)'", at: condition.range,
                  hint: type.isNumeric ? "compare it, e.g. \(sources[condition.range.file]?.text(of: condition.range) ?? "x") > 0" : nil)
        }
        return condition
    }

    private func checkRule(_ rule: RuleDeclaration, name: String, index: Int) -> CheckedRule {
        let condition = checkCondition(rule.condition, what: "rule condition", context: .plain)
        var rollout: CheckedRollout?
        if let r = rule.rollout {
            // The parser already rejects percentages outside 0...100.
            checkKey(r.key, what: "rollout key", .plain)
            rollout = CheckedRollout(percent: r.percent, key: r.key)
        }
        return CheckedRule(index: index, name: name, action: rule.action.action, condition: condition,
                           reason: rule.reason?.value, shadow: rule.shadow, rollout: rollout,
                           tags: rule.tags.map(\.value), range: rule.range)
    }

    private func checkPrecedence(_ declaration: PrecedenceDeclaration?) -> [Action] {
        let defaultOrder: [Action] = [.allow, .block, .review]
        guard let declaration else { return defaultOrder }
        var seen: [Action] = []
        for action in declaration.actions {
            if action.action == .challenge {
                error(.invalidPrecedence, "'challenge' cannot be ranked: challenge rules never decide the verdict",
                      at: action.range, hint: "rank allow, block and review")
            } else if seen.contains(action.action) {
                error(.invalidPrecedence, "'\(action.action.rawValue)' is ranked twice", at: action.range)
            } else {
                seen.append(action.action)
            }
        }
        let missing = defaultOrder.filter { !seen.contains($0) }
        if !missing.isEmpty {
            error(.invalidPrecedence, "precedence must rank allow, block and review; missing "
                    + missing.map { "'\($0.rawValue)'" }.joined(separator: ", "), at: declaration.range)
        }
        return seen + missing
    }

    private func checkOnError(_ declaration: OnErrorDeclaration?) -> Action? {
        guard let declaration else { return nil }
        let action = declaration.action.action
        if action != .review && action != .block {
            error(.invalidOnError, "'on error' takes review or block, not '\(action.rawValue)'",
                  at: declaration.action.range, hint: "leave 'on error' out to fail open")
            return nil
        }
        return action
    }

    // MARK: - Whole-ruleset diagnostics

    private func nodeName(_ node: DependencyNode) -> (String, SourceRange) {
        switch node {
        case .letBinding(let index): return (letDeclarations[index].name.name, letDeclarations[index].name.range)
        case .counter(let id): return (counterDeclarations[id].name.name, counterDeclarations[id].name.range)
        case .model(let id): return (modelDeclarations[id].name.name, modelDeclarations[id].name.range)
        }
    }

    private func reportCycles() {
        let order = letDeclarations.indices.map(DependencyNode.letBinding)
            + counterDeclarations.indices.map(DependencyNode.counter)
            + modelDeclarations.indices.map(DependencyNode.model)
        for cycle in graph.cycles(order: order) {
            let (first, range) = nodeName(cycle[0])
            let names = cycle.map { nodeName($0).0 }
            let path = names.count <= 10 ? names.joined(separator: " -> ")
                : names.prefix(8).joined(separator: " -> ") + " -> ... -> \(first) (\(names.count - 1) declarations)"
            error(.cycle, cycle.count == 2 ? "'\(first)' refers to itself" : "reference cycle: \(path)", at: range,
                  hint: "a let, counter or model cannot depend on itself")
        }
    }

    private func reportUnused() {
        // A declaration that already has an error is not also reported unused.
        for (index, declaration) in letDeclarations.enumerated()
        where !used.contains(declaration.name.name) && letTypes[index]?.isError != true {
            warning(.unusedLet, "let '\(declaration.name.name)' is never used", at: declaration.name.range,
                    hint: "remove it, or use it in a rule")
        }
        for list in lists where !used.contains(list.name) {
            warning(.unusedList, "list '\(list.name)' is never used", at: list.range,
                    hint: "remove it, or look it up with: x in @\(list.name)")
        }
        for counter in counterDeclarations where !used.contains(counter.name.name) {
            warning(.unusedCounter, "counter '\(counter.name.name)' is never read", at: counter.name.range,
                    hint: "remove it, or read it with \(counter.name.name)(1h)")
        }
        for model in modelDeclarations where !used.contains(model.name.name) && ModelKind(rawValue: model.kind.name) != nil {
            warning(.unusedModel, "model '\(model.name.name)' is never used", at: model.name.range,
                    hint: "remove it, or use its output: \(model.name.name) > 0.5")
        }
    }

    /// A rule is unreachable when an earlier enforced rule always fires with an action that wins
    /// over it (by default: a constant-true `allow` shadows every later block and review).
    private func reportUnreachable(_ rules: [CheckedRule], precedence: [Action]) {
        var winner: CheckedRule?
        for rule in rules {
            let enforced = !rule.shadow && rule.rollout == nil && rule.action != .challenge
            if let winner, enforced,
               let winnerRank = precedence.firstIndex(of: winner.action),
               let rank = precedence.firstIndex(of: rule.action), winnerRank < rank {
                warning(.unreachableRule, "rule '\(rule.name)' can never decide the verdict",
                        at: rule.condition.range,
                        hint: "rule '\(winner.name)' at \(place(winner.range)) always fires with \(winner.action.rawValue)")
                continue
            }
            if winner == nil, enforced, constantBool(rule.condition) == true { winner = rule }
        }
    }
}
