// One LMDB environment per data directory per process, shared by every ListStore and reader
// that opens that directory. LMDB's rules, enforced here:
// - never open the same environment twice in a process (closing one breaks the other's
//   fcntl locks): a registry keyed by the directory's (st_dev, st_ino) hands out one instance;
// - MDB_NOTLS: read transactions belong to reader objects, not threads, so a thread may hold
//   several and a pool of threads may share them (one at a time);
// - stale reader slots of crashed processes are cleared with mdb_reader_check at open;
// - the map is grown by the writer on MDB_MAP_FULL and adopted by readers on MDB_MAP_RESIZED;
//   both need "no live transaction in this process", so live read transactions hold a shared
//   lock and a resize takes it exclusively (writer-preferring, so readers cannot starve it);
// - use after fork() is detected (LMDBForkGeneration.swift) and refused.
import CLMDB
import Glibc
import Synchronization

final class LMDBEnvironment: @unchecked Sendable {
    /// The `MDB_env*`.
    let pointer: OpaquePointer
    /// The directory holding data.mdb and lock.mdb.
    let path: String
    private let fileKey: FileKey
    private let forkGeneration: Int
    /// Shared while a read transaction is live; exclusive while the map is resized.
    private let mapLock: UnsafeMutablePointer<pthread_rwlock_t>
    /// Named databases opened so far. mdb_dbi_open must not run in concurrent transactions of
    /// one process, so opening is serialized here and every handle is opened once.
    private let databases = Mutex<[String: MDB_dbi]>([:])

    /// Largest number of named databases (lists + metadata) in one directory.
    static let maxDatabases: UInt32 = 1024
    /// Reader slots; the lock file is sparse, so a large table costs nothing.
    static let maxReaders: UInt32 = 1024

    private struct FileKey: Hashable { var device: UInt64; var inode: UInt64 }
    private struct WeakEnvironment { weak var environment: LMDBEnvironment? }
    private static let registry = Mutex<[FileKey: WeakEnvironment]>([:])

