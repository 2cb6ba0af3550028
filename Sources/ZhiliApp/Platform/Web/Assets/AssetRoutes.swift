import Vapor

/// Serves the capabilities' stylesheets and scripts (files embedded into the binary, so a
/// single executable is the whole deployment) and Leaflet from the Debian package `libjs-leaflet`.
enum AssetRoutes {
    static func register(_ app: Application, assets: [Asset]) {
        var byName: [String: (body: ByteBuffer, type: HTTPMediaType)] = [:]
        for asset in assets {
            precondition(byName[asset.name] == nil, "two capabilities serve /assets/\(asset.name)")
            byName[asset.name] = (ByteBuffer(bytes: asset.bytes), asset.mediaType)
        }
        app.get("assets", ":name") { [byName] req -> Response in
            guard let name = req.parameters.get("name"), let asset = byName[name] else { throw Abort(.notFound) }
            let response = Response(status: .ok, body: .init(buffer: asset.body))
            response.headers.contentType = asset.type
            response.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=300")
            return response
        }
        let leafletDir = app.zhili.config.leafletDir
        app.get("vendor", "leaflet", "**") { req async throws -> Response in
            let parts = req.parameters.getCatchall()
            // Only plain file names below the Leaflet folder; no way up and out.
            guard !parts.isEmpty, parts.allSatisfy({ !$0.hasPrefix(".") && !$0.contains("\\") }) else {
                throw Abort(.notFound)
            }
            let path = leafletDir + "/" + parts.joined(separator: "/")
            guard FileManager.default.fileExists(atPath: path) else {
                throw AppError(
                    .notFound, code: "leaflet_missing", zh: "未安装地图库 libjs-leaflet",
                    en: "Leaflet (libjs-leaflet) is not installed")
            }
            let response = try await req.fileio.asyncStreamFile(at: path)
            response.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=86400")
            return response
        }
    }
}
