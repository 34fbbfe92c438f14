// The compiled form of a tree ensemble. Built once at load; immutable afterwards, so one instance
// is shared by all threads.
//
// Fast trees (numeric splits only, the common case) are quantized: each feature's distinct split
// thresholds are sorted, a node keeps the rank of its threshold, and a row is turned into one
// 16-bit code per (feature, missing rule) pair: the number of thresholds that send the value
// right (+1), 0 for "missing, default left" and 0xFFFF for "missing, default right". A node then
// goes left iff `code <= rank`. That is exact (goesLeft is monotone in the threshold, so the
// comparison against the value and against the rank agree), folds every missing-value rule into
// the per-row codes, and shrinks a node to 8 bytes (left child, code slot, rank), so a 300-tree
// model fits in L2. Children are adjacent (`next = left + !goesLeft`).
//
// Each fast tree owns an aligned block of 2^blockShift nodes (block k + 1 for the k-th fast tree),
// so the tree of node i is `i >> blockShift`, without a lookup. Inside its block a tree is laid
// out depth first, the child with more cover (training rows) first: the likely path of a row runs
// through consecutive node pairs, a few cache lines instead of one per level (blocks are rotated
// by one more cache line each, so the roots do not all share the same cache sets). Fast trees are
// walked in ten lane chains: a leaf's node holds a copy of the root of the lane's next tree, so
// the step that leaves a leaf also takes the next tree's first split and no lane waits for
// another. Leaf values sit in a parallel array.
//
// Trees with categorical splits, linear leaves or NaN thresholds keep full nodes (FlatNode) with
// the library's per-node rules and are walked one at a time ("generic" trees).

/// A node of a quantized (fast) tree.
struct FastNode: Sendable {
    /// Index of the left child (the right child is `left + 1`). Node 0, the end of every lane
    /// chain, points to itself.
    var left: Int32
    /// The code slot compared; 0 (code 0, always left) on node 0.
    var slot: UInt16
    /// 1 + the rank of the threshold among the feature's thresholds; 0 on node 0.
    var rank: UInt16
}

/// A node of a generic tree, decided with the full per-node rules.
struct FlatNode<Value: BinaryFloatingPoint & Sendable>: Sendable {
    /// Numeric split threshold; the output value on leaves.
    var threshold: Value
    /// Index of the left child; the right child is `left + 1`. A leaf's own index.
    var left: Int32
    /// Numeric: the feature. Categorical: the split's index in `categorical`. Linear leaf: its index.
    var slot: UInt16
    var flags: UInt16

    static var leaf: UInt16 { 1 }
    static var categorical: UInt16 { 2 }
    static var defaultLeft: UInt16 { 4 }
    static var linear: UInt16 { 8 }
    /// Bits 4-5: MissingRule (0 nan, 1 noneAsZero, 2 zero).
    static var missingShift: UInt16 { 4 }
}

/// A derived code slot: `codes[slot] = isMissing(x) ? replacement : codes[1 + feature]`.
struct CodeSlot: Sendable {
    var feature: Int32
    /// LightGBM MissingType::Zero: 0.0 is missing too.
    var zeroIsMissing: Bool
    /// 0 (missing goes left), 0xFFFF (missing goes right) or the code of 0.0 (LightGBM None).
    var replacement: UInt16
}

/// A categorical split's feature and its bitset words in `categoryWords`.
struct CategoricalSplit: Sendable {
    var feature: Int32
    var start: Int32
    var count: Int32
}

/// A flattened ensemble with the decision semantics of `Rule`.
final class TreeEnsemble<Rule: SplitRule>: @unchecked Sendable {
    typealias Value = Rule.Value
    /// Trees walked together by the fast path.
    static var laneCount: Int { 10 }

