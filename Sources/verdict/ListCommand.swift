// `verdict list`: manage the LMDB-backed lists of a data directory (create, add, remove,
// import, export, count, check, show) and benchmark lookups (ListBenchCommand.swift). The
// directory comes from --dir, else $VERDICT_LISTS, else ./lists.
import ArgumentParser
import Foundation
import VerdictStore

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Manage the lists rules look up with `in @name` (LMDB, one database per list).",
        subcommands: [Create.self, Add.self, Remove.self, Import.self, Export.self, Count.self, Check.self,
                      Show.self, ListBenchCommand.self]
    )
}

/// The data directory option shared by every `list` subcommand.
struct ListDirectoryOption: ParsableArguments {
    @Option(name: .customLong("dir"), help: "List data directory (default: $VERDICT_LISTS or ./lists).")
    var directory: String?

    func open(create: Bool = false) throws -> ListStore {
        let path = directory ?? ProcessInfo.processInfo.environment["VERDICT_LISTS"] ?? "lists"
        do { return try ListStore(directory: path, create: create) } catch { throw ListCommandError(description: error.description) }
    }
}

/// A store failure as the CLI reports it: "Error: <message>", exit code 1, no usage text.
struct ListCommandError: Error, CustomStringConvertible {
    var description: String
}

/// Turns store errors into messages ArgumentParser prints without a stack of Swift types.
func runStore<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as ListStoreError {
        throw ListCommandError(description: error.description)
    } catch let error as ListImportError {
        throw ListCommandError(description: error.description)
    }
}

extension ListCommand {
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a list: KIND is string, string-ci, ip or prefix.")
        @OptionGroup var store: ListDirectoryOption
        @Argument(help: "List name (letters, digits, _).") var name: String
        @Argument(help: "string | string-ci | ip | prefix") var kind: String

