// libFuzzer target for the model loaders: the input bytes are tried as each model kind (XGBoost
// JSON/UBJ, LightGBM text, linear JSON). A model that loads is then evaluated on a few rows built
// from the input (NaN, ±0, ±inf, huge and subnormal values included): nothing may crash or hang.
import VerdictModels

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzModelLoad(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let specials: [Double] = [.nan, 0, -0.0, .infinity, -.infinity, 1e-36, 5e-324, 1e300, -1, 2.5, 16_777_216, 2_147_483_648]
    for kind in ModelKind.allCases {
        guard let model = try? ModelLoader.load(bytes: bytes, kind: kind) else { continue }
        let info = model.info
        guard info.featureNames.count <= 4096, info.outputCount <= 4096 else { continue }
        var margins = [Double](repeating: 0, count: info.outputCount)
        var outputs = margins
        for row in 0..<4 {
            let features = (0..<info.featureNames.count).map { index -> Double in
                let seed = Int(bytes.isEmpty ? 0 : bytes[(index * 7 + row) % bytes.count])
                return row == 0 ? specials[seed % specials.count] : Double(seed) / 16 - 4
            }
            features.withUnsafeBufferPointer { input in
                margins.withUnsafeMutableBufferPointer { m in
                    model.predictMargins(input.baseAddress!, m.baseAddress!)
                    outputs.withUnsafeMutableBufferPointer { model.transform(m.baseAddress!, $0.baseAddress!) }
                }
            }
            _ = model.visitedNodes(features)
        }
    }
    return 0
}
