// The front end in one call: read a ruleset's files, parse them with one shared id space, type-check
// the result and hand back the checked ruleset with every diagnostic. This is what `verdict check`,
// the compiler and the engine call.

/// The outcome of loading a ruleset.
public struct FrontendResult: Sendable {
    /// The checked ruleset; nil when there is any error.
    public var ruleset: CheckedRuleset?
    /// Every diagnostic (errors and warnings) in source order.
    public var diagnostics: [Diagnostic] { bag.sorted }
    /// The diagnostics with their error count and dropped-error count (for rendering).
    public var bag: DiagnosticBag
    /// The files read, for rendering diagnostics (`DiagnosticRenderer(sources:)`).
    public var sources: SourceSet
    /// The parsed files, in file order.
    public var units: [SourceUnit]

    public var hasErrors: Bool { bag.hasErrors }
    public var warningCount: Int { bag.diagnostics.filter { $0.severity == .warning }.count }
}

/// Entry points of the language front end.
public enum Frontend {
    /// Reads, parses and checks the ruleset made of `paths` (files, or directories of `.rules`
    /// files). Unreadable paths are errors in the result, never traps.
    public static func load(paths: [String], options: CheckOptions = CheckOptions()) -> FrontendResult {
        var sources = SourceSet()
        var bag = DiagnosticBag(errorLimit: options.errorLimit)
        let files = RulesFiles.expand(paths)
        if files.isEmpty {
            bag.report(.error(SyntaxDiagnosticCode.fileUnreadable.rawValue,
                              "no .rules files in " + paths.map { "'\($0)'" }.joined(separator: ", "), at: .none,
                              hint: "a ruleset is one or more .rules files, or a directory holding them"))
        }
        RulesFiles.load(files, into: &sources, diagnostics: &bag)
        var result = check(sources: sources, options: options)
        if bag.hasErrors || !bag.diagnostics.isEmpty {
            bag.append(contentsOf: result.bag)
            result.bag = bag
            result.ruleset = nil
        }
        return result
    }

    /// Parses and checks files already in memory (tests, the engine's load-from-string).
    public static func check(sources: SourceSet, options: CheckOptions = CheckOptions()) -> FrontendResult {
        var ids = ExprIDAllocator()
        var bag = DiagnosticBag(errorLimit: options.errorLimit)
        let units = Parser.parse(sources, ids: &ids, diagnostics: &bag)
        if bag.hasErrors {
            // Syntax errors: a declaration that did not parse would make every reference to it an
            // "unknown name", so type checking waits until the syntax is right.
            return FrontendResult(ruleset: nil, bag: bag, sources: sources, units: units)
        }
        let (ruleset, checked) = Checker.check(units, sources: sources, options: options)
        bag.append(contentsOf: checked)
        return FrontendResult(ruleset: bag.hasErrors ? nil : ruleset, bag: bag, sources: sources, units: units)
    }

    /// Parses and checks one in-memory file.
    public static func check(text: String, path: String = "<input>", options: CheckOptions = CheckOptions()) -> FrontendResult {
        var sources = SourceSet()
        sources.add(path: path, text: text)
        return check(sources: sources, options: options)
    }
}
