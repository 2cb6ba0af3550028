import Fluent
import Foundation
import SQLKit
import Vapor

/// The `zhili` command: serve, migrate, demo, user, and each capability's commands
/// (`Capability.commands`). Settings come from flags and ZHILI_*
/// environment variables (see README); a bad setting is one clear line, not a trace.
public enum ZhiliCLI {
    static var usage: String {
        let platform = [
            "zhili serve   [--demo] [--scale N] [--host H] [--port P] [--data-dir D] [--database-url URL] [--tile-url T]",
            "zhili migrate [--data-dir D] [--database-url URL]",
            "zhili demo    [--scale N] [--data-dir D] [--database-url URL]",
            "zhili user create --username U --password P --role ROLE [--node CODE] [--name NAME] [--department DEPT]",
            "zhili user reset  --username U --password P      (also unlocks it and ends its sessions)",
            "zhili user disable|enable|sign-out --username U  (disabling and sign-out end every session at once)",
        ]
        let lines = platform + Capabilities.all.flatMap(\.commands).flatMap(\.usage)
        return """
            zhili — 智理 smart-community governance platform

            USAGE
            \(lines.map { "  " + $0 }.joined(separator: "\n"))

            serve --demo builds the demo city first when the database is empty.
            Roles: \(Role.allCases.map(\.rawValue).joined(separator: ", "))
            """
    }

    public static func main(_ arguments: [String]) async -> Int32 {
        DatabaseSetup.blockingPoolSized
        var args = Array(arguments.dropFirst())
        let command = args.isEmpty ? "help" : args.removeFirst()
        // Words before the first flag: `user create …`, `import residents FILE …`.
        var positional: [String] = []
        while let first = args.first, !first.hasPrefix("--") { positional.append(args.removeFirst()) }
        do {
            let loader = try ConfigLoader(arguments: args, environment: ProcessInfo.processInfo.environment)
            let found = Capabilities.all.flatMap(\.commands).first { $0.name == command }
            let takesWords = command == "user" || found?.takesWords == true
            if !takesWords, let word = positional.first {
                throw ConfigError("unexpected argument '\(word)' / 无法识别的参数 '\(word)'")
            }
            switch command {
            case "serve": try await serve(loader)
            case "migrate":
                try await withApp(loader) { _ in
                    print("migrations applied (\(try loader.load().isPostgres ? "PostgreSQL" : "SQLite"))")
                }
            case "demo": try await demo(loader)
            case "user": try await user(positional.first, loader)
            case "help", "--help", "-h": print(usage)
            default:
                guard let found else {
                    throw ConfigError("unknown command '\(command)' / 未知命令 '\(command)'\n\n\(usage)")
                }
                try await found.run(positional.first, positional, loader)
            }
            return 0
        } catch let error as ConfigError {
            FileHandle.standardError.write(Data("zhili: \(error.description)\n".utf8))
            return 2
        } catch let error as AppError {
            FileHandle.standardError.write(Data("zhili: \(error.messageEn) / \(error.messageZh)\n".utf8))
            return 2
        } catch {
            FileHandle.standardError.write(Data("zhili: \(String(describing: error))\n".utf8))
            return 1
        }
    }

