// The interpreter loop: a `switch` over the opcode byte of 8-byte instructions read through a raw
// pointer, registers and constants addressed through raw pointers, and no reference-counted value
// anywhere in the loop (`make vm-arc-check` verifies the release assembly). Every case implements
// the row of the same name in Opcode.swift. Runs only verified code: the verifier guarantees valid
// opcodes, in-range operands, consistent types and forward jumps ending at `halt`.
import CXXHash
import Glibc

/// Truth of a test: 0 false, 1 true, 2 missing, 3 error.
@inline(__always) private func absent(_ tag: UInt8) -> UInt8 { tag == Tag.missing ? 2 : 3 }
@inline(__always) private func absent(_ x: UInt8, _ y: UInt8) -> UInt8 { (x == Tag.error || y == Tag.error) ? 3 : 2 }

/// The non-value result of an operation whose operands are not all present: the first error, else missing.
@inline(__always) private func propagate(_ x: Slot) -> Slot { x.tag == Tag.error ? x : .missing }
@inline(__always) private func propagate(_ x: Slot, _ y: Slot) -> Slot {
    x.tag == Tag.error ? x : (y.tag == Tag.error ? y : .missing)
}

/// Ends a test: true falls through, false clears the accumulator and jumps, missing/error accumulate.
@inline(__always)
private func branch(_ t: UInt8, _ ins: Instruction, _ pc: inout UnsafePointer<Instruction>, _ acc: inout UInt8) {
    if t < 2 {
        if t ^ (ins.flags & 1) == 0 { acc = 0; pc += Int(ins.c) }
    } else {
        acc |= t &- 1
    }
}

@inline(__always) private func truth(_ b: Bool) -> UInt8 { b ? 1 : 0 }

/// Exact order of an int and a double (CEL cross-type comparison); nil when the double is NaN.
@inline(__always)
private func order(_ i: Int64, _ d: Double) -> Int? {
    if d.isNaN { return nil }
    if d >= 9.223372036854775808e18 { return -1 }
    if d < -9.223372036854775808e18 { return 1 }
    let whole = d.rounded(.towardZero)
    let w = Int64(whole)
    if i != w { return i < w ? -1 : 1 }
    let fraction = d - whole
    return fraction > 0 ? -1 : (fraction < 0 ? 1 : 0)
}

/// Calls `body` with the key bytes of a present value: string/ip bytes in the arena, an int or
/// double's 8 little-endian bytes, a bool's one byte.
@inline(__always)
private func withKey<R>(_ s: Slot, _ base: UnsafePointer<UInt8>, _ body: (UnsafePointer<UInt8>, Int) -> R) -> R {
    if s.tag == Tag.string || s.tag == Tag.ip { return body(base + s.offset, Int(s.length)) }
    var bits = s.bits.littleEndian
    return withUnsafeBytes(of: &bits) { body($0.baseAddress!.assumingMemoryBound(to: UInt8.self), s.tag == Tag.bool ? 1 : 8) }
}

/// Records the end of a rule's condition (LANGUAGE.md §7): fired, missing or error, and the
/// decision it takes part in.
@inline(__always)
private func fire(_ ctx: UnsafeMutablePointer<EvalContext>, _ rule: Int, _ acc: UInt8, inRollout: Bool) {
    let info = ctx.pointee.rules[rule]
    let word = rule &>> 6
    let bit = UInt64(1) &<< UInt64(rule & 63)
    if acc == 0 {
        ctx.pointee.fired[word] |= bit
        if info.flags & RuleRuntime.score != 0 {
            let (sum, overflow) = ctx.pointee.score.addingReportingOverflow(info.points)
            ctx.pointee.score = overflow ? (info.points > 0 ? .max : .min) : sum
        } else if !inRollout {
            ctx.pointee.unenforced[word] |= bit
        } else if info.flags & RuleRuntime.enforceable != 0 {
            decide(ctx, info.action, rule)
        }
    } else if acc & 2 != 0 {
        ctx.pointee.errored[word] |= bit
        let onError = ctx.pointee.onError
        if onError != 0, inRollout, info.flags & RuleRuntime.enforceable != 0 { decide(ctx, onError, rule) }
    } else {
        ctx.pointee.missing[word] |= bit
    }
}

