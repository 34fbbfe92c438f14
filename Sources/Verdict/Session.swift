// The per-thread evaluation handle: a reusable VM `Request` bound to the engine's program, this
// thread's LMDB read snapshot, and the scratch memory of the host callbacks and counter updates.
// One evaluation: renew the list snapshot, run the VM (lists, counters and models are reached
// through the callbacks in SessionHost.swift), release the snapshot, then record the event into
// the counters whose `when` holds (docs/engine.md).
import Glibc
import VerdictStore
import VerdictVM

/// Evaluates requests against an engine. Not thread-safe: one session per thread, reused.
public final class Session {
    public let engine: Engine
    /// The request the typed setters fill (field indices from `Engine.field(named:)`).
    public let request: Request
    let reader: ListReader?
    let listHandles: [ListHandle]
    let listIsIP: [Bool]
    /// The event time of the evaluation in progress.
    var now: Int64 = 0
    /// Per list: the result of its lookup in the last evaluation (-1 not looked up, 0 absent, 1 member).
    public internal(set) var listResults: [Int8]
    /// Per model: the feature vector it was last given and the resulting margin; whether it ran in
    /// the last evaluation.
    var modelFeatures: [[Double]]
    var modelMargins: [Double]
    var modelRan: [Bool]
    let scratch: UnsafeMutablePointer<Double>
    /// The feature row a model callback gathers from the VM's registers (the widest model's width).
    let featureRow: UnsafeMutablePointer<Double>
    /// The counter callback's table counter indices for one batch of reads of one key.
    static let counterBatch = 16
    let counterBatchIndices = UnsafeMutablePointer<Int>.allocate(capacity: Session.counterBatch)
    /// One request per compiled counter-update expression: key, aggregate, `when` conjuncts.
    private let updateRequests: [[Request]]
    /// Per counter key group: the key located for the event being recorded (counters of a group
    /// share the key expression, so it is evaluated, hashed and located once per event).
    private var groupKeys: [CounterKey?]

    init(engine: Engine) {
        self.engine = engine
        request = Request(program: engine.program)
        let lists = engine.program.contents.lists
        if let store = engine.lists {
            let reader = store.makeReader()
            // Lists were checked at load; a handle that cannot be opened now reports errors per lookup.
            listHandles = lists.compactMap { try? reader.handle($0.name) }
            self.reader = listHandles.count == lists.count ? reader : nil
        } else {
            reader = nil; listHandles = []
        }
        listIsIP = lists.map { $0.keyType == .ip }
        listResults = [Int8](repeating: -1, count: lists.count)
        modelFeatures = engine.models.map { [Double](repeating: .nan, count: $0.info.featureNames.count) }
        modelMargins = [Double](repeating: .nan, count: engine.models.count)
        modelRan = [Bool](repeating: false, count: engine.models.count)
        let widest = engine.models.map { $0.info.outputCount }.max() ?? 1
        scratch = .allocate(capacity: 2 * max(widest, 1))
        featureRow = .allocate(capacity: max(engine.models.map { $0.info.featureNames.count }.max() ?? 1, 1))
        updateRequests = engine.updates.map { u in
            var programs = [u.key.program]
            switch u.aggregate {
            case .count: break
            case .sum(let e), .distinct(let e): programs.append(e.program)
            }
            for c in u.conditions { if case .expression(let e) = c { programs.append(e.program) } }
            return programs.map { Request(program: $0, arenaCapacity: 256) }
        }
        groupKeys = [CounterKey?](repeating: nil, count: engine.counters?.groupKeys.count ?? 0)
    }

    deinit {
        scratch.deallocate()
        featureRow.deallocate()
        counterBatchIndices.deallocate()
    }

    // MARK: Setting fields

    /// Marks every field missing (call before setting the fields of the next event).
    public func reset() { request.reset() }

    public func set(_ field: Int, int value: Int64) throws(EngineError) {
        do { try request.set(field, int: value) } catch { throw .request(error.description) }
    }

    public func set(_ field: Int, double value: Double) throws(EngineError) {
        do { try request.set(field, double: value) } catch { throw .request(error.description) }
    }

    public func set(_ field: Int, bool value: Bool) throws(EngineError) {
        do { try request.set(field, bool: value) } catch { throw .request(error.description) }
    }

    public func set(_ field: Int, string value: String) throws(EngineError) {
        do { try request.set(field, string: value) } catch { throw .request(error.description) }
    }

    public func set(_ field: Int, ip value: IPAddress) throws(EngineError) {
        do { try request.set(field, ip: value) } catch { throw .request(error.description) }
    }

