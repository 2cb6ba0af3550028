import Foundation
import SQLKit
import SQLiteKit
import Testing
import VaporTesting
import ZhiliDomain

@testable import ZhiliApp

@Suite("Registry: records, reviews and protection")
struct RegistryTests {
    @Test func identityNumberDerivesSexAndBirthDateAndConflictsAreRejected() throws {
        let id = RegistryFixture.idNumber(year: 1961, month: 7, day: 9, sex: .male)
        let ok = ResidentValidation.validate(
            ResidentInput(name: "王建国", idNumber: id, householdCode: "620982001001001001001010001"), tagCatalogue: [:])
        guard case .success(let v) = ok else {
            Issue.record("valid input rejected")
            return
        }
        #expect(v.sex == "male")
        #expect(v.birthDate == "1961-07-09")
        let conflict = ResidentValidation.validate(
            ResidentInput(
                name: "王建国", idNumber: id, sex: "女", birthDate: "1961-07-10",
                householdCode: "620982001001001001001010001"), tagCatalogue: [:])
        guard case .failure(let f) = conflict else {
            Issue.record("conflict accepted")
            return
        }
        #expect(Set(f.issues.map(\.field)) == ["sex", "birthDate"])
        var wrong = Array(id)
        wrong[17] = wrong[17] == "1" ? "2" : "1"
        let bad = ResidentValidation.validate(
            ResidentInput(name: "王建国", idNumber: String(wrong), householdCode: "620982001001001001001010001"),
            tagCatalogue: [:])
        guard case .failure(let g) = bad else {
            Issue.record("bad check digit accepted")
            return
        }
        #expect(g.issues.first?.messageZh.contains("校验位") == true)
    }

    @Test func gridWorkersIdentityChangeWaitsForReviewThenApplies() async throws {
        try await withTestApp { app in
            let household = try await RegistryFixture.firstHousehold(app)
            let id = try await RegistryFixture.register(app, idNumber: RegistryFixture.idNumber(), household: household)
            let worker = try await app.bearer("grid001").merging(["Content-Type": "application/json"])
            var requestID = ""
            try await app.testing().test(
                .PATCH, "/api/v1/residents/\(id)", headers: worker,
                body: try RegistryFixture.json(["name": "测试新名", "employer": "市供电公司"])
            ) { res in
                #expect(res.status == .accepted)
                let outcome = try res.content.decode(ResidentService.Outcome.self)
                #expect(outcome.applied == ["employer"])
                requestID = outcome.pendingReview?.uuidString ?? ""
            }
            let before = try await ResidentReads(db: app.sql).find(id)
            #expect(before?.name == "测试老人")
            let staff = try await app.bearer("community")
            try await app.testing().test(.GET, "/api/v1/reviews", headers: staff) { res in
                let items = try res.content.decode([ReviewQueue.Item].self)
                #expect(items.map(\.id.uuidString) == [requestID])
                #expect(items.first?.summary.contains("测试老人 → 测试新名") == true)
            }
            try await app.testing().test(.POST, "/api/v1/reviews/\(requestID)/approve", headers: worker) { res in
                #expect(res.status == .forbidden, "a grid worker cannot approve")
            }
            try await app.testing().test(.POST, "/api/v1/reviews/\(requestID)/approve", headers: staff) { res in
                #expect(res.status == .ok)
            }
            let after = try await ResidentReads(db: app.sql).find(id)
            #expect(after?.name == "测试新名")
            struct H: Decodable { let field: String }
            let history = try await app.sql.select().column("field").from("field_changes").where(
                "entity_id", .equal, id.uuidString
            )
            .all(decoding: H.self).map(\.field)
            #expect(history.contains("name") && history.contains("employer"))
            try await app.testing().test(.POST, "/api/v1/reviews/\(requestID)/approve", headers: staff) { res in
                #expect(res.status == .conflict)
            }
        }
    }