@inline(__always)
private func decide(_ ctx: UnsafeMutablePointer<EvalContext>, _ action: UInt8, _ rule: Int) {
    let current = ctx.pointee.best[Int(action)]
    if current < 0 || Int32(rule) < current { ctx.pointee.best[Int(action)] = Int32(rule) }
}

/// Whether key `s` falls in the first `basisPoints` of 10,000 XXH3 buckets (a missing or error key
/// is in no rollout).
@inline(__always)
private func inRollout(_ s: Slot, _ base: UnsafePointer<UInt8>, _ basisPoints: UInt16) -> Bool {
    if s.tag < Tag.bool { return false }
    return withKey(s, base) { p, n in XXH3_64bits(p, n) % 10000 } < UInt64(basisPoints)
}

/// Runs verified code from instruction 0 to `halt` (or an early stop in fast mode).
@_silgen_name("verdict_vm_run")
func interpret(_ ctx: UnsafeMutablePointer<EvalContext>) {
    let code = ctx.pointee.code
    let k = ctx.pointee.constants
    let r = ctx.pointee.registers
    // The arena base is re-read where needed rather than kept in a register: it may move when a
    // string is built, and the loop has more live values than callee-saved registers.
    var base: UnsafePointer<UInt8> { UnsafePointer(ctx.pointee.arena) }
    var pc = code
    var acc: UInt8 = 0
    while true {
        // `pc` stays on the current instruction during its case and steps past it after the
        // switch (a jump adds its offset first, so offsets stay relative to the next
        // instruction). Operands are read in the cases that use them, not decoded up front: a
        // case loads only the fields it needs. Both keep the dispatch to five instructions.
        // (The accessors read a constant copy of `pc`: capturing the variable itself would make
        // every access a dynamically checked one.)
        let current = pc
        var ins: Instruction { current.pointee }
        var a: Int { Int(current.pointee.a) }
        var b: Int { Int(current.pointee.b) }
        var c: Int { Int(current.pointee.c) }
        switch unsafeBitCast(current.pointee.opcode, to: Opcode.self) {
        case .halt:
            return
        case .jump:
            pc += c
        case .lazyGuard:
            if r[a].tag != Tag.unset { pc += c }
        // Only fast mode's code has these two: trace mode runs `ProgramImage.traceCode`.
        case .fastExitIfDecided:
            if ctx.pointee.best[a] >= 0 { ctx.pointee.stoppedEarly = true; return }
        case .fastStop:
            ctx.pointee.stoppedEarly = true; return
        case .fire:
            fire(ctx, a, acc, inRollout: true)
            acc = 0
        case .fireRollout:
            let basis = ctx.pointee.rules[a].basisPoints
            let enforced = (acc == 0 || acc & 2 != 0) && inRollout(r[b], base, basis)
            fire(ctx, a, acc, inRollout: enforced)
            acc = 0

        case .testTrue:
            let x = r[a]
            branch(_fastPath(x.tag == Tag.bool) ? UInt8(truncatingIfNeeded: x.bits) : absent(x.tag), ins, &pc, &acc)
        case .testLtI: testI(r[a], r[b], <, ins, &pc, &acc)
        case .testLeI: testI(r[a], r[b], <=, ins, &pc, &acc)
        case .testGtI: testI(r[a], r[b], >, ins, &pc, &acc)
        case .testGeI: testI(r[a], r[b], >=, ins, &pc, &acc)
        case .testEqI: testI(r[a], r[b], ==, ins, &pc, &acc)
        case .testNeI: testI(r[a], r[b], !=, ins, &pc, &acc)
        case .testLtIK: testIK(r[a], k[b], <, ins, &pc, &acc)
        case .testLeIK: testIK(r[a], k[b], <=, ins, &pc, &acc)
        case .testGtIK: testIK(r[a], k[b], >, ins, &pc, &acc)
        case .testGeIK: testIK(r[a], k[b], >=, ins, &pc, &acc)
        case .testEqIK: testIK(r[a], k[b], ==, ins, &pc, &acc)
        case .testNeIK: testIK(r[a], k[b], !=, ins, &pc, &acc)
        case .testLtD: testD(r[a], r[b], <, ins, &pc, &acc)
        case .testLeD: testD(r[a], r[b], <=, ins, &pc, &acc)
        case .testGtD: testD(r[a], r[b], >, ins, &pc, &acc)
        case .testGeD: testD(r[a], r[b], >=, ins, &pc, &acc)
        case .testEqD: testD(r[a], r[b], ==, ins, &pc, &acc)
        case .testNeD: testD(r[a], r[b], !=, ins, &pc, &acc)
        case .testLtDK: testDK(r[a], k[b], <, ins, &pc, &acc)
        case .testLeDK: testDK(r[a], k[b], <=, ins, &pc, &acc)
        case .testGtDK: testDK(r[a], k[b], >, ins, &pc, &acc)
        case .testGeDK: testDK(r[a], k[b], >=, ins, &pc, &acc)
        case .testEqDK: testDK(r[a], k[b], ==, ins, &pc, &acc)
        case .testNeDK: testDK(r[a], k[b], !=, ins, &pc, &acc)
        case .testEqS: testS(r[a], r[b], base, equal: true, constant: false, ins, &pc, &acc)
        case .testNeS: testS(r[a], r[b], base, equal: false, constant: false, ins, &pc, &acc)
        case .testEqSK: testS(r[a], k[b], base, equal: true, constant: true, ins, &pc, &acc)
        case .testNeSK: testS(r[a], k[b], base, equal: false, constant: true, ins, &pc, &acc)
        case .testInSet:
            let x = r[a]
            let t = _fastPath(x.tag >= Tag.bool)
                ? truth(ByteOps.setContains(ctx.pointee.setHeaders[b], ctx.pointee.setEntries, k, base, x)) : absent(x.tag)
            branch(t, ins, &pc, &acc)
        case .testList:
            let s = listLookup(ctx, r[a], b, base)
            branch(_fastPath(s.tag == Tag.bool) ? UInt8(truncatingIfNeeded: s.bits) : absent(s.tag), ins, &pc, &acc)
        case .testStartsWithK:
            let x = r[a], y = k[b]
            branch(_fastPath(x.tag == Tag.string) ? truth(ByteOps.hasPrefix(base + x.offset, Int(x.length), base + y.offset, Int(y.length),
                                                                 caseInsensitive: ins.flags & 2 != 0)) : absent(x.tag), ins, &pc, &acc)
        case .testEndsWithK:
            let x = r[a], y = k[b]
            branch(_fastPath(x.tag == Tag.string) ? truth(ByteOps.hasSuffix(base + x.offset, Int(x.length), base + y.offset, Int(y.length),
                                                                 caseInsensitive: ins.flags & 2 != 0)) : absent(x.tag), ins, &pc, &acc)
        case .testContainsK:
            let x = r[a], y = k[b]
            branch(_fastPath(x.tag == Tag.string) ? truth(ByteOps.contains(base + x.offset, Int(x.length), base + y.offset, Int(y.length),
                                                                caseInsensitive: ins.flags & 2 != 0)) : absent(x.tag), ins, &pc, &acc)

        case .loadK: r[a] = k[b]
        case .move: r[a] = r[b]
        case .ltI: r[a] = cmpI(r[b], r[c], <)
        case .leI: r[a] = cmpI(r[b], r[c], <=)
        case .gtI: r[a] = cmpI(r[b], r[c], >)
        case .geI: r[a] = cmpI(r[b], r[c], >=)
        case .eqI: r[a] = cmpI(r[b], r[c], ==)
        case .neI: r[a] = cmpI(r[b], r[c], !=)
        case .ltIK: r[a] = cmpIK(r[b], k[c], <)
        case .leIK: r[a] = cmpIK(r[b], k[c], <=)
        case .gtIK: r[a] = cmpIK(r[b], k[c], >)
        case .geIK: r[a] = cmpIK(r[b], k[c], >=)
        case .eqIK: r[a] = cmpIK(r[b], k[c], ==)
        case .neIK: r[a] = cmpIK(r[b], k[c], !=)
        case .ltD: r[a] = cmpD(r[b], r[c], <)
        case .leD: r[a] = cmpD(r[b], r[c], <=)
        case .gtD: r[a] = cmpD(r[b], r[c], >)
        case .geD: r[a] = cmpD(r[b], r[c], >=)
        case .eqD: r[a] = cmpD(r[b], r[c], ==)
        case .neD: r[a] = cmpD(r[b], r[c], !=)
        case .ltDK: r[a] = cmpDK(r[b], k[c], <)
        case .leDK: r[a] = cmpDK(r[b], k[c], <=)
        case .gtDK: r[a] = cmpDK(r[b], k[c], >)
        case .geDK: r[a] = cmpDK(r[b], k[c], >=)
        case .eqDK: r[a] = cmpDK(r[b], k[c], ==)
        case .neDK: r[a] = cmpDK(r[b], k[c], !=)
        case .ltID: r[a] = cmpID(r[b], r[c]) { $0 < 0 }
        case .leID: r[a] = cmpID(r[b], r[c]) { $0 <= 0 }
        case .gtID: r[a] = cmpID(r[b], r[c]) { $0 > 0 }
        case .geID: r[a] = cmpID(r[b], r[c]) { $0 >= 0 }
        case .eqID: r[a] = cmpID(r[b], r[c]) { $0 == 0 }
        case .neID:
            let x = r[b], y = r[c]
            r[a] = x.tag == Tag.int && y.tag == Tag.double ? .bool(order(x.int, y.double) != 0) : propagate(x, y)
        case .ltS: r[a] = orderS(r[b], r[c], base) { $0 < 0 }
        case .leS: r[a] = orderS(r[b], r[c], base) { $0 <= 0 }
        case .gtS: r[a] = orderS(r[b], r[c], base) { $0 > 0 }
        case .geS: r[a] = orderS(r[b], r[c], base) { $0 >= 0 }
        case .eqS: r[a] = eqBytes(r[b], r[c], base, Tag.string, ins.flags & 2 != 0, equal: true)
        case .neS: r[a] = eqBytes(r[b], r[c], base, Tag.string, ins.flags & 2 != 0, equal: false)
        case .eqSK: r[a] = eqBytes(r[b], k[c], base, Tag.string, ins.flags & 2 != 0, equal: true, constant: true)
        case .neSK: r[a] = eqBytes(r[b], k[c], base, Tag.string, ins.flags & 2 != 0, equal: false, constant: true)
        case .eqB:
            let x = r[b], y = r[c]
            r[a] = x.tag == Tag.bool && y.tag == Tag.bool ? .bool(x.bits == y.bits) : propagate(x, y)
        case .neB:
            let x = r[b], y = r[c]
            r[a] = x.tag == Tag.bool && y.tag == Tag.bool ? .bool(x.bits != y.bits) : propagate(x, y)
        case .eqIP: r[a] = eqBytes(r[b], r[c], base, Tag.ip, false, equal: true)
        case .neIP: r[a] = eqBytes(r[b], r[c], base, Tag.ip, false, equal: false)

        case .addI: r[a] = arithI(r[b], r[c]) { $0.addingReportingOverflow($1) }
        case .subI: r[a] = arithI(r[b], r[c]) { $0.subtractingReportingOverflow($1) }
        case .mulI: r[a] = arithI(r[b], r[c]) { $0.multipliedReportingOverflow(by: $1) }
        case .addIK: r[a] = arithI(r[b], k[c]) { $0.addingReportingOverflow($1) }
        case .subIK: r[a] = arithI(r[b], k[c]) { $0.subtractingReportingOverflow($1) }
        case .mulIK: r[a] = arithI(r[b], k[c]) { $0.multipliedReportingOverflow(by: $1) }
        case .divI:
            let x = r[b], y = r[c]
            if x.tag == Tag.int && y.tag == Tag.int {
                if y.int == 0 { r[a] = .error(.divisionByZero) } else {
                    let (q, o) = x.int.dividedReportingOverflow(by: y.int)
                    r[a] = o ? .error(.overflow) : .int(q)
                }
            } else { r[a] = propagate(x, y) }
        case .remI:
            let x = r[b], y = r[c]
            if x.tag == Tag.int && y.tag == Tag.int {
                if y.int == 0 { r[a] = .error(.divisionByZero) } else {
                    let (q, o) = x.int.remainderReportingOverflow(dividingBy: y.int)
                    r[a] = o ? .error(.overflow) : .int(q)
                }
            } else { r[a] = propagate(x, y) }
        case .negI:
            let x = r[b]
            if x.tag == Tag.int {
                let (v, o) = Int64(0).subtractingReportingOverflow(x.int)
                r[a] = o ? .error(.overflow) : .int(v)
            } else { r[a] = propagate(x) }
        case .addD: r[a] = arithD(r[b], r[c], +)
        case .subD: r[a] = arithD(r[b], r[c], -)
        case .mulD: r[a] = arithD(r[b], r[c], *)
        case .divD: r[a] = arithD(r[b], r[c], /)
        case .negD:
            let x = r[b]
            r[a] = x.tag == Tag.double ? .double(-x.double) : propagate(x)

        case .not:
            let x = r[b]
            r[a] = x.tag == Tag.bool ? .bool(x.bits == 0) : propagate(x)
        case .and: r[a] = logic(r[b], r[c], absorbing: 0)
        case .or: r[a] = logic(r[b], r[c], absorbing: 1)
        case .jumpIfFalse:
            let x = r[a]
            if x.tag == Tag.bool && x.bits == 0 { pc += c }
        case .jumpIfTrue:
            let x = r[a]
            if x.tag == Tag.bool && x.bits != 0 { pc += c }
        case .branchBool:
            let x = r[a]
            if _fastPath(x.tag == Tag.bool) { pc += x.bits != 0 ? b : c }
        case .jumpIfNotBool:
            let x = r[a]
            if x.tag != Tag.bool { r[b] = propagate(x); pc += c }
        case .isMissing:
            let x = r[b]
            r[a] = x.tag == Tag.error ? x : .bool(x.tag == Tag.missing)
        case .has:
            let x = r[b]
            r[a] = x.tag == Tag.error ? x : .bool(x.tag != Tag.missing)

        case .size:
            let x = r[b]
            r[a] = x.tag == Tag.string ? .int(Int64(ByteOps.codePointCount(base + x.offset, Int(x.length)))) : propagate(x)
        case .concat:
            r[a] = StringBuilder.concat(ctx, r[b], r[c])
        case .lower:
            r[a] = StringBuilder.recase(ctx, r[b], upper: false)
        case .upper:
            r[a] = StringBuilder.recase(ctx, r[b], upper: true)
        case .startsWith: r[a] = match(r[b], r[c], base, ins.flags & 2 != 0, ByteOps.hasPrefix)
        case .endsWith: r[a] = match(r[b], r[c], base, ins.flags & 2 != 0, ByteOps.hasSuffix)
        case .contains: r[a] = match(r[b], r[c], base, ins.flags & 2 != 0, ByteOps.contains)
        case .like: r[a] = match(r[b], r[c], base, ins.flags & 2 != 0, ByteOps.like)
        case .loadScore:
            r[a] = .int(ctx.pointee.score)
        case .holdThreshold:
            if acc == 0 { ctx.pointee.thresholdsHeld |= UInt64(1) &<< UInt64(a) }
            acc = 0
        case .matches:
            let x = r[b]
            if x.tag == Tag.string {
                let regex = ctx.pointee.regexes[Int(c)]
                r[a] = .bool(RegexMatcher.matches(code: ctx.pointee.regexCode + Int(regex.codeStart), count: Int(regex.count),
                                                  ranges: ctx.pointee.regexRanges + Int(regex.rangeStart),
                                                  text: base + x.offset, length: Int(x.length), scratch: ctx.pointee.regexScratch))
            } else {
                r[a] = propagate(x)
            }
        case .domain:
            r[a] = StringBuilder.domain(ctx, r[b])

        case .intOfD:
            let x = r[b]
            if x.tag == Tag.double {
                let d = x.double
                r[a] = d.isNaN || d <= -9.223372036854775808e18 || d >= 9.223372036854775807e18
                    ? .error(.conversion) : .int(Int64(d.rounded(.towardZero)))
            } else { r[a] = propagate(x) }
        case .intOfS: r[a] = Conversions.int(of: r[b], base)
        case .doubleOfI:
            let x = r[b]
            r[a] = x.tag == Tag.int ? .double(Double(x.int)) : propagate(x)
        case .doubleOfS: r[a] = Conversions.double(of: r[b], base)
        case .stringOfI, .stringOfD, .stringOfB, .stringOfIP:
            r[a] = Conversions.string(ctx, of: r[b])
        case .absI:
            let x = r[b]
            if x.tag == Tag.int { r[a] = x.int == .min ? .error(.overflow) : .int(x.int < 0 ? -x.int : x.int) } else { r[a] = propagate(x) }
        case .absD:
            let x = r[b]
            r[a] = x.tag == Tag.double ? .double(Swift.abs(x.double)) : propagate(x)
        case .minI: r[a] = arithI(r[b], r[c]) { (Swift.min($0, $1), false) }
        case .maxI: r[a] = arithI(r[b], r[c]) { (Swift.max($0, $1), false) }
        case .minD: r[a] = arithD(r[b], r[c]) { $0.isNaN || $1.isNaN ? .nan : Swift.min($0, $1) }
        case .maxD: r[a] = arithD(r[b], r[c]) { $0.isNaN || $1.isNaN ? .nan : Swift.max($0, $1) }
        case .bucket:
            let x = r[b], n = r[c]
            if x.tag >= Tag.bool && n.tag == Tag.int {
                if n.int <= 0 { r[a] = .error(.badOperand) } else {
                    r[a] = .int(Int64(withKey(x, base) { p, len in XXH3_64bits(p, len) } % UInt64(n.int)))
                }
            } else { r[a] = propagate(x, n) }

        case .inSet:
            let x = r[b]
            r[a] = _fastPath(x.tag >= Tag.bool) ? .bool(ByteOps.setContains(ctx.pointee.setHeaders[c], ctx.pointee.setEntries, k, base, x)) : propagate(x)
        case .cidr:
            let x = r[b]
            r[a] = x.tag == Tag.ip ? .bool(Conversions.inNetwork(x, k[c], base)) : propagate(x)
        case .list:
            r[a] = listLookup(ctx, r[b], c, base)
        case .counter:
            // The compiler emits every batch at the start, usually consecutively (a computed batch
            // key puts its instructions between): one dispatch reads each consecutive run.
            pc = counterBatches(ctx, pc, base)
        case .model:
            modelCall(ctx, a, b)
        }
        pc += 1
    }
}

