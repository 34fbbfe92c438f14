// The engine: one loaded, compiled ruleset with the stores it reads — the LMDB lists directory,
// the counter file and the model files — shared by all threads. Loading checks the ruleset (with
// models described by VerdictModels), compiles it, opens the stores and verifies that they match
// the declarations; evaluation happens in per-thread `Session`s (see docs/engine.md).
import VerdictCompiler
import VerdictLanguage
import VerdictModels
import VerdictStore
import VerdictVM

/// Knobs of `Engine.init`.
public struct EngineOptions: Sendable {
    /// Slots per key group when the counter file is created (distinct keys kept per group).
    public var counterSlotsPerGroup: Int
    /// Extra directories where relative model paths are looked up.
    public var modelRoots: [String]

    public init(counterSlotsPerGroup: Int = 1 << 16, modelRoots: [String] = []) {
        self.counterSlotsPerGroup = counterSlotsPerGroup
        self.modelRoots = modelRoots
    }
}

/// A loaded ruleset with its lists, counters and models. Immutable after loading and shared by
/// all threads; each thread evaluates through its own `Session` (`makeSession()`).
public final class Engine: @unchecked Sendable {
    /// The compiled ruleset.
    public let program: Program
    /// The checked ruleset (declarations, for tools).
    public let ruleset: CheckedRuleset
    /// Index of the `now` field (the event time, Unix seconds).
    public let nowField: Int
    /// The first `timestamp` field of the schema: the default event time of JSON requests.
    public let eventTimeField: Int?
    let lists: ListStore?
    let counters: CounterTable?
    /// Per program counter: its index in the counter table and its key group.
    let counterIndex: [Int]
    let counterGroup: [Int]
    /// Per program model, in program order.
    let models: [any PredictiveModel]
    let updates: [CounterUpdate]
    private let fieldIndices: [String: Int]

    /// Loads the ruleset at `rules` (a directory of `.rules` files, or one file), opens the lists
    /// directory `lists` (required when the ruleset declares lists) and the counter file
    /// `counters` (created from the ruleset's counter declarations when absent; required when it
    /// declares counters), and loads its models.
    public init(rules: String, lists listsPath: String?, counters countersPath: String?,
                options: EngineOptions = EngineOptions()) throws(EngineError) {
        let library = ModelLibrary()
        let result = Frontend.load(paths: [rules], options: CheckOptions(modelCatalog: library, modelRoots: options.modelRoots))
        guard !result.hasErrors, let ruleset = result.ruleset else {
            throw .ruleset(DiagnosticRenderer(sources: result.sources).render(result.bag))
        }
        self.ruleset = ruleset
        do { program = try Compiler.compile(ruleset) } catch { throw .compile("\(error)") }
        let contents = program.contents
        var indices: [String: Int] = [:]
        for (i, f) in contents.fields.enumerated() { indices[f.name] = i }
        fieldIndices = indices
        guard let now = indices["now"] else { throw .compile("the compiled program has no `now` field") }
        nowField = now
        eventTimeField = ruleset.fields.first { $0.type == .timestamp }.flatMap { indices[$0.name] }

        lists = try Engine.openLists(ruleset, listsPath)
        let table = try Engine.openCounters(ruleset, countersPath, options)
        counters = table
        if let table {
            var index: [Int] = [], group: [Int] = []
            for c in contents.counters {
                guard let i = table.counter(named: c.name) else { throw .counters("'\(table.path)' has no counter '\(c.name)'") }
                index.append(i); group.append(table.group(ofCounter: i))
            }
            counterIndex = index; counterGroup = group
            updates = try CounterUpdatePlanner.plan(ruleset, table: table)
        } else {
            counterIndex = []; counterGroup = []; updates = []
        }

        var loaded: [any PredictiveModel] = []
        for info in contents.models {
            guard let declared = ruleset.models.first(where: { $0.name == info.name }) else {
                throw .model(name: info.name, message: "not declared")
            }
            switch library.model(atPath: declared.path, kind: declared.kind) {
            case .failure(let error): throw .model(name: info.name, message: "cannot load '\(declared.path)': \(error)")
            case .success(let model):
                guard model.info.featureNames == info.features else {
                    throw .model(name: info.name, message: "the program binds features \(info.features), the file has \(model.info.featureNames)")
                }
                guard model.info.outputCount == 1 else {
                    throw .model(name: info.name, message: "\(model.info.outputCount) outputs; rules use single-output models")
                }
                loaded.append(model)
            }
        }
        models = loaded
    }

