// The hot path of tree prediction. A row becomes its codes (see TreeEnsemble.swift): one binary
// search per feature over its sorted thresholds, then the missing-value variants. Fast trees are
// walked eight at a time (lock-step groups or lane chains, see TreeEnsemble.swift) with a
// branch-free step (`next = left + (code > rank)`: a load, a compare and an add) so that eight
// dependent load chains overlap; generic trees are walked one at a time with the full per-node rules. Each tree's
// value is stored by tree id, then added in tree order into accumulators of the library's own
// precision: the library's sum, bit for bit. Scratch memory is on the stack; nothing here
// allocates, locks or touches reference counts. This file holds the module's unsafe pointer code.

extension TreeEnsemble {
    /// Writes the raw margins (one per output) for the row `features` (featureCount values, NaN =
    /// missing). `margins` must hold outputCount values.
    func predictMargins(_ features: UnsafePointer<Double>, _ margins: UnsafeMutablePointer<Double>) {
        let treeCount = roots.count
        withUnsafeTemporaryAllocation(of: Value.self, capacity: featureCount + outputCount + treeCount + 1) { scratch in
            withUnsafeTemporaryAllocation(of: UInt16.self, capacity: codeCount) { codeBuffer in
                let values = scratch.baseAddress!, codes = codeBuffer.baseAddress!
                let sums = values + featureCount, results = sums + outputCount
                encode(features, values, codes)
                if !chained {
                    fastNodes.withUnsafeBufferPointer { nodes in
                        fastValues.withUnsafeBufferPointer { leaves in
                            laneRoots.withUnsafeBufferPointer { lanes in
                                laneTrees.withUnsafeBufferPointer { ids in
                                    for group in groups {
                                        walkLockStep(group, nodes.baseAddress!, leaves.baseAddress!, lanes.baseAddress! + Int(group.lanes),
                                                     ids.baseAddress! + Int(group.lanes), codes, results)
                                    }
                                }
                            }
                        }
                    }
                } else {
                    withUnsafeTemporaryAllocation(of: Int32.self, capacity: spareTree + 1) { reachedBuffer in
                        let reached = reachedBuffer.baseAddress!
                        fastNodes.withUnsafeBufferPointer { nodes in
                            leafTrees.withUnsafeBufferPointer { trees in
                                walkLanes(nodes.baseAddress!, trees.baseAddress!, codes, reached)
                            }
                        }
                        fastValues.withUnsafeBufferPointer { leaves in
                            for tree in fastTrees { results[Int(tree)] = leaves[Int(reached[Int(tree)])] }
                        }
                    }
                }
                for tree in genericTrees { results[Int(tree)] = walkGeneric(Int(tree), values) }
                // The library's summation: from the base, tree by tree in file order.
                for output in 0..<outputCount { sums[output] = base[output] }
                treeOutputs.withUnsafeBufferPointer { outputs in
                    for tree in 0..<treeCount { sums[Int(outputs[tree])] += results[tree] }
                }
                for output in 0..<outputCount { margins[output] = Double(sums[output]) }
            }
        }
    }

    /// The number of nodes (internal and leaf) visited by the row over all trees: the work
    /// measure behind "ns per visited node" in `verdict model bench`.
    func visitedNodes(_ features: UnsafePointer<Double>) -> Int {
        withUnsafeTemporaryAllocation(of: Value.self, capacity: featureCount) { scratch in
            withUnsafeTemporaryAllocation(of: UInt16.self, capacity: codeCount) { codeBuffer in
                let values = scratch.baseAddress!, codes = codeBuffer.baseAddress!
                encode(features, values, codes)
                var visited = 0
                for (tree, root) in roots.enumerated() {
                    var index = Int(root)
                    while true {
                        visited += 1
                        if isFast[tree] {
                            if Int(leafTrees[index]) != spareTree { break }
                            let node = fastNodes[index]
                            index = Int(node.left) + (codes[Int(node.slot)] > node.rank ? 1 : 0)
                        } else {
                            let node = genericNodes[index]
                            if node.flags & FlatNode<Value>.leaf != 0 { break }
                            index = Int(node.left) + (decide(node, values) ? 0 : 1)
                        }
                    }
                }
                return visited
            }
        }
    }

