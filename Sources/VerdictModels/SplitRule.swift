// The per-library decision semantics, each a few lines and cited from upstream. XGBoost works in
// Float32 and goes left on `x < t` (src/predictor/predict_fn.h, GetNextNode); LightGBM works in
// Float64 and goes left on `x <= t` (include/LightGBM/tree.h, NumericalDecision /
// CategoricalDecision). On fast trees the missing-value rules are folded into per-row codes (see
// TreeEnsemble.swift); the full rules here serve generic trees and the threshold ranking.

/// How one library compares, converts inputs and decides categorical splits.
protocol SplitRule {
    /// The library's arithmetic precision (Float for XGBoost, Double for LightGBM).
    associatedtype Value: BinaryFloatingPoint & Sendable
    /// Numeric split: true when `x` goes to the left child.
    static func goesLeft(_ x: Value, _ threshold: Value) -> Bool
    /// The input as the library sees it before any split (cast, near-zero filtering).
    static func input(_ x: Double) -> Value
    /// Categorical split: true when `x` goes left. `words` is the node's category bitset (bit set
    /// means "listed"), `defaultLeft` the node's missing direction.
    static func categoricalGoesLeft(_ x: Value, _ words: UnsafeBufferPointer<UInt32>, defaultLeft: Bool) -> Bool
    /// Numeric split with the full missing-value rule (generic trees, node counting).
    static func numericGoesLeft(_ x: Value, _ threshold: Value, defaultLeft: Bool, missing: MissingRule) -> Bool
}

extension SplitRule {
    /// The rank of `x` among a feature's sorted distinct thresholds: how many of them send `x`
    /// right. `goesLeft` is monotone in the threshold, so `x` goes left at the threshold of rank
    /// `j` (0-based) exactly when this count is <= j. Branch-free binary search.
    @inline(__always)
    static func rank(_ x: Value, _ cuts: UnsafePointer<Value>, _ count: Int) -> Int {
        var first = 0, length = count
        while length > 0 {
            let half = length >> 1
            let right = !goesLeft(x, cuts[first + half])
            first = right ? first + half + 1 : first
            length = right ? length - half - 1 : half
        }
        return first
    }
}

/// Tests bit `code` of a category bitset; codes beyond the words are not listed.
@inline(__always)
func bitsetContains(_ words: UnsafeBufferPointer<UInt32>, _ code: Int) -> Bool {
    let word = code >> 5
    return word < words.count && (words[word] >> UInt32(code & 31)) & 1 == 1
}

/// XGBoost: float32, `x < t`, NaN is missing and follows default_left. Categorical
/// (common::Decision in src/common/categorical.h): listed categories go right; missing follows
/// default_left; negative codes, codes >= 2^24 and codes not listed go left.
enum XGBoostSplit: SplitRule {
    typealias Value = Float
    @inline(__always) static func goesLeft(_ x: Float, _ threshold: Float) -> Bool { x < threshold }
    @inline(__always) static func input(_ x: Double) -> Float { Float(x) }
    static func categoricalGoesLeft(_ x: Float, _ words: UnsafeBufferPointer<UInt32>, defaultLeft: Bool) -> Bool {
        if x.isNaN { return defaultLeft }
        if x < 0 || x >= 16_777_216 { return true }
        return !bitsetContains(words, Int(x))
    }
}

/// LightGBM: float64, `x <= t`. Inputs with |x| <= kZeroThreshold become exactly 0.0, as the dense
/// predict path drops them (RowPairFunctionFromDenseMatrix in src/c_api.cpp). Categorical: NaN and
/// negative codes (after truncation) go right; listed codes go left.
enum LightGBMSplit: SplitRule {
    typealias Value = Double
    /// `kZeroThreshold` (include/LightGBM/meta.h): 1e-35f widened to double.
    static let zeroThreshold = Double(Float(1e-35))
    @inline(__always) static func goesLeft(_ x: Double, _ threshold: Double) -> Bool { x <= threshold }
    @inline(__always) static func input(_ x: Double) -> Double { abs(x) <= zeroThreshold ? 0 : x }
    static func categoricalGoesLeft(_ x: Double, _ words: UnsafeBufferPointer<UInt32>, defaultLeft: Bool) -> Bool {
        if x.isNaN { return false }
        // static_cast<int>(fval): out of int range is INT_MIN on x86, i.e. negative, i.e. right.
        guard x > -1, x < 2_147_483_648 else { return false }
        return bitsetContains(words, Int(x))
    }
}

extension XGBoostSplit {
    /// Full numeric decision (trees outside the fast path): missing first, then `x < t`.
    @inline(__always)
    static func numericGoesLeft(_ x: Float, _ threshold: Float, defaultLeft: Bool, missing: MissingRule) -> Bool {
        x.isNaN ? defaultLeft : x < threshold
    }
}

extension LightGBMSplit {
    /// Full numeric decision (Tree::NumericalDecision) on an input already filtered by `input`.
    @inline(__always)
    static func numericGoesLeft(_ x: Double, _ threshold: Double, defaultLeft: Bool, missing: MissingRule) -> Bool {
        var value = x
        if value.isNaN && missing != .nan { value = 0 }
        if (missing == .zero && value == 0) || (missing == .nan && value.isNaN) { return defaultLeft }
        return value <= threshold
    }
}