    @Test func rejectedReviewChangesNothingAndKeepsTheReason() async throws {
        try await withTestApp { app in
            let household = try await RegistryFixture.firstHousehold(app)
            let id = try await RegistryFixture.register(
                app, idNumber: RegistryFixture.idNumber(sequence: 33), household: household)
            let worker = try await app.bearer("grid001").merging(["Content-Type": "application/json"])
            var requestID = ""
            try await app.testing().test(
                .PATCH, "/api/v1/residents/\(id)", headers: worker, body: try RegistryFixture.json(["tags": ["孤寡老人"]])
            ) { res in
                requestID = (try? res.content.decode(ResidentService.Outcome.self).pendingReview?.uuidString) ?? ""
            }
            let staff = try await app.bearer("community").merging(["Content-Type": "application/json"])
            try await app.testing().test(
                .POST, "/api/v1/reviews/\(requestID)/reject", headers: staff,
                body: try RegistryFixture.json(["reason": "核实后不符合条件"])
            ) { res in
                #expect(res.status == .noContent)
            }
            let tags = try await ResidentReads(db: app.sql).tags(of: [id])[id] ?? []
            #expect(tags.isEmpty)
            let rejected = try await ReviewQueue(db: app.sql, cipher: app.zhili.cipher).list(
                status: "rejected", scope: .everything)
            #expect(rejected.first?.reason == "核实后不符合条件")
        }
    }

    @Test func sensitiveTagsAreShownOnlyToRolesThatNeedThem() async throws {
        try await withTestApp { app in
            let household = try await RegistryFixture.firstHousehold(app)
            let id = try await RegistryFixture.register(
                app, idNumber: RegistryFixture.idNumber(sequence: 44), household: household,
                tags: ["危重症病人", "退役军人"])
            let expectations: [(String, Bool)] = [
                ("grid001", true), ("community", true), ("civil", true), ("admin", true),
                ("street", false), ("city", false), ("emergency", false),
            ]
            for (user, seesHealth) in expectations {
                let headers = try await app.bearer(user)
                try await app.testing().test(.GET, "/api/v1/residents/\(id)", headers: headers) { res in
                    #expect(res.status == .ok, "\(user)")
                    let tags = (try? res.content.decode(ResidentDTO.self).tags) ?? []
                    #expect(tags.contains("critically_ill") == seesHealth, "\(user) health tag")
                    #expect(tags.contains("veteran"), "\(user) sees ordinary tags")
                }
                // The profile's household (its members' tags) follows the same rule.
                try await app.testing().test(.GET, "/api/v1/residents/\(id)/profile", headers: headers) { res in
                    #expect(res.status == .ok, "\(user) profile")
                    let householdTags = (try? res.content.decode(ResidentProfile.self).household?.tags) ?? []
                    #expect(householdTags.contains("critically_ill") == seesHealth, "\(user) household health tag")
                    #expect(householdTags.contains("veteran"), "\(user) household ordinary tags")
                }
            }
        }
    }

    @Test func revealNeedsAReasonAndPermissionAndIsAudited() async throws {
        try await withTestApp { app in
            let household = try await RegistryFixture.firstHousehold(app)
            let number = RegistryFixture.idNumber(sequence: 55)
            let id = try await RegistryFixture.register(app, idNumber: number, household: household)
            let worker = try await app.bearer("grid001").merging(["Content-Type": "application/json"])
            try await app.testing().test(
                .POST, "/api/v1/residents/\(id)/reveal", headers: worker,
                body: try RegistryFixture.json(["field": "idNumber", "reason": ""])
            ) { res in
                #expect(res.status == .unprocessableEntity)
                #expect(errorField(res) == "reason")
            }
            try await app.testing().test(
                .POST, "/api/v1/residents/\(id)/reveal", headers: worker,
                body: try RegistryFixture.json(["field": "idNumber", "reason": "办理低保核对身份"])
            ) { res in
                #expect(res.status == .ok)
                let actual101 = try res.content.decode(RegistryRoutes.Revealed.self).value
                #expect(actual101 == number)
            }
            let entries = try await app.auditEntries(action: "reveal", entityID: id.uuidString)
            #expect(entries.count == 1)
            #expect(entries.first?.detail?.contains("办理低保核对身份") == true)
            #expect(entries.first?.detail?.contains(number) == false, "the audit log never holds the number")
            let city = try await app.bearer("city").merging(["Content-Type": "application/json"])
            try await app.testing().test(
                .POST, "/api/v1/residents/\(id)/reveal", headers: city,
                body: try RegistryFixture.json(["field": "phone", "reason": "想看看号码"])
            ) { res in
                #expect(res.status == .forbidden)
            }
        }
    }

