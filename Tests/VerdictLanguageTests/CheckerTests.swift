// Behaviour of the type checker on whole rulesets: the reference ruleset checks clean, and the
// checked ruleset carries the types, resolutions, orders and constants the compiler relies on.
import Foundation
import Testing
@testable import VerdictLanguage

@Test func referenceRulesetChecksCleanWithItsModels() throws {
    let path = sharedPath("bench/reference.rules")
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
        print("skipped: \(path) not found"); return
    }
    let models = [
        "models/fraud_gbdt.json": fraudFeatures, "models/fraud_lgbm.txt": fraudFeatures,
        "models/chargeback_lr.json": ["amount_usd", "prior_disputes", "new_customer", "digital_goods", "geo_mismatch"],
    ]
    let checked = checkText(text, path: "reference.rules", models: models)
    #expect(checked.rendered == "")
    let ruleset = try #require(checked.ruleset)
    #expect(ruleset.rules.count == 41)
    #expect(ruleset.fields.count == 25)
    #expect(ruleset.models.map(\.features.count) == [22, 22, 5])
}

let fraudFeatures = [
    "amount_usd", "card_age_days", "customer_age_days", "prior_disputes", "distance_ip_billing_km", "hour_of_day",
    "is_anonymous_ip", "geo_mismatch", "ship_mismatch", "prepaid", "free_email", "high_risk_country", "digital_goods",
    "cvc_fail", "avs_fail", "attempts_card_1h", "attempts_card_24h", "attempts_ip_1h", "cards_email_24h", "cards_ip_1h",
    "usd_email_24h", "blocks_card_7d",
]

let contractSchema = """
schema {
  amount          int
  amount_usd      double
  email           string
  email_domain    string ci
  card.country    country
  card.bin        string
  ip              ip
  is_anonymous_ip bool
  created_at      timestamp
  customer.id     string
  metadata.channel string
}

"""

