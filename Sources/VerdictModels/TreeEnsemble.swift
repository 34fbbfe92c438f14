// The compiled form of a tree ensemble: every tree flattened into one array of packed nodes
// (children adjacent, so the next index is `left + !goesLeft`), leaves inline as self-loops, and
// a per-row "view" plan that resolves each split's missing-value rule before traversal. Built
// once at load; immutable afterwards, so one instance is shared by all threads.
//
// Views. Before walking, a row is expanded into a small array of values: slot 0 is -inf, slots
// 1...F the features as the library sees them (XGBoost: Float(x); LightGBM: near-zeros to 0),
// and one more slot per (feature, missing rule) pair used by the model, where the missing value
// is replaced by -inf (always left: default_left), NaN (always right) or 0 (LightGBM None). A
// numeric node then just compares `views[slot]` with its threshold: no branches, no flags.
// Trees with categorical splits, linear leaves or thresholds the views cannot decide keep the full per-node
// rule and are walked one at a time ("generic" trees); all others are walked several at once.

/// One node. Leaves point to themselves, compare slot 0 (-inf) with their own value (kept in
/// `threshold`), and so a walk that has reached a leaf stays there and has its value at hand.
struct FlatNode<Value: BinaryFloatingPoint & Sendable>: Sendable {
    /// Numeric split threshold; the output value on leaves.
    var threshold: Value
    /// Index of the left child; the right child is `left + 1`. A leaf's own index.
    var left: Int32
    /// Fast trees: the view slot compared. Generic trees: 1 + feature (numeric), the categorical
    /// split index (categorical) or the linear leaf index (linear leaves).
    var slot: UInt16
    var flags: UInt16

    static var leaf: UInt16 { 1 }
    static var categorical: UInt16 { 2 }
    static var defaultLeft: UInt16 { 4 }
    static var linear: UInt16 { 8 }
    /// Bits 4-5: MissingRule (0 nan, 1 noneAsZero, 2 zero), generic numeric nodes only.
    static var missingShift: UInt16 { 4 }
}

/// A derived view slot: `views[slot] = isMissing(base) ? replacement : base`.
struct ViewSlot<Value: BinaryFloatingPoint & Sendable>: Sendable {
    var feature: Int32
    /// LightGBM MissingType::Zero: 0.0 (and NaN, already 0 for this type) is missing too.
    var zeroIsMissing: Bool
    var replacement: Value
}

/// A categorical split's feature and its bitset words in `categoryWords`.
struct CategoricalSplit: Sendable {
    var feature: Int32
    var start: Int32
    var count: Int32
}

/// How a run of fast trees is walked (chosen per model; see `TreeEnsemble.init`).
enum TraversalStrategy: Sendable {
    /// Groups of eight trees advance one level per step until all eight sit on leaves. Best when
    /// trees have the same depth (XGBoost depth-wise growth): no lane idles.
    case lockStep
    /// Eight lanes pull the next tree as soon as theirs reaches a leaf; leaf values go to a
    /// per-tree buffer summed in tree order afterwards. Best for unbalanced trees (LightGBM
    /// leaf-wise growth), where lock-step lanes would wait for the deepest path.
    case refill
}

/// Consecutive trees walked together: a lock-step group (`kind` lockStep, at most eight trees),
/// a refill run (`kind` refill), or one generic tree. `lanes` is the offset of the trees' roots in
/// `laneRoots` (padded to eight with the dummy leaf for groups; followed by the dummy for runs).
struct TreeSegment: Sendable {
    enum Kind: Sendable { case generic, lockStep, refill }
    var kind: Kind
    var firstTree: Int32
    var count: Int32
    var lanes: Int32
    /// Lock-step groups: every tree has all leaves at least this deep, so that many steps are
    /// taken without checking for the end.
    var minDepth: Int32
}

/// A flattened ensemble with the decision semantics of `Rule`.
final class TreeEnsemble<Rule: SplitRule>: @unchecked Sendable {
    typealias Value = Rule.Value
    /// Trees walked in lock-step by the fast path.
    static var laneCount: Int { 8 }