// MARK: - typed helpers (inlined into the cases above)

@inline(__always)
private func testI(_ x: Slot, _ y: Slot, _ op: (Int64, Int64) -> Bool, _ ins: Instruction, _ pc: inout UnsafePointer<Instruction>, _ acc: inout UInt8) {
    let t = _fastPath(x.tag == Tag.int && y.tag == Tag.int) ? truth(op(x.int, y.int)) : absent(x.tag == Tag.int ? y.tag : x.tag, y.tag)
    branch(t, ins, &pc, &acc)
}

@inline(__always)
private func testD(_ x: Slot, _ y: Slot, _ op: (Double, Double) -> Bool, _ ins: Instruction, _ pc: inout UnsafePointer<Instruction>, _ acc: inout UInt8) {
    let t = _fastPath(x.tag == Tag.double && y.tag == Tag.double) ? truth(op(x.double, y.double)) : absent(x.tag == Tag.double ? y.tag : x.tag, y.tag)
    branch(t, ins, &pc, &acc)
}

/// A test against a constant: the verifier guarantees the constant's type, so only the register's
/// tag is checked.
@inline(__always)
private func testIK(_ x: Slot, _ y: Slot, _ op: (Int64, Int64) -> Bool, _ ins: Instruction, _ pc: inout UnsafePointer<Instruction>, _ acc: inout UInt8) {
    branch(_fastPath(x.tag == Tag.int) ? truth(op(x.int, y.int)) : absent(x.tag), ins, &pc, &acc)
}

