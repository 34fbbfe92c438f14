// Lookups in the lists of a ListStore: the hot path of `x in @list`. A reader owns one LMDB
// read transaction (MDB_NOTLS) that is renewed at the start of an evaluation and reset at its
// end, never begun twice; between the two it sees one snapshot. Each list is answered first by
// its membership filter (a miss costs a hash and one cache line), then by LMDB:
// - string / string ci: one mdb_get (the value is ASCII-folded into a scratch buffer for ci);
// - ip: the length table (and, for a coarse key of several keys, the filter) names the longest
//   prefix length that can match; there one mdb_get of the exact key answers the usual hit
//   (`contains` does it in a small function of its own). If that key is absent (a
//   filter false positive) or expired, a floor search over the keys (family | start address |
//   prefix length) takes over below that length: MDB_SET_RANGE to the first key after the
//   address, one step back, and the candidate either contains the address or bounds how long
//   a containing range can be (see `floorSearchIP`); nested and overlapping ranges are handled,
//   and the most specific live range wins;
// - prefix: the same, over byte prefixes (longest prefix wins).
// What a lookup reads per list (database handle, kind, the filter's pointers) sits in a slot in
// unmanaged memory, validated once per snapshot, so a lookup touches no reference counts. After
// warm-up (filters built, cursors open) a lookup allocates nothing.
import CLMDB
import Glibc

/// A list resolved by one reader (from `ListReader.handle(_:)`).
public struct ListHandle: Hashable, Sendable {
    let index: Int
    let readerID: ObjectIdentifier
}

/// The entry that matched a value, for `verdict list check` and traces.
public struct ListMatch: Equatable, Sendable {
    /// The entry in canonical form: folded for `string ci`, the masked network for `ip`.
    public var entry: String
    /// The entry's metadata, if it has any.
    public var metadata: ListEntryMetadata?
    /// True when the entry is expired at the time asked (only with `includeExpired`).
    public var expired: Bool
}

/// Per-thread lookups in the lists of one store. Not thread-safe: one thread (or one task at a
/// time) per reader. Call `reset()` after each evaluation so that old snapshots are released.
public final class ListReader {
    private let store: ListStore
    private let environment: LMDBEnvironment
    @exclusivity(unchecked) private var transaction: OpaquePointer?
    @exclusivity(unchecked) private var live = false
    @exclusivity(unchecked) private var transactionID = 0
    /// Whether `transactionID` names the snapshot's content. LMDB reads the last txn id, then the
    /// meta page `id & 1`; when a writer commits twice in between, the snapshot holds the newer
    /// commit's content under the older id. Such a snapshot must not use or publish filters
    /// tagged by id (it gets a private filter built from its own content instead).
    @exclusivity(unchecked) private var transactionIDTrusted = true
    /// Incremented at each renew; cursors are renewed lazily when it changed.
    @exclusivity(unchecked) private var session: UInt64 = 0
    /// Per list (index of its handle): the filter owners, cursor and name.
    @exclusivity(unchecked) private var lists: [OpenList] = []
    private var names: [String: Int] = [:]
    /// Per list: what lookups read, in unmanaged memory (no reference counting on lookups).
    @exclusivity(unchecked) private var slots: UnsafeMutablePointer<ListSlot>
    @exclusivity(unchecked) private var slotCount = 0
    private var slotCapacity = 4
    /// Folded ci values and ip keys are built here.
    private let scratch = UnsafeMutableRawPointer.allocate(byteCount: 512, alignment: 64)

    /// The hot state of one list.
    private struct ListSlot {
        let dbi: MDB_dbi
        let kind: ListStoreKind
        /// The live snapshot's filter; valid only while `session` equals the reader's session.
        /// Its owner is the list's `filter` or `privateFilter`, replaced only together with it.
        var filter: ListFilterView
        var session: UInt64
    }