    public func setMissing(_ field: Int) throws(EngineError) {
        do { try request.setMissing(field) } catch { throw .request(error.description) }
    }

    // MARK: Evaluating

    /// Evaluates the request. The event time is the `now` field (set it; when missing, the
    /// current time is used). With `record`, the event is then added to the counters.
    public func evaluate(mode: EvaluationMode = .fast, record: Bool = true) -> Verdict {
        if case .int(let t) = request.value(ofRegister: engine.nowField) { now = t } else {
            now = Int64(time(nil))
            try? request.set(engine.nowField, int: now)
        }
        for i in listResults.indices { listResults[i] = -1 }
        for i in modelRan.indices { modelRan[i] = false }
        // A failed renew leaves no snapshot; each lookup then retries and reports its own error.
        try? reader?.renew()
        let context = Unmanaged.passUnretained(self).toOpaque()
        let verdict = VM.evaluate(request, host: SessionHost.host(context), mode: mode)
        reader?.reset()
        if record { recordCounters(verdict) }
        return verdict
    }

    /// The full record of the last evaluation (allocates).
    public func report(_ verdict: Verdict) -> VerdictReport { VerdictReport(verdict, request: request) }

    /// The feature vector model `index` (program order) was given in the last evaluation, nil if
    /// it did not run.
    public func modelFeatures(_ index: Int) -> [Double]? {
        index >= 0 && index < modelRan.count && modelRan[index] ? modelFeatures[index] : nil
    }

    /// The margin (raw score) of model `index` in the last evaluation, nil if it did not run.
    public func modelMargin(_ index: Int) -> Double? {
        index >= 0 && index < modelRan.count && modelRan[index] ? modelMargins[index] : nil
    }

    /// The reading of program counter `index` over `window` seconds for a key value, as the
    /// rules would see it at `now` (tools and tests). A window the ruleset never reads this counter
    /// over may get the coarser overshoot of a fitted bucket (docs/counters.md, "Fitted buckets").
    public func counterReading(_ index: Int, key: Value, window: Int64, now: Int64) -> Double? {
        guard let table = engine.counters, index >= 0, index < engine.counterIndex.count else { return nil }
        return SessionHost.withKeyBytes(key) { bytes -> Double? in
            guard let bytes else { return nil }
            let k = table.key(group: engine.counterGroup[index], bytes: bytes)
            return table.read(engine.counterIndex[index], k, window: window, now: now).value
        }
    }

    // MARK: Counter updates

    private func recordCounters(_ verdict: Verdict) {
        guard let table = engine.counters else { return }
        for g in groupKeys.indices { groupKeys[g] = nil }
        for (u, update) in engine.updates.enumerated() {
            let requests = updateRequests[u]
            var next = update.aggregate.hasExpression ? 2 : 1
            var holds = true
            for condition in update.conditions where holds {
                switch condition {
                case .verdict(let action, let equal): holds = (verdict.action == action) == equal
                case .score(let op, let n): holds = SessionHost.compare(verdict.score, op, n)
                case .expression(let e):
                    holds = evaluate(e, requests[next]) == .bool(true)
                    next += 1
                }
            }
            guard holds else { continue }
            var located = groupKeys[update.group]
            if located == nil {
                located = SessionHost.withKeyBytes(evaluate(update.key, requests[0])) { bytes in
                    bytes.map { table.key(group: update.group, bytes: $0) }
                }
            }
            guard var k = located else { continue }
            switch update.aggregate {
            case .count: table.record(update.counter, &k, at: now)
            case .sum(let e):
                switch evaluate(e, requests[1]) {
                case .double(let d): table.record(update.counter, &k, at: now, amount: d)
                case .int(let i): table.record(update.counter, &k, at: now, amount: Double(i))
                default: break
                }
            case .distinct(let e):
                if let text = SessionHost.distinctText(evaluate(e, requests[1])) {
                    table.record(update.counter, &k, at: now, distinct: CounterTable.distinctHash(text))
                }
            }
            // Recording may have claimed the key's slot: later counters of the group reuse it.
            groupKeys[update.group] = k
        }
    }

    private func evaluate(_ e: UpdateExpression, _ r: Request) -> Value {
        if let f = e.field { return request.value(ofRegister: f) }
        r.reset()
        for f in e.fields { try? r.set(f, value: request.value(ofRegister: f)) }
        return VM.evaluateExpression(r)
    }
}

extension CounterUpdate.Aggregate {
    var hasExpression: Bool {
        if case .count = self { return false }
        return true
    }
}
