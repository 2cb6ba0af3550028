import Foundation
import SQLKit
import Testing
import VaporTesting
import ZhiliDomain

@testable import ZhiliApp

@Suite("Photos: checked, upright, shrunk, without metadata")
struct PhotoProcessingTests {
    @Test func pngBecomesAJPEGNeverEnlarged() throws {
        let photo = try PhotoProcessing.normalize(TestImages.png(width: 800, height: 600))
        #expect(photo.image.prefix(3) == Data([0xFF, 0xD8, 0xFF]))
        #expect(photo.width == 800 && photo.height == 600)
        #expect(photo.sourceWidth == 800 && photo.sourceHeight == 600)
        #expect(photo.thumbnail.count < photo.image.count)
        #expect(PhotoProcessing.sniff(photo.thumbnail) == "jpeg")
    }

    @Test func largePicturesShrinkToTheDisplayAndThumbnailSides() throws {
        let photo = try PhotoProcessing.normalize(TestImages.png(width: 2400, height: 1200))
        #expect(photo.width == 1600 && photo.height == 800)
        #expect(photo.sourceWidth == 2400 && photo.sourceHeight == 1200)
        let thumb = try PhotoProcessing.normalize(photo.thumbnail)
        #expect(thumb.width == 320 && thumb.height == 160)
    }

    @Test func exifOrientationIsAppliedAndTheMetadataIsDropped() throws {
        let rotated = try TestImages.jpegRotated(width: 400, height: 200)
        #expect(rotated.range(of: Data("Exif".utf8)) != nil)
        let photo = try PhotoProcessing.normalize(rotated)
        #expect(photo.width == 200 && photo.height == 400)
        #expect(photo.image.range(of: Data("Exif".utf8)) == nil)
        #expect(photo.image.range(of: Data("MM\0*".utf8)) == nil)
    }

    @Test func whatIsNotAPictureIsRefused() {
        #expect(throws: PhotoProblem.notAnImage) { try PhotoProcessing.normalize(Data("%PDF-1.7 not a photo".utf8)) }
        #expect(throws: PhotoProblem.notAnImage) { try PhotoProcessing.normalize(Data()) }
        let png = TestImages.png(width: 64, height: 64)
        #expect(throws: PhotoProblem.corrupt) { try PhotoProcessing.normalize(png.prefix(60)) }
        let jpeg = try? PhotoProcessing.normalize(png).image
        #expect(throws: PhotoProblem.corrupt) { try PhotoProcessing.normalize(jpeg!.prefix(40)) }
        #expect(throws: PhotoProblem.tooLarge(bytes: 11 * 1024 * 1024)) {
            try PhotoProcessing.normalize(Data(count: 11 * 1024 * 1024))
        }
    }
}

@Suite("Complaint photos over the API and the pages")
struct ComplaintPhotoTests {
    static func submitMultipart(
        _ app: Application, files: [(String, Data)], as user: String = "resident",
        check: @escaping (TestingHTTPResponse) throws -> Void
    ) async throws {
        let p = try await ComplaintFixture.point(app)
        var headers = try await app.bearer(user)
        headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=zhili-test-boundary")
        let body = TestImages.multipart(
            fields: [
                "categoryCode": "environment.garbage", "text": "楼道堆满杂物，见照片", "lat": "\(p.lat)", "lon": "\(p.lon)",
            ], files: files)
        try await app.testing().test(.POST, "/api/v1/complaints", headers: headers, body: body) { res in try check(res)
        }
    }

    static func mediaFiles(_ app: Application) -> [String] {
        let root = app.zhili.media.root.path
        return (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []).filter {
            $0.hasSuffix(".jpg")
        }
    }

    @Test func submissionWithPhotosStoresThemAndOnlyReadersSeeThem() async throws {
        try await withTestApp { app in
            var dto: ComplaintDTO?
            try await Self.submitMultipart(
                app,
                files: [
                    ("a.png", TestImages.png(width: 640, height: 480)),
                    ("b.png", TestImages.png(width: 300, height: 900)),
                ]
            ) { res in
                #expect(res.status == .created, "\(res.body.string)")
                dto = try res.content.decode(ComplaintDTO.self)
            }
            let c = try #require(dto)
            #expect(c.photos?.count == 2)
            #expect(c.photos?.map(\.stage) == ["report", "report"])
            #expect(Self.mediaFiles(app).count == 4)
            let photoID = try #require(c.photos?.first?.id)
            try await app.testing().test(
                .GET, "/api/v1/complaints/\(c.id)/photos/\(photoID)?size=thumb",
                headers: try await app.bearer("resident")
            ) { res in
                #expect(res.status == .ok)
                #expect(res.headers.contentType == .jpeg)
                #expect(res.body.readableBytes > 100)
            }
            // Staff of the area read it; someone from another area does not.
            try await app.testing().test(
                .GET, "/api/v1/complaints/\(c.id)/photos/\(photoID)", headers: try await app.bearer("community")
            ) { res in
                #expect(res.status == .ok)
            }
            try await app.testing().test(
                .GET, "/api/v1/complaints/\(c.id)/photos/\(UUID())", headers: try await app.bearer("community")
            ) { res in
                #expect(res.status == .notFound)
            }
        }
    }

