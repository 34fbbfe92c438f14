// `verdict fmt`: canonical layout of a parsed file. One declaration per line (blocks one item per
// line, two-space indent), columns aligned within runs of consecutive declarations of one kind and
// within schema and model blocks, at most one blank line kept where the source had one, and every
// `//` comment put back: own-line comments before the item that followed them, trailing comments
// after the item on their line. Formatting is idempotent and re-parses to an equal AST.

/// Formats parsed rules files.
public enum Formatter {
    /// The canonical text of `unit`. With `source` (the file it was parsed from) comments and
    /// blank lines are preserved; without it (generated ASTs) there are neither.
    public static func format(_ unit: SourceUnit, source: SourceFile? = nil) -> String {
        var layout = Layout(source: source, comments: source == nil ? [] : unit.comments)
        let declarations = unit.declarations
        var index = 0
        while index < declarations.count {
            // A run: consecutive single-line declarations of one alignable kind, with no blank line
            // or comment between them in the source.
            var end = index + 1
            if let kind = alignmentKind(declarations[index]) {
                while end < declarations.count, alignmentKind(declarations[end]) == kind,
                      layout.isAdjacent(declarations[end - 1].range, declarations[end].range) {
                    end += 1
                }
                let rows = declarations[index..<end].map { headAndTail($0)! }
                let width = rows.map(\.head.count).max() ?? 0
                for (row, declaration) in zip(rows, declarations[index..<end]) {
                    let text = row.head + String(repeating: " ", count: width - row.head.count + 1) + row.tail
                    layout.emit(text, indent: 0, anchor: declaration.range)
                }
            } else {
                emitDeclaration(declarations[index], into: &layout)
            }
            index = end
        }
        return layout.finish()
    }

    // MARK: Declarations

    private static func alignmentKind(_ declaration: Declaration) -> Int? {
        switch declaration {
        case .list: return 1
        case .counter: return 2
        case .letBinding: return 3
        case .rule(let rule): return rule.style == .native && rule.name != nil ? 4 : nil
        case .score: return 5
        default: return nil
        }
    }

    /// The aligned part (`rule name:`) and the rest of an alignable declaration.
    private static func headAndTail(_ declaration: Declaration) -> (head: String, tail: String)? {
        let printer = ExpressionPrinter()
        switch declaration {
        case .list(let list):
            return ("list \(list.name.name)", list.kind.name + (list.caseInsensitive ? " ci" : ""))
        case .counter(let counter):
            var tail = "by " + printer.print(counter.key)
            switch counter.aggregate {
            case .count: break
            case .sum(let value): tail += " sum " + printer.print(value)
            case .distinct(let value): tail += " distinct " + printer.print(value)
            }
            if let condition = counter.condition { tail += " when " + printer.print(condition) }
            tail += " retain " + duration(counter.retain)
            return ("counter \(counter.name.name)", tail)
        case .letBinding(let binding):
            return ("let \(binding.name.name)", "= " + printer.print(binding.value))
        case .rule(let rule):
            guard let name = rule.name else { return nil }
            return ("rule \(name.name):", ruleBody(rule))
        case .score(let score):
            let points = score.points >= 0 ? "+\(score.points)" : "\(score.points)"
            return ("score \(score.name.name):", "\(points) if " + printer.print(score.condition))
        default:
            return nil
        }
    }

    private static func emitDeclaration(_ declaration: Declaration, into layout: inout Layout) {
        let printer = ExpressionPrinter()
        switch declaration {
        case .ruleset(let header):
            var text = "ruleset \(header.name.name)"
            if let version = header.version { text += " version " + ExpressionPrinter.stringLiteral(version.value) }
            layout.emit(text, indent: 0, anchor: header.range)
        case .schema(let schema):
            layout.emit("schema {", indent: 0, anchor: headerAnchor(schema.range), opensBlock: true)
            let width = schema.fields.map(\.name.name.count).max() ?? 0
            for field in schema.fields {
                let name = field.name.name
                layout.emit(name + String(repeating: " ", count: width - name.count + 1) + field.type.name
                                + (field.caseInsensitive ? " ci" : ""), indent: 2, anchor: field.range)
            }
            layout.closeBlock(anchor: schema.range)
        case .model(let model):
            layout.emit("model \(model.name.name) \(model.kind.name) \(ExpressionPrinter.stringLiteral(model.path.value)) {",
                        indent: 0, anchor: headerAnchor(model.range), opensBlock: true)
            let width = model.bindings.map(\.feature.name.count).max() ?? 0
            for binding in model.bindings {
                let name = binding.feature.name
                layout.emit(name + String(repeating: " ", count: width - name.count + 1) + "= " + printer.print(binding.value),
                            indent: 2, anchor: binding.range)
            }
            layout.closeBlock(anchor: model.range)
        case .rule(let rule):
            layout.emit(ruleBody(rule), indent: 0, anchor: rule.range)
        case .threshold(let threshold):
            let clauses = threshold.clauses.map { "\($0.action.action.rawValue) if " + printer.print($0.condition) }
            layout.emit("threshold " + clauses.joined(separator: ", "), indent: 0, anchor: threshold.range)
        case .precedence(let precedence):
            layout.emit("precedence " + precedence.actions.map(\.action.rawValue).joined(separator: " > "),
                        indent: 0, anchor: precedence.range)
        case .onError(let onError):
            layout.emit("on error \(onError.action.action.rawValue)", indent: 0, anchor: onError.range)
        case .list, .counter, .letBinding, .score:
            let row = headAndTail(declaration)!
            layout.emit(row.head + " " + row.tail, indent: 0, anchor: declaration.range)
        }
    }

