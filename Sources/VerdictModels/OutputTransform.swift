// Objective output transforms (margin -> prediction), each in its library's precision:
// XGBoost in Float32 (src/common/math.h Sigmoid/Softmax, objective PredTransform), LightGBM in
// Float64 (ObjectiveFunction::ConvertOutput). libm's exp may differ by an ulp across platforms, so
// outputs are promised within 1 ulp; margins are exact.
import Foundation

/// How margins become the model's output.
public enum OutputTransform: Equatable, Sendable {
    case identity
    /// XGBoost binary:logistic / reg:logistic: `1 / (1 + expf(-x))` in Float32.
    case xgboostSigmoid
    /// XGBoost count:poisson, reg:gamma, reg:tweedie: `expf(x)`.
    case xgboostExp
    /// XGBoost multi:softprob: softmax in Float32 with a Double sum.
    case xgboostSoftmax
    /// XGBoost multi:softmax: the index of the largest margin.
    case xgboostArgmax
    /// LightGBM binary / cross_entropy / multiclassova: `1 / (1 + exp(-σx))` per output.
    case sigmoid(Double)
    /// LightGBM poisson / gamma / tweedie: `exp(x)`.
    case exp
    /// LightGBM multiclass: softmax in Double.
    case softmax
    /// LightGBM `regression sqrt`: `sign(x)·x²`.
    case signedSquare
    /// LightGBM cross_entropy_lambda: `log1p(exp(x))`.
    case log1pExp

    /// Applies the transform to `count` margins.
    public func apply(_ margins: UnsafePointer<Double>, _ outputs: UnsafeMutablePointer<Double>, count: Int) {
        switch self {
        case .identity:
            for index in 0..<count { outputs[index] = margins[index] }
        case .xgboostSigmoid:
            for index in 0..<count {
                let x = Float(margins[index])
                outputs[index] = Double(1 / (Foundation.expf(min(-x, 88.7)) + 1 + 1e-16))
            }
        case .xgboostExp:
            for index in 0..<count { outputs[index] = Double(Foundation.expf(Float(margins[index]))) }
        case .xgboostSoftmax:
            var largest = -Float.infinity
            for index in 0..<count { largest = max(largest, Float(margins[index])) }
            var sum = 0.0
            for index in 0..<count {
                let value = Foundation.expf(Float(margins[index]) - largest)
                outputs[index] = Double(value)
                sum += Double(value)
            }
            for index in 0..<count { outputs[index] = Double(Float(outputs[index]) / Float(sum)) }
        case .xgboostArgmax:
            var best = 0
            for index in 0..<count where Float(margins[index]) > Float(margins[best]) { best = index }
            for index in 0..<count { outputs[index] = Double(best) }
        case .sigmoid(let scale):
            for index in 0..<count { outputs[index] = 1 / (1 + Foundation.exp(-scale * margins[index])) }
        case .exp:
            for index in 0..<count { outputs[index] = Foundation.exp(margins[index]) }
        case .softmax:
            var largest = -Double.infinity
            for index in 0..<count { largest = max(largest, margins[index]) }
            var sum = 0.0
            for index in 0..<count {
                outputs[index] = Foundation.exp(margins[index] - largest)
                sum += outputs[index]
            }
            for index in 0..<count { outputs[index] /= sum }
        case .signedSquare:
            for index in 0..<count {
                let x = margins[index]
                outputs[index] = (x < 0 ? -1 : 1) * x * x
            }
        case .log1pExp:
            for index in 0..<count { outputs[index] = Foundation.log1p(Foundation.exp(margins[index])) }
        }
    }

    /// A short name for inspection output.
    public var name: String {
        switch self {
        case .identity: return "identity"
        case .xgboostSigmoid, .sigmoid: return "sigmoid"
        case .xgboostExp, .exp: return "exp"
        case .xgboostSoftmax, .softmax: return "softmax"
        case .xgboostArgmax: return "argmax"
        case .signedSquare: return "sign(x)*x^2"
        case .log1pExp: return "log1p(exp(x))"
        }
    }
}