    let featureCount: Int
    let outputCount: Int
    let nodes: [FlatNode<Value>]
    let roots: [Int32]
    let treeOutputs: [Int32]
    let laneRoots: [Int32]
    let segments: [TreeSegment]
    let views: [ViewSlot<Value>]
    let categorical: [CategoricalSplit]
    let categoryWords: [UInt32]
    let linearConstant: [Value]
    let linearStart: [Int32]
    let linearFeatures: [Int32]
    let linearCoefficients: [Value]
    /// Initial value of each output (XGBoost base margin; 0 for LightGBM).
    let base: [Value]
    /// The longest refill run (its per-tree value buffer lives on the stack).
    var longestRun: Int { segments.map { $0.kind == .refill ? Int($0.count) : 0 }.max() ?? 0 }
    /// Longest root-to-leaf path of each tree, for inspection.
    let depths: [Int]
    /// Slots per row: 1 + featureCount + views.count.
    var slotCount: Int { 1 + featureCount + views.count }

    /// Flattens `trees` (in summation order). Throws on malformed trees or too many view slots.
    init(trees: [DecisionTree], featureCount: Int, outputCount: Int, base: [Value], strategy: TraversalStrategy, context: String) throws {
        guard featureCount >= 0, featureCount < 60_000 else {
            throw ModelError.unsupported("\(context).num_feature", "\(featureCount) features (limit 60000)")
        }
        guard base.count == outputCount else { throw ModelError.invalidField("\(context).base", "one value per output") }
        self.featureCount = featureCount
        self.outputCount = outputCount
        self.base = base
        // Node 0: a shared leaf of value 0 that pads partial lane groups.
        var nodes = [FlatNode<Value>(threshold: 0, left: 0, slot: 0, flags: FlatNode<Value>.leaf)]
        var roots: [Int32] = [], outputs: [Int32] = [], depths: [Int] = [], minDepths: [Int] = [], fast: [Bool] = []
        var views: [ViewSlot<Value>] = [], viewIndex: [String: Int] = [:]
        var categorical: [CategoricalSplit] = [], words: [UInt32] = []
        var linearConstant: [Value] = [], linearStart: [Int32] = [0], linearFeatures: [Int32] = [], linearCoefficients: [Value] = []

        func viewSlot(_ feature: Int, zeroIsMissing: Bool, replacement: Value) throws -> UInt16 {
            let key = "\(feature)/\(zeroIsMissing)/\(replacement)"
            if let index = viewIndex[key] { return UInt16(1 + featureCount + index) }
            guard 1 + featureCount + views.count < Int(UInt16.max) else {
                throw ModelError.unsupported(context, "too many (feature, missing rule) pairs")
            }
            views.append(ViewSlot(feature: Int32(feature), zeroIsMissing: zeroIsMissing, replacement: replacement))
            viewIndex[key] = views.count - 1
            return UInt16(featureCount + views.count)
        }

        for (treeIndex, tree) in trees.enumerated() {
            let where_ = "\(context).trees[\(treeIndex)]"
            depths.append(try tree.validate(featureCount: featureCount, context: where_))
            guard tree.output >= 0, tree.output < outputCount else {
                throw ModelError.invalidField(where_, "output \(tree.output) outside 0..<\(outputCount)")
            }
            let isFast = tree.nodes.allSatisfy { node in
                guard node.linear == nil else { return false }
                guard let split = node.split else { return Rule.goesLeft(-.infinity, Value(node.value)) }
                if case .numeric(_, let threshold, _, _) = split { return Rule.viewsDecide(threshold: threshold) }
                return false
            }
            // Breadth-first placement, children allocated in adjacent pairs.
            var position = [Int](repeating: -1, count: tree.nodes.count)
            var queue = [0], head = 0, minLeafDepth = Int.max
            var level = [Int](repeating: 0, count: tree.nodes.count)
            position[0] = nodes.count
            nodes.append(nodes[0])
            roots.append(Int32(position[0]))
            while head < queue.count {
                let index = queue[head]; head += 1
                let node = tree.nodes[index], at = position[index]
                guard let split = node.split else {
                    minLeafDepth = min(minLeafDepth, level[index])
                    var flags = FlatNode<Value>.leaf, slot: UInt16 = 0
                    if let linear = node.linear {
                        guard linearConstant.count < Int(UInt16.max) else { throw ModelError.unsupported(where_, "too many linear leaves") }
                        flags |= FlatNode<Value>.linear
                        slot = UInt16(linearConstant.count)
                        linearConstant.append(Value(linear.constant))
                        linearFeatures += linear.features.map { Int32($0) }
                        linearCoefficients += linear.coefficients.map { Value($0) }
                        linearStart.append(Int32(linearFeatures.count))
                    }
                    nodes[at] = FlatNode(threshold: Value(node.value), left: Int32(at), slot: slot, flags: flags)
                    continue
                }
                let left = nodes.count
                guard left + 2 < Int(Int32.max) else { throw ModelError.unsupported(context, "too many nodes") }
                nodes += [nodes[0], nodes[0]]
                position[node.left] = left; position[node.right] = left + 1
                level[node.left] = level[index] + 1; level[node.right] = level[index] + 1
                queue += [node.left, node.right]
                switch split {
                case let .numeric(feature, threshold, defaultLeft, missing):
                    var slot = UInt16(1 + feature)
                    var flags: UInt16 = defaultLeft ? FlatNode<Value>.defaultLeft : 0
                    switch missing {
                    case .nan: if isFast && defaultLeft { slot = try viewSlot(feature, zeroIsMissing: false, replacement: -.infinity) }
                    case .noneAsZero:
                        flags |= 1 << FlatNode<Value>.missingShift
                        if isFast { slot = try viewSlot(feature, zeroIsMissing: false, replacement: 0) }
                    case .zero:
                        flags |= 2 << FlatNode<Value>.missingShift
                        if isFast { slot = try viewSlot(feature, zeroIsMissing: true, replacement: defaultLeft ? -.infinity : .nan) }
                    }
                    nodes[at] = FlatNode(threshold: Value(threshold), left: Int32(left), slot: slot, flags: flags)
                case let .categorical(feature, categories, defaultLeft):
                    guard categorical.count < Int(UInt16.max) else { throw ModelError.unsupported(where_, "too many categorical splits") }
                    categorical.append(CategoricalSplit(feature: Int32(feature), start: Int32(words.count), count: Int32(categories.count)))
                    words += categories
                    nodes[at] = FlatNode(threshold: 0, left: Int32(left), slot: UInt16(categorical.count - 1),
                                         flags: FlatNode<Value>.categorical | (defaultLeft ? FlatNode<Value>.defaultLeft : 0))
                }
            }
            outputs.append(Int32(tree.output))
            minDepths.append(minLeafDepth)
            fast.append(isFast)
        }

        // Segments in tree order: generic trees alone, runs of fast trees as lock-step groups of
        // eight or as one refill run.
        var segments: [TreeSegment] = [], laneRoots: [Int32] = []
        var tree = 0
        while tree < trees.count {
            guard fast[tree] else {
                segments.append(TreeSegment(kind: .generic, firstTree: Int32(tree), count: 1, lanes: 0, minDepth: 0))
                tree += 1
                continue
            }
            var end = tree
            while end < trees.count, fast[end], strategy == .refill || end - tree < Self.laneCount { end += 1 }
            let lanes = Int32(laneRoots.count)
            laneRoots += roots[tree..<end]
            switch strategy {
            case .lockStep:
                segments.append(TreeSegment(kind: .lockStep, firstTree: Int32(tree), count: Int32(end - tree), lanes: lanes,
                                            minDepth: Int32(minDepths[tree..<end].min() ?? 0)))
                laneRoots += [Int32](repeating: 0, count: Self.laneCount - (end - tree))
            case .refill:
                segments.append(TreeSegment(kind: .refill, firstTree: Int32(tree), count: Int32(end - tree), lanes: lanes, minDepth: 0))
                laneRoots.append(0)
            }
            tree = end
        }
        self.nodes = nodes
        self.roots = roots
        self.treeOutputs = outputs
        self.laneRoots = laneRoots
        self.segments = segments
        self.views = views
        self.categorical = categorical
        self.categoryWords = words
        self.linearConstant = linearConstant
        self.linearStart = linearStart
        self.linearFeatures = linearFeatures
        self.linearCoefficients = linearCoefficients
        self.depths = depths
    }
}
