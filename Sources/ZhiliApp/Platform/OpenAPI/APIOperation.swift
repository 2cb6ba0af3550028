import ZhiliDomain

/// One documented operation. Capabilities describe their endpoints with these; the served
/// document is assembled from all of them, and a test checks it against the routing table.
struct APIOperation: Sendable {
    enum ParamLocation: String, Sendable { case path, query, header }

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
    /// Media types of a body sent as it is (a file), not as JSON or a form.
    var fileBody: [String] = []
    /// Success status and its schema; `nil` schema means no JSON body (e.g. 204 or SVG).
    var success: (status: Int, schema: JSONValue?, contentType: String) = (200, nil, "application/json")
    var secured = true
    /// Other media types the success answer may come in (an export as .xlsx beside CSV).
    var otherContentTypes: [String] = []

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
    static let dateTime: JSONValue = [
        "type": "string", "format": "date-time",
        "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$",
    ]
    static let uuid: JSONValue = [
        "type": "string", "format": "uuid",
        "pattern": "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$",
    ]
    static let code: JSONValue = [
        "type": "string", "pattern": .string(HierarchyCode.pattern),
        "description": "Hierarchical code (GB/T 2260 division + street + community + grid …)",
    ]
    static let householdCode: JSONValue = [
        "type": "string", "pattern": .string(HierarchyCode.pattern(of: .household)),
        "description": "27-digit household code",
    ]
    /// A GeoJSON FeatureCollection (RFC 7946).
    static let featureCollection: JSONValue = object(
        [
            ("type", ["type": "string", "enum": ["FeatureCollection"]]),
            (
                "features",
                array(
                    object(
                        [
                            ("type", ["type": "string", "enum": ["Feature"]]),
                            ("geometry", ["type": ["object", "null"]]),
                            ("properties", ["type": ["object", "null"]]),
                        ], required: ["type", "geometry", "properties"]))
            ),
        ], required: ["type", "features"])
    static let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/\(name)")] }
    static func array(_ items: JSONValue) -> JSONValue { ["type": "array", "items": items] }
    static func nullable(_ type: String) -> JSONValue { ["type": [.string(type), "null"]] }
    static func object(_ properties: [(String, JSONValue)], required: [String] = []) -> JSONValue {
        .object([
            ("type", "object"), ("properties", .object(properties)), ("required", .array(required.map { .string($0) })),
        ])
    }
}