    /// The process's environment for `directory`, opening it on first use.
    static func shared(directory: String, initialMapSize: Int) throws(ListStoreError) -> LMDBEnvironment {
        var info = stat()
        guard stat(directory, &info) == 0 else { throw .directory(path: directory, errno: errno) }
        guard (info.st_mode & S_IFMT) == S_IFDIR else { throw .directory(path: directory, errno: ENOTDIR) }
        let key = FileKey(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
        let generation = lmdbCurrentForkGeneration()
        let result: Result<LMDBEnvironment, ListStoreError> = registry.withLock { table in
            if let existing = table[key]?.environment, existing.forkGeneration == generation {
                return .success(existing)
            }
            do {
                let environment = try LMDBEnvironment(directory: directory, key: key,
                                                      generation: generation, mapSize: initialMapSize)
                table[key] = WeakEnvironment(environment: environment)
                return .success(environment)
            } catch let error as ListStoreError {
                return .failure(error)
            } catch {
                preconditionFailure("unreachable: typed throws")
            }
        }
        return try result.get()
    }

    private init(directory: String, key: FileKey, generation: Int, mapSize: Int) throws(ListStoreError) {
        var env: OpaquePointer?
        try lmdbCheck(mdb_env_create(&env), "mdb_env_create")
        guard let env else { throw .lmdb(code: ENOMEM, operation: "mdb_env_create") }
        do {
            try lmdbCheck(mdb_env_set_maxdbs(env, Self.maxDatabases), "mdb_env_set_maxdbs")
            try lmdbCheck(mdb_env_set_maxreaders(env, Self.maxReaders), "mdb_env_set_maxreaders")
            try lmdbCheck(mdb_env_set_mapsize(env, mapSize), "mdb_env_set_mapsize")
            try lmdbCheck(mdb_env_open(env, directory, UInt32(MDB_NOTLS), 0o644), "mdb_env_open(\(directory))")
            var dead: Int32 = 0
            try lmdbCheck(mdb_reader_check(env, &dead), "mdb_reader_check")
        } catch {
            mdb_env_close(env)
            throw error
        }
        pointer = env
        path = directory
        fileKey = key
        forkGeneration = generation
        mapLock = .allocate(capacity: 1)
        var attributes = pthread_rwlockattr_t()
        pthread_rwlockattr_init(&attributes)
        pthread_rwlockattr_setkind_np(&attributes, Int32(PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP))
        pthread_rwlock_init(mapLock, &attributes)
        pthread_rwlockattr_destroy(&attributes)
    }

    deinit {
        // Close inside the registry lock so that a concurrent open of the same directory waits
        // for the close instead of opening a second environment beside this one.
        Self.registry.withLock { table in
            if table[fileKey]?.environment == nil { table[fileKey] = nil }
            if forkGeneration == lmdbCurrentForkGeneration() { mdb_env_close(pointer) }
        }
        pthread_rwlock_destroy(mapLock)
        mapLock.deallocate()
    }

    /// Throws if this environment was opened before a fork of the current process.
    @inline(__always)
    func checkFork() throws(ListStoreError) {
        if forkGeneration != lmdbForkGenerationCounter.load(ordering: .relaxed) { throw .usedAfterFork(path: path) }
    }

    // MARK: Read transactions

    /// Marks a read transaction of this process as about to be live (blocks during a resize).
    @inline(__always) func enterRead() { pthread_rwlock_rdlock(mapLock) }
    /// Marks the end of a live read transaction.
    @inline(__always) func exitRead() { pthread_rwlock_unlock(mapLock) }

    /// Adopts a map size grown by another process (after MDB_MAP_RESIZED). The caller must hold
    /// no live read transaction.
    func adoptGrownMap() throws(ListStoreError) {
        pthread_rwlock_wrlock(mapLock)
        defer { pthread_rwlock_unlock(mapLock) }
        try lmdbCheck(mdb_env_set_mapsize(pointer, 0), "mdb_env_set_mapsize(0)")
    }

    /// Current map size in bytes.
    var mapSize: Int {
        var info = MDB_envinfo()
        mdb_env_info(pointer, &info)
        return info.me_mapsize
    }

    // MARK: Databases

    /// The handle of the named database, opening it (and creating it if `create`) on first use.
    /// Returns nil when it does not exist and `create` is false.
    func database(named name: String, create: Bool) throws(ListStoreError) -> MDB_dbi? {
        try checkFork()
        let result: Result<MDB_dbi?, ListStoreError> = databases.withLock { table in
            if let dbi = table[name] { return .success(dbi) }
            do {
                var dbi: MDB_dbi = 0
                let opened: Bool = try (create ? transactWrite { txn throws(ListStoreError) in
                    try lmdbCheck(mdb_dbi_open(txn, name, UInt32(MDB_CREATE), &dbi), "mdb_dbi_open(\(name))")
                    return true
                } : withShortRead { txn throws(ListStoreError) in
                    let rc = mdb_dbi_open(txn, name, 0, &dbi)
                    if rc == MDB_NOTFOUND { return false }
                    try lmdbCheck(rc, "mdb_dbi_open(\(name))")
                    return true
                })
                guard opened else { return .success(nil) }
                table[name] = dbi
                return .success(dbi)
            } catch let error as ListStoreError {
                return .failure(error)
            } catch {
                preconditionFailure("unreachable: typed throws")
            }
        }
        return try result.get()
    }

    /// Runs `body` in a read-only transaction that is committed afterwards (which keeps any
    /// database handle it opened).
    func withShortRead<T>(_ body: (OpaquePointer) throws(ListStoreError) -> T) throws(ListStoreError) -> T {
        try checkFork()
        while true {
            enterRead()
            var txn: OpaquePointer?
            let rc = mdb_txn_begin(pointer, nil, UInt32(MDB_RDONLY), &txn)
            if rc == MDB_MAP_RESIZED {
                exitRead()
                try adoptGrownMap()
                continue
            }
            defer { exitRead() }
            try lmdbCheck(rc, "mdb_txn_begin(read)")
            do {
                let value = try body(txn!)
                try lmdbCheck(mdb_txn_commit(txn), "mdb_txn_commit(read)")
                return value
            } catch {
                mdb_txn_abort(txn)
                throw error
            }
        }
    }

    // MARK: Writes

    /// Runs `body` in a write transaction and commits it. On MDB_MAP_FULL the transaction is
    /// aborted, the map doubled and `body` run again from the start, so `body` must only
    /// depend on its inputs. On MDB_MAP_RESIZED (another process grew the map) the new size is
    /// adopted and the transaction begun again. A thread must not hold a live read transaction
    /// of this environment while it writes (the resize would wait for it).
    func transactWrite<T>(_ body: (OpaquePointer) throws(ListStoreError) -> T) throws(ListStoreError) -> T {
        try checkFork()
        while true {
            var txn: OpaquePointer?
            let rc = mdb_txn_begin(pointer, nil, 0, &txn)
            if rc == MDB_MAP_RESIZED { try adoptGrownMap(); continue }
            try lmdbCheck(rc, "mdb_txn_begin(write)")
            do {
                let value = try body(txn!)
                let commit = mdb_txn_commit(txn)  // frees the transaction whatever the result
                if commit == MDB_MAP_FULL { try grow(); continue }
                try lmdbCheck(commit, "mdb_txn_commit")
                return value
            } catch .lmdb(code: MDB_MAP_FULL, _) {
                mdb_txn_abort(txn)
                try grow()
            } catch {
                mdb_txn_abort(txn)
                throw error
            }
        }
    }

    /// Doubles the map (no transaction of this process may be live: waits for readers).
    private func grow() throws(ListStoreError) {
        pthread_rwlock_wrlock(mapLock)
        defer { pthread_rwlock_unlock(mapLock) }
        try lmdbCheck(mdb_env_set_mapsize(pointer, mapSize * 2), "mdb_env_set_mapsize(grow)")
    }
}
