// The hot path of tree prediction. A row becomes its codes (see TreeEnsemble.swift): one binary
// search per feature over its sorted thresholds, then the missing-value variants. Fast trees are
// walked in ten lane chains (see TreeEnsemble.swift) with a branch-free step (`next = left +
// (code > rank)`: a load, a compare and an add) so that ten dependent load chains overlap;
// generic trees are walked one at a time with the full per-node rules. Each fast tree's leaf is
// recorded at its block; the values are then added in tree order in the library's own precision
// (in a register when there is one output): the library's sum, bit for bit. Scratch memory is on the stack; nothing here
// allocates, locks or touches reference counts. This file holds the module's unsafe pointer code.

extension TreeEnsemble {
    /// Writes the raw margins (one per output) for the row `features` (featureCount values, NaN =
    /// missing). `margins` must hold outputCount values.
    func predictMargins(_ features: UnsafePointer<Double>, _ margins: UnsafeMutablePointer<Double>) {
        let treeCount = roots.count
        withUnsafeTemporaryAllocation(of: Value.self, capacity: featureCount + outputCount + treeCount) { scratch in
            withUnsafeTemporaryAllocation(of: UInt16.self, capacity: codeCount) { codeBuffer in
                withUnsafeTemporaryAllocation(of: Int32.self, capacity: fastTrees.count + 1) { reachedBuffer in
                    let values = scratch.baseAddress!, codes = codeBuffer.baseAddress!, reached = reachedBuffer.baseAddress!
                    let sums = values + featureCount, results = sums + outputCount
                    encode(features, values, codes)
                    fastNodes.withUnsafeBufferPointer { nodes in walkLanes(nodes.baseAddress!, codes, reached) }
                    for tree in genericTrees { results[Int(tree)] = walkGeneric(Int(tree), values) }
                    // The library's summation: from the base, tree by tree in file order. The k-th
                    // fast tree's leaf is at reached[k + 1]. One output sums in a register.
                    fastValues.withUnsafeBufferPointer { leaves in
                        isFast.withUnsafeBufferPointer { fast in
                            var block = 0
                            @inline(__always) func value(_ tree: Int) -> Value {
                                guard fast[tree] else { return results[tree] }
                                block += 1
                                return leaves[Int(reached[block])]
                            }
                            if outputCount == 1 {
                                var sum = base[0]
                                for tree in 0..<treeCount { sum += value(tree) }
                                margins[0] = Double(sum)
                                return
                            }
                            for output in 0..<outputCount { sums[output] = base[output] }
                            treeOutputs.withUnsafeBufferPointer { outputs in
                                for tree in 0..<treeCount { sums[Int(outputs[tree])] += value(tree) }
                            }
                            for output in 0..<outputCount { margins[output] = Double(sums[output]) }
                        }
                    }
                }
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
                            let node = fastNodes[index]
                            if Int(node.left) >> blockShift != index >> blockShift { break }
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

    /// The ten lane chains of fast trees, advanced together one split per step without
    /// branching. Every step also stores the index of the node it leaves at that node's block (its
    /// tree): a tree's last store is the step that leaves its leaf (whose node is a copy of the
    /// lane's next root, so that step also takes the next tree's first split). The end of a chain is
    /// node 0, which loops on itself; the loop ends when every lane sits there.
    @inline(__always)
    private func walkLanes(_ nodes: UnsafePointer<FastNode>, _ codes: UnsafePointer<UInt16>, _ reached: UnsafeMutablePointer<Int32>) {
        let shift = blockShift
        var i0 = Int(laneStarts[0]), i1 = Int(laneStarts[1]), i2 = Int(laneStarts[2]), i3 = Int(laneStarts[3])
        var i4 = Int(laneStarts[4]), i5 = Int(laneStarts[5]), i6 = Int(laneStarts[6]), i7 = Int(laneStarts[7])
        var i8 = Int(laneStarts[8]), i9 = Int(laneStarts[9])
        @inline(__always) func step(_ index: Int) -> Int {
            let node = nodes[index]
            reached[index &>> shift] = Int32(truncatingIfNeeded: index)
            return Int(node.left) &+ (codes[Int(node.slot)] > node.rank ? 1 : 0)
        }
        for _ in 0..<uncheckedSteps {
            i0 = step(i0); i1 = step(i1); i2 = step(i2); i3 = step(i3)
            i4 = step(i4); i5 = step(i5); i6 = step(i6); i7 = step(i7); i8 = step(i8); i9 = step(i9)
        }
        while i0 | i1 | i2 | i3 | i4 | i5 | i6 | i7 | i8 | i9 != 0 {
            i0 = step(i0); i1 = step(i1); i2 = step(i2); i3 = step(i3)
            i4 = step(i4); i5 = step(i5); i6 = step(i6); i7 = step(i7); i8 = step(i8); i9 = step(i9)
        }
    }
}