    /// Creates an application from the settings, migrates, runs `body`, shuts down.
    static func withApp(_ loader: ConfigLoader, _ body: (Application) async throws -> Void) async throws {
        let config = try loader.load()
        try FileManager.default.createDirectory(atPath: config.dataDir, withIntermediateDirectories: true)
        let secrets = try Secrets.loadOrCreate(dataDir: config.dataDir)
        var env = Environment(name: "production", arguments: ["zhili"])
        if ProcessInfo.processInfo.environment["ZHILI_LOG_FORMAT"] == "json" {
            let level = Logger.Level(rawValue: config.logLevel) ?? .info
            LoggingSystem.bootstrap { label in
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
        } else {
            try LoggingSystem.bootstrap(from: &env)
        }
        let app = try await Application.make(env)
        do {
            try await configure(app, config: config, secrets: secrets)
            try await app.autoMigrate()
            try await DatabaseSetup.tune(app)
            try await body(app)
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }

    static func serve(_ loader: ConfigLoader) async throws {
        let scale = try loader.int("scale", default: 1, range: 1...1000)
        try await withApp(loader) { app in
            if loader.switches.contains("demo"), try await DemoCity.isEmpty(app) {
                app.logger.notice("generating the demo city (scale \(scale)) …")
                let report = try await DemoCity.generate(on: app, scale: scale)
                app.logger.notice("\(report.description)")
            }
            // The demo's devices send as real ones do (heartbeats, readings, now and then an alarm).
            if loader.switches.contains("demo"), app.zhili.config.runSchedulers {
                app.lifecycle.use(DemoSimulatorService())
            }
            app.logger.notice(
                "智理 listening on http://\(app.http.server.configuration.hostname):\(app.http.server.configuration.port)"
            )
            try await app.execute()
        }
    }

    static func demo(_ loader: ConfigLoader) async throws {
        let scale = try loader.int("scale", default: 1, range: 1...1000)
        try await withApp(loader) { app in
            let report = try await DemoCity.generate(on: app, scale: scale)
            print(report.description)
        }
    }

    static func user(_ sub: String?, _ loader: ConfigLoader) async throws {
        guard let username = loader.flags["username"] else {
            throw ConfigError("user needs --username / 需要 --username")
        }
        let needsPassword = sub == "create" || sub == "reset"
        guard let password = loader.flags["password"] ?? (needsPassword ? nil : "") else {
            throw ConfigError("user \(sub ?? "") needs --password / 需要 --password")
        }
        try await withApp(loader) { app in
            func find() async throws -> UserAccount {
                guard let account = try await UserAccount.query(on: app.db).filter(\.$username == username).first(),
                    account.id != nil
                else {
                    throw ConfigError("no account named \(username) / 账号不存在")
                }
                return account
            }
            let sql = try app.db.sql
            switch sub {
            case "create":
                guard let raw = loader.flags["role"], let role = Role(rawValue: raw) else {
                    throw ConfigError("--role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                let department = try loader.flags["department"].map { raw -> Department in
                    guard let d = Department(rawValue: raw) else {
                        throw ConfigError(
                            "--department must be one of \(Department.allCases.map(\.rawValue).joined(separator: ", "))"
                        )
                    }
                    return d
                }
                let account = try await AccountService.create(
                    username: username, displayName: loader.flags["name"] ?? username, password: password, role: role,
                    department: department, nodeCode: loader.flags["node"], on: app.db,
                    hasher: { try await app.password.async.hash($0) })
                print("created \(account.username) (\(role.rawValue))")
            case "reset":
                let account = try await find()
                try AccountService.validate(username: username, password: password, role: .admin, nodeCode: nil)
                account.passwordHash = try await app.password.async.hash(password)
                try await account.save(on: app.db)
                try await SignInThrottle(db: sql).clear("user:" + username.lowercased())
                let n = try await SessionStore.revokeAll(userID: account.id!, on: sql, cache: app.zhili.sessions)
                try await CLIAudit.record(
                    app, action: "password_reset", entity: "user", id: account.id!.uuidString,
                    detail: "\(n) sessions ended")
                print("password reset for \(username); \(n) sessions ended")
            case "disable", "enable":
                let account = try await find()
                account.disabled = sub == "disable"
                try await account.save(on: app.db)
                let n =
                    sub == "disable"
                    ? try await SessionStore.revokeAll(userID: account.id!, on: sql, cache: app.zhili.sessions) : 0
                try await CLIAudit.record(
                    app, action: "update", entity: "user", id: account.id!.uuidString,
                    detail: sub == "disable" ? "disabled" : "enabled")
                print("\(username) \(sub == "disable" ? "disabled; \(n) sessions ended" : "enabled")")
            case "sign-out":
                let account = try await find()
                let n = try await SessionStore.revokeAll(userID: account.id!, on: sql, cache: app.zhili.sessions)
                try await CLIAudit.record(
                    app, action: "sign_out_everywhere", entity: "user", id: account.id!.uuidString,
                    detail: "\(n) sessions")
                print("\(username): \(n) sessions ended")
            default:
                throw ConfigError(
                    "user needs create, reset, disable, enable or sign-out / 用法：zhili user create|reset|disable|enable|sign-out"
                )
            }
        }
    }
}
