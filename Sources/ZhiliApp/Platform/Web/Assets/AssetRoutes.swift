import Vapor

/// Serves the platform's own stylesheet and scripts (compiled into the binary, so a single
/// executable is the whole deployment) and Leaflet from the Debian package `libjs-leaflet`.
enum AssetRoutes {
    static let assets: [String: (String, HTTPMediaType)] = [
        "app.css": (AppStylesheet.text, HTTPMediaType(type: "text", subType: "css", parameters: ["charset": "utf-8"])),
        "map.js": (MapScript.text, HTTPMediaType(type: "application", subType: "javascript", parameters: ["charset": "utf-8"])),
        "complaint-map.js": (ComplaintMapScript.text, HTTPMediaType(type: "application", subType: "javascript", parameters: ["charset": "utf-8"])),
        "badge.js": (BadgeScript.text, HTTPMediaType(type: "application", subType: "javascript", parameters: ["charset": "utf-8"])),
        "tell.js": (TellScript.text, HTTPMediaType(type: "application", subType: "javascript", parameters: ["charset": "utf-8"])),
    ]

    static func register(_ app: Application) {
        app.get("assets", ":name") { req -> Response in
            guard let name = req.parameters.get("name"), let (text, type) = assets[name] else { throw Abort(.notFound) }
            let response = Response(status: .ok, body: .init(string: text))
            response.headers.contentType = type
            response.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=300")
            return response
        }
        let leafletDir = app.zhili.config.leafletDir
        app.get("vendor", "leaflet", "**") { req async throws -> Response in
            let parts = req.parameters.getCatchall()
            // Only plain file names below the Leaflet folder; no way up and out.
            guard !parts.isEmpty, parts.allSatisfy({ !$0.hasPrefix(".") && !$0.contains("\\") }) else { throw Abort(.notFound) }
            let path = leafletDir + "/" + parts.joined(separator: "/")
            guard FileManager.default.fileExists(atPath: path) else {
                throw AppError(.notFound, code: "leaflet_missing", zh: "未安装地图库 libjs-leaflet", en: "Leaflet (libjs-leaflet) is not installed")
            }
            let response = try await req.fileio.asyncStreamFile(at: path)
            response.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=86400")
            return response
        }
    }
}
