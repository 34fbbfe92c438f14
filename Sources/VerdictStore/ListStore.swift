// A directory of lists in one LMDB environment: one named database per list plus the metadata
// database `verdict.lists` (key: list name, value: the kind as text, e.g. "string ci"). This is
// the administrative side (create, add, remove, count, export); lookups go through ListReader,
// one per thread. Writers in other processes (the CLI, python-lmdb, mdb_load) may change the
// lists at any time; readers see each commit at their next `renew()`.
import CLMDB
import Glibc
import Synchronization

/// One entry to add: the value as written (an email, an address or CIDR range, a BIN prefix)
/// and optional metadata.
public struct ListEntry: Equatable, Sendable {
    public var value: String
    public var metadata: ListEntryMetadata?

    public init(_ value: String, metadata: ListEntryMetadata? = nil) {
        self.value = value
        self.metadata = metadata
    }
}

/// The lists of one data directory.
public final class ListStore: @unchecked Sendable {
    /// Name of the metadata database (list name -> kind).
    public static let metadataDatabase = "verdict.lists"
    /// Default initial map size: 1 GiB of address space (the file is sparse; it grows on demand).
    public static let defaultMapSize = 1 << 30
    /// Longest list name.
    public static let maxNameLength = 64

    let environment: LMDBEnvironment
    /// Membership filters shared by the readers of this store, newest snapshot per list.
    let sharedFilters = Mutex<[String: ListMembershipFilter]>([:])

    /// The data directory.
    public var path: String { environment.path }

    /// Opens the lists in `directory` (created if `create` and missing). All stores of one
    /// directory in a process share one LMDB environment.
    public init(directory: String, create: Bool = false, initialMapSize: Int = ListStore.defaultMapSize) throws(ListStoreError) {
        if create, mkdir(directory, 0o755) != 0, errno != EEXIST {
            throw .directory(path: directory, errno: errno)
        }
        environment = try LMDBEnvironment.shared(directory: directory, initialMapSize: initialMapSize)
    }

    /// A reader for lookups. Use one per thread (or per task, one task at a time).
    public func makeReader() -> ListReader { ListReader(store: self) }

    /// The current map size in bytes (grows by doubling when a write fills it).
    public var mapSize: Int { environment.mapSize }

    // MARK: Lists

