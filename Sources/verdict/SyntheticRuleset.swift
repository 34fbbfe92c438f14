// A realistic generated ruleset for front-end benchmarks: a schema of 26 fields, LMDB lists,
// counters, `let` bindings, scores, a threshold and N rules (native rules with options, and
// pasted Radar rules) drawn from the shapes a risk team writes, with varied constants. Seeded, so
// every run benchmarks the same text. Every name it uses is declared with the type it is used at.
// (No models: those need model files on disk.)

/// Generates the files of a synthetic ruleset.
struct SyntheticRuleset {
    /// File name and text, in the order they should be compiled.
    var files: [(path: String, text: String)]

    init(rules: Int, seed: UInt64 = 42) {
        var random = SplitMix64(seed: seed)
        var declarations = """
        ruleset synthetic version "bench-1"

        schema {
          amount                  int
          amount_usd              double
          currency                string
          card.fingerprint        string
          card.bin                string
          card.country            country
          card.funding            string
          card.age_days           int
          email                   string
          email_domain            string ci
          ip                      ip
          ip_country              country
          is_anonymous_ip         bool
          customer.id             string
          customer.age_days       int
          customer.prior_disputes int
          billing.country         country
          shipping.country        country
          hour_of_day             int
          merchant.category       string
          cvc_check               string
          avs_check               string
          is_recurring            bool
          created_at              timestamp
          metadata.tier           string
          risk_score              int
        }

        list blocked_emails    string ci
        list blocked_cards     string
        list blocked_networks  ip
        list risky_bins        prefix
        list vip_customers     string

        counter attempts_per_card  by card.fingerprint                  retain 7d
        counter attempts_per_ip    by ip                                retain 1d
        counter usd_per_email      by email sum amount_usd              retain 30d
        counter cards_per_email    by email distinct card.fingerprint   retain 30d


        """
        let letCount = 50
        for index in 0..<letCount {
            declarations += "let signal_\(index) = " + SyntheticRuleset.condition(&random, depth: 1, lets: 0) + "\n"
        }
        declarations += """

        score s_velocity: +25 if attempts_per_card(24h) > 3
        score s_emails:   +20 if cards_per_email(24h) >= 2
        score s_geo:      +15 if card.country != ip_country
        threshold review if score >= 60, block if score >= 90

        """
        files = [("synthetic/declarations.rules", declarations)]
        let perFile = max(1, (rules + 1) / 2)
        var ruleIndex = 0
        var part = 0
        while ruleIndex < rules {
            var text = "// Generated rules, part \(part + 1)\n"
            for _ in 0..<min(perFile, rules - ruleIndex) {
                text += SyntheticRuleset.rule(&random, index: ruleIndex, lets: letCount) + "\n"
                ruleIndex += 1
            }
            files.append(("synthetic/rules-\(part + 1).rules", text))
            part += 1
        }
    }

    /// Total size in bytes.
    var byteCount: Int { files.reduce(0) { $0 + $1.text.utf8.count } }

    static let countries = ["US", "GB", "DE", "FR", "NG", "GH", "PK", "BD", "VN", "ID", "RO", "UA", "BR", "IN", "CA"]
    static let domains = ["gmail.com", "yahoo.com", "proton.me", "mail.ru", "example.org", "outlook.com"]
    static let actions = ["block", "review", "review", "challenge", "allow"]

    static func rule(_ random: inout SplitMix64, index: Int, lets: Int) -> String {
        let name = "r\(index)"
        if random.below(8) == 0 {
            let radarAction = ["Block", "Review", "Request 3D Secure"][random.below(3)]
            return "\(radarAction) if :amount_usd: > \(random.below(5000)).00 AND :card.country: IN ('\(countries[random.below(countries.count)])', '\(countries[random.below(countries.count)])')"
        }
        var text = "rule \(name): \(actions[random.below(actions.count)]) if " + condition(&random, depth: 0, lets: lets)
        switch random.below(10) {
        case 0: text += " reason \"generated rule \(index)\""
        case 1: text += " shadow"
        case 2: text += " rollout \(1 + random.below(99))% by customer.id"
        case 3: text += " tags \"velocity\", \"generated\""
        default: break
        }
        return text
    }

    static func condition(_ random: inout SplitMix64, depth: Int, lets: Int) -> String {
        let count = depth > 0 ? 1 : 1 + random.below(3)
        return (0..<count).map { _ in clause(&random, lets: lets) }.joined(separator: random.below(4) == 0 ? " or " : " and ")
    }

    static func clause(_ random: inout SplitMix64, lets: Int) -> String {
        let country = countries[random.below(countries.count)]
        switch random.below(lets > 0 ? 19 : 18) {
        case 0: return "amount_usd > \(random.below(10_000)).\(random.below(100))"
        case 1: return "card.country in [\"\(country)\", \"\(countries[random.below(countries.count)])\", \"\(countries[random.below(countries.count)])\"]"
        case 2: return "attempts_per_card(\(1 + random.below(23))h) > \(random.below(20))"
        case 3: return "email in @blocked_emails"
        case 4: return "card.country != ip_country"
        case 5: return "email_domain.endsWith(\"\(domains[random.below(domains.count)])\")"
        case 6: return "card.bin.startsWith(\"\(400_000 + random.below(99_999))\")"
        case 7: return "usd_per_email(24h) > \(random.below(20_000)).0"
        case 8: return "cards_per_email(\(1 + random.below(29))d) >= \(1 + random.below(5))"
        case 9: return "customer.id in @vip_customers"
        case 10: return "not is_recurring"
        case 11: return "(customer.age_days < \(random.below(30)) or customer.prior_disputes >= \(1 + random.below(3)))"
        case 12: return "is_missing(email) == false and hour_of_day < \(random.below(24))"
        case 13: return "ip in @blocked_networks"
        case 14: return "cvc_check == \"fail\""
        case 15: return "card.fingerprint in @blocked_cards"
        case 16: return "card.bin in @risky_bins"
        case 17: return "attempts_per_ip(\(1 + random.below(23))h) > \(random.below(50))"
        default: return "signal_\(random.below(lets))"
        }
    }
}

/// SplitMix64, for reproducible generated inputs.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in 0..<bound.
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
