/// One documented operation. Capabilities describe their endpoints with these; the served
/// document is assembled from all of them, and a test checks it against the routing table.
struct APIOperation: Sendable {
    enum ParamLocation: String, Sendable { case path, query }

    struct Param: Sendable {
        let name: String
        let location: ParamLocation
        let schema: JSONValue
        let required: Bool
        let description: String

        static func query(_ name: String, _ schema: JSONValue, _ description: String, required: Bool = false) -> Param {
            Param(name: name, location: .query, schema: schema, required: required, description: description)
        }
    }

    let method: String
    let path: String
    let tag: String
    let summary: String
    var params: [Param] = []
    var body: JSONValue? = nil
    /// A multipart/form-data alternative (or the only form) of the body, for file uploads.
    var multipart: JSONValue? = nil
    /// Success status and its schema; `nil` schema means no JSON body (e.g. 204 or SVG).
    var success: (status: Int, schema: JSONValue?, contentType: String) = (200, nil, "application/json")
    var secured = true

    static func path(_ name: String, _ schema: JSONValue = Schema.string, _ description: String) -> Param {
        Param(name: name, location: .path, schema: schema, required: true, description: description)
    }
}

/// Reusable schema fragments.
enum Schema {
    static let string: JSONValue = ["type": "string"]
    static let integer: JSONValue = ["type": "integer"]
    static let number: JSONValue = ["type": "number"]
    static let boolean: JSONValue = ["type": "boolean"]
    static let dateTime: JSONValue = ["type": "string", "format": "date-time"]
    static let uuid: JSONValue = ["type": "string", "format": "uuid"]
    static let code: JSONValue = ["type": "string", "pattern": "^[0-9]{6,27}$", "description": "Hierarchical code (GB/T 2260 division + street + community + grid …)"]
    static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/\(name)")] }
    static func array(_ items: JSONValue) -> JSONValue { ["type": "array", "items": items] }
    static func nullable(_ type: String) -> JSONValue { ["type": [.string(type), "null"]] }
    static func object(_ properties: [(String, JSONValue)], required: [String] = []) -> JSONValue {
        .object([("type", "object"), ("properties", .object(properties)), ("required", .array(required.map { .string($0) }))])
    }
}
