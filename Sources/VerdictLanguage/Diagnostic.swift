// Diagnostics: what the lexer, parser and checker report, and how a report is rendered for people
// (`file:line:col: error: message`, the source line, a caret under the exact range, a hint) and for
// tools (`--json`). Every diagnostic kind has a stable code, listed in docs/language.md.

/// How bad a diagnostic is. Errors stop compilation; warnings do not.
public enum Severity: String, Sendable, Codable {
    case error, warning
}

/// One problem found in a ruleset, with the exact source range it is about.
public struct Diagnostic: Sendable, Equatable {
    public var severity: Severity
    /// Stable identifier of the kind of problem (`unknown-field`, `type-mismatch`, ...).
    public var code: String
    public var message: String
    public var range: SourceRange
    /// A suggestion shown under the caret (`did you mean 'amount_usd'?`), if any.
    public var hint: String?

    public init(_ severity: Severity, code: String, _ message: String, at range: SourceRange, hint: String? = nil) {
        self.severity = severity
        self.code = code
        self.message = message
        self.range = range
        self.hint = hint
    }

    public static func error(_ code: String, _ message: String, at range: SourceRange, hint: String? = nil) -> Diagnostic {
        Diagnostic(.error, code: code, message, at: range, hint: hint)
    }

    public static func warning(_ code: String, _ message: String, at range: SourceRange, hint: String? = nil) -> Diagnostic {
        Diagnostic(.warning, code: code, message, at: range, hint: hint)
    }
}

/// Collects diagnostics, stopping at a fixed number of errors so a hopeless file cannot flood the
/// output (the rest are counted, not kept).
public struct DiagnosticBag: Sendable {
    public static let defaultErrorLimit = 50

    public private(set) var diagnostics: [Diagnostic] = []
    public private(set) var errorCount = 0
    public private(set) var droppedErrors = 0
    public let errorLimit: Int

    public init(errorLimit: Int = DiagnosticBag.defaultErrorLimit) {
        self.errorLimit = errorLimit
    }

    public var hasErrors: Bool { errorCount > 0 }
    /// True once `errorLimit` errors were reported: callers may stop early.
    public var isFull: Bool { errorCount >= errorLimit }

    public mutating func report(_ diagnostic: Diagnostic) {
        if diagnostic.severity == .error {
            errorCount += 1
            if errorCount > errorLimit { droppedErrors += 1; return }
        }
        diagnostics.append(diagnostic)
    }

    public mutating func append(contentsOf other: DiagnosticBag) {
        for diagnostic in other.diagnostics { report(diagnostic) }
        droppedErrors += other.droppedErrors
        errorCount += other.droppedErrors
    }

    /// Diagnostics in source order (file, then offset), stable for equal positions.
    public var sorted: [Diagnostic] {
        diagnostics.enumerated().sorted { a, b in
            (a.element.range.file, a.element.range.start, a.offset) < (b.element.range.file, b.element.range.start, b.offset)
        }.map(\.element)
    }
}

/// Renders diagnostics as text for a terminal or as JSON for editors and CI.
public struct DiagnosticRenderer {
    public let sources: SourceSet
    /// Longest source line shown in full; longer lines are shown as a window around the caret.
    public static let maxShownColumns = 160

    public init(sources: SourceSet) {
        self.sources = sources
    }

