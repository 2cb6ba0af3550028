import Foundation
import ZhiliDomain

extension DeviceSimulator {
    /// A made-up camera frame (a courtyard at dusk with a figure standing in it, 480 × 270) as
    /// JPEG, for the simulated cameras' alerts: the alarm page shows a snapshot as it would with
    /// a real camera. Different seeds place the figure differently.
    static func snapshot(seed: Int) -> [UInt8]? {
        let (w, h) = (480, 270)
        var rng = SeededGenerator(seed: UInt64(bitPattern: Int64(seed)))
        let figureX = rng.int(60...(w - 90))
        let figureH = rng.int(70...110)
        var px = [UInt8](repeating: 0, count: w * h * 3)
        let horizon = h * 11 / 20
        for y in 0..<h {
            for x in 0..<w {
                var (r, g, b): (Int, Int, Int)
                if y < horizon {
                    // Sky: deep blue above, warm near the horizon.
                    let t = Double(y) / Double(horizon)
                    (r, g, b) = (Int(40 + 150 * t), Int(50 + 80 * t), Int(110 - 30 * t))
                } else {
                    // Paving with a seam every 40 px.
                    let seam = (x % 40 == 0 || (y - horizon) % 24 == 0)
                    (r, g, b) = seam ? (70, 70, 72) : (105, 102, 98)
                }
                // A building's wall with lit windows.
                if y > horizon - 90, y < horizon, x > 20, x < 200 {
                    let window = (x - 30) % 34 < 18 && (y - horizon + 80) % 30 < 16 && x > 30 && y < horizon - 10
                    (r, g, b) = window ? (230, 200, 120) : (88, 84, 90)
                }
                // The figure: a dark shape standing on the paving.
                let top = horizon + 40 - figureH
                if x >= figureX, x < figureX + 26, y >= top, y < horizon + 40 {
                    let head = y < top + 20
                    if !head || (x >= figureX + 6 && x < figureX + 20) { (r, g, b) = (30, 30, 38) }
                }
                // The camera's red detection box around it.
                let box = (figureX - 8, top - 8, figureX + 34, horizon + 48)
                let onBox =
                    (x == box.0 || x == box.2) && y >= box.1 && y <= box.3
                    || (y == box.1 || y == box.3) && x >= box.0
                        && x <= box.2
                if onBox { (r, g, b) = (235, 40, 40) }
                let i = (y * w + x) * 3
                px[i] = UInt8(clamping: r)
                px[i + 1] = UInt8(clamping: g)
                px[i + 2] = UInt8(clamping: b)
            }
        }
        guard let jpeg = try? PhotoProcessing.jpeg(rgb: px, width: w, height: h) else { return nil }
        return [UInt8](jpeg)
    }
}