    private final class OpenList {
        let name: String
        let kind: ListStoreKind
        let dbi: MDB_dbi
        @exclusivity(unchecked) var filter: ListMembershipFilter?
        @exclusivity(unchecked) var cursor: OpaquePointer?
        @exclusivity(unchecked) var cursorSession: UInt64 = 0
        /// A filter built from an untrusted snapshot's own content, valid for `privateSession` only.
        @exclusivity(unchecked) var privateFilter: ListMembershipFilter?
        @exclusivity(unchecked) var privateSession: UInt64 = 0
        init(name: String, kind: ListStoreKind, dbi: MDB_dbi) { self.name = name; self.kind = kind; self.dbi = dbi }
    }

    init(store: ListStore) {
        self.store = store
        environment = store.environment
        slots = .allocate(capacity: slotCapacity)
    }

    deinit {
        for list in lists where list.cursor != nil { mdb_cursor_close(list.cursor) }
        if live { reset() }
        if let transaction { mdb_txn_abort(transaction) }
        slots.deinitialize(count: slotCount)
        slots.deallocate()
        scratch.deallocate()
    }

    /// Resolves a list by name (once, when setting up; keep the handle). Resolving a new name
    /// reads the metadata in a short transaction of its own, so a live snapshot is reset first
    /// (a second read lock on this thread could deadlock against a waiting map resize).
    public func handle(_ name: String) throws(ListStoreError) -> ListHandle {
        if let index = names[name] { return ListHandle(index: index, readerID: ObjectIdentifier(self)) }
        reset()
        let (dbi, kind) = try store.open(list: name)
        lists.append(OpenList(name: name, kind: kind, dbi: dbi))
        names[name] = lists.count - 1
        if slotCount == slotCapacity {
            let grown = UnsafeMutablePointer<ListSlot>.allocate(capacity: slotCapacity * 2)
            grown.moveInitialize(from: slots, count: slotCount)
            slots.deallocate()
            slots = grown
            slotCapacity *= 2
        }
        // Session 0 is never live (the first renew makes it 1): the filter is set at first use.
        (slots + slotCount).initialize(to: ListSlot(dbi: dbi, kind: kind, filter: ListMembershipFilter.empty.view, session: 0))
        slotCount += 1
        return ListHandle(index: lists.count - 1, readerID: ObjectIdentifier(self))
    }

    /// The kind of a resolved list.
    public func kind(of handle: ListHandle) -> ListStoreKind { lists[handle.index].kind }

    // MARK: Snapshot lifecycle

    /// Starts a snapshot: renews the read transaction (adopting a map grown by another process).
    /// Lookups renew implicitly when no snapshot is live.
    public func renew() throws(ListStoreError) {
        if live { reset() }
        try environment.checkFork()
        // A snapshot whose id does not name its content (see `transactionIDTrusted`) is retaken a
        // few times: it can also be newer than the next snapshot LMDB hands out, and retaking it
        // keeps the snapshots a reader sees in commit order.
        for attempt in 0..<8 {
            if attempt > 0 { reset() }
            try beginSnapshot()
            if transactionIDTrusted { return }
        }
    }

    private func beginSnapshot() throws(ListStoreError) {
        while true {
            environment.enterRead()
            let rc: Int32
            if let transaction { rc = mdb_txn_renew(transaction) } else { rc = mdb_txn_begin(environment.pointer, nil, UInt32(MDB_RDONLY), &transaction) }
            if rc == 0 { break }
            environment.exitRead()
            if let transaction, rc != 0 { mdb_txn_abort(transaction); self.transaction = nil }
            if rc == MDB_MAP_RESIZED { try environment.adoptGrownMap(); continue }
            throw .lmdb(code: rc, operation: "mdb_txn_renew")
        }
        live = true
        session &+= 1
        transactionID = mdb_txn_id(transaction)
        // The id is exact unless two commits landed while LMDB picked the meta page: if the newest
        // commit now is at most id + 1, the meta page `id & 1` had not been rewritten (a commit
        // writes its meta page before it publishes its id).
        var info = MDB_envinfo()
        mdb_env_info(environment.pointer, &info)
        transactionIDTrusted = Int(info.me_last_txnid) <= transactionID + 1
    }

