// Errors of the LMDB-backed list store, as typed values with readable messages. Every failure of
// LMDB itself keeps its return code and the operation that produced it; misuse that LMDB would
// turn into corruption or a crash (use after fork, unknown list) is reported before reaching it.
import CLMDB
import Glibc

/// A failure of the list store. `description` is the message shown to users.
public enum ListStoreError: Error, Equatable, CustomStringConvertible {
    /// An LMDB call returned a non-zero code.
    case lmdb(code: Int32, operation: String)
    /// The store was opened before a `fork()` and used in the child (LMDB forbids it).
    case usedAfterFork(path: String)
    /// The data directory does not exist or cannot be inspected.
    case directory(path: String, errno: Int32)
    /// A list name that is not an identifier of 1 to 64 characters (or is reserved).
    case invalidListName(String)
    /// `create` of a list that already exists with a different kind.
    case listExists(name: String, kind: ListStoreKind)
    /// A list that has no record in the metadata database.
    case noSuchList(String)
    /// A metadata record whose kind is not one of the list kinds.
    case corruptMetadata(list: String, detail: String)
    /// An entry rejected by the list's kind (malformed address, key too long, ...).
    case invalidEntry(ListEntryError)

    public var description: String {
        switch self {
        case let .lmdb(code, operation):
            return "LMDB \(operation) failed: \(String(cString: mdb_strerror(code))) (\(code))"
        case let .usedAfterFork(path):
            return "list store \(path) was opened before fork(); open it again in the child process"
        case let .directory(path, errno):
            return "list directory \(path): \(String(cString: strerror(errno)))"
        case let .invalidListName(name):
            return "invalid list name '\(name)': use 1-64 letters, digits or '_', not starting with a digit"
        case let .listExists(name, kind):
            return "list \(name) already exists with kind '\(kind)'"
        case let .noSuchList(name):
            return "no list named \(name)"
        case let .corruptMetadata(list, detail):
            return "metadata of list \(list) is corrupt: \(detail)"
        case let .invalidEntry(error):
            return error.description
        }
    }
}

/// Checks an LMDB return code, turning non-zero into `ListStoreError.lmdb`.
@inline(__always)
func lmdbCheck(_ code: Int32, _ operation: @autoclosure () -> String) throws(ListStoreError) {
    if code != 0 { throw .lmdb(code: code, operation: operation()) }
}
