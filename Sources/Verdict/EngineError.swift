// The typed errors of loading an engine and of feeding it requests: every bad file, bad ruleset or
// bad value surfaces as one of these with a message naming what and where, never as a trap.
import VerdictStore

/// Why an engine could not be loaded, or a request could not be set or decoded.
public enum EngineError: Error, CustomStringConvertible, Equatable {
    /// The ruleset does not check (the rendered diagnostics).
    case ruleset(String)
    /// The checked ruleset does not compile (a construct the compiler or engine does not support).
    case compile(String)
    /// A model file could not be loaded or does not match its declaration.
    case model(name: String, message: String)
    /// The lists directory could not be opened, or a declared list is absent or of another kind.
    case lists(String)
    /// The counter file could not be opened or created, or holds other counters.
    case counters(String)
    /// A request value was rejected (unknown field, wrong type, bad JSON).
    case request(String)

    public var description: String {
        switch self {
        case .ruleset(let m): return "ruleset: \(m)"
        case .compile(let m): return "compile: \(m)"
        case .model(let name, let m): return "model '\(name)': \(m)"
        case .lists(let m): return "lists: \(m)"
        case .counters(let m): return "counters: \(m)"
        case .request(let m): return "request: \(m)"
        }
    }
}
