// The library-neutral tree that loaders produce and the compiler (TreeEnsemble) consumes: nodes
// with their split, children and leaf value, in the source file's numbering. Validation that the
// nodes form a proper tree (every index in range, no node reached twice) lives here, so no
// predictor ever loops or reads out of bounds on a hostile file.

/// Where a numeric split sends missing values, in the library's own terms.
enum MissingRule: Equatable {
    /// XGBoost: NaN is missing and follows default_left.
    case nan
    /// LightGBM MissingType::None: NaN is treated as 0.0, then compared.
    case noneAsZero
    /// LightGBM MissingType::Zero: NaN and (near-)zero follow default_left.
    case zero
}

/// A split of a decision-tree node.
enum Split {
    case numeric(feature: Int, threshold: Double, defaultLeft: Bool, missing: MissingRule)
    /// `categories` is a bitset of the listed category codes.
    case categorical(feature: Int, categories: [UInt32], defaultLeft: Bool)

    var feature: Int {
        switch self {
        case .numeric(let feature, _, _, _), .categorical(let feature, _, _): return feature
        }
    }
}

/// A linear model at a leaf (LightGBM linear trees): `constant + Σ coefficient · x[feature]`,
/// or the leaf's plain value when any of those features is NaN (Tree::Predict).
struct LinearLeaf {
    var constant: Double
    var features: [Int]
    var coefficients: [Double]
}

/// One tree as loaded.
struct DecisionTree {
    struct Node {
        /// nil for a leaf.
        var split: Split?
        var left = -1
        var right = -1
        /// The leaf output (already scaled by the tree weight); unused on internal nodes.
        var value = 0.0
        var linear: LinearLeaf?
        /// Training rows (LightGBM leaf_count) or hessian sum (XGBoost sum_hessian) that reached
        /// the node; orders trees by expected depth for traversal. 0 when unknown.
        var cover = 0.0
    }

    var nodes: [Node]
    /// The output (class) this tree adds to.
    var output: Int

    /// The expected number of nodes a row visits, from the leaves' cover (plain mean leaf depth
    /// when the file has no cover). Call after `validate`.
    func expectedPathLength() -> Double {
        var stack = [(0, 1)], weighted = 0.0, total = 0.0, depthSum = 0, leaves = 0
        while let (index, length) = stack.popLast() {
            let node = nodes[index]
            guard node.split != nil else {
                weighted += node.cover * Double(length); total += node.cover
                depthSum += length; leaves += 1
                continue
            }
            stack += [(node.left, length + 1), (node.right, length + 1)]
        }
        return total > 0 ? weighted / total : Double(depthSum) / Double(max(leaves, 1))
    }

    /// The cover of every node (its leaves' cover summed; 0 for unreachable nodes) and the number
    /// of nodes reachable from node 0. Call after `validate`.
    func subtreeCovers() -> (covers: [Double], reachable: Int) {
        var covers = [Double](repeating: 0, count: nodes.count), order = [0], head = 0
        while head < order.count {
            let node = nodes[order[head]]
            head += 1
            if node.split != nil { order += [node.left, node.right] }
        }
        for index in order.reversed() {
            let node = nodes[index]
            covers[index] = node.split == nil ? node.cover : covers[node.left] + covers[node.right]
        }
        return (covers, order.count)
    }

    /// Checks that the nodes reachable from node 0 form a tree over valid indices and features,
    /// and returns its depth (edges on the longest root-to-leaf path).
    func validate(featureCount: Int, context: String) throws -> Int {
        guard !nodes.isEmpty else { throw ModelError.invalidField(context, "tree has no nodes") }
        var seen = [Bool](repeating: false, count: nodes.count)
        var stack = [(0, 0)]
        var depth = 0
        seen[0] = true
        while let (index, level) = stack.popLast() {
            depth = max(depth, level)
            let node = nodes[index]
            if let linear = node.linear, linear.features.contains(where: { $0 < 0 || $0 >= featureCount }) {
                throw ModelError.invalidField(context, "linear leaf uses a feature outside 0..<\(featureCount)")
            }
            guard let split = node.split else { continue }
            guard split.feature >= 0, split.feature < featureCount else {
                throw ModelError.invalidField(context, "node \(index) splits on feature \(split.feature), model has \(featureCount)")
            }
            for child in [node.left, node.right] {
                guard child >= 0, child < nodes.count, !seen[child] else {
                    throw ModelError.invalidField(context, "node \(index) has an invalid or shared child \(child)")
                }
                seen[child] = true
                stack.append((child, level + 1))
            }
        }
        return depth
    }
}
