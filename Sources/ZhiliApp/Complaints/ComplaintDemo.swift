import Foundation
import SQLKit
import ZhiliDomain

/// A year of complaint history for the demo city, so the three rates, rankings and trends
/// mean something on first start: mostly handled in time and rated, some late, some
/// rejected, a few still open.
struct DemoComplaints {
    static let phrases: [String: [String]] = [
        "environment.garbage": ["楼下垃圾堆放多日无人清运，气味很大", "垃圾桶满溢，周边污水横流", "小区门口建筑垃圾长期堆放"],
        "environment.noise": ["夜间施工噪音扰民，影响休息", "广场舞音响声音过大", "楼上装修电钻声持续到晚上十点"],
        "environment.greenery": ["绿化带树木枯死无人补种", "树枝遮挡路灯和窗户", "草坪被私自改成菜地"],
        "property.elevator": ["电梯经常停运，老人上下楼困难", "电梯运行时有异响", "电梯按钮失灵"],
        "property.parking": ["小区车辆乱停占用消防通道", "外来车辆长期占用车位", "非机动车棚损坏"],
        "utilities.water": ["家里停水一天无人通知", "楼道水管漏水", "自来水水压太低"],
        "utilities.heating": ["暖气不热，室温只有十五度", "暖气管道漏水", "供暖时间未到就停了"],
        "utilities.power": ["楼道电线裸露有安全隐患", "单元楼停电", "路边电箱门损坏"],
        "disputes": ["邻居楼道堆放杂物引发纠纷", "楼上漏水到楼下协商不成", "宠物狗扰民邻里矛盾"],
        "safety.fire_lane": ["消防通道被私家车堵塞", "楼道堆放电动车充电", "消防栓被杂物遮挡"],
        "facilities": ["路灯不亮，夜间出行不便", "井盖破损存在安全隐患", "健身器材损坏"],
        "welfare": ["独居老人生活困难希望得到救助", "咨询低保申请流程", "残疾人补贴未按时发放"],
        "enforcement": ["一楼住户私搭乱建占用公共空间", "商铺占道经营", "楼顶违规加盖"],
    ]

    /// What the handler wrote when resolving: the result the resident rates.
    static let results = [
        "已现场处理完毕，并电话告知诉求人", "已协调物业当天解决，诉求人表示满意", "已联系相关单位维修完成", "已上门调解，双方达成一致",
        "已清理完毕，列入日常巡查", "已按政策答复诉求人并协助办理",
    ]

    static func write(
        on db: any SQLDatabase, spec: DemoSpec, geography: DemoGeography, rng: inout SeededGenerator, now: Date = Date()
    ) async throws -> Int {
        try await write(
            on: db, count: spec.complaintsPerYear, grids: geography.gridPolygons.map { ($0.code, $0.polygon) },
            rng: &rng, now: now)
    }

    /// More history for an existing city (`zhili demo-complaints --count N`): benchmarks at a
    /// million complaints. Grids come from the database.
    static func append(on db: any SQLDatabase, count: Int, seed: UInt64, now: Date = Date()) async throws -> Int {
        struct Row: Decodable {
            let code: String
            let geometry: String?
        }
        let grids = try await db.select().columns("code", "geometry").from("nodes").where(
            "level", .equal, NodeLevel.grid.rawValue
        ).where("retired", .equal, false)
            .all(decoding: Row.self).compactMap { r in
                r.geometry.flatMap { try? GeoPolygon(geoJSONString: $0) }.map { (r.code, $0) }
            }
        guard !grids.isEmpty else {
            throw ConfigError("no grids with boundaries: create the demo city first / 没有带边界的网格，请先生成演示城市")
        }
        var rng = SeededGenerator(seed: seed)
        var written = 0
        // In slices, so a million complaints never sit in memory at once.
        while written < count {
            let n = min(50_000, count - written)
            written += try await write(on: db, count: n, grids: grids, rng: &rng, now: now)
        }
        try await ComplaintRateCells(db: db).markAll()
        try await ComplaintRateCells(db: db).refresh(range: nil)
        try await ComplaintThemes(db: db).recount()
        return written
    }

