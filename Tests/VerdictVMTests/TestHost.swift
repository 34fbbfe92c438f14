// A host for tests: serves fixed list results, counter values and model outputs per index and
// counts the calls, through the VM's C-function-pointer host interface.
import VerdictVM

final class TestHost {
    /// Per list index: 1 member, 0 not, -1 error.
    var listResults: [Int32] = []
    /// Per counter index: the value read (any window); a non-value status fails the whole batch.
    var counterValues: [Double] = []
    var counterStatus: [Int32] = []
    /// Per model index: (probability, margin).
    var modelOutputs: [(Double, Double)] = []
    var modelStatus: [Int32] = []
    var listCalls = 0, counterCalls = 0, modelCalls = 0
    /// Per counter call: the read index the VM passed and the counters it asked for.
    var counterBatches: [(firstRead: Int32, counters: [Int32])] = []
    /// The features of the last model call (recorded only when `recordFeatures`).
    var recordFeatures = false
    var lastFeatures: [Double] = []

    var host: Host {
        Host(
            context: Unmanaged.passUnretained(self).toOpaque(),
            list: { context, list, _, _ in
                let me = Unmanaged<TestHost>.fromOpaque(context!).takeUnretainedValue()
                me.listCalls += 1
                return Int(list) < me.listResults.count ? me.listResults[Int(list)] : 0
            },
            counter: { context, first, counters, _, count, _, _, out in
                let me = Unmanaged<TestHost>.fromOpaque(context!).takeUnretainedValue()
                me.counterCalls += 1
                me.counterBatches.append((first, Array(UnsafeBufferPointer(start: counters, count: count))))
                var status = HostStatus.value
                for i in 0..<count {
                    let c = Int(counters[i])
                    out[i] = c < me.counterValues.count ? me.counterValues[c] : 0
                    if c < me.counterStatus.count, me.counterStatus[c] != HostStatus.value { status = me.counterStatus[c] }
                }
                return status
            },
            model: { context, model, features, out in
                let me = Unmanaged<TestHost>.fromOpaque(context!).takeUnretainedValue()
                me.modelCalls += 1
                // Like a real model host: gather the features, an error feature fails the call.
                let view = ModelFeatures(features)
                var row = [Double](repeating: 0, count: max(view.count, 1))
                guard row.withUnsafeMutableBufferPointer({ view.gather(into: $0.baseAddress!) }) else { return HostStatus.error }
                if me.recordFeatures { me.lastFeatures = Array(row[0..<view.count]) }
                let i = Int(model)
                let (p, m) = i < me.modelOutputs.count ? me.modelOutputs[i] : (0, 0)
                out[0] = p; out[1] = m
                return i < me.modelStatus.count ? me.modelStatus[i] : HostStatus.value
            })
    }
}
