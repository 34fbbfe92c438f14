// libFuzzer target: random bytes as a list file through `ListStore.importLines` (policy skip),
// into a list of the kind chosen by the first byte. Properties checked beyond "no crash":
// the report accounts for every non-empty line (imported or a problem with its line number),
// every imported value is then found by a reader lookup, and removing the exported entries
// empties the list again (so one LMDB directory serves the whole run).
import Foundation
import VerdictStore

private let store: ListStore = {
    let directory = NSTemporaryDirectory() + "verdict-fuzz-lists-\(getpid())"
    let store = try! ListStore(directory: directory, create: true)
    // libFuzzer ends a timed run with exit(): the scratch environment goes with the process.
    atexit { try? FileManager.default.removeItem(atPath: NSTemporaryDirectory() + "verdict-fuzz-lists-\(getpid())") }
    for kind in ListStoreKind.allCases { try! store.create(list: name(of: kind), kind: kind) }
    return store
}()
// libFuzzer calls the entry point from one thread.
nonisolated(unsafe) private let reader = store.makeReader()

private func name(of kind: ListStoreKind) -> String {
    switch kind {
    case .string: return "fuzz_string"
    case .stringCaseInsensitive: return "fuzz_ci"
    case .ip: return "fuzz_ip"
    case .prefix: return "fuzz_prefix"
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzListEntries(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let kind = ListStoreKind.allCases[Int(data[0]) % ListStoreKind.allCases.count]
    let list = name(of: kind)
    let contents = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let report: ListImportReport
    do {
        report = try store.importLines(contents, into: list, policy: .skip, addedAt: 0)
    } catch {
        fatalError("import with policy skip failed: \(error)")
    }
    // Lines as the importer splits them: on LF, a trailing CR removed, empty lines ignored.
    var lines: [[UInt8]] = contents.split(separator: 10, omittingEmptySubsequences: false).map { line in
        line.last == 13 ? Array(line.dropLast()) : Array(line)
    }
    if contents.last == 10 { lines.removeLast() }
    let bad = Set(report.problems.map(\.line))
    let accepted = lines.enumerated().filter { !$0.element.isEmpty && !bad.contains($0.offset + 1) }
    precondition(accepted.count == report.imported, "imported \(report.imported), expected \(accepted.count)")
    precondition(bad.allSatisfy { $0 >= 1 && $0 <= lines.count && !lines[$0 - 1].isEmpty })
    do {
        let handle = try reader.handle(list)
        try reader.renew()
        for (_, line) in accepted {
            let value = Array(line.prefix { $0 != 9 })
            var probe = value
            if kind == .ip, let slash = value.firstIndex(of: UInt8(ascii: "/")) { probe = Array(value[..<slash]) }
            let found = try probe.withUnsafeBytes { try reader.contains(handle, utf8: $0, now: 0) }
            if kind == .ip && !found {
                // An IPv4-mapped IPv6 network shorter than /96 stays IPv6, while the mapped
                // address is looked up as IPv4 (documented); nothing else may be missed.
                let text = String(decoding: value, as: UTF8.self).lowercased()
                precondition(text.contains("ffff:"), "imported \(text) not found")
                continue
            }
            precondition(found, "imported \(String(decoding: value, as: UTF8.self)) not found")
        }
        reader.reset()
        var entries: [String] = []
        try store.forEachEntry(in: list) { value, _ in entries.append(value) }
        try store.remove(entries, from: list)
        let left = try store.count(list)
        precondition(left == 0, "\(left) entries left after removing the export")
    } catch {
        fatalError("lookup or cleanup failed: \(error)")
    }
    return 0
}
