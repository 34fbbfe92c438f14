// The "refers to" graph between lets, counters and models. The checker builds it twice: from the
// syntax before checking (to check every declaration after the ones it uses, so nothing recurses
// through chains of lets) and from resolved references while checking (to report reference cycles,
// LANGUAGE.md §1, and to give lets their evaluation order). Every walk is iterative: a ruleset may
// chain thousands of lets.

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

    /// Every node reachable from `roots`, each after everything it refers to (depth-first post
    /// order; roots in the order given). Nodes on a cycle come in an unspecified order.
    func postOrder(_ roots: [DependencyNode]) -> [DependencyNode] {
        var visited = Set<DependencyNode>()
        var order: [DependencyNode] = []
        for root in roots where visited.insert(root).inserted {
            var stack: [(node: DependencyNode, next: Int)] = [(root, 0)]
            while let top = stack.last {
                let successors = edges[top.node] ?? []
                if top.next < successors.count {
                    stack[stack.count - 1].next += 1
                    let successor = successors[top.next]
                    if visited.insert(successor).inserted { stack.append((successor, 0)) }
                } else {
                    order.append(top.node)
                    stack.removeLast()
                }
            }
        }
        return order
    }

    /// Every cycle, once each, as a path starting and ending at the same node; `order` gives the
    /// nodes to start from (declaration order, so reports are stable).
    func cycles(order: [DependencyNode]) -> [[DependencyNode]] {
        var state: [DependencyNode: Int] = [:]   // 1 = on the path, 2 = finished
        var found: [[DependencyNode]] = []
        var reported = Set<DependencyNode>()
        for root in order where state[root] == nil {
            var path: [(node: DependencyNode, next: Int)] = [(root, 0)]
            state[root] = 1
            while let top = path.last {
                let successors = edges[top.node] ?? []
                guard top.next < successors.count else {
                    state[top.node] = 2
                    path.removeLast()
                    continue
                }
                path[path.count - 1].next += 1
                let successor = successors[top.next]
                switch state[successor] {
                case 1:
                    if let start = path.lastIndex(where: { $0.node == successor }) {
                        let cycle = path[start...].map(\.node)
                        if !cycle.contains(where: reported.contains) {
                            reported.formUnion(cycle)
                            found.append(cycle + [successor])
                        }
                    }
                case nil:
                    state[successor] = 1
                    path.append((successor, 0))
                default:
                    break
                }
            }
        }
        return found
    }

    /// Let declaration indices in dependency order (a let after every let it refers to, directly
    /// or through counters and models); ties keep declaration order. Assumes no cycles.
    func letOrder(count: Int) -> [Int] {
        postOrder((0..<count).map(DependencyNode.letBinding)).compactMap {
            if case .letBinding(let index) = $0 { return index } else { return nil }
        }
    }
}