/// Checks `body` under the contract schema and returns the ruleset, failing on any diagnostic.
func checkedClean(_ body: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> CheckedRuleset {
    let checked = checkText(contractSchema + body)
    #expect(checked.rendered == "", sourceLocation: sourceLocation)
    return try #require(checked.ruleset, sourceLocation: sourceLocation)
}

/// The resolution of the condition of rule `index`.
func conditionResolution(_ ruleset: CheckedRuleset, _ index: Int = 0) -> Resolution? {
    ruleset.resolution(of: ruleset.rules[index].condition.id)
}

@Suite struct CheckedRulesetContractTests {
    @Test func comparisonsResolveToTypedOverloads() throws {
        let ruleset = try checkedClean("""
            rule a: review if amount > 1000.0
            rule b: review if amount_usd <= 5
            rule c: review if email_domain == "GMAIL.com"
            rule d: review if card.country != "US"
            rule e: review if ip == "10.0.0.1"
            rule f: review if created_at > now - 7d
            rule g: review if now - created_at < 1h
            """)
        #expect(conditionResolution(ruleset, 0) == .binary(.comparison(.greater, .intDouble)))
        #expect(conditionResolution(ruleset, 1) == .binary(.comparison(.lessEqual, .doubleInt)))
        #expect(conditionResolution(ruleset, 2) == .binary(.comparison(.equal, .stringCaseInsensitive)))
        #expect(conditionResolution(ruleset, 3) == .binary(.comparison(.notEqual, .string)))
        #expect(conditionResolution(ruleset, 4) == .binary(.comparison(.equal, .ip)))
        #expect(conditionResolution(ruleset, 5) == .binary(.comparison(.greater, .timestamp)))
        #expect(conditionResolution(ruleset, 6) == .binary(.comparison(.less, .duration)))
        guard case .binary(_, _, let literal) = ruleset.rules[2].condition.kind,
              case .binary(_, _, let address) = ruleset.rules[4].condition.kind,
              case .binary(_, _, let window) = ruleset.rules[5].condition.kind else {
            Issue.record("unexpected tree"); return
        }
        #expect(ruleset.constant(of: literal.id) == .string("gmail.com"))
        #expect(ruleset.constant(of: address.id) == .ip(IPAddress("10.0.0.1")!))
        #expect(ruleset.resolution(of: window.id) == .binary(.arithmetic(.subtract, .timestampDuration)))
        #expect(ruleset.type(of: window.id) == .timestamp)
    }

    @Test func namesResolveToFieldsLetsModelsAndRadarSpellings() throws {
        let ruleset = try checkedClean("""
            model lr linear "models/lr.json" {
              anonymous = is_anonymous_ip
              amount_usd = amount_usd
            }
            let big = amount_usd > 1000.0
            let risky = big and lr > 0.5
            rule a: review if risky
            Block if :card_country: = 'NG' and :amount_in_usd: > 10 and ::channel:: = 'web'
            rule c: review if raw(lr) > 1.0
            """)
        // Lets come in dependency order: `big` before `risky`, whatever the source order.
        #expect(ruleset.lets.map(\.name) == ["big", "risky"])
        #expect(conditionResolution(ruleset, 0) == .letValue(1))
        #expect(ruleset.rules[1].name == "rule_21")
        // Model features follow the model's own order, not the binding order.
        #expect(ruleset.models[0].features.map(\.name) == ["amount_usd", "anonymous"])
        #expect(ruleset.models[0].path == "models/lr.json")
        var names: [Resolution] = []
        func collect(_ expr: Expr) {
            switch expr.kind {
            case .name: if let r = ruleset.resolution(of: expr.id) { names.append(r) }
            case .binary(_, let l, let r): collect(l); collect(r)
            default: break
            }
        }
        collect(ruleset.rules[1].condition)
        let country = ruleset.field(named: "card.country")!.id
        let usd = ruleset.field(named: "amount_usd")!.id
        let channel = ruleset.field(named: "metadata.channel")!.id
        #expect(names == [.field(country), .field(usd), .field(channel)])
        guard case .binary(_, let raw, _) = ruleset.rules[2].condition.kind else { Issue.record("tree"); return }
        #expect(ruleset.resolution(of: raw.id) == .modelRaw(0))
    }

    @Test func inResolvesToSetsListsAndStoreLookups() throws {
        let ruleset = try checkedClean("""
            list blocked_emails string ci
            list bad_networks ip
            list risky_bins prefix
            rule a: block if email in @blocked_emails
            rule b: block if ip in @bad_networks or card.bin in @risky_bins
            rule c: review if email_domain in ["Gmail.com", "gmail.com", "yahoo.com"]
            rule d: review if amount_usd in [100, 250.5]
            rule e: review if card.country in [card.country, "US"]
            rule f: review if ip in ["10.0.0.1", "::1"]
            """)
        #expect(conditionResolution(ruleset, 0) == .binary(.inStoreList(0)))
        #expect(ruleset.lists.map(\.kind) == [.string, .ip, .prefix])
        #expect(ruleset.lists[0].caseInsensitive)
        func setOf(_ index: Int) -> [ConstantValue]? {
            guard case .binary(.in, _, let right) = ruleset.rules[index].condition.kind else { return nil }
            return ruleset.constantSet(of: right.id)
        }
        #expect(conditionResolution(ruleset, 2) == .binary(.inConstantSet(.stringCaseInsensitive)))
        #expect(setOf(2) == [.string("gmail.com"), .string("yahoo.com")])
        #expect(conditionResolution(ruleset, 3) == .binary(.inConstantSet(.double)))
        #expect(setOf(3) == [.double(100), .double(250.5)])
        #expect(conditionResolution(ruleset, 4) == .binary(.inList(.string)))
        #expect(setOf(4) == nil)
        #expect(setOf(5) == [.ip(IPAddress("10.0.0.1")!), .ip(IPAddress("::1")!)])
    }

    @Test func countersCarryKeysWindowsAndReadTypes() throws {
        let ruleset = try checkedClean("""
            counter attempts by card.bin retain 7d
            counter spend by email sum amount_usd retain 30d
            counter cents by email sum amount retain 30d
            counter cards by email distinct card.bin retain 1d
            counter blocks by ip when verdict == block and score >= 10 retain 7d
            rule a: block if attempts(1h) > 10 or spend(24h) > 100.0 or cents(1d) > 5 or cards(1d) > 3 or blocks(7d) > 0
            """)
        #expect(ruleset.counters.map(\.readType) == [.int, .double, .int, .int, .int])
        #expect(ruleset.counters.map(\.retainSeconds) == [604_800, 2_592_000, 2_592_000, 86_400, 604_800])
        var reads: [Resolution] = []
        func collect(_ expr: Expr) {
            switch expr.kind {
            case .call: if let r = ruleset.resolution(of: expr.id) { reads.append(r) }
            case .binary(_, let l, let r): collect(l); collect(r)
            default: break
            }
        }
        collect(ruleset.rules[0].condition)
        #expect(reads.first == .counterRead(0, windowSeconds: 3600))
        #expect(reads.count == 5)
        let when = try #require(ruleset.counters[4].condition)
        guard case .binary(.and, let verdictTest, let scoreTest) = when.kind,
              case .binary(_, let verdict, let block) = verdictTest.kind,
              case .binary(_, let score, _) = scoreTest.kind else { Issue.record("tree"); return }
        #expect(ruleset.resolution(of: verdict.id) == .verdict)
        #expect(ruleset.resolution(of: block.id) == .action(.block))
        #expect(ruleset.resolution(of: verdictTest.id) == .binary(.comparison(.equal, .action)))
        #expect(ruleset.resolution(of: score.id) == .score)
    }

    @Test func builtinsResolveToOverloads() throws {
        let ruleset = try checkedClean("""
            let a = size(email) > 3 and email_domain.endsWith(".RU") and email.startsWith("x")
            let b = email.matches("^[a-z]+@") and lower(email) == "x" and domain(email) == "EXAMPLE.com"
            let c = int(amount_usd) > 3 and double(amount) > 3.0 and string(ip) == "x" and abs(amount) > 1
            let d = min(amount, 3) > 1 and max(amount_usd, 2.0) > 1.0 and has(email) and is_missing(ip)
            let e = bucket(customer.id, 100) < 10 and cidr(ip, "10.0.0.0/8") and email LIKE '%@x.com' and email_domain INCLUDES 'mail'
            let f = (is_anonymous_ip ? "a" : email) + "b" == "ab" and -amount < 0
            rule r: review if a and b and c and d and e and f
            """)
        var calls: [Resolution] = []
        func collect(_ expr: Expr) {
            switch expr.kind {
            case .call(_, let target, let arguments):
                if let r = ruleset.resolution(of: expr.id) { calls.append(r) }
                target.map(collect); arguments.forEach(collect)
            case .binary(let op, let l, let r):
                if op == .like || op == .includes || op == .add, let res = ruleset.resolution(of: expr.id) { calls.append(res) }
                collect(l); collect(r)
            case .unary(_, let operand):
                if let r = ruleset.resolution(of: expr.id) { calls.append(r) }
                collect(operand)
            case .conditional(_, let a, let b):
                if let r = ruleset.resolution(of: expr.id) { calls.append(r) }
                collect(a); collect(b)
            default: break
            }
        }
        for item in ruleset.lets { collect(item.value) }
        #expect(calls == [
            .builtin(.size), .builtin(.endsWith(caseInsensitive: true)), .builtin(.startsWith(caseInsensitive: false)),
            .builtin(.matches(pattern: "^[a-z]+@")), .builtin(.lower), .builtin(.domain),
            .builtin(.toInt(from: .double)), .builtin(.toDouble(from: .int)), .builtin(.toString(from: .ip)), .builtin(.abs(.int)),
            .builtin(.min(.int)), .builtin(.max(.double)), .builtin(.has), .builtin(.isMissing),
            .builtin(.bucket(buckets: 100)), .builtin(.cidr(IPNetwork("10.0.0.0/8")!)),
            .binary(.like(caseInsensitive: false)), .binary(.includes(caseInsensitive: true)),
            .binary(.concatenate), .conditional, .unary(.negateInt),
        ])
        // domain() is case-insensitive text, so comparing it ignores case.
        #expect(ruleset.lets[1].type == .bool)
    }

    @Test func rulesKeepOptionsPrecedenceAndOnError() throws {
        let ruleset = try checkedClean("""
            ruleset payments version "2026-11-23.1"
            precedence block > allow > review
            on error review
            rule a: block if is_anonymous_ip reason "anonymous" shadow tags "geo", "ip"
            rule b: review if amount > 5000 rollout 12.5% by customer.id
            score s: +25 if amount > 100
            score t: -10 if is_anonymous_ip
            threshold review if score >= 50, block if score >= 100
            """)
        #expect(ruleset.name == "payments" && ruleset.version == "2026-11-23.1")
        #expect(ruleset.precedence == [.block, .allow, .review])
        #expect(ruleset.onError == .review)
        #expect(ruleset.rules[0].reason == "anonymous" && ruleset.rules[0].shadow && ruleset.rules[0].tags == ["geo", "ip"])
        #expect(ruleset.rules[1].rollout?.percent == 12.5)
        #expect(ruleset.scores.map(\.points) == [25, -10])
        #expect(ruleset.thresholds.map(\.action) == [.review, .block])
    }

    @Test func everyNodeOfACleanRulesetIsTyped() throws {
        let path = sharedPath("bench/reference.rules")
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return }
        let checked = checkText(text, models: nil)
        let ruleset = try #require(checked.ruleset)
        func visit(_ expr: Expr) {
            #expect(ruleset.type(of: expr.id) != .error, "node \(expr.id) untyped")
            switch expr.kind {
            case .list(let items, _): items.forEach(visit)
            case .unary(_, let e): visit(e)
            case .binary(_, let a, let b): visit(a); visit(b)
            case .conditional(let a, let b, let c): visit(a); visit(b); visit(c)
            case .call(_, let target, let args): target.map(visit); args.forEach(visit)
            case .index(let a, let b): visit(a); visit(b)
            default: break
            }
        }
        ruleset.rules.forEach { visit($0.condition) }
        ruleset.lets.forEach { visit($0.value) }
        ruleset.models.forEach { $0.features.forEach { visit($0.value) } }
        ruleset.counters.forEach { visit($0.key); $0.condition.map(visit) }
    }

    @Test func checkingWithoutACatalogKeepsBindingOrder() throws {
        let checked = checkText(contractSchema + """
            model m xgboost "m.json" {
              z = amount_usd
              a = is_anonymous_ip
            }
            rule r: review if m > 0.5
            """, path: "dir/test.rules", models: nil)
        let ruleset = try #require(checked.ruleset)
        #expect(ruleset.models[0].features.map(\.name) == ["z", "a"])
        #expect(ruleset.models[0].path == "dir/m.json")
    }
}

