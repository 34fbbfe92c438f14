// The narrow interface through which the VM reaches the world outside the request: list lookups,
// counter reads and model predictions. A plain struct of C function pointers plus an opaque
// context pointer (no protocol, no closure, no class), so a call from the interpreter loop costs
// one indirect call and no reference counting. The store and model modules provide real hosts;
// tests and the rules-only benchmark provide hosts that serve precomputed values.

/// Status a host function returns.
public enum HostStatus {
    /// The out-value was written.
    public static let value: Int32 = 0
    /// No value (e.g. a counter whose key has no entry is 0, not missing; this is for "cannot say").
    public static let missing: Int32 = 1
    /// The lookup failed: the expression's value is an error.
    public static let error: Int32 = 2
}

/// The host interface of one evaluation.
public struct Host {
    /// `list(context, listIndex, keyBytes, keyLength) -> 1 member, 0 not a member, <0 error`.
    /// Keys are UTF-8 strings or 4/16 address bytes (by `ListInfo.keyType`); case folding for
    /// `ci` lists and prefix/CIDR matching are the host's job.
    public typealias ListLookup = @convention(c) (UnsafeMutableRawPointer?, Int32, UnsafePointer<UInt8>?, Int) -> Int32
    /// `counter(context, firstRead, counters, windows, count, keyBytes, keyLength, out) -> HostStatus`:
    /// reads `count` counters that share one key (`counters[i]` over `windows[i]` seconds) into
    /// `out[i]` (counts are converted to int by the VM), so the host hashes and finds the key once.
    /// Read `i` of the call is `Program.counterReads[firstRead + i]`: a host that resolves reads
    /// once per program (at bind time) can index its own table by it instead of matching
    /// (counter, window) pairs. Keys: a string's UTF-8, an ip's bytes, an int's 8 little-endian
    /// bytes, a bool's one byte. The status applies to every read of the call.
    public typealias CounterRead = @convention(c) (UnsafeMutableRawPointer?, Int32, UnsafePointer<Int32>, UnsafePointer<Int64>,
                                                  Int, UnsafePointer<UInt8>?, Int, UnsafeMutablePointer<Double>) -> Int32
    /// `model(context, modelIndex, features, out) -> HostStatus`: `features` points to the call's
    /// `ModelFeatures` (read it with `ModelFeatures(features)`: a view of the feature registers in the
    /// model declaration's order, gathered as doubles with NaN for missing by `gather(into:)`, which
    /// reports an error feature: return `HostStatus.error` then). `out[0]` = probability, `out[1]` = margin.
    public typealias ModelScore = @convention(c) (UnsafeMutableRawPointer?, Int32, UnsafeRawPointer,
                                                 UnsafeMutablePointer<Double>) -> Int32

    public var context: UnsafeMutableRawPointer?
    public var list: ListLookup
    public var counter: CounterRead
    public var model: ModelScore

    public init(context: UnsafeMutableRawPointer?, list: @escaping ListLookup, counter: @escaping CounterRead,
                model: @escaping ModelScore) {
        self.context = context; self.list = list; self.counter = counter; self.model = model
    }

    /// A host for programs without lists, counters or models: every call reports an error.
    public static let none = Host(
        context: nil,
        list: { _, _, _, _ in -1 },
        counter: { _, _, _, _, _, _, _, _ in HostStatus.error },
        model: { _, _, _, _ in HostStatus.error })
}
