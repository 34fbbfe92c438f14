// A host for tests: serves fixed list results, counter values and model outputs per index and
// counts the calls, through the VM's C-function-pointer host interface.
import VerdictVM

final class TestHost {
    /// Per list index: 1 member, 0 not, -1 error.
    var listResults: [Int32] = []
    /// Per counter index: the value read (any window).
    var counterValues: [Double] = []
    var counterStatus: [Int32] = []
    /// Per model index: (probability, margin).
    var modelOutputs: [(Double, Double)] = []
    var modelStatus: [Int32] = []
    var listCalls = 0, counterCalls = 0, modelCalls = 0
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
            counter: { context, counter, _, _, _, out in
                let me = Unmanaged<TestHost>.fromOpaque(context!).takeUnretainedValue()
                me.counterCalls += 1
                let i = Int(counter)
                out.pointee = i < me.counterValues.count ? me.counterValues[i] : 0
                return i < me.counterStatus.count ? me.counterStatus[i] : HostStatus.value
            },
            model: { context, model, features, count, out in
                let me = Unmanaged<TestHost>.fromOpaque(context!).takeUnretainedValue()
                me.modelCalls += 1
                if me.recordFeatures { me.lastFeatures = Array(UnsafeBufferPointer(start: features, count: count)) }
                let i = Int(model)
                let (p, m) = i < me.modelOutputs.count ? me.modelOutputs[i] : (0, 0)
                out[0] = p; out[1] = m
                return i < me.modelStatus.count ? me.modelStatus[i] : HostStatus.value
            })
    }
}