    /// Ends the snapshot (releases the reader slot's pin on old pages). Cheap; call it after
    /// every evaluation.
    public func reset() {
        guard live else { return }
        mdb_txn_reset(transaction)
        live = false
        environment.exitRead()
    }

    // MARK: Lookups

    /// Whether `value` matches a live (not expired at `now`, Unix seconds) entry of the list.
    /// A value that cannot match the kind (an unparsable address, an over-long key) is absent.
    @inline(__always)
    public func contains(_ handle: ListHandle, _ value: String, now: Int64) throws(ListStoreError) -> Bool {
        try withListValueBytes(value) { bytes throws(ListStoreError) in
            try contains(handle, utf8: bytes, now: now)
        }
    }

    /// `contains` over raw UTF-8 bytes.
    public func contains(_ handle: ListHandle, utf8 value: UnsafeRawBufferPointer, now: Int64) throws(ListStoreError) -> Bool {
        let slot = try slot(handle)
        if slot.pointee.kind == .prefix { return try containsPrefix(slot, handle.index, value, now: now) }
        return try find(slot, handle.index, value, now: now, includeExpired: false) != nil
    }

    /// `contains` for an address given as its network-order bytes (4 for IPv4, 16 for IPv6; an
    /// IPv4-mapped IPv6 address counts as IPv4), as the engine holds addresses. An ip list is
    /// searched without text; a list of another kind is searched for the address's text as
    /// `inet_ntop` writes it. Any other byte count is absent.
    public func contains(_ handle: ListHandle, ipBytes: UnsafeRawBufferPointer, now: Int64) throws(ListStoreError) -> Bool {
        let slot = try slot(handle)
        guard slot.pointee.kind == .ip else { return try containsAddressText(handle, ipBytes, now: now) }
        guard let address = ListIPNetwork(addressBytes: ipBytes) else { return false }
        // `findIP` answering only yes or no: the usual hit and miss in one small function.
        let length = admittedIPLength(slot, address)
        guard length >= 0 else { return false }
        var network = address
        network.setToPrefix(length)
        let rc = liveGet(slot, UnsafeRawBufferPointer(start: scratch, count: ListKey.writeIPKey(network, into: scratch)), now: now)
        if rc == 0 { return true }
        return try ipAfterGet(rc, handle.index, address, length, now: now)
    }

    /// The rest of `contains(_:ipBytes:now:)` after `liveGet` found no live entry at `length`
    /// (a filter false positive, an expired entry, an LMDB error): the range search below it.
    /// Out of line, so that the usual hit and miss stay small.
    @inline(never)
    private func ipAfterGet(_ rc: Int32, _ index: Int, _ address: ListIPNetwork, _ length: Int, now: Int64) throws(ListStoreError) -> Bool {
        if rc != MDB_NOTFOUND { throw getError(rc, index) }
        return try floorSearchIP(lists[index], address, bound: length - 1, now: now, includeExpired: false) != nil
    }

    private func containsAddressText(_ handle: ListHandle, _ bytes: UnsafeRawBufferPointer, now: Int64) throws(ListStoreError) -> Bool {
        guard bytes.count == 4 || bytes.count == 16, let base = bytes.baseAddress else { return false }
        var text = [CChar](repeating: 0, count: 64)
        guard inet_ntop(bytes.count == 4 ? AF_INET : AF_INET6, base, &text, 64) != nil else { return false }
        return try withListValueBytes(String(cString: text)) { value throws(ListStoreError) in
            try contains(handle, utf8: value, now: now)
        }
    }

    /// The entry `value` matches, with its metadata; with `includeExpired`, an expired entry
    /// is reported (flagged) when no live one matches.
    public func match(_ handle: ListHandle, _ value: String, now: Int64, includeExpired: Bool = false) throws(ListStoreError) -> ListMatch? {
        let slot = try slot(handle)
        let kind = slot.pointee.kind
        return try withListValueBytes(value) { raw throws(ListStoreError) -> ListMatch? in
            var found = try find(slot, handle.index, raw, now: now, includeExpired: false)
            var expired = false
            if found == nil && includeExpired {
                found = try find(slot, handle.index, raw, now: now, includeExpired: true)
                expired = found != nil
            }
            guard let (key, value) = found else { return nil }
            return ListMatch(entry: ListKey.text(of: key, kind: kind),
                             metadata: ListEntryMetadata(stored: value), expired: expired)
        }
    }

