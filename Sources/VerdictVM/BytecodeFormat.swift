// The versioned binary program format (`.vbc`): a 24-byte header (magic "VRDC", format version,
// payload length, XXH3-64 checksum of the payload) and a little-endian payload holding every part
// of `ProgramContents` in a fixed order. Decoding checks every length against the bytes left, so
// hostile input fails with a typed error; the decoded contents are then verified before anything
// can run them.
import CXXHash

/// Why bytes could not be loaded as a program.
public enum BytecodeError: Error, Equatable, CustomStringConvertible {
    case notBytecode
    case unsupportedVersion(UInt16)
    case truncated
    case checksumMismatch
    case malformed(String)
    case invalid(VerificationError)

    public var description: String {
        switch self {
        case .notBytecode: return "not a Verdict bytecode file (bad magic)"
        case .unsupportedVersion(let v): return "bytecode format version \(v) is not supported (this build reads \(BytecodeFormat.version))"
        case .truncated: return "bytecode file is truncated"
        case .checksumMismatch: return "bytecode checksum mismatch (corrupted file)"
        case .malformed(let why): return "malformed bytecode: \(why)"
        case .invalid(let e): return e.description
        }
    }
}

/// Encoding and decoding of `.vbc` files.
public enum BytecodeFormat {
    public static let magic: [UInt8] = Array("VRDC".utf8)
    public static let version: UInt16 = 5
    static let headerSize = 24

    /// Encodes a program.
    public static func encode(_ program: Program) -> [UInt8] { encode(program.contents) }

    /// Encodes program contents (not necessarily verified; tests use this to make hostile files).
    public static func encode(_ p: ProgramContents) -> [UInt8] {
        var w = Writer()
        w.string(p.name); w.string(p.version)
        w.count(p.fields.count)
        for f in p.fields { w.string(f.name); w.u8(f.type.rawValue); w.u8(f.caseInsensitive ? 1 : 0) }
        w.count(p.registerTypes.count)
        for t in p.registerTypes { w.u8(t.rawValue) }
        w.u32(UInt32(p.lazyRegisters.lowerBound)); w.u32(UInt32(p.lazyRegisters.upperBound))
        w.count(p.constants.count)
        for k in p.constants { w.u8(k.tag); w.u8(k.aux); w.u16(k.reserved); w.u32(k.length); w.u64(k.bits) }
        w.bytes(p.constantBytes)
        w.count(p.code.count)
        for i in p.code { w.u8(i.opcode); w.u8(i.flags); w.u16(i.a); w.u16(i.b); w.u16(i.c) }
        w.count(p.rules.count)
        for r in p.rules {
            w.string(r.name); w.u8(r.kind.rawValue); w.u8(r.action.rawValue); w.u8(r.shadow ? 1 : 0)
            w.u32(r.rolloutBasisPoints.map { UInt32($0) } ?? UInt32.max)
            w.u64(UInt64(bitPattern: r.points))
            w.u8(r.reason == nil ? 0 : 1); w.string(r.reason ?? "")
        }
        w.count(p.sets.count)
        for s in p.sets { w.u8(s.elementType.rawValue); w.u8(s.caseInsensitive ? 1 : 0); w.count(s.elements.count); for e in s.elements { w.u16(e) } }
        w.count(p.lists.count)
        for l in p.lists { w.string(l.name); w.u8(l.keyType.rawValue) }
        w.count(p.counters.count)
        for c in p.counters { w.string(c.name); w.u8(c.valueType.rawValue) }
        w.count(p.counterReads.count)
        for r in p.counterReads { w.u16(r.counter); w.u64(UInt64(bitPattern: r.windowSeconds)) }
        w.count(p.counterBatches.count)
        for b in p.counterBatches { w.u16(b.firstRead); w.u16(b.count) }
        w.count(p.models.count)
        for m in p.models {
            w.string(m.name)
            w.count(m.features.count); for f in m.features { w.string(f) }
            w.count(m.arguments.count); for a in m.arguments { w.u16(a) }
        }
        w.count(p.regexes.count)
        for x in p.regexes {
            w.string(x.pattern)
            w.count(x.instructions.count); for i in x.instructions { w.u8(i.operation); w.u32(i.x); w.u32(i.y) }
            w.count(x.ranges.count); for r in x.ranges { w.u32(r.low); w.u32(r.high) }
        }
        w.count(p.precedence.count)
        for a in p.precedence { w.u8(a.rawValue) }
        w.count(p.thresholds.count)
        for t in p.thresholds {
            w.u8(t.action.rawValue); w.u8(t.minimumScore == nil ? 1 : 0); w.u64(UInt64(bitPattern: t.minimumScore ?? 0))
        }
        w.u8(p.onError.rawValue)
        w.u32(p.resultRegister.map { UInt32($0) } ?? UInt32.max)

        return wrapPayload(w.data)
    }

