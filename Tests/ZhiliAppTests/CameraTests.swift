import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting

@testable import ZhiliApp

@Suite("Cameras: the EventNotificationAlert document")
struct CameraTests {
    /// As a camera pushes it (the camera's clock in China Standard Time).
    static func xml(_ type: String, state: String = "active", at: Date = Date(), region: String = "2") -> String {
        let f = DateFormatter()
        f.timeZone = TimeZone(identifier: "Asia/Shanghai")
        f.dateFormat = "yyyy-MM-dd'T'HH:mm:ssXXX"
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <EventNotificationAlert version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema">
            <ipAddress>192.168.1.64</ipAddress><portNo>80</portNo><protocol>HTTP</protocol>
            <macAddress>44:19:b6:00:00:01</macAddress><channelID>1</channelID>
            <dateTime>\(f.string(from: at))</dateTime><activePostCount>1</activePostCount>
            <eventType>\(type)</eventType><eventState>\(state)</eventState>
            <eventDescription>\(type) alarm</eventDescription><channelName>东门</channelName>
            <DetectionRegionList><DetectionRegionEntry><regionID>\(region)</regionID><sensitivityLevel>50</sensitivityLevel>
            </DetectionRegionEntry></DetectionRegionList>
            </EventNotificationAlert>
            """
    }

    static func post(
        _ app: Application, key: String, body: String, contentType: String = "application/xml",
        expect status: HTTPStatus = .ok
    ) async throws -> SensingIngest.Receipt? {
        var receipt: SensingIngest.Receipt?
        try await app.testing().test(
            .POST, "/api/v1/ingest/camera", headers: ["X-Device-Key": key, "Content-Type": contentType],
            body: ByteBuffer(string: body)
        ) { res in
            #expect(res.status == status, "\(res.body.string)")
            receipt = try? res.content.decode(SensingIngest.Receipt.self)
        }
        return receipt
    }

    @Test func theDocumentsTypesBecomeReadingsAndInactiveIsAHeartbeat() throws {
        func kind(_ doc: String) throws -> [String] {
            let alert = try CameraAlert.parse(document: Array(doc.utf8))
            return CameraAlert.events(alert, now: Date()).events.compactMap(\.kind)
        }
        #expect(try kind(Self.xml("fielddetection")) == ["intrusion"])
        #expect(try kind(Self.xml("linedetection")) == ["intrusion"])
        #expect(try kind(Self.xml("regionEntrance")) == ["intrusion"])
        #expect(try kind(Self.xml("fireDetection")) == ["fire"])
        #expect(try kind(Self.xml("smokeDetection")) == ["smoke"])
        #expect(try kind(Self.xml("fallDown")) == ["fall"])
        #expect(try kind(Self.xml("illegalParking")) == ["fire_lane"])
        #expect(try kind(Self.xml("videoloss", state: "inactive")) == ["heartbeat"])
        let alert = try CameraAlert.parse(document: Array(Self.xml("fielddetection").utf8))
        #expect(alert.channelID == "1" && alert.regionID == "2" && alert.channelName == "东门")
        let e = try #require(CameraAlert.events(alert, now: Date()).events.first)
        #expect(e.detail == "东门 区域 2")
        // The JSON form, with a count for a crowd.
        let json =
            #"{"ipAddress":"10.0.0.9","channelID":3,"dateTime":"2026-12-03T16:15:00+08:00","eventType":"peopleDensity","eventState":"active","peopleNum":64}"#
        let crowd = try CameraAlert.parse(document: Array(json.utf8))
        let c = try #require(CameraAlert.events(crowd, now: Date()).events.first)
        #expect(c.kind == "crowd" && c.value == 64 && (c.id ?? "").hasPrefix("cam-ch3-peopledensity-"))
        // A repeat while the event lasts (same channel, type and time) has the same id.
        let again = try CameraAlert.parse(document: Array(json.replacingOccurrences(of: "64", with: "66").utf8))
        #expect(CameraAlert.events(again, now: Date()).events.first?.id == c.id)
        // Not the document: refused.
        #expect(throws: AppError.self) { try CameraAlert.parse(document: Array("<html></html>".utf8)) }
        #expect(throws: AppError.self) { try CameraAlert.parse(document: Array("eventType=fire".utf8)) }
        #expect(throws: AppError.self) {
            try CameraAlert.parse(
                document: Array("<EventNotificationAlert><eventState>active</eventState></EventNotificationAlert>".utf8)
            )
        }
    }

    @Test func aCameraPushesXMLJSONAndMultipartAndAnIntrusionRaisesOneAlarm() async throws {
        try await withTestApp { app in
            let camera = try await SensingFixture.register(app, kind: "camera")
            let alarms = try await app.count("alarms")
            let at = Date()
            let first = try #require(
                try await Self.post(app, key: camera.key, body: Self.xml("fielddetection", at: at)))
            #expect(first.accepted == 1 && first.alarms.count == 1)
            // The camera repeats the alert while it lasts: stored once.
            let repeatPost = try #require(
                try await Self.post(app, key: camera.key, body: Self.xml("fielddetection", at: at)))
            #expect(repeatPost.accepted == 0 && repeatPost.duplicates == 1)
            #expect(try await app.count("alarms") == alarms + 1)
            let alarm = try await SensingFixture.alarm(app, try #require(first.alarms.first))
            #expect(alarm.rule == "intrusion" && alarm.title_zh.contains("东门"))

            // Multipart: the document beside a snapshot picture.
            let boundary = "MIME_boundary"
            let multipart =
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"fireDetection\"; filename=\"fireDetection.xml\"\r\nContent-Type: application/xml\r\n\r\n"
                + Self.xml("fireDetection", at: at.addingTimeInterval(1))
                + "\r\n--\(boundary)\r\nContent-Disposition: form-data; name=\"fireDetectionImage\"; filename=\"fire.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n\u{FF}\u{D8}\u{FF}\r\n--\(boundary)--\r\n"
            let fire = try #require(
                try await Self.post(
                    app, key: camera.key, body: multipart, contentType: "multipart/form-data; boundary=\(boundary)"))
            #expect(fire.accepted == 1 && fire.alarms.count == 1)
            let fireAlarm = try await SensingFixture.alarm(app, try #require(fire.alarms.first))
            #expect(fireAlarm.rule == "smoke" && fireAlarm.severity == "critical")

            // JSON, a crowd the camera judged without a count.
            let json = #"{"channelID":1,"eventType":"peopleGathering","eventState":"active"}"#
            let crowd = try #require(
                try await Self.post(app, key: camera.key, body: json, contentType: "application/json"))
            #expect(crowd.alarms.count == 1)

            // Inactive: the camera's heartbeat, no alarm.
            let idle = try #require(
                try await Self.post(app, key: camera.key, body: Self.xml("videoloss", state: "inactive")))
            #expect(idle.accepted == 1 && idle.alarms.isEmpty)
            let row = try #require(try await DeviceRegistry.find(camera.id, on: app.db.sql))
            #expect(row.online)
        }
    }

    /// A camera's alert with its pictures as the camera sends it: the document, then JPEG parts.
    static func alertWithPictures(_ document: String, pictures: [Data], boundary: String) -> ByteBuffer {
        var body = Data()
        func line(_ s: String) { body.append(Data((s + "\r\n").utf8)) }
        line("--\(boundary)")
        line("Content-Disposition: form-data; name=\"fieldDetection\"; filename=\"fieldDetection.xml\"")
        line("Content-Type: application/xml")
        line("")
        line(document)
        for (i, picture) in pictures.enumerated() {
            line("--\(boundary)")
            line("Content-Disposition: form-data; name=\"detectionPicture\"; filename=\"p\(i).jpg\"")
            line("Content-Type: image/jpeg")
            line("")
            body.append(picture)
            line("")
        }
        line("--\(boundary)--")
        return ByteBuffer(data: body)
    }

    /// The simulated cameras' picture is a real JPEG (libjpeg's), which the platform keeps.
    @Test func theSimulatorsSnapshotIsAJPEGThePlatformReads() throws {
        let a = try #require(DeviceSimulator.snapshot(seed: 1))
        let b = try #require(DeviceSimulator.snapshot(seed: 99))
        #expect(PhotoProcessing.sniff(Data(a)) == "jpeg")
        #expect(a != b)
        let kept = try PhotoProcessing.normalize(Data(a))
        #expect(kept.width == 480 && kept.height == 270)
        #expect(throws: PhotoProblem.self) { try PhotoProcessing.jpeg(rgb: [1, 2, 3], width: 2, height: 2) }
    }

    @Test func theSnapshotPicturesAreKeptWithTheAlarmAndShownToStaffInScopeOnly() async throws {
        try await withTestApp { app in
            let camera = try await SensingFixture.register(app, kind: "camera")
            let at = Date()
            let boundary = "MIME_boundary"
            // A picture, and one that only starts like a JPEG: the alert counts, the bad picture does not.
            let good = TestImages.png(width: 640, height: 360)
            let broken = Data([0xFF, 0xD8, 0xFF, 0xE0]) + Data(repeating: 0x41, count: 300)
            var receipt: SensingIngest.Receipt?
            let body = Self.alertWithPictures(
                Self.xml("fielddetection", at: at), pictures: [good, broken], boundary: boundary)
            try await app.testing().test(
                .POST, "/api/v1/ingest/camera",
                headers: ["X-Device-Key": camera.key, "Content-Type": "multipart/form-data; boundary=\(boundary)"],
                body: body
            ) { res in
                #expect(res.status == .ok, "\(res.body.string)")
                receipt = try? res.content.decode(SensingIngest.Receipt.self)
            }
            let alarm = try #require(receipt?.alarms.first)
            #expect(receipt?.accepted == 1)
            // The camera repeats the alert while the intrusion lasts: no second copy of its pictures.
            try await app.testing().test(
                .POST, "/api/v1/ingest/camera",
                headers: ["X-Device-Key": camera.key, "Content-Type": "multipart/form-data; boundary=\(boundary)"],
                body: body
            ) { res in #expect(res.status == .ok) }
            struct Detail: Decodable {
                struct P: Decodable {
                    let id: UUID
                    let stage: String
                    let width: Int
                }
                let photos: [P]
            }
            var photos: [Detail.P] = []
            try await app.testing().test(.GET, "/api/v1/alarms/\(alarm)", headers: try await app.bearer("grid001")) {
                res in
                #expect(res.status == .ok)
                photos = (try? res.content.decode(Detail.self).photos) ?? []
            }
            #expect(photos.count == 1)
            let photo = try #require(photos.first)
            #expect(photo.stage == "snapshot" && photo.width == 640)
            for size in ["", "?size=thumb"] {
                try await app.testing().test(
                    .GET, "/api/v1/alarms/\(alarm)/photos/\(photo.id)\(size)", headers: try await app.bearer("grid001")
                ) { res in
                    #expect(res.status == .ok)
                    #expect(res.headers.contentType == .jpeg)
                    #expect(PhotoProcessing.sniff(Data(res.body.readableBytesView)) == "jpeg")
                }
            }
            // Another grid's worker: the alarm and its pictures do not exist for them.
            try await app.testing().test(
                .GET, "/api/v1/alarms/\(alarm)/photos/\(photo.id)", headers: try await app.bearer("grid004")
            ) { res in #expect(res.status == .notFound || res.status == .forbidden) }
            // A picture of another alarm is not reached through this one.
            try await app.testing().test(
                .GET, "/api/v1/alarms/\(alarm)/photos/\(UUID())", headers: try await app.bearer("grid001")
            ) { res in #expect(res.status == .notFound) }
            let page = try await WebFixture.page(app, "/alarms/\(alarm)", as: "grid001")
            #expect(page.contains("/api/v1/alarms/\(alarm)/photos/\(photo.id)?size=thumb"))
            let metrics = Metrics.registry.emitToString()
            #expect(metrics.contains("zhili_camera_pictures_total{outcome=\"unreadable\"}"))
        }
    }

    @Test func onlyACamerasOwnKeyIsTakenAndBrokenDocumentsAreRefused() async throws {
        try await withTestApp { app in
            let camera = try await SensingFixture.register(app, kind: "camera")
            let button = try await SensingFixture.register(app, kind: "sos")
            _ = try await Self.post(app, key: "zd_wrong", body: Self.xml("fielddetection"), expect: .unauthorized)
            _ = try await Self.post(app, key: button.key, body: Self.xml("fielddetection"), expect: .forbidden)
            _ = try await Self.post(app, key: camera.key, body: "<EventNotificationAlert>", expect: .badRequest)
            _ = try await Self.post(
                app, key: camera.key, body: "--x\r\n\r\nnothing\r\n--x--\r\n",
                contentType: "multipart/form-data; boundary=x", expect: .badRequest)
            // An alert from three days ago (a camera with a wrong clock, or a replay).
            _ = try await Self.post(
                app, key: camera.key, body: Self.xml("fielddetection", at: Date().addingTimeInterval(-3 * 86400)),
                expect: .unprocessableEntity)
            // The key in the address, for cameras that cannot sign their pushes.
            try await app.testing().test(
                .POST, "/api/v1/ingest/camera?key=\(camera.key)", headers: ["Content-Type": "application/xml"],
                body: ByteBuffer(string: Self.xml("linedetection"))
            ) { res in #expect(res.status == .ok, "\(res.body.string)") }
        }
    }
}