@inline(__always)
private func testDK(_ x: Slot, _ y: Slot, _ op: (Double, Double) -> Bool, _ ins: Instruction, _ pc: inout UnsafePointer<Instruction>, _ acc: inout UInt8) {
    branch(_fastPath(x.tag == Tag.double) ? truth(op(x.double, y.double)) : absent(x.tag), ins, &pc, &acc)
}

/// `constant`: `y` is a constant of the verified type (the K forms), so only `x`'s tag is checked.
@inline(__always)
private func testS(_ x: Slot, _ y: Slot, _ base: UnsafePointer<UInt8>, equal: Bool, constant: Bool, _ ins: Instruction,
                   _ pc: inout UnsafePointer<Instruction>, _ acc: inout UInt8) {
    let t: UInt8
    if _fastPath(x.tag == Tag.string && (constant || y.tag == Tag.string)) {
        let same = x.length == y.length
            && ByteOps.sameLengthEqual(base + x.offset, base + y.offset, Int(x.length), caseInsensitive: ins.flags & 2 != 0)
        t = truth(same == equal)
    } else {
        t = absent(x.tag == Tag.string ? y.tag : x.tag, y.tag)
    }
    branch(t, ins, &pc, &acc)
}

@inline(__always)
private func cmpI(_ x: Slot, _ y: Slot, _ op: (Int64, Int64) -> Bool) -> Slot {
    _fastPath(x.tag == Tag.int && y.tag == Tag.int) ? .bool(op(x.int, y.int)) : propagate(x, y)
}

