// A compiled regular expression as VM data: a Thompson NFA program (Pike / Cox style) over Unicode
// code points, stored in `ProgramContents.regexes` and in the .vbc file, checked by `verify()`
// before any program holding it can run. The compiler builds it from the checker's regex syntax
// tree; RegexMatcher.swift runs it in linear time.

/// One NFA instruction. Targets are indices into the same regex program.
public struct RegexInstruction: Equatable, Sendable {
    public enum Operation: UInt8, Sendable {
        /// The pattern matched.
        case match = 0
        /// Consume one code point inside ranges `x ..< x + y` of `RegexProgram.ranges`, go to the next instruction.
        case codePoints = 1
        /// Continue at both `x` and `y`.
        case split = 2
        /// Continue at `x`.
        case jump = 3
        /// Continue at the next instruction if at the start of the text.
        case beginText = 4
        /// Continue at the next instruction if at the end of the text.
        case endText = 5
    }

    public var operation: UInt8
    public var x: UInt32
    public var y: UInt32

    public init(_ operation: Operation, x: UInt32 = 0, y: UInt32 = 0) {
        self.operation = operation.rawValue; self.x = x; self.y = y
    }

    /// Raw form, for decoding bytes that are not verified yet.
    public init(rawOperation: UInt8, x: UInt32, y: UInt32) {
        self.operation = rawOperation; self.x = x; self.y = y
    }
}

/// One code point range, inclusive.
public struct RegexRange: Hashable, Sendable {
    public var low: UInt32
    public var high: UInt32
    public init(_ low: UInt32, _ high: UInt32) { self.low = low; self.high = high }
}

/// A regex program: instructions (execution starts at 0) and the code point ranges they test.
public struct RegexProgram: Equatable, Sendable {
    /// Largest program the verifier accepts (the matcher's scratch is sized by the largest one).
    public static let maxInstructions = 65_535

    public var instructions: [RegexInstruction]
    public var ranges: [RegexRange]
    /// The source pattern, for the disassembler and diagnostics.
    public var pattern: String

    public init(instructions: [RegexInstruction], ranges: [RegexRange], pattern: String) {
        self.instructions = instructions; self.ranges = ranges; self.pattern = pattern
    }

    /// Why this program cannot run, or nil: every target and range index in bounds, ranges
    /// ordered within the code point space, no instruction that falls off the end.
    public func problem() -> String? {
        let n = instructions.count
        guard n >= 1, n <= RegexProgram.maxInstructions else { return "\(n) instructions (1...\(RegexProgram.maxInstructions) allowed)" }
        for r in ranges where r.low > r.high || r.high > 0x10FFFF { return "bad code point range \(r.low)...\(r.high)" }
        for (i, ins) in instructions.enumerated() {
            guard let op = RegexInstruction.Operation(rawValue: ins.operation) else { return "instruction \(i): unknown operation \(ins.operation)" }
            switch op {
            case .match:
                guard ins.x == 0, ins.y == 0 else { return "instruction \(i): match takes no operands" }
            case .codePoints:
                guard ins.y >= 1, Int(ins.x) + Int(ins.y) <= ranges.count else { return "instruction \(i): ranges out of bounds" }
                guard i + 1 < n else { return "instruction \(i): falls off the end" }
            case .split:
                guard Int(ins.x) < n, Int(ins.y) < n else { return "instruction \(i): split target out of range" }
            case .jump:
                guard Int(ins.x) < n, ins.y == 0 else { return "instruction \(i): jump target out of range" }
            case .beginText, .endText:
                guard ins.x == 0, ins.y == 0 else { return "instruction \(i): anchors take no operands" }
                guard i + 1 < n else { return "instruction \(i): falls off the end" }
            }
        }
        return nil
    }
}
