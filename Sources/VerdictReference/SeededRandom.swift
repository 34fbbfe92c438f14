// A small deterministic random number generator (SplitMix64) so that every generated program and
// request is reproducible from its seed, on every platform and Swift version. For fuzzing it can
// first replay a byte tape (the fuzzer's input), so that mutating input bytes changes the
// generator's early choices one by one (coverage-guided), then continue pseudo-randomly.

/// SplitMix64 (Steele, Lea, Flood 2014): 64-bit state, full period, good enough for test data.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64
    private var tape: [UInt8] = []
    private var position = 0

    public init(seed: UInt64) { state = seed }

    /// Draws come from `tape` one byte each while it lasts, then from SplitMix64 seeded by the tape.
    public init(tape: [UInt8]) {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in tape { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        state = hash
        self.tape = tape
    }

    public mutating func next() -> UInt64 {
        if position < tape.count {
            defer { position += 1 }
            return UInt64(tape[position])
        }
        return nextMixed()
    }

    private mutating func nextMixed() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in `0..<n` (n > 0).
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    /// True with probability `numerator / denominator`.
    public mutating func chance(_ numerator: Int, in denominator: Int) -> Bool { below(denominator) < numerator }

    /// A uniformly chosen element of a non-empty array.
    public mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
}
