// The hot path of tree prediction: expand a row into its views, then walk the trees. Runs of
// fast trees are walked eight at a time in lock-step (their node loads overlap; the child choice
// is `left + !goesLeft`, compiled to a compare and an add), generic trees one at a time with the
// full per-node rules. Leaf values are added in tree order into accumulators of the library's
// own precision, so the sum is the library's sum bit for bit. All scratch memory is on the stack;
// nothing here allocates, takes a lock or touches reference counts. This file and
// LinearPredictor.swift hold the module's unsafe pointer code.

extension TreeEnsemble {
    /// Writes the raw margins (one per output) for the row `features` (featureCount values, NaN =
    /// missing). `margins` must hold outputCount values.
    func predictMargins(_ features: UnsafePointer<Double>, _ margins: UnsafeMutablePointer<Double>) {
        withUnsafeTemporaryAllocation(of: Value.self, capacity: slotCount + outputCount) { scratch in
            let views = scratch.baseAddress!
            fillViews(features, views)
            let sums = views + slotCount
            for output in 0..<outputCount { sums[output] = base[output] }
            nodes.withUnsafeBufferPointer { nodes in
                leafValues.withUnsafeBufferPointer { leaves in
                    treeOutputs.withUnsafeBufferPointer { outputs in
                        laneRoots.withUnsafeBufferPointer { lanes in
                            for segment in segments {
                                if segment.count == 0 {
                                    let tree = Int(segment.firstTree)
                                    sums[Int(outputs[tree])] += walkGeneric(tree, nodes.baseAddress!, leaves.baseAddress!, views)
                                } else {
                                    walkLanes(segment, nodes.baseAddress!, leaves.baseAddress!, outputs.baseAddress!,
                                              lanes.baseAddress!, views, sums)
                                }
                            }
                        }
                    }
                }
            }
            for output in 0..<outputCount {
                if let divisor { sums[output] /= divisor }
                margins[output] = Double(sums[output])
            }
        }
    }

    /// The number of nodes (internal and leaf) visited by the row over all trees: the work
    /// measure behind "ns per visited node" in `verdict model bench`.
    func visitedNodes(_ features: UnsafePointer<Double>) -> Int {
        withUnsafeTemporaryAllocation(of: Value.self, capacity: slotCount) { scratch in
            let views = scratch.baseAddress!
            fillViews(features, views)
            var visited = 0
            nodes.withUnsafeBufferPointer { nodes in
                for root in roots {
                    var index = Int(root)
                    while true {
                        visited += 1
                        let node = nodes[index]
                        if node.flags & FlatNode<Value>.leaf != 0 { break }
                        index = Int(node.left) + (decide(node, views) ? 0 : 1)
                    }
                }
            }
            return visited
        }
    }

    @inline(__always)
    private func fillViews(_ features: UnsafePointer<Double>, _ views: UnsafeMutablePointer<Value>) {
        views[0] = -.infinity
        for feature in 0..<featureCount { views[1 + feature] = Rule.input(features[feature]) }
        let derived = views + 1 + featureCount
        self.views.withUnsafeBufferPointer { slots in
            for (index, slot) in slots.enumerated() {
                let value = views[1 + Int(slot.feature)]
                let missing = value.isNaN || (slot.zeroIsMissing && value == 0)
                derived[index] = missing ? slot.replacement : value
            }
        }
    }

    /// The full decision of an internal node (generic trees; any node for counting).
    @inline(__always)
    private func decide(_ node: FlatNode<Value>, _ views: UnsafePointer<Value>) -> Bool {
        let defaultLeft = node.flags & FlatNode<Value>.defaultLeft != 0
        if node.flags & FlatNode<Value>.categorical != 0 {
            let split = categorical[Int(node.slot)]
            return categoryWords.withUnsafeBufferPointer { words in
                let own = UnsafeBufferPointer(rebasing: words[Int(split.start)..<Int(split.start + split.count)])
                return Rule.categoricalGoesLeft(views[1 + Int(split.feature)], own, defaultLeft: defaultLeft)
            }
        }
        let missing: MissingRule
        switch (node.flags >> FlatNode<Value>.missingShift) & 3 {
        case 1: missing = .noneAsZero
        case 2: missing = .zero
        default: missing = .nan
        }
        return Rule.numericGoesLeft(views[Int(node.slot)], node.threshold, defaultLeft: defaultLeft, missing: missing)
    }

