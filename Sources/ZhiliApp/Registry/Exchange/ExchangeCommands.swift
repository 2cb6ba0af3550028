import Fluent
import Foundation
import SQLKit
import Vapor
import ZhiliDomain
import ZhiliSheets

/// `zhili import KIND FILE [--dry-run]` and `zhili export KIND --under CODE [--format csv|xlsx] [--out FILE]`.
/// The operator acts as an administrator named "cli"; every run is audited like the web's.
enum ExchangeCommands {
    static var operatorPrincipal: Principal { CLIAudit.operatorPrincipal }

    static func kind(_ raw: String?) throws -> ExchangeKind {
        guard let raw, let kind = ExchangeKind(rawValue: raw) else {
            throw ConfigError("kind must be residents, households or places / 类型应为 residents、households 或 places")
        }
        return kind
    }

    static func importFile(_ args: [String], _ loader: ConfigLoader) async throws {
        let kind = try kind(args.first)
        guard args.count >= 2 else {
            throw ConfigError("usage: zhili import \(kind.rawValue) FILE [--dry-run] / 请指定文件")
        }
        let path = args[1]
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError("cannot read \(path) / 无法读取文件 \(path)")
        }
        let dryRun = loader.switches.contains("dry-run")
        try await ZhiliCLI.withApp(loader) { app in
            let report = try await Exchange(database: app.db, cipher: app.zhili.cipher, principal: operatorPrincipal)
                .importFile(kind, bytes: Array(data), filename: path, dryRun: dryRun)
            try await CLIAudit.record(
                app, action: dryRun ? "import_dry_run" : "import", entity: kind.rawValue, id: path,
                detail:
                    "rows \(report.rows), created \(report.created), updated \(report.updated), rejected \(report.rejectedRows)"
            )
            print(
                "\(dryRun ? "dry run" : "import") of \(report.rows) rows: created \(report.created), updated \(report.updated), unchanged \(report.unchanged), rejected rows \(report.rejectedRows)\(report.committed ? ", committed" : ", nothing written") in \(String(format: "%.2f", report.seconds)) s"
            )
            for issue in report.rejected.prefix(200) {
                print("  第 \(issue.row) 行 [\(issue.column)] \(issue.messageZh)")
            }
            if report.rejected.count > 200 { print("  … and \(report.rejected.count - 200) more") }
            if !report.rejected.isEmpty, !dryRun {
                throw ConfigError("import refused: fix the rows above / 存在错误行，未导入任何数据")
            }
        }
    }

    static func export(_ args: [String], _ loader: ConfigLoader) async throws {
        let kind = try kind(args.first)
        guard let underText = loader.flags["under"] else {
            throw ConfigError("--under CODE is required / 请用 --under 指定节点编码")
        }
        let under: HierarchyCode
        do { under = try HierarchyCode(validating: underText) } catch {
            throw ConfigError("invalid node code \(underText) / 节点编码无效")
        }
        guard let format = SheetFormat(rawValue: loader.flags["format"] ?? "csv") else {
            throw ConfigError("--format must be csv or xlsx")
        }
        let unmasked = loader.switches.contains("unmasked")
        let out = loader.flags["out"] ?? "\(kind.rawValue)-\(under.value).\(format.rawValue)"
        try await ZhiliCLI.withApp(loader) { app in
            let sheet = try await Exchange(database: app.db, cipher: app.zhili.cipher, principal: operatorPrincipal)
                .export(.init(kind: kind, under: under, unmasked: unmasked, reason: loader.flags["reason"]))
            let bytes = format == .csv ? SheetWriter.csv(sheet) : try SheetWriter.xlsx(sheet, sheetName: kind.rawValue)
            guard
                FileManager.default.createFile(
                    atPath: out, contents: Data(bytes), attributes: [.posixPermissions: 0o600])
            else {
                throw ConfigError("cannot write \(out) / 无法写入 \(out)")
            }
            try await CLIAudit.record(
                app, action: unmasked ? "export_unmasked" : "export", entity: kind.rawValue, id: under.value,
                detail: "\(sheet.rows.count) rows to \(out)"
                    + (unmasked ? "; reason: \(loader.flags["reason"] ?? "")" : ""))
            print("exported \(sheet.rows.count) \(kind.rawValue) to \(out)\(unmasked ? " (UNMASKED)" : " (masked)")")
        }
    }
}
