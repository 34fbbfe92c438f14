// The feature vector of one model call as the host receives it: a read-only view of the request's
// registers through the model's compiled table of feature register indices. The VM hands this view
// to the host instead of copying features into a buffer, so the one gather happens where the
// features are consumed (the predictor's input row), and a host that does not need them (the
// rules-only benchmark, which serves precomputed scores like the peer harnesses) does no feature work.
// Conversion rules (LANGUAGE.md §5): int and double as their value, bool 1/0, missing NaN; an
// error in any feature makes the model's outputs that error.

/// The features of one model call, valid only during the host callback that received it.
@frozen
public struct ModelFeatures {
    @usableFromInline let registers: UnsafePointer<Slot>
    @usableFromInline let indices: UnsafePointer<UInt16>
    /// Number of features (the model declaration's order).
    public let count: Int

    init(registers: UnsafePointer<Slot>, indices: UnsafePointer<UInt16>, count: Int) {
        self.registers = registers; self.indices = indices; self.count = count
    }

    /// The view a model callback received as its `features` pointer.
    @inlinable
    public init(_ features: UnsafeRawPointer) {
        self = features.load(as: ModelFeatures.self)
    }

    /// Feature `i` (0 ..< count) as the model takes it: NaN when missing, nil when an error.
    @inlinable
    public subscript(_ i: Int) -> Double? {
        precondition(i >= 0 && i < count, "feature index out of range")
        let x = registers[Int(indices[i])]
        switch x.tag {
        case Tag.double: return x.double
        case Tag.int: return Double(x.int)
        case Tag.bool: return x.bits != 0 ? 1 : 0
        case Tag.error: return nil
        default: return .nan
        }
    }

    /// Writes the `count` features as doubles to `out`; false (with `out` partly written) when a
    /// feature is an error, in which case the host returns `HostStatus.error` and the VM gives
    /// the model's outputs that feature's error.
    @inlinable
    public func gather(into out: UnsafeMutablePointer<Double>) -> Bool {
        for i in 0..<count {
            let x = registers[Int(indices[i])]
            switch x.tag {
            case Tag.double: out[i] = x.double
            case Tag.int: out[i] = Double(x.int)
            case Tag.bool: out[i] = x.bits != 0 ? 1 : 0
            case Tag.error: return false
            default: out[i] = .nan
            }
        }
        return true
    }

    /// The first feature that is an error (the VM's result after a host reported an error).
    func firstError() -> Slot? {
        for i in 0..<count where registers[Int(indices[i])].tag == Tag.error { return registers[Int(indices[i])] }
        return nil
    }
}
