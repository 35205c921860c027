// The Kotlin bindings on the JVM: every exported function and method called at least once,
// sync through a real relay on 127.0.0.1, progress in order, cancellation, each error variant,
// Chinese text unchanged, and 10,000 handles created and dropped without a leak.
package cn.linli.core.test

import cn.linli.core.*
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.async
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import java.io.File
import java.nio.file.Files
import java.time.Duration
import java.time.Instant
import java.util.Collections
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import kotlin.test.assertFailsWith

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LinliBindingsTest {
    private val tmp: File = Files.createTempDirectory("linli-kotlin").toFile()
    private val relay = RelayProcess(System.getProperty("linli.relay") ?: error("set -Dlinli.relay"))
    private lateinit var building3: String

    init {
        relay.admin("create-community", "--name", "梅园社区", "--admin-name", "陈主任")
        val area = relay.admin("add-place", "--kind", "area", "--name", "第一片区").trim()
        val compound = relay.admin("add-place", "--kind", "compound", "--name", "梅园新村", "--parent", area).trim()
        building3 = relay.admin("add-place", "--kind", "building", "--name", "3号楼", "--parent", compound).trim()
        relay.admin("add-member", "--id", "lead-wang", "--name", "王建国", "--role", "building_lead:$building3")
        relay.start()
    }

    @AfterAll
    fun cleanUp() {
        relay.close()
        tmp.deleteRecursively()
    }

    private fun path(name: String) = File(tmp, "$name.db").path

    /** The key every store of these tests is encrypted with. */
    private val key = newStoreKey()

    /** A local store whose member created the community, so it holds the office role. */
    private fun officeStore(name: String): LinliStore {
        val store = LinliStore.open(path(name), key, "office-$name", "$name-pc", newActorId())
        store.createCommunity("梅园社区", 480, "陈主任", "13800000001")
        return store
    }

    @Test
    fun `the whole API from Kotlin, with Chinese text unchanged`() {
        officeStore("api").use { s ->
            assertEquals("office-api", s.memberId())
            assertEquals("api-pc", s.deviceId())
            assertEquals(32, s.actorId().length)
            assertEquals("梅园社区", s.community().name)
            val today = s.today()
            val events = Collections.synchronizedList(mutableListOf<List<String>>())
            val sub = s.subscribe(object : DataObserver {
                override fun onChange(docIds: List<String>) { events.add(docIds) }
            })
            assertEquals(1UL, s.subscriberCount())
            // An observer that throws (a screen already gone) fails neither the write nor the others.
            val thrower = s.subscribe(object : DataObserver {
                override fun onChange(docIds: List<String>) { throw IllegalStateException("screen gone") }
            })

            // Directory.
            val heard = events.size
            val area = s.addPlace(PlaceKind.AREA, "第一片区", null)
            val compound = s.addPlace(PlaceKind.COMPOUND, "梅园新村", area)
            assertEquals(heard + 2, events.size, "the other observer still hears every write")
            thrower.close()
            val gate = s.addPlace(PlaceKind.GATE, "东门", compound)
            val b3 = s.addPlace(PlaceKind.BUILDING, "3号楼", compound)
            assertEquals("东门", s.placeName(gate))
            assertEquals(listOf("3号楼"), s.places(PlaceKind.BUILDING).map { it.name })
            assertEquals(4, s.places(null).size)
            assertEquals(listOf(b3), s.myPlaces(PlaceKind.BUILDING).map { it.id })
            val sun = s.addMember(MemberInput("guard-sun", "孙志刚", "13900000002",
                listOf(RoleInput(Role.SAFETY_OFFICER, listOf(gate)))))
            s.addMember(MemberInput("gate-zhao", "赵卫东", "", listOf(RoleInput(Role.GATE_LEAD, listOf(gate)))))
            s.addMember(MemberInput("guard-zhou", "周建军", "", listOf(RoleInput(Role.SAFETY_OFFICER, listOf(gate)))))
            s.grantRole(sun, RoleInput(Role.VOLUNTEER, listOf(gate)))
            assertEquals("孙志刚", s.member(sun).name)
            assertEquals(2, s.member(sun).roles.size)
            assertTrue(s.members().size >= 3)
            val leaving = s.addMember(MemberInput(null, "临时志愿者", "", listOf(RoleInput(Role.VOLUNTEER, listOf(gate)))))
            s.deactivateMember(leaving)
            assertFalse(s.member(leaving).active)
            assertTrue(events.isNotEmpty(), "the subscription heard the writes")

            // Households and visits.
            val h = s.registerHousehold(HouseholdInput(b3, "1单元", "101", "13700000000",
                listOf(ResidentInput("张桂英", 1942, "")), listOf(Tag.LIVING_ALONE, Tag.ELDERLY),
                WatchPlanInput(WatchFrequency.EVERY_DAYS, 2U)))
            val imported = s.importHouseholds(listOf(
                HouseholdInput(b3, "1单元", "102", "", emptyList(), emptyList(), null),
                HouseholdInput(b3, "2单元", "201", "", emptyList(), emptyList(), null)))
            assertEquals(2, imported.size)
            s.setHouseholdPhone(h, "13700000001")
            s.setHouseholdTag(imported[0], Tag.TENANT, true)
            s.setWatchPlan(imported[1], WatchPlanInput(WatchFrequency.TIMES_PER_DAY, 1U))
            val resident = s.addResident(h, ResidentInput("李建华", 1968, "13600000000"))
            assertTrue(resident.isNotEmpty())
            s.logVisit(h, VisitInput(null, VisitOutcome.MET, "需要代购药品", "希望加装扶手",
                HealthInput(36.6, 135U, 85U, "精神好", false), today, "周三再来"))
            val detail = s.household(h)
            assertEquals("需要代购药品", detail.visits.single().needs)
            assertEquals("希望加装扶手", detail.visits.single().opinions)
            val only = detail.visits.single()
            assertEquals(listOf(only.id), s.householdVisits(h, null, null, 10U).map { it.id })
            assertTrue(s.householdVisits(h, only.atMs, only.id, 10U).isEmpty(), "nothing before the first visit")
            val unsent = s.exportUnsent("device-token")
            assertTrue(unsent.contains("\"format\": \"linli-unsent/1\""), unsent.take(200))
            assertTrue(unsent.contains("\"action\": \"visit.log\""), "the unsent visit is in the export")
            assertTrue(unsent.contains("需要代购药品"), "with its record's content")
            assertTrue(Regex("\"seal\": \"[0-9a-f]{64}\"").containsMatchIn(unsent), "sealed with the token")
            assertEquals(setOf(Tag.LIVING_ALONE, Tag.ELDERLY), detail.tags.toSet())
            assertEquals(setOf("张桂英", "李建华"), detail.residents.map { it.name }.toSet())
            // Residents who arrive and leave: a tenant back from 武汉 today.
            val zhang = detail.residents.single { it.name == "张桂英" }.id
            s.setResidentMoves(h, zhang, ResidentMoves(ResidentStatus.TENANT, null, null, "武汉", today))
            assertEquals(ResidentStatus.TENANT, s.household(h).residents.single { it.id == zhang }.status)
            assertEquals(listOf(h), s.householdsWith(b3, ResidentFilter(ResidentStatus.TENANT, today, false)).map { it.id })
            assertEquals(1U, s.dayReport(today).arrivals)
            val rows = s.householdsInBuilding(b3)
            assertEquals(3, rows.size)
            assertEquals(1U, rows.first { it.id == h }.visitCount)
            assertEquals("137****0001", rows.first { it.id == h }.phone, "lists hide the middle digits")
            assertNotNull(s.watchChecksDue())
            assertEquals("周三再来", s.followUpsDue(today).single().note)
            val agenda = s.agenda(today)
            assertTrue(agenda.any { it.kind == AgendaKind.FOLLOW_UP && it.title.endsWith("周三再来") && it.action == "visit.log" },
                agenda.toString())

            // The office's reminders (民情日志): due today, on the agenda, completed, back next year.
            val reminder = s.addReminder(ReminderInput("3号楼电梯年检", b3, null, Role.BUILDING_LEAD, today, null, Repeat.YEARLY))
            assertTrue(s.agenda(today).any { it.kind == AgendaKind.REMINDER && it.recordId == reminder && it.action == "reminder.complete" })
            val nextDue = s.completeReminder(reminder)
            assertEquals(s.reminders(today).single { it.id == reminder }.due, nextDue)
            assertEquals(1U, s.reminders(today).single { it.id == reminder }.doneCount)
            assertEquals(1U, s.dayReport(today).reminders.done)
            assertEquals("每年", Repeat.YEARLY.labelZh())

            // Gate duty.
            val now = Instant.now()
            val shift = s.addShift(gate, "早班", now.minus(Duration.ofHours(1)), now.plus(Duration.ofHours(7)), 1U)
            // A night shift typed in the community's time: 22:00 at +08:00 is 14:00 UTC, ending next morning.
            val night = s.addShiftOn(gate, "夜班", "2027-01-06", "22:00", "06:00", 1U)
            val nightRow = s.rosterWeek(gate, "2027-01-06").single { it.shiftId == night }
            assertEquals(Instant.parse("2027-01-06T14:00:00Z") to Instant.parse("2027-01-06T22:00:00Z"), nightRow.start to nightRow.end)
            assertEquals(listOf("2026-03-01", "2024-02-29"), listOf(addDays("2026-02-28", 1), addDays("2024-03-01", -1)))
            val week = s.rosterWeek(gate, today)
            val slots = week.single { it.shiftId == shift }.slots
            s.assignSlot(gate, shift, slots.first { it.role == DutyRole.GATE_LEAD }.slotId, "gate-zhao")
            val guardSlot = slots.first { it.role == DutyRole.SAFETY_OFFICER }.slotId
            s.assignSlot(gate, shift, guardSlot, sun)
            val swap = s.requestSwap(gate, shift, guardSlot, "guard-zhou")
            assertEquals(SwapStatus.REQUESTED, s.swaps(gate).single { it.swapId == swap }.status)
            assertFailsWith<LinliException.Forbidden> { s.acceptSwap(gate, swap) }
            // Not accepted by 周建军 yet: approving it now is refused.
            val early = assertFailsWith<LinliException.Conflict> { s.approveSwap(gate, swap) }
            assertTrue(early.detail.contains("待接受"), early.detail)
            assertEquals("swap_not_waiting", early.code)
            s.checkIn(gate)
            val badge = s.onDuty(gate)
            assertEquals("东门", badge.gateName)
            assertTrue(badge.others.any { it.id == "office-api" } || badge.slots.any { it.onDuty?.id == "office-api" })
            s.handOver(gate, sun)
            s.checkIn(gate)
            s.checkOut(gate)
            // The address visited, as a gate phone names it; this office phone holds the
            // household there, so the core links it.
            s.registerVisitor(gate, VisitorInput("周先生", "13500000000", "探望父母", null, PassType.TEMPORARY, b3, "1单元 101"))
            s.registerVehicle(gate, "沪A·12345", "送货")
            val parcel = s.registerParcel(gate, "张桂英", h, "顺丰")
            assertEquals(listOf("沪A12345：送货"), s.vehiclesInside(gate).map { it.summary })
            s.registerVehicleExit(gate, "沪A·12345")
            assertTrue(s.vehiclesInside(gate).isEmpty())
            assertEquals(listOf(parcel), s.parcelsWaiting(gate).map { it.id })
            s.pickUpParcel(gate, parcel, "张桂英")
            assertTrue(s.parcelsWaiting(gate).isEmpty())
            assertEquals("parcel_collected", assertFailsWith<LinliException.Conflict> { s.pickUpParcel(gate, parcel, "张桂英") }.code)
            assertTrue(s.recordTemperature(gate, "周先生", 38.2).fever)
            assertFalse(s.recordTemperature(gate, "王阿姨", 36.5).fever)
            s.recordPatrol(gate, "巡逻一圈，一切正常")
            s.recordIncident(gate, "有人翻越围墙", Severity.HIGH)
            val entries = s.gateEntries(gate, today)
            assertTrue(entries.any { it.summary.contains("周先生") }, entries.joinToString { it.summary })
            assertTrue(entries.any { it.flagged })
            val visitor = entries.single { it.kind == "visitor" }
            assertEquals(listOf<Any?>("3号楼 1单元 101", "周先生：探望父母 → 3号楼 1单元 101", PassType.TEMPORARY, null),
                listOf(visitor.visiting, visitor.summary, visitor.passType, visitor.severity))
            assertEquals(Severity.HIGH, entries.single { it.kind == "incident" }.severity)
            assertEquals(setOf("gatelog:$gate:$today"), entries.map { it.recordId }.toSet())

            // Tickets.
            val photo = s.addPhoto("照片".toByteArray())
            val t = s.reportTicket(TicketInput(Category.NOISE, PlaceRefKind.BUILDING, b3, "",
                "夜间广场舞音响太吵", listOf(photo), Channel.VISIT))
            val dup = s.reportTicket(TicketInput(Category.NOISE, PlaceRefKind.FREE_TEXT, "", "3号楼楼下",
                "广场舞太吵", emptyList(), Channel.HOTLINE12345))
            assertEquals(TicketActionKind.ACCEPT, s.ticketActions(t).first())
            s.acceptTicket(t)
            assertFalse(TicketActionKind.ACCEPT in s.ticketActions(t))
            s.assignTicket(t, Department.CITY_MANAGEMENT)
            s.escalateTicket(t, Level.STREET, "社区协调无果")
            s.replyTicket(t, "已联系街道城管中队")
            s.attachPhoto(t, photo)
            s.mergeTicket(dup, t)
            s.resolveTicket(t, "已限定音量和时间")
            s.evaluateTicket(t, true, "满意")
            val ticket = s.ticket(t)
            assertEquals("夜间广场舞音响太吵", ticket.description)
            assertTrue(ticket.events.any { it.action is TicketAction.Escalated })
            assertTrue(ticket.events.any { (it.action as? TicketAction.Replied)?.message == "已联系街道城管中队" })
            assertEquals(Level.STREET, ticket.state.level)
            val all = s.tickets(TicketFilter(null, null, Category.NOISE, null, false, false, false, null, 0u))
            assertTrue(all.any { it.id == t })
            val page = s.tickets(TicketFilter(null, null, null, null, false, false, false, 1u, 0u))
            val next = s.tickets(TicketFilter(null, null, null, null, false, false, false, 1u, 1u))
            assertEquals(1, page.size)
            assertTrue(next.none { it.id == page[0].id }, "pages do not repeat")
            when (val p = s.photo(photo)) {
                is Photo.Available -> assertEquals("照片", String(p.bytes))
                Photo.Pending -> error("the photo was taken here")
            }

            // History, conflicts, report.
            val history = s.history(h)
            assertTrue(history.size >= 3)
            assertTrue(history.any { it.member == "office-api" && it.device == "api-pc" })
            assertEquals(emptyList<String>(), history.map { it.action }.filter { it !in actionCodes() })
            assertTrue(s.openConflicts().isEmpty())
            assertTrue(s.conflicts(h).isEmpty())
            val report = s.dayReport(today)
            assertEquals("梅园社区", report.community)
            assertEquals(1U, report.totalVisits)
            assertTrue(s.dayReportCsv(today).contains("走访次数"))
            assertTrue(s.dayReportMarkdown(today).contains("梅园社区"))
            assertTrue(s.outboxLen() > 0UL)
            assertTrue(s.stats().documentsCached > 0UL)

            // Enum codes and labels.
            assertEquals("噪声", Category.NOISE.labelZh())
            assertEquals("noise", Category.NOISE.code())
            val labelled = listOf(PlaceKind.entries, Role.entries, PassType.entries, Severity.entries,
                Attendance.entries, Tag.entries, VisitOutcome.entries, WatchFrequency.entries,
                DutyRole.entries, SwapStatus.entries, Category.entries, Channel.entries, Level.entries,
                Department.entries, PlaceRefKind.entries, TicketStatus.entries)
            for (values in labelled) for (v in values) {
                val (code, label) = when (v) {
                    is PlaceKind -> v.code() to v.labelZh()
                    is Role -> v.code() to v.labelZh()
                    is PassType -> v.code() to v.labelZh()
                    is Severity -> v.code() to v.labelZh()
                    is Attendance -> v.code() to v.labelZh()
                    is Tag -> v.code() to v.labelZh()
                    is VisitOutcome -> v.code() to v.labelZh()
                    is WatchFrequency -> v.code() to v.labelZh()
                    is DutyRole -> v.code() to v.labelZh()
                    is SwapStatus -> v.code() to v.labelZh()
                    is Category -> v.code() to v.labelZh()
                    is Channel -> v.code() to v.labelZh()
                    is Level -> v.code() to v.labelZh()
                    is Department -> v.code() to v.labelZh()
                    is PlaceRefKind -> v.code() to v.labelZh()
                    is TicketStatus -> v.code() to v.labelZh()
                    else -> error("unexpected $v")
                }
                assertTrue(code.matches(Regex("[a-z0-9_]+")), code)
                assertTrue(label.any { it.code > 0x2E80 }, "$v is labelled in Chinese: $label")
            }
            assertEquals(CheckState.entries.size, 4)
            for (p in SyncPhase.entries) assertTrue(p.labelZh().startsWith("正在"))

            sub.cancel()
            assertFalse(sub.isActive())
            assertEquals(0UL, s.subscriberCount())
            sub.close()
        }
    }

    @Test
    fun `a visit and a ticket sync through the relay to another store`() = runBlocking {
        val wangActor = newActorId()
        val wangEnrol = enrol(relay.url, relay.code("lead-wang"), "王建国的手机", wangActor)
        assertEquals("lead-wang", wangEnrol.memberId)
        assertTrue(wangEnrol.roles.any { it.role == "building_lead" && it.place == building3 })
        assertTrue(wangEnrol.scopes.contains("community"), wangEnrol.scopes.toString())
        val officeActor = newActorId()
        val officeEnrol = enrol(relay.url, relay.code("office-admin"), "社区办公室电脑", officeActor)

        LinliStore.open(path("wang"), key, wangEnrol.memberId, wangEnrol.deviceId, wangActor).use { wang ->
        LinliStore.open(path("office"), key, officeEnrol.memberId, officeEnrol.deviceId, officeActor).use { office ->
        SyncClient(relay.url, wangEnrol.token).use { wangSync ->
        SyncClient(relay.url, officeEnrol.token).use { officeSync ->
            wangSync.sync(wang, null, null)
            val today = wang.today()
            val h = wang.registerHousehold(HouseholdInput(building3, "2单元", "302", "", emptyList(),
                listOf(Tag.HOME_WATCH), null))
            wang.logVisit(h, VisitInput(Instant.now(), VisitOutcome.MET, "行动不便，需要送菜上门", "",
                null, null, ""))
            val t = wang.reportTicket(TicketInput(Category.ELEVATOR, PlaceRefKind.BUILDING, building3, "",
                "3号楼电梯停运两天", emptyList(), Channel.VISIT))

            val seen = Collections.synchronizedList(mutableListOf<SyncProgress>())
            val listener = object : SyncListener {
                override fun onProgress(progress: SyncProgress) { seen.add(progress) }
            }
            val pushed = wangSync.sync(wang, listener, CancelToken())
            assertTrue(pushed.pushed > 0UL)
            assertEquals(0UL, pushed.outboxLeft)
            assertTrue(pushed.lineZh().startsWith("本机记录已全部送达"), pushed.lineZh())
            val pushes = seen.filter { it.phase == SyncPhase.PUSH }.map { it.done }
            assertTrue(pushes.isNotEmpty())
            assertEquals(pushes.sorted(), pushes, "progress arrives in order")
            assertEquals(pushed.pushed, pushes.last())
            // A listener that throws does not stop the sync.
            wang.setHouseholdTag(h, Tag.TENANT, true)
            val thrown = wangSync.sync(wang, object : SyncListener {
                override fun onProgress(progress: SyncProgress) { throw RuntimeException("ui gone") }
            }, CancelToken())
            assertEquals(0UL, thrown.outboxLeft)
            assertTrue(thrown.pushed > 0UL)

            val pulled = officeSync.sync(office, null, null)
            assertTrue(pulled.bootstrappedDocs + pulled.pulled > 0UL)
            assertEquals("行动不便，需要送菜上门", office.household(h).visits.single().needs)
            assertEquals("3号楼电梯停运两天", office.ticket(t).description)
            assertEquals(1U, office.dayReport(today).totalVisits)
            val status = officeSync.status(office)
            assertEquals(0UL, status.outboxLeft)
            assertNotNull(status.lastContactMs)

            // The same field changed on both phones offline: a conflict on both, resolved on one.
            office.setHouseholdPhone(h, "13911112222")
            wang.setHouseholdPhone(h, "13933334444")
            wangSync.sync(wang, null, null)
            officeSync.sync(office, null, null)
            wangSync.sync(wang, null, null)
            for (store in listOf(wang, office)) {
                val conflict = store.conflicts(h).single()
                assertEquals(setOf("13911112222", "13933334444"), conflict.values.map { it.display }.toSet())
                assertEquals(setOf("lead-wang", "office-admin"), conflict.values.map { it.member }.toSet())
                assertEquals(h, store.openConflicts().single().docId)
            }
            val conflict = office.conflicts(h).single()
            val pick = conflict.values.indexOfFirst { it.display == "13933334444" }
            office.resolveConflict(h, conflict.path, Resolution.Pick(pick.toUInt()))
            officeSync.sync(office, null, null)
            wangSync.sync(wang, null, null)
            assertTrue(wang.openConflicts().isEmpty())
            assertEquals("13933334444", wang.household(h).phone)
            assertTrue(wang.history(h).any { it.member == "office-admin" })
            assertEquals("3号楼 2单元 302", wang.recordName(h))
            assertEquals("phone", conflict.fieldKey)
            // Nothing was refused or set aside on either phone.
            assertTrue(wang.setAsideChanges().isEmpty())
            assertEquals(0UL, officeSync.status(office).setAside)

            // A pass asked for from a phone, signed by the relay: not for a building lead; the
            // office's is recorded in the household, on the lead's phone after a sync.
            val resident = wang.addResident(h, ResidentInput("周桂兰", 1946, ""))
            wangSync.sync(wang, null, null)
            officeSync.sync(office, null, null)
            val ask = PassDaysInput(h, resident, "", PassKind.RESIDENT, today, today, emptyList(), null)
            val refused = assertFailsWith<LinliException.Rejected> { runBlocking { wangSync.issuePass(wang, ask, null) } }
            assertEquals(403.toUShort(), refused.status)
            assertFailsWith<LinliException.InvalidInput> {
                runBlocking { officeSync.issuePass(office, ask.copy(from = "2026-13-01"), null) }
            }
            val signed = officeSync.issuePass(office, ask, null)
            assertEquals("周桂兰", signed.holder)
            wangSync.sync(wang, null, null)
            assertEquals(signed.text, wang.passes(h).single().text)

            // A new token replaces the old one at once.
            val fresh = wangSync.rotateToken(wang, null)
            assertFailsWith<LinliException.Unauthorized> { runBlocking { wangSync.sync(wang, null, null) } }
            SyncClient(relay.url, fresh).use { renewed ->
                assertEquals(0UL, renewed.sync(wang, null, null).outboxLeft)
                // Signing out after a last sync: nothing lost, the store erased, the token dead.
                val out = renewed.signOut(wang, false, null)
                assertTrue(out.erased)
                assertEquals(0UL, out.unsent)
                assertFailsWith<LinliException.NotFound> { wang.household(h) }
                assertFailsWith<LinliException.DeviceRevoked> { runBlocking { renewed.sync(wang, null, null) } }
            }
        } } } }
    }

    @Test
    fun `a sync can be cancelled by its token or by its coroutine`() = runBlocking {
        val actor = newActorId()
        val e = enrol(relay.url, relay.code("lead-wang"), "备用手机", actor)
        LinliStore.open(path("cancel"), key, e.memberId, e.deviceId, actor).use { store ->
        SyncClient(relay.url, e.token).use { client ->
            val token = CancelToken()
            token.cancel()
            assertTrue(token.isCancelled())
            assertFailsWith<LinliException.Cancelled> { runBlocking { client.sync(store, null, token) } }
            val job = async { client.sync(store, null, null) }
            job.cancel()
            assertFailsWith<CancellationException> { runBlocking { job.await() } }
            // Nothing is lost: the next sync completes.
            val summary = withTimeout(30_000) { client.sync(store, null, null) }
            assertEquals(0UL, summary.outboxLeft)
            token.close()
        } }
    }

    @Test
    fun `a store is encrypted at rest and only its key opens it`() {
        val name = "欧阳秀兰"
        val phone = "13700001234"
        var building = ""
        officeStore("encrypted").use { s ->
            val area = s.addPlace(PlaceKind.AREA, "第一片区", null)
            building = s.addPlace(PlaceKind.BUILDING, "7号楼", s.addPlace(PlaceKind.COMPOUND, "梅园新村", area))
            s.registerHousehold(HouseholdInput(building, "", "101", phone,
                listOf(ResidentInput(name, 1950, phone)), emptyList(), null))
            // Copied while the app runs: the file and its WAL.
            val bytes = File(path("encrypted")).readBytes() + File(path("encrypted") + "-wal").readBytes()
            for (text in listOf(name, phone, "梅园社区")) {
                assertFalse(contains(bytes, text.toByteArray()), "$text readable in the running store")
            }
        }
        val closed = File(path("encrypted")).readBytes()
        assertFalse(contains(closed, name.toByteArray()), "readable after the checkpoint")
        assertFailsWith<LinliException.WrongKey> { LinliStore.open(path("encrypted"), newStoreKey(), "office-encrypted", "encrypted-pc", null) }
        assertFailsWith<LinliException.InvalidInput> { LinliStore.open(path("encrypted"), ByteArray(16), "office-encrypted", "encrypted-pc", null) }
        assertTrue(File(path("encrypted")).readBytes().contentEquals(closed), "a wrong key touches nothing")
        val next = newStoreKey()
        assertFailsWith<LinliException.WrongKey> { rekeyStore(path("encrypted"), next, key) }
        rekeyStore(path("encrypted"), key, next)
        assertFailsWith<LinliException.WrongKey> { LinliStore.open(path("encrypted"), key, "office-encrypted", "encrypted-pc", null) }
        LinliStore.open(path("encrypted"), next, "office-encrypted", "encrypted-pc", null).use { s ->
            assertTrue(s.householdsInBuilding(building).single().residents.contains(name))
        }
    }

    @Test
    fun `a resident in home isolation is checked three times a day`() {
        officeStore("isolation").use { s ->
            val area = s.addPlace(PlaceKind.AREA, "第一片区", null)
            val building = s.addPlace(PlaceKind.BUILDING, "9号楼", s.addPlace(PlaceKind.COMPOUND, "梅园新村", area))
            val h = s.registerHousehold(HouseholdInput(building, "2单元", "201", "",
                listOf(ResidentInput("陆家明", 1980, "")), emptyList(), null))
            val resident = s.household(h).residents.single().id
            val today = s.today()
            val iso = s.startIsolation(h, IsolationInput(resident, today, today, null))
            val bad = assertFailsWith<LinliException.InvalidInput> {
                s.recordIsolationCheck(h, iso, IsolationCheckInput(45.0, emptyList(), ""))
            }
            assertEquals("celsius", bad.field)
            val check = s.recordIsolationCheck(h, iso, IsolationCheckInput(37.8, listOf(Symptom.COUGH), "嗓子痛"))
            assertTrue(check.flagged)
            assertEquals("咳嗽", Symptom.COUGH.labelZh())
            val errand = s.addErrand(h, ErrandKind.MEDICINE, "降压药")
            assertEquals(listOf(errand to false), s.errands(h).map { it.id to it.delivered })
            s.deliverErrand(h, errand)
            assertTrue(s.errands(h).single().delivered)
            val day = s.isolationDays(today).single()
            assertTrue(day.due in 1L..3L, "the checks due after the start: ${day.due}")
            assertEquals(1L, day.done)
            assertEquals(1L, day.flagged)
            assertEquals("陆家明", day.resident)
            assertEquals(0L, day.errandsOpen)
            assertEquals(1u, s.dayReport(today).isolation.single().flagged)
            s.releaseIsolation(h, iso)
            assertFailsWith<LinliException.Conflict> {
                s.recordIsolationCheck(h, iso, IsolationCheckInput(36.5, emptyList(), ""))
            }
        }
    }

    @Test
    fun `a pass is checked at a gate offline and revoked`() {
        officeStore("passes").use { s ->
            val area = s.addPlace(PlaceKind.AREA, "第一片区", null)
            val compound = s.addPlace(PlaceKind.COMPOUND, "梅园新村", area)
            val gate = s.addPlace(PlaceKind.GATE, "东门", compound)
            val h = s.registerHousehold(HouseholdInput(s.addPlace(PlaceKind.BUILDING, "8号楼", compound), "", "101", "",
                emptyList(), emptyList(), null))
            // No pass was ever signed here: whatever is scanned is refused as forged, and logged.
            val check = s.checkPass(gate, "LINLI-PASS1.e30.AAAA")
            assertEquals(PassResult.FORGED, check.result)
            assertEquals("伪造或无效", check.result.labelZh())
            assertEquals(PassKind.NIGHT, PassKind.entries.single { it.code() == "night" })
            assertTrue(s.gateEntries(gate, s.today()).any { it.kind == "pass_forged" && it.flagged })
            assertTrue(s.passes(h).isEmpty())
            s.revokePass("01PASS0000000000000000000")
            // A pass's text as the QR code the lead's phone draws.
            val qr = qrCode("LINLI-PASS1." + "x".repeat(300))
            assertTrue(qr.size > 40u)
            assertEquals((qr.size * qr.size).toInt(), qr.dark.size)
            assertTrue(qr.dark.any { it } && qr.dark.any { !it })
            assertFailsWith<LinliException.InvalidInput> { qrCode("x".repeat(5000)) }
            assertTrue(s.passesLetThroughAfterRevocation().isEmpty())
        }
    }

    @Test
    fun `a ticket dispatched to a department is worked step by step, and one handed back returns`() {
        officeStore("departments").use { s ->
            val area = s.addPlace(PlaceKind.AREA, "第一片区", null)
            val city = s.addPlace(PlaceKind.DEPARTMENT, "城管中队", null)
            val police = s.addPlace(PlaceKind.DEPARTMENT, "梅园派出所", null)
            assertEquals(setOf(city, police), s.places(PlaceKind.DEPARTMENT).map { it.id }.toSet())
            s.addMember(MemberInput("leader-hu", "胡书记", "", listOf(RoleInput(Role.AREA_LEAD, listOf(area)))))
            // This phone's member also works for both departments: every step can be taken here.
            s.grantRole("office-departments", RoleInput(Role.DEPARTMENT_STAFF, listOf(city, police)))
            val t = s.reportTicket(TicketInput(Category.CITY_APPEARANCE, PlaceRefKind.FREE_TEXT, "", "梅园新村东门外",
                "占道经营，堵塞消防通道", emptyList(), Channel.VISIT))
            assertTrue(s.ticketActions(t).containsAll(listOf(TicketActionKind.DISPATCH, TicketActionKind.NAME_LEADER)))
            assertTrue(s.nameTicketLeader(t, "leader-hu").isNotEmpty())
            val notMember = assertFailsWith<LinliException.InvalidInput> { s.nameTicketLeader(t, "nobody") }
            assertEquals("no_such_member", notMember.code)
            val order = s.dispatchTicket(t, city)
            val twice = assertFailsWith<LinliException.Conflict> { s.dispatchTicket(t, police) }
            assertEquals("already_dispatched", twice.code)
            val state = s.ticket(t).state
            assertEquals(listOf(TicketStatus.ASSIGNED, city, order, "leader-hu"),
                listOf(state.status, state.unit, state.case, state.leader))
            assertTrue(s.ticket(t).events.any { (it.action as? TicketAction.Dispatched)?.case == order })
            assertTrue(s.ticket(t).events.any { (it.action as? TicketAction.LeaderNamed)?.member == "leader-hu" })

            val row = s.orders(OrderFilter(city, null, true)).single()
            assertEquals(listOf(order, t, "城管中队", "city_appearance", "占道经营，堵塞消防通道", "leader-hu"),
                listOf(row.id, row.ticketId, row.unitName, row.category, row.description, row.leader))
            assertEquals(CaseStatus.WAITING, row.status)
            assertTrue(s.orders(OrderFilter(police, null, false)).isEmpty())
            assertEquals(listOf(order), s.orders(OrderFilter(null, t, false)).map { it.id })
            assertTrue(s.agenda(s.today()).any { it.kind == AgendaKind.WORK_ORDER && it.recordId == order && it.action == "order.handle" })
            assertEquals(listOf(CaseActionKind.ACCEPT, CaseActionKind.ASK_INFO, CaseActionKind.REPLY,
                CaseActionKind.RESOLVE, CaseActionKind.HAND_BACK), s.orderActions(order))

            assertTrue(s.acceptOrder(order).isNotEmpty())
            assertEquals("order_accepted", assertFailsWith<LinliException.Conflict> { s.acceptOrder(order) }.code)
            s.askOrderInfo(order, "摊位具体在东门哪一侧？")
            assertEquals(TicketStatus.INFO_REQUESTED, s.ticket(t).state.status)
            assertEquals(listOf(CaseActionKind.ANSWER_INFO, CaseActionKind.REPLY, CaseActionKind.RESOLVE,
                CaseActionKind.HAND_BACK), s.orderActions(order))
            val blank = assertFailsWith<LinliException.InvalidInput> { s.answerOrderInfo(order, " ") }
            assertEquals(listOf("answer", "empty"), listOf(blank.fieldKey, blank.code))
            s.answerOrderInfo(order, "东门北侧消防通道")
            assertEquals("no_question_open", assertFailsWith<LinliException.Conflict> { s.answerOrderInfo(order, "再答") }.code)
            s.replyOrder(order, "已约谈摊主，明日清理")
            assertEquals(TicketStatus.REPLIED, s.ticket(t).state.status)
            s.resolveOrder(order, "摊位已清理，通道畅通")
            val done = s.order(order)
            assertEquals(listOf(t, city, "office-departments", "leader-hu"),
                listOf(done.ticketId, done.unit, done.dispatchedBy, done.leader))
            assertEquals(CaseStatus.RESOLVED, done.status)
            assertEquals("已办结", done.status.labelZh())
            assertEquals(listOf(CaseAction.Accepted, CaseAction.InfoRequested("摊位具体在东门哪一侧？"),
                CaseAction.InfoGiven("东门北侧消防通道"), CaseAction.Replied("已约谈摊主，明日清理"),
                CaseAction.Resolved("摊位已清理，通道畅通")), done.events.map { it.action })
            assertTrue(s.orderActions(order).isEmpty())
            assertEquals("order_finished", assertFailsWith<LinliException.Conflict> { s.handBackOrder(order, "晚了") }.code)
            assertEquals(TicketStatus.RESOLVED, s.ticket(t).state.status)
            assertTrue(s.orders(OrderFilter(city, null, true)).isEmpty())

            // Handed back by 派出所: the ticket is back with the community, deadlines kept.
            val t2 = s.reportTicket(TicketInput(Category.PUBLIC_SECURITY, PlaceRefKind.FREE_TEXT, "", "北门",
                "夜间有人在门口摆摊", emptyList(), Channel.WALK_IN))
            s.acceptTicket(t2)
            s.escalateTicket(t2, Level.STREET, "需派出所处理")
            val due = s.ticket(t2).state.replyDueMs
            val second = s.dispatchTicket(t2, police)
            s.handBackOrder(second, "不属于治安案件，应由城管处理")
            val back = s.ticket(t2).state
            assertEquals(listOf(TicketStatus.RETURNED, Level.COMMUNITY, null, due),
                listOf(back.status, back.level, back.unit, back.replyDueMs))
            assertEquals(CaseStatus.HANDED_BACK, s.order(second).status)
            assertEquals(CaseAction.HandedBack("不属于治安案件，应由城管处理"), s.order(second).events.single().action)
            assertTrue(s.dayReport(s.today()).departments.any { it.unit == city && it.received == 1U })
        }
    }

    @Test
    fun `a need is claimed, served and confirmed, a round counts votes, a joint action shows who is late`() {
        officeStore("needs").use { s ->
            val me = "office-needs"
            val area = s.addPlace(PlaceKind.AREA, "第一片区", null)
            val compound = s.addPlace(PlaceKind.COMPOUND, "梅园新村", area)
            val building = s.addPlace(PlaceKind.BUILDING, "3号楼", compound)
            val city = s.addPlace(PlaceKind.DEPARTMENT, "城管中队", null)
            s.addMember(MemberInput("lead-wang", "王建国", "", listOf(RoleInput(Role.BUILDING_LEAD, listOf(building)))))
            s.addMember(MemberInput("leader-hu", "胡书记", "", listOf(RoleInput(Role.AREA_LEAD, listOf(area)))))
            s.grantRole(me, RoleInput(Role.VOLUNTEER, emptyList()))
            s.grantRole(me, RoleInput(Role.DEPARTMENT_STAFF, listOf(city)))
            val h = s.registerHousehold(HouseholdInput(building, "1单元", "302", "", emptyList(), emptyList(), null))

            // The needs list: recorded, claimed, served 1.5 h, confirmed.
            val need = s.recordNeed(NeedInput(h, NeedCategory.SHOPPING, Urgency.URGENT, "代购降压药", null))
            val open = s.needs(NeedFilter(NeedStatus.OPEN, area, false, null)).single()
            assertEquals(listOf(need, "3号楼 1单元 302", "代购"), listOf(open.id, open.address, open.category.labelZh()))
            s.claimNeed(need)
            assertEquals("need_claimed", assertFailsWith<LinliException.Conflict> { s.claimNeed(need) }.code)
            assertEquals("not_served", assertFailsWith<LinliException.Conflict> { s.confirmNeed(need) }.code)
            assertEquals("minutes", assertFailsWith<LinliException.InvalidInput> { s.recordService(need, 0u, "") }.fieldKey)
            assertTrue(s.recordService(need, 90u, "药店代购并送到家").isNotEmpty())
            s.confirmNeed(need)
            val detail = s.need(need)
            assertEquals(listOf(NeedStatus.CONFIRMED, me, me, 90L),
                listOf(detail.status, detail.claimedBy, detail.confirmedBy, detail.services.single().minutes))
            assertEquals(listOf(need), s.needs(NeedFilter(null, null, true, h)).map { it.id })
            val hours = s.serviceHours(s.today()).single { it.kind == "member" }
            assertEquals(listOf(me, 1u, 90u, 90u), listOf(hours.id, hours.services, hours.minutes, hours.confirmedMinutes))
            assertEquals(90u, s.dayReport(s.today()).needs.minutes)

            // An evaluation round: one vote and one rating per member, a result when closed.
            val round = s.openRound(s.today())
            assertTrue(round.startsWith("round:"))
            s.rate(round, SubjectKind.AREA_LEAD, "leader-hu", 4u.toUByte(), "走访勤")
            assertEquals("score", assertFailsWith<LinliException.InvalidInput> {
                s.rate(round, SubjectKind.AREA_LEAD, "leader-hu", 6u.toUByte(), "")
            }.fieldKey)
            s.vote(round, "lead-wang")
            assertEquals("already_voted", assertFailsWith<LinliException.Conflict> { s.vote(round, "lead-wang") }.code)
            assertEquals("lead-wang", s.roundResult(round).winner)
            val ballot = s.ballot(s.today())!!
            assertEquals(listOf(round, "lead-wang"), listOf(ballot.roundId, ballot.myVote))
            assertEquals(4u.toUByte(), ballot.subjects.single { it.id == "leader-hu" }.myScore)
            assertTrue(ballot.mayClose)
            val closed = s.closeRound(round)
            assertTrue(closed.closed)
            assertEquals(listOf(1u, 400u), listOf(closed.subjects.single().ratings, closed.subjects.single().meanX100))
            assertEquals("王建国", s.dayReport(s.today()).evaluations.single().winner)

            // A joint action: the step started an hour ago and not done is late.
            val t = s.reportTicket(TicketInput(Category.CITY_APPEARANCE, PlaceRefKind.FREE_TEXT, "", "东门外",
                "占道经营", emptyList(), Channel.VISIT))
            val now = Instant.now()
            val joint = s.planJointAction(listOf(t), "东门联合整治", listOf(
                PlanStepInput(city, now.minus(Duration.ofHours(1)), "清理摊位"),
                PlanStepInput(city, now.plus(Duration.ofHours(2)), "复查")))
            val plan = s.jointAction(joint)
            assertEquals(listOf(true, false), plan.steps.map { it.late })
            s.markStepDone(joint, plan.steps[0].id, "已清理")
            assertEquals(me, s.jointAction(joint).steps[0].doneBy)
            val row = s.jointActions().single()
            assertEquals(listOf(2u, 1u, 0u), listOf(row.steps, row.done, row.late))
        }
    }

    private fun contains(haystack: ByteArray, needle: ByteArray): Boolean =
        (0..haystack.size - needle.size).any { i -> needle.indices.all { haystack[i + it] == needle[it] } }

    @Test
    fun `each error variant reaches Kotlin as its exception`() = runBlocking {
        officeStore("errors").use { s ->
            val invalid = assertFailsWith<LinliException.InvalidInput> {
                s.registerHousehold(HouseholdInput("", "", "", "", emptyList(), emptyList(), null))
            }
            assertEquals("building_id", invalid.field)
            assertEquals(listOf("empty", "building_id"), listOf(invalid.code, invalid.fieldKey))
            val resident = assertFailsWith<LinliException.InvalidInput> {
                val building = s.addPlace(PlaceKind.BUILDING, "9号楼", s.addPlace(PlaceKind.COMPOUND, "桂园", null))
                s.registerHousehold(HouseholdInput(building, "", "101", "", listOf(ResidentInput("王\n芳", null, "")), emptyList(), null))
            }
            assertEquals(listOf("residents[0].name", "name", "control_characters"), listOf(resident.field, resident.fieldKey, resident.code))
            val date = assertFailsWith<LinliException.InvalidInput> { s.dayReport("2026年11月23日") }
            assertEquals("date", date.field)
            assertEquals("not_a_date", date.code)
            // Every code the core can give, and every field it can name, for the apps' tables.
            assertTrue(relayCodes().containsAll(listOf("device_revoked", "wrong_offset", "append_only", "scope_forbidden")))
            assertTrue(errorCodes().containsAll(listOf("empty", "not_a_date", "control_characters", "role_required", "swap_not_waiting", "identity_mismatch")))
            assertTrue(inputFieldKeys().containsAll(listOf("building_id", "name", "date", "celsius")))
            assertTrue(date.detail.contains("2026年11月23日"), "Chinese text unchanged in the error")
            val missing = assertFailsWith<LinliException.NotFound> { s.household("no-such-household") }
            assertEquals("no-such-household", missing.id)
            // One store, one owner: a second handle (a background worker, say) is refused.
            assertFailsWith<LinliException.StoreInUse> {
                LinliStore.open(path("errors"), key, "someone-else", "other-pc", null)
            }
        }
        LinliStore.open(path("forbidden"), key, "vol-x", "vol-pc", null).use { s ->
            val forbidden = assertFailsWith<LinliException.Forbidden> { s.addPlace(PlaceKind.AREA, "第二片区", null) }
            assertEquals("role_required", forbidden.code)
        }
        assertFailsWith<LinliException.Storage> { LinliStore.open(tmp.path, key, "m", "d", null) }
        SyncClient("http://127.0.0.1:1", "token").use { c ->
            officeStore("offline").use { s -> assertFailsWith<LinliException.Network> { runBlocking { c.sync(s, null, null) } } }
        }
        SyncClient(relay.url, "0".repeat(64)).use { c ->
            officeStore("stranger").use { s -> assertFailsWith<LinliException.Unauthorized> { runBlocking { c.sync(s, null, null) } } }
        }
        val wrongCode = assertFailsWith<LinliException.Rejected> { runBlocking { enrol(relay.url, "XXXX-XXXX", "手机", newActorId()) } }
        assertEquals(401, wrongCode.status.toInt())
        assertEquals("bad_code", wrongCode.code, "a wrong code is no lost sign-in")
        val rejected = assertFailsWith<LinliException.Rejected> {
            runBlocking { enrol(relay.url, relay.code("lead-wang"), "手机", "not-an-actor") }
        }
        assertEquals(400.toUShort(), rejected.status)
        assertEquals("bad_actor", rejected.code)
        val actor = newActorId()
        val e = enrol(relay.url, relay.code("lead-wang"), "被注销的手机", actor)
        relay.admin("revoke", "--device", e.deviceId)
        LinliStore.open(path("revoked"), key, e.memberId, e.deviceId, actor).use { s ->
            SyncClient(relay.url, e.token).use { c ->
                assertFailsWith<LinliException.DeviceRevoked> { runBlocking { c.sync(s, null, null) } }
            }
        }
        wipeStore(path("revoked"))
        assertFalse(File(path("revoked")).exists())
    }

    @Test
    fun `ten thousand handles are created and dropped without a leak`() {
        officeStore("handles").use { s ->
            val observer = object : DataObserver { override fun onChange(docIds: List<String>) {} }
            val fds = File("/proc/self/fd").list()!!.size
            repeat(10_000) {
                s.subscribe(observer).close()
                CancelToken().close()
            }
            assertEquals(0UL, s.subscriberCount(), "every dropped subscription unregistered")
            repeat(500) { LinliStore.open(path("handles-others"), key, "office-handles", "handles-pc", null).close() }
            val rss0 = rssKb()
            val native0 = nativeInUseKb()
            repeat(10_000) { i ->
                s.subscribe(observer).close()
                CancelToken().close()
                if (i % 20 == 0) LinliStore.open(path("handles-others"), key, "office-handles", "handles-pc", null).close()
            }
            val rssGrown = rssKb() - rss0
            // The library's memory is malloc's; the JVM's heap, which grows and shrinks by tens of
            // megabytes as it likes, is not, so resident memory alone cannot tell a leak.
            val grown = (nativeInUseKb() ?: rssKb()) - (native0 ?: rss0)
            assertEquals(0UL, s.subscriberCount())
            assertTrue(File("/proc/self/fd").list()!!.size <= fds + 4, "no file handles leaked")
            assertTrue(grown < 64 * 1024, "native memory in use grew by $grown KiB")
            println("handles: 20,000 subscriptions, 20,000 tokens, 1,000 stores; native memory in use grew by $grown KiB, RSS by $rssGrown KiB")
        }
    }

    @Test
    fun `one store is safe to use from many threads at once`() {
        officeStore("threads").use { s ->
            val area = s.addPlace(PlaceKind.AREA, "第一片区", null)
            val compound = s.addPlace(PlaceKind.COMPOUND, "梅园新村", area)
            val b = s.addPlace(PlaceKind.BUILDING, "7号楼", compound)
            val threads = (0 until 8).map { t ->
                Thread {
                    repeat(25) { i ->
                        val h = s.registerHousehold(HouseholdInput(b, "${t + 1}单元", "${i + 101}", "", emptyList(), emptyList(), null))
                        s.logVisit(h, VisitInput(null, VisitOutcome.MET, "第${t}组第${i}户", "", null, null, ""))
                        s.householdsInBuilding(b)
                    }
                }.apply { start() }
            }
            threads.forEach { it.join() }
            val rows = s.householdsInBuilding(b)
            assertEquals(200, rows.size)
            assertTrue(rows.all { it.visitCount == 1U })
        }
    }

    /** Bytes the C library's malloc holds in use, in KiB (glibc's `mallinfo2`), or null where
     * there is none. */
    private fun nativeInUseKb(): Long? = try {
        val info = GlibcMalloc.lib.mallinfo2()
        (info.uordblks + info.hblkhd) / 1024
    } catch (e: UnsatisfiedLinkError) {
        null
    }

    private fun rssKb(): Long {
        System.gc()
        return File("/proc/self/status").readLines().first { it.startsWith("VmRSS:") }
            .split(Regex("\\s+"))[1].toLong()
    }
}

/** glibc's `struct mallinfo2`: every field a `size_t`. */
@com.sun.jna.Structure.FieldOrder(
    "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost",
)
class MallInfo2 : com.sun.jna.Structure(), com.sun.jna.Structure.ByValue {
    @JvmField var arena: Long = 0
    @JvmField var ordblks: Long = 0
    @JvmField var smblks: Long = 0
    @JvmField var hblks: Long = 0
    @JvmField var hblkhd: Long = 0
    @JvmField var usmblks: Long = 0
    @JvmField var fsmblks: Long = 0
    @JvmField var uordblks: Long = 0
    @JvmField var fordblks: Long = 0
    @JvmField var keepcost: Long = 0
}

/** The C library's malloc statistics, through JNA. */
interface GlibcMalloc : com.sun.jna.Library {
    fun mallinfo2(): MallInfo2

    companion object {
        val lib: GlibcMalloc by lazy { com.sun.jna.Native.load("c", GlibcMalloc::class.java) }
    }
}