    /// A file around `payload` with a correct header (for fuzzing the payload decoder and verifier).
    public static func wrapPayload(_ payload: [UInt8]) -> [UInt8] {
        var header = Writer()
        header.u16(version); header.u16(0)
        header.u64(UInt64(payload.count))
        header.u64(payload.withUnsafeBytes { XXH3_64bits($0.baseAddress, $0.count) })
        return magic + header.data + payload
    }

    /// Decodes and verifies a `.vbc` file.
    public static func decode(_ bytes: [UInt8]) throws(BytecodeError) -> Program {
        let contents = try decodeContents(bytes)
        do { return try Program(contents) } catch { throw .invalid(error) }
    }

    /// Decodes a `.vbc` file without verifying it (the verifier then decides whether it may run).
    public static func decodeContents(_ bytes: [UInt8]) throws(BytecodeError) -> ProgramContents {
        guard bytes.count >= headerSize else { throw bytes.starts(with: magic.prefix(bytes.count)) ? .truncated : .notBytecode }
        guard Array(bytes[0..<4]) == magic else { throw .notBytecode }
        var h = Reader(bytes, start: 4, end: headerSize)
        let v = try h.u16()
        guard v == version else { throw .unsupportedVersion(v) }
        _ = try h.u16()
        let length = try h.u64()
        let checksum = try h.u64()
        guard UInt64(bytes.count - headerSize) == length else {
            throw UInt64(bytes.count - headerSize) < length ? .truncated : .malformed("trailing bytes after the payload")
        }
        let actual = bytes.withUnsafeBytes { XXH3_64bits($0.baseAddress! + headerSize, bytes.count - headerSize) }
        guard actual == checksum else { throw .checksumMismatch }

        var r = Reader(bytes, start: headerSize, end: bytes.count)
        var p = ProgramContents()
        p.name = try r.string(); p.version = try r.string()
        for _ in 0..<(try r.count(minimumSize: 6)) {
            let name = try r.string()
            let type = try r.type()
            p.fields.append(FieldInfo(name: name, type: type, caseInsensitive: try r.u8() != 0))
        }
        for _ in 0..<(try r.count(minimumSize: 1)) { p.registerTypes.append(try r.type()) }
        let lower = Int(try r.u32()), upper = Int(try r.u32())
        guard lower <= upper else { throw .malformed("lazy register range") }
        p.lazyRegisters = lower..<upper
        for _ in 0..<(try r.count(minimumSize: 16)) {
            let tag = try r.u8(), aux = try r.u8(), reserved = try r.u16(), length = try r.u32(), bits = try r.u64()
            var slot = Slot(tag: tag, bits: bits, length: length, aux: aux)
            slot.reserved = reserved
            p.constants.append(slot)
        }
        p.constantBytes = try r.bytes()
        for _ in 0..<(try r.count(minimumSize: 8)) {
            p.code.append(Instruction(rawOpcode: try r.u8(), flags: try r.u8(), a: try r.u16(), b: try r.u16(), c: try r.u16()))
        }
        for _ in 0..<(try r.count(minimumSize: 22)) {
            let name = try r.string()
            guard let kind = RuleInfo.Kind(rawValue: try r.u8()) else { throw .malformed("rule kind") }
            let action = try r.action()
            let shadow = try r.u8() != 0
            let basis = try r.u32()
            guard basis == UInt32.max || basis <= 10000 else { throw .malformed("rollout") }
            let points = Int64(bitPattern: try r.u64())
            let hasReason = try r.u8() != 0
            let reason = try r.string()
            p.rules.append(RuleInfo(name: name, kind: kind, action: action, shadow: shadow,
                                    rolloutBasisPoints: basis == UInt32.max ? nil : UInt16(basis), points: points,
                                    reason: hasReason ? reason : nil))
        }
        for _ in 0..<(try r.count(minimumSize: 6)) {
            let type = try r.type()
            let ci = try r.u8() != 0
            var elements: [UInt16] = []
            for _ in 0..<(try r.count(minimumSize: 2)) { elements.append(try r.u16()) }
            p.sets.append(ConstantSetInfo(elementType: type, caseInsensitive: ci, elements: elements))
        }
        for _ in 0..<(try r.count(minimumSize: 5)) { p.lists.append(ListInfo(name: try r.string(), keyType: try r.type())) }
        for _ in 0..<(try r.count(minimumSize: 5)) { p.counters.append(CounterInfo(name: try r.string(), valueType: try r.type())) }
        for _ in 0..<(try r.count(minimumSize: 10)) {
            p.counterReads.append(CounterReadInfo(counter: try r.u16(), windowSeconds: Int64(bitPattern: try r.u64())))
        }
        for _ in 0..<(try r.count(minimumSize: 4)) {
            p.counterBatches.append(CounterBatchInfo(firstRead: try r.u16(), count: try r.u16()))
        }
        for _ in 0..<(try r.count(minimumSize: 12)) {
            let name = try r.string()
            var features: [String] = []
            for _ in 0..<(try r.count(minimumSize: 4)) { features.append(try r.string()) }
            var arguments: [UInt16] = []
            for _ in 0..<(try r.count(minimumSize: 2)) { arguments.append(try r.u16()) }
            p.models.append(ModelInfo(name: name, features: features, arguments: arguments))
        }
        for _ in 0..<(try r.count(minimumSize: 12)) {
            let pattern = try r.string()
            var instructions: [RegexInstruction] = [], ranges: [RegexRange] = []
            for _ in 0..<(try r.count(minimumSize: 9)) {
                instructions.append(RegexInstruction(rawOperation: try r.u8(), x: try r.u32(), y: try r.u32()))
            }
            for _ in 0..<(try r.count(minimumSize: 8)) { ranges.append(RegexRange(try r.u32(), try r.u32())) }
            p.regexes.append(RegexProgram(instructions: instructions, ranges: ranges, pattern: pattern))
        }
        p.precedence = []
        for _ in 0..<(try r.count(minimumSize: 1)) { p.precedence.append(try r.action()) }
        for _ in 0..<(try r.count(minimumSize: 10)) {
            let action = try r.action(), computed = try r.u8(), minimum = Int64(bitPattern: try r.u64())
            guard computed <= 1 else { throw .malformed("threshold kind") }
            p.thresholds.append(ThresholdInfo(action: action, minimumScore: computed == 1 ? nil : minimum))
        }
        p.onError = try r.action()
        let result = try r.u32()
        p.resultRegister = result == UInt32.max ? nil : Int(result)
        guard r.atEnd else { throw .malformed("trailing bytes in the payload") }
        return p
    }

