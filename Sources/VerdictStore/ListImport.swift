// Bulk import of a list file: one entry per line, `value[<TAB>reason[<TAB>expires_at]]`
// (expires_at in Unix seconds; empty lines skipped, a trailing CR ignored). Every line is
// validated first and bad ones are reported with their line numbers; then either they are
// skipped or the whole import is rejected, and the good entries are written in one transaction.
// Either every accepted entry is committed or none is: nothing half-written.
import CLMDB
import Glibc

/// What to do with invalid lines.
public enum BadEntryPolicy: String, Sendable, CaseIterable {
    /// Import the valid lines, report the invalid ones.
    case skip
    /// Import nothing if any line is invalid.
    case reject
}

/// An invalid line of an import.
public struct ListImportProblem: Equatable, Sendable, CustomStringConvertible {
    /// 1-based line number.
    public var line: Int
    public var error: ListImportLineError
    public var description: String { "line \(line): \(error)" }
}

/// Why a line of an import file is invalid.
public enum ListImportLineError: Error, Equatable, Sendable, CustomStringConvertible {
    case entry(ListEntryError)
    case malformedExpiry(String)
    case tooManyFields(Int)

    public var description: String {
        switch self {
        case let .entry(error): return error.description
        case let .malformedExpiry(text): return "expires_at '\(text)' is not a Unix time in seconds"
        case let .tooManyFields(count): return "\(count) tab-separated fields, expected value[\\treason[\\texpires_at]]"
        }
    }
}

/// The outcome of an import.
public struct ListImportReport: Equatable, Sendable {
    /// Entries written (new or replaced).
    public var imported: Int
    /// Invalid lines (skipped with `.skip`).
    public var problems: [ListImportProblem]
}

/// Failure of a whole import.
public enum ListImportError: Error, Equatable, CustomStringConvertible {
    /// `.reject` and at least one invalid line: nothing was written.
    case rejected([ListImportProblem])
    case store(ListStoreError)

    public var description: String {
        switch self {
        case let .rejected(problems):
            let shown = problems.prefix(20).map(\.description).joined(separator: "\n")
            let more = problems.count > 20 ? "\n... and \(problems.count - 20) more" : ""
            return "import rejected, nothing written: \(problems.count) invalid line(s)\n\(shown)\(more)"
        case let .store(error): return error.description
        }
    }
}

/// Progress of an import, for a progress bar.
public enum ListImportPhase: Sendable {
    /// Bytes of the file validated so far, of the total.
    case validating(done: Int, total: Int)
    /// Entries written so far, of the total.
    case writing(done: Int, total: Int)
}

extension ListStore {
    /// Imports the lines of `contents` into list `name` (see the file header for the format).
    /// Entries get `addedAt` as their added time.
    public func importLines(_ contents: [UInt8], into name: String, policy: BadEntryPolicy, addedAt: Int64,
                            progress: ((ListImportPhase) -> Void)? = nil) throws(ListImportError) -> ListImportReport {
        let dbi: MDB_dbi, kind: ListStoreKind
        do { (dbi, kind) = try open(list: name) } catch { throw .store(error) }
        var pairs: [([UInt8], [UInt8])] = []
        var problems: [ListImportProblem] = []
        var lineNumber = 0, start = 0
        contents.withUnsafeBytes { all in
            while start < all.count {
                var end = start
                while end < all.count && all[end] != 10 { end += 1 }
                lineNumber += 1
                var stop = end
                if stop > start && all[stop - 1] == 13 { stop -= 1 }
                if stop > start {
                    switch Self.parseLine(UnsafeRawBufferPointer(rebasing: all[start..<stop]), kind: kind, addedAt: addedAt) {
                    case let .success(pair): pairs.append(pair)
                    case let .failure(error): problems.append(ListImportProblem(line: lineNumber, error: error))
                    }
                }
                start = end + 1
                if let progress, lineNumber % 8192 == 0 { progress(.validating(done: min(start, all.count), total: all.count)) }
            }
        }
        progress?(.validating(done: contents.count, total: contents.count))
        if !problems.isEmpty && policy == .reject { throw .rejected(problems) }
        do {
            try write(pairs, into: dbi, progress: progress.map { report in { report(.writing(done: $0, total: pairs.count)) } })
        } catch { throw .store(error) }
        return ListImportReport(imported: pairs.count, problems: problems)
    }

    static func parseLine(_ line: UnsafeRawBufferPointer, kind: ListStoreKind, addedAt: Int64) -> Result<([UInt8], [UInt8]), ListImportLineError> {
        var fields: [UnsafeRawBufferPointer] = []
        var fieldStart = 0
        for i in 0...line.count where i == line.count || line[i] == 9 {
            fields.append(UnsafeRawBufferPointer(rebasing: line[fieldStart..<i]))
            fieldStart = i + 1
        }
        guard fields.count <= 3 else { return .failure(.tooManyFields(fields.count)) }
        let key: [UInt8]
        switch ListKey.encode(fields[0], kind: kind) {
        case let .success(k): key = k
        case let .failure(error): return .failure(.entry(error))
        }
        var metadata = ListEntryMetadata(addedAt: addedAt)
        if fields.count >= 2 {
            guard ListKey.isValidUTF8(fields[1]) else { return .failure(.entry(.invalidUTF8)) }
            metadata.reason = String(decoding: fields[1], as: UTF8.self)
        }
        if fields.count == 3 {
            let text = String(decoding: fields[2], as: UTF8.self)
            guard let expires = Int64(text), expires >= 0 else { return .failure(.malformedExpiry(text)) }
            metadata.expiresAt = expires
        }
        return .success((key, metadata.encoded))
    }
}

/// Reads a whole file (for imports).
public func readListFile(_ path: String) throws(ListStoreError) -> [UInt8] {
    let fd = Glibc.open(path, O_RDONLY)
    guard fd >= 0 else { throw .directory(path: path, errno: errno) }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 { if errno == EINTR { continue }; throw .directory(path: path, errno: errno) }
        if n == 0 { return bytes }
        bytes.append(contentsOf: chunk[0..<n])
    }
}