    /// `block if COND [options]` for native rules, `Block if COND [options]` for Radar rules.
    private static func ruleBody(_ rule: RuleDeclaration) -> String {
        let radar = rule.style == .radar
        let printer = ExpressionPrinter(radar: radar)
        var action = rule.action.action.rawValue
        if radar { action = rule.action.action == .challenge ? "Request 3D Secure" : action.prefix(1).uppercased() + action.dropFirst() }
        var text = action + (radar ? " if " : " if ") + printer.print(rule.condition)
        if let reason = rule.reason { text += " reason " + ExpressionPrinter.stringLiteral(reason.value) }
        if rule.shadow { text += " shadow" }
        if let rollout = rule.rollout {
            let percent = rollout.percent == rollout.percent.rounded() && abs(rollout.percent) < 1e15
                ? String(Int64(rollout.percent)) : "\(rollout.percent)"
            text += " rollout \(percent)% by " + printer.print(rollout.key)
        }
        if !rule.tags.isEmpty { text += " tags " + rule.tags.map { ExpressionPrinter.stringLiteral($0.value) }.joined(separator: ", ") }
        return text
    }

    /// The first byte of a block declaration: its header line owns only that line's comments.
    private static func headerAnchor(_ range: SourceRange) -> SourceRange {
        SourceRange(file: range.file, start: range.start, end: range.start + 1)
    }

    private static func duration(_ duration: DurationSyntax) -> String {
        "\(duration.count)\(duration.unit.rawValue)"
    }
}

/// Output lines plus the bookkeeping that puts comments and blank lines back.
private struct Layout {
    let source: SourceFile?
    let comments: [Comment]
    var nextComment = 0
    var lines: [String] = []
    /// True right after a line that opens a block (no blank line may follow it).
    var afterOpen = true

    init(source: SourceFile?, comments: [Comment]) {
        self.source = source
        self.comments = comments
    }

    /// True when nothing but a line break separates two source ranges: no blank line and no
    /// own-line comment. Without a source, every pair is adjacent.
    func isAdjacent(_ first: SourceRange, _ second: SourceRange) -> Bool {
        guard let source else { return true }
        if comments.contains(where: { $0.ownLine && $0.range.start >= first.end && $0.range.start < second.start }) { return false }
        return !hasBlankLineBefore(second.start, in: source)
    }

    private func hasBlankLineBefore(_ offset: Int, in source: SourceFile) -> Bool {
        let line = source.lineIndex(of: offset)
        guard line > 0 else { return false }
        return source.lineText(line - 1).allSatisfy { $0 == " " || $0 == "\t" }
    }

    private mutating func blankLineIfSource(before offset: Int) {
        guard let source, !afterOpen, !lines.isEmpty, lines.last != "" else { return }
        if hasBlankLineBefore(offset, in: source) { lines.append("") }
    }

    /// Emits the comments that start before `offset`: own-line ones as lines at `indent`, trailing
    /// ones appended to the line before.
    private mutating func flushComments(before offset: Int, indent: Int) {
        while nextComment < comments.count, comments[nextComment].range.start < offset {
            let comment = comments[nextComment]
            nextComment += 1
            if comment.ownLine || lines.isEmpty {
                blankLineIfSource(before: comment.range.start)
                lines.append(String(repeating: " ", count: indent) + comment.text)
                afterOpen = false
            } else {
                lines[lines.count - 1] += " " + comment.text
            }
        }
    }

    mutating func emit(_ text: String, indent: Int, anchor: SourceRange, opensBlock: Bool = false) {
        flushComments(before: anchor.start, indent: indent)
        blankLineIfSource(before: anchor.start)
        lines.append(String(repeating: " ", count: indent) + text)
        afterOpen = opensBlock
        // Trailing comments on the item's own (last) line belong to it, even if a later item
        // would otherwise claim them.
        flushTrailingComments(through: anchor.end)
    }

    private mutating func flushTrailingComments(through offset: Int) {
        guard let source else { return }
        let lastLine = source.lineIndex(of: max(0, offset - 1))
        while nextComment < comments.count, !comments[nextComment].ownLine,
              source.lineIndex(of: comments[nextComment].range.start) <= lastLine {
            lines[lines.count - 1] += " " + comments[nextComment].text
            nextComment += 1
        }
    }

    /// The `}` of a block whose declaration spans `anchor`; comments before it stay inside.
    mutating func closeBlock(anchor: SourceRange) {
        flushComments(before: anchor.end - 1, indent: 2)
        lines.append("}")
        afterOpen = false
        flushTrailingComments(through: anchor.end)
    }

    mutating func finish() -> String {
        flushComments(before: Int.max, indent: 0)
        return lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }
}
