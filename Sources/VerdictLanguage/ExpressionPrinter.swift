// Prints expressions in canonical form: the fewest parentheses that keep the tree (CEL
// precedence, left associativity), keyword operators, double-quoted strings with CEL escapes.
// Radar rules keep Radar spelling (`AND`, `=`, `IN`, single quotes). Whatever it prints parses back
// to an equal tree; the formatter's round-trip property tests depend on that.

/// Renders an `Expr` as source text.
public struct ExpressionPrinter {
    /// Print in Radar spelling (`AND`, `OR`, `NOT`, `=`, `IN`, single-quoted strings).
    public var radar: Bool

    public init(radar: Bool = false) {
        self.radar = radar
    }

    /// The expression as canonical source text.
    public func print(_ expression: Expr) -> String {
        var out = ""
        write(expression, into: &out)
        return out
    }

    private func keyword(_ word: String) -> String { radar ? word.uppercased() : word }

    private func spelling(_ op: BinaryOperator) -> String {
        switch op {
        case .and: return keyword("and")
        case .or: return keyword("or")
        case .in: return keyword("in")
        case .equal: return radar ? "=" : "=="
        default: return op.rawValue
        }
    }

    private func write(_ expression: Expr, into out: inout String) {
        switch expression.kind {
        case .int(let value):
            out += String(value)
        case .double(let value):
            out += ExpressionPrinter.doubleLiteral(value)
        case .string(let value):
            out += ExpressionPrinter.stringLiteral(value, quote: radar ? "'" : "\"")
        case .bool(let value):
            out += value ? "true" : "false"
        case .duration(let count, let unit):
            out += "\(count)\(unit.rawValue)"
        case .name(let parts, let style):
            switch style {
            case .plain: out += parts.joined(separator: ".")
            case .radarAttribute: out += ":" + parts.joined(separator: ".") + ":"
            case .radarMetadata: out += "::" + parts.dropFirst().joined(separator: ".") + "::"
            }
        case .list(let elements, let style):
            out += style == .brackets ? "[" : "("
            for (index, element) in elements.enumerated() {
                if index > 0 { out += ", " }
                write(element, into: &out)
            }
            // `(x,)`: a one-element Radar list that would otherwise read as a parenthesised x
            // (`IN ('US')` is the exception the parser makes; see `writeInList`).
            if style == .parentheses, elements.count == 1 { out += "," }
            out += style == .brackets ? "]" : ")"
        case .listReference(let name):
            out += "@" + name
        case .unary(let op, let operand):
            out += op == .not ? keyword("not") + " " : "-"
            let needsParentheses: Bool
            switch operand.kind {
            case .binary, .conditional: needsParentheses = true
            case .int, .double: needsParentheses = op == .negate  // `-(5)` is not the literal -5
            default: needsParentheses = false
            }
            writeWrapped(operand, needsParentheses, into: &out)
        case .binary(let op, let left, let right):
            writeWrapped(left, bindsLooser(left, than: op.precedence, orEqual: false), into: &out)
            out += " " + spelling(op) + " "
            if op == .in, case .list(let elements, .parentheses) = right.kind, elements.count == 1, elements[0].kind.isLiteral {
                // Radar's `IN ('US')`: right after `in`, a parenthesised literal is a one-element list.
                out += "("
                write(elements[0], into: &out)
                out += ")"
            } else {
                writeWrapped(right, bindsLooser(right, than: op.precedence, orEqual: true), into: &out)
            }
        case .conditional(let condition, let whenTrue, let whenFalse):
            writeWrapped(condition, isConditional(condition), into: &out)
            out += " ? "
            writeWrapped(whenTrue, isConditional(whenTrue), into: &out)
            out += " : "
            write(whenFalse, into: &out)
        case .call(let name, let target, let arguments):
            if let target {
                writeWrapped(target, !isPostfixOperand(target), into: &out)
                out += "."
            }
            out += name + "("
            for (index, argument) in arguments.enumerated() {
                if index > 0 { out += ", " }
                write(argument, into: &out)
            }
            out += ")"
        case .index(let target, let index):
            writeWrapped(target, !isPostfixOperand(target), into: &out)
            out += "["
            write(index, into: &out)
            out += "]"
        }
    }

    private func writeWrapped(_ expression: Expr, _ wrap: Bool, into out: inout String) {
        if wrap { out += "(" }
        write(expression, into: &out)
        if wrap { out += ")" }
    }

    private func bindsLooser(_ expression: Expr, than precedence: Int, orEqual: Bool) -> Bool {
        switch expression.kind {
        case .binary(let op, _, _): return orEqual ? op.precedence <= precedence : op.precedence < precedence
        case .conditional: return true
        default: return false
        }
    }

    private func isConditional(_ expression: Expr) -> Bool {
        if case .conditional = expression.kind { return true }
        return false
    }

    /// True when `expression` can be the target of `.method()` or `[index]` without parentheses.
    private func isPostfixOperand(_ expression: Expr) -> Bool {
        switch expression.kind {
        case .unary, .binary, .conditional: return false
        case .int(let value): return value >= 0  // `-5.abs()` would negate the call
        case .double(let value): return value.sign == .plus
        default: return true
        }
    }

    /// Shortest text that reads back as exactly `value` (finite values only).
    static func doubleLiteral(_ value: Double) -> String {
        let text = "\(value)"
        if text.contains(".") || text.contains("e") || !value.isFinite { return text }
        return text + ".0"
    }

    /// A quoted string literal with CEL escapes for the quote, backslash and control characters.
    public static func stringLiteral(_ value: String, quote: Character = "\"") -> String {
        var out = String(quote)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where Character(scalar) == quote: out += "\\" + String(quote)
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out.append(quote)
        return out
    }
}
