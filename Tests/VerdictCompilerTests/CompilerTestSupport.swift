// Shared helpers of the compiler tests: compiling ruleset text, a host with settable answers,
// and finding the reference ruleset of ../shared/bench.
import Foundation
import VerdictCompiler
import VerdictLanguage
import VerdictVM
import XCTest

/// Compiles ruleset source text (failing the test with the diagnostics if it does not check).
func compile(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> Program {
    let result = Frontend.check(text: text)
    guard let ruleset = result.ruleset else {
        XCTFail(result.diagnostics.map(\.message).joined(separator: "\n"), file: file, line: line)
        throw CompileError(message: "does not check")
    }
    return try Compiler.compile(ruleset)
}

/// Evaluates a standalone expression through parser, checker, compiler and VM.
func evaluate(_ expression: String) throws -> VerdictVM.Value {
    VM.evaluateExpression(Request(program: try Compiler.compileExpression(source: expression)))
}

/// A host answering every list, counter and model call with settable values, counting calls.
final class ScriptedHost {
    var list: Int32 = 0
    var counter = 0.0
    var counterStatus = HostStatus.value
    var model = 0.5
    var modelStatus = HostStatus.value
    var modelCalls = 0, listCalls = 0, counterCalls = 0

    var host: VerdictVM.Host {
        VerdictVM.Host(
            context: Unmanaged.passUnretained(self).toOpaque(),
            list: { c, _, _, _ in
                let me = Unmanaged<ScriptedHost>.fromOpaque(c!).takeUnretainedValue()
                me.listCalls += 1
                return me.list
            },
            counter: { c, _, _, _, count, _, _, out in
                let me = Unmanaged<ScriptedHost>.fromOpaque(c!).takeUnretainedValue()
                me.counterCalls += 1
                for i in 0..<count { out[i] = me.counter }
                return me.counterStatus
            },
            model: { c, _, _, out in
                let me = Unmanaged<ScriptedHost>.fromOpaque(c!).takeUnretainedValue()
                me.modelCalls += 1
                out[0] = me.model
                out[1] = 0
                return me.modelStatus
            })
    }
}

/// The shared reference ruleset (`$VERDICT_SHARED/bench/reference.rules`, else ../shared next to
/// the package); nil when absent.
func referenceRulesPath() -> String? {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let shared = ProcessInfo.processInfo.environment["VERDICT_SHARED"] ?? root.appendingPathComponent("../shared").path
    let path = shared + "/bench/reference.rules"
    return FileManager.default.fileExists(atPath: path) ? path : nil
}