    /// The human form:
    ///
    ///     rules/a.rules:12:18: error: unknown field 'amout_usd'
    ///      12 | rule x: block if amout_usd > 10
    ///         |                  ^^^^^^^^^
    ///         = hint: did you mean 'amount_usd'?
    public func render(_ diagnostic: Diagnostic) -> String {
        guard let file = sources[diagnostic.range.file] else {
            var text = "\(diagnostic.severity.rawValue): \(diagnostic.message)"
            if let hint = diagnostic.hint { text += "\n  = hint: \(hint)" }
            return text
        }
        let start = file.location(of: diagnostic.range.start)
        if file.bytes.isEmpty || diagnostic.range == SourceRange.wholeFile(file.id) {
            // A file-level problem (unreadable, too large): there is no line to show.
            var text = "\(file.path): \(diagnostic.severity.rawValue): \(diagnostic.message)"
            if let hint = diagnostic.hint { text += "\n  = hint: \(hint)" }
            return text
        }
        var text = "\(file.path):\(start.line):\(start.column): \(diagnostic.severity.rawValue): \(diagnostic.message)\n"
        let lineIndex = start.line - 1
        let lineStart = file.lineStarts[lineIndex]
        let rawLine = file.lineText(lineIndex)
        let gutter = String(start.line)
        let pad = String(repeating: " ", count: gutter.count)
        // Caret: from the range start to its end, clipped to the end of the first line.
        var lineEnd = lineIndex + 1 < file.lineStarts.count ? file.lineStarts[lineIndex + 1] - 1 : file.bytes.count
        if lineEnd > lineStart, file.bytes[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
        let caretEnd = min(max(diagnostic.range.end, diagnostic.range.start + 1), max(lineEnd, diagnostic.range.start + 1))
        var prefix = displayWidth(file: file, from: lineStart, to: diagnostic.range.start)
        var width = max(1, displayWidth(file: file, from: diagnostic.range.start, to: min(caretEnd, lineEnd))
                          + (caretEnd > lineEnd ? 1 : 0))
        var shown = Array(expandTabs(rawLine).unicodeScalars.map { $0.value < 0x20 ? "\u{FFFD}" : $0 })
        if shown.count > DiagnosticRenderer.maxShownColumns {
            // A very long line (minified or hostile input): show a window around the caret.
            let from = max(0, min(prefix - 40, shown.count - DiagnosticRenderer.maxShownColumns))
            let to = min(shown.count, from + DiagnosticRenderer.maxShownColumns)
            shown = (from > 0 ? ["\u{2026}"] : []) + Array(shown[from..<to]) + (to < shown.count ? ["\u{2026}"] : [])
            prefix = prefix - from + (from > 0 ? 1 : 0)
            width = max(1, min(width, to - from - (prefix - (from > 0 ? 1 : 0))))
        }
        var line = String.UnicodeScalarView()
        line.append(contentsOf: shown)
        text += " \(gutter) | \(String(line))\n"
        text += " \(pad) | " + String(repeating: " ", count: prefix) + String(repeating: "^", count: width)
        if let hint = diagnostic.hint {
            text += "\n \(pad) = hint: \(hint)"
        }
        return text
    }

    /// All diagnostics, one block each, followed by a summary line when anything was reported.
    public func render(_ bag: DiagnosticBag) -> String {
        var blocks = bag.sorted.map(render)
        let warnings = bag.diagnostics.filter { $0.severity == .warning }.count
        if bag.errorCount > 0 || warnings > 0 {
            var summary: [String] = []
            if bag.errorCount > 0 { summary.append("\(bag.errorCount) error" + (bag.errorCount == 1 ? "" : "s")) }
            if warnings > 0 { summary.append("\(warnings) warning" + (warnings == 1 ? "" : "s")) }
            if bag.droppedErrors > 0 { summary.append("\(bag.droppedErrors) not shown") }
            blocks.append(summary.joined(separator: ", "))
        }
        return blocks.joined(separator: "\n")
    }

    /// One JSON object per diagnostic: file, line, column, endLine, endColumn, severity, code,
    /// message, hint (null when absent).
    public func json(_ diagnostic: Diagnostic) -> String {
        let file = sources[diagnostic.range.file]
        let start = file?.location(of: diagnostic.range.start) ?? SourceLocation(line: 0, column: 0)
        let end = file?.location(of: diagnostic.range.end) ?? SourceLocation(line: 0, column: 0)
        let hint = diagnostic.hint.map(jsonString) ?? "null"
        return "{\"file\":\(jsonString(file?.path ?? "")),\"line\":\(start.line),\"column\":\(start.column),"
            + "\"endLine\":\(end.line),\"endColumn\":\(end.column),\"severity\":\"\(diagnostic.severity.rawValue)\","
            + "\"code\":\(jsonString(diagnostic.code)),\"message\":\(jsonString(diagnostic.message)),\"hint\":\(hint)}"
    }

    private func displayWidth(file: SourceFile, from: Int, to: Int) -> Int {
        guard to > from else { return 0 }
        var width = 0
        for offset in from..<min(to, file.bytes.count) {
            let byte = file.bytes[offset]
            if byte == UInt8(ascii: "\t") { width += 4 } else if byte & 0xC0 != 0x80 { width += 1 }
        }
        return width
    }

    private func expandTabs(_ line: String) -> String {
        line.replacingTabs()
    }
}

extension String {
    fileprivate func replacingTabs() -> String {
        var result = ""
        for character in self { if character == "\t" { result += "    " } else { result.append(character) } }
        return result
    }
}

/// A JSON string literal with the escapes JSON requires.
public func jsonString(_ value: String) -> String {
    var out = "\""
    for scalar in value.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where scalar.value < 0x20:
            let hex = String(scalar.value, radix: 16)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}
