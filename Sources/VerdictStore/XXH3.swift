// XXH3-64 over the system xxHash (libxxhash). The one hash the store uses: counter slot keys and
// fingerprints, list membership filters. Kept tiny and allocation-free.
import CXXHash

/// XXH3-64 of raw bytes with an optional seed (the system libxxhash `XXH3_64bits_withSeed`).
@inline(__always)
public func xxh3(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
    XXH3_64bits_withSeed(bytes.baseAddress, bytes.count, seed)
}

/// XXH3-64 of a string's UTF-8 bytes. Allocation-free for native strings.
@inline(__always)
public func xxh3(_ string: String, seed: UInt64 = 0) -> UInt64 {
    var copy = string
    return copy.withUTF8 { xxh3(UnsafeRawBufferPointer($0), seed: seed) }
}