    static func write(
        on db: any SQLDatabase, count: Int, grids gridPolygons: [(String, GeoPolygon)], rng: inout SeededGenerator,
        now: Date
    ) async throws -> Int {
        struct Worker: Decodable {
            let id: UUID
            let display_name: String
            let node_code: String?
        }
        let workers = try await db.select().columns("id", "display_name", "node_code").from("users")
            .where("role", .equal, Role.gridWorker.rawValue).all(decoding: Worker.self)
        let byGrid = Dictionary(
            workers.compactMap { w in w.node_code.map { ($0, w) } }, uniquingKeysWith: { a, _ in a })
        let categories = try await ComplaintCategories.all(on: db).filter { phrases[$0.code] != nil }
        var complaints: [[any Encodable & Sendable]] = []
        var events: [[any Encodable & Sendable]] = []
        // In the order they came in, so each day's serials follow the clock.
        let times = (0..<count).map { _ in now.addingTimeInterval(-Double(rng.int(0...(365 * 24 * 3600)))) }.sorted()
        let numbers = try await ComplaintNumbers(db: db).assign(times)
        for (created, number) in zip(times, numbers) {
            let category = rng.pick(categories)
            let (grid, polygon) = gridPolygons[rng.int(0...(gridPolygons.count - 1))]
            let point = DemoPlaces.point(in: polygon, rng: &rng)
            let tier = TimeLimitTier(rawValue: category.tier) ?? .sevenDays
            let id = rng.uuid()
            let worker = byGrid[grid]
            let department = category.handlerKind == "department" ? category.department : nil
            // About one community in five is clearly worse than the rest, so rankings and hot
            // spots mean something; the city as a whole handles about 95% in time.
            let weak = DemoQuality.isWeak(community: String(grid.prefix(12)))
            var status = ComplaintStatus.closed
            let delay = Double(rng.int(600...7200))
            // Time since dispatch (had it been dispatched): which step it has reached follows from it.
            let since = now.timeIntervalSince(created) - delay
            if rng.chance(0.05) {
                status = .rejected
            } else if since < 0 || (since < 3 * 3600 && rng.chance(0.5)) {
                // Reported within the last hours: some still wait for the community's review.
                status = .submitted
            } else if since < tier.signWithin {
                status = .dispatched
            } else if since < tier.contactWithin {
                status = rng.chance(weak ? 0.3 : 0.05) ? .dispatched : .signed
            } else if since < tier.resolveWithin {
                status = rng.chance(0.6) ? .inProgress : .resolved
            } else if since < tier.resolveWithin * 3 {
                status = rng.chance(weak ? 0.15 : 0.02) ? .inProgress : .resolved
            }
            let dispatched = [.rejected, .submitted].contains(status) ? nil : created.addingTimeInterval(delay)
            let deadlines = dispatched.map { ComplaintDeadlines(tier: tier, dispatchedAt: $0) }
            let signedLate = rng.chance(weak ? 0.12 : 0.02)
            let signed: Date? =
                [.signed, .inProgress, .resolved, .closed].contains(status)
                ? deadlines.map {
                    min(
                        now,
                        $0.signBy.addingTimeInterval(
                            signedLate ? Double(rng.int(60...7200)) : -Double(rng.int(0...Int(tier.signWithin * 0.9)))))
                } : nil
            let resolvedLate = rng.chance(weak ? 0.15 : 0.03)
            let resolved: Date? =
                [.resolved, .closed].contains(status)
                ? deadlines.map {
                    min(
                        now.addingTimeInterval(-60),
                        max(
                            signed ?? $0.signBy,
                            $0.resolveBy.addingTimeInterval(
                                resolvedLate
                                    ? Double(rng.int(600...86400)) : -Double(rng.int(0...Int(tier.resolveWithin * 0.8)))
                            )
                        ))
                } : nil
            // Resolved and left unrated for 7 days: closed, as the server's clock would have done.
            if status == .resolved, let r = resolved, now.timeIntervalSince(r) > ComplaintLifecycle.reopenWindow {
                status = .closed
            }
            // Resolved within the last week: most residents have not rated yet, so it stays
            // resolved (waiting for the rating) unless they did.
            if status == .closed, let r = resolved, now.timeIntervalSince(r) <= ComplaintLifecycle.reopenWindow,
                rng.chance(0.6)
            {
                status = .resolved
            }
            let rating: Int? =
                status == .closed && rng.chance(0.85) ? [5, 5, 5, 5, 5, 5, 4, 4, 4, 3, 3, 2, 1][rng.int(0...12)] : nil
            let text = rng.pick(phrases[category.code] ?? ["其他诉求"])
            // Open complaints already past a deadline start at the level the escalation clock would have reached.
            let escalation =
                deadlines.map {
                    ComplaintClocks.escalationLevel(tier: tier, deadlines: $0, status: status, now: now).rawValue
                } ?? 0
            complaints.append([
                id, number, category.code, text, point.lat, point.lon, grid,
                Optional<String>.none,
                rng.chance(0.7) ? "app" : "staff", rng.chance(0.1), Optional<UUID>.none, Optional<String>.none,
                status.rawValue, tier.rawValue,
                department == nil ? "grid_worker" : "department", department == nil ? worker?.id : nil, department,
                department.flatMap { Department(rawValue: $0)?.nameZh } ?? worker?.display_name, Optional<String>.none,
                dispatched, deadlines?.signBy, deadlines?.contactBy, deadlines?.resolveBy, signed, signed, resolved,
                status == .closed ? resolved ?? created : nil, rating, Optional<String>.none, 0, escalation,
                Optional<UUID>.none,
                Optional<Int>.none, Optional<String>.none, created, resolved ?? created,
            ])
            events.append([
                rng.uuid(), id, created, "居民", "resident", "submit", "提交诉求", Optional<String>.none,
                Optional<String>.none, "submitted",
            ])
            if let d = dispatched {
                events.append([
                    rng.uuid(), id, d, "社区", "community_staff", "accept", "审核通过", Optional<String>.none, "submitted",
                    "dispatched",
                ])
            }
            if let r = resolved {
                // The one who resolved it is its handler: the department, or the grid's worker.
                let handlerName =
                    department.flatMap { Department(rawValue: $0)?.nameZh } ?? worker?.display_name ?? "网格员"
                events.append([
                    rng.uuid(), id, r, handlerName, department == nil ? "grid_worker" : "department_staff", "resolve",
                    "办结", Optional<String>(rng.pick(Self.results)), "in_progress", "resolved",
                ])
            }
        }
        let bulk = BulkInsert(db: db)
        try await bulk.run(
            "complaints",
            [
                "id", "number", "category_code", "text", "lat", "lon", "grid_code", "address", "channel", "anonymous",
                "submitter_id", "submitter_name", "status", "tier", "handler_kind", "handler_user_id",
                "handler_department",
                "handler_name", "dispatch_reason", "dispatched_at", "sign_by", "contact_by", "resolve_by", "signed_at",
                "contacted_at", "resolved_at", "closed_at", "rating", "rating_comment", "reopened", "escalation_level",
                "merged_into", "extension_hours", "idempotency_key", "created_at", "updated_at",
            ], complaints)
        try await bulk.run(
            "complaint_events",
            [
                "id", "complaint_id", "at", "actor_name", "actor_role", "action", "label_zh", "note",
                "from_status", "to_status",
            ], events)
        return complaints.count
    }
}