    /// Inputs as the library sees them (`values`) and their codes: slot 0 = 0 (always left),
    /// 1 + f = 1 + rank of x_f among f's thresholds (0xFFFF if NaN), then the missing variants.
    @inline(__always)
    private func encode(_ features: UnsafePointer<Double>, _ values: UnsafeMutablePointer<Value>,
                        _ codes: UnsafeMutablePointer<UInt16>) {
        codes[0] = 0
        cuts.withUnsafeBufferPointer { cuts in
            cutStart.withUnsafeBufferPointer { starts in
                for feature in 0..<featureCount {
                    let x = Rule.input(features[feature])
                    values[feature] = x
                    let start = Int(starts[feature])
                    let rank = Rule.rank(x, cuts.baseAddress! + start, Int(starts[feature + 1]) - start)
                    codes[1 + feature] = x.isNaN ? 0xFFFF : UInt16(truncatingIfNeeded: rank + 1)
                }
            }
        }
        let derived = codes + 1 + featureCount
        codeSlots.withUnsafeBufferPointer { slots in
            for (index, slot) in slots.enumerated() {
                let feature = Int(slot.feature)
                let x = values[feature]
                let missing = x.isNaN || (slot.zeroIsMissing && x == 0)
                derived[index] = missing ? slot.replacement : codes[1 + feature]
            }
        }
    }

    /// The full decision of a generic internal node.
    @inline(__always)
    private func decide(_ node: FlatNode<Value>, _ values: UnsafePointer<Value>) -> Bool {
        let defaultLeft = node.flags & FlatNode<Value>.defaultLeft != 0
        if node.flags & FlatNode<Value>.categorical != 0 {
            let split = categorical[Int(node.slot)]
            return categoryWords.withUnsafeBufferPointer { words in
                let own = UnsafeBufferPointer(rebasing: words[Int(split.start)..<Int(split.start + split.count)])
                return Rule.categoricalGoesLeft(values[Int(split.feature)], own, defaultLeft: defaultLeft)
            }
        }
        let missing: MissingRule
        switch (node.flags >> FlatNode<Value>.missingShift) & 3 {
        case 1: missing = .noneAsZero
        case 2: missing = .zero
        default: missing = .nan
        }
        return Rule.numericGoesLeft(values[Int(node.slot)], node.threshold, defaultLeft: defaultLeft, missing: missing)
    }

    /// One generic tree: branchy walk with the full rules, then the leaf's value (or its linear model).
    private func walkGeneric(_ tree: Int, _ values: UnsafePointer<Value>) -> Value {
        genericNodes.withUnsafeBufferPointer { nodes in
            var index = Int(roots[tree])
            while true {
                let node = nodes[index]
                if node.flags & FlatNode<Value>.leaf != 0 {
                    guard node.flags & FlatNode<Value>.linear != 0 else { return node.threshold }
                    return linearLeaf(Int(node.slot), fallback: node.threshold, values)
                }
                index = Int(node.left) + (decide(node, values) ? 0 : 1)
            }
        }
    }

    /// LightGBM Tree::Predict for linear trees: constant + Σ coefficient·x in order, or the plain
    /// leaf value when a used feature is NaN.
    private func linearLeaf(_ leaf: Int, fallback: Value, _ values: UnsafePointer<Value>) -> Value {
        var output = linearConstant[leaf]
        for term in Int(linearStart[leaf])..<Int(linearStart[leaf + 1]) {
            let value = values[Int(linearFeatures[term])]
            if value.isNaN { return fallback }
            output += linearCoefficients[term] * value
        }
        return output
    }