    /// One mdb_get of an already encoded key in the live snapshot, bypassing the filter and
    /// metadata: the raw LMDB baseline that `verdict list bench` compares lookups against.
    public func rawGet(_ handle: ListHandle, key: UnsafeRawBufferPointer) throws(ListStoreError) -> Bool {
        try check(handle)
        if !live { try renew() }
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val()
        let rc = mdb_get(transaction, slots[handle.index].dbi, &k, &v)
        if rc == MDB_NOTFOUND { return false }
        try lmdbCheck(rc, "mdb_get")
        return true
    }

    @inline(__always)
    private func check(_ handle: ListHandle) throws(ListStoreError) {
        if handle.readerID != ObjectIdentifier(self) || handle.index >= slotCount {
            throw .noSuchList("(a handle of another reader)")
        }
    }

    /// The list's slot with a live snapshot and the snapshot's filter.
    @inline(__always)
    private func slot(_ handle: ListHandle) throws(ListStoreError) -> UnsafeMutablePointer<ListSlot> {
        try check(handle)
        if !live { try renew() }
        let slot = slots + handle.index
        if slot.pointee.session != session { try refreshSlot(handle.index) }
        return slot
    }

    /// The matched (key, value) in the live snapshot, or nil.
    @inline(__always)
    private func find(_ slot: UnsafeMutablePointer<ListSlot>, _ index: Int, _ value: UnsafeRawBufferPointer, now: Int64,
                      includeExpired: Bool) throws(ListStoreError) -> (UnsafeRawBufferPointer, UnsafeRawBufferPointer)? {
        let count = value.count
        guard count > 0, count <= ListKey.maxBytes else { return nil }
        switch slot.pointee.kind {
        case .string:
            guard slot.pointee.filter.mayContain(value) else { return nil }
            return try get(slot, index, value, now: now, includeExpired: includeExpired)
        case .stringCaseInsensitive:
            ListKey.foldASCII(value, into: scratch)
            let key = UnsafeRawBufferPointer(start: scratch, count: count)
            guard slot.pointee.filter.mayContain(key) else { return nil }
            return try get(slot, index, key, now: now, includeExpired: includeExpired)
        case .ip:
            guard let address = ListIPAddressText.parseAddress(value) else { return nil }
            return try findIP(slot, index, address, now: now, includeExpired: includeExpired)
        case .prefix:
            return try findPrefix(slot, index, value, now: now, includeExpired: includeExpired)
        }
    }

    /// Most specific live range of an ip list containing `address`: the filter names the
    /// longest length it admits (see `ListFilterView.firstAdmittedLength`), an exact mdb_get
    /// there answers the usual hit, and a false positive or an expired entry continues with the
    /// range search below that length.
    @inline(__always)
    private func findIP(_ slot: UnsafeMutablePointer<ListSlot>, _ index: Int, _ address: ListIPNetwork, now: Int64,
                        includeExpired: Bool) throws(ListStoreError) -> (UnsafeRawBufferPointer, UnsafeRawBufferPointer)? {
        let length = admittedIPLength(slot, address)
        guard length >= 0 else { return nil }
        var network = address
        network.setToPrefix(length)
        let n = ListKey.writeIPKey(network, into: scratch)
        if let hit = try get(slot, index, UnsafeRawBufferPointer(start: scratch, count: n), now: now, includeExpired: includeExpired) {
            return hit
        }
        return try floorSearchIP(lists[index], address, bound: length - 1, now: now, includeExpired: includeExpired)
    }

