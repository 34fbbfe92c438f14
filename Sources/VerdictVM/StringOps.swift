// Opcodes that build new strings in the request arena (concatenation, case mapping, `domain`,
// `string(x)`) and the conversions that parse or format (`int(s)`, `double(s)`, CIDR membership).
// Out of line from the interpreter loop: rare in rules, and the arena may move when they run.
import Glibc

enum StringBuilder {
    @inline(never)
    static func concat(_ ctx: UnsafeMutablePointer<EvalContext>, _ x: Slot, _ y: Slot) -> Slot {
        guard x.tag == Tag.string && y.tag == Tag.string else { return x.tag == Tag.error ? x : (y.tag == Tag.error ? y : .missing) }
        let n = Int(x.length), m = Int(y.length)
        guard n + m <= Int(UInt32.max) else { return .error(.overflow) }
        let offset = Arena.reserve(ctx, n + m)
        let base = ctx.pointee.arena
        memmove(base + offset, base + x.offset, n)
        memmove(base + offset + n, base + y.offset, m)
        return Slot(tag: Tag.string, bits: UInt64(offset), length: UInt32(n + m))
    }

    @inline(never)
    static func recase(_ ctx: UnsafeMutablePointer<EvalContext>, _ x: Slot, upper: Bool) -> Slot {
        guard x.tag == Tag.string else { return x.tag == Tag.error ? x : .missing }
        return copy(ctx, x.offset, Int(x.length), upper: upper)
    }

    /// The part after the last `@`, lower-cased; missing when there is no `@`.
    @inline(never)
    static func domain(_ ctx: UnsafeMutablePointer<EvalContext>, _ x: Slot) -> Slot {
        guard x.tag == Tag.string else { return x.tag == Tag.error ? x : .missing }
        let p = ctx.pointee.arena + x.offset
        var at = Int(x.length) - 1
        while at >= 0 && p[at] != UInt8(ascii: "@") { at -= 1 }
        if at < 0 { return .missing }
        return copy(ctx, x.offset + at + 1, Int(x.length) - at - 1, upper: false)
    }

    /// Copies arena bytes [offset, offset+n) to a new arena string, ASCII case-mapped.
    private static func copy(_ ctx: UnsafeMutablePointer<EvalContext>, _ offset: Int, _ n: Int, upper: Bool) -> Slot {
        let target = Arena.reserve(ctx, n)
        let base = ctx.pointee.arena
        for i in 0..<n {
            let b = base[offset + i]
            if upper {
                base[target + i] = (b &- 97) < 26 ? b & ~0x20 : b
            } else {
                base[target + i] = ByteOps.fold(b)
            }
        }
        return Slot(tag: Tag.string, bits: UInt64(target), length: UInt32(n))
    }

    /// Appends raw bytes as a new arena string.
    static func append(_ ctx: UnsafeMutablePointer<EvalContext>, _ bytes: UnsafeRawBufferPointer) -> Slot {
        let offset = Arena.reserve(ctx, bytes.count)
        if bytes.count > 0 { memcpy(ctx.pointee.arena + offset, bytes.baseAddress!, bytes.count) }
        return Slot(tag: Tag.string, bits: UInt64(offset), length: UInt32(bytes.count))
    }
}

enum Conversions {
    /// `int(s)`: optional sign and decimal digits, in range; anything else is an error.
    @inline(never)
    static func int(of x: Slot, _ base: UnsafePointer<UInt8>) -> Slot {
        guard x.tag == Tag.string else { return x.tag == Tag.error ? x : .missing }
        let p = base + x.offset, n = Int(x.length)
        var i = 0
        var negative = false
        if i < n && (p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+")) { negative = p[i] == UInt8(ascii: "-"); i += 1 }
        if i == n { return .error(.conversion) }
        var value: Int64 = 0
        while i < n {
            let d = p[i] &- UInt8(ascii: "0")
            if d > 9 { return .error(.conversion) }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = negative ? m.subtractingReportingOverflow(Int64(d)) : m.addingReportingOverflow(Int64(d))
            if o1 || o2 { return .error(.conversion) }
            value = s
            i += 1
        }
        return .int(value)
    }

    /// `double(s)`: a decimal or exponent literal (also `inf`, `nan` as strtod reads them).
    @inline(never)
    static func double(of x: Slot, _ base: UnsafePointer<UInt8>) -> Slot {
        guard x.tag == Tag.string else { return x.tag == Tag.error ? x : .missing }
        let n = Int(x.length)
        guard n > 0, n < 64 else { return .error(.conversion) }
        let p = base + x.offset
        if p[0] == UInt8(ascii: " ") || p[0] == UInt8(ascii: "\t") || p[0] == UInt8(ascii: "\n") { return .error(.conversion) }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buffer in
            for i in 0..<n { buffer[i] = CChar(bitPattern: p[i]) }
            buffer[n] = 0
            var end: UnsafeMutablePointer<CChar>? = nil
            let d = strtod(buffer.baseAddress!, &end)
            guard let end, end - buffer.baseAddress! == n else { return .error(.conversion) }
            return .double(d)
        }
    }

    /// `string(x)` for int, double, bool and ip.
    @inline(never)
    static func string(_ ctx: UnsafeMutablePointer<EvalContext>, of x: Slot) -> Slot {
        switch x.tag {
        case Tag.int:
            var text = String(x.int)
            return text.withUTF8 { StringBuilder.append(ctx, UnsafeRawBufferPointer($0)) }
        case Tag.double:
            var text = Value.double(x.double).description
            return text.withUTF8 { StringBuilder.append(ctx, UnsafeRawBufferPointer($0)) }
        case Tag.bool:
            var text = x.bits != 0 ? "true" : "false"
            return text.withUTF8 { StringBuilder.append(ctx, UnsafeRawBufferPointer($0)) }
        case Tag.ip:
            return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buffer in
                let family = x.length == 4 ? AF_INET : AF_INET6
                guard inet_ntop(family, ctx.pointee.arena + x.offset, buffer.baseAddress!, 64) != nil else { return .error(.conversion) }
                return StringBuilder.append(ctx, UnsafeRawBufferPointer(start: buffer.baseAddress!, count: strlen(buffer.baseAddress!)))
            }
        case Tag.error: return x
        default: return .missing
        }
    }

    /// Whether ip `x` is inside network `net` (same family, first `net.aux` bits equal).
    @inline(__always)
    static func inNetwork(_ x: Slot, _ net: Slot, _ base: UnsafePointer<UInt8>) -> Bool {
        guard x.length == net.length else { return false }
        let p = base + x.offset, q = base + net.offset
        var bits = Int(net.aux)
        var i = 0
        while bits >= 8 {
            if p[i] != q[i] { return false }
            i += 1; bits -= 8
        }
        if bits == 0 { return true }
        let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
        return p[i] & mask == q[i] & mask
    }
}
