// `verdict disasm`: prints the bytecode of a compiled program (a .vbc file, or a ruleset compiled on
// the fly) in readable form, or with `--opcodes` the VM's opcode table as Markdown (the source of
// docs/vm.md).
import ArgumentParser
import Glibc
import VerdictVM

struct DisasmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disasm",
        abstract: "Print the bytecode of a compiled ruleset (.vbc), or the VM's opcode table.")

    @Argument(help: "A .vbc file, or ruleset files/directories.")
    var paths: [String] = []

    @Flag(help: "Print the opcode table (Markdown) instead.")
    var opcodes = false

    func run() throws {
        if opcodes {
            print(Disassembler.opcodeTable(), terminator: "")
            return
        }
        guard !paths.isEmpty else { throw ValidationError("give a .vbc file or a ruleset, or --opcodes") }
        let program = paths.count == 1 && paths[0].hasSuffix(".vbc") ? try loadProgram(paths[0]) : try compileRuleset(paths)
        print(Disassembler.listing(program.contents), terminator: "")
    }
}

/// Reads and verifies a .vbc file.
func loadProgram(_ path: String) throws -> Program {
    guard let data = FileBytes.read(path) else { throw ValidationError("cannot read \(path)") }
    do { return try BytecodeFormat.decode(data) } catch { throw ValidationError("\(path): \(error)") }
}

/// Whole-file reads without Foundation.
enum FileBytes {
    static func read(_ path: String) -> [UInt8]? {
        guard let f = fopen(path, "rb") else { return nil }
        defer { fclose(f) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&buffer, 1, buffer.count, f)
            if n > 0 { out += buffer[0..<n] }
            if n < buffer.count { break }
        }
        return ferror(f) == 0 ? out : nil
    }

    static func write(_ path: String, _ bytes: [UInt8]) -> Bool {
        guard let f = fopen(path, "wb") else { return false }
        defer { fclose(f) }
        return bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) } == bytes.count
    }
}
