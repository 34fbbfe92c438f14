// The JSON convenience decoder of a session, for slow paths and tools (`verdict eval`): one JSON
// object whose keys are field names sets those fields by type. The typed setters by field index
// are the fast path; this allocates.
import Foundation
import VerdictVM

extension Session {
    /// Resets the request and sets its fields from a JSON object (`{"amount_usd": 12.5, ...}`).
    /// `null` leaves a field missing; keys that are not fields are ignored (events carry labels
    /// and other data). `now` (the event time) defaults to the first `timestamp` field present.
    public func setJSON(_ text: String) throws(EngineError) {
        let fields: [String: JSONScalar]
        do { fields = try JSONDecoder().decode([String: JSONScalar].self, from: Data(text.utf8)) } catch {
            throw .request("expected a JSON object of field values (numbers, strings, booleans, null): \(error)")
        }
        reset()
        for (name, value) in fields {
            guard let index = engine.field(named: name) else { continue }
            try set(index, json: value, name: name)
        }
        if (fields["now"] ?? .null) == .null, let time = engine.eventTimeField,
           case .int(let t) = request.value(ofRegister: time) {
            try set(engine.nowField, int: t)
        }
    }

    private func set(_ index: Int, json value: JSONScalar, name: String) throws(EngineError) {
        let info = engine.program.contents.fields[index]
        func bad() -> EngineError { .request("field '\(name)' is \(info.type); got \(value)") }
        switch (info.type, value) {
        case (_, .null): return
        case (.bool, .bool(let b)): try set(index, bool: b)
        case (.int, .int(let i)): try set(index, int: i)
        case (.double, .int(let i)): try set(index, double: Double(i))
        case (.double, .double(let d)): try set(index, double: d)
        case (.string, .string(let s)): try set(index, string: s)
        case (.ip, .string(let s)):
            guard let address = IPAddress(s) else { throw bad() }
            try set(index, ip: address)
        default: throw bad()
        }
    }
}

/// One value of a request object.
enum JSONScalar: Decodable, Equatable, CustomStringConvertible {
    case null, bool(Bool), int(Int64), double(Double), string(String)
    /// An array or object (an error when its key names a field).
    case other

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int64.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .double(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else { self = .other }
    }

    var description: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return "a bool (\(b))"
        case .int(let i): return "an integer (\(i))"
        case .double(let d): return "a number (\(d))"
        case .string(let s): return "a string (\(s.debugDescription))"
        case .other: return "an array or object"
        }
    }
}
