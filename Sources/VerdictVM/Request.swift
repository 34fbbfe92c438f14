// The reusable per-thread request: the register file (request fields first), the byte arena for
// strings (whose prefix is the program's constant bytes, so constants and request strings share
// one address space), the per-rule outcome bitsets, the host output buffer and the regex
// matcher's scratch. Fields are set by
// index (resolved once by name, like SQLite's bind parameters) through typed setters. All memory
// is allocated when the request is created; later evaluations allocate only if a string outgrows
// the arena (after warm-up: never).
import Glibc

/// A problem with a value a host tried to set.
public enum RequestError: Error, Equatable, CustomStringConvertible {
    case noSuchField(Int)
    case typeMismatch(field: String, expected: ValueType, got: String)
    case invalidIP(field: String)

    public var description: String {
        switch self {
        case .noSuchField(let i): return "no request field with index \(i)"
        case .typeMismatch(let field, let expected, let got): return "field '\(field)' is \(expected), cannot set a \(got)"
        case .invalidIP(let field): return "field '\(field)': an ip address has 4 or 16 bytes"
        }
    }
}

/// Everything one evaluation reads and writes, as raw pointers (no references): the interpreter's
/// only argument.
struct EvalContext {
    var registers: UnsafeMutablePointer<Slot>
    var arena: UnsafeMutablePointer<UInt8>
    var arenaLength: Int
    var arenaCapacity: Int
    var fired: UnsafeMutablePointer<UInt64>
    var missing: UnsafeMutablePointer<UInt64>
    var errored: UnsafeMutablePointer<UInt64>
    var unenforced: UnsafeMutablePointer<UInt64>
    /// Lowest deciding rule index per action code (allow...challenge), -1 when none.
    var best: UnsafeMutablePointer<Int32>
    /// What host calls write: a model's two outputs, a counter batch's reads.
    var hostOut: UnsafeMutablePointer<Double>
    var score: Int64
    /// Bit i: threshold clause i's condition held (clauses decided by the program).
    var thresholdsHeld: UInt64
    var stoppedEarly: Bool
    var onError: UInt8
    /// The code this evaluation runs: `fastCode` or `traceCode` (by the evaluation mode).
    var code: UnsafePointer<Instruction>
    var fastCode: UnsafePointer<Instruction>
    var traceCode: UnsafePointer<Instruction>
    var constants: UnsafePointer<Slot>
    var rules: UnsafePointer<RuleRuntime>
    var setHeaders: UnsafePointer<SetHeader>
    var setEntries: UnsafePointer<SetEntry>
    var readCounters: UnsafePointer<Int32>
    var readWindows: UnsafePointer<Int64>
    var readIsDouble: UnsafePointer<UInt8>
    var counterBatches: UnsafePointer<CounterBatchRuntime>
    var models: UnsafePointer<ModelRuntime>
    var modelArguments: UnsafePointer<UInt16>
    var regexes: UnsafePointer<RegexRuntime>
    var regexCode: UnsafePointer<RegexInstruction>
    var regexRanges: UnsafePointer<RegexRange>
    /// The regex matcher's thread lists and marks (`RegexMatcher.scratchWords` of the largest regex).
    var regexScratch: UnsafeMutablePointer<UInt32>
    var lazyStart: Int
    var lazyEnd: Int
    var wordCount: Int
    var precedence: UnsafePointer<VerdictAction>
    var precedenceCount: Int
    var thresholds: UnsafePointer<ThresholdInfo>
    var thresholdCount: Int
    var host: Host
}

/// A request bound to one program: set fields, evaluate, read the verdict, `reset`, repeat.
/// Not thread-safe: use one request per thread.
public final class Request {
    /// The program this request's field indices and registers belong to.
    public let program: Program
    let context: UnsafeMutablePointer<EvalContext>
    let wordCount: Int
    private let fieldCount: Int