    @Test func aFileThatIsNotAPhotoRefusesTheWholeSubmission() async throws {
        try await withTestApp { app in
            let before = try await app.count("complaints")
            try await Self.submitMultipart(
                app,
                files: [
                    ("ok.png", TestImages.png(width: 64, height: 64)), ("virus.exe", Data("MZ\u{90}\u{0}binary".utf8)),
                ]
            ) { res in
                #expect(res.status == .unprocessableEntity)
                #expect(errorCode(res) == "not_an_image")
                #expect(errorField(res) == "photos")
                #expect(res.body.string.contains("第 2 个文件"))
            }
            try await Self.submitMultipart(
                app, files: (1...10).map { ("p\($0).png", TestImages.png(width: 8, height: 8)) }
            ) { res in
                #expect(res.status == .unprocessableEntity)
                #expect(errorCode(res) == "too_many_photos")
            }
            let after = try await app.count("complaints")
            #expect(after == before)
            let photos = try await app.count("photos")
            #expect(photos == 0)
            #expect(Self.mediaFiles(app).isEmpty)
        }
    }

    @Test func aMalformedMultipartBodyIsAClearError() async throws {
        try await withTestApp { app in
            var headers = try await app.bearer("resident")
            headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=zzz")
            for body in ["--zzz--\r\n", "--zzz\r\n[]--zzz--\r\n"] {
                try await app.testing().test(
                    .POST, "/api/v1/complaints", headers: headers, body: ByteBuffer(string: body)
                ) { res in
                    #expect(res.status == .badRequest, "\(res.body.string)")
                }
            }
        }
    }

