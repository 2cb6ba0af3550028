import Plot
import Vapor
import ZhiliDomain

/// A person's emergency contacts on the profile: listed with masked numbers; the register's
/// keepers add one or remove one (the family is texted when an urgent alarm is about them).
extension RegistryPages {
    static func contactsCard(
        _ contacts: [EmergencyContacts.Row], residentID: UUID, viewer: Principal, t: Localizer, csrf: String
    ) -> Component {
        let mayEdit = RegistryPolicy.mayWriteResidents(viewer)
        let base = "/residents/\(residentID.uuidString)/contacts"
        return Div {
            H3(t("registry.contacts"))
            if contacts.isEmpty { Paragraph(t("registry.no-contacts")).class("muted") }
            for c in contacts {
                Div {
                    Span(t("registry.contact-0-1", c.name, c.relation))
                    Span(c.phone_masked).class("mono")
                    if mayEdit {
                        Form(url: base, method: .post) {
                            Input(type: .hidden, name: "_csrf", value: csrf)
                            Input(type: .hidden, name: "remove", value: "\(c.position)")
                            Button { Text(t("registry.remove")) }.attribute(named: "type", value: "submit").class(
                                "link-button")
                        }.class("inline")
                    }
                }.class("contact-line")
            }
            if mayEdit, contacts.count < EmergencyContacts.maxContacts {
                Form(url: base, method: .post) {
                    Input(type: .hidden, name: "_csrf", value: csrf)
                    Label(t("registry.contact-name")) {
                        Input(type: .text, name: "name").attribute(named: "maxlength", value: "30")
                            .attribute(named: "required", value: "required")
                    }
                    Label(t("registry.contact-relation")) {
                        Element(name: "select") {
                            for r in EmergencyContacts.relations {
                                Element(name: "option") { Text(r) }.attribute(named: "value", value: r)
                            }
                        }.attribute(named: "name", value: "relation")
                    }
                    Label(t("registry.contact-phone")) {
                        Input(type: .tel, name: "phone").attribute(named: "inputmode", value: "numeric")
                            .attribute(named: "maxlength", value: "16").attribute(named: "required", value: "required")
                    }
                    Button { Text(t("registry.add-contact")) }.attribute(named: "type", value: "submit")
                }.class("stack contact-form")
            }
        }.class("card")
    }

    @Sendable static func saveContact(req: Request) async throws -> Response {
        let (_, current) = try await RegistryRoutes.scopedCurrent(req, action: "update")
        struct Form: Decodable {
            var remove: Int?
            var name: String?
            var relation: String?
            var phone: String?
        }
        let f = try req.content.decode(Form.self)
        if let position = f.remove {
            try await EmergencyContacts.remove(current.id, position: position, on: req.sql)
        } else {
            try await EmergencyContacts.add(
                current.id, .init(name: f.name, relation: f.relation, phone: f.phone), cipher: req.zhili.cipher,
                on: req.sql)
        }
        await req.audit.record(action: "update_contacts", entity: "resident", entityID: current.id.uuidString)
        return WebResponse.redirect("/residents/\(current.id.uuidString)")
    }
}