    /// The index of request field `name` (resolve once, then set by index).
    public func field(named name: String) -> Int? { fieldIndices[name] }

    /// A new session for the calling thread.
    public func makeSession() -> Session { Session(engine: self) }

    /// The counter table (nil when the ruleset declares no counters).
    public var counterTable: CounterTable? { counters }

    private static func openLists(_ ruleset: CheckedRuleset, _ path: String?) throws(EngineError) -> ListStore? {
        guard !ruleset.lists.isEmpty else { return nil }
        guard let path else { throw .lists("the ruleset declares lists; give the lists directory") }
        let store: ListStore
        do { store = try ListStore(directory: path) } catch { throw .lists("cannot open '\(path)': \(error)") }
        for list in ruleset.lists {
            let expected: ListStoreKind
            switch list.kind {
            case .string, .country: expected = list.caseInsensitive ? .stringCaseInsensitive : .string
            case .ip: expected = .ip
            case .prefix: expected = .prefix
            }
            let actual: ListStoreKind
            do { actual = try store.kind(of: list.name) } catch { throw .lists("list '\(list.name)': \(error)") }
            guard actual == expected else {
                throw .lists("list '\(list.name)' is declared \(expected) but stored as \(actual) in '\(path)'")
            }
        }
        return store
    }

    /// The counter definitions of the ruleset, in declaration order: the counter file the engine
    /// creates, and the one `verdict counters create --rules` and `migrate` write. Each counter's
    /// finest bucket is fitted to the windows the ruleset reads it over
    /// (`CounterDefinition.fittedBucket`): every `NAME(window)` the checker resolved, in rules,
    /// scores, thresholds, lets and model features, used or not.
    public static func counterDefinitions(_ ruleset: CheckedRuleset) -> [CounterDefinition] {
        let printer = ExpressionPrinter()
        let windows = counterReadWindows(ruleset)
        return ruleset.counters.map { c in
            let aggregate: VerdictStore.CounterAggregate
            switch c.aggregate {
            case .count: aggregate = .count
            case .sum(let e): aggregate = .sum(printer.print(e))
            case .distinct(let e): aggregate = .distinct(printer.print(e))
            }
            let bucket = CounterDefinition.fittedBucket(aggregate: aggregate, retain: c.retainSeconds, windows: windows[c.id])
            return CounterDefinition(name: c.name, key: printer.print(c.key), aggregate: aggregate,
                                     retain: c.retainSeconds, bucket: bucket)
        }
    }

    /// Per counter (by `CounterID`): the windows of every read of it in the ruleset.
    static func counterReadWindows(_ ruleset: CheckedRuleset) -> [[Int64]] {
        var windows = [[Int64]](repeating: [], count: ruleset.counters.count)
        for id in 0..<ruleset.expressionCount {
            if case .counterRead(let counter, let window)? = ruleset.resolution(of: id), windows.indices.contains(counter) {
                windows[counter].append(window)
            }
        }
        return windows
    }

    /// Loads and checks the ruleset at `rules` (a `.rules` file or a directory) and returns its
    /// counter definitions as the engine creates them (for `verdict counters create/migrate --rules`).
    public static func counterDefinitions(rules: String, modelRoots: [String] = []) throws(EngineError) -> [CounterDefinition] {
        let result = Frontend.load(paths: [rules], options: CheckOptions(modelCatalog: ModelLibrary(), modelRoots: modelRoots))
        guard !result.hasErrors, let ruleset = result.ruleset else {
            throw .ruleset(DiagnosticRenderer(sources: result.sources).render(result.bag))
        }
        return counterDefinitions(ruleset)
    }

    private static func openCounters(_ ruleset: CheckedRuleset, _ path: String?,
                                     _ options: EngineOptions) throws(EngineError) -> CounterTable? {
        guard !ruleset.counters.isEmpty else { return nil }
        guard let path else { throw .counters("the ruleset declares counters; give the counter file") }
        do {
            return try CounterTable.openOrCreate(path: path, definitions: counterDefinitions(ruleset),
                                                 slotsPerGroup: options.counterSlotsPerGroup)
        } catch {
            throw .counters("\(path): \(error)")
        }
    }
}