    private struct Writer {
        var data: [UInt8] = []
        mutating func u8(_ v: UInt8) { data.append(v) }
        mutating func u16(_ v: UInt16) { data.append(UInt8(v & 0xff)); data.append(UInt8(v >> 8)) }
        mutating func u32(_ v: UInt32) { for i in 0..<4 { data.append(UInt8(truncatingIfNeeded: v >> (8 * i))) } }
        mutating func u64(_ v: UInt64) { for i in 0..<8 { data.append(UInt8(truncatingIfNeeded: v >> (8 * i))) } }
        mutating func count(_ n: Int) { u32(UInt32(n)) }
        mutating func bytes(_ b: [UInt8]) { count(b.count); data += b }
        mutating func string(_ s: String) { bytes(Array(s.utf8)) }
    }

    private struct Reader {
        let data: [UInt8]
        var position: Int
        let end: Int
        init(_ data: [UInt8], start: Int, end: Int) { self.data = data; self.position = start; self.end = end }
        var atEnd: Bool { position == end }

        mutating func take(_ n: Int) throws(BytecodeError) -> ArraySlice<UInt8> {
            guard n >= 0, n <= end - position else { throw .truncated }
            defer { position += n }
            return data[position..<(position + n)]
        }
        mutating func u8() throws(BytecodeError) -> UInt8 { try take(1).first! }
        mutating func u16() throws(BytecodeError) -> UInt16 {
            let b = try take(2); return UInt16(b[b.startIndex]) | UInt16(b[b.startIndex + 1]) << 8
        }
        mutating func u32() throws(BytecodeError) -> UInt32 {
            let b = try take(4); var v: UInt32 = 0
            for i in 0..<4 { v |= UInt32(b[b.startIndex + i]) << (8 * i) }
            return v
        }
        mutating func u64() throws(BytecodeError) -> UInt64 {
            let b = try take(8); var v: UInt64 = 0
            for i in 0..<8 { v |= UInt64(b[b.startIndex + i]) << (8 * i) }
            return v
        }
        /// An element count, refused when the remaining bytes cannot hold that many elements.
        mutating func count(minimumSize: Int) throws(BytecodeError) -> Int {
            let n = Int(try u32())
            guard n <= (end - position) / max(minimumSize, 1) else { throw .truncated }
            return n
        }
        mutating func bytes() throws(BytecodeError) -> [UInt8] { Array(try take(count(minimumSize: 1))) }
        mutating func string() throws(BytecodeError) -> String {
            let b = try bytes()
            guard let s = String(validating: b, as: UTF8.self) else { throw .malformed("invalid UTF-8 in a name") }
            return s
        }
        mutating func type() throws(BytecodeError) -> ValueType {
            let raw = try u8()
            guard let t = ValueType(rawValue: raw) else { throw .malformed("value type \(raw)") }
            return t
        }
        mutating func action() throws(BytecodeError) -> VerdictAction {
            let raw = try u8()
            guard let a = VerdictAction(rawValue: raw) else { throw .malformed("action \(raw)") }
            return a
        }
    }
}
