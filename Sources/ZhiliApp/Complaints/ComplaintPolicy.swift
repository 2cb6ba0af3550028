import Foundation
import ZhiliDomain

/// Who may read, follow, photograph and dispatch complaints: one place, asked by the API,
/// the pages and the workflow.
enum ComplaintPolicy {
    /// How far from their household (or where they stand) a resident may follow a complaint:
    /// the radius the "same problem nearby?" offer searches.
    static let followRadiusMeters = 300.0

    /// Reads the whole complaint: the submitter, its handler, department staff it was sent
    /// to, and staff whose area holds it. Department staff are bound to the city for their
    /// department's work, not to read every complaint in it.
    static func readsInFull(_ p: Principal, _ c: ComplaintRow) -> Bool {
        if c.submitter_id == p.userID || c.handler_user_id == p.userID { return true }
        if p.role == .departmentStaff {
            return c.handler_department != nil && c.handler_department == p.department?.rawValue
        }
        return p.role.isStaff && p.scope.allows(code: c.grid_code)
    }

    /// Adds photos now: the submitter while it waits for review; everyone else who ever adds
    /// photos (`addsPhotosAtSomeStage`) while it is being handled.
    static func mayAddPhotos(_ p: Principal, _ c: ComplaintRow) -> Bool {
        guard addsPhotosAtSomeStage(p, c) else { return false }
        let status = c.status
        if c.submitter_id == p.userID { return status == .submitted }
        return status.isOpen && status != .submitted
    }

    /// Whether the person ever adds photos to this complaint (whatever its state now): the
    /// submitter, its handler, community staff of its area, administrators.
    static func addsPhotosAtSomeStage(_ p: Principal, _ c: ComplaintRow) -> Bool {
        if c.submitter_id == p.userID || c.handler_user_id == p.userID { return true }
        if p.role == .departmentStaff, c.handler_department == p.department?.rawValue { return true }
        return (p.role == .communityStaff || p.role == .admin) && p.scope.allows(code: c.grid_code)
    }

    /// A handler a reviewer may name: an enabled staff account inside the reviewer's own
    /// area, or department staff (departments serve the whole city).
    static func mayDispatch(to handler: (role: Role, nodeCode: String?, disabled: Bool), by p: Principal) -> Bool {
        guard !handler.disabled, handler.role.isStaff, handler.role != .admin || p.role == .admin else { return false }
        if handler.role == .departmentStaff { return true }
        guard let node = handler.nodeCode else { return p.role == .admin }
        return p.scope.allows(code: node)
    }

    /// Only an open complaint inside the reviewer's own area, not the same one, can take a
    /// duplicate in.
    static func mayMerge(into target: ComplaintRow, from c: ComplaintRow, by p: Principal) -> Bool {
        target.id != c.id && target.status.isOpen && target.merged_into == nil && p.scope.allows(code: target.grid_code)
    }
}