    let featureCount: Int
    let outputCount: Int
    /// Fast tree nodes: node 0 is the end of every lane chain (a self-loop that always goes left),
    /// then one block of 2^blockShift nodes per fast tree (unused slots are copies of node 0).
    let fastNodes: AlignedArray<FastNode>
    /// Leaf values of fast trees, parallel to `fastNodes`.
    let fastValues: AlignedArray<Value>
    let genericNodes: [FlatNode<Value>]
    /// Root of each tree in `fastNodes` (fast trees) or `genericNodes` (the others).
    let roots: [Int32]
    let isFast: [Bool]
    let treeOutputs: [Int32]
    /// log2 of the nodes per fast tree block: node i is in block `i >> blockShift`, the block of
    /// the fast tree `fastTrees[block - 1]`. An internal node's children are in its own block; a
    /// leaf's node (a copy of another tree's root or of node 0) points to another block.
    let blockShift: Int
    /// Fast trees in tree order.
    let fastTrees: [Int32]
    /// Reachable nodes of the fast trees (without block padding), for inspection.
    let fastNodeCount: Int
    /// First root of each lane's chain of fast trees (0, the end node, for an empty lane).
    let laneStarts: [Int32]
    /// Steps every row takes before the longest-working lane can be done, taken unchecked.
    let uncheckedSteps: Int
    /// Generic trees, in tree order.
    let genericTrees: [Int32]
    /// Sorted distinct thresholds of feature f: `cuts[cutStart[f] ..< cutStart[f + 1]]`.
    let cuts: [Value]
    let cutStart: [Int32]
    let codeSlots: [CodeSlot]
    let categorical: [CategoricalSplit]
    let categoryWords: [UInt32]
    let linearConstant: [Value]
    let linearStart: [Int32]
    let linearFeatures: [Int32]
    let linearCoefficients: [Value]
    /// Initial value of each output (XGBoost base margin; 0 for LightGBM).
    let base: [Value]
    /// Longest root-to-leaf path of each tree, for inspection.
    let depths: [Int]
    /// Code slots per row: slot 0 (always left), one per feature, then `codeSlots`.
    var codeCount: Int { 1 + featureCount + codeSlots.count }
    var nodeCount: Int { fastNodeCount + genericNodes.count - 1 }

