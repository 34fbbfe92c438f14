// Source text and positions: a rules file as bytes plus its line table, and the ranges every token,
// AST node and diagnostic carries. Columns are 1-based and counted in Unicode scalars, so a caret
// lines up under the character a user sees.

/// Identifies one file of a ruleset within a `SourceSet`.
public typealias SourceFileID = Int

/// A byte range in one source file: `start..<end` UTF-8 offsets.
public struct SourceRange: Hashable, Sendable {
    public var file: SourceFileID
    public var start: Int
    public var end: Int

    public init(file: SourceFileID, start: Int, end: Int) {
        self.file = file
        self.start = start
        self.end = max(start, end)
    }

    /// The smallest range covering both (same file assumed).
    public func union(_ other: SourceRange) -> SourceRange {
        SourceRange(file: file, start: min(start, other.start), end: max(end, other.end))
    }

    /// A zero-width range, used where nothing synthesised has a real position.
    public static let none = SourceRange(file: -1, start: 0, end: 0)

    /// The range of a diagnostic about a file as a whole (unreadable, too large): zero-width at
    /// offset 0. Rendered without a source line.
    public static func wholeFile(_ file: SourceFileID) -> SourceRange {
        SourceRange(file: file, start: 0, end: 0)
    }
}

/// A 1-based line and column (column in Unicode scalars).
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var description: String { "\(line):\(column)" }
}

/// One rules file: its path as the user named it, its bytes, and the offsets where lines start.
public struct SourceFile: Sendable {
    public let id: SourceFileID
    public let path: String
    public let bytes: [UInt8]
    /// Byte offset of the first byte of each line.
    public let lineStarts: [Int]

    public init(id: SourceFileID, path: String, bytes: [UInt8]) {
        self.id = id
        self.path = path
        self.bytes = bytes
        var starts = [0]
        for (offset, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            starts.append(offset + 1)
        }
        self.lineStarts = starts
    }

    public init(id: SourceFileID, path: String, text: String) {
        self.init(id: id, path: path, bytes: Array(text.utf8))
    }

    /// The 0-based index of the line containing `offset`.
    public func lineIndex(of offset: Int) -> Int {
        var low = 0, high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= offset { low = mid } else { high = mid - 1 }
        }
        return low
    }

    /// Line and column of a byte offset (clamped to the file).
    public func location(of offset: Int) -> SourceLocation {
        let clamped = min(max(0, offset), bytes.count)
        let line = lineIndex(of: clamped)
        let column = scalarCount(from: lineStarts[line], to: clamped) + 1
        return SourceLocation(line: line + 1, column: column)
    }

    /// The text of a 0-based line, without its newline (invalid UTF-8 shown as U+FFFD).
    public func lineText(_ index: Int) -> String {
        guard index >= 0, index < lineStarts.count else { return "" }
        var end = index + 1 < lineStarts.count ? lineStarts[index + 1] - 1 : bytes.count
        if end > lineStarts[index], bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return String(decoding: bytes[lineStarts[index]..<max(lineStarts[index], end)], as: UTF8.self)
    }

    /// The source text a range covers.
    public func text(of range: SourceRange) -> String {
        let start = min(max(0, range.start), bytes.count)
        let end = min(max(start, range.end), bytes.count)
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    /// Number of Unicode scalars in `bytes[from..<to]` (continuation bytes do not count).
    func scalarCount(from: Int, to: Int) -> Int {
        var count = 0
        var offset = from
        while offset < to {
            if bytes[offset] & 0xC0 != 0x80 { count += 1 }
            offset += 1
        }
        return count
    }
}

/// All files of one ruleset, addressed by `SourceFileID`.
public struct SourceSet: Sendable {
    public private(set) var files: [SourceFile] = []

    public init() {}

    /// Adds a file and returns its id.
    @discardableResult
    public mutating func add(path: String, bytes: [UInt8]) -> SourceFileID {
        let id = files.count
        files.append(SourceFile(id: id, path: path, bytes: bytes))
        return id
    }

    @discardableResult
    public mutating func add(path: String, text: String) -> SourceFileID {
        add(path: path, bytes: Array(text.utf8))
    }

    public subscript(id: SourceFileID) -> SourceFile? {
        id >= 0 && id < files.count ? files[id] : nil
    }
}
