import Foundation
import Testing
import ZhiliDomain

@Suite("Alarm rules, the lifecycle's steps and the ladder")
struct AlarmRulesTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let rules = AlarmRules.defaults

    func fired(_ r: SensorReading, kind: DeviceKind = .wristband, context: AlarmRules.Context? = nil) -> [String] {
        AlarmRules.evaluate(r, rules: rules, context: context ?? .init(deviceKind: kind)).triggers.map(\.rule)
    }

    @Test func eachEventRuleRaisesItsAlarmWithItsSeverity() {
        #expect(fired(SensorReading(kind: "sos", at: t0)) == ["sos"])
        #expect(fired(SensorReading(kind: "fall", at: t0)) == ["fall"])
        #expect(fired(SensorReading(kind: "smoke", at: t0), kind: .smoke) == ["smoke"])
        #expect(fired(SensorReading(kind: "fire", at: t0), kind: .camera) == ["smoke"])
        #expect(fired(SensorReading(kind: "intrusion", at: t0, detail: "配电房"), kind: .camera) == ["intrusion"])
        #expect(fired(SensorReading(kind: "fire_lane", at: t0), kind: .camera) == ["fire_lane"])
        #expect(fired(SensorReading(kind: "heartbeat", at: t0)).isEmpty)
        #expect(fired(SensorReading(kind: "activity", at: t0), kind: .door).isEmpty)
        let severities = Dictionary(
            uniqueKeysWithValues: ["sos", "fall", "smoke"].map { k in
                (
                    k,
                    AlarmRules.evaluate(
                        SensorReading(kind: k, at: t0), rules: rules, context: .init(deviceKind: .camera)
                    ).triggers.first?.severity
                )
            })
        #expect(severities.values.allSatisfy { $0 == .critical })
        let intrusion = AlarmRules.evaluate(
            SensorReading(kind: "intrusion", at: t0, detail: "配电房"), rules: rules, context: .init(deviceKind: .camera))
        #expect(intrusion.triggers.first?.severity == .major && intrusion.triggers.first?.zh.contains("配电房") == true)
    }

    @Test func aCrowdCountsFromItsThreshold() {
        #expect(fired(SensorReading(kind: "crowd", at: t0, value: 49), kind: .camera).isEmpty)
        #expect(fired(SensorReading(kind: "crowd", at: t0, value: 50), kind: .camera) == ["crowd"])
    }

    @Test func theHeartRateMustStayOutOfItsBandForTheDuration() {
        var since: Date? = nil
        func beat(_ bpm: Double, after seconds: Double) -> [String] {
            let out = AlarmRules.evaluate(
                SensorReading(kind: "heart_rate", at: t0.addingTimeInterval(seconds), value: bpm), rules: rules,
                context: .init(deviceKind: .wristband, heartOutSince: since))
            since = out.heartOutSince
            return out.triggers.map(\.rule)
        }
        #expect(beat(80, after: 0).isEmpty && since == nil)
        #expect(beat(140, after: 10).isEmpty)
        #expect(since == t0.addingTimeInterval(10))
        #expect(beat(142, after: 40).isEmpty)
        #expect(beat(141, after: 70) == ["heart_rate"])
        // Back in the band: the clock starts again.
        #expect(beat(90, after: 80).isEmpty && since == nil)
        #expect(beat(40, after: 90).isEmpty)
    }

    @Test func theGeofenceAndItsTag() {
        let home = GeoPoint(lat: 40.1400, lon: 94.6600)
        let near = SensorReading(kind: "location", at: t0, point: GeoPoint(lat: 40.1430, lon: 94.6600))
        let far = SensorReading(kind: "location", at: t0, point: GeoPoint(lat: 40.1600, lon: 94.6600))
        #expect(fired(near, context: .init(deviceKind: .wristband, home: home)).isEmpty)
        #expect(fired(far, context: .init(deviceKind: .wristband, home: home)) == ["geofence"])
        #expect(fired(far, context: .init(deviceKind: .wristband, home: nil)).isEmpty)
        var tagged = rules
        tagged[tagged.firstIndex { $0.key == "geofence" }!].tag = "severe_mental_illness"
        let untagged = AlarmRules.evaluate(far, rules: tagged, context: .init(deviceKind: .wristband, home: home))
        #expect(untagged.triggers.isEmpty)
        let wearer = AlarmRules.evaluate(
            far, rules: tagged,
            context: .init(deviceKind: .wristband, personTags: ["severe_mental_illness"], home: home))
        #expect(wearer.triggers.map(\.rule) == ["geofence"])
    }

    @Test func lowBatteryRidesOnAnyEventAndARuleSwitchedOffRaisesNothing() {
        #expect(fired(SensorReading(kind: "heartbeat", at: t0, battery: 21)).isEmpty)
        #expect(fired(SensorReading(kind: "heartbeat", at: t0, battery: 20)) == ["battery_low"])
        #expect(fired(SensorReading(kind: "sos", at: t0, battery: 5)) == ["sos", "battery_low"])
        var off = rules
        off[off.firstIndex { $0.key == "fall" }!].enabled = false
        #expect(
            AlarmRules.evaluate(SensorReading(kind: "fall", at: t0), rules: off, context: .init(deviceKind: .wristband))
                .triggers.isEmpty)
    }

    @Test func stepsAreAllowedOnlyWhereTheyMakeSense() {
        #expect(AlarmAction.acknowledge.next(from: .raised) == .acknowledged)
        #expect(AlarmAction.acknowledge.next(from: .acknowledged) == nil)
        #expect(AlarmAction.resolve.next(from: .raised) == nil)
        #expect(AlarmAction.markFalse.next(from: .raised) == nil)
        #expect(AlarmAction.dispatch.next(from: .raised) == .dispatched)
        #expect(AlarmAction.resolve.next(from: .dispatched) == .resolved)
        #expect(AlarmAction.markFalse.next(from: .acknowledged) == .falseAlarm)
        for closed in [AlarmStatus.resolved, .falseAlarm] {
            #expect(AlarmAction.allCases.allSatisfy { $0.next(from: closed) == nil })
        }
    }

    @Test func theLadderClimbsByElapsedTime() throws {
        let ladder = EscalationLadder.standard
        #expect(ladder.rung(after: 0) == 0 && ladder.rung(after: 59) == 0)
        #expect(ladder.rung(after: 60) == 1 && ladder.rung(after: 179) == 1 && ladder.rung(after: 180) == 2)
        #expect(
            ladder.nextDelay(after: 0) == 60 && ladder.nextDelay(after: 1) == 180 && ladder.nextDelay(after: 2) == nil)
        let custom = try #require(EscalationLadder(text: "grid:0, community:30, street:90, city:300"))
        #expect(custom.rungs.map(\.level) == ["grid", "community", "street", "city"])
        #expect(EscalationLadder(text: "grid:soon") == nil)
        #expect(EscalationLadder(text: "") == nil)
    }
}
