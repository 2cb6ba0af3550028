import Foundation
import Vapor

/// GeoReport v2 speaks JSON and XML; each response is a list of flat records.
enum Open311Format: String {
    case json, xml

    /// Splits "requests.json" into ("requests", .json).
    static func split(_ raw: String) throws -> (name: String, format: Open311Format) {
        guard let dot = raw.lastIndex(of: "."),
            let format = Open311Format(rawValue: String(raw[raw.index(after: dot)...]).lowercased())
        else {
            throw Open311Error(400, "Append .json or .xml to the resource name")
        }
        return (String(raw[..<dot]), format)
    }

    typealias Record = [(String, Open311Value)]

    /// Renders records; `root`/`item` name the XML elements (e.g. service_requests/request).
    func render(_ records: [Record], root: String, item: String, status: HTTPResponseStatus = .ok) -> Response {
        let body: String
        switch self {
        case .json:
            body =
                "["
                + records.map { r in "{" + r.map { "\(jsonString($0.0)):\($0.1.json)" }.joined(separator: ",") + "}" }
                .joined(separator: ",") + "]"
        case .xml:
            body =
                "<?xml version=\"1.0\" encoding=\"utf-8\"?><\(root)>"
                + records.map { r in
                    "<\(item)>" + r.map { "<\($0.0)>\($0.1.xml)</\($0.0)>" }.joined() + "</\(item)>"
                }.joined() + "</\(root)>"
        }
        let response = Response(status: status, body: .init(string: body))
        response.headers.contentType =
            self == .json ? .json : HTTPMediaType(type: "text", subType: "xml", parameters: ["charset": "utf-8"])
        return response
    }
}

enum Open311Value {
    case text(String?)
    case number(Double?)
    case bool(Bool)
    case list([String])
    case records([[(String, Open311Value)]], item: String)

    var json: String {
        switch self {
        case .text(let s): return s.map(jsonString) ?? "null"
        case .number(let n): return n.map(Self.number) ?? "null"
        case .bool(let b): return b ? "true" : "false"
        case .list(let items): return "[" + items.map(jsonString).joined(separator: ",") + "]"
        case .records(let rs, _):
            return "["
                + rs.map { r in "{" + r.map { "\(jsonString($0.0)):\($0.1.json)" }.joined(separator: ",") + "}" }
                .joined(separator: ",") + "]"
        }
    }

    var xml: String {
        switch self {
        case .text(let s): return Self.escape(s ?? "")
        case .number(let n): return n.map(Self.number) ?? ""
        case .bool(let b): return b ? "true" : "false"
        case .list(let items): return items.map(Self.escape).joined(separator: ",")
        case .records(let rs, let item):
            return rs.map { r in "<\(item)>" + r.map { "<\($0.0)>\($0.1.xml)</\($0.0)>" }.joined() + "</\(item)>" }
                .joined()
        }
    }

    static func number(_ n: Double) -> String {
        n == n.rounded() && abs(n) < 1e15 ? String(Int(n)) : String(n)
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

/// The spec's error: a list of {code, description} with the matching HTTP status.
struct Open311Error: Error {
    let status: Int
    let description: String
    init(_ status: Int, _ description: String) {
        self.status = status
        self.description = description
    }

    func response(_ format: Open311Format) -> Response {
        format.render(
            [[("code", .number(Double(status))), ("description", .text(description))]], root: "errors", item: "error",
            status: HTTPResponseStatus(statusCode: status))
    }
}