    /// Creates a request for `program` with `arenaCapacity` bytes for request strings.
    public init(program: Program, arenaCapacity: Int = 4096) {
        self.program = program
        let image = program.image
        fieldCount = program.contents.fields.count
        wordCount = max(1, (image.ruleCount + 63) / 64)
        let registers = UnsafeMutablePointer<Slot>.allocate(capacity: max(1, image.registerCount))
        registers.initialize(repeating: .missing, count: max(1, image.registerCount))
        let capacity = image.constantByteCount + max(arenaCapacity, 64)
        let arena = malloc(capacity + Arena.slack)!.assumingMemoryBound(to: UInt8.self)
        if image.constantByteCount > 0 { memcpy(arena, image.constantBytes, image.constantByteCount) }
        let words = UnsafeMutablePointer<UInt64>.allocate(capacity: wordCount * 4)
        words.initialize(repeating: 0, count: wordCount * 4)
        let best = UnsafeMutablePointer<Int32>.allocate(capacity: 5)
        best.initialize(repeating: -1, count: 5)
        let hostOut = UnsafeMutablePointer<Double>.allocate(capacity: image.hostOutputs)
        hostOut.initialize(repeating: 0, count: image.hostOutputs)
        let regexScratch = UnsafeMutablePointer<UInt32>.allocate(capacity: max(1, RegexMatcher.scratchWords(image.maxRegexInstructions)))
        context = .allocate(capacity: 1)
        context.initialize(to: EvalContext(
            registers: registers, arena: arena, arenaLength: image.constantByteCount, arenaCapacity: capacity,
            fired: words, missing: words + wordCount, errored: words + 2 * wordCount, unenforced: words + 3 * wordCount,
            best: best, hostOut: hostOut, score: 0, thresholdsHeld: 0, stoppedEarly: false,
            onError: program.contents.onError.rawValue,
            code: image.code, fastCode: image.code, traceCode: image.traceCode, constants: image.constants, rules: image.rules, setHeaders: image.setHeaders,
            setEntries: image.setEntries, readCounters: image.readCounters, readWindows: image.readWindows,
            readIsDouble: image.readIsDouble, counterBatches: image.counterBatches, models: image.models,
            modelArguments: image.modelArguments,
            regexes: image.regexes, regexCode: image.regexCode, regexRanges: image.regexRanges, regexScratch: regexScratch,
            lazyStart: image.lazyRegisters.lowerBound, lazyEnd: image.lazyRegisters.upperBound, wordCount: wordCount,
            precedence: image.precedence, precedenceCount: image.precedenceCount,
            thresholds: image.thresholds, thresholdCount: image.thresholdCount, host: .none))
    }

    deinit {
        let c = context.pointee
        c.registers.deallocate()
        free(c.arena)
        c.fired.deallocate()
        c.best.deallocate()
        c.hostOut.deallocate()
        c.regexScratch.deallocate()
        context.deallocate()
    }

    /// Marks every field missing and drops the strings set since the last reset.
    public func reset() {
        let c = context.pointee
        for i in 0..<fieldCount { c.registers[i] = .missing }
        context.pointee.arenaLength = program.image.constantByteCount
    }

    @inline(__always)
    private func check(_ field: Int, _ type: ValueType, _ got: String) throws(RequestError) {
        guard field >= 0, field < fieldCount else { throw .noSuchField(field) }
        let info = program.contents.fields[field]
        guard info.type == type else { throw .typeMismatch(field: info.name, expected: info.type, got: got) }
    }

    /// Sets an `int` (or `timestamp`) field.
    public func set(_ field: Int, int value: Int64) throws(RequestError) {
        try check(field, .int, "int")
        context.pointee.registers[field] = .int(value)
    }

    /// Sets a `double` field.
    public func set(_ field: Int, double value: Double) throws(RequestError) {
        try check(field, .double, "double")
        context.pointee.registers[field] = .double(value)
    }

    /// Sets a `bool` field.
    public func set(_ field: Int, bool value: Bool) throws(RequestError) {
        try check(field, .bool, "bool")
        context.pointee.registers[field] = .bool(value)
    }

    /// Sets a `string` (or `country`) field from UTF-8 bytes (copied into the arena).
    public func set(_ field: Int, utf8 bytes: UnsafeRawBufferPointer) throws(RequestError) {
        try check(field, .string, "string")
        context.pointee.registers[field] = appendBytes(bytes, tag: Tag.string)
    }

    /// Sets a `string` (or `country`) field (its UTF-8 is copied into the arena).
    public func set(_ field: Int, string value: String) throws(RequestError) {
        try check(field, .string, "string")
        var copy = value
        let slot = copy.withUTF8 { appendBytes(UnsafeRawBufferPointer($0), tag: Tag.string) }
        context.pointee.registers[field] = slot
    }

