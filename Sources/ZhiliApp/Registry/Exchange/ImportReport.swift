import Vapor

/// The result of an import or its dry run: every rejected row with its column and reason.
struct ImportReport: Content, Sendable {
    struct RowIssue: Content, Sendable, Equatable {
        let row: Int
        let column: String
        let messageZh: String
        let messageEn: String
    }

    let kind: String
    let dryRun: Bool
    let rows: Int
    var created = 0
    var updated = 0
    var unchanged = 0
    var rejected: [RowIssue] = []
    /// Rows whose changes wait for review (a grid worker's identity or tag changes, move-ins
    /// of people registered elsewhere); nothing of them is applied until a reviewer approves.
    var pending: [RowIssue] = []
    var committed = false
    var seconds = 0.0

    init(kind: ExchangeKind, dryRun: Bool, rows: Int) {
        self.kind = kind.rawValue
        self.dryRun = dryRun
        self.rows = rows
    }

    var rejectedRows: Int { Set(rejected.map(\.row)).count }

    mutating func held(_ row: Int, zh: String, en: String) {
        pending.append(RowIssue(row: row, column: "审核", messageZh: zh, messageEn: en))
    }
}
