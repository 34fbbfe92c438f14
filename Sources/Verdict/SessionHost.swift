// The VM host callbacks of a session: plain @convention(c) functions that recover the `Session`
// from the context pointer and answer list lookups (LMDB, through the session's read snapshot),
// counter reads (the counter table, at the event time) and model predictions (VerdictModels).
// The unsafe pointer handling of the engine is fenced in this file.
import VerdictCompiler
import VerdictStore
import VerdictVM

enum SessionHost {
    static func host(_ context: UnsafeMutableRawPointer) -> Host {
        Host(context: context, list: list, counter: counter, model: model)
    }

    private static let list: Host.ListLookup = { context, index, key, length in
        guard let context, let key else { return -1 }
        let s = Unmanaged<Session>.fromOpaque(context).takeUnretainedValue()
        let i = Int(index)
        guard let reader = s.reader, i >= 0, i < s.listHandles.count else { return -1 }
        let member: Bool
        do {
            if s.listIsIP[i] {
                // The VM passes the address's 4 or 16 network-order bytes; ListReader takes them as is.
                guard length == 4 || length == 16 else { return -1 }
                member = try reader.contains(s.listHandles[i], ipBytes: UnsafeRawBufferPointer(start: key, count: length), now: s.now)
            } else {
                member = try reader.contains(s.listHandles[i], utf8: UnsafeRawBufferPointer(start: key, count: length), now: s.now)
            }
        } catch {
            return -1
        }
        s.listResults[i] = member ? 1 : 0
        return member ? 1 : 0
    }

    private static let counter: Host.CounterRead = { context, _, counters, windows, count, key, length, out in
        guard let context, let key else { return HostStatus.error }
        let s = Unmanaged<Session>.fromOpaque(context).takeUnretainedValue()
        guard let table = s.engine.counters else { return HostStatus.error }
        // The reads of one call share the key: hash and locate it once per key group, and hand
        // each run of reads of one group to the table in one batch.
        var group = -1
        var k = CounterKey?.none
        var start = 0
        while start < count {
            var end = start
            var runGroup = -1
            while end < count && end - start < Session.counterBatch {
                let c = Int(counters[end])
                guard c >= 0, c < s.engine.counterIndex.count else { return HostStatus.error }
                if runGroup < 0 { runGroup = s.engine.counterGroup[c] }
                guard s.engine.counterGroup[c] == runGroup else { break }
                s.counterBatchIndices[end - start] = s.engine.counterIndex[c]
                end += 1
            }
            if runGroup != group || k == nil {
                group = runGroup
                k = table.key(group: group, bytes: UnsafeRawBufferPointer(start: key, count: length))
            }
            table.read(UnsafeBufferPointer(start: s.counterBatchIndices, count: end - start), windows: windows + start,
                       key: k!, now: s.now, into: out + start)
            start = end
        }
        return HostStatus.value
    }

    private static let model: Host.ModelScore = { context, index, features, out in
        guard let context else { return HostStatus.error }
        let s = Unmanaged<Session>.fromOpaque(context).takeUnretainedValue()
        let m = Int(index)
        guard m >= 0, m < s.engine.models.count else { return HostStatus.error }
        let model = s.engine.models[m]
        let view = ModelFeatures(features)
        let count = view.count
        guard count == model.info.featureNames.count else { return HostStatus.error }
        // An error feature makes the outputs that error (the VM finds which).
        guard view.gather(into: s.featureRow) else { return HostStatus.error }
        let margins = s.scratch, outputs = s.scratch + model.info.outputCount
        model.predictMargins(s.featureRow, margins)
        model.transform(margins, outputs)
        out[0] = outputs[0]
        out[1] = margins[0]
        s.modelRan[m] = true
        s.modelMargins[m] = margins[0]
        for j in 0..<count { s.modelFeatures[m][j] = s.featureRow[j] }
        return HostStatus.value
    }

    /// The key bytes of a value exactly as the VM passes them to the host (a string's UTF-8, an
    /// ip's bytes, other scalars' 8 little-endian bytes, a bool's one byte); nil for
    /// missing/error values.
    static func withKeyBytes<R>(_ value: Value, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
        switch value {
        case .string(var s): return s.withUTF8 { body(UnsafeRawBufferPointer($0)) }
        case .ip(let a): return a.bytes.withUnsafeBytes { body($0) }
        case .int(let i):
            var bits = i.littleEndian
            return withUnsafeBytes(of: &bits) { body($0) }
        case .double(let d):
            var bits = d.bitPattern.littleEndian
            return withUnsafeBytes(of: &bits) { body($0) }
        case .bool(let b):
            var byte: UInt8 = b ? 1 : 0
            return withUnsafeBytes(of: &byte) { body($0) }
        case .missing, .error, .network: return body(nil)
        }
    }

    /// The text whose hash identifies a value in a `distinct` counter; nil for missing/error.
    static func distinctText(_ value: Value) -> String? {
        switch value {
        case .string(let s): return s
        case .ip(let a): return a.description
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .bool(let b): return b ? "true" : "false"
        case .missing, .error, .network: return nil
        }
    }

    static func compare(_ score: Int64, _ op: IRBinaryOperator, _ n: Int64) -> Bool {
        switch op {
        case .equal: return score == n
        case .notEqual: return score != n
        case .less: return score < n
        case .lessEqual: return score <= n
        case .greater: return score > n
        case .greaterEqual: return score >= n
        default: return false
        }
    }
}