    /// Whether `name` is a valid list name: 1-64 of [A-Za-z0-9_], not starting with a digit.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= maxNameLength, !(48...57).contains(first) else { return false }
        return name.utf8.allSatisfy { ($0 | 0x20) >= 97 && ($0 | 0x20) <= 122 || (48...57).contains($0) || $0 == 95 }
    }

    /// Creates a list of `kind`. Creating an existing list of the same kind does nothing.
    public func create(list name: String, kind: ListStoreKind) throws(ListStoreError) {
        guard Self.isValidName(name) else { throw .invalidListName(name) }
        if let existing = try kindIfPresent(of: name) {
            if existing == kind { return }
            throw .listExists(name: name, kind: existing)
        }
        let meta = try environment.database(named: Self.metadataDatabase, create: true)!
        _ = try environment.database(named: name, create: true)
        try environment.transactWrite { txn throws(ListStoreError) in
            try lmdbPut(txn, meta, key: Array(name.utf8), value: Array(kind.rawValue.utf8), operation: "mdb_put(metadata)")
        }
    }

    /// The kind of list `name`.
    public func kind(of name: String) throws(ListStoreError) -> ListStoreKind {
        guard let kind = try kindIfPresent(of: name) else { throw .noSuchList(name) }
        return kind
    }

    /// All lists with their kinds, sorted by name.
    public func lists() throws(ListStoreError) -> [(name: String, kind: ListStoreKind)] {
        guard let meta = try environment.database(named: Self.metadataDatabase, create: false) else { return [] }
        var raw: [(String, String)] = []
        try environment.withShortRead { txn throws(ListStoreError) in
            try lmdbForEachPair(txn, meta) { key, value in
                raw.append((String(decoding: key, as: UTF8.self), String(decoding: value, as: UTF8.self)))
            }
        }
        var result: [(name: String, kind: ListStoreKind)] = []
        for (name, text) in raw {
            guard let kind = ListStoreKind(rawValue: text) else { throw .corruptMetadata(list: name, detail: "unknown kind '\(text)'") }
            result.append((name, kind))
        }
        return result
    }

    func kindIfPresent(of name: String) throws(ListStoreError) -> ListStoreKind? {
        guard Self.isValidName(name) else { throw .invalidListName(name) }
        guard let meta = try environment.database(named: Self.metadataDatabase, create: false) else { return nil }
        let text: String? = try environment.withShortRead { txn throws(ListStoreError) in
            var key = Array(name.utf8)
            let (rc, found) = key.withUnsafeMutableBytes { k -> (Int32, String?) in
                var mk = MDB_val(mv_size: k.count, mv_data: k.baseAddress)
                var mv = MDB_val()
                let rc = mdb_get(txn, meta, &mk, &mv)
                guard rc == 0 else { return (rc, nil) }
                return (0, String(decoding: UnsafeRawBufferPointer(start: mv.mv_data, count: mv.mv_size), as: UTF8.self))
            }
            if rc == MDB_NOTFOUND { return nil }
            try lmdbCheck(rc, "mdb_get(metadata)")
            return found
        }
        guard let text else { return nil }
        guard let kind = ListStoreKind(rawValue: text) else { throw .corruptMetadata(list: name, detail: "unknown kind '\(text)'") }
        return kind
    }

    /// The database handle and kind of an existing list.
    func open(list name: String) throws(ListStoreError) -> (dbi: MDB_dbi, kind: ListStoreKind) {
        let kind = try kind(of: name)
        guard let dbi = try environment.database(named: name, create: false) else {
            throw .corruptMetadata(list: name, detail: "recorded in \(Self.metadataDatabase) but its database is missing")
        }
        return (dbi, kind)
    }

    // MARK: Entries

    /// The stored key of an entry for a list kind, or why the entry is invalid.
    public static func key(forEntry value: String, kind: ListStoreKind) -> Result<[UInt8], ListEntryError> {
        ListKey.encode(value, kind: kind)
    }

    /// Adds (or replaces) entries in one transaction. Every entry is validated first, so an
    /// invalid one leaves the list untouched. Returns the number of entries written.
    @discardableResult
    public func add(_ entries: [ListEntry], to name: String) throws(ListStoreError) -> Int {
        let (dbi, kind) = try open(list: name)
        var encoded: [([UInt8], [UInt8])] = []
        encoded.reserveCapacity(entries.count)
        for entry in entries {
            switch ListKey.encode(entry.value, kind: kind) {
            case let .success(key): encoded.append((key, entry.metadata?.encoded ?? []))
            case let .failure(error): throw .invalidEntry(error)
            }
        }
        try write(encoded, into: dbi, progress: nil)
        return encoded.count
    }

    /// Writes already-encoded (key, value) pairs in one transaction; `progress` gets the number
    /// written so far every 4096 entries.
    func write(_ pairs: [([UInt8], [UInt8])], into dbi: MDB_dbi, progress: ((Int) -> Void)?) throws(ListStoreError) {
        try environment.transactWrite { txn throws(ListStoreError) in
            for (i, (key, value)) in pairs.enumerated() {
                try lmdbPut(txn, dbi, key: key, value: value, operation: "mdb_put")
                if let progress, i % 4096 == 4095 { progress(i + 1) }
            }
        }
        progress?(pairs.count)
    }

    /// Removes entries (given as written when added) in one transaction; returns how many
    /// existed. Invalid values are rejected before anything is removed.
    @discardableResult
    public func remove(_ values: [String], from name: String) throws(ListStoreError) -> Int {
        let (dbi, kind) = try open(list: name)
        var keys: [[UInt8]] = []
        for value in values {
            switch ListKey.encode(value, kind: kind) {
            case let .success(key): keys.append(key)
            case let .failure(error): throw .invalidEntry(error)
            }
        }
        return try environment.transactWrite { txn throws(ListStoreError) in
            var removed = 0
            for var key in keys {
                let rc = key.withUnsafeMutableBytes { k in
                    var mk = MDB_val(mv_size: k.count, mv_data: k.baseAddress)
                    return mdb_del(txn, dbi, &mk, nil)
                }
                if rc == MDB_NOTFOUND { continue }
                try lmdbCheck(rc, "mdb_del")
                removed += 1
            }
            return removed
        }
    }

    /// Number of entries in list `name` (expired ones included).
    public func count(_ name: String) throws(ListStoreError) -> Int {
        let (dbi, _) = try open(list: name)
        return try environment.withShortRead { txn throws(ListStoreError) in
            var stat = MDB_stat()
            try lmdbCheck(mdb_stat(txn, dbi, &stat), "mdb_stat")
            return stat.ms_entries
        }
    }

    /// Calls `body` for every entry of list `name` in key order with its canonical text
    /// (case-folded, masked network) and metadata, from one consistent snapshot.
    public func forEachEntry(in name: String, _ body: (String, ListEntryMetadata?) -> Void) throws(ListStoreError) {
        let (dbi, kind) = try open(list: name)
        try environment.withShortRead { txn throws(ListStoreError) in
            try lmdbForEachPair(txn, dbi) { key, value in
                body(ListKey.text(of: key, kind: kind), ListEntryMetadata(stored: value))
            }
        }
    }
}

// MARK: LMDB helpers shared by the store and the readers

func lmdbPut(_ txn: OpaquePointer, _ dbi: MDB_dbi, key: [UInt8], value: [UInt8], operation: String) throws(ListStoreError) {
    var key = key, value = value
    let rc = key.withUnsafeMutableBytes { k in
        value.withUnsafeMutableBytes { v in
            var mk = MDB_val(mv_size: k.count, mv_data: k.baseAddress)
            var mv = MDB_val(mv_size: v.count, mv_data: v.baseAddress)
            return mdb_put(txn, dbi, &mk, &mv, 0)
        }
    }
    try lmdbCheck(rc, operation)
}

/// Iterates all (key, value) pairs of a database in key order.
func lmdbForEachPair(_ txn: OpaquePointer, _ dbi: MDB_dbi,
                 _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Void) throws(ListStoreError) {
    var cursor: OpaquePointer?
    try lmdbCheck(mdb_cursor_open(txn, dbi, &cursor), "mdb_cursor_open")
    defer { mdb_cursor_close(cursor) }
    var key = MDB_val(), value = MDB_val()
    var rc = mdb_cursor_get(cursor, &key, &value, MDB_FIRST)
    while rc == 0 {
        body(UnsafeRawBufferPointer(start: key.mv_data, count: key.mv_size),
             UnsafeRawBufferPointer(start: value.mv_data, count: value.mv_size))
        rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT)
    }
    if rc != MDB_NOTFOUND { try lmdbCheck(rc, "mdb_cursor_get") }
}
