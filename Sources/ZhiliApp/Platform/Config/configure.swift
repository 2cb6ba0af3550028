import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import JWT
import Vapor

/// Sets up a platform instance: database, migrations, keys, middleware and routes.
/// Takes its settings as parameters so tests can inject an isolated database.
public func configure(_ app: Application, config: AppConfig, secrets: Secrets) async throws {
    try await configure(app, config: config, secrets: secrets, capabilities: Capabilities.all)
}

/// The same with another list of capabilities (tests add a trivial one to prove that one
/// list is all a new capability needs).
func configure(_ app: Application, config: AppConfig, secrets: Secrets, capabilities: [any Capability]) async throws {
    app.logger.logLevel = Logger.Level(rawValue: config.logLevel) ?? .info
    app.http.server.configuration.hostname = config.host
    app.http.server.configuration.port = config.port
    app.http.server.configuration.serverName = "zhili"
    app.http.server.configuration.idleTimeout =
        config.idleTimeoutSeconds > 0 ? .seconds(Int64(config.idleTimeoutSeconds)) : nil
    // Open WebSockets (the live push) would hold a stopping server for its whole grace period.
    app.http.server.configuration.shutdownTimeout = .seconds(3)
    app.routes.defaultMaxBodySize = ByteCount(stringLiteral: config.maxBodySize)

    app.storage[CapabilitiesKey.self] = capabilities
    app.messages = try MessageCatalogue(capabilities.flatMap { c in c.messages.map { (c.name, $0) } })
    try DatabaseSetup.use(config.database, on: app)
    for capability in capabilities { app.migrations.add(capability.migrations) }

    guard let tokenKey = Data(base64Encoded: secrets.tokenKey), tokenKey.count >= 32 else {
        throw ConfigError("token key in secrets is malformed / 令牌密钥格式错误")
    }
    await app.jwt.keys.add(hmac: HMACKey(from: tokenKey), digestAlgorithm: .sha256)
    app.passwords.use(.bcrypt(cost: 10))

    let context = ZhiliContext(config: config, cipher: try FieldCipher(secrets: secrets), db: try app.db.sql)
    app.storage[ZhiliContextKey.self] = context
    for capability in capabilities { try capability.boot(app) }

    Metrics.bootstrapOnce()
    app.middleware = Middlewares()
    // Headers outermost, so error answers (4xx/5xx) carry them too.
    app.middleware.use(SecurityHeadersMiddleware())
    app.middleware.use(AppErrorMiddleware())
    app.middleware.use(MultipartGuard())
    app.middleware.use(SessionAuthenticator())
    for capability in capabilities { try capability.routes(app) }
    OpenAPIRoutes.register(app, capabilities: capabilities)
    MethodNotAllowed.register(app)
    AssetRoutes.register(app, assets: capabilities.flatMap(\.assets))
    app.lifecycle.use(context.events)
    let ownConnections = [context.readers, context.background].compactMap { $0 }
    if !ownConnections.isEmpty { app.lifecycle.use(SQLiteReadersLifecycle(sets: ownConnections)) }
    // After the read connections it uses; its shutdown closes the screens' sockets.
    app.lifecycle.use(context.live)
    if config.runSchedulers {
        for capability in capabilities {
            for service in capability.services(app) { app.lifecycle.use(service) }
        }
    }
}