    /// Longest live prefix entry of `value`: the filter names the longest length it admits, an
    /// exact mdb_get there answers the usual hit, and a false positive or an expired entry
    /// continues with the range search below that length.
    @inline(__always)
    private func findPrefix(_ slot: UnsafeMutablePointer<ListSlot>, _ index: Int, _ value: UnsafeRawBufferPointer, now: Int64,
                            includeExpired: Bool) throws(ListStoreError) -> (UnsafeRawBufferPointer, UnsafeRawBufferPointer)? {
        let length = admittedPrefixLength(slot, value)
        guard length > 0 else { return nil }
        if let hit = try get(slot, index, UnsafeRawBufferPointer(rebasing: value[0..<length]), now: now, includeExpired: includeExpired) {
            return hit
        }
        return try floorSearchPrefix(lists[index], value, bound: length - 1, now: now, includeExpired: includeExpired)
    }

    /// The longest prefix length at which the filter admits `address` (see
    /// `ListFilterView.firstAdmittedLength`), or -1.
    @inline(__always)
    private func admittedIPLength(_ slot: UnsafeMutablePointer<ListSlot>, _ address: ListIPNetwork) -> Int {
        @inline(__always) func hash(_ length: Int) -> UInt64 {
            var network = address
            network.setToPrefix(length)
            return ListFilterView.ipHash(network)
        }
        return address.isV4
            ? slot.pointee.filter.firstAdmittedLength(at: ListFilterView.ipv4LengthsAt, count: slot.pointee.filter.ipv4Count, atMost: 32, tableHash: hash, hash: hash)
            : slot.pointee.filter.firstAdmittedLength(at: ListFilterView.ipv6LengthsAt, count: slot.pointee.filter.ipv6Count, atMost: 128, tableHash: hash, hash: hash)
    }

    /// The longest length at which the filter admits a prefix of `value` (see
    /// `ListFilterView.firstAdmittedLength`), or -1.
    @inline(__always)
    private func admittedPrefixLength(_ slot: UnsafeMutablePointer<ListSlot>, _ value: UnsafeRawBufferPointer) -> Int {
        let head = ListFilterView.word(value, from: 0)
        return slot.pointee.filter.firstAdmittedLength(at: ListFilterView.prefixLengthsAt, count: slot.pointee.filter.prefixCount, atMost: value.count,
                                                       tableHash: { ListFilterView.prefixTableHash(value, head: head, length: $0) }) {
            $0 <= 8 ? ListFilterView.shortPrefixHash(head: head, length: $0) : ListFilterView.prefixHash(value, length: $0)
        }
    }

    /// `contains` on a prefix list: `findPrefix` answering only yes or no, with the usual hit
    /// (one mdb_get, a live entry) and miss kept in one small function and the rest (an LMDB
    /// error, a filter false positive, an expired entry) out of line.
    @inline(never)
    private func containsPrefix(_ slot: UnsafeMutablePointer<ListSlot>, _ index: Int, _ value: UnsafeRawBufferPointer,
                                now: Int64) throws(ListStoreError) -> Bool {
        guard value.count > 0, value.count <= ListKey.maxBytes else { return false }
        let length = admittedPrefixLength(slot, value)
        guard length > 0 else { return false }
        let rc = liveGet(slot, UnsafeRawBufferPointer(rebasing: value[0..<length]), now: now)
        if rc == 0 { return true }
        return try prefixAfterGet(rc, index, value, length, now: now)
    }

    /// The rest of `containsPrefix` after `liveGet` found no live entry at `length`, as in
    /// `ipAfterGet`.
    @inline(never)
    private func prefixAfterGet(_ rc: Int32, _ index: Int, _ value: UnsafeRawBufferPointer, _ length: Int, now: Int64) throws(ListStoreError) -> Bool {
        if rc != MDB_NOTFOUND { throw getError(rc, index) }
        return try floorSearchPrefix(lists[index], value, bound: length - 1, now: now, includeExpired: false) != nil
    }