@inline(__always)
private func cmpD(_ x: Slot, _ y: Slot, _ op: (Double, Double) -> Bool) -> Slot {
    _fastPath(x.tag == Tag.double && y.tag == Tag.double) ? .bool(op(x.double, y.double)) : propagate(x, y)
}

/// Comparisons with a constant (of the verified type): only the register's tag is checked.
@inline(__always)
private func cmpIK(_ x: Slot, _ y: Slot, _ op: (Int64, Int64) -> Bool) -> Slot {
    _fastPath(x.tag == Tag.int) ? .bool(op(x.int, y.int)) : propagate(x)
}

@inline(__always)
private func cmpDK(_ x: Slot, _ y: Slot, _ op: (Double, Double) -> Bool) -> Slot {
    _fastPath(x.tag == Tag.double) ? .bool(op(x.double, y.double)) : propagate(x)
}

@inline(__always)
private func cmpID(_ x: Slot, _ y: Slot, _ op: (Int) -> Bool) -> Slot {
    guard x.tag == Tag.int && y.tag == Tag.double else { return propagate(x, y) }
    guard let o = order(x.int, y.double) else { return .bool(false) }
    return .bool(op(o))
}

@inline(__always)
private func orderS(_ x: Slot, _ y: Slot, _ base: UnsafePointer<UInt8>, _ op: (Int) -> Bool) -> Slot {
    guard x.tag == Tag.string && y.tag == Tag.string else { return propagate(x, y) }
    return .bool(op(ByteOps.compare(base + x.offset, Int(x.length), base + y.offset, Int(y.length))))
}

