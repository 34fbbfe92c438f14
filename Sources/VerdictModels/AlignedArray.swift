// Read-only arrays of a compiled model in memory the predictor can rely on: aligned to a cache
// line, and a large one (the fast tree nodes of a 300-tree model) aligned to 2 MiB and offered to
// the kernel as a transparent huge page. Why: the node layout places node pairs and tree roots by
// cache line and spreads roots over cache sets (TreeEnsemble.swift), which holds only when the
// array starts on a line and, for the physically indexed L2, when its pages are contiguous;
// with an ordinary Swift array the start's offset and the 4 KiB pages' placement vary from run
// to run, and so did the prediction time (XGBoost reference model: 2.8 or 4.0 µs p50 by run).
import Glibc

/// A fixed, immutable copy of an array in aligned memory (freed with the owner).
final class AlignedArray<Element>: @unchecked Sendable {
    /// Arrays at least this large get 2 MiB alignment and a huge page hint.
    static var hugePageThreshold: Int { 256 * 1024 }
    private static var hugePage: Int { 2 * 1024 * 1024 }

    let count: Int
    private let base: UnsafeMutablePointer<Element>

    init(_ elements: [Element]) {
        count = elements.count
        let bytes = max(1, elements.count * MemoryLayout<Element>.stride)
        let huge = bytes >= AlignedArray.hugePageThreshold
        let alignment = huge ? AlignedArray.hugePage : max(64, MemoryLayout<Element>.alignment)
        let capacity = huge ? (bytes + AlignedArray.hugePage - 1) / AlignedArray.hugePage * AlignedArray.hugePage : bytes
        let raw = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: alignment)
        if huge { _ = madvise(raw, capacity, MADV_HUGEPAGE) }   // a hint: without THP it is 4 KiB pages
        base = raw.bindMemory(to: Element.self, capacity: max(1, elements.count))
        elements.withUnsafeBufferPointer { source in
            if let start = source.baseAddress { base.initialize(from: start, count: source.count) }
        }
    }

    deinit {
        base.deinitialize(count: count)
        UnsafeMutableRawPointer(base).deallocate()
    }

    subscript(index: Int) -> Element { base[index] }

    func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: base, count: count))
    }
}
