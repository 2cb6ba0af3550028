import Fluent
import SQLKit
import Vapor
import ZhiliDomain

/// Creating and resetting accounts, shared by the API and the `zhili user` command.
enum AccountService {
    static func validate(username: String, password: String, role: Role, nodeCode: String?) throws {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "._-"))
        guard (3...32).contains(username.count),
            username.unicodeScalars.allSatisfy({ allowed.contains($0) && $0.isASCII })
        else {
            throw AppError.invalid(
                "username", zh: "用户名须为 3–32 位字母、数字或 . _ -", en: "Username must be 3–32 letters, digits or . _ -")
        }
        try validatePassword(password, field: "password")
        if let level = role.expectedLevel, role != .admin {
            guard let raw = nodeCode, let code = try? HierarchyCode(validating: raw), code.level == level else {
                throw AppError.invalid(
                    "nodeCode", zh: "\(role.nameZh)须绑定到一个\(level.nameZh)节点",
                    en: "\(role.nameEn) must be bound to a \(level.nameEn) node")
            }
        }
    }

    static func validatePassword(_ password: String, field: String = "newPassword") throws {
        guard password.count >= 8, password.count <= 128 else {
            throw AppError.invalid(field, zh: "密码应为 8–128 位", en: "Password must be 8–128 characters")
        }
    }

    static func create(
        username: String, displayName: String, password: String, role: Role, department: Department?,
        nodeCode: String?, on db: any Database, hasher: (String) async throws -> String
    ) async throws -> UserAccount {
        try validate(username: username, password: password, role: role, nodeCode: nodeCode)
        let name = displayName.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 64 else {
            throw AppError.invalid("displayName", zh: "姓名不能为空", en: "Display name is required")
        }
        if role == .departmentStaff, department == nil {
            throw AppError.invalid("department", zh: "部门工作人员须指定部门", en: "Department staff need a department")
        }
        if let node = nodeCode, role.isStaff {
            guard try await db.sql.select().column("code").from("nodes").where("code", .equal, node).first() != nil
            else {
                throw AppError.invalid("nodeCode", zh: "节点 \(node) 不存在", en: "Node \(node) does not exist")
            }
        }
        if try await UserAccount.query(on: db).filter(\.$username == username).first() != nil {
            throw AppError.conflict("username_taken", zh: "用户名已存在", en: "Username already taken", field: "username")
        }
        let account = UserAccount(
            username: username, displayName: name, passwordHash: try await hasher(password),
            role: role, department: department, nodeCode: nodeCode)
        try await account.save(on: db)
        return account
    }
}