/// `constant` as in `testS`.
@inline(__always)
private func eqBytes(_ x: Slot, _ y: Slot, _ base: UnsafePointer<UInt8>, _ tag: UInt8, _ ci: Bool, equal: Bool,
                     constant: Bool = false) -> Slot {
    guard _fastPath(x.tag == tag && (constant || y.tag == tag)) else { return propagate(x, y) }
    let same = x.length == y.length && ByteOps.sameLengthEqual(base + x.offset, base + y.offset, Int(x.length), caseInsensitive: ci)
    return .bool(same == equal)
}

@inline(__always)
private func match(_ x: Slot, _ y: Slot, _ base: UnsafePointer<UInt8>, _ ci: Bool,
                   _ f: (UnsafePointer<UInt8>, Int, UnsafePointer<UInt8>, Int, Bool) -> Bool) -> Slot {
    guard x.tag == Tag.string && y.tag == Tag.string else { return propagate(x, y) }
    return .bool(f(base + x.offset, Int(x.length), base + y.offset, Int(y.length), ci))
}

@inline(__always)
private func arithI(_ x: Slot, _ y: Slot, _ op: (Int64, Int64) -> (Int64, Bool)) -> Slot {
    guard x.tag == Tag.int && y.tag == Tag.int else { return propagate(x, y) }
    let (v, o) = op(x.int, y.int)
    return o ? .error(.overflow) : .int(v)
}

