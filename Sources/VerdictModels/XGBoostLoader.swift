// XGBoost model files (JSON and UBJ, which share one document tree): gbtree and dart boosters,
// categorical splits, every serialised form of base_score (1.x scalar "5E-1", 2.x estimated
// scalar, 3.1+ vector "[a,b]"), and gblinear. Field meanings follow src/tree/tree_model.cc
// (LoadModelImpl) and src/learner.cc; the intercept goes through the objective's ProbToMargin in
// Float32, as XGBoost does at load. Vector-leaf trees and unlisted objectives are rejected by name.
import Foundation

/// Loads XGBoost models.
enum XGBoostLoader {
    /// An objective's link (applied to base_score) and output transform.
    struct Objective {
        var toMargin: (Float) -> Float
        var transform: OutputTransform
    }

    /// Objectives Verdict evaluates (name -> link and transform), from src/objective/*.
    static func objective(_ name: String) -> Objective? {
        let logit: (Float) -> Float = { p in
            // LogisticRegression::ProbToMargin (src/objective/regression_loss.h), in float.
            -Foundation.logf(1 / p - 1)
        }
        switch name {
        case "binary:logistic", "reg:logistic": return Objective(toMargin: logit, transform: .xgboostSigmoid)
        // LogisticRaw keeps base_score as a margin (no ProbToMargin); checked against xgboost 3.2.
        case "binary:logitraw": return Objective(toMargin: { $0 }, transform: .identity)
        case "reg:squarederror", "reg:linear", "reg:squaredlogerror", "reg:pseudohubererror", "reg:absoluteerror",
             "reg:quantileerror":
            return Objective(toMargin: { $0 }, transform: .identity)
        case "count:poisson", "reg:gamma", "reg:tweedie":
            return Objective(toMargin: { Foundation.logf($0) }, transform: .xgboostExp)
        case "multi:softprob": return Objective(toMargin: { $0 }, transform: .xgboostSoftmax)
        case "multi:softmax": return Objective(toMargin: { $0 }, transform: .xgboostArgmax)
        default: return nil
        }
    }

