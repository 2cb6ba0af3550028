import ZhiliDomain

/// Who may change the register. Reading is a matter of scope (and `TagVisibility` for
/// sensitive tags); writing is for the roles that keep the register: grid workers, community
/// staff, street officials and administrators. City officials and departments read it.
enum RegistryPolicy {
    /// Registering, editing and importing people and households.
    static func mayWriteResidents(_ p: Principal) -> Bool {
        switch p.role {
        case .gridWorker, .communityStaff, .streetOfficial, .admin: true
        default: false
        }
    }

    /// Recording a care visit: the register's keepers, and civil-affairs staff, whose
    /// welfare cases visits are part of.
    static func mayRecordVisit(_ p: Principal) -> Bool {
        mayWriteResidents(p) || (p.role == .departmentStaff && p.department == .civilAffairs)
    }

    /// A write on a resident already found in scope: "update" or "visit".
    static func mayWrite(_ p: Principal, action: String) -> Bool {
        action == "visit" ? mayRecordVisit(p) : mayWriteResidents(p)
    }

    /// A tag a search or list may filter by: one the viewer's role may see on a person.
    /// Filtering by a hidden tag would list exactly the people who carry it, so it is
    /// refused exactly as an unknown tag is. Returns the tag's code.
    static func filterTag(_ raw: String?, viewer: Principal, catalogue: [String: TagCatalogue.Definition]) throws
        -> String?
    {
        guard let raw, !raw.isEmpty else { return nil }
        guard let def = TagCatalogue.resolve(raw, in: catalogue), TagVisibility.canSee(viewer, def.tagSensitivity)
        else {
            throw AppError.invalid("tag", zh: "标签“\(raw.prefix(30))”不存在", en: "Unknown tag")
        }
        return def.code
    }
}
