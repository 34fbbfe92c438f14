// `verdict counters`: create, inspect, query, update, reset and migrate a velocity counter file,
// and benchmark the counters (CounterBenchCommand.swift). Counter semantics: docs/counters.md.
import ArgumentParser
import Foundation
import Verdict
import VerdictStore

struct CountersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "counters",
        abstract: "Create, inspect, query, update, migrate and benchmark velocity counter files.",
        subcommands: [Create.self, Inspect.self, Get.self, Add.self, Reset.self, Migrate.self, CounterBenchCommand.self]
    )

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an empty counter file.",
            discussion: """
                Counters are given as declarations of the rule language, e.g.
                  --counter "attempts_per_card by card.fingerprint retain 7d"
                  --counter "usd_per_email by email sum amount_usd retain 30d"
                or taken from a ruleset (--rules): then the file is exactly the one the engine
                creates for it, buckets fitted to the windows its rules read.
                """)

        @Argument(help: "The counter file to create.") var path: String
        @OptionGroup var counters: CounterSource
        @Option(help: "Slots per key expression (a power of two; one slot per key value).") var slots = 1 << 16
        @Flag(help: "Replace an existing file.") var force = false

        func run() throws {
            let definitions = try counters.definitions()
            let table = try CounterTable.create(path: path, definitions: definitions, slotsPerGroup: slots, replace: force)
            print("created \(path): \(definitions.count) counters, \(table.groupKeys.count) key groups x \(slots) slots")
            for definition in definitions { print("  \(definition.declaration)") }
        }
    }

    struct Migrate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a new counter file for other counters, keeping the counts of an old one.",
            discussion: """
                Creates NEW with the counters of --rules (exactly the file the engine creates for
                that ruleset) or of --counter declarations, and copies every key of OLD into it:
                counters present in both (same name, key and aggregate) keep their data; rings of
                a bucket width OLD did not have (e.g. a 1-minute ring after a rule starts reading
                a 30-minute window) start empty; new counters start empty; counters no longer
                wanted are dropped. OLD is locked while copying (stop its writer first) and left
                unchanged. See docs/operations.md.
                """)

        @Argument(help: "The existing counter file.") var old: String
        @OptionGroup var counters: CounterSource
        @Option(name: .short, help: "The counter file to write.") var output: String
        @Option(help: "Slots per key expression of NEW (default: those of OLD).") var slots: Int?
        @Flag(help: "Replace NEW if it exists.") var force = false

        func run() throws {
            let definitions = try counters.definitions()
            guard URL(fileURLWithPath: output).standardizedFileURL != URL(fileURLWithPath: old).standardizedFileURL else {
                throw ValidationError("-o must name another file than OLD (move NEW over OLD afterwards if you want)")
            }
            // A writable open: it fails while another process writes OLD, and keeps writers out meanwhile.
            let source = try CounterTable.open(path: old)
            let differences = counterDifferences(file: source.definitions, wanted: definitions)
            let target = try CounterTable.create(path: output, definitions: definitions,
                                                 slotsPerGroup: slots ?? source.slotsPerGroup, replace: force)
            let report = try target.copyCounts(from: source)
            try target.sync()
            print("migrated \(old) -> \(output): \(report.keys) keys, \(definitions.count) counters")
            for difference in differences { print("  \(difference)") }
            if differences.isEmpty { print("  (same counters: a plain copy)") }
            print("  counts kept: \(report.copied.isEmpty ? "none" : report.copied.joined(separator: ", "))")
            if !report.emptyRings.isEmpty {
                print("  rings starting empty (their windows count only events from now on, until the ring has filled): "
                      + report.emptyRings.joined(separator: ", "))
            }
            if !report.started.isEmpty { print("  counters starting empty: \(report.started.joined(separator: ", "))") }
            if !report.dropped.isEmpty { print("  counters dropped: \(report.dropped.joined(separator: ", "))") }
            if report.evictions > 0 { print("  keys evicted for lack of slots: \(report.evictions)") }
        }
    }

    /// Where `create` and `migrate` take their counters from: declarations or a ruleset.
    struct CounterSource: ParsableArguments {
        @Option(name: .customLong("counter"), help: "A counter declaration (repeatable).") var declarations: [String] = []
        @Option(help: "Take the counters of this ruleset (a .rules file or directory), as the engine does.") var rules: String?
        @Option(name: .customLong("model-root"), help: "Another directory to look for the ruleset's model files in (repeatable).")
        var modelRoots: [String] = []

        func definitions() throws -> [CounterDefinition] {
            var definitions = try declarations.map { try CounterDefinition(declaration: $0) }
            if let rules {
                definitions += try Engine.counterDefinitions(rules: rules, modelRoots: modelRoots + CheckCommand.defaultModelRoots())
            }
            guard !definitions.isEmpty else { throw ValidationError("give --counter declarations or --rules RULES (with counters)") }
            return definitions
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