@Suite struct CheckerScaleTests {
    /// Lets declared in reverse order of use, 5,000 deep: checked in dependency order without
    /// recursing through the chain (this would overflow a test thread's stack otherwise).
    @Test func longLetChainsInAnyOrderCheckWithoutDeepRecursion() throws {
        var text = contractSchema
        for index in stride(from: 4_999, through: 1, by: -1) { text += "let l\(index) = l\(index - 1) or is_anonymous_ip\n" }
        text += "let l0 = amount > 10\nrule r: review if l4999\n"
        let checked = checkText(text)
        #expect(checked.rendered == "")
        let ruleset = try #require(checked.ruleset)
        #expect(ruleset.lets.first?.name == "l0" && ruleset.lets.last?.name == "l4999")
    }

    @Test func aLongCycleIsReportedOnce() {
        var text = contractSchema
        for index in 0..<5_000 { text += "let l\(index) = l\((index + 1) % 5_000) or is_anonymous_ip\n" }
        text += "rule r: review if l0\n"
        let checked = checkText(text)
        #expect(checked.codes == ["cycle"])
    }
}

@Test func longCyclesAreAbbreviatedInTheMessage() {
    var text = contractSchema
    for index in 0..<12 { text += "let l\(index) = l\((index + 1) % 12) or is_anonymous_ip\n" }
    text += "rule r: review if l0\n"
    let message = checkText(text).result.diagnostics.first?.message
    #expect(message == "reference cycle: l0 -> l1 -> l2 -> l3 -> l4 -> l5 -> l6 -> l7 -> ... -> l0 (12 declarations)")
}

