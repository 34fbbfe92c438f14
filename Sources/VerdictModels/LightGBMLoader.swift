// LightGBM text models (`model.txt`, format v3/v4; src/boosting/gbdt_model_text.cpp and the
// Tree(const char*) constructor in src/io/tree.cpp): numerical and categorical splits, the three
// missing types x default_left (decision_type bits), single-leaf trees, linear trees,
// `average_output` (random forest) and the objectives whose ConvertOutput Verdict reproduces.
// Numbers are parsed with Swift's correctly rounded Double(String), equal to LightGBM's exact
// AtofPrecise for thresholds and leaf values.

/// Loads LightGBM text models.
enum LightGBMLoader {
    static func load(_ text: String) throws -> any PredictiveModel {
        var header: [String: String] = [:]
        var averageOutput = false
        var blocks: [[String: String]] = []
        var inTrees = false
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if line.isEmpty { continue }
            if line == "end of trees" { break }
            if line.hasPrefix("Tree=") {
                inTrees = true
                guard Int(line.dropFirst(5)) == blocks.count else {
                    throw ModelError.syntax(format: "LightGBM", offset: number + 1, message: "expected Tree=\(blocks.count)")
                }
                blocks.append([:])
                continue
            }
            guard let equals = line.firstIndex(of: "=") else {
                if !inTrees && line == "average_output" { averageOutput = true }
                continue
            }
            let key = String(line[..<equals]), value = String(line[line.index(after: equals)...])
            if inTrees { blocks[blocks.count - 1][key] = value } else { header[key] = value }
        }
        guard header["version"] != nil || text.hasPrefix("tree") else {
            throw ModelError.syntax(format: "LightGBM", offset: 1, message: "not a LightGBM text model (no 'tree' header)")
        }
        guard let maxFeature = header["max_feature_idx"].flatMap({ Int($0) }), maxFeature >= -1, maxFeature < 60_000 else {
            throw ModelError.missingField("max_feature_idx")
        }
        let featureCount = maxFeature + 1
        let perIteration = Int(header["num_tree_per_iteration"] ?? "1") ?? 0
        guard perIteration >= 1, perIteration < 10_000 else { throw ModelError.invalidField("num_tree_per_iteration", header["num_tree_per_iteration"] ?? "") }
        var names = header["feature_names"].map { $0.split(separator: " ").map(String.init) } ?? []
        if names.isEmpty { names = (0..<featureCount).map { "Column_\($0)" } }
        guard names.count == featureCount else {
            throw ModelError.invalidField("feature_names", "\(names.count) names for \(featureCount) features")
        }
        let objectiveLine = header["objective"] ?? "regression"
        let transform = try outputTransform(objectiveLine)
        guard blocks.count % perIteration == 0 else {
            throw ModelError.invalidField("num_tree_per_iteration", "\(blocks.count) trees is not a multiple of \(perIteration)")
        }
        let trees = try blocks.enumerated().map { index, block in
            try decodeTree(block, index: index, output: index % perIteration)
        }
        let iterations = blocks.count / perIteration
        let ensemble = try TreeEnsemble<LightGBMSplit>(trees: trees, featureCount: featureCount, outputCount: perIteration,
                                                       base: [Double](repeating: 0, count: perIteration),
                                                       context: "LightGBM")
        let info = ModelInfo(kind: .lightgbm, format: "text", objective: objectiveLine, featureNames: names,
                             outputCount: perIteration, precision: .float64, treeCount: 0, nodeCount: 0, maxDepth: 0,
                             baseMargins: [], genericTreeCount: 0, transform: transform,
                             averagedOver: averageOutput && iterations > 0 ? iterations : nil)
        return LightGBMTreeModel(ensemble: ensemble, info: info)
    }

    /// ConvertOutput of the objective named on the `objective=` line.
    static func outputTransform(_ line: String) throws -> OutputTransform {
        let tokens = line.split(separator: " ")
        let sigmoid = tokens.first { $0.hasPrefix("sigmoid:") }.flatMap { Double($0.dropFirst(8)) }
        switch tokens.first.map(String.init) ?? "" {
        case "binary", "multiclassova":
            guard let sigmoid, sigmoid > 0 else { throw ModelError.invalidField("objective", "\"\(line)\" has no valid sigmoid:") }
            return .sigmoid(sigmoid)
        case "cross_entropy", "xentropy": return .sigmoid(1)
        case "cross_entropy_lambda", "xentlambda": return .log1pExp
        case "multiclass", "softmax": return .softmax
        case "regression", "regression_l2", "l2", "mean_squared_error", "mse":
            return tokens.contains("sqrt") ? .signedSquare : .identity
        case "regression_l1", "l1", "huber", "fair", "quantile", "mape": return tokens.contains("sqrt") ? .signedSquare : .identity
        case "poisson", "gamma", "tweedie": return .exp
        default: throw ModelError.unsupported("objective", "objective \"\(line)\" is not supported")
        }
    }

    private static func numbers<T>(_ block: [String: String], _ key: String, _ path: String, count: Int?,
                                   _ parse: (Substring) -> T?) throws -> [T] {
        guard let text = block[key] else { throw ModelError.missingField("\(path).\(key)") }
        let values = text.split(separator: " ").map(parse)
        guard values.allSatisfy({ $0 != nil }) else { throw ModelError.invalidField("\(path).\(key)", "not a number list") }
        if let count, values.count != count {
            throw ModelError.invalidField("\(path).\(key)", "expected \(count) values, got \(values.count)")
        }
        return values.map { $0! }
    }

    /// One `Tree=` block: internalCount nodes 0..<num_leaves-1, leaf `k` referenced as child `~k`.
    static func decodeTree(_ block: [String: String], index: Int, output: Int) throws -> DecisionTree {
        let path = "Tree=\(index)"
        guard let leafCount = block["num_leaves"].flatMap({ Int($0) }), leafCount >= 1, leafCount < 10_000_000 else {
            throw ModelError.missingField("\(path).num_leaves")
        }
        let leafValues = try numbers(block, "leaf_value", path, count: leafCount) { Double($0) }
        let isLinear = block["is_linear"].map { $0 != "0" } ?? false
        var linear: [LinearLeaf?] = [LinearLeaf?](repeating: nil, count: leafCount)
        if isLinear {
            let constants = try numbers(block, "leaf_const", path, count: leafCount) { Double($0) }
            let counts = try numbers(block, "num_features", path, count: leafCount) { Int($0) }
            let features = try numbers(block, "leaf_features", path, count: nil) { Int($0) }
            let coefficients = try numbers(block, "leaf_coeff", path, count: features.count) { Double($0) }
            guard counts.allSatisfy({ $0 >= 0 }), counts.reduce(0, +) == features.count else {
                throw ModelError.invalidField("\(path).num_features", "does not match leaf_features")
            }
            var start = 0
            for leaf in 0..<leafCount {
                linear[leaf] = LinearLeaf(constant: constants[leaf], features: Array(features[start..<start + counts[leaf]]),
                                          coefficients: Array(coefficients[start..<start + counts[leaf]]))
                start += counts[leaf]
            }
        }
        let counts = block["leaf_count"].map { $0.split(separator: " ").map { Double($0) ?? 0 } } ?? []
        func leafNode(_ leaf: Int) -> DecisionTree.Node {
            DecisionTree.Node(value: leafValues[leaf], linear: linear[leaf], cover: leaf < counts.count ? max(counts[leaf], 0) : 0)
        }
        if leafCount == 1 { return DecisionTree(nodes: [leafNode(0)], output: output) }

        let internalCount = leafCount - 1
        let features = try numbers(block, "split_feature", path, count: internalCount) { Int($0) }
        let thresholds = try numbers(block, "threshold", path, count: internalCount) { Double($0) }
        let decisions = try numbers(block, "decision_type", path, count: internalCount) { Int($0) }
        let lefts = try numbers(block, "left_child", path, count: internalCount) { Int($0) }
        let rights = try numbers(block, "right_child", path, count: internalCount) { Int($0) }
        let categoryCount = Int(block["num_cat"] ?? "0") ?? -1
        guard categoryCount >= 0 else { throw ModelError.invalidField("\(path).num_cat", block["num_cat"] ?? "") }
        var boundaries: [Int] = [], words: [UInt32] = []
        if categoryCount > 0 {
            boundaries = try numbers(block, "cat_boundaries", path, count: categoryCount + 1) { Int($0) }
            words = try numbers(block, "cat_threshold", path, count: nil) { UInt32($0) }
            guard boundaries.first == 0, zip(boundaries, boundaries.dropFirst()).allSatisfy({ $0 <= $1 }),
                  boundaries.last == words.count else {
                throw ModelError.invalidField("\(path).cat_boundaries", "offsets do not match cat_threshold")
            }
        }
        // Children: >= 0 internalCount node, < 0 leaf ~child, stored after the internalCount nodes.
        func child(_ value: Int) throws -> Int {
            if value >= 0 { return value }
            let leaf = ~value
            guard leaf < leafCount else { throw ModelError.invalidField("\(path).left_child", "leaf \(leaf) out of range") }
            return internalCount + leaf
        }
        var nodes: [DecisionTree.Node] = []
        nodes.reserveCapacity(internalCount + leafCount)
        for node in 0..<internalCount {
            let decision = decisions[node]
            let defaultLeft = decision & 2 != 0
            let split: Split
            if decision & 1 != 0 {
                let category = thresholds[node]
                guard category >= 0, category < Double(categoryCount), category == category.rounded() else {
                    throw ModelError.invalidField("\(path).threshold", "categorical node \(node) has index \(category)")
                }
                let index = Int(category)
                split = .categorical(feature: features[node], categories: Array(words[boundaries[index]..<boundaries[index + 1]]),
                                     defaultLeft: defaultLeft)
            } else {
                let missing: MissingRule
                switch (decision >> 2) & 3 {
                case 0: missing = .noneAsZero
                case 1: missing = .zero
                case 2: missing = .nan
                default: throw ModelError.invalidField("\(path).decision_type", "missing type 3 at node \(node)")
                }
                split = .numeric(feature: features[node], threshold: thresholds[node], defaultLeft: defaultLeft, missing: missing)
            }
            nodes.append(DecisionTree.Node(split: split, left: try child(lefts[node]), right: try child(rights[node])))
        }
        nodes += (0..<leafCount).map(leafNode)
        return DecisionTree(nodes: nodes, output: output)
    }
}
