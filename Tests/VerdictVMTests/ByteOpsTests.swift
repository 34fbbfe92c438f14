// The word-at-a-time string primitives (masked loads, SWAR case folding) against their byte-loop
// definitions: equality, case-insensitive equality and the constant-set hash, for every length up
// to 24 and bytes across the whole range (ASCII letters, the bytes next to them, UTF-8 bytes).
import XCTest
@testable import VerdictVM

final class ByteOpsTests: XCTestCase {
    /// Bytes that exercise the fold's edges: around 'A'-'Z' and 'a'-'z', and above 0x7F.
    private let alphabet: [UInt8] = [0x40, 0x41, 0x4D, 0x5A, 0x5B, 0x60, 0x61, 0x7A, 0x7B, 0x30, 0x7F, 0x80, 0xC1, 0xC3, 0xE0, 0xFF]

    /// Runs `body` with `a` and `b` copied into memory with the arena's slack after them.
    private func withArenaBytes(_ a: [UInt8], _ b: [UInt8], _ body: (UnsafePointer<UInt8>, UnsafePointer<UInt8>) -> Void) {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: a.count + Arena.slack)
        let q = UnsafeMutablePointer<UInt8>.allocate(capacity: b.count + Arena.slack)
        defer { p.deallocate(); q.deallocate() }
        p.initialize(repeating: 0xA5, count: a.count + Arena.slack)  // garbage past the end must not matter
        q.initialize(repeating: 0x5A, count: b.count + Arena.slack)
        p.update(from: a, count: a.count)
        q.update(from: b, count: b.count)
        body(p, q)
    }

    func testWordEqualityAndHashMatchTheByteDefinitions() {
        var rng = SystemRandomNumberGenerator()
        for n in 0...24 {
            for _ in 0..<300 {
                let a = (0..<n).map { _ in alphabet.randomElement(using: &rng)! }
                var b = a
                // Same string, a case-flipped copy, or one byte changed.
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: break
                case 1: b = a.map { ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A ? $0 ^ 0x20 : $0 }
                default: if n > 0 { b[Int.random(in: 0..<n, using: &rng)] = alphabet.randomElement(using: &rng)! }
                }
                let exact = a == b
                let folded = a.map(ByteOps.fold) == b.map(ByteOps.fold)
                withArenaBytes(a, b) { p, q in
                    XCTAssertEqual(ByteOps.sameLengthEqual(p, q, n, caseInsensitive: false), exact, "\(a) \(b)")
                    XCTAssertEqual(ByteOps.sameLengthEqual(p, q, n, caseInsensitive: true), folded, "\(a) \(b) ci")
                    XCTAssertEqual(ByteOps.equal(p, n, q, n, caseInsensitive: true), folded)
                    for ci in [false, true] {
                        let reference = a.withUnsafeBufferPointer { ByteOps.hashBytes($0.baseAddress ?? p, n, caseInsensitive: ci) }
                        XCTAssertEqual(ByteOps.hashArenaBytes(p, n, caseInsensitive: ci), reference)
                    }
                }
            }
        }
    }

    func testFoldWordIsTheByteFold() {
        for byte in 0...255 {
            let b = UInt8(byte)
            let word = UInt64(b) | UInt64(b) << 24 | 0x4100_5A00_0000_0000
            let expected = (0..<8).reduce(UInt64(0)) { w, i in
                w | UInt64(ByteOps.fold(UInt8(truncatingIfNeeded: word >> (8 * UInt64(i))))) << (8 * UInt64(i))
            }
            XCTAssertEqual(ByteOps.foldWord(word), expected, "byte \(byte)")
        }
    }
}