    /// One generic tree: branchy walk with the full rules, then the leaf's value (or its linear model).
    private func walkGeneric(_ tree: Int, _ nodes: UnsafePointer<FlatNode<Value>>, _ leaves: UnsafePointer<Value>,
                             _ views: UnsafePointer<Value>) -> Value {
        var index = Int(roots[tree])
        while true {
            let node = nodes[index]
            if node.flags & FlatNode<Value>.leaf != 0 {
                guard node.flags & FlatNode<Value>.linear != 0 else { return leaves[index] }
                return linearLeaf(Int(node.slot), fallback: leaves[index], views)
            }
            index = Int(node.left) + (decide(node, views) ? 0 : 1)
        }
    }

    /// LightGBM Tree::Predict for linear trees: constant + Σ coefficient·x in order, or the plain
    /// leaf value when a used feature is NaN.
    private func linearLeaf(_ leaf: Int, fallback: Value, _ views: UnsafePointer<Value>) -> Value {
        var output = linearConstant[leaf]
        for term in Int(linearStart[leaf])..<Int(linearStart[leaf + 1]) {
            let value = views[1 + Int(linearFeatures[term])]
            if value.isNaN { return fallback }
            output += linearCoefficients[term] * value
        }
        return output
    }

    /// Up to eight fast trees in lock-step: every step advances each lane by one level without
    /// branching; leaves loop on themselves, so lanes that finish early just wait.
    @inline(__always)
    private func walkLanes(_ segment: TreeSegment, _ nodes: UnsafePointer<FlatNode<Value>>, _ leaves: UnsafePointer<Value>,
                           _ outputs: UnsafePointer<Int32>, _ lanes: UnsafePointer<Int32>, _ views: UnsafePointer<Value>,
                           _ sums: UnsafeMutablePointer<Value>) {
        let roots = lanes + Int(segment.lanes)
        var i0 = Int(roots[0]), i1 = Int(roots[1]), i2 = Int(roots[2]), i3 = Int(roots[3])
        var i4 = Int(roots[4]), i5 = Int(roots[5]), i6 = Int(roots[6]), i7 = Int(roots[7])
        @inline(__always) func step(_ index: Int) -> Int {
            let node = nodes[index]
            return Int(node.left) &+ (Rule.goesLeft(views[Int(node.slot)], node.threshold) ? 0 : 1)
        }
        for _ in 0..<Int(segment.minDepth) {
            i0 = step(i0); i1 = step(i1); i2 = step(i2); i3 = step(i3)
            i4 = step(i4); i5 = step(i5); i6 = step(i6); i7 = step(i7)
        }
        while true {
            let done = nodes[i0].flags & nodes[i1].flags & nodes[i2].flags & nodes[i3].flags
                & nodes[i4].flags & nodes[i5].flags & nodes[i6].flags & nodes[i7].flags & FlatNode<Value>.leaf
            if done != 0 { break }
            i0 = step(i0); i1 = step(i1); i2 = step(i2); i3 = step(i3)
            i4 = step(i4); i5 = step(i5); i6 = step(i6); i7 = step(i7)
        }
        let first = Int(segment.firstTree)
        let reached = (i0, i1, i2, i3, i4, i5, i6, i7)
        withUnsafeBytes(of: reached) { raw in
            let indices = raw.bindMemory(to: Int.self)
            for lane in 0..<Int(segment.count) {
                sums[Int(outputs[first + lane])] += leaves[indices[lane]]
            }
        }
    }
}
