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
