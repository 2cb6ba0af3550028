import Vapor

/// The OpenAPI 3.1 document, assembled from every capability's operations.
enum OpenAPIDocument {
    static var operations: [APIOperation] { operations(of: Capabilities.all) }

    static func operations(of capabilities: [any Capability]) -> [APIOperation] {
        capabilities.flatMap(\.operations)
    }

    static func schemas(of capabilities: [any Capability]) -> [(String, JSONValue)] {
        capabilities.flatMap(\.schemas)
    }

    static func build(_ capabilities: [any Capability] = Capabilities.all) -> JSONValue {
        let operations = operations(of: capabilities)
        var paths: [(String, [(String, JSONValue)])] = []
        for op in operations {
            if let i = paths.firstIndex(where: { $0.0 == op.path }) {
                paths[i].1.append((op.method, operation(op)))
            } else {
                paths.append((op.path, [(op.method, operation(op))]))
            }
        }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "智理 Zhili — smart-community governance API",
                "version": "1.0.0",
                "description":
                    "JSON API of the Zhili platform. Sign in with POST /api/v1/auth/token and send `Authorization: Bearer <token>`. Every error has the shape of the Error schema (machine code, Chinese and English message, offending field).",
            ],
            "paths": .object(paths.map { ($0.0, .object($0.1)) }),
            "components": [
                "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer", "bearerFormat": "JWT"]],
                "schemas": .object(schemas(of: capabilities)),
            ],
        ]
    }

    private static func operation(_ op: APIOperation) -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("tags", [.string(op.tag)]),
            ("summary", .string(op.summary)),
            ("operationId", .string(operationID(op))),
        ]
        if !op.params.isEmpty {
            fields.append(
                (
                    "parameters",
                    .array(
                        op.params.map { p in
                            [
                                "name": .string(p.name), "in": .string(p.location.rawValue),
                                "required": .bool(p.required),
                                "description": .string(p.description), "schema": p.schema,
                            ]
                        })
                ))
        }
        if op.body != nil || op.multipart != nil || !op.fileBody.isEmpty {
            var content: [(String, JSONValue)] = []
            if let body = op.body { content.append(("application/json", ["schema": optionalMayBeNull(body)])) }
            if let form = op.multipart { content.append(("multipart/form-data", ["schema": form])) }
            for type in op.fileBody {
                content.append((type, ["schema": ["type": "string", "format": "binary", "minLength": 1]]))
            }
            fields.append(("requestBody", ["required": true, "content": .object(content)]))
        }
        var success: [(String, JSONValue)] = [("description", "OK")]
        if op.success.status != 204 {
            let schema: JSONValue = op.success.schema ?? ["type": "string"]
            let media: JSONValue = ["schema": schema]
            let types = [op.success.contentType] + op.otherContentTypes
            success.append(("content", .object(types.map { ($0, media) })))
        }
        var responses: [(String, JSONValue)] = [(String(op.success.status), .object(success))]
        let error: JSONValue = [
            "description": "Error (错误)", "content": ["application/json": ["schema": Schema.ref("Error")]],
        ]
        for status in ["400", "401", "403", "404", "405", "409", "413", "415", "422", "429"] {
            responses.append((status, error))
        }
        fields.append(("responses", .object(responses)))
        if op.secured {
            fields.append(("security", .array([.object([("bearer", .array([]))])])))
        } else {
            fields.append(("security", .array([])))
        }
        return .object(fields)
    }

    /// A request body's optional fields: Swift decodes `null` as "not given", so the document
    /// says that they may be null, one object level down at a time.
    static func optionalMayBeNull(_ schema: JSONValue) -> JSONValue {
        guard case .object(let fields) = schema,
            let propertiesIndex = fields.firstIndex(where: { $0.0 == "properties" }),
            case .object(let properties) = fields[propertiesIndex].1
        else { return schema }
        var required: Set<String> = []
        if let r = fields.first(where: { $0.0 == "required" }), case .array(let names) = r.1 {
            for case .string(let name) in names { required.insert(name) }
        }
        let changed: [(String, JSONValue)] = properties.map { name, property in
            guard !required.contains(name), case .object(var p) = property,
                let typeIndex = p.firstIndex(where: { $0.0 == "type" }), case .string(let type) = p[typeIndex].1
            else {
                return (name, property)
            }
            p[typeIndex].1 = .array([.string(type), "null"])
            if let enumIndex = p.firstIndex(where: { $0.0 == "enum" }), case .array(let values) = p[enumIndex].1 {
                p[enumIndex].1 = .array(values + [.null])
            }
            return (name, .object(p))
        }
        var result = fields
        result[propertiesIndex].1 = .object(changed)
        return .object(result)
    }

    static func operationID(_ op: APIOperation) -> String {
        let words = op.path.split(whereSeparator: { "/{}.-".contains($0) }).filter { $0 != "api" && $0 != "v1" }
        return op.method + words.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }
}

enum OpenAPIRoutes {
    static func register(_ app: Application, capabilities: [any Capability]) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let body = (try? encoder.encode(OpenAPIDocument.build(capabilities))) ?? Data("{}".utf8)
        app.get("openapi.json") { _ -> Response in
            let response = Response(status: .ok, body: .init(data: body))
            response.headers.contentType = .json
            response.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=300")
            return response
        }
    }
}