    static func load(_ document: JSONValue, format: String) throws -> any PredictiveModel {
        let learner = try document.field("learner", "")
        let parameters = try learner.field("learner_model_param", "learner")
        let featureCount = try parameters.field("num_feature", "learner.learner_model_param").int("learner.learner_model_param.num_feature")
        let classes = try parameters.optionalField("num_class")?.int("learner.learner_model_param.num_class") ?? 0
        let targets = try parameters.optionalField("num_target")?.int("learner.learner_model_param.num_target") ?? 1
        guard featureCount >= 0, featureCount < 60_000 else {
            throw ModelError.invalidField("learner.learner_model_param.num_feature", "\(featureCount)")
        }
        guard classes >= 0, classes < 10_000, targets >= 1, targets < 10_000 else {
            throw ModelError.invalidField("learner.learner_model_param", "num_class \(classes), num_target \(targets)")
        }
        let outputCount = max(classes, targets, 1)
        let objectiveName = try learner.field("objective", "learner").field("name", "learner.objective").string("learner.objective.name")
        guard let objective = objective(objectiveName) else {
            throw ModelError.unsupported("learner.objective.name", "objective \"\(objectiveName)\" is not supported")
        }
        let baseScores = try parseBaseScore(try parameters.field("base_score", "learner.learner_model_param"))
        guard baseScores.count == 1 || baseScores.count == outputCount else {
            throw ModelError.invalidField("learner.learner_model_param.base_score", "\(baseScores.count) values for \(outputCount) outputs")
        }
        let base = (0..<outputCount).map { objective.toMargin(baseScores[baseScores.count == 1 ? 0 : $0]) }
        var names = try learner.optionalField("feature_names")?.array("learner.feature_names").map { try $0.string("learner.feature_names") } ?? []
        if names.isEmpty { names = (0..<featureCount).map { "f\($0)" } }
        guard names.count == featureCount else {
            throw ModelError.invalidField("learner.feature_names", "\(names.count) names for \(featureCount) features")
        }
        var info = ModelInfo(kind: .xgboost, format: format, objective: objectiveName, featureNames: names,
                             outputCount: outputCount, precision: .float32, treeCount: 0, nodeCount: 0, maxDepth: 0,
                             baseMargins: base.map { Double($0) }, genericTreeCount: 0, transform: objective.transform)

        let booster = try learner.field("gradient_booster", "learner")
        let boosterName = try booster.field("name", "learner.gradient_booster").string("learner.gradient_booster.name")
        switch boosterName {
        case "gblinear":
            let weights = try booster.field("model", "learner.gradient_booster").field("weights", "learner.gradient_booster.model")
                .floats("learner.gradient_booster.model.weights")
            guard weights.count == (featureCount + 1) * outputCount else {
                throw ModelError.invalidField("learner.gradient_booster.model.weights", "expected (num_feature+1)*num_output values")
            }
            return XGBoostLinearModel(weights: weights, base: base, info: info)
        case "gbtree", "dart":
            // DART: 1.x/2.x nest the trees in "gbtree"; the weights are in "weight_drop".
            let inner = booster.optionalField("gbtree") ?? booster
            let model = try inner.field("model", "learner.gradient_booster")
            let weights = try (booster.optionalField("weight_drop") ?? model.optionalField("weight_drop"))?
                .floats("learner.gradient_booster.weight_drop")
            let trees = try model.field("trees", "learner.gradient_booster.model").array("learner.gradient_booster.model.trees")
            let groups = try model.optionalField("tree_info")?.ints("learner.gradient_booster.model.tree_info")
                ?? [Int](repeating: 0, count: trees.count)
            guard groups.count == trees.count, weights.map({ $0.count == trees.count }) ?? true else {
                throw ModelError.invalidField("learner.gradient_booster.model.tree_info", "one entry per tree expected")
            }
            var categoryBudget = maxCategoryWords
            let decoded = try trees.enumerated().map { index, tree in
                try decodeTree(tree, index: index, output: groups[index], weight: weights?[index] ?? 1, categoryBudget: &categoryBudget)
            }
            let ensemble = try TreeEnsemble<XGBoostSplit>(trees: decoded, featureCount: featureCount, outputCount: outputCount,
                                                          base: base, context: "learner.gradient_booster.model")
            info.objective = objectiveName
            return XGBoostTreeModel(ensemble: ensemble, info: info)
        default:
            throw ModelError.unsupported("learner.gradient_booster.name", "booster \"\(boosterName)\" is not supported")
        }
    }

    /// base_score as written by any version: "5E-1", "[2.0055E-2]", "[a,b,c]" (also "(…)"), or a number.
    static func parseBaseScore(_ value: JSONValue) throws -> [Float] {
        let field = "learner.learner_model_param.base_score"
        if case .number(_, let float) = value { return [float] }
        var text = try value.string(field).trimmingCharacters(in: .whitespaces)
        if let first = text.first, first == "[" || first == "(" {
            guard let last = text.last, last == "]" || last == ")" else { throw ModelError.invalidField(field, "unterminated vector") }
            text = String(text.dropFirst().dropLast())
        }
        let values = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.map { Float($0) }
        guard !values.isEmpty, values.allSatisfy({ $0 != nil }) else { throw ModelError.invalidField(field, "\"\(text)\" is not a number list") }
        return values.map { $0! }
    }

    /// Bound on the category bitset words of a whole model (a code up to 2^24 costs 2 MiB).
    static let maxCategoryWords = 1 << 22

