// The "refers to" graph between lets, counters and models, built while checking expressions. It
// finds reference cycles (compile errors, LANGUAGE.md §1) and gives lets their evaluation order.

/// A declaration that can take part in a reference cycle.
enum DependencyNode: Hashable {
    /// A let, by declaration index.
    case letBinding(Int)
    case counter(CounterID)
    case model(ModelID)
}

/// Directed edges `from -> to`: evaluating `from` needs `to`.
struct DependencyGraph {
    private(set) var edges: [DependencyNode: [DependencyNode]] = [:]

    mutating func add(from: DependencyNode, to: DependencyNode) {
        if edges[from]?.contains(to) == true { return }
        edges[from, default: []].append(to)
    }

    /// Every cycle, once each, as a path starting and ending at the same node; `order` gives the
    /// nodes to start from (declaration order, so reports are stable).
    func cycles(order: [DependencyNode]) -> [[DependencyNode]] {
        var state: [DependencyNode: Int] = [:]   // 1 = on stack, 2 = done
        var stack: [DependencyNode] = []
        var found: [[DependencyNode]] = []
        var reported: Set<DependencyNode> = []

        func visit(_ node: DependencyNode) {
            state[node] = 1
            stack.append(node)
            for next in edges[node] ?? [] {
                switch state[next] {
                case 1:
                    if let start = stack.lastIndex(of: next) {
                        let cycle = Array(stack[start...])
                        if !cycle.contains(where: reported.contains) {
                            reported.formUnion(cycle)
                            found.append(cycle + [next])
                        }
                    }
                case nil: visit(next)
                default: break
                }
            }
            stack.removeLast()
            state[node] = 2
        }
        for node in order where state[node] == nil { visit(node) }
        return found
    }

    /// Let declaration indices in dependency order (a let after every let it refers to, directly
    /// or through counters and models); ties keep declaration order. Assumes no cycles.
    func letOrder(count: Int) -> [Int] {
        var done = Set<DependencyNode>()
        var order: [Int] = []
        func visit(_ node: DependencyNode) {
            guard done.insert(node).inserted else { return }
            for next in edges[node] ?? [] { visit(next) }
            if case .letBinding(let index) = node { order.append(index) }
        }
        for index in 0..<count { visit(.letBinding(index)) }
        return order
    }
}
