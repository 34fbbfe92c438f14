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
// model fits in L2. Children are adjacent (`next = left + !goesLeft`). Fast trees are walked
// eight at a time, either in lock-step groups (leaves loop on themselves; for trees of even depth)
// or in eight lane chains (a leaf's slot holds a copy of the lane's next root, so no lane waits
// for another; for leaf-wise trees of uneven depth). Leaf values sit in a parallel array.
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

/// Up to eight fast trees walked in lock-step (`count` trees, roots at `laneRoots[lanes...]`,
/// padded to eight with node 0; tree ids at `laneTrees[lanes...]`).
struct LaneGroup: Sendable {
    var count: Int32
    var lanes: Int32
    /// Every tree of the group has all leaves at least this deep, so that many steps are taken
    /// without checking for the end.
    var minDepth: Int32
    /// The group's deepest leaf: when it equals `minDepth`, the walk needs no end check at all.
    var maxDepth: Int32
}

/// A flattened ensemble with the decision semantics of `Rule`.
final class TreeEnsemble<Rule: SplitRule>: @unchecked Sendable {
    typealias Value = Rule.Value
    /// Trees walked together by the fast path.
    static var laneCount: Int { 8 }

    let featureCount: Int
    let outputCount: Int
    let fastNodes: [FastNode]
    /// Leaf values of fast trees, parallel to `fastNodes`.
    let fastValues: [Value]
    let genericNodes: [FlatNode<Value>]
    /// Root of each tree in `fastNodes` (fast trees) or `genericNodes` (the others).
    let roots: [Int32]
    let isFast: [Bool]
    let treeOutputs: [Int32]
    /// Tree id of each fast leaf, parallel to `fastNodes`; internal nodes and node 0 hold the spare
    /// id `spareTree`, so the walk can store every step's node index without a branch. (A leaf's
    /// node is a copy of the next root of its lane: see the lane chains in `init`.) 16 bits keep
    /// the walk's working set (nodes and these ids) within L2.
    let leafTrees: [UInt16]
    /// The id stored for internal nodes: min(tree count, 0xFFFF); trees from 0xFFFF on are generic.
    let spareTree: Int
    /// Fast trees in tree order.
    let fastTrees: [Int32]
    /// How fast trees are walked. Lock-step groups (leaves loop on themselves, a group's lanes
    /// wait for its longest path) suit trees whose paths are all about as long (XGBoost's
    /// depth-wise trees); lane chains (a leaf's node is a copy of the lane's next root, no lane
    /// waits but every step stores the index of the node it leaves) suit leaf-wise trees whose
    /// paths vary (LightGBM). Chains are used when the fast trees' maximum depths add up to more
    /// than 1.5 times their expected internal path lengths.
    let chained: Bool
    /// Lock-step: fast trees in groups of eight of similar depth (sums are still taken in tree order).
    let groups: [LaneGroup]
    let laneRoots: [Int32]
    let laneTrees: [Int32]
    /// Chains: first root of each lane's chain of fast trees (0, the terminal node, for an empty lane).
    let laneStarts: [Int32]
    /// Chains: steps every row takes before the longest-working lane can be done, taken unchecked.
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
    var nodeCount: Int { fastNodes.count + genericNodes.count - 2 }