    /// MultipartKit 4.7 stops the process on a header-name byte of 0x80 or more; the guard
    /// answers 400 first, on the API and on web forms (whose anti-forgery check reads the body).
    @Test func nonASCIIHeaderNamesAreRefusedBeforeTheParserSeesThem() async throws {
        let boundary = Array("--b".utf8)
        #expect(
            !MultipartGuard.headerNamesAreASCII(
                Array("--b\r\n".utf8) + [0xC2, 0x84] + Array("--b--\r\n".utf8), boundary: boundary))
        #expect(
            !MultipartGuard.headerNamesAreASCII(
                Array("--b\r\nContent-Type: text/plain\r\nX".utf8) + [0xE7] + Array(": 1\r\n\r\nv\r\n--b--".utf8),
                boundary: boundary))
        // Chinese in a header value (a file name) and in a part's content are fine.
        let good = Array(
            "--b\r\nContent-Disposition: form-data; name=\"text\"; filename=\"照片.png\"\r\n\r\n井盖破损\r\n--b--\r\n".utf8)
        #expect(MultipartGuard.headerNamesAreASCII(good, boundary: boundary))
        try await withTestApp { app in
            var body = Array("--zzz\r\n".utf8) + [0xC2, 0x84, 0x1D, 0xF2] + Array("--zzz--\r\n".utf8)
            var headers = try await app.bearer("resident")
            headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=zzz")
            try await app.testing(method: .running(port: 0)).test(
                .POST, "/api/v1/complaints/\(UUID())/photos", headers: headers, body: ByteBuffer(bytes: body)
            ) { res in
                #expect(res.status == .badRequest)
                #expect(errorCode(res) == "malformed_body")
            }
            body = Array("--zzz\r\n".utf8) + [0xE4, 0xBD, 0xA0] + Array(": x\r\n\r\n1\r\n--zzz--\r\n".utf8)
            try await app.testing().test(
                .POST, "/tell", headers: ["Content-Type": "multipart/form-data; boundary=zzz"],
                body: ByteBuffer(bytes: body)
            ) { res in
                #expect(res.status == .badRequest)
            }
        }
    }

    @Test func fiftyMegabytesAreRefusedAndNothingIsStored() async throws {
        try await withTestApp { app in
            let before = try await app.count("complaints")
            // Over a real socket, so the server's body limit is what refuses it.
            let p = try await ComplaintFixture.point(app)
            var headers = try await app.bearer("resident")
            headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=zhili-test-boundary")
            let body = TestImages.multipart(
                fields: [
                    "categoryCode": "environment.garbage", "text": "楼道堆满杂物，见照片", "lat": "\(p.lat)", "lon": "\(p.lon)",
                ],
                files: [("huge.jpg", Data(count: 50 * 1024 * 1024))])
            try await app.testing(method: .running(port: 0)).test(
                .POST, "/api/v1/complaints", headers: headers, body: body
            ) { res in
                #expect(res.status == .payloadTooLarge, "\(res.body.string.prefix(200))")
                #expect(errorCode(res) == "payload_too_large")
            }
            let after = try await app.count("complaints")
            #expect(after == before)
            #expect(Self.mediaFiles(app).isEmpty)
        }
    }

    @Test func handlersAddBeforeAndAfterPhotosWhileHandling() async throws {
        try await withTestApp { app in
            let c = try await ComplaintFixture.submit(app)
            try await ComplaintFixture.act(app, c.id, as: "community", ["action": "accept"])
            func upload(_ user: String, stage: String, expect status: HTTPStatus) async throws {
                var headers = try await app.bearer(user)
                headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=zhili-test-boundary")
                let body = TestImages.multipart(
                    fields: ["stage": stage], files: [("x.png", TestImages.png(width: 120, height: 90))])
                try await app.testing().test(.POST, "/api/v1/complaints/\(c.id)/photos", headers: headers, body: body) {
                    res in
                    #expect(res.status == status, "\(user) \(stage): \(res.body.string)")
                }
            }
            try await upload("grid001", stage: "before", expect: .ok)
            try await upload("grid001", stage: "after", expect: .ok)
            try await upload("grid001", stage: "sideways", expect: .unprocessableEntity)
            // The resident may add pictures only while the complaint awaits review.
            try await upload("resident", stage: "report", expect: .conflict)
            var dto: ComplaintDTO?
            try await app.testing().test(.GET, "/api/v1/complaints/\(c.id)", headers: try await app.bearer("resident"))
            { res in
                dto = try res.content.decode(ComplaintDTO.self)
            }
            #expect(dto?.photos?.map(\.stage) == ["before", "after"])
            #expect(dto?.timeline?.contains { $0.action == "photos" } == true)
        }
    }

    @Test func theTellFormTakesPhotosAsMultipartWithItsAntiForgeryToken() async throws {
        try await withTestApp { app in
            var cookie = ""
            try await app.postLogin(["username": "resident", "password": DemoCity.password]) { res in
                cookie =
                    "\(SessionAuthenticator.cookieName)=\(res.headers.setCookie?[SessionAuthenticator.cookieName]?.string ?? "")"
            }
            var csrf = ""
            try await app.testing().test(.GET, "/tell?mode=snap", headers: ["Cookie": cookie]) { res in
                let html = res.body.string
                #expect(html.contains("随手拍"))
                #expect(html.contains("multipart/form-data"))
                if let r = html.range(of: "name=\"_csrf\" value=\"") { csrf = String(html[r.upperBound...].prefix(32)) }
            }
            let p = try await ComplaintFixture.point(app)
            let body = TestImages.multipart(
                fields: [
                    "_csrf": csrf, "key": "snap-1", "categoryCode": "facilities", "text": "井盖破损，见照片",
                    "lat": "\(p.lat)", "lon": "\(p.lon)",
                ], files: [("snap.png", TestImages.png(width: 400, height: 300))])
            // Over a real socket: a 360 KB form arrives in many reads, and the anti-forgery check
            // must still find its token in the body. (The server's own client, without the test
            // client's 30 s deadline, which a fully loaded CI machine can pass.)
            try await app.server.start(address: .hostname("127.0.0.1", port: 0))
            let port = try #require(app.http.server.shared.localAddress?.port)
            let res = try await app.client.post(
                URI(string: "http://127.0.0.1:\(port)/tell"),
                headers: ["Cookie": cookie, "Content-Type": "multipart/form-data; boundary=zhili-test-boundary"]
            ) { req in
                req.body = body
            }
            await app.server.shutdown()
            let answer = res.body.map { String(buffer: $0) } ?? ""
            #expect(res.status == .ok || res.status == .seeOther, "\(answer.prefix(300))")
            #expect(!answer.contains("csrf_failed") && !answer.contains("页面已过期"))
            struct Row: Decodable { let id: UUID }
            let created = try #require(
                try await app.sql.select().column("id").from("complaints").where(
                    "idempotency_key", .like, "%:web-snap-1"
                ).first(decoding: Row.self))
            try await app.testing().test(.GET, "/complaints/\(created.id)", headers: ["Cookie": cookie]) { res in
                #expect(res.status == .ok)
                #expect(res.body.string.contains("/photos/"))
                #expect(res.body.string.contains("?size=thumb"))
            }
            let photos = try await app.count("photos")
            #expect(photos == 1)
        }
    }
}
