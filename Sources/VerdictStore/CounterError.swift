// The errors of the velocity counter table: bad definitions, files that are not (or no longer)
// valid counter files, and operating-system failures. Each carries a message meant for a person.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a counter table could not be created, opened or used.
public enum CounterError: Error, Equatable, CustomStringConvertible, Sendable {
    /// A counter definition or table geometry is outside the supported limits.
    case invalidDefinition(String)
    /// The file is not a Verdict counter file (wrong magic or too short to have a header).
    case foreignFile(path: String, reason: String)
    /// The file is a counter file of an unsupported format version.
    case unsupportedVersion(path: String, found: UInt32)
    /// The file claims to be a counter file but its header is damaged or inconsistent.
    case corruptFile(path: String, reason: String)
    /// The file is valid but holds other counters than the ones asked for: each difference in
    /// words (`counterDifferences(file:wanted:)`).
    case definitionsMismatch(path: String, differences: [String])
    /// Another process holds the file open for writing.
    case lockedByAnotherWriter(path: String)
    /// The table was opened read-only and cannot be changed.
    case readOnly(path: String)
    /// No counter by that name exists in the table.
    case unknownCounter(String)
    /// A system call failed.
    case system(operation: String, path: String, errno: Int32)

    public var description: String {
        switch self {
        case .invalidDefinition(let why):
            return "invalid counter definition: \(why)"
        case .foreignFile(let path, let reason):
            return "\(path): not a Verdict counter file (\(reason))"
        case .unsupportedVersion(let path, let found):
            return "\(path): counter file format version \(found) is not supported (this build reads \(CounterFileHeader.oldestReadableVersion)...\(CounterFileHeader.version))"
        case .corruptFile(let path, let reason):
            return "\(path): counter file is corrupt (\(reason)); recreate it with `verdict counters create`"
        case .definitionsMismatch(let path, let differences):
            return "\(path): the counter file was made for other counters: \(differences.joined(separator: "; ")). "
                + "To keep its counts, stop its writer and run `verdict counters migrate \(path) --rules RULES -o NEW` "
                + "(see docs/operations.md), then use NEW; or start from an empty file with `verdict counters create`"
        case .lockedByAnotherWriter(let path):
            return "\(path): another process has the counter file open for writing (one writer process at a time)"
        case .readOnly(let path):
            return "\(path): counter table is open read-only"
        case .unknownCounter(let name):
            return "no counter named '\(name)'"
        case .system(let operation, let path, let errno):
            return "\(path): \(operation) failed: \(String(cString: strerror(errno)))"
        }
    }
}