@inline(__always)
private func arithD(_ x: Slot, _ y: Slot, _ op: (Double, Double) -> Double) -> Slot {
    x.tag == Tag.double && y.tag == Tag.double ? .double(op(x.double, y.double)) : propagate(x, y)
}

/// CEL's commutative `&&` (`absorbing` 0) / `||` (`absorbing` 1): the absorbing value wins, then
/// error, then missing.
@inline(__always)
private func logic(_ x: Slot, _ y: Slot, absorbing: UInt64) -> Slot {
    if (x.tag == Tag.bool && x.bits == absorbing) || (y.tag == Tag.bool && y.bits == absorbing) { return .bool(absorbing != 0) }
    if x.tag == Tag.bool && y.tag == Tag.bool { return .bool(absorbing == 0) }
    return propagate(x.tag == Tag.bool ? y : x, y)
}

// MARK: - host calls (list lookups and model calls inlined into their cases: measured 170
// instructions per evaluation fewer on the reference ruleset; the counter batches, run once per
// evaluation, stay out of line, which measured better)

@inline(__always)
private func listLookup(_ ctx: UnsafeMutablePointer<EvalContext>, _ key: Slot, _ list: Int, _ base: UnsafePointer<UInt8>) -> Slot {
    if _slowPath(key.tag < Tag.bool) { return propagate(key) }
    let host = ctx.pointee.host
    let result = withKey(key, base) { p, n in host.list(host.context, Int32(list), p, n) }
    return result < 0 ? .error(.host) : .bool(result != 0)
}