    /// One tree (RegTree JSON): leaf iff left_children[i] == -1, leaf value = split_conditions[i].
    static func decodeTree(_ tree: JSONValue, index: Int, output: Int, weight: Float, categoryBudget: inout Int) throws -> DecisionTree {
        let path = "learner.gradient_booster.model.trees[\(index)]"
        if let param = tree.optionalField("tree_param"), let size = param.optionalField("size_leaf_vector"),
           try size.int("\(path).tree_param.size_leaf_vector") > 1 {
            throw ModelError.unsupported("\(path).tree_param.size_leaf_vector", "vector-leaf (multi-target) trees are not supported")
        }
        let left = try tree.field("left_children", path).ints("\(path).left_children")
        let right = try tree.field("right_children", path).ints("\(path).right_children")
        let features = try tree.field("split_indices", path).ints("\(path).split_indices")
        let conditions = try tree.field("split_conditions", path).floats("\(path).split_conditions")
        let defaultLeft = try tree.field("default_left", path).ints("\(path).default_left")
        let types = try tree.optionalField("split_type")?.ints("\(path).split_type") ?? [Int](repeating: 0, count: left.count)
        let hessians = (try? tree.optionalField("sum_hessian")?.floats("\(path).sum_hessian")) ?? nil
        let count = left.count
        guard [right.count, features.count, conditions.count, defaultLeft.count, types.count].allSatisfy({ $0 == count }) else {
            throw ModelError.invalidField(path, "node arrays have different lengths")
        }
        var categories: [Int: [UInt32]] = [:]
        if let nodes = tree.optionalField("categories_nodes") {
            let catNodes = try nodes.ints("\(path).categories_nodes")
            let segments = try tree.field("categories_segments", path).ints("\(path).categories_segments")
            let sizes = try tree.field("categories_sizes", path).ints("\(path).categories_sizes")
            let values = try tree.field("categories", path).ints("\(path).categories")
            guard segments.count == catNodes.count, sizes.count == catNodes.count else {
                throw ModelError.invalidField("\(path).categories_segments", "one entry per categorical node expected")
            }
            for (k, node) in catNodes.enumerated() {
                guard segments[k] >= 0, sizes[k] >= 0, segments[k] + sizes[k] <= values.count else {
                    throw ModelError.invalidField("\(path).categories_segments", "segment \(k) outside categories")
                }
                var words: [UInt32] = []
                for code in values[segments[k]..<segments[k] + sizes[k]] {
                    guard code >= 0, code < 16_777_216 else { throw ModelError.invalidField("\(path).categories", "category \(code)") }
                    let word = code >> 5
                    if words.count <= word {
                        categoryBudget -= word + 1 - words.count
                        guard categoryBudget >= 0 else {
                            throw ModelError.unsupported("\(path).categories", "category bitsets larger than \(maxCategoryWords) words in total")
                        }
                    }
                    if words.count <= word { words += [UInt32](repeating: 0, count: word + 1 - words.count) }
                    words[word] |= 1 << UInt32(code & 31)
                }
                categories[node] = words
            }
        }
        var nodes: [DecisionTree.Node] = []
        nodes.reserveCapacity(count)
        for i in 0..<count {
            if left[i] == -1 {
                let cover = hessians.map { i < $0.count && $0[i] > 0 ? Double($0[i]) : 0 } ?? 0
                nodes.append(DecisionTree.Node(value: Double(conditions[i] * weight), cover: cover))
                continue
            }
            let split: Split
            if types[i] == 1 {
                guard let words = categories[i] else { throw ModelError.invalidField("\(path).categories_nodes", "node \(i) is categorical but has no categories") }
                split = .categorical(feature: features[i], categories: words, defaultLeft: defaultLeft[i] != 0)
            } else {
                split = .numeric(feature: features[i], threshold: Double(conditions[i]), defaultLeft: defaultLeft[i] != 0, missing: .nan)
            }
            nodes.append(DecisionTree.Node(split: split, left: left[i], right: right[i]))
        }
        return DecisionTree(nodes: nodes, output: output)
    }
}
