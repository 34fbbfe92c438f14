// The hot path of tree prediction: expand a row into its views, then walk the trees, eight at a
// time, with a branch-free step (`next = left + !goesLeft(views[slot], threshold)`, a compare and
// an add) so that the eight dependent load chains overlap. Generic trees (categorical splits,
// linear leaves) are walked one at a time with the full per-node rules. Leaf values are added in
// tree order into accumulators of the library's own precision, so the sum is the library's sum bit
// for bit. Scratch memory is on the stack; nothing here allocates, locks or touches reference
// counts. This file holds the module's unsafe pointer code.

extension TreeEnsemble {
    /// Writes the raw margins (one per output) for the row `features` (featureCount values, NaN =
    /// missing). `margins` must hold outputCount values.
    func predictMargins(_ features: UnsafePointer<Double>, _ margins: UnsafeMutablePointer<Double>) {
        withUnsafeTemporaryAllocation(of: Value.self, capacity: slotCount + outputCount + longestRun + 1) { scratch in
            let views = scratch.baseAddress!
            fillViews(features, views)
            let sums = views + slotCount
            let results = sums + outputCount
            for output in 0..<outputCount { sums[output] = base[output] }
            nodes.withUnsafeBufferPointer { nodes in
                treeOutputs.withUnsafeBufferPointer { outputs in
                    laneRoots.withUnsafeBufferPointer { lanes in
                        let nodes = nodes.baseAddress!, outputs = outputs.baseAddress!, lanes = lanes.baseAddress!
                        for segment in segments {
                            let first = Int(segment.firstTree)
                            switch segment.kind {
                            case .generic:
                                sums[Int(outputs[first])] += walkGeneric(first, nodes, views)
                            case .lockStep:
                                walkLockStep(segment, nodes, outputs + first, lanes + Int(segment.lanes), views, sums)
                            case .refill:
                                let count = Int(segment.count)
                                walkRefill(count, nodes, lanes + Int(segment.lanes), views, results)
                                for tree in 0..<count { sums[Int(outputs[first + tree])] += results[tree] }
                            }
                        }
                    }
                }
            }
            for output in 0..<outputCount { margins[output] = Double(sums[output]) }
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
    private func walkGeneric(_ tree: Int, _ nodes: UnsafePointer<FlatNode<Value>>, _ views: UnsafePointer<Value>) -> Value {
        var index = Int(roots[tree])
        while true {
            let node = nodes[index]
            if node.flags & FlatNode<Value>.leaf != 0 {
                guard node.flags & FlatNode<Value>.linear != 0 else { return node.threshold }
                return linearLeaf(Int(node.slot), fallback: node.threshold, views)
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
    /// branching; leaves loop on themselves, so lanes that finish early wait.
    @inline(__always)
    private func walkLockStep(_ segment: TreeSegment, _ nodes: UnsafePointer<FlatNode<Value>>, _ outputs: UnsafePointer<Int32>,
                              _ roots: UnsafePointer<Int32>, _ views: UnsafePointer<Value>, _ sums: UnsafeMutablePointer<Value>) {
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
        let reached = (i0, i1, i2, i3, i4, i5, i6, i7)
        withUnsafeBytes(of: reached) { raw in
            let indices = raw.bindMemory(to: Int.self)
            for lane in 0..<Int(segment.count) { sums[Int(outputs[lane])] += nodes[indices[lane]].threshold }
        }
    }

    /// A run of `count` fast trees over eight lanes that each take the next tree when theirs
    /// reaches a leaf. Every step stores the lane's current node value into `results[tree]`; the
    /// last store for a tree is its leaf's value. Finished lanes park on tree `count`, whose root
    /// (`roots[count]`) is the dummy leaf and whose result slot is scratch.
    @inline(__always)
    private func walkRefill(_ count: Int, _ nodes: UnsafePointer<FlatNode<Value>>, _ roots: UnsafePointer<Int32>,
                            _ views: UnsafePointer<Value>, _ results: UnsafeMutablePointer<Value>) {
        var t0 = min(0, count), t1 = min(1, count), t2 = min(2, count), t3 = min(3, count)
        var t4 = min(4, count), t5 = min(5, count), t6 = min(6, count), t7 = min(7, count)
        var i0 = Int(roots[t0]), i1 = Int(roots[t1]), i2 = Int(roots[t2]), i3 = Int(roots[t3])
        var i4 = Int(roots[t4]), i5 = Int(roots[t5]), i6 = Int(roots[t6]), i7 = Int(roots[t7])
        var next = min(8, count)
        @inline(__always) func step(_ index: inout Int, _ tree: inout Int) {
            let node = nodes[index]
            results[tree] = node.threshold
            let child = Int(node.left) &+ (Rule.goesLeft(views[Int(node.slot)], node.threshold) ? 0 : 1)
            let isLeaf = Int(node.flags & FlatNode<Value>.leaf)
            let upcoming = next
            next = min(next &+ isLeaf, count)
            tree = isLeaf != 0 ? upcoming : tree
            index = isLeaf != 0 ? Int(roots[upcoming]) : child
        }
        while min(min(min(t0, t1), min(t2, t3)), min(min(t4, t5), min(t6, t7))) < count {
            step(&i0, &t0); step(&i1, &t1); step(&i2, &t2); step(&i3, &t3)
            step(&i4, &t4); step(&i5, &t5); step(&i6, &t6); step(&i7, &t7)
        }
    }
}