    /// Flattens `trees` (in summation order). Throws on malformed trees or limits exceeded.
    init(trees: [DecisionTree], featureCount: Int, outputCount: Int, base: [Value], context: String) throws {
        guard featureCount >= 0, featureCount < 60_000 else {
            throw ModelError.unsupported("\(context).num_feature", "\(featureCount) features (limit 60000)")
        }
        guard base.count == outputCount else { throw ModelError.invalidField("\(context).base", "one value per output") }
        self.featureCount = featureCount
        self.outputCount = outputCount
        self.base = base

        // Which trees can be quantized (numeric splits only), their sizes and subtree covers.
        var depths: [Int] = [], quantizable: [Bool] = [], expected: [Double] = []
        var sizes: [Int] = [], covers: [[Double]] = []
        for (index, tree) in trees.enumerated() {
            let path = "\(context).trees[\(index)]"
            depths.append(try tree.validate(featureCount: featureCount, context: path))
            expected.append(tree.expectedPathLength())
            guard tree.output >= 0, tree.output < outputCount else {
                throw ModelError.invalidField(path, "output \(tree.output) outside 0..<\(outputCount)")
            }
            // A single-leaf tree has no split to merge its leaf into: it is walked as a generic tree.
            quantizable.append(tree.nodes[0].split != nil && tree.nodes.allSatisfy { node in
                guard node.linear == nil else { return false }
                guard let split = node.split else { return true }
                if case .numeric(_, let threshold, _, _) = split { return !threshold.isNaN }
                return false
            })
            let (cover, reachable) = tree.subtreeCovers()
            covers.append(cover)
            sizes.append(reachable)
        }
        // Blocks: the smallest power of two that holds the largest quantizable tree, halved while
        // the blocks would be less than a quarter full (trees that no longer fit become generic).
        var blockShift = 2
        let largest = zip(quantizable, sizes).filter(\.0).map(\.1).max() ?? 0
        while 1 << blockShift < largest { blockShift += 1 }
        while blockShift > 2 {
            let fitting = zip(quantizable, sizes).filter { $0.0 && $0.1 <= 1 << blockShift }
            let padded = (fitting.count + 1) << blockShift, used = fitting.reduce(1) { $0 + $1.1 }
            if padded <= 4 * used && padded < Int(Int32.max) { break }
            blockShift -= 1
        }
        let isFast = zip(quantizable, sizes).map { $0.0 && $0.1 <= 1 << blockShift }
        let fastTrees = (0..<trees.count).filter { isFast[$0] }
        guard (fastTrees.count + 1) << blockShift < Int(Int32.max) else { throw ModelError.unsupported(context, "too many nodes") }

        // Every fast threshold per feature.
        var thresholds = [Set<Value>](repeating: [], count: featureCount)
        for tree in fastTrees {
            for node in trees[tree].nodes {
                if case .numeric(let feature, let threshold, _, _)? = node.split { thresholds[feature].insert(Value(threshold)) }
            }
        }
        var cuts: [Value] = [], cutStart: [Int32] = [0]
        for feature in 0..<featureCount {
            guard thresholds[feature].count < 0xFFFE else {
                throw ModelError.unsupported(context, "feature \(feature) has more than 65533 distinct thresholds")
            }
            cuts += thresholds[feature].sorted()
            cutStart.append(Int32(cuts.count))
        }

        var codeSlots: [CodeSlot] = [], codeIndex: [String: Int] = [:]
        func codeSlot(_ feature: Int, zeroIsMissing: Bool, replacement: UInt16) throws -> UInt16 {
            let key = "\(feature)/\(zeroIsMissing)/\(replacement)"
            if let index = codeIndex[key] { return UInt16(1 + featureCount + index) }
            guard 1 + featureCount + codeSlots.count < Int(UInt16.max) else {
                throw ModelError.unsupported(context, "too many (feature, missing rule) pairs")
            }
            codeSlots.append(CodeSlot(feature: Int32(feature), zeroIsMissing: zeroIsMissing, replacement: replacement))
            codeIndex[key] = codeSlots.count - 1
            return UInt16(featureCount + codeSlots.count)
        }
        func rank(_ feature: Int, _ threshold: Double) -> UInt16 {
            let start = Int(cutStart[feature]), end = Int(cutStart[feature + 1])
            let index = cuts[start..<end].firstIndex(of: Value(threshold))!
            return UInt16(index - start + 1)
        }
        /// The code of 0.0 for `feature` (LightGBM None turns NaN into 0.0).
        func zeroCode(_ feature: Int) -> UInt16 {
            let start = Int(cutStart[feature]), end = Int(cutStart[feature + 1])
            return cuts.withUnsafeBufferPointer { UInt16(1 + Rule.rank(0, $0.baseAddress! + start, end - start)) }
        }
        /// The code slot a fast node compares, with its missing-value rule folded in.
        func fastSlot(_ feature: Int, _ defaultLeft: Bool, _ missing: MissingRule) throws -> UInt16 {
            switch missing {
            case .nan: return defaultLeft ? try codeSlot(feature, zeroIsMissing: false, replacement: 0) : UInt16(1 + feature)
            case .noneAsZero: return try codeSlot(feature, zeroIsMissing: false, replacement: zeroCode(feature))
            case .zero: return try codeSlot(feature, zeroIsMissing: true, replacement: defaultLeft ? 0 : 0xFFFF)
            }
        }

        // Node 0 of each array: a leaf of value 0 looping on itself (the end of every lane chain).
        let terminal = FastNode(left: 0, slot: 0, rank: 0)
        var fastNodes = [FastNode](repeating: terminal, count: (fastTrees.count + 1) << blockShift)
        var fastValues = [Value](repeating: 0, count: fastNodes.count)
        var fastLeaves = [[Int]](repeating: [], count: trees.count), minDepths = [Int](repeating: 0, count: trees.count)
        var genericNodes = [FlatNode<Value>(threshold: 0, left: 0, slot: 0, flags: FlatNode<Value>.leaf)]
        var roots: [Int32] = [], outputs: [Int32] = [], fastPosition = 0
        var categorical: [CategoricalSplit] = [], words: [UInt32] = []
        var linearConstant: [Value] = [], linearStart: [Int32] = [0], linearFeatures: [Int32] = [], linearCoefficients: [Value] = []

        for (treeIndex, tree) in trees.enumerated() {
            let path = "\(context).trees[\(treeIndex)]"
            outputs.append(Int32(tree.output))
            if isFast[treeIndex] {
                // Depth first in the tree's block, children in adjacent pairs, the child with more
                // cover right after the pair (popped first), so that likely paths are contiguous.
                // Local slot 0 holds the root, pairs start at even slots (a pair never straddles a
                // cache line), and each block is rotated by 8 more slots than the previous one so
                // that the roots' cache lines spread over all cache sets.
                let base = (fastPosition + 1) << blockShift, mask = (1 << blockShift) - 1
                let rotation = (fastPosition &* 8) & mask
                fastPosition += 1
                func slot(_ local: Int) -> Int { base + ((local + rotation) & mask) }
                roots.append(Int32(slot(0)))
                var next = 2, stack = [(node: 0, at: slot(0), level: 0)], minLeafDepth = Int.max
                while let (index, at, level) = stack.popLast() {
                    let node = tree.nodes[index]
                    // Fast trees have numeric splits only.
                    guard case let .numeric(feature, threshold, defaultLeft, missing)? = node.split else {
                        fastValues[at] = Value(node.value)
                        fastLeaves[treeIndex].append(at)
                        minLeafDepth = min(minLeafDepth, level)
                        continue
                    }
                    let left = slot(next)
                    next += 2
                    fastNodes[at] = FastNode(left: Int32(left), slot: try fastSlot(feature, defaultLeft, missing), rank: rank(feature, threshold))
                    let leftFirst = covers[treeIndex][node.left] >= covers[treeIndex][node.right]
                    stack.append(leftFirst ? (node.right, left + 1, level + 1) : (node.left, left, level + 1))
                    stack.append(leftFirst ? (node.left, left, level + 1) : (node.right, left + 1, level + 1))
                }
                minDepths[treeIndex] = minLeafDepth
                continue
            }
            // Generic trees: breadth-first placement, children allocated in adjacent pairs.
            func allocate(_ count: Int) throws -> Int {
                let start = genericNodes.count
                guard start + count < Int(Int32.max) else { throw ModelError.unsupported(context, "too many nodes") }
                genericNodes += [FlatNode<Value>](repeating: genericNodes[0], count: count)
                return start
            }
            var position = [Int](repeating: -1, count: tree.nodes.count)
            var queue = [0], head = 0
            position[0] = try allocate(1)
            roots.append(Int32(position[0]))
            while head < queue.count {
                let index = queue[head]; head += 1
                let node = tree.nodes[index], at = position[index]
                guard let split = node.split else {
                    var flags = FlatNode<Value>.leaf, slot: UInt16 = 0
                    if let linear = node.linear {
                        guard linearConstant.count < Int(UInt16.max) else { throw ModelError.unsupported(path, "too many linear leaves") }
                        flags |= FlatNode<Value>.linear
                        slot = UInt16(linearConstant.count)
                        linearConstant.append(Value(linear.constant))
                        linearFeatures += linear.features.map { Int32($0) }
                        linearCoefficients += linear.coefficients.map { Value($0) }
                        linearStart.append(Int32(linearFeatures.count))
                    }
                    genericNodes[at] = FlatNode(threshold: Value(node.value), left: Int32(at), slot: slot, flags: flags)
                    continue
                }
                let left = try allocate(2)
                position[node.left] = left; position[node.right] = left + 1
                queue += [node.left, node.right]
                switch split {
                case let .numeric(feature, threshold, defaultLeft, missing):
                    let rule: UInt16 = missing == .nan ? 0 : missing == .noneAsZero ? 1 : 2
                    let flags = (defaultLeft ? FlatNode<Value>.defaultLeft : 0) | rule << FlatNode<Value>.missingShift
                    genericNodes[at] = FlatNode(threshold: Value(threshold), left: Int32(left), slot: UInt16(feature), flags: flags)
                case let .categorical(feature, categories, defaultLeft):
                    guard categorical.count < Int(UInt16.max) else { throw ModelError.unsupported(path, "too many categorical splits") }
                    categorical.append(CategoricalSplit(feature: Int32(feature), start: Int32(words.count), count: Int32(categories.count)))
                    words += categories
                    genericNodes[at] = FlatNode(threshold: 0, left: Int32(left), slot: UInt16(categorical.count - 1),
                                                flags: FlatNode<Value>.categorical | (defaultLeft ? FlatNode<Value>.defaultLeft : 0))
                }
            }
        }

        // Lane chains: each of the ten lanes walks its fast trees one after the other. A leaf's
        // node holds a copy of the root of the lane's next tree (node 0 after the last tree): the
        // step that leaves it both records the leaf reached and takes the next tree's first split,
        // so a tree costs its path's internal nodes only. Trees are dealt longest expected path
        // first to the least loaded lane, so the lanes finish together. Summation order is
        // unaffected: each tree's leaf is recorded at its block and the values are summed in tree order.
        var lanes = [[Int]](repeating: [], count: Self.laneCount)
        var load = [Double](repeating: 0, count: Self.laneCount), leastSteps = [Int](repeating: 1, count: Self.laneCount)
        for tree in fastTrees.sorted(by: { (expected[$0], $0) > (expected[$1], $1) }) {
            let lane = load.indices.min { (load[$0], $0) < (load[$1], $1) }!
            lanes[lane].append(tree)
            load[lane] += expected[tree]
            leastSteps[lane] += minDepths[tree]
        }
        for chain in lanes {
            for (position, tree) in chain.enumerated() {
                let next = position + 1 < chain.count ? fastNodes[Int(roots[chain[position + 1]])] : terminal
                for leaf in fastLeaves[tree] { fastNodes[leaf] = next }
            }
        }
        self.laneStarts = lanes.map { $0.first.map { roots[$0] } ?? 0 }
        self.uncheckedSteps = leastSteps.max() ?? 0
        self.blockShift = blockShift
        self.fastTrees = fastTrees.map { Int32($0) }
        self.fastNodeCount = fastTrees.reduce(0) { $0 + sizes[$1] }
        self.genericTrees = (0..<trees.count).filter { !isFast[$0] }.map { Int32($0) }
        self.fastNodes = AlignedArray(fastNodes)
        self.fastValues = AlignedArray(fastValues)
        self.genericNodes = genericNodes
        self.roots = roots
        self.isFast = isFast
        self.treeOutputs = outputs
        self.cuts = cuts
        self.cutStart = cutStart
        self.codeSlots = codeSlots
        self.categorical = categorical
        self.categoryWords = words
        self.linearConstant = linearConstant
        self.linearStart = linearStart
        self.linearFeatures = linearFeatures
        self.linearCoefficients = linearCoefficients
        self.depths = depths
    }
}