    /// Flattens `trees` (in summation order). Throws on malformed trees or limits exceeded.
    init(trees: [DecisionTree], featureCount: Int, outputCount: Int, base: [Value], context: String) throws {
        guard featureCount >= 0, featureCount < 60_000 else {
            throw ModelError.unsupported("\(context).num_feature", "\(featureCount) features (limit 60000)")
        }
        guard base.count == outputCount else { throw ModelError.invalidField("\(context).base", "one value per output") }
        self.featureCount = featureCount
        self.outputCount = outputCount
        self.base = base

        // Which trees are fast, and every fast threshold per feature.
        var depths: [Int] = [], isFast: [Bool] = [], expected: [Double] = []
        var thresholds = [Set<Value>](repeating: [], count: featureCount)
        for (index, tree) in trees.enumerated() {
            let path = "\(context).trees[\(index)]"
            depths.append(try tree.validate(featureCount: featureCount, context: path))
            expected.append(tree.expectedPathLength())
            guard tree.output >= 0, tree.output < outputCount else {
                throw ModelError.invalidField(path, "output \(tree.output) outside 0..<\(outputCount)")
            }
            // A single-leaf tree has no split to merge its leaf into, and trees from 0xFFFF on have no
            // 16-bit id (see leafTrees): both are walked as generic trees.
            let fast = index < 0xFFFF && tree.nodes[0].split != nil && tree.nodes.allSatisfy { node in
                guard node.linear == nil else { return false }
                guard let split = node.split else { return true }
                if case .numeric(_, let threshold, _, _) = split { return !threshold.isNaN }
                return false
            }
            isFast.append(fast)
            if fast {
                for node in tree.nodes {
                    if case .numeric(let feature, let threshold, _, _)? = node.split { thresholds[feature].insert(Value(threshold)) }
                }
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

        // Node 0 of each array: a leaf of value 0 looping on itself (the end of every lane chain).
        var fastNodes = [FastNode(left: 0, slot: 0, rank: 0)], fastValues: [Value] = [0]
        let spareTree = min(trees.count, 0xFFFF)
        var leafTrees = [UInt16(spareTree)], fastLeaves = [[Int]](repeating: [], count: trees.count)
        var genericNodes = [FlatNode<Value>(threshold: 0, left: 0, slot: 0, flags: FlatNode<Value>.leaf)]
        var roots: [Int32] = [], outputs: [Int32] = [], minDepths: [Int] = []
        var categorical: [CategoricalSplit] = [], words: [UInt32] = []
        var linearConstant: [Value] = [], linearStart: [Int32] = [0], linearFeatures: [Int32] = [], linearCoefficients: [Value] = []

        for (treeIndex, tree) in trees.enumerated() {
            let path = "\(context).trees[\(treeIndex)]"
            let fast = isFast[treeIndex]
            // Breadth-first placement, children allocated in adjacent pairs.
            var position = [Int](repeating: -1, count: tree.nodes.count)
            var level = [Int](repeating: 0, count: tree.nodes.count)
            var queue = [0], head = 0, minLeafDepth = Int.max
            func allocate(_ count: Int) throws -> Int {
                let start = fast ? fastNodes.count : genericNodes.count
                guard start + count < Int(Int32.max) else { throw ModelError.unsupported(context, "too many nodes") }
                if fast {
                    fastNodes += (start..<start + count).map { FastNode(left: Int32($0), slot: 0, rank: 0) }
                    fastValues += [Value](repeating: 0, count: count)
                    leafTrees += [UInt16](repeating: UInt16(spareTree), count: count)
                } else {
                    genericNodes += [FlatNode<Value>](repeating: genericNodes[0], count: count)
                }
                return start
            }
            position[0] = try allocate(1)
            roots.append(Int32(position[0]))
            while head < queue.count {
                let index = queue[head]; head += 1
                let node = tree.nodes[index], at = position[index]
                guard let split = node.split else {
                    minLeafDepth = min(minLeafDepth, level[index])
                    if fast {
                        fastValues[at] = Value(node.value)
                        leafTrees[at] = UInt16(treeIndex)
                        fastLeaves[treeIndex].append(at)
                        continue
                    }
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
                level[node.left] = level[index] + 1; level[node.right] = level[index] + 1
                queue += [node.left, node.right]
                switch split {
                case let .numeric(feature, threshold, defaultLeft, missing):
                    if fast {
                        let slot: UInt16
                        let missingCode: UInt16 = defaultLeft ? 0 : 0xFFFF
                        switch missing {
                        case .nan: slot = defaultLeft ? try codeSlot(feature, zeroIsMissing: false, replacement: 0)
                                                      : UInt16(1 + feature)
                        case .noneAsZero: slot = try codeSlot(feature, zeroIsMissing: false, replacement: zeroCode(feature))
                        case .zero: slot = try codeSlot(feature, zeroIsMissing: true, replacement: missingCode)
                        }
                        fastNodes[at] = FastNode(left: Int32(left), slot: slot, rank: rank(feature, threshold))
                    } else {
                        let rule: UInt16 = missing == .nan ? 0 : missing == .noneAsZero ? 1 : 2
                        let flags = (defaultLeft ? FlatNode<Value>.defaultLeft : 0) | rule << FlatNode<Value>.missingShift
                        genericNodes[at] = FlatNode(threshold: Value(threshold), left: Int32(left), slot: UInt16(feature), flags: flags)
                    }
                case let .categorical(feature, categories, defaultLeft):
                    guard categorical.count < Int(UInt16.max) else { throw ModelError.unsupported(path, "too many categorical splits") }
                    categorical.append(CategoricalSplit(feature: Int32(feature), start: Int32(words.count), count: Int32(categories.count)))
                    words += categories
                    genericNodes[at] = FlatNode(threshold: 0, left: Int32(left), slot: UInt16(categorical.count - 1),
                                                flags: FlatNode<Value>.categorical | (defaultLeft ? FlatNode<Value>.defaultLeft : 0))
                }
            }
            outputs.append(Int32(tree.output))
            minDepths.append(minLeafDepth)
        }

        // Fast trees by expected path length (leaf cover from the file).
        let fastTrees = (0..<trees.count).filter { isFast[$0] }.sorted { (expected[$0], $0) < (expected[$1], $1) }
        let depthSum = fastTrees.reduce(0.0) { $0 + Double(depths[$1]) }
        let internalSum = fastTrees.reduce(0.0) { $0 + max(expected[$1] - 1, 0) }
        let chained = depthSum > 1.5 * internalSum
        var groups: [LaneGroup] = [], laneRoots: [Int32] = [], laneTrees: [Int32] = []
        var laneStarts = [Int32](repeating: 0, count: Self.laneCount), uncheckedSteps = 0
        if chained {
            // Lane chains: each of the eight lanes walks its fast trees one after the other. A leaf's
            // slot holds a copy of the root of the lane's next tree (node 0 after the last tree): the
            // step that leaves it both records the leaf reached and takes the next tree's first split,
            // so a tree costs its path's internal nodes only. Trees are dealt longest expected path
            // first to the least loaded lane, so the lanes finish together. Summation order is
            // unaffected: each tree's value is stored by tree id and summed in tree order.
            var lanes = [[Int]](repeating: [], count: Self.laneCount)
            var load = [Double](repeating: 0, count: Self.laneCount), leastSteps = [Int](repeating: 1, count: Self.laneCount)
            for tree in fastTrees.reversed() {
                let lane = load.indices.min { (load[$0], $0) < (load[$1], $1) }!
                lanes[lane].append(tree)
                load[lane] += expected[tree]
                leastSteps[lane] += minDepths[tree]
            }
            for chain in lanes {
                for (position, tree) in chain.enumerated() {
                    let next = position + 1 < chain.count ? fastNodes[Int(roots[chain[position + 1]])] : fastNodes[0]
                    for leaf in fastLeaves[tree] { fastNodes[leaf] = next }
                }
            }
            laneStarts = lanes.map { $0.first.map { roots[$0] } ?? 0 }
            uncheckedSteps = leastSteps.max() ?? 0
        } else {
            // Lock-step groups of trees of similar expected path length, so that the eight lanes of
            // a group tend to finish at the same step. Leaves loop on themselves.
            for start in stride(from: 0, to: fastTrees.count, by: Self.laneCount) {
                let members = fastTrees[start..<min(start + Self.laneCount, fastTrees.count)]
                groups.append(LaneGroup(count: Int32(members.count), lanes: Int32(laneRoots.count),
                                        minDepth: Int32(members.map { minDepths[$0] }.min() ?? 0),
                                        maxDepth: Int32(members.map { depths[$0] }.max() ?? 0)))
                laneRoots += members.map { roots[$0] } + [Int32](repeating: 0, count: Self.laneCount - members.count)
                laneTrees += members.map { Int32($0) } + [Int32](repeating: Int32(trees.count), count: Self.laneCount - members.count)
            }
        }
        self.chained = chained
        self.groups = groups
        self.laneRoots = laneRoots
        self.laneTrees = laneTrees
        self.laneStarts = laneStarts
        self.uncheckedSteps = uncheckedSteps
        self.leafTrees = leafTrees
        self.spareTree = spareTree
        self.fastTrees = (0..<trees.count).filter { isFast[$0] }.map { Int32($0) }
        self.genericTrees = (0..<trees.count).filter { !isFast[$0] }.map { Int32($0) }
        self.fastNodes = fastNodes
        self.fastValues = fastValues
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
