// The `matches` opcode's matcher: a Pike VM (Thompson NFA simulation) over a verified
// `RegexProgram`, answering whether the pattern matches anywhere in UTF-8 text (RE2's unanchored
// search). Each input code point is read once and each NFA state is visited at most once per
// position, so time is O(text length × program size) whatever the pattern: no backtracking.
// Thread lists and visit marks live in caller-provided scratch (4 words per instruction of the
// largest regex of the program, allocated with the request), so matching never allocates.

enum RegexMatcher {
    /// Scratch words needed for a program of `instructionCount` instructions.
    static func scratchWords(_ instructionCount: Int) -> Int { 4 * instructionCount }

    /// Whether the program matches somewhere in `text[0..<length]`. Invalid UTF-8 bytes read as
    /// U+FFFD, one byte each.
    static func matches(code: UnsafePointer<RegexInstruction>, count n: Int, ranges: UnsafePointer<RegexRange>,
                        text: UnsafePointer<UInt8>, length: Int, scratch: UnsafeMutablePointer<UInt32>) -> Bool {
        var current = scratch, next = scratch + n
        let marks = scratch + 2 * n, stack = scratch + 3 * n
        marks.update(repeating: 0, count: n)
        var stamp: UInt32 = 1
        var currentCount = 0, nextCount = 0

        let anchored = code[0].operation == RegexInstruction.Operation.beginText.rawValue
        if add(0, 0, length, code, marks, stack, stamp, current, &currentCount) { return true }
        var position = 0
        while position < length {
            let (c, width) = decode(text + position, length - position)
            stamp += 1
            nextCount = 0
            let after = position + width
            for t in 0..<currentCount {
                let pc = Int(current[t])
                let ins = code[pc]
                if contains(ranges + Int(ins.x), Int(ins.y), c), add(pc + 1, after, length, code, marks, stack, stamp, next, &nextCount) { return true }
            }
            // A match may start at any position, except in a pattern anchored by a leading `^`,
            // which is over once its threads die.
            if anchored {
                if nextCount == 0 { return false }
            } else if add(0, after, length, code, marks, stack, stamp, next, &nextCount) {
                return true
            }
            swap(&current, &next)
            currentCount = nextCount
            position = after
        }
        return false
    }

    /// Adds the threads reachable from `start` without consuming input at `position` to `list`
    /// (states already visited at this position, marked with `stamp`, are skipped); true when one
    /// of them is `match`. A state is pushed at most once, so `stack` needs `n` words.
    private static func add(_ start: Int, _ position: Int, _ length: Int, _ code: UnsafePointer<RegexInstruction>,
                            _ marks: UnsafeMutablePointer<UInt32>, _ stack: UnsafeMutablePointer<UInt32>, _ stamp: UInt32,
                            _ list: UnsafeMutablePointer<UInt32>, _ count: inout Int) -> Bool {
        // A state is marked when pushed, so it is pushed at most once per position.
        var top = 1
        marks[start] = stamp
        stack[0] = UInt32(start)
        while top > 0 {
            top -= 1
            let pc = Int(stack[top])
            let ins = code[pc]
            var first = UInt32.max, second = UInt32.max
            switch ins.operation {
            case RegexInstruction.Operation.match.rawValue:
                return true
            case RegexInstruction.Operation.codePoints.rawValue:
                list[count] = UInt32(pc); count += 1
            case RegexInstruction.Operation.split.rawValue:
                first = ins.x; second = ins.y
            case RegexInstruction.Operation.jump.rawValue:
                first = ins.x
            case RegexInstruction.Operation.beginText.rawValue:
                if position == 0 { first = UInt32(pc + 1) }
            default:   // endText
                if position == length { first = UInt32(pc + 1) }
            }
            // Push the preferred target last so it is explored first.
            if second != UInt32.max && marks[Int(second)] != stamp { marks[Int(second)] = stamp; stack[top] = second; top += 1 }
            if first != UInt32.max && marks[Int(first)] != stamp { marks[Int(first)] = stamp; stack[top] = first; top += 1 }
        }
        return false
    }

    @inline(__always)
    private static func contains(_ ranges: UnsafePointer<RegexRange>, _ count: Int, _ c: UInt32) -> Bool {
        for i in 0..<count where c <= ranges[i].high {
            return c >= ranges[i].low
        }
        return false
    }

    /// The code point at `p` and its length in bytes (U+FFFD and 1 for a malformed sequence).
    @inline(__always)
    static func decode(_ p: UnsafePointer<UInt8>, _ available: Int) -> (UInt32, Int) {
        let b0 = UInt32(p[0])
        if b0 < 0x80 { return (b0, 1) }
        let b1 = available > 1 && p[1] & 0xC0 == 0x80 ? UInt32(p[1] & 0x3F) : UInt32.max
        let b2 = available > 2 && p[2] & 0xC0 == 0x80 ? UInt32(p[2] & 0x3F) : UInt32.max
        if b0 >= 0xC2 && b0 <= 0xDF && b1 != UInt32.max { return ((b0 & 0x1F) << 6 | b1, 2) }
        if b0 >= 0xE0 && b0 <= 0xEF && b1 != UInt32.max && b2 != UInt32.max {
            let c = (b0 & 0x0F) << 12 | b1 << 6 | b2
            if c >= 0x800 && (c < 0xD800 || c > 0xDFFF) { return (c, 3) }
        }
        let b3 = available > 3 && p[3] & 0xC0 == 0x80 ? UInt32(p[3] & 0x3F) : UInt32.max
        if b0 >= 0xF0 && b0 <= 0xF4 && b1 != UInt32.max && b2 != UInt32.max && b3 != UInt32.max {
            let c = (b0 & 0x07) << 18 | b1 << 12 | b2 << 6 | b3
            if c >= 0x10000 && c <= 0x10FFFF { return (c, 4) }
        }
        return (0xFFFD, 1)
    }
}