    /// Sets an `ip` field from 4 (IPv4) or 16 (IPv6) network-order bytes.
    public func set(_ field: Int, ipBytes bytes: UnsafeRawBufferPointer) throws(RequestError) {
        try check(field, .ip, "ip")
        guard bytes.count == 4 || bytes.count == 16 else { throw .invalidIP(field: program.contents.fields[field].name) }
        context.pointee.registers[field] = appendBytes(bytes, tag: Tag.ip)
    }

    /// Sets an `ip` field.
    public func set(_ field: Int, ip value: IPAddress) throws(RequestError) {
        try check(field, .ip, "ip")
        context.pointee.registers[field] = value.bytes.withUnsafeBytes { appendBytes($0, tag: Tag.ip) }
    }

    /// Marks a field missing.
    public func setMissing(_ field: Int) throws(RequestError) {
        guard field >= 0, field < fieldCount else { throw .noSuchField(field) }
        context.pointee.registers[field] = .missing
    }

    /// Sets a field from a `Value` (tools and tests; `.missing` clears it).
    public func set(_ field: Int, value: Value) throws(RequestError) {
        switch value {
        case .missing: try setMissing(field)
        case .bool(let b): try set(field, bool: b)
        case .int(let i): try set(field, int: i)
        case .double(let d): try set(field, double: d)
        case .string(let s): try set(field, string: s)
        case .ip(let a): try set(field, ip: a)
        case .error, .network:
            guard field >= 0, field < fieldCount else { throw .noSuchField(field) }
            let info = program.contents.fields[field]
            throw .typeMismatch(field: info.name, expected: info.type, got: value.type.map { "\($0)" } ?? "error")
        }
    }

    /// The current value of a register (a field, or after evaluation any register), as a `Value`.
    public func value(ofRegister index: Int) -> Value {
        guard index >= 0, index < program.image.registerCount else { return .missing }
        return Request.read(context.pointee.registers[index], arena: context.pointee.arena)
    }

    static func read(_ s: Slot, arena: UnsafePointer<UInt8>) -> Value {
        switch s.tag {
        case Tag.bool: return .bool(s.bits != 0)
        case Tag.int: return .int(s.int)
        case Tag.double: return .double(s.double)
        case Tag.string:
            return .string(String(decoding: UnsafeBufferPointer(start: arena + s.offset, count: Int(s.length)), as: UTF8.self))
        case Tag.ip, Tag.network:
            let bytes = Array(UnsafeBufferPointer(start: arena + s.offset, count: Int(s.length)))
            guard let address = IPAddress(bytes: bytes) else { return .error(.badOperand) }
            if s.tag == Tag.ip { return .ip(address) }
            return IPNetwork(address: address, prefixLength: Int(s.aux)).map { .network($0) } ?? .error(.badOperand)
        case Tag.error: return .error(RuntimeErrorKind(rawValue: s.bits) ?? .badOperand)
        default: return .missing
        }
    }

    private func appendBytes(_ bytes: UnsafeRawBufferPointer, tag: UInt8) -> Slot {
        let offset = Arena.reserve(context, bytes.count)
        if bytes.count > 0 { memcpy(context.pointee.arena + offset, bytes.baseAddress!, bytes.count) }
        return Slot(tag: tag, bits: UInt64(offset), length: UInt32(bytes.count))
    }
}

/// Growth of the request arena (the one place the hot path may allocate, on a string larger than
/// any seen before).
enum Arena {
    /// Bytes allocated past the capacity, so that an 8-byte load at any string's start stays in
    /// the allocation (ByteOps.load8: short strings are compared and hashed as masked words).
    static let slack = 8

    /// Reserves `n` bytes at the end of the arena and returns their offset (may move the arena).
    @inline(__always)
    static func reserve(_ ctx: UnsafeMutablePointer<EvalContext>, _ n: Int) -> Int {
        let offset = ctx.pointee.arenaLength
        if offset + n > ctx.pointee.arenaCapacity { grow(ctx, offset + n) }
        ctx.pointee.arenaLength = offset + n
        return offset
    }

    @inline(never)
    static func grow(_ ctx: UnsafeMutablePointer<EvalContext>, _ needed: Int) {
        let capacity = max(needed, ctx.pointee.arenaCapacity * 2)
        ctx.pointee.arena = realloc(ctx.pointee.arena, capacity + slack)!.assumingMemoryBound(to: UInt8.self)
        ctx.pointee.arenaCapacity = capacity
    }
}
