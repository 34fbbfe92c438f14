// libFuzzer target: arbitrary bytes as a rules file through the front end (parse, and the
// formatter round trip when the input parses). Must never crash, hang or trap; any diagnostics
// are fine. The checker joins this target once it exists (parse -> check).
import VerdictLanguage

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCompileSource(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var sources = SourceSet()
    let id = sources.add(path: "fuzz.rules", bytes: bytes)
    guard let file = sources[id] else { return 0 }
    var ids = ExprIDAllocator()
    var diagnostics = DiagnosticBag()
    let unit = Parser.parse(file, ids: &ids, diagnostics: &diagnostics)
    _ = DiagnosticRenderer(sources: sources).render(diagnostics)
    if !diagnostics.hasErrors {
        // A file that parses must format to text that parses to the same declarations.
        let formatted = Formatter.format(unit, source: file)
        var again = SourceSet()
        let againID = again.add(path: "formatted.rules", text: formatted)
        var againIDs = ExprIDAllocator()
        var againDiagnostics = DiagnosticBag()
        let reparsed = Parser.parse(again[againID]!, ids: &againIDs, diagnostics: &againDiagnostics)
        if againDiagnostics.hasErrors || reparsed != unit {
            fatalError("format round trip failed:\n\(formatted)")
        }
    }
    _ = Parser.parseExpression(file, ids: &ids, diagnostics: &diagnostics)
    return 0
}