    @Test func childrensNumbersAreRevealedOnlyByCommunityStaffAndTheirNamesShortenedForOfficials() async throws {
        try await withTestApp { app in
            let household = try await RegistryFixture.firstHousehold(app)
            let id = try await RegistryFixture.register(
                app, name: "李小明", idNumber: RegistryFixture.idNumber(year: 2018, sequence: 66), household: household,
                phone: nil)
            let worker = try await app.bearer("grid001").merging(["Content-Type": "application/json"])
            try await app.testing().test(
                .POST, "/api/v1/residents/\(id)/reveal", headers: worker,
                body: try RegistryFixture.json(["field": "idNumber", "reason": "核对入学信息"])
            ) { res in
                #expect(res.status == .forbidden)
            }
            let city = try await app.bearer("city")
            try await app.testing().test(.GET, "/api/v1/residents/\(id)", headers: city) { res in
                #expect((try? res.content.decode(ResidentDTO.self).name) == "李*明")
            }
            try await app.testing().test(.GET, "/api/v1/residents/\(id)", headers: worker) { res in
                #expect((try? res.content.decode(ResidentDTO.self).name) == "李小明")
            }
            // The household's member list and a profile's household shorten the child's name alike.
            for (headers, expected) in [(city, "李*明"), (worker, "李小明")] {
                try await app.testing().test(.GET, "/api/v1/households/\(household)", headers: headers) { res in
                    let names = (try? res.content.decode(HouseholdDetail.self).members.map(\.name)) ?? []
                    #expect(names.contains(expected), "household members: \(names)")
                    #expect(!names.contains(expected == "李*明" ? "李小明" : "李*明"))
                }
                try await app.testing().test(.GET, "/api/v1/residents/\(id)/profile", headers: headers) { res in
                    let names = (try? res.content.decode(ResidentProfile.self).household?.members.map(\.name)) ?? []
                    #expect(names.contains(expected), "profile household members: \(names)")
                }
            }
        }
    }

    @Test func searchFindsByNamePrefixInitialsIDNumberAndPhoneWithinScope() async throws {
        try await withTestApp { app in
            let household = try await RegistryFixture.firstHousehold(app)
            let number = RegistryFixture.idNumber(sequence: 77)
            let id = try await RegistryFixture.register(
                app, name: "欧阳测试", idNumber: number, household: household, phone: "13700001111")
            let worker = try await app.bearer("grid001")
            for q in ["欧阳测试", "欧阳", "oycs", "OYC", number.lowercased(), "13700001111"] {
                let encoded = q.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? q
                try await app.testing().test(.GET, "/api/v1/residents/search?q=\(encoded)", headers: worker) { res in
                    #expect(res.status == .ok)
                    let items = (try? res.content.decode(RegistryRoutes.SearchResult.self).items) ?? []
                    #expect(items.contains { $0.id == id }, "query \(q)")
                }
            }
            let other = try await app.bearer("grid002")
            try await app.testing().test(.GET, "/api/v1/residents/search?q=\(number)", headers: other) { res in
                #expect((try? res.content.decode(RegistryRoutes.SearchResult.self).items.count) == 0)
            }
        }
    }

