// Linear models: Verdict's own linear JSON format (LANGUAGE.md §6: weights by feature name, an
// intercept, link identity|logistic; Float64) and XGBoost's gblinear booster (Float32,
// src/gbm/gblinear.cc Pred: `bias + base`, then `+= x·w` over present features in order).
import Foundation

/// Verdict linear JSON: `margin = intercept + Σ wᵢ·xᵢ` with the sum taken from 0 in weight order.
/// A missing (NaN) input makes the margin NaN, i.e. missing.
final class LinearModel: PredictiveModel, @unchecked Sendable {
    let info: ModelInfo
    let intercept: Double
    let weights: [Double]

    static func load(_ document: JSONValue) throws -> LinearModel {
        let kind = try document.field("kind", "").string("kind")
        guard kind == "linear" else { throw ModelError.invalidField("kind", "expected \"linear\", got \"\(kind)\"") }
        let link = try document.optionalField("link")?.string("link") ?? "identity"
        let transform: OutputTransform
        switch link {
        case "identity": transform = .identity
        case "logistic": transform = .sigmoid(1)
        default: throw ModelError.unsupported("link", "link \"\(link)\" (expected identity or logistic)")
        }
        let intercept = try document.optionalField("intercept")?.double("intercept") ?? 0
        guard case .object(let members, let order) = try document.field("weights", "") else {
            throw ModelError.invalidField("weights", "expected an object of feature name -> weight")
        }
        let weights = try order.map { try members[$0]!.double("weights.\($0)") }
        guard intercept.isFinite, weights.allSatisfy(\.isFinite) else {
            throw ModelError.invalidField("weights", "weights and intercept must be finite numbers")
        }
        let info = ModelInfo(kind: .linear, format: "linear JSON", objective: link, featureNames: order, outputCount: 1,
                             precision: .float64, treeCount: 0, nodeCount: 0, maxDepth: 0, baseMargins: [intercept],
                             genericTreeCount: 0, transform: transform)
        return LinearModel(info: info, intercept: intercept, weights: weights)
    }

    private init(info: ModelInfo, intercept: Double, weights: [Double]) {
        self.info = info
        self.intercept = intercept
        self.weights = weights
    }

    func predictMargins(_ features: UnsafePointer<Double>, _ margins: UnsafeMutablePointer<Double>) {
        var sum = 0.0
        for (index, weight) in weights.enumerated() { sum += weight * features[index] }
        margins[0] = intercept + sum
    }

    func visitedNodes(_ features: UnsafePointer<Double>) -> Int { 0 }
}

/// XGBoost gblinear: weights `w[f * outputs + g]`, bias at `num_feature * outputs + g`.
final class XGBoostLinearModel: PredictiveModel, @unchecked Sendable {
    let info: ModelInfo
    let weights: [Float]
    let base: [Float]

    init(weights: [Float], base: [Float], info: ModelInfo) {
        self.weights = weights
        self.base = base
        self.info = info
    }

    func predictMargins(_ features: UnsafePointer<Double>, _ margins: UnsafeMutablePointer<Double>) {
        let outputs = info.outputCount, featureCount = info.featureNames.count
        for group in 0..<outputs {
            var sum = weights[featureCount * outputs + group] + base[group]
            for feature in 0..<featureCount {
                let x = Float(features[feature])
                if !x.isNaN { sum += x * weights[feature * outputs + group] }
            }
            margins[group] = Double(sum)
        }
    }

    func visitedNodes(_ features: UnsafePointer<Double>) -> Int { 0 }
}