        func run() throws {
            guard let kind = ListStoreKind(text: kind) else { throw ValidationError("unknown list kind '\(self.kind)': use string, string-ci, ip or prefix") }
            let store = try store.open(create: true)
            try runStore { try store.create(list: name, kind: kind) }
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add entries (one transaction).")
        @OptionGroup var store: ListDirectoryOption
        @Option(help: "Why the entries are listed.") var reason: String = ""
        @Option(name: .customLong("expires-at"), help: "Unix time (seconds) after which the entries stop matching.") var expiresAt: Int64 = 0
        @Argument var name: String
        @Argument var values: [String]

        func run() throws {
            let store = try store.open()
            let metadata = ListEntryMetadata(reason: reason, addedAt: Int64(Date().timeIntervalSince1970), expiresAt: expiresAt)
            let n = try runStore { try store.add(values.map { ListEntry($0, metadata: metadata) }, to: name) }
            print("added \(n) entr\(n == 1 ? "y" : "ies") to \(name)")
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove entries (one transaction).")
        @OptionGroup var store: ListDirectoryOption
        @Argument var name: String
        @Argument var values: [String]

        func run() throws {
            let store = try store.open()
            let n = try runStore { try store.remove(values, from: name) }
            print("removed \(n) entr\(n == 1 ? "y" : "ies") from \(name)")
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a file, one entry per line: value[TAB reason[TAB expires_at]].",
            discussion: "All valid lines are written in one transaction. Invalid lines are reported with their line numbers; --on-bad reject (default) writes nothing if there is any, --on-bad skip imports the rest.")
        @OptionGroup var store: ListDirectoryOption
        @Option(name: .customLong("on-bad"), help: "skip | reject") var onBad: String = "reject"
        @Argument var name: String
        @Argument var file: String

        func run() throws {
            guard let policy = BadEntryPolicy(rawValue: onBad) else { throw ValidationError("--on-bad must be skip or reject") }
            let store = try store.open()
            let contents = try runStore { try readListFile(file) }
            let bar = ProgressBar(enabled: isatty(2) != 0 && contents.count > 1 << 20)
            let report = try runStore {
                try store.importLines(contents, into: name, policy: policy, addedAt: Int64(Date().timeIntervalSince1970)) { phase in
                    switch phase {
                    case let .validating(done, total): bar.show("validating", done, total)
                    case let .writing(done, total): bar.show("writing", done, total)
                    }
                }
            }
            bar.finish()
            for problem in report.problems.prefix(50) { FileHandle.standardError.write(Data("skipped \(problem)\n".utf8)) }
            if report.problems.count > 50 { FileHandle.standardError.write(Data("... and \(report.problems.count - 50) more\n".utf8)) }
            print("imported \(report.imported) entries into \(name), skipped \(report.problems.count) invalid line(s)")
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print entries in import format (canonical values, sorted).")
        @OptionGroup var store: ListDirectoryOption
        @Argument var name: String

        func run() throws {
            let store = try store.open()
            var out = ""
            try runStore {
                try store.forEachEntry(in: name) { value, meta in
                    out += value
                    if let meta, !meta.reason.isEmpty || meta.expiresAt != 0 {
                        out += "\t" + meta.reason
                        if meta.expiresAt != 0 { out += "\t\(meta.expiresAt)" }
                    }
                    out += "\n"
                    if out.utf8.count > 1 << 16 { FileHandle.standardOutput.write(Data(out.utf8)); out = "" }
                }
            }
            FileHandle.standardOutput.write(Data(out.utf8))
        }
    }

    struct Count: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the number of entries (expired ones included).")
        @OptionGroup var store: ListDirectoryOption
        @Argument var name: String

        func run() throws {
            let store = try store.open()
            print(try runStore { try store.count(name) })
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show which entry VALUE matches and why (exit 1 if none).")
        @OptionGroup var store: ListDirectoryOption
        @Option(help: "Unix time to evaluate expiry at (default: now).") var now: Int64?
        @Argument var name: String
        @Argument var value: String

        func run() throws {
            let store = try store.open()
            let time = now ?? Int64(Date().timeIntervalSince1970)
            let (kind, found) = try runStore { () throws -> (ListStoreKind, ListMatch?) in
                let reader = store.makeReader()
                let handle = try reader.handle(name)
                return (reader.kind(of: handle), try reader.match(handle, value, now: time, includeExpired: true))
            }
            guard let found else {
                print("\(value): no match in \(name) (\(kind))")
                throw ExitCode(1)
            }
            let how: String
            switch kind {
            case .string: how = "exact match"
            case .stringCaseInsensitive: how = "match ignoring ASCII case"
            case .ip: how = found.entry.contains("/") ? "address inside the most specific listed range" : "listed address"
            case .prefix: how = "longest listed prefix"
            }
            var line = "\(value): \(found.expired ? "EXPIRED entry, does not match" : "match") in \(name) (\(kind)): entry \(found.entry), \(how)"
            if let meta = found.metadata {
                if !meta.reason.isEmpty { line += "; reason: \(meta.reason)" }
                if meta.addedAt != 0 { line += "; added \(Self.date(meta.addedAt))" }
                if meta.expiresAt != 0 { line += "; expires \(Self.date(meta.expiresAt))" }
            }
            print(line)
            if found.expired { throw ExitCode(1) }
        }

        static func date(_ seconds: Int64) -> String {
            ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the lists with their kinds and entry counts.")
        @OptionGroup var store: ListDirectoryOption

        func run() throws {
            let store = try store.open()
            try runStore {
                for (name, kind) in try store.lists() { print("\(name)\t\(kind)\t\(try store.count(name))") }
            }
        }
    }
}

/// A one-line progress bar on stderr, redrawn at most every percent.
final class ProgressBar {
    private let enabled: Bool
    private var last = -1
    private var lastPhase = ""

    init(enabled: Bool) { self.enabled = enabled }

    func show(_ phase: String, _ done: Int, _ total: Int) {
        guard enabled, total > 0 else { return }
        let percent = done * 100 / total
        guard percent != last || phase != lastPhase else { return }
        last = percent; lastPhase = phase
        let filled = percent * 30 / 100
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: 30 - filled)
        FileHandle.standardError.write(Data("\r\(phase) [\(bar)] \(percent)% ".utf8))
    }

    func finish() { if enabled && last >= 0 { FileHandle.standardError.write(Data("\n".utf8)) } }
}
