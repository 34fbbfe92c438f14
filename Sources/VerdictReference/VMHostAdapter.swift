// Serves a `ReferenceHost` to the VM through its C-function-pointer `Host`, so that the VM and the
// reference evaluator see exactly the same lists, counters and models in the differential test.
// The VM's list/counter/model indices are mapped to the checked declarations by name once.
import VerdictLanguage
import VerdictVM

/// Adapts a `ReferenceHost` to `VerdictVM.Host` for one program.
public final class VMHostAdapter {
    private let host: ReferenceHost
    private let lists: [CheckedList?]
    private let counters: [CheckedCounter?]
    private let models: [CheckedModel?]

    public init(host: ReferenceHost, ruleset: CheckedRuleset, program: Program) {
        self.host = host
        lists = program.contents.lists.map { info in ruleset.lists.first { $0.name == info.name } }
        counters = program.contents.counters.map { info in ruleset.counters.first { $0.name == info.name } }
        models = program.contents.models.map { info in ruleset.models.first { $0.name == info.name } }
    }

    /// Calls `body` with a `Host` backed by this adapter (valid only during the call).
    public func withHost<R>(_ body: (Host) -> R) -> R {
        let context = Unmanaged.passUnretained(self).toOpaque()
        let vmHost = Host(
            context: context,
            list: { context, index, key, length in
                guard let context else { return -1 }
                let adapter = Unmanaged<VMHostAdapter>.fromOpaque(context).takeUnretainedValue()
                guard index >= 0, Int(index) < adapter.lists.count, let list = adapter.lists[Int(index)] else { return -1 }
                return adapter.host.listContains(list, key: VMHostAdapter.bytes(key, length)) ? 1 : 0
            },
            counter: { context, _, counters, windows, count, key, length, out in
                guard let context else { return HostStatus.error }
                let adapter = Unmanaged<VMHostAdapter>.fromOpaque(context).takeUnretainedValue()
                for i in 0..<count {
                    let index = Int(counters[i])
                    guard index >= 0, index < adapter.counters.count, let counter = adapter.counters[index] else {
                        return HostStatus.error
                    }
                    out[i] = adapter.host.counterRead(counter, windowSeconds: windows[i], key: VMHostAdapter.bytes(key, length))
                }
                return HostStatus.value
            },
            model: { context, index, features, out in
                guard let context else { return HostStatus.error }
                let adapter = Unmanaged<VMHostAdapter>.fromOpaque(context).takeUnretainedValue()
                guard index >= 0, Int(index) < adapter.models.count, let model = adapter.models[Int(index)] else {
                    return HostStatus.error
                }
                let view = ModelFeatures(features)
                var vector = [Double](repeating: .nan, count: view.count)
                guard vector.withUnsafeMutableBufferPointer({ $0.baseAddress.map { view.gather(into: $0) } ?? true }) else {
                    return HostStatus.error
                }
                let prediction = adapter.host.modelPredict(model, features: vector)
                out[0] = prediction.output
                out[1] = prediction.raw
                return HostStatus.value
            })
        return withExtendedLifetime(self) { body(vmHost) }
    }

    private static func bytes(_ pointer: UnsafePointer<UInt8>?, _ length: Int) -> [UInt8] {
        guard let pointer, length > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: pointer, count: length))
    }
}