    /// The eight lane chains of fast trees, advanced together one split per step without
    /// branching. Every step also stores the index of the node it leaves at that node's tree id
    /// (the spare slot for internal nodes): a leaf's node is a copy of the lane's next root, so
    /// leaving it records the leaf reached and takes the next tree's first split. The end of a
    /// chain is node 0, which loops on itself; the loop ends when every lane sits there.
    @inline(__always)
    private func walkLanes(_ nodes: UnsafePointer<FastNode>, _ trees: UnsafePointer<UInt16>,
                           _ codes: UnsafePointer<UInt16>, _ reached: UnsafeMutablePointer<Int32>) {
        var i0 = Int(laneStarts[0]), i1 = Int(laneStarts[1]), i2 = Int(laneStarts[2]), i3 = Int(laneStarts[3])
        var i4 = Int(laneStarts[4]), i5 = Int(laneStarts[5]), i6 = Int(laneStarts[6]), i7 = Int(laneStarts[7])
        @inline(__always) func step(_ index: Int) -> Int {
            let node = nodes[index]
            reached[Int(trees[index])] = Int32(truncatingIfNeeded: index)
            return Int(node.left) &+ (codes[Int(node.slot)] > node.rank ? 1 : 0)
        }
        for _ in 0..<uncheckedSteps {
            i0 = step(i0); i1 = step(i1); i2 = step(i2); i3 = step(i3)
            i4 = step(i4); i5 = step(i5); i6 = step(i6); i7 = step(i7)
        }
        while i0 | i1 | i2 | i3 | i4 | i5 | i6 | i7 != 0 {
            i0 = step(i0); i1 = step(i1); i2 = step(i2); i3 = step(i3)
            i4 = step(i4); i5 = step(i5); i6 = step(i6); i7 = step(i7)
        }
    }

    /// Up to eight fast trees in lock-step: every step advances each lane by one level without
    /// branching; leaves loop on themselves, so lanes that finish early wait. Each tree's leaf value
    /// is stored at `results[tree id]` (padding lanes write to the spare slot after the last tree).
    @inline(__always)
    private func walkLockStep(_ group: LaneGroup, _ nodes: UnsafePointer<FastNode>, _ leaves: UnsafePointer<Value>,
                              _ roots: UnsafePointer<Int32>, _ ids: UnsafePointer<Int32>, _ codes: UnsafePointer<UInt16>,
                              _ results: UnsafeMutablePointer<Value>) {
        var i0 = Int(roots[0]), i1 = Int(roots[1]), i2 = Int(roots[2]), i3 = Int(roots[3])
        var i4 = Int(roots[4]), i5 = Int(roots[5]), i6 = Int(roots[6]), i7 = Int(roots[7])
        @inline(__always) func step(_ index: Int) -> Int {
            let node = nodes[index]
            return Int(node.left) &+ (codes[Int(node.slot)] > node.rank ? 1 : 0)
        }
        for _ in 0..<Int(group.minDepth) {
            i0 = step(i0); i1 = step(i1); i2 = step(i2); i3 = step(i3)
            i4 = step(i4); i5 = step(i5); i6 = step(i6); i7 = step(i7)
        }
        // The ranks loaded for a step tell whether all eight lanes already sat on leaves.
        while group.maxDepth > group.minDepth {
            let n0 = nodes[i0], n1 = nodes[i1], n2 = nodes[i2], n3 = nodes[i3]
            let n4 = nodes[i4], n5 = nodes[i5], n6 = nodes[i6], n7 = nodes[i7]
            if n0.rank | n1.rank | n2.rank | n3.rank | n4.rank | n5.rank | n6.rank | n7.rank == 0 { break }
            i0 = Int(n0.left) &+ (codes[Int(n0.slot)] > n0.rank ? 1 : 0)
            i1 = Int(n1.left) &+ (codes[Int(n1.slot)] > n1.rank ? 1 : 0)
            i2 = Int(n2.left) &+ (codes[Int(n2.slot)] > n2.rank ? 1 : 0)
            i3 = Int(n3.left) &+ (codes[Int(n3.slot)] > n3.rank ? 1 : 0)
            i4 = Int(n4.left) &+ (codes[Int(n4.slot)] > n4.rank ? 1 : 0)
            i5 = Int(n5.left) &+ (codes[Int(n5.slot)] > n5.rank ? 1 : 0)
            i6 = Int(n6.left) &+ (codes[Int(n6.slot)] > n6.rank ? 1 : 0)
            i7 = Int(n7.left) &+ (codes[Int(n7.slot)] > n7.rank ? 1 : 0)
        }
        results[Int(ids[0])] = leaves[i0]; results[Int(ids[1])] = leaves[i1]
        results[Int(ids[2])] = leaves[i2]; results[Int(ids[3])] = leaves[i3]
        results[Int(ids[4])] = leaves[i4]; results[Int(ids[5])] = leaves[i5]
        results[Int(ids[6])] = leaves[i6]; results[Int(ids[7])] = leaves[i7]
    }
}
