// Finding and reading the files of a ruleset: a directory is one ruleset (its `.rules` files, at
// any depth, in sorted path order), a file is itself. Reading checks the 4 MiB limit before
// loading, so a huge file is rejected without being read.
import Foundation

/// The files that make up a ruleset, and loading them into a `SourceSet`.
public enum RulesFiles {
    /// The `.rules` files named by `paths`: each directory expands to the `.rules` files under it
    /// (recursively, sorted by path); each file is kept as given. Paths that do not exist are kept
    /// too, so that `load` reports them as unreadable. Duplicates are removed, first one wins.
    public static func expand(_ paths: [String]) -> [String] {
        var result: [String] = []
        var seen: Set<String> = []
        for path in paths {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                let base = path.hasSuffix("/") ? String(path.dropLast()) : path
                let found = (FileManager.default.enumerator(atPath: path)?.allObjects as? [String] ?? [])
                    .filter { $0.hasSuffix(".rules") }
                    .sorted()
                    .map { base + "/" + $0 }
                for file in found where seen.insert(file).inserted { result.append(file) }
            } else if seen.insert(path).inserted {
                result.append(path)
            }
        }
        return result
    }

    /// Reads each file into `sources`. A file that cannot be read (`file-unreadable`) or is larger
    /// than `ParserLimits.maxFileBytes` (`file-too-large`) is reported and added empty, so file
    /// ids still follow `paths`.
    public static func load(_ paths: [String], into sources: inout SourceSet, diagnostics: inout DiagnosticBag) {
        for path in paths {
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue
            if let size, size > ParserLimits.maxFileBytes {
                let id = sources.add(path: path, bytes: [])
                diagnostics.report(.error(.fileTooLarge,
                                          "file is \(size) bytes; the limit is \(ParserLimits.maxFileBytes) bytes (4 MiB)",
                                          at: .wholeFile(id),
                                          hint: "split the ruleset into several files in one directory"))
                continue
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                var isDirectory: ObjCBool = false
                let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
                let reason = !exists ? "no such file" : isDirectory.boolValue ? "it is a directory" : "permission denied or I/O error"
                let id = sources.add(path: path, bytes: [])
                diagnostics.report(.error(.fileUnreadable, "cannot read the file: \(reason)", at: .wholeFile(id)))
                continue
            }
            sources.add(path: path, bytes: [UInt8](data))
        }
    }
}