/// Every expression node reachable from a checked ruleset, for invariants over the whole tree.
func allExpressions(_ ruleset: CheckedRuleset) -> [Expr] {
    var roots: [Expr] = ruleset.rules.map(\.condition) + ruleset.lets.map(\.value) + ruleset.scores.map(\.condition)
    roots += ruleset.thresholds.map(\.condition) + ruleset.models.flatMap { $0.features.map(\.value) }
    for counter in ruleset.counters {
        roots.append(counter.key)
        if let condition = counter.condition { roots.append(condition) }
        switch counter.aggregate {
        case .count: break
        case .sum(let value), .distinct(let value): roots.append(value)
        }
    }
    roots += ruleset.rules.compactMap { $0.rollout?.key }
    var all: [Expr] = []
    while let expr = roots.popLast() {
        all.append(expr)
        switch expr.kind {
        case .list(let items, _): roots += items
        case .unary(_, let e): roots.append(e)
        case .binary(_, let a, let b): roots += [a, b]
        case .conditional(let a, let b, let c): roots += [a, b, c]
        case .call(_, let target, let args): roots += args + (target.map { [$0] } ?? [])
        case .index(let a, let b): roots += [a, b]
        default: break
        }
    }
    return all
}

/// Random rulesets (the formatter's generator, printed and re-parsed) under a schema naming some of
/// its names: the checker never traps, and whenever it accepts a ruleset every node is typed and
/// every operator, call and name is resolved.
@Test func randomRulesetsCheckWithoutTrapsAndAcceptedOnesAreFullyResolved() {
    var generator = RandomSyntax(seed: 7)
    let schema = "schema {\n  amount int\n  amount_usd double\n  email_domain string ci\n  ip ip\n  x bool\n  y1 timestamp\n  customer.x country\n}\n"
    var accepted = 0
    for _ in 0..<600 {
        let text = schema + Formatter.format(generator.unit())
        let checked = checkText(text, models: nil)
        _ = checked.rendered
        guard let ruleset = checked.ruleset else { continue }
        accepted += 1
        for expr in allExpressions(ruleset) {
            #expect(ruleset.type(of: expr.id) != .error, "untyped node in:\n\(text)")
            switch expr.kind {
            case .int, .double, .string, .bool, .duration, .list: break
            default: #expect(ruleset.resolution(of: expr.id) != nil, "unresolved node in:\n\(text)")
            }
        }
    }
    #expect(accepted > 50)
}

@Test func caseInsensitiveLiteralsFoldASCIIOnly() throws {
    // `ci` folding is ASCII-only everywhere (docs/language.md, Decisions 4): the checker's folded
    // literals must match what the VM and lists compare, so "É" stays "É".
    let ruleset = try checkedClean("""
        rule a: review if email_domain == "ÉCOLE.Fr"
        rule b: review if email_domain in ["STRAßE.de", "straße.DE", "É"]
        """)
    guard case .binary(_, _, let literal) = ruleset.rules[0].condition.kind,
          case .binary(.in, _, let set) = ruleset.rules[1].condition.kind else {
        Issue.record("unexpected condition shapes")
        return
    }
    #expect(ruleset.constant(of: literal.id) == .string("École.fr"))
    #expect(ruleset.constantSet(of: set.id) == [.string("straße.de"), .string("É")])
}
