import Foundation
import SQLKit
import ZhiliDomain

/// Who is told of an alarm and in what words: the staff of each rung, the family.
extension AlarmDesk {
    /// What the family is told: what happened and where, and that the community is on it.
    static func familyNotice(_ raise: Raise) -> Notice {
        Notice(
            kind: "alarm.family", title: "家人告警提醒",
            body: "您的家人触发了“\(raise.titleZh)”" + (raise.place.map { "（\($0)）" } ?? "")
                + "，社区网格员已收到通知并在处置，如方便请尽快联系家人。",
            link: nil, entity: "alarm", entityID: nil)
    }

    static func notice(id: UUID, titleZh: String, place: String?, severity: AlarmSeverity, escalated: Bool = false)
        -> Notice
    {
        let urgent = severity == .critical ? "【紧急】" : ""
        let lead = escalated ? "告警无人响应，已升级：" : "告警："
        return Notice(
            kind: escalated ? "alarm.escalated" : "alarm.raised", title: urgent + lead + titleZh,
            body: [titleZh, place].compactMap { $0 }.joined(separator: " · ") + "。请立即处置。",
            link: "/alarms/\(id.uuidString)", entity: "alarm", entityID: id.uuidString)
    }

    /// The staff a rung calls for an alarm at `node`: the grid workers of its grid, the
    /// community's staff, the street's officials, the city's officials.
    static func callees(level: String, node: String, on db: any SQLDatabase) async throws -> [UUID] {
        let (role, length): (Role, Int)
        switch level {
        case "grid": (role, length) = (.gridWorker, NodeLevel.grid.codeLength)
        case "community": (role, length) = (.communityStaff, NodeLevel.community.codeLength)
        case "street": (role, length) = (.streetOfficial, NodeLevel.street.codeLength)
        default: (role, length) = (.cityOfficial, NodeLevel.city.codeLength)
        }
        guard node.count >= length else { return [] }
        struct U: Decodable { let id: UUID }
        return try await db.select().column("id").from("users").where("role", .equal, role.rawValue)
            .where("node_code", .equal, String(node.prefix(length))).where("disabled", .equal, false)
            .all(decoding: U.self).map(\.id)
    }
}
