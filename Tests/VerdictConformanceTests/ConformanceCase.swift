// The typed view of a CEL conformance file (simple.proto: SimpleTestFile > SimpleTestSection >
// SimpleTest), decoded from the untyped text-format tree of Textproto.swift. Only what the
// runner and the skip classification need is kept; anything else is recorded as `unsupported`
// so that the classifier can name it.
import Foundation
import VerdictReference

/// A value of `cel.expr.Value` (value.proto), as expected results and bindings spell them.
enum CELValue: Equatable, CustomStringConvertible {
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case string(String)
    case bytes([UInt8])
    case bool(Bool)
    case null
    case list([CELValue])
    case map([CELMapEntry])
    /// A type value (`type_value: "int"`).
    case type(String)
    /// Anything else (`object_value`, enums...), by field name.
    case unsupported(String)

    var description: String {
        switch self {
        case .int(let v): return "\(v)"
        case .uint(let v): return "\(v)u"
        case .double(let v): return CELValue.format(v)
        case .string(let s): return ReferenceValue.celString(s)
        case .bytes(let b): return "b'" + b.map { String(format: "\\x%02x", $0) }.joined() + "'"
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .list(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .map(let entries): return "{" + entries.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
        case .type(let name): return name
        case .unsupported(let field): return "<\(field)>"
        }
    }

    /// A double in CEL notation: always with a decimal point or exponent; `inf`, `-inf`, `nan`.
    static func format(_ v: Double) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v < 0 ? "-inf" : "inf" }
        let text = "\(v)"
        return text.contains(".") || text.contains("e") ? text : text + ".0"
    }
}

/// One entry of a `map_value`.
struct CELMapEntry: Equatable {
    var key: CELValue
    var value: CELValue
}

/// What a test expects (the `result_matcher` oneof; no matcher means `bool true`).
enum CELExpectation: Equatable {
    case value(CELValue)
    /// `eval_error` / `any_eval_errors`: some error; the messages are informative only (cel-go's
    /// harness does not compare them either).
    case error([String])
    /// `unknown`, `any_unknowns`, `typed_result`: matchers this runner does not support.
    case unsupported(String)
}

/// A declared variable of the test's type environment (`type_env { name ident { type } }`).
struct CELDeclaration: Equatable {
    var name: String
    /// The primitive type name (`INT64`, `DOUBLE`, `STRING`, `BOOL`, `UINT64`, `BYTES`) or the
    /// kind of a non-primitive type (`map_type`, `list_type`, `null`, `message_type`, `function`).
    var type: String
}

/// One `SimpleTest`.
struct ConformanceCase {
    var file: String
    var section: String
    var name: String
    var expression: String
    var disableCheck: Bool
    var disableMacros: Bool
    var checkOnly: Bool
    var container: String
    var declarations: [CELDeclaration]
    var bindings: [String: CELValue]
    var expectation: CELExpectation

    /// `file/section/name`, unique across the suite; the key of the skip list.
    var id: String { "\(file)/\(section)/\(name)" }
}

/// A decoded conformance file.
struct ConformanceFile {
    var name: String
    var cases: [ConformanceCase]
}

/// Why a conformance file could not be decoded.
struct ConformanceDecodingError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

extension ConformanceFile {
    /// Reads and decodes one `*.textproto` file.
    init(contentsOf url: URL) throws {
        let text = try String(contentsOf: url, encoding: .utf8)
        try self.init(parsing: text, fileName: url.deletingPathExtension().lastPathComponent)
    }

    /// Decodes the text of a `SimpleTestFile`.
    init(parsing text: String, fileName: String) throws {
        let root = try TextprotoParser.parse(text)
        name = root.string("name") ?? fileName
        var cases: [ConformanceCase] = []
        for case .message(let section) in root.all("section") {
            let sectionName = section.string("name") ?? ""
            for case .message(let test) in section.all("test") {
                cases.append(try ConformanceFile.decodeCase(test, file: name, section: sectionName))
            }
        }
        self.cases = cases
    }