    /// One mdb_get of `key`: 0 for a live entry, MDB_NOTFOUND for none or an expired one, else
    /// LMDB's error code. The end of the usual hit of a range lookup's `contains`.
    @inline(__always)
    private func liveGet(_ slot: UnsafeMutablePointer<ListSlot>, _ key: UnsafeRawBufferPointer, now: Int64) -> Int32 {
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val()
        let rc = mdb_get(transaction, slot.pointee.dbi, &k, &v)
        if rc == 0 && ListEntryMetadata.isExpired(stored: UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size), now: now) {
            return MDB_NOTFOUND
        }
        return rc
    }

    @inline(__always)
    private func get(_ slot: UnsafeMutablePointer<ListSlot>, _ index: Int, _ key: UnsafeRawBufferPointer, now: Int64,
                     includeExpired: Bool) throws(ListStoreError) -> (UnsafeRawBufferPointer, UnsafeRawBufferPointer)? {
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val()
        let rc = mdb_get(transaction, slot.pointee.dbi, &k, &v)
        if rc == MDB_NOTFOUND { return nil }
        if rc != 0 { throw getError(rc, index) }
        let stored = UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size)
        if !includeExpired && ListEntryMetadata.isExpired(stored: stored, now: now) { return nil }
        return (key, stored)
    }

    @inline(never)
    private func getError(_ rc: Int32, _ index: Int) -> ListStoreError {
        .lmdb(code: rc, operation: "mdb_get(\(lists[index].name))")
    }

    /// The greatest key <= `target` (MDB_SET_RANGE, then one step back unless exact), or nil.
    private func floor(_ list: OpenList, _ target: UnsafeRawBufferPointer) throws(ListStoreError) -> (UnsafeRawBufferPointer, UnsafeRawBufferPointer)? {
        let cursor = try cursor(for: list)
        var k = MDB_val(mv_size: target.count, mv_data: UnsafeMutableRawPointer(mutating: target.baseAddress))
        var v = MDB_val()
        var rc = mdb_cursor_get(cursor, &k, &v, MDB_SET_RANGE)
        if rc == MDB_NOTFOUND {
            rc = mdb_cursor_get(cursor, &k, &v, MDB_LAST)
        } else if rc == 0 && !(k.mv_size == target.count && memcmp(k.mv_data, target.baseAddress!, target.count) == 0) {
            rc = mdb_cursor_get(cursor, &k, &v, MDB_PREV)
        }
        if rc == MDB_NOTFOUND { return nil }
        try lmdbCheck(rc, "mdb_cursor_get(\(list.name))")
        return (UnsafeRawBufferPointer(start: k.mv_data, count: k.mv_size), UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size))
    }

    /// Most specific live network containing `address` among those of length <= `start`.
    /// Invariant: every containing entry still to consider has a prefix length <= `bound`, so its key is <= (address masked to bound | bound). Let X be
    /// the greatest key <= that target. If X contains the address (and is live), nothing
    /// between X and the target can (those keys start after the address), so X is the most
    /// specific. Otherwise a containing range R must strictly contain X (CIDR ranges nest or
    /// are disjoint), so R's length is below both X's length and the bits X shares with the
    /// address; that is the new, strictly smaller bound. At most 33 (IPv4) or 129 (IPv6) steps,
    /// usually one.
    @inline(never)
    private func floorSearchIP(_ list: OpenList, _ address: ListIPNetwork, bound start: Int, now: Int64,
                               includeExpired: Bool) throws(ListStoreError) -> (UnsafeRawBufferPointer, UnsafeRawBufferPointer)? {
        var bound = start
        let family = address.isV4 ? ListKey.familyV4 : ListKey.familyV6
        while bound >= 0 {
            var target = address
            target.setToPrefix(bound)
            let n = ListKey.writeIPKey(target, into: scratch)
            guard let (key, value) = try floor(list, UnsafeRawBufferPointer(start: scratch, count: n)),
                  key.count == n, key[0] == family, let candidate = ListKey.network(of: key) else { return nil }
            var masked = address
            masked.setToPrefix(candidate.prefixLength)
            if masked == candidate {
                if includeExpired || !ListEntryMetadata.isExpired(stored: value, now: now) { return (key, value) }
                bound = candidate.prefixLength - 1
            } else {
                bound = min(address.commonPrefixLength(with: candidate), candidate.prefixLength - 1)
            }
        }
        return nil
    }

    /// Longest live prefix of `value` of at most `start` bytes, by the same bound argument as `floorSearchIP`: X is the
    /// greatest key <= value[..<bound]; if X is a prefix of the value it is the longest one;
    /// otherwise every prefix entry is at most as long as the bytes X shares with the value.
    @inline(never)
    private func floorSearchPrefix(_ list: OpenList, _ value: UnsafeRawBufferPointer, bound start: Int, now: Int64,
                                   includeExpired: Bool) throws(ListStoreError) -> (UnsafeRawBufferPointer, UnsafeRawBufferPointer)? {
        var bound = start
        while bound > 0 {
            guard let (key, stored) = try floor(list, UnsafeRawBufferPointer(rebasing: value[0..<bound])) else { return nil }
            var common = 0
            let limit = min(key.count, bound)
            while common < limit && key[common] == value[common] { common += 1 }
            if common == key.count {  // X is a prefix of the value
                if includeExpired || !ListEntryMetadata.isExpired(stored: stored, now: now) { return (key, stored) }
                bound = key.count - 1
            } else {
                bound = common
            }
        }
        return nil
    }

    private func cursor(for list: OpenList) throws(ListStoreError) -> OpaquePointer {
        if let cursor = list.cursor {
            if list.cursorSession != session {
                try lmdbCheck(mdb_cursor_renew(transaction, cursor), "mdb_cursor_renew")
                list.cursorSession = session
            }
            return cursor
        }
        var cursor: OpaquePointer?
        try lmdbCheck(mdb_cursor_open(transaction, list.dbi, &cursor), "mdb_cursor_open")
        list.cursor = cursor
        list.cursorSession = session
        return cursor!
    }

    /// Points the slot at the live snapshot's filter: the reader's own if current, else the
    /// store's shared one if current, else a new one built from this snapshot (and shared if
    /// newer). Once per list and snapshot.
    @inline(never)
    private func refreshSlot(_ index: Int) throws(ListStoreError) {
        let list = lists[index]
        let filter: ListMembershipFilter
        if transactionIDTrusted, let own = list.filter, own.transactionID == transactionID {
            filter = own
        } else {
            filter = try refreshFilter(list)
        }
        slots[index].filter = filter.view
        slots[index].session = session
    }

    /// Builds a filter from the live snapshot's content.
    private func buildFilter(_ list: OpenList, tag: Int) throws(ListStoreError) -> ListMembershipFilter {
        var stat = MDB_stat()
        try lmdbCheck(mdb_stat(transaction, list.dbi, &stat), "mdb_stat")
        var failure: ListStoreError?
        let built = ListMembershipFilter(transactionID: tag, expectedCount: stat.ms_entries, kind: list.kind) { insert in
            do throws(ListStoreError) { try lmdbForEachPair(transaction!, list.dbi) { key, _ in insert(key) } } catch { failure = error }
        }
        if let failure { throw failure }
        return built
    }

    private func refreshFilter(_ list: OpenList) throws(ListStoreError) -> ListMembershipFilter {
        guard transactionIDTrusted else {
            // Rare (a writer raced this renew): a filter of this snapshot alone, never shared.
            if list.privateSession == session, let filter = list.privateFilter { return filter }
            let built = try buildFilter(list, tag: -1)
            list.privateFilter = built
            list.privateSession = session
            return built
        }
        let id = transactionID
        if let shared = store.sharedFilters.withLock({ $0[list.name] }), shared.transactionID == id {
            list.filter = shared
            return shared
        }
        let built = try buildFilter(list, tag: id)
        store.sharedFilters.withLock { table in
            if (table[list.name]?.transactionID ?? -1) < id { table[list.name] = built }
        }
        list.filter = built
        return built
    }
}

/// Runs `body` over a string's UTF-8 bytes (no copy for native strings) with typed errors.
@inline(__always)
func withListValueBytes<T>(_ value: String, _ body: (UnsafeRawBufferPointer) throws(ListStoreError) -> T) throws(ListStoreError) -> T {
    var copy = value
    let result: Result<T, ListStoreError> = copy.withUTF8 { bytes in
        do throws(ListStoreError) { return .success(try body(UnsafeRawBufferPointer(bytes))) } catch { return .failure(error) }
    }
    return try result.get()
}