    @Test func searchStatementValuesMatchWhatSQLKitBinds() async throws {
        try await withTestApp { app in
            // The server's own connections are open on SQLite (the search below uses them).
            #expect(app.zhili.readers?.isOpen ?? TestDatabase.isPostgres)
            #expect(app.zhili.background?.isOpen ?? TestDatabase.isPostgres)
            let search = ResidentSearch(db: try app.sql, cipher: app.zhili.cipher)
            let code = try HierarchyCode(validating: "620982001001")
            for text in ["620982199001010012", "13800138000", "zs", "张三", "幸福路", ""] {
                let kind = ResidentSearch.classify(text)
                for scope in [
                    DataScope.everything, .subtree(code), .household("620982001001001001001010001"), .nothing,
                ] {
                    for under in [nil, code] {
                        for tag in [nil, "elderly_alone"] {
                            let condition = search.condition(kind, text)
                            var serializer = SQLSerializer(database: try app.sql)
                            search.select(kind, condition, scope, under, tag, 20, 0).query.serialize(to: &serializer)
                            let encoder = SQLiteDataEncoder()
                            let expected = try serializer.binds.map { try BulkInsert.sqliteData($0, encoder: encoder) }
                            let values = try ResidentSearch.bindValues(condition, scope, under, tag).map {
                                try BulkInsert.sqliteData($0, encoder: encoder)
                            }
                            #expect(
                                values == expected, "\(kind) \(scope) under \(under?.value ?? "-") tag \(tag ?? "-")")
                        }
                    }
                }
            }
        }
    }

    @Test func pagingThroughEqualNamesShowsEachPersonOnce() async throws {
        try await withTestApp { app in
            let household = try await RegistryFixture.firstHousehold(app)
            var ids = Set<UUID>()
            for i in 0..<7 {
                ids.insert(
                    try await RegistryFixture.register(
                        app, name: "同名测试", idNumber: RegistryFixture.idNumber(sequence: 300 + i), household: household))
            }
            let staff = try await app.bearer("community")
            for q in ["同名测试", "tmcs"] {
                let encoded = q.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? q
                var seen: [UUID] = []
                for offset in stride(from: 0, to: 9, by: 3) {
                    try await app.testing().test(
                        .GET, "/api/v1/residents/search?q=\(encoded)&limit=3&offset=\(offset)", headers: staff
                    ) { res in
                        #expect(res.status == .ok)
                        seen += ((try? res.content.decode(RegistryRoutes.SearchResult.self).items) ?? []).map(\.id)
                    }
                }
                #expect(seen.count == 7, "query \(q)")
                #expect(Set(seen) == ids, "query \(q): every one of the seven once, across pages")
            }
        }
    }

    @Test func overdueVisitsAppearOnTheToDoListUntilVisited() async throws {
        try await withTestApp { app in
            let household = try await RegistryFixture.firstHousehold(app)
            let id = try await RegistryFixture.register(
                app, idNumber: RegistryFixture.idNumber(sequence: 88), household: household, tags: ["孤寡老人"])
            try await app.sql.update("resident_tags").set("next_visit_due", to: "2000-01-01").where(
                "resident_id", .equal, id
            ).run()
            let worker = try await app.bearer("grid001")
            try await app.testing().test(.GET, "/api/v1/care/todo", headers: worker) { res in
                let items = try res.content.decode([CarePlans.TodoItem].self)
                let mine = items.first { $0.residentId == id }
                #expect(mine?.overdueDays ?? 0 > 1000)
            }
            try await app.testing().test(
                .POST, "/api/v1/residents/\(id)/visits", headers: worker.merging(["Content-Type": "application/json"]),
                body: try RegistryFixture.json(["notes": "身体尚可，已送米面油", "tag": "elderly_alone"])
            ) { res in
                #expect(res.status == .created)
            }
            try await app.testing().test(.GET, "/api/v1/care/todo", headers: worker) { res in
                // Visited today with a 7-day plan: due again in a week, no longer overdue.
                let items = try res.content.decode([CarePlans.TodoItem].self)
                let mine = items.first { $0.residentId == id }
                #expect(mine?.overdueDays == 0)
                #expect((mine?.nextVisitDue ?? "") > ResidentValidation.isoDay(Date()))
            }
            try await app.testing().test(.GET, "/api/v1/care/todo", headers: try await app.bearer("grid002")) { res in
                let items = try res.content.decode([CarePlans.TodoItem].self)
                #expect(items.allSatisfy { !$0.householdCode.hasPrefix(String(household.prefix(15))) })
            }
        }
    }

    @Test func gridProfileAddsUpAndMovingAResidentKeepsHistory() async throws {
        try await withTestApp { app in
            let grid = try await app.gridCodes()[0]
            let worker = try await app.bearer("grid001")
            try await app.testing().test(.GET, "/api/v1/nodes/\(grid)/profile", headers: worker) { res in
                let profile = try res.content.decode(NodeProfile.self)
                let banded = profile.ageBands.reduce(0) { $0 + $1.male + $1.female }
                #expect(banded == profile.residents)
                #expect(profile.residency.reduce(0) { $0 + $1.count } == profile.residents)
                #expect(profile.workers.contains { $0.username == "grid001" })
            }
            let from = try await RegistryFixture.firstHousehold(app)
            struct Row: Decodable { let code: String }
            let to = try #require(
                try await app.sql.select().column("code").from("households").where("code", .greaterThan, from)
                    .where("code", .lessThan, grid + ":").orderBy("code").first(decoding: Row.self)
            ).code
            let id = try await RegistryFixture.register(
                app, idNumber: RegistryFixture.idNumber(sequence: 99), household: from)
            try await app.testing().test(
                .PATCH, "/api/v1/residents/\(id)", headers: worker.merging(["Content-Type": "application/json"]),
                body: try RegistryFixture.json(["householdCode": to, "reason": "购房迁入"])
            ) { res in
                #expect(res.status == .ok)
            }
            try await app.testing().test(.GET, "/api/v1/residents/\(id)/profile", headers: worker) { res in
                let profile = try res.content.decode(ResidentProfile.self)
                #expect(profile.moves.count == 2)
                #expect(profile.moves.first?.householdCode == to)
                #expect(profile.resident.householdCode == to)
            }
        }
    }
}
