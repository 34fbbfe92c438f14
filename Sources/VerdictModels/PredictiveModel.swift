// The public face of every loaded model: what it is (ModelInfo) and two plain functions over raw
// buffers, `predictMargins` and `transform`, which the VM calls through its narrow host interface.
// Both are thread-safe (models are immutable) and allocation-free; buffers are caller-owned.

/// The source library and format a model was loaded from.
public enum ModelKind: String, Sendable, CaseIterable {
    case xgboost
    case lightgbm
    case linear
}

/// Arithmetic precision of a model's margins (the library's own).
public enum ModelPrecision: String, Sendable {
    case float32
    case float64
}

/// Descriptive facts about a loaded model (for `verdict model inspect` and for binding features).
public struct ModelInfo: Sendable {
    public var kind: ModelKind
    /// "JSON", "UBJSON", "text" (LightGBM) or "linear JSON".
    public var format: String
    /// The objective as named in the file (e.g. "binary:logistic", "binary sigmoid:1").
    public var objective: String
    public var featureNames: [String]
    /// Number of margins per row (classes for multiclass, else 1).
    public var outputCount: Int
    public var precision: ModelPrecision
    /// Trees (0 for linear models), their total node count and deepest path.
    public var treeCount: Int
    public var nodeCount: Int
    public var maxDepth: Int
    /// The initial margin of each output (XGBoost base_score after its link; linear intercepts).
    public var baseMargins: [Double]
    /// Trees evaluated with the full per-node rules instead of the lane-chain fast path.
    public var genericTreeCount: Int
    public var transform: OutputTransform
    /// LightGBM `average_output` (random forests): margins are the raw sum, as LightGBM's raw
    /// score; outputs are computed from the margins divided by this many iterations
    /// (GBDT::Predict divides, GBDT::PredictRaw does not).
    public var averagedOver: Int? = nil
}

/// A loaded model. Conforming types are immutable and safe to share across threads.
public protocol PredictiveModel: Sendable {
    var info: ModelInfo { get }
    /// Raw margins of one row: `features` holds `info.featureNames.count` values in model order
    /// (NaN = missing), `margins` receives `info.outputCount` values. No allocation, no locks.
    func predictMargins(_ features: UnsafePointer<Double>, _ margins: UnsafeMutablePointer<Double>)
    /// Nodes visited for one row (0 for linear models): the work measure of the benchmark.
    func visitedNodes(_ features: UnsafePointer<Double>) -> Int
}

extension PredictiveModel {
    /// The model's outputs (probabilities etc.) from margins; `outputs` receives
    /// `info.outputCount` values.
    public func transform(_ margins: UnsafePointer<Double>, _ outputs: UnsafeMutablePointer<Double>) {
        let info = info
        guard let iterations = info.averagedOver else {
            info.transform.apply(margins, outputs, count: info.outputCount)
            return
        }
        for index in 0..<info.outputCount { outputs[index] = margins[index] / Double(iterations) }
        info.transform.apply(outputs, outputs, count: info.outputCount)
    }

    /// Checked convenience: margins of one row given as an array.
    public func margins(_ features: [Double]) throws -> [Double] {
        guard features.count == info.featureNames.count else {
            throw ModelError.wrongCount(what: "features", expected: info.featureNames.count, got: features.count)
        }
        var margins = [Double](repeating: 0, count: info.outputCount)
        features.withUnsafeBufferPointer { input in
            margins.withUnsafeMutableBufferPointer { predictMargins(input.baseAddress!, $0.baseAddress!) }
        }
        return margins
    }

    /// Checked convenience: outputs for margins given as an array.
    public func outputs(margins: [Double]) throws -> [Double] {
        guard margins.count == info.outputCount else {
            throw ModelError.wrongCount(what: "margins", expected: info.outputCount, got: margins.count)
        }
        var outputs = [Double](repeating: 0, count: info.outputCount)
        margins.withUnsafeBufferPointer { input in
            outputs.withUnsafeMutableBufferPointer { transform(input.baseAddress!, $0.baseAddress!) }
        }
        return outputs
    }
}

/// Fills the tree facts of `info` from a compiled ensemble.
func treeInfo<Rule: SplitRule>(_ info: ModelInfo, _ ensemble: TreeEnsemble<Rule>) -> ModelInfo {
    var info = info
    info.treeCount = ensemble.roots.count
    info.nodeCount = ensemble.nodeCount
    info.maxDepth = ensemble.depths.max() ?? 0
    info.genericTreeCount = ensemble.isFast.filter { !$0 }.count
    info.precision = Rule.Value.self == Float.self ? .float32 : .float64
    info.baseMargins = ensemble.base.map { Double($0) }
    return info
}

// The two tree models are concrete classes (not one generic class) so that the protocol witnesses
// call fully specialized traversal code.

/// An XGBoost tree ensemble (gbtree or dart) with its output transform.
final class XGBoostTreeModel: PredictiveModel, @unchecked Sendable {
    let info: ModelInfo
    let ensemble: TreeEnsemble<XGBoostSplit>

    init(ensemble: TreeEnsemble<XGBoostSplit>, info: ModelInfo) {
        self.ensemble = ensemble
        self.info = treeInfo(info, ensemble)
    }

    func predictMargins(_ features: UnsafePointer<Double>, _ margins: UnsafeMutablePointer<Double>) {
        ensemble.predictMargins(features, margins)
    }

    func visitedNodes(_ features: UnsafePointer<Double>) -> Int { ensemble.visitedNodes(features) }
}

/// A LightGBM tree ensemble with its output transform.
final class LightGBMTreeModel: PredictiveModel, @unchecked Sendable {
    let info: ModelInfo
    let ensemble: TreeEnsemble<LightGBMSplit>

    init(ensemble: TreeEnsemble<LightGBMSplit>, info: ModelInfo) {
        self.ensemble = ensemble
        self.info = treeInfo(info, ensemble)
    }

    func predictMargins(_ features: UnsafePointer<Double>, _ margins: UnsafeMutablePointer<Double>) {
        ensemble.predictMargins(features, margins)
    }

    func visitedNodes(_ features: UnsafePointer<Double>) -> Int { ensemble.visitedNodes(features) }
}
