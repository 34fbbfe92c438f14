// `verdict counters`: create, inspect, query, update and reset a velocity counter file, and
// benchmark the counters (CounterBenchCommand.swift). Counter semantics: docs/counters.md.
import ArgumentParser
import Foundation
import VerdictStore

struct CountersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "counters",
        abstract: "Create, inspect, query, update and benchmark velocity counter files.",
        subcommands: [Create.self, Inspect.self, Get.self, Add.self, Reset.self, CounterBenchCommand.self]
    )

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an empty counter file.",
            discussion: """
                Counters are given as declarations of the rule language, e.g.
                  --counter "attempts_per_card by card.fingerprint retain 7d"
                  --counter "usd_per_email by email sum amount_usd retain 30d"
                or taken from the `counter` lines of a rules file (--rules).
                """)

        @Argument(help: "The counter file to create.") var path: String
        @Option(name: .customLong("counter"), help: "A counter declaration (repeatable).") var declarations: [String] = []
        @Option(help: "Take the counter declarations of this .rules file.") var rules: String?
        @Option(help: "Slots per key expression (a power of two; one slot per key value).") var slots = 1 << 16
        @Flag(help: "Replace an existing file.") var force = false

        func run() throws {
            var texts = declarations
            if let rules {
                let source = try String(contentsOfFile: rules, encoding: .utf8)
                texts += source.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                    .filter { $0.hasPrefix("counter ") }
            }
            guard !texts.isEmpty else { throw ValidationError("give --counter declarations or --rules FILE") }
            let definitions = try texts.map { try CounterDefinition(declaration: $0) }
            let table = try CounterTable.create(path: path, definitions: definitions, slotsPerGroup: slots, replace: force)
            print("created \(path): \(definitions.count) counters, \(table.groupKeys.count) key groups x \(slots) slots")
        }
    }

    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a counter file's counters, geometry, occupancy, collisions and evictions.")

        @Argument(help: "The counter file.") var path: String

        func run() throws {
            let table = try CounterTable.open(path: path, readOnly: true)
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            print("\(path): counter file v\(CounterFileHeader.version), \(size) bytes, \(table.slotsPerGroup) slots per key group, probe limit \(table.probeLimit)")
            for definition in table.definitions { print("  \(definition.declaration)") }
            for group in table.statistics() {
                let percent = 100.0 * Double(group.occupied) / Double(group.slots)
                print("key \(group.key): occupied \(group.occupied)/\(group.slots) (\(String(format: "%.1f", percent))%), "
                      + "collisions \(group.collisions), evictions \(group.evictions), dropped updates \(group.dropped)")
            }
        }
    }

    struct Get: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Read every counter of a key value.")

        @Argument(help: "The counter file.") var path: String
        @Argument(help: "The key value (e.g. a card fingerprint or an IP address).") var key: String
        @Option(help: "Only counters keyed by this expression (e.g. card.fingerprint).") var group: String?
        @Option(help: "Event time in seconds since 1970 (default: now).") var at: Int64?
        @Option(name: .customLong("window"), help: "Windows to read, e.g. 1h (repeatable; default 1h, 24h and the retain).")
        var windows: [String] = []

        func run() throws {
            let table = try CounterTable.open(path: path, readOnly: true)
            let now = at ?? Int64(Date().timeIntervalSince1970)
            var found = false
            for (groupIndex, keyExpression) in table.groupKeys.enumerated() where group == nil || group == keyExpression {
                let handle = table.key(group: groupIndex, key)
                for (index, definition) in table.definitions.enumerated() where table.group(ofCounter: index) == groupIndex {
                    found = true
                    var spans = try windows.map { text -> Int64 in
                        guard let seconds = parseCounterDuration(text) else { throw ValidationError("'\(text)' is not a duration") }
                        return seconds
                    }
                    if spans.isEmpty { spans = [3600, 86_400, definition.retain].filter { $0 <= definition.retain } }
                    let readings = Array(Set(spans)).sorted().map { window -> String in
                        let reading = table.read(index, handle, window: window, now: now)
                        let value = reading.value.rounded() == reading.value ? String(Int64(reading.value)) : String(reading.value)
                        return "\(formatCounterDuration(window))=\(reading.isSaturated ? ">=" : "")\(value)"
                    }
                    print("\(definition.name)[\(keyExpression)=\(key)]: \(readings.joined(separator: " "))\(handle.isPresent ? "" : " (no slot)")")
                }
            }
            if !found { throw ValidationError("no counters keyed by '\(group ?? "")'") }
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record an event for one counter of a key value.")

        @Argument(help: "The counter file.") var path: String
        @Argument(help: "The key value.") var key: String
        @Option(help: "The counter to update.") var counter: String
        @Option(help: "Event time in seconds since 1970 (default: now).") var at: Int64?
        @Option(help: "The amount added by a sum counter.") var amount = 1.0
        @Option(help: "The value of a distinct counter.") var value: String?
        @Option(help: "Record the event this many times (load generation, crash tests).") var `repeat` = 1

        func run() throws {
            let table = try CounterTable.open(path: path)
            guard let index = table.counter(named: counter) else { throw CounterError.unknownCounter(counter) }
            let now = at ?? Int64(Date().timeIntervalSince1970)
            var handle = table.key(group: table.group(ofCounter: index), key)
            var recorded = 0
            for _ in 0..<max(`repeat`, 0) {
                if case .distinct = table.definitions[index].aggregate {
                    guard let value else { throw ValidationError("counter '\(counter)' is distinct: give --value") }
                    if table.record(index, &handle, at: now, distinct: CounterTable.distinctHash(value)) { recorded += 1 }
                } else if table.record(index, &handle, at: now, amount: amount) {
                    recorded += 1
                }
            }
            print("recorded \(recorded) of \(`repeat`) events for \(counter)[\(key)] at \(now)")
        }
    }

    struct Reset: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Empty every counter of a file (keeps its definitions).")

        @Argument(help: "The counter file.") var path: String

        func run() throws {
            let table = try CounterTable.open(path: path)
            try table.reset()
            print("reset \(path)")
        }
    }
}
