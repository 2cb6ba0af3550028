import ZhiliDomain

/// The reason a person gives for seeing personal data in plain: it goes into the audit log,
/// so it must say something (4 characters or more) and stay short (200 at most).
enum RevealReason {
    static let maxLength = 200

    static func validated(_ raw: String?) throws -> String {
        let reason = TextSafety.cleaned(raw ?? "", multiline: false).trimmingCharacters(in: .whitespacesAndNewlines)
        guard reason.count >= 4 else {
            throw AppError.invalid("reason", zh: "请填写查看原因（至少 4 个字）", en: "State a reason (4 characters or more)")
        }
        guard reason.count <= maxLength else {
            throw AppError.invalid(
                "reason", zh: "原因过长（最多 \(maxLength) 字）", en: "Reason too long (\(maxLength) characters at most)")
        }
        return reason
    }
}
