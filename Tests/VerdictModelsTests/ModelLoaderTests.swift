// Loader behaviour on hand-written inputs: the non-standard JSON tokens XGBoost writes, UBJSON
// containers, every base_score form, LightGBM's missing-type x default_left matrix, linear
// models, and precise, typed rejections (never a trap) for unsupported or malformed files.
import Foundation
import Testing
@testable import VerdictModels

@Suite struct ModelLoaderTests {
    static func xgboostJSON(objective: String = "binary:logistic", baseScore: String = "\"5E-1\"",
                            sizeLeafVector: Int = 1, leftChildren: String = "[1,-1,-1]") -> [UInt8] {
        Array("""
        {"learner":{"feature_names":["a"],"learner_model_param":{"base_score":\(baseScore),"num_class":"0","num_feature":"1"},
         "objective":{"name":"\(objective)"},
         "gradient_booster":{"name":"gbtree","model":{"tree_info":[0],"trees":[{"tree_param":{"size_leaf_vector":"\(sizeLeafVector)"},
           "left_children":\(leftChildren),"right_children":[2,-1,-1],"split_indices":[0,0,0],
           "split_conditions":[5E-1,-1.5E0,Infinity],"default_left":[1,0,0],"split_type":[0,0,0]}]}}}}
        """.utf8)
    }

    @Test func jsonReaderAcceptsXGBoostNonStandardNumberTokens() throws {
        let value = try JSONReader.parse(Array("[NaN, Infinity, -Infinity, 1E-1]".utf8))
        let items = try value.array("")
        #expect(try items[0].float("").isNaN)
        #expect(try items[1].double("") == .infinity)
        #expect(try items[2].double("") == -.infinity)
        #expect(try items[3].float("") == Float("1E-1")!)
    }

    @Test func jsonReaderRejectsGarbageAndDeepNestingWithTypedErrors() {
        #expect(throws: ModelError.self) { try JSONReader.parse(Array("{\"a\":1} x".utf8)) }
        #expect(throws: ModelError.self) { try JSONReader.parse(Array(String(repeating: "[", count: 10_000).utf8)) }
        #expect(throws: ModelError.self) { try JSONReader.parse(Array("[1,".utf8)) }
    }

    @Test func ubjsonReaderDecodesTypedArraysAndRejectsOversizedCounts() throws {
        // {"x": [$d#i\u{2} 1.5f 2.5f]} in UBJSON.
        var bytes: [UInt8] = [UInt8(ascii: "{"), UInt8(ascii: "i"), 1, UInt8(ascii: "x"),
                              UInt8(ascii: "["), UInt8(ascii: "$"), UInt8(ascii: "d"), UInt8(ascii: "#"), UInt8(ascii: "i"), 2]
        for value in [Float(1.5), 2.5] { withUnsafeBytes(of: value.bitPattern.bigEndian) { bytes += $0 } }
        bytes.append(UInt8(ascii: "}"))
        let document = try UBJSONReader.parse(bytes)
        #expect(try document.field("x", "").floats("x") == [1.5, 2.5])
        let oversized: [UInt8] = [UInt8(ascii: "["), UInt8(ascii: "$"), UInt8(ascii: "d"), UInt8(ascii: "#"),
                                  UInt8(ascii: "l"), 0x7F, 0xFF, 0xFF, 0xFF]
        #expect(throws: ModelError.self) { try UBJSONReader.parse(oversized) }
    }

