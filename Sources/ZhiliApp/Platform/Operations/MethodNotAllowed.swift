import Vapor

/// A known path asked with a method it does not have answers 405 with an `Allow` header
/// (RFC 9110), not 404. Registered after every capability's routes, as routes of their own:
/// Vapor's router looks a request up by method first, so this costs the other requests
/// nothing.
enum MethodNotAllowed {
    /// Set on the routes this adds, so the API contract test can tell them apart.
    static let userInfoKey = "zhili.methodNotAllowed"
    static let methods: [HTTPMethod] = [
        .GET, .POST, .PUT, .PATCH, .DELETE, .OPTIONS, .TRACE, HTTPMethod(rawValue: "QUERY"),
    ]

    static func register(_ app: Application) {
        var allowed: [String: (path: [PathComponent], methods: Set<String>)] = [:]
        for route in app.routes.all where isAPI(route.path) {
            let key = route.path.map(\.description).joined(separator: "/")
            allowed[key, default: (route.path, [])].methods.insert(route.method.rawValue)
        }
        for (_, entry) in allowed.sorted(by: { $0.key < $1.key }) {
            let allow = entry.methods.subtracting(["HEAD"]).sorted().joined(separator: ", ")
            for method in methods where !entry.methods.contains(method.rawValue) {
                let route = app.on(method, entry.path) { _ -> Response in
                    let error = AppError(
                        .methodNotAllowed, code: "method_not_allowed", zh: "该地址不支持此请求方法",
                        en: "This path does not take this method")
                    let response = Response(status: .methodNotAllowed)
                    response.headers.replaceOrAdd(name: .allow, value: allow)
                    try response.content.encode(ErrorBody(error), as: .json)
                    return response
                }
                route.userInfo[userInfoKey] = true
            }
        }
    }

    /// The JSON API and the operations endpoints; pages keep the browser's 404 page.
    private static func isAPI(_ path: [PathComponent]) -> Bool {
        guard let first = path.first?.description else { return false }
        return first == "api" || ["healthz", "readyz", "metrics", "openapi.json"].contains(first)
    }
}