/// Runs the `counter` instruction at `pc` and the ones right after it; returns the last (verified
/// code ends in `halt`, so the look-ahead stays inside the code).
@inline(never)
private func counterBatches(_ ctx: UnsafeMutablePointer<EvalContext>, _ pc: UnsafePointer<Instruction>,
                            _ base: UnsafePointer<UInt8>) -> UnsafePointer<Instruction> {
    var pc = pc
    let r = ctx.pointee.registers
    repeat {
        let ins = pc.pointee
        counterBatch(ctx, Int(ins.a), r[Int(ins.b)], Int(ins.c), base)
        pc += 1
    } while pc.pointee.opcode == Opcode.counter.rawValue
    return pc - 1
}

@inline(__always)
private func counterBatch(_ ctx: UnsafeMutablePointer<EvalContext>, _ destination: Int, _ key: Slot, _ batch: Int,
                          _ base: UnsafePointer<UInt8>) {
    let r = ctx.pointee.registers + destination
    let spec = ctx.pointee.counterBatches[batch]
    let first = Int(spec.first), count = Int(spec.count)
    let result: Slot
    if _fastPath(key.tag >= Tag.bool) {
        let host = ctx.pointee.host
        let out = ctx.pointee.hostOut
        let status = withKey(key, base) { p, n in
            host.counter(host.context, Int32(truncatingIfNeeded: first), ctx.pointee.readCounters + first, ctx.pointee.readWindows + first, count, p, n, out)
        }
        if _fastPath(status == HostStatus.value) {
            let isDouble = ctx.pointee.readIsDouble + first
            for i in 0..<count { r[i] = isDouble[i] != 0 ? .double(out[i]) : exactInt(out[i]) }
            return
        }
        result = status == HostStatus.missing ? .missing : .error(.host)
    } else {
        result = propagate(key)
    }
    for i in 0..<count { r[i] = result }
}

/// A count read as a double: the int it is, or a conversion error (NaN, fraction, out of range).
@inline(__always)
private func exactInt(_ d: Double) -> Slot {
    // Below 2^51 in magnitude (every realistic count), adding 1.5 * 2^52 rounds to an integer in
    // the low mantissa bits: the sum minus that constant is d exactly when d is an integer, and
    // the integer is read from the bits. No trapping conversion, no libm call.
    if _fastPath(d.magnitude < 0x1p51) {
        let shifted = d + 0x1.8p52
        return shifted - 0x1.8p52 == d
            ? .int(Int64(bitPattern: shifted.bitPattern &- (0x1.8p52 as Double).bitPattern)) : .error(.conversion)
    }
    return exactLargeInt(d)
}

/// `exactInt` from 2^51 in magnitude, and NaN.
@inline(never)
private func exactLargeInt(_ d: Double) -> Slot {
    // Range check first: the conversion below is then exact or off by a fraction, never a trap.
    guard d >= -9.223372036854775808e18 && d < 9.223372036854775808e18 else { return .error(.conversion) }
    let i = Int64(d)
    return Double(i) == d ? .int(i) : .error(.conversion)
}

@inline(__always)
private func modelCall(_ ctx: UnsafeMutablePointer<EvalContext>, _ destination: Int, _ model: Int) {
    let r = ctx.pointee.registers
    let spec = ctx.pointee.models[model]
    var features = ModelFeatures(registers: r, indices: ctx.pointee.modelArguments + Int(spec.argumentStart),
                                 count: Int(spec.argumentCount))
    let out = ctx.pointee.hostOut
    let host = ctx.pointee.host
    let status = withUnsafePointer(to: &features) { host.model(host.context, Int32(model), UnsafeRawPointer($0), out) }
    if status == HostStatus.value {
        r[destination] = .double(out[0]); r[destination + 1] = .double(out[1])
    } else {
        let s: Slot = status == HostStatus.missing ? .missing : (features.firstError() ?? .error(.host))
        r[destination] = s; r[destination + 1] = s
    }
}
