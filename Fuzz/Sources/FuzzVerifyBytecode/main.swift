// FuzzVerifyBytecode: arbitrary bytes as a .vbc file must never crash or hang the loader, the
// verifier or the VM. Inputs that do not start with the magic are wrapped in a valid header (so
// the fuzzer explores the payload and the verifier, not the checksum). A verified program is run
// in fast and trace mode with field values and host results derived from the input bytes.
import VerdictVM

final class FuzzHost {
    var seed: UInt64 = 0
    func next() -> UInt64 {
        seed = seed &* 6364136223846793005 &+ 1442695040888963407
        return seed >> 11
    }
    var host: Host {
        Host(
            context: Unmanaged.passUnretained(self).toOpaque(),
            list: { context, _, _, _ in
                Int32(truncatingIfNeeded: Unmanaged<FuzzHost>.fromOpaque(context!).takeUnretainedValue().next() % 3) - 1
            },
            counter: { context, _, _, _, count, _, _, out in
                let me = Unmanaged<FuzzHost>.fromOpaque(context!).takeUnretainedValue()
                for i in 0..<count { out[i] = Double(me.next() % 100) }
                return Int32(truncatingIfNeeded: me.next() % 3)
            },
            model: { context, _, features, out in
                let v = Unmanaged<FuzzHost>.fromOpaque(context!).takeUnretainedValue().next()
                let view = ModelFeatures(features)
                var row = [Double](repeating: 0, count: max(view.count, 1))
                guard row.withUnsafeMutableBufferPointer({ view.gather(into: $0.baseAddress!) }) else { return HostStatus.error }
                out[0] = Double(v % 1000) / 1000; out[1] = Double(v % 7) - 3
                return Int32(truncatingIfNeeded: v % 3)
            })
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    var bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    if !bytes.starts(with: BytecodeFormat.magic) {
        bytes = BytecodeFormat.wrapPayload(bytes)
    }
    guard let program = try? BytecodeFormat.decode(bytes) else { return 0 }
    let request = Request(program: program)
    let host = FuzzHost()
    host.seed = UInt64(count)
    for (i, field) in program.fields.enumerated() {
        let v = host.next()
        if v % 5 == 0 { continue }
        switch field.type {
        case .bool: try? request.set(i, bool: v & 1 == 0)
        case .int: try? request.set(i, int: Int64(bitPattern: v) >> Int64(v % 60))
        case .double: try? request.set(i, double: Double(Int64(bitPattern: v) % 100000) / 7)
        case .string: try? request.set(i, string: String(v % 1000, radix: 36))
        case .ip: try? request.set(i, ip: IPAddress(bytes: (0..<(v & 1 == 0 ? 4 : 16)).map { UInt8(truncatingIfNeeded: v >> $0) })!)
        case .network: break
        }
    }
    withExtendedLifetime(host) {
        _ = VM.evaluate(request, host: host.host, mode: .fast)
        _ = VM.evaluate(request, host: host.host, mode: .trace)
        _ = VM.evaluateExpression(request, host: host.host)
    }
    return 0
}
