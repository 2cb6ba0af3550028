import Plot
import Vapor

/// Navigation by role: each role sees the screens it works with.
struct NavigationMenu: Component {
    let request: Request
    let active: String

    struct Item { let key: String; let zh: String; let en: String; let url: String }

    var items: [Item] {
        guard let p = request.principal else { return [] }
        var items = [Item(key: "home", zh: "工作台", en: "Dashboard", url: "/"),
                     Item(key: "notifications", zh: "消息", en: "Messages", url: "/notifications")]
        if p.role.isStaff {
            items.append(Item(key: "hierarchy", zh: "网格层级", en: "Hierarchy", url: "/hierarchy"))
            items.append(Item(key: "map", zh: "网格地图", en: "Grid map", url: "/map"))
            items.append(Item(key: "complaints", zh: "接诉即办", en: "Complaints", url: "/complaints"))
            items.append(Item(key: "residents", zh: "居民检索", en: "Residents", url: "/residents"))
            items.append(Item(key: "care", zh: "待走访", en: "Visits due", url: "/care"))
            items.append(Item(key: "reviews", zh: "信息审核", en: "Reviews", url: "/reviews"))
            items.append(Item(key: "exchange", zh: "导入导出", en: "Import/export", url: "/exchange"))
        }
        if p.role == .resident, let household = p.nodeCode {
            items.append(Item(key: "tell", zh: "有事您说", en: "Tell us", url: "/tell"))
            items.append(Item(key: "complaints", zh: "我的诉求", en: "My complaints", url: "/complaints"))
            items.append(Item(key: "household", zh: "我的家庭", en: "My household", url: "/h/\(household)"))
            items.append(Item(key: "map", zh: "网格地图", en: "Grid map", url: "/map"))
        }
        if p.role == .admin {
            items.append(Item(key: "audit", zh: "审计日志", en: "Audit log", url: "/audit"))
            items.append(Item(key: "categories", zh: "诉求分类", en: "Categories", url: "/complaints/categories"))
            items.append(Item(key: "integrations", zh: "系统接入", en: "Integrations", url: "/admin/integrations"))
        }
        items.append(Item(key: "api", zh: "开放接口", en: "Open API", url: "/api-docs"))
        return items
    }

    var body: Component {
        let t = Localizer(request)
        return List(items) { item in
            Link(t(item.zh, item.en), url: item.url).class(item.key == active ? "active" : "")
        }
    }
}