    @Test func baseScoreParsesEveryVersionsForm() throws {
        #expect(try XGBoostLoader.parseBaseScore(.string("5E-1")) == [0.5])
        #expect(try XGBoostLoader.parseBaseScore(.string("[2.0055E-2]")) == [Float("2.0055E-2")!])
        #expect(try XGBoostLoader.parseBaseScore(.string("[1E-1,2E-1,7E-1]")) == [0.1, 0.2, 0.7])
        #expect(try XGBoostLoader.parseBaseScore(.string("(5E-1)")) == [0.5])
        #expect(try XGBoostLoader.parseBaseScore(.number(double: 0.25, float: 0.25)) == [0.25])
        #expect(throws: ModelError.invalidField("learner.learner_model_param.base_score", "\"abc\" is not a number list")) {
            try XGBoostLoader.parseBaseScore(.string("abc"))
        }
    }

    @Test func xgboostTreeFollowsLessThanAndDefaultLeft() throws {
        let model = try ModelLoader.load(bytes: Self.xgboostJSON())
        #expect(model.info.kind == .xgboost && model.info.precision == .float32)
        // base_score 0.5 -> margin 0; x < 0.5 left (-1.5), else right (+inf); NaN default left.
        #expect(try model.margins([0.25]) == [-1.5])
        #expect(try model.margins([0.5]) == [.infinity])
        #expect(try model.margins([.nan]) == [-1.5])
        // 0.49999999 rounds to Float 0.5: XGBoost compares in float32, so it goes right.
        #expect(try model.margins([0.49999999]) == [.infinity])
    }

    @Test func unsupportedXGBoostFeaturesAreRejectedByFieldName() {
        #expect(throws: ModelError.unsupported("learner.objective.name", "objective \"rank:pairwise\" is not supported")) {
            try ModelLoader.load(bytes: Self.xgboostJSON(objective: "rank:pairwise"))
        }
        #expect(throws: ModelError.unsupported("learner.gradient_booster.model.trees[0].tree_param.size_leaf_vector",
                                               "vector-leaf (multi-target) trees are not supported")) {
            try ModelLoader.load(bytes: Self.xgboostJSON(sizeLeafVector: 3))
        }
    }

    @Test func cyclicOrSharedChildrenAreRejected() {
        #expect(throws: ModelError.self) { try ModelLoader.load(bytes: Self.xgboostJSON(leftChildren: "[0,-1,-1]")) }
        #expect(throws: ModelError.self) { try ModelLoader.load(bytes: Self.xgboostJSON(leftChildren: "[2,-1,-1]")) }
        #expect(throws: ModelError.self) { try ModelLoader.load(bytes: Self.xgboostJSON(leftChildren: "[7,-1,-1]")) }
    }

    /// A one-split LightGBM model: feature 0 <= 0.5 -> leaf 0 (value -1), else leaf 1 (value 1).
    static func lightgbmText(decisionType: Int, objective: String = "regression") -> String {
        """
        tree
        version=v4
        num_class=1
        num_tree_per_iteration=1
        label_index=0
        max_feature_idx=0
        objective=\(objective)
        feature_names=x
        tree_sizes=1

        Tree=0
        num_leaves=2
        num_cat=0
        split_feature=0
        threshold=0.5
        decision_type=\(decisionType)
        left_child=-1
        right_child=-2
        leaf_value=-1 1
        shrinkage=1

        end of trees
        """
    }

    /// Tree::NumericalDecision (include/LightGBM/tree.h) after the dense-row filter, as a reference.
    static func lightgbmGoesLeft(_ raw: Double, decisionType: Int) -> Bool {
        var x = abs(raw) <= Double(Float(1e-35)) ? 0 : raw
        let missingType = (decisionType >> 2) & 3, defaultLeft = decisionType & 2 != 0
        if x.isNaN && missingType != 2 { x = 0 }
        if (missingType == 1 && abs(x) <= Double(Float(1e-35))) || (missingType == 2 && x.isNaN) { return defaultLeft }
        return x <= 0.5
    }

    @Test(arguments: [0, 2, 4, 6, 8, 10])
    func lightgbmEveryMissingTypeAndDefaultDirection(decisionType: Int) throws {
        let model = try ModelLoader.load(bytes: Array(Self.lightgbmText(decisionType: decisionType).utf8))
        #expect(model.info.kind == .lightgbm && model.info.precision == .float64)
        for x in [Double.nan, 0, -0.0, 1e-36, -1e-36, 0.5, 0.5.nextUp, 0.5.nextDown, -1, .infinity, -.infinity] {
            let want = Self.lightgbmGoesLeft(x, decisionType: decisionType) ? -1.0 : 1.0
            #expect(try model.margins([x]) == [want], "decision_type \(decisionType), x = \(x)")
        }
    }

    @Test func lightgbmRejectsUnknownObjectiveAndBadMissingType() {
        #expect(throws: ModelError.unsupported("objective", "objective \"lambdamart\" is not supported")) {
            try ModelLoader.load(bytes: Array(Self.lightgbmText(decisionType: 2, objective: "lambdamart").utf8))
        }
        #expect(throws: ModelError.invalidField("Tree=0.decision_type", "missing type 3 at node 0")) {
            try ModelLoader.load(bytes: Array(Self.lightgbmText(decisionType: 12).utf8))
        }
    }

    @Test func linearModelOrdersFeaturesByDocumentAndPropagatesMissing() throws {
        let text = #"{"kind":"linear","link":"logistic","intercept":-1,"weights":{"z":2,"a":0.5}}"#
        let model = try ModelLoader.load(bytes: Array(text.utf8))
        #expect(model.info.featureNames == ["z", "a"])
        let want: Double = -1 + (0 + 2 * 1 + 0.5 * 2)
        #expect(try model.margins([1, 2]) == [want])
        #expect(try model.margins([.nan, 2])[0].isNaN)
        #expect(try model.outputs(margins: [0]) == [0.5])
        #expect(throws: ModelError.unsupported("link", "link \"probit\" (expected identity or logistic)")) {
            try ModelLoader.load(bytes: Array(text.replacingOccurrences(of: "logistic", with: "probit").utf8))
        }
    }

    @Test func wrongFeatureCountIsATypedError() throws {
        let model = try ModelLoader.load(bytes: Self.xgboostJSON())
        #expect(throws: ModelError.wrongCount(what: "features", expected: 1, got: 2)) { try model.margins([1, 2]) }
    }
}