    private static func decodeCase(_ test: TextprotoMessage, file: String, section: String) throws -> ConformanceCase {
        guard let name = test.string("name"), let expression = test.string("expr") else {
            throw ConformanceDecodingError(message: "\(file)/\(section): a test without name or expr")
        }
        var declarations: [CELDeclaration] = []
        for case .message(let decl) in test.all("type_env") {
            let declName = decl.string("name") ?? ""
            var type = "function"
            if let ident = decl.message("ident"), let t = ident.message("type") {
                if case .scalar(let primitive)? = t.first("primitive") {
                    type = primitive
                } else {
                    type = t.fields.first?.name ?? "unknown"
                }
            }
            declarations.append(CELDeclaration(name: declName, type: type))
        }
        var bindings: [String: CELValue] = [:]
        for case .message(let binding) in test.all("bindings") {
            guard let key = binding.string("key"), let exprValue = binding.message("value") else { continue }
            if let value = exprValue.message("value") {
                bindings[key] = try decodeValue(value)
            } else {
                bindings[key] = .unsupported(exprValue.fields.first?.name ?? "empty ExprValue")
            }
        }
        let expectation: CELExpectation
        if let value = test.message("value") {
            expectation = .value(try decodeValue(value))
        } else if let errorSet = test.message("eval_error") {
            expectation = .error(errorMessages(errorSet))
        } else if let matcher = test.message("any_eval_errors") {
            var messages: [String] = []
            for case .message(let set) in matcher.all("errors") { messages += errorMessages(set) }
            expectation = .error(messages)
        } else if let other = ["typed_result", "unknown", "any_unknowns"].first(where: { test.first($0) != nil }) {
            expectation = .unsupported(other)
        } else {
            expectation = .value(.bool(true))
        }
        return ConformanceCase(
            file: file, section: section, name: name, expression: expression,
            disableCheck: test.bool("disable_check"), disableMacros: test.bool("disable_macros"),
            checkOnly: test.bool("check_only"), container: test.string("container") ?? "",
            declarations: declarations, bindings: bindings, expectation: expectation)
    }

    private static func errorMessages(_ set: TextprotoMessage) -> [String] {
        set.all("errors").compactMap { value in
            if case .message(let status) = value { return status.string("message") ?? "" }
            return nil
        }
    }

    /// Decodes a `cel.expr.Value` message.
    static func decodeValue(_ message: TextprotoMessage) throws -> CELValue {
        guard let first = message.fields.first else {
            throw ConformanceDecodingError(message: "empty Value")
        }
        let field = first.name
        switch (field, first.value) {
        case ("int64_value", .scalar(let s)):
            guard let v = Int64(s) else { throw ConformanceDecodingError(message: "bad int64_value \(s)") }
            return .int(v)
        case ("uint64_value", .scalar(let s)):
            guard let v = UInt64(s) else { throw ConformanceDecodingError(message: "bad uint64_value \(s)") }
            return .uint(v)
        case ("double_value", .scalar(let s)):
            guard let v = parseDouble(s) else { throw ConformanceDecodingError(message: "bad double_value \(s)") }
            return .double(v)
        case ("string_value", .string(let bytes)):
            return .string(String(decoding: bytes, as: UTF8.self))
        case ("bytes_value", .string(let bytes)):
            return .bytes(bytes)
        case ("bool_value", .scalar(let s)):
            return .bool(s == "true" || s == "1")
        case ("null_value", _):
            return .null
        case ("list_value", .message(let list)):
            return .list(try list.all("values").map { value in
                guard case .message(let m) = value else { throw ConformanceDecodingError(message: "bad list element") }
                return try decodeValue(m)
            })
        case ("map_value", .message(let map)):
            return .map(try map.all("entries").map { entry in
                guard case .message(let e) = entry, let k = e.message("key"), let v = e.message("value") else {
                    throw ConformanceDecodingError(message: "bad map entry")
                }
                return CELMapEntry(key: try decodeValue(k), value: try decodeValue(v))
            })
        case ("type_value", .string(let bytes)):
            return .type(String(decoding: bytes, as: UTF8.self))
        default:
            return .unsupported(field)
        }
    }

    /// Text-format doubles: decimal, exponent, `inf`/`Infinity`/`-inf`, `nan`.
    private static func parseDouble(_ s: String) -> Double? {
        switch s.lowercased() {
        case "inf", "infinity", "+inf": return .infinity
        case "-inf", "-infinity": return -.infinity
        case "nan": return .nan
        default: return Double(s)
        }
    }
}

/// Locates `../shared/conformance/cel/` (VERDICT_SHARED, else beside the package root).
enum ConformanceData {
    static var directory: URL {
        if let shared = ProcessInfo.processInfo.environment["VERDICT_SHARED"], !shared.isEmpty {
            return URL(fileURLWithPath: shared).appendingPathComponent("conformance/cel")
        }
        let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/conformance/cel")
    }

    /// Every `*.textproto` file, decoded, sorted by name.
    static func loadAll() throws -> [ConformanceFile] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".textproto") }.sorted()
        return try names.map { try ConformanceFile(contentsOf: directory.appendingPathComponent($0)) }
    }
}
