// FuzzDifferential: the fuzzer's bytes drive the random program generator (one byte per choice,
// then a PRNG seeded by the bytes), the program is checked and compiled, and the VM must agree with
// the reference tree-walking evaluator on a few generated requests. Any disagreement, any generated
// program the checker rejects or the compiler refuses, traps (so libFuzzer saves the input).
// The generator runs with its default options (everything but `regex`).
import Glibc
import VerdictCompiler
import VerdictReference

private let options = GeneratorOptions()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDifferential(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: min(size, 4096)))
    var label: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in bytes { label = (label ^ UInt64(byte)) &* 0x100_0000_01B3 }
    var summary = DifferentialSummary()
    let generator = ProgramGenerator(random: SeededRandom(tape: bytes), maxDepth: 3, options: options)
    Differential.run(generator: generator, seed: label, requests: 4, compile: Compiler.compile, into: &summary)
    if let problem = summary.rejected.first ?? summary.uncompiled.first ?? summary.mismatches.first.map({ "\($0)" }) {
        print(problem)
        abort()
    }
    return 0
}
