// Each screen's view model driven through its main flows against real stores and a real relay
// process on 127.0.0.1: enrol, home tiles by role, today's list on home with its notifications
// and a reminder marked done there, gate duty (a visitor's address as the gate phone names it,
// and what the office then sees) and a gate's whole shift (vehicles, parcels, an incident, a
// handover, the pass type, the number of 安全员), a record's history, the relay's
// refusals in words, a visit, a ticket reported and escalated, a ticket worked by a department on its own phone and another handed back, a
// conflict resolved, a sync with progress, a revoked phone wiped, the needs list claimed twice
// offline and served, the month's evaluation with a vote cast from two phones, a joint
// action across three departments, a ticket reported by a volunteer with channel and photo, a
// change the relay refused on the sync screen, a reminder the office adds on the phone, a
// resident who moves, and a revoked phone's unsent work exported.
package cn.linli.viewmodels

import cn.linli.core.*
import cn.linli.core.test.RelayProcess
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.runBlocking
import java.io.File
import java.nio.file.Files
import java.time.Duration
import java.time.Instant
import java.time.LocalDate
import java.time.ZoneOffset
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertArrayEquals
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertSame
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Assertions.fail
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance

/** Credentials kept in memory, as the app keeps them in encrypted preferences. */
class MemoryCredentials : CredentialStore {
    var saved: Credentials? = null
    override fun load() = saved
    override fun save(credentials: Credentials) { saved = credentials }
    override fun clear() { saved = null }
}

/** The store's key kept in memory, as the app keeps it wrapped by the Android Keystore. */
class MemoryStoreKeys : StoreKeyStore {
    var saved: ByteArray? = null
    override fun load() = saved
    override fun save(key: ByteArray) {
        check(saved == null) { "a kept key is never replaced" }
        saved = key
    }
    override fun clear() { saved = null }
}

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ViewModelFlowsTest {
    private val tmp: File = Files.createTempDirectory("linli-viewmodels").toFile()
    private val relay = RelayProcess(System.getProperty("linli.relay") ?: error("set -Dlinli.relay"))
    private val gate: String
    /** A second gate, 北门, whose shift test counts its vehicles and parcels alone: 门长 冯国强,
     * 值班长 陆志明, 安全员 何建军. */
    private val north: String
    private val building: String
    /** 梅园新村, where tests add gates of their own. */
    private val compound: String
    /** Two departments of the directory (大联动): 城管 (staff 刘城管) and 派出所 (staff 马警官). */
    private val cityUnit: String
    private val policeUnit: String
    /** A third department, 市场监管所 (staff 周监管), for joint actions. */
    private val marketUnit: String
    /** A co-building unit (共建单位) whose member (钱学文) serves needs. */
    private val coUnit: String
    private val sessions = mutableListOf<Session>()

    init {
        relay.admin("create-community", "--name", "梅园社区", "--admin-name", "陈主任")
        val area = relay.admin("add-place", "--kind", "area", "--name", "第一片区").trim()
        compound = relay.admin("add-place", "--kind", "compound", "--name", "梅园新村", "--parent", area).trim()
        building = relay.admin("add-place", "--kind", "building", "--name", "3号楼", "--parent", compound).trim()
        gate = relay.admin("add-place", "--kind", "gate", "--name", "东门", "--parent", compound).trim()
        relay.admin("add-member", "--id", "lead-wang", "--name", "王建国", "--role", "building_lead:$building")
        relay.admin("add-member", "--id", "lead-li", "--name", "李秀英", "--role", "building_lead:$building")
        relay.admin("add-member", "--id", "gate-zhao", "--name", "赵卫东", "--role", "gate_lead:$gate")
        relay.admin("add-member", "--id", "guard-sun", "--name", "孙志刚", "--role", "safety_officer:$gate")
        north = relay.admin("add-place", "--kind", "gate", "--name", "北门", "--parent", compound).trim()
        relay.admin("add-member", "--id", "gate-feng", "--name", "冯国强", "--role", "gate_lead:$north")
        relay.admin("add-member", "--id", "shift-lu", "--name", "陆志明", "--role", "shift_lead:$north")
        relay.admin("add-member", "--id", "guard-he", "--name", "何建军", "--role", "safety_officer:$north")
        cityUnit = relay.admin("add-place", "--kind", "department", "--name", "城管中队").trim()
        policeUnit = relay.admin("add-place", "--kind", "department", "--name", "梅园派出所").trim()
        relay.admin("add-member", "--id", "cg-liu", "--name", "刘城管", "--role", "department_staff:$cityUnit")
        relay.admin("add-member", "--id", "pcs-ma", "--name", "马警官", "--role", "department_staff:$policeUnit")
        relay.admin("add-member", "--id", "leader-hu", "--name", "胡书记", "--role", "area_lead:$area")
        marketUnit = relay.admin("add-place", "--kind", "department", "--name", "市场监管所").trim()
        relay.admin("add-member", "--id", "sj-zhou", "--name", "周监管", "--role", "department_staff:$marketUnit")
        coUnit = relay.admin("add-place", "--kind", "unit", "--name", "梅园银行共建点").trim()
        relay.admin("add-member", "--id", "vol-wu", "--name", "吴晓梅", "--role", "volunteer")
        relay.admin("add-member", "--id", "pm-zhang", "--name", "张红", "--role", "party_member")
        relay.admin("add-member", "--id", "unit-qian", "--name", "钱学文", "--role", "unit_member:$coUnit")
        relay.start()
    }

    @AfterAll
    fun cleanUp() {
        sessions.forEach { runCatching { it.close() } }
        relay.close()
        tmp.deleteRecursively()
    }

    /** Enrols `member` through the enrolment screen on a phone of its own. */
    private fun enrolled(member: String, phone: String = member, creds: CredentialStore = MemoryCredentials()): Session =
        runBlocking {
            val vm = EnrolmentViewModel(File(tmp, phone).apply { mkdirs() }, "$phone 的手机", creds, MemoryStoreKeys())
            vm.setRelayUrl(relay.url)
            vm.onScanned(" ${relay.code(member).lowercase()} ")
            val session = vm.enrol()
            assertNotNull(session, "enrolled: ${vm.state.value.error}")
            assertNull(vm.state.value.error)
            session!!.also { sessions += it }
        }

    @Test
    fun `enrolment checks its fields, shows the relay's refusal, and resumes after a restart`() = runBlocking {
        val creds = MemoryCredentials()
        val keys = MemoryStoreKeys()
        val dir = File(tmp, "enrol").apply { mkdirs() }
        val vm = EnrolmentViewModel(dir, "备用手机", creds, keys)
        assertNull(vm.enrol())
        assertEquals(UiText(Keys.ENROL_MISSING_RELAY), vm.state.value.error)
        vm.setRelayUrl(relay.url)
        assertNull(vm.enrol())
        assertEquals(UiText(Keys.ENROL_MISSING_CODE), vm.state.value.error)
        vm.setCode("ABCD-EFGH")
        assertNull(vm.enrol())
        assertEquals(UiText(Keys.relayCode("bad_code")), vm.state.value.error)
        assertNull(creds.saved, "nothing kept after a refusal")

        vm.onScanned(relay.code("lead-li"))
        val session = vm.enrol()!!
        assertEquals("lead-li", creds.saved?.memberId)
        assertEquals("李秀英", session.store.member("lead-li").name, "the first sync brought the directory")
        session.close()
        // The next start opens the kept session; the app's start and its background sync ask at
        // once and both get the one session (a second open of the store would be refused).
        val restarted = EnrolmentViewModel(dir, "备用手机", creds, keys)
        val both = listOf(async(Dispatchers.IO) { restarted.resume() }, async(Dispatchers.IO) { restarted.resume() })
            .map { it.await()!! }
        assertSame(both[0], both[1])
        assertEquals(session.credentials, both[0].credentials)
        assertFalse(restarted.state.value.opening)
        both[0].close()
        restarted.forget()
        assertNull(restarted.state.value.session)
        vm.forget()
        assertEquals(relay.url, vm.state.value.relayUrl, "after a sign-out enrolment starts at the same relay")
        assertEquals("", vm.state.value.code)
        // The store is encrypted with the key the install made: another key does not open it,
        // and the start says so on screen instead of failing, with the file unchanged.
        val stranger = MemoryStoreKeys().apply { save(newStoreKey()) }
        assertThrows(IllegalStateException::class.java) { stranger.save(newStoreKey()) }
        assertThrows(LinliException.WrongKey::class.java) { Session(dir, creds.saved!!, stranger) }
        val before = File(session.storePath).readBytes()
        val locked = EnrolmentViewModel(dir, "备用手机", creds, stranger)
        assertNull(locked.resume())
        assertEquals(UiText(Keys.ERROR_WRONG_KEY), locked.state.value.error)
        assertFalse(locked.state.value.opening)
        assertArrayEquals(before, File(session.storePath).readBytes())
        val bytes = File(session.storePath).readBytes()
        assertFalse(String(bytes, Charsets.ISO_8859_1).contains(String("李秀英".toByteArray(), Charsets.ISO_8859_1)))
    }

    @Test
    fun `the home screen offers the work of each role`() = runBlocking {
        val wang = HomeViewModel(enrolled("lead-wang", "home-wang")).apply { refresh() }.state.value
        assertEquals("王建国", wang.memberName)
        assertEquals(listOf(HomeTile.DOOR_TO_DOOR, HomeTile.TICKETS, HomeTile.NEEDS, HomeTile.EVALUATION, HomeTile.SYNC), wang.tiles)
        assertEquals(listOf("3号楼"), wang.buildings.map { it.name })
        assertEquals(listOf(UiText("role_building_lead")), wang.roles)
        val sun = HomeViewModel(enrolled("guard-sun", "home-sun")).apply { refresh() }.state.value
        assertEquals(listOf(HomeTile.GATE_DUTY, HomeTile.TICKETS, HomeTile.EVALUATION, HomeTile.SYNC), sun.tiles)
        assertEquals(listOf(gate), sun.gates.map { it.id })
        val office = HomeViewModel(enrolled("office-admin", "home-office")).apply { refresh() }.state.value
        assertTrue(HomeTile.OFFICE in office.tiles && HomeTile.GATE_DUTY in office.tiles)
        assertTrue(office.tiles.containsAll(listOf(HomeTile.NEEDS, HomeTile.EVALUATION, HomeTile.JOINT_ACTIONS)), office.tiles.toString())
        val wu = HomeViewModel(enrolled("vol-wu", "home-wu")).apply { refresh() }.state.value
        assertEquals(listOf(HomeTile.TICKETS, HomeTile.NEEDS, HomeTile.EVALUATION, HomeTile.SYNC), wu.tiles)
        val liu = HomeViewModel(enrolled("cg-liu", "home-liu")).apply { refresh() }.state.value
        assertEquals(listOf(HomeTile.DEPARTMENT, HomeTile.JOINT_ACTIONS, HomeTile.SYNC), liu.tiles)
    }

    @Test
    fun `today's list on home, overdue first, each item opening the screen that clears it`() = runBlocking {
        val wang = enrolled("lead-wang", "agenda-wang")
        val store = wang.store
        val today = LocalDate.parse(store.today())
        val offset = ZoneOffset.ofTotalSeconds(store.community().utcOffsetMinutes * 60)
        // A watched household, its check due from now; a visit with a follow-up tomorrow; and a
        // visit two days ago whose follow-up fell due yesterday.
        val watched = store.registerHousehold(HouseholdInput(building, "6单元", "601", "",
            listOf(ResidentInput("马秀兰", 1938, "")), listOf(Tag.LIVING_ALONE), WatchPlanInput(WatchFrequency.TIMES_PER_DAY, 1U)))
        val later = store.registerHousehold(HouseholdInput(building, "6单元", "602", "", emptyList(), emptyList(), null))
        val missed = store.registerHousehold(HouseholdInput(building, "6单元", "603", "", emptyList(), emptyList(), null))
        val door = DoorToDoorViewModel(wang)
        assertNotNull(door.logVisit(later, VisitForm(followUpDue = today.plusDays(1).toString(), followUpNote = "明天送药")))
        store.logVisit(missed, VisitInput(Instant.now().minus(Duration.ofDays(2)), VisitOutcome.NOBODY_HOME, "", "", null,
            today.minusDays(1).toString(), "再来敲门"))

        val home = HomeViewModel(wang).apply { refresh() }
        assertTrue(home.state.value.agenda.first().overdue, "overdue first: ${home.state.value.agenda}")
        // (Other tests' work for the same lead may be on the list too.)
        val mine = home.state.value.agenda.filter { it.recordId in setOf(watched, later, missed) }
        assertEquals(listOf(missed, watched, later), mine.map { it.recordId }, mine.toString())
        assertEquals(listOf("agenda_kind_follow_up", "agenda_kind_watch_check", "agenda_kind_follow_up"), mine.map { it.label.key })
        assertEquals(listOf(true, false, false), mine.map { it.overdue })
        assertEquals(listOf(HomeTile.DOOR_TO_DOOR), mine.map { it.opens }.distinct())
        assertEquals(listOf(building), mine.map { it.placeId }.distinct())
        assertEquals("3号楼 6单元 602：明天送药", mine[2].title)
        // Tomorrow's follow-up is due on tomorrow in the community's time.
        assertEquals(today.plusDays(1).atStartOfDay().toInstant(offset), mine[2].due)
        assertEquals(today.plusDays(1).toString(), mine[2].dueDay)
        assertEquals(today.minusDays(1).toString(), mine[0].dueDay)
        assertNull(mine[1].dueDay)
        assertFalse(mine.any { it.canComplete })

        // Their notifications: the overdue one now, tomorrow's at 09:00 there, the check when due.
        val now = Instant.now()
        val planned = home.notifications(now)
        assertEquals(planned.map { it.id }.distinct(), planned.map { it.id })
        val byRecord = planned.filter { p -> mine.any { p.id.startsWith("${it.kind.name.lowercase()}:${it.recordId}:") } }
        assertEquals(listOf(now, now, today.plusDays(1).atTime(9, 0).toInstant(offset)), byRecord.map { it.at })
        assertEquals(UiText(Keys.NOTIFY_OVERDUE, "agenda_kind_follow_up"), byRecord[0].title)
        assertEquals(UiText(Keys.NOTIFY_DUE, "agenda_kind_follow_up"), byRecord[2].title)
        assertEquals(mine.map { it.title }, byRecord.map { it.body })
        assertEquals(planned.map { it.id }, home.notifications(now.plusSeconds(60)).map { it.id }, "the same ids again")

        // Logging the visits clears them from the list.
        door.logVisit(missed, VisitForm())
        door.logVisit(watched, VisitForm())
        home.refresh()
        assertEquals(listOf(later), home.state.value.agenda.map { it.recordId }.filter { it in setOf(watched, later, missed) })
    }

    @Test
    fun `a reminder due soon shows on home and is marked done from there`() = runBlocking {
        val li = enrolled("lead-li", "reminder-li")
        val tomorrow = LocalDate.parse(li.store.today()).plusDays(1).toString()
        val id = relay.admin("add-reminder", "--what", "电梯年检", "--due", tomorrow, "--place", building,
            "--member", "lead-li").trim()
        SyncViewModel(li).syncNow()
        val home = HomeViewModel(li).apply { refresh() }
        assertTrue(HomeTile.REMINDERS in home.state.value.tiles, home.state.value.tiles.toString())
        val row = home.state.value.agenda.single { it.recordId == id }
        assertEquals(UiText("agenda_kind_reminder"), row.label)
        assertEquals("3号楼：电梯年检", row.title)
        assertEquals(HomeTile.REMINDERS, row.opens)
        assertEquals(tomorrow, row.dueDay)
        assertTrue(row.canComplete)
        assertFalse(row.overdue)
        val reminders = RemindersViewModel(li).apply { refresh() }
        val listed = reminders.state.value.items.single { it.id == id }
        assertEquals(UiText(Keys.REMINDER_DUE, tomorrow, "1"), listed.due)
        assertTrue(listed.canComplete)

        home.completeReminder(id)
        assertEquals(Notice(UiText(Keys.DONE_REMINDER_COMPLETED), false), home.notice.value)
        assertTrue(home.state.value.agenda.none { it.recordId == id }, home.state.value.agenda.toString())
        assertTrue(home.notifications().none { it.id.startsWith("reminder:$id:") })
        reminders.refresh()
        assertEquals(UiText(Keys.REMINDER_ALL_DONE), reminders.state.value.items.single { it.id == id }.due)
        assertFalse(reminders.state.value.items.single { it.id == id }.canComplete)
        // Done once is done: a second time is refused, in words.
        home.completeReminder(id)
        assertEquals(true, home.notice.value?.isError)
    }

    @Test
    fun `gate duty, the lead plans a shift, the officer checks in, registers and checks out`() = runBlocking {
        val zhao = enrolled("gate-zhao", "gate-zhao")
        val lead = GateDutyViewModel(zhao, gate).apply { refresh() }
        assertTrue(lead.state.value.canBuildRoster)
        // Times are typed in the community's time (+08:00), whatever the phone's zone: the core
        // reads them. The shift began an hour ago and lasts four.
        val began = Instant.now().minus(Duration.ofHours(1)).atOffset(java.time.ZoneOffset.ofHours(8))
            .truncatedTo(java.time.temporal.ChronoUnit.MINUTES)
        val hm = java.time.format.DateTimeFormatter.ofPattern("HH:mm")
        val shift = lead.addShift("白班", began.format(hm), began.plusHours(4).format(hm), "1", began.toLocalDate().toString())
        assertNotNull(shift, "${lead.notice.value}")
        assertEquals(began.toInstant(), lead.state.value.week.single { it.shiftId == shift }.start)
        assertNull(lead.addShift("夜班", "22点", "06:00", "1"))
        assertEquals(UiText(Keys.errorCode("not_a_time"), Keys.field("start")), lead.notice.value?.text)
        val slot = lead.state.value.week.single { it.shiftId == shift }.slots.single { it.role == DutyRole.SAFETY_OFFICER }
        assertTrue(lead.gateMembers().any { it.id == "guard-sun" })
        lead.assignSlot(shift!!, slot.slotId, "guard-sun")
        SyncViewModel(zhao).syncNow()

        val sun = enrolled("guard-sun", "gate-sun")
        val duty = GateDutyViewModel(sun, gate).apply { refresh() }
        assertFalse(duty.state.value.canBuildRoster)
        val planned = duty.state.value.badge.single { it.role == UiText("duty_role_safety_officer") }
        assertEquals("孙志刚", planned.planned)
        assertNull(planned.onDuty)
        assertFalse(duty.state.value.meOnDuty)

        duty.checkIn()
        assertEquals(Notice(UiText(Keys.DONE_CHECKED_IN), false), duty.notice.value)
        val badge = duty.state.value.badge.single { it.isMe }
        assertEquals("孙志刚", badge.onDuty)
        assertNotNull(badge.since)
        assertTrue(duty.state.value.meOnDuty)

        // A visitor to 3号楼 1单元 302 with a 访客码: the building chosen from the places the
        // phone knows, the unit and room as said. The gate phone holds no household: it names
        // the address only. A room without a building, or a place that is no building, is
        // refused in words.
        assertEquals(listOf("3号楼"), duty.state.value.visitPlaces.map { it.name })
        assertFalse(duty.registerVisitor("周先生", "13800001111", "探亲", PassType.VISITOR_CODE, null, "1单元 302"))
        assertEquals(UiText(Keys.errorCode("incomplete"), Keys.field("building_id")), duty.notice.value?.text)
        assertFalse(duty.registerVisitor("周先生", "13800001111", "探亲", PassType.VISITOR_CODE, gate, "1单元 302"))
        assertEquals(UiText(Keys.errorCode("wrong_place_kind"), Keys.field("building_id")), duty.notice.value?.text)
        val building3 = duty.state.value.visitPlaces.single().id
        assertTrue(duty.registerVisitor("周先生", "13800001111", "探亲", PassType.VISITOR_CODE, building3, " 1单元 302 "))
        val visitor = duty.state.value.entries.first { it.kind == "visitor" }
        assertEquals(listOf<Any?>("3号楼 1单元 302", "周先生：探亲 → 3号楼 1单元 302", UiText("pass_type_visitor_code"), null),
            listOf(visitor.visiting, visitor.summary, visitor.passType, visitor.severity))
        // The entry opens its gate day's history, which names the visitor's registration.
        assertEquals("gatelog:$gate:${sun.store.today()}", visitor.recordId)
        assertEquals(visitor.recordId, duty.state.value.gateDayDoc)
        val day = HistoryViewModel(sun, visitor.recordId).apply { refresh() }
        assertEquals(UiText("history_action_gate_visitor"), day.state.value.rows.first().action)
        assertTrue(duty.registerVehicle("沪A12345", "送货"))
        assertTrue(duty.registerParcel("张桂英", "顺丰"))
        duty.recordTemperature("周先生", 36.6)
        assertEquals(UiText(Keys.DONE_REGISTERED), duty.notice.value?.text)
        duty.recordTemperature("李女士", 38.4)
        assertEquals(UiText(Keys.DONE_FEVER, "李女士", "38.4"), duty.notice.value?.text)
        duty.recordPatrol("巡逻一圈，一切正常")
        // (Passes refused at this gate by another test stand out too, as pass checks.)
        val entries = duty.state.value.entries.filter { !it.kind.startsWith("pass_") }
        assertEquals(1, entries.count { it.flagged }, "only the fever stands out")
        assertTrue(entries.first { it.flagged }.summary.contains("李女士"))
        assertTrue(entries.size >= 7, entries.toString())

        duty.approveSwap("no-such-swap")
        assertEquals(true, duty.notice.value?.isError, "a safety officer cannot approve swaps")
        duty.checkOut()
        assertFalse(duty.state.value.meOnDuty)

        // A swap: asked by the officer, accepted and approved by the gate lead, names shown.
        duty.requestSwap(shift, slot.slotId, "gate-zhao")
        assertEquals(false, duty.notice.value?.isError, "${duty.notice.value}")
        SyncViewModel(sun).syncNow()
        SyncViewModel(zhao).syncNow()
        lead.refresh()
        val swap = lead.state.value.swaps.single()
        assertEquals(listOf("孙志刚", "赵卫东", "true"), listOf(swap.from, swap.to, swap.toMe.toString()))
        lead.acceptSwap(swap.swapId)
        lead.approveSwap(swap.swapId)
        assertEquals(UiText("swap_status_approved"), lead.state.value.swaps.single().status)
        assertEquals("赵卫东", lead.state.value.week.single { it.shiftId == shift }.slots.single { it.slotId == slot.slotId }.memberName)

        // 1单元 302 is a household of 3号楼 that its lead registered. After syncing, the office
        // — which holds every household — reads the officer's entry with the address and pass
        // type, and holds exactly one household at that address. The entry itself names no
        // household: it was the gate phone's (which holds none), and entries are never
        // rewritten; the office resolves the address against its own list. A visitor the
        // office registers there itself is linked to the household by the core.
        val li = enrolled("lead-li", "gate-li")
        assertNotNull(DoorToDoorViewModel(li).apply { refresh() }.registerHousehold(HouseholdForm("1单元", "302", "13812340302")))
        SyncViewModel(li).syncNow()
        val office = enrolled("office-admin", "gate-office")
        val desk = GateDutyViewModel(office, gate).apply { refresh() }
        val seen = desk.state.value.entries.single { it.kind == "visitor" && it.summary.startsWith("周先生") }
        assertEquals(listOf<Any?>("3号楼 1单元 302", UiText("pass_type_visitor_code"), visitor.recordId),
            listOf(seen.visiting, seen.passType, seen.recordId))
        assertEquals(listOf("1单元" to "302"),
            office.store.householdsInBuilding(building3).filter { it.room == "302" }.map { it.unit to it.room })
    }

    @Test
    fun `a gate's whole shift, vehicles in and out, a parcel collected on another phone, an incident, a handover`() = runBlocking {
        val he = enrolled("guard-he", "shift-he")
        val duty = GateDutyViewModel(he, north).apply { refresh() }
        with(duty.state.value) {
            assertEquals(listOf(MemberItem("gate-feng", "冯国强"), MemberItem("shift-lu", "陆志明")), handoverTo)
            assertEquals(listOf("pass_type_temporary", "pass_type_visitor_code", "pass_type_long_term", "pass_type_delivery",
                "pass_type_contractor"), passTypes.map { it.label.key })
            assertEquals(listOf("severity_low", "severity_medium", "severity_high"), severities.map { it.label.key })
            assertNull(gateDayDoc, "no entry yet today at 北门")
        }
        assertNotNull(duty.checkIn())

        // Two vehicles in; one leaves from its row, the other stays listed.
        assertTrue(duty.registerVehicle("沪B10001", "送货"))
        assertTrue(duty.registerVehicle("沪B10002", ""))
        assertEquals(listOf("沪B10001" to "沪B10001：送货", "沪B10002" to "沪B10002"),
            duty.state.value.vehiclesInside.map { it.plate to it.summary })
        assertTrue(duty.vehicleLeft(duty.state.value.vehiclesInside.first().plate))
        assertEquals(Notice(UiText(Keys.DONE_VEHICLE_EXIT), false), duty.notice.value)
        assertEquals(listOf("沪B10002"), duty.state.value.vehiclesInside.map { it.plate })
        assertFalse(duty.vehicleLeft("不是车牌"))
        assertEquals(UiText(Keys.errorCode("not_a_plate"), Keys.field("plate")), duty.notice.value?.text)

        // A parcel waits until the gate lead's phone, after both sync, hands it to its recipient.
        assertTrue(duty.registerParcel("张阿姨", "顺丰"))
        assertEquals(listOf("张阿姨（顺丰）" to "张阿姨"), duty.state.value.parcelsWaiting.map { it.summary to it.recipient })
        SyncViewModel(he).syncNow()
        val feng = enrolled("gate-feng", "shift-feng")
        val lead = GateDutyViewModel(feng, north).apply { refresh() }
        val parcel = lead.state.value.parcelsWaiting.single()
        assertEquals("张阿姨（顺丰）", parcel.summary)
        assertTrue(lead.pickUp(parcel.id))
        assertEquals(Notice(UiText(Keys.DONE_PARCEL_PICKED_UP), false), lead.notice.value)
        assertEquals(emptyList<ParcelItem>(), lead.state.value.parcelsWaiting)
        assertEquals(listOf("张阿姨（顺丰）"), lead.state.value.entries.filter { it.kind == "parcel_pickup" }.map { it.summary })
        SyncViewModel(feng).syncNow()
        SyncViewModel(he).syncNow()
        duty.refresh()
        assertEquals(emptyList<ParcelItem>(), duty.state.value.parcelsWaiting)
        assertFalse(duty.pickUp(parcel.id, "张阿姨"))
        assertEquals(UiText(Keys.errorCode("parcel_collected")), duty.notice.value?.text)

        // A visitor with a 访客码, an incident (较重) and the duty handed over, each in the day's
        // register under its kind.
        assertTrue(duty.registerVisitor("周先生", "13800001111", "探亲", PassType.VISITOR_CODE))
        assertTrue(duty.recordIncident("有人翻越围墙", Severity.MEDIUM))
        assertEquals(Notice(UiText(Keys.DONE_INCIDENT), false), duty.notice.value)
        assertFalse(duty.handOver("guard-he"), "not to oneself")
        assertEquals(UiText(Keys.errorCode("same_member"), Keys.field("to_member")), duty.notice.value?.text)
        assertTrue(duty.handOver("gate-feng"))
        assertEquals(Notice(UiText(Keys.DONE_HANDOVER), false), duty.notice.value)
        val entries = duty.state.value.entries
        assertEquals(listOf("handover", "incident", "visitor", "parcel_pickup", "parcel", "vehicle_exit", "vehicle", "vehicle", "check_in"),
            entries.map { it.kind })
        assertEquals(entries.map { UiText("gate_kind_${it.kind}") }, entries.map { it.label })
        assertEquals(listOf("", "有人翻越围墙", "周先生：探亲"), entries.take(3).map { it.summary })
        assertEquals(listOf(false, true, false), entries.take(3).map { it.flagged })
        assertEquals(listOf("冯国强", null, null), entries.take(3).map { it.member })
        assertEquals(listOf(null, null, UiText("pass_type_visitor_code")), entries.take(3).map { it.passType })
        assertEquals(listOf(null, UiText("severity_medium"), null), entries.take(3).map { it.severity })
        assertEquals(listOf("", "", ""), entries.take(3).map { it.visiting }, "no address named")
        assertEquals("gatelog:$north:${he.store.today()}", duty.state.value.gateDayDoc)
        // Handed over, the officer is off duty and cannot hand over again.
        assertFalse(duty.handOver("shift-lu"))
        assertEquals(UiText(Keys.errorCode("not_checked_in")), duty.notice.value?.text)

        // The gate lead plans a shift with 3 安全员; 0 and 7 are refused in words.
        val shift = lead.addShift("夜班", "22:00", "06:00", " 3 ")
        assertNotNull(shift, "${lead.notice.value}")
        assertEquals(listOf(DutyRole.GATE_LEAD, DutyRole.SHIFT_LEAD, DutyRole.SAFETY_OFFICER, DutyRole.SAFETY_OFFICER,
            DutyRole.SAFETY_OFFICER), lead.state.value.week.single { it.shiftId == shift }.slots.map { it.role })
        for (typed in listOf("0", "7")) {
            assertNull(lead.addShift("夜班", "22:00", "06:00", typed))
            assertEquals(Notice(UiText(Keys.errorCode("out_of_range"), Keys.field("officers")), true), lead.notice.value)
        }
        assertNull(lead.addShift("夜班", "22:00", "06:00", "三"))
        assertEquals(Notice(UiText(Keys.errorCode("malformed"), Keys.field("officers")), true), lead.notice.value)
        assertEquals(shift, lead.state.value.week.single().shiftId, "nothing refused was planned")
        assertEquals(lead.state.value.week.single().rosterDoc, lead.state.value.rosterDoc)
    }

    @Test
    fun `a record's history names who changed what, newest first, under the record's name`() = runBlocking {
        val wang = enrolled("lead-wang", "history-wang")
        val door = DoorToDoorViewModel(wang).apply { refresh() }
        val h = door.registerHousehold(HouseholdForm("7单元", "701", "13812340000"))
        assertNotNull(h, "${door.notice.value}")
        SyncViewModel(wang).syncNow()
        val office = enrolled("office-admin", "history-office")
        assertTrue(HouseholdViewModel(office, h!!).setPhone("13812349999") != null)
        SyncViewModel(office).syncNow()
        SyncViewModel(wang).syncNow()

        val history = HistoryViewModel(wang, h).apply { refresh() }
        with(history.state.value) {
            assertEquals("3号楼 7单元 701", title)
            assertEquals(listOf(
                UiText("history_action_household_phone") to UiText(Keys.LABEL_PLAIN, "陈主任"),
                UiText("history_action_household_register") to UiText(Keys.LABEL_PLAIN, "王建国"),
                UiText("history_action_genesis") to UiText(Keys.HISTORY_MEMBER_SYSTEM),
            ), rows.map { it.action to it.member })
            assertEquals(listOf(office.credentials.deviceId, wang.credentials.deviceId, ""), rows.map { it.device })
            assertEquals(listOf(1, 9, 0), rows.map { it.changed })
            assertTrue(rows[0].at >= rows[1].at, rows.toString())
            assertEquals(wang.store.community().utcOffsetMinutes, utcOffsetMinutes)
        }
        // An action a newer core writes reads by its code.
        assertEquals(UiText(Keys.HISTORY_ACTION_OTHER, "gate.future"), historyAction("gate.future"))
        assertEquals(UiText("history_action_ticket_escalated"), historyAction("ticket.escalated"))
    }

    @Test
    fun `the relay's refusals read as sentences of their codes`() = runBlocking {
        val vm = EnrolmentViewModel(File(tmp, "refused").apply { mkdirs() }, "备用手机", MemoryCredentials(), MemoryStoreKeys())
        vm.setRelayUrl(relay.url)
        vm.setCode("WXYZ-2345")
        assertNull(vm.enrol())
        assertEquals(UiText(Keys.relayCode("bad_code")), vm.state.value.error)
        // A refusal that reaches the phone with its code (400 bad_device_name).
        val unnamed = EnrolmentViewModel(File(tmp, "unnamed").apply { mkdirs() }, " ", MemoryCredentials(), MemoryStoreKeys())
        unnamed.setRelayUrl(relay.url)
        unnamed.setCode("WXYZ-2345")
        assertNull(unnamed.enrol())
        assertEquals(UiText(Keys.relayCode("bad_device_name")), unnamed.state.value.error)
        // A code this phone does not know (a newer relay's) keeps the fallback with status and code.
        assertEquals(UiText(Keys.ERROR_REJECTED, "409", "new_code"),
            LinliException.Rejected(409U.toUShort(), "new_code", "detail").toUiText())
        assertEquals(UiText(Keys.relayCode("photo_quota")), LinliException.Rejected(507U.toUShort(), "photo_quota", "").toUiText())
        // A relay asking for a longer wait than the phone waits on its own: the sentence says how long.
        assertEquals(UiText(Keys.ERROR_BUSY, "42"), LinliException.Busy(42UL, "rate_limited").toUiText())
        assertEquals(UiText(Keys.ERROR_BUSY_CODES, "42"), LinliException.Busy(42UL, "too_many_attempts").toUiText())
    }

    @Test
    fun `door to door, a visit logged and a problem reported from it`() = runBlocking {
        val wang = enrolled("lead-wang", "door-wang")
        val h = wang.store.registerHousehold(HouseholdInput(building, "1单元", "101", "", listOf(ResidentInput("张桂英", 1942, "")),
            listOf(Tag.LIVING_ALONE, Tag.ELDERLY), WatchPlanInput(WatchFrequency.TIMES_PER_DAY, 1U)))
        val door = DoorToDoorViewModel(wang).apply { refresh() }
        assertEquals(building, door.state.value.buildingId)
        val before = door.state.value.households.single { it.id == h }
        assertEquals(setOf(UiText("tag_living_alone"), UiText("tag_elderly")), before.tags.toSet())
        assertNull(before.lastVisit)
        assertTrue(door.state.value.checksDue >= 1, "a watched household never checked is due")

        val visit = door.logVisit(h, VisitForm(needs = "行动不便，需要送菜上门", temperatureC = 37.9,
            healthConcern = true, followUpDue = wang.store.today(), followUpNote = "再量体温"))
        assertNotNull(visit, "${door.notice.value}")
        val after = door.state.value.households.single { it.id == h }
        assertNotNull(after.lastVisit)
        assertEquals(UiText("visit_outcome_met"), after.lastOutcome)
        assertEquals(37.9, door.household(h)!!.visits.single().health!!.temperatureC)

        assertNull(door.logVisit(h, VisitForm(followUpDue = "明天")))
        // A whole sentence from the tables: 「跟进日期」不是有效的日期（如 2026-12-02）。
        assertEquals(UiText(Keys.errorCode("not_a_date"), "field_follow_up_due"), door.notice.value?.text)

        val t = door.reportFromVisit(h, Category.PROPERTY, "楼道灯坏了", listOf("照片".toByteArray()))!!
        val ticket = wang.store.ticket(t)
        assertEquals(PlaceRefKind.HOUSEHOLD, ticket.place.kind)
        assertEquals("3号楼 1单元 101", ticket.place.text)
        assertEquals(Channel.VISIT, ticket.channel)
        assertEquals(1, ticket.photos.size)
    }

    @Test
    fun `tickets reported by a lead, escalated by the office, deadlines counting down`() = runBlocking {
        val wang = enrolled("lead-wang", "tickets-wang")
        val office = enrolled("office-admin", "tickets-office")
        val mine = TicketsViewModel(wang)
        val t = mine.report(TicketInput(Category.ELEVATOR, PlaceRefKind.BUILDING, building, "3号楼",
            "电梯停运两天", emptyList(), Channel.VISIT))!!
        mine.show(TicketList.Mine)
        assertEquals(listOf(t), mine.state.value.items.map { it.id })
        SyncViewModel(wang).syncNow()
        SyncViewModel(office).syncNow()

        val later = Instant.now().plus(Duration.ofHours(25))
        var clock = Instant.now()
        val desk = TicketsViewModel(office, now = { clock })
        desk.show(TicketList.Open)
        assertTrue(desk.state.value.items.any { it.id == t })
        desk.open(t)
        val actions = desk.state.value.detail!!.actions
        assertEquals(TicketActionKind.entries.filter { it != TicketActionKind.EVALUATE }, actions)
        assertTrue(desk.perform(TicketCommand.Accept))
        assertTrue(desk.perform(TicketCommand.Escalate(Level.STREET, "需维保单位到场")))
        val detail = desk.state.value.detail!!
        assertEquals(UiText("level_street"), detail.level)
        assertEquals(UiText("ticket_status_escalated"), detail.status)
        assertEquals(Keys.DEADLINE_LEFT, detail.replyDeadline?.key)
        assertTrue(detail.replyDeadline!!.args[0].toInt() in 23..24, detail.replyDeadline.toString())
        assertEquals(listOf("timeline_reported", "timeline_accepted", "timeline_escalated"), detail.timeline.map { it.action.key })
        assertEquals("王建国", detail.timeline.first().author)
        assertEquals(UiText("level_street"), detail.timeline.last().subject)
        assertFalse(TicketActionKind.ACCEPT in detail.actions)

        desk.show(TicketList.Overdue)
        assertEquals(emptyList<String>(), desk.state.value.items.map { it.id }, "not overdue yet")
        clock = later
        desk.refresh()
        assertEquals(Keys.DEADLINE_OVERDUE, desk.state.value.detail!!.replyDeadline?.key)
        assertTrue(desk.state.value.detail!!.replyDeadline!!.args[0].toInt() <= 1, "about an hour overdue")
        desk.show(TicketList.AtLevel(Level.STREET))
        assertEquals(listOf(t), desk.state.value.items.map { it.id })

        // A second call about the same lift is merged into the first, picked from the list.
        val other = desk.report(TicketInput(Category.SANITATION, PlaceRefKind.FREE_TEXT, "", "小区南门",
            "垃圾未清运", emptyList(), Channel.WALK_IN))!!
        val dup = desk.report(TicketInput(Category.ELEVATOR, PlaceRefKind.BUILDING, building, "3号楼",
            "3号楼电梯坏了", emptyList(), Channel.CHAT_GROUP))!!
        desk.open(dup)
        val targets = desk.state.value.detail!!.mergeTargets.map { it.id }
        assertEquals(t, targets.first(), "the same place first")
        assertTrue(other in targets && dup !in targets, targets.toString())
        assertTrue(desk.perform(TicketCommand.Merge(desk.state.value.detail!!.mergeTargets.first().id)))
        assertEquals(UiText("ticket_status_merged"), desk.state.value.detail!!.status)
        assertEquals(emptyList<TicketItem>(), desk.state.value.detail!!.mergeTargets, "a merged ticket offers no merge")
        desk.open(other)
        val left = desk.state.value.detail!!.mergeTargets.map { it.id }
        assertTrue(t in left && dup !in left && other !in left, "the merged one is gone: $left")

        // A long list shows a page at a time.
        repeat(TICKET_PAGE) { i ->
            office.store.reportTicket(TicketInput(Category.NOISE, PlaceRefKind.FREE_TEXT, "", "广场",
                "夜间噪声 $i", emptyList(), Channel.WALK_IN))
        }
        desk.show(TicketList.Open)
        assertEquals(TICKET_PAGE, desk.state.value.items.size)
        assertTrue(desk.state.value.hasMore)
        desk.showMore()
        val all = desk.state.value.items.map { it.id }
        assertTrue(all.size > TICKET_PAGE && all.size == all.toSet().size, "the next page, no repeats")
        assertTrue(t in all && other in all)
        assertFalse(desk.state.value.hasMore)

        // The lead sees only what a building lead may do, and what is not offered is refused.
        SyncViewModel(office).syncNow()
        SyncViewModel(wang).syncNow()
        mine.open(t)
        assertEquals(listOf(TicketActionKind.REPLY, TicketActionKind.RESOLVE, TicketActionKind.ATTACH_PHOTO),
            mine.state.value.detail!!.actions)
        assertFalse(mine.perform(TicketCommand.Escalate(Level.COUNTY, "x")))
        assertEquals(UiText(Keys.errorCode("role_required")), mine.notice.value?.text)
        assertTrue(mine.perform(TicketCommand.AttachPhoto("现场照片".toByteArray())))
        assertEquals(1, mine.state.value.detail!!.photos.size)
        assertEquals(UiText(Keys.DONE_TICKET_ACTION, "ticket_action_attach_photo"), mine.notice.value?.text)
    }

    @Test
    fun `a ticket dispatched to 城管 is worked on its phone, and one handed back by 派出所 returns to the community`() = runBlocking {
        val li = enrolled("lead-li", "orders-li")
        val office = enrolled("office-admin", "orders-office")
        val liu = enrolled("cg-liu", "orders-liu")
        val ma = enrolled("pcs-ma", "orders-ma")
        suspend fun sync(vararg phones: Session) { for (p in phones) assertNotNull(SyncViewModel(p).syncNow(), p.credentials.memberId) }

        // A building lead reports; the office accepts, escalates, names the leader in charge
        // and dispatches it to 城管, chosen from the directory's departments.
        val t = TicketsViewModel(li).report(TicketInput(Category.CITY_APPEARANCE, PlaceRefKind.FREE_TEXT, "",
            "梅园新村东门外", "占道经营，堵塞消防通道", emptyList(), Channel.VISIT))!!
        sync(li, office)
        val desk = TicketsViewModel(office)
        desk.open(t)
        assertTrue(desk.perform(TicketCommand.Accept))
        assertTrue(desk.perform(TicketCommand.Escalate(Level.STREET, "需城管执法")))
        with(desk.state.value.detail!!) {
            assertTrue(TicketActionKind.DISPATCH in actions && TicketActionKind.NAME_LEADER in actions, actions.toString())
            assertEquals(setOf(PlaceItem(cityUnit, "城管中队"), PlaceItem(policeUnit, "梅园派出所"), PlaceItem(marketUnit, "市场监管所")),
                departments.toSet())
            assertTrue(leaders.any { it.id == "leader-hu" && it.name == "胡书记" }, leaders.toString())
            assertTrue(leaders.none { it.id == "cg-liu" || it.id == "lead-wang" }, leaders.toString())
        }
        assertTrue(desk.perform(TicketCommand.NameLeader("leader-hu")))
        assertTrue(desk.perform(TicketCommand.Dispatch(departmentOf(desk, "城管中队"))))
        assertEquals(UiText(Keys.DONE_TICKET_ACTION, "ticket_action_dispatch"), desk.notice.value?.text)
        with(desk.state.value.detail!!) {
            assertEquals(UiText("ticket_status_assigned"), status)
            assertEquals("城管中队", unit)
            assertEquals("胡书记", leader)
            assertEquals("陈主任", responsible, "首问负责人 is who accepted it")
            assertFalse(TicketActionKind.DISPATCH in actions)
            assertEquals(listOf("城管中队" to UiText("case_status_waiting")), orders.map { it.unitName to it.status })
            val dispatched = timeline.single { it.action.key == "timeline_dispatched" }
            assertEquals(UiText(Keys.LABEL_PLAIN, "城管中队"), dispatched.subject)
            assertEquals(UiText(Keys.LABEL_PLAIN, "胡书记"), timeline.single { it.action.key == "timeline_leader_named" }.subject)
        }
        // A ticket with a department is not dispatched a second time.
        assertFalse(desk.perform(TicketCommand.Dispatch(policeUnit)))
        assertEquals(UiText(Keys.errorCode("already_dispatched")), desk.notice.value?.text)
        val order = desk.state.value.detail!!.orders.single().id
        sync(office, liu, ma)

        // 城管's phone: its department's tile and today's item, the order with what it needs.
        val liuHome = HomeViewModel(liu).apply { refresh() }.state.value
        assertTrue(HomeTile.DEPARTMENT in liuHome.tiles && HomeTile.TICKETS !in liuHome.tiles, liuHome.tiles.toString())
        assertEquals(listOf(PlaceItem(cityUnit, "城管中队")), liuHome.departments)
        val item = liuHome.agenda.single { it.kind == AgendaKind.WORK_ORDER }
        assertEquals(order to HomeTile.DEPARTMENT, item.recordId to item.opens)
        assertEquals(UiText("agenda_kind_work_order"), item.label)
        val city = DepartmentViewModel(liu).apply { refresh() }
        assertEquals(listOf(order), city.state.value.orders.map { it.id })
        with(city.state.value.orders.single()) {
            assertEquals(listOf("占道经营，堵塞消防通道", "梅园新村东门外", "城管中队"), listOf(description, place, unitName))
            assertEquals(UiText("case_status_waiting"), status)
            assertEquals(UiText("category_city_appearance"), category)
            assertEquals(Keys.DEADLINE_LEFT, deadline?.key)
        }
        // 派出所's phone lists nothing: the order is not in its scope.
        val police = DepartmentViewModel(ma).apply { refresh() }
        assertEquals(emptyList<OrderItem>(), police.state.value.orders)
        assertEquals(listOf(PlaceItem(policeUnit, "梅园派出所")), police.state.value.departments)
        assertTrue(ma.store.orders(OrderFilter(null, null, false)).isEmpty())

        city.open(order)
        with(city.state.value.detail!!) {
            assertEquals(listOf("陈主任", "胡书记", "陈主任"), listOf(responsible, leader, dispatchedBy))
            assertEquals(UiText("level_street"), level)
            assertEquals(Keys.DEADLINE_LEFT, replyDeadline?.key)
            assertEquals(listOf(CaseActionKind.ACCEPT, CaseActionKind.ASK_INFO, CaseActionKind.REPLY,
                CaseActionKind.RESOLVE, CaseActionKind.HAND_BACK), actions)
            assertEquals(emptyList<OrderStep>(), steps)
        }
        assertTrue(city.accept())
        assertEquals(UiText(Keys.DONE_ORDER_ACTION, "case_action_accept"), city.notice.value?.text)
        assertFalse(city.accept(), "taken once")
        assertEquals(UiText(Keys.errorCode("order_accepted")), city.notice.value?.text)
        assertFalse(city.askInfo(" "))
        assertEquals(UiText(Keys.errorCode("empty"), Keys.field("question")), city.notice.value?.text)
        assertTrue(city.askInfo("摊位具体在东门哪一侧？"))
        assertEquals("摊位具体在东门哪一侧？", city.state.value.detail!!.question)
        assertEquals(UiText("case_status_info_requested"), city.state.value.detail!!.status)
        sync(liu, office)

        // The office answers the department's question from the ticket.
        desk.open(t)
        assertEquals(UiText("ticket_status_info_requested"), desk.state.value.detail!!.status)
        val asked = desk.state.value.detail!!.questions.single()
        assertEquals(OrderQuestion(order, "城管中队", "摊位具体在东门哪一侧？", true), asked)
        assertTrue(desk.answer(order, "东门北侧消防通道"))
        assertEquals(UiText(Keys.DONE_ORDER_ACTION, "case_action_answer_info"), desk.notice.value?.text)
        assertTrue(desk.state.value.detail!!.questions.isEmpty())
        assertFalse(desk.answer(order, "再说一遍"), "no question waits")
        assertEquals(UiText(Keys.errorCode("no_question_open")), desk.notice.value?.text)
        sync(office, liu)

        // 城管 replies and resolves from its phone.
        city.refresh()
        assertNull(city.state.value.detail!!.question)
        assertEquals(listOf("case_action_accept", "case_action_ask_info", "case_action_answer_info"),
            city.state.value.detail!!.steps.map { it.action.key })
        assertEquals("东门北侧消防通道", city.state.value.detail!!.steps.last().text)
        assertTrue(city.reply("已约谈摊主，明日清理"))
        assertNull(city.state.value.detail!!.replyDeadline, "the reply met it")
        assertTrue(city.resolve("摊位已清理，通道畅通"))
        with(city.state.value) {
            assertEquals(UiText("case_status_resolved"), detail!!.status)
            assertEquals(emptyList<CaseActionKind>(), detail!!.actions)
            assertTrue(orders.none { it.id == order }, "a resolved order leaves the open list")
        }
        assertFalse(city.handBack("晚了"))
        assertEquals(UiText(Keys.errorCode("order_finished")), city.notice.value?.text)
        sync(liu, office)
        desk.refresh()
        with(desk.state.value.detail!!) {
            assertEquals(UiText("ticket_status_resolved"), status)
            assertEquals(listOf(UiText("case_status_resolved")), orders.map { it.status })
            val reply = timeline.single { it.action.key == "case_action_reply" }
            assertEquals(listOf("刘城管", "已约谈摊主，明日清理"), listOf(reply.author, reply.text))
            assertEquals(UiText(Keys.LABEL_PLAIN, "城管中队"), reply.subject)
        }

        // A second ticket, dispatched to 派出所, handed back with a reason.
        val t2 = desk.report(TicketInput(Category.PUBLIC_SECURITY, PlaceRefKind.FREE_TEXT, "", "梅园新村北门",
            "夜间有人在门口摆摊占道", emptyList(), Channel.WALK_IN))!!
        desk.open(t2)
        assertTrue(desk.perform(TicketCommand.Accept))
        assertTrue(desk.perform(TicketCommand.Escalate(Level.STREET, "需派出所处理")))
        assertTrue(desk.perform(TicketCommand.Dispatch(policeUnit)))
        val second = desk.state.value.detail!!.orders.single().id
        sync(office, ma, liu)
        police.refresh()
        assertEquals(listOf(second), police.state.value.orders.map { it.id })
        city.refresh()
        assertTrue(city.state.value.orders.none { it.id == second }, "城管 lists only its own")
        police.open(second)
        assertFalse(police.handBack(" "))
        assertEquals(UiText(Keys.errorCode("empty"), Keys.field("reason")), police.notice.value?.text)
        assertTrue(police.handBack("不属于治安案件，应由城管处理"))
        assertEquals(UiText("case_status_handed_back"), police.state.value.detail!!.status)
        assertTrue(police.state.value.orders.isEmpty())
        sync(ma, office)
        desk.open(t2)
        with(desk.state.value.detail!!) {
            assertEquals(UiText("ticket_status_returned"), status)
            assertEquals(UiText("level_community"), level)
            assertNull(unit)
            assertTrue(TicketActionKind.DISPATCH in actions, "it can be dispatched again")
            assertEquals(listOf(UiText("case_status_handed_back")), orders.map { it.status })
            assertEquals("不属于治安案件，应由城管处理", timeline.single { it.action.key == "case_action_hand_back" }.text)
        }
    }

    /** The id of a department the open ticket can be dispatched to, by name. */
    private fun departmentOf(vm: TicketsViewModel, name: String): String =
        vm.state.value.detail!!.departments.single { it.name == name }.id

    @Test
    fun `sync shows progress and a conflict is resolved by picking who was right`() = runBlocking {
        val wang = enrolled("lead-wang", "conflict-wang")
        val li = enrolled("lead-li", "conflict-li")
        val h = wang.store.registerHousehold(HouseholdInput(building, "2单元", "202", "", emptyList(), emptyList(), null))
        val wangSync = SyncViewModel(wang).apply { refresh() }
        assertTrue(wangSync.state.value.waiting > 0)
        val summary = wangSync.syncNow()!!
        assertTrue(summary.pushed > 0UL)
        assertTrue(SyncPhase.PUSH in wangSync.state.value.phases, wangSync.state.value.phases.toString())
        assertEquals(0L, wangSync.state.value.waiting)
        assertNotNull(wangSync.state.value.lastContact)
        assertFalse(wangSync.state.value.running)
        assertEquals(Keys.DONE_SYNCED, wangSync.notice.value?.text?.key)

        val liSync = SyncViewModel(li)
        liSync.syncNow()
        wang.store.setHouseholdPhone(h, "13911112222")
        li.store.setHouseholdPhone(h, "13933334444")
        wangSync.syncNow()
        liSync.syncNow()
        val conflict = liSync.state.value.conflicts.single()
        assertEquals(h, conflict.docId)
        // Named as people know them: the household's address and the field's label.
        assertEquals("3号楼 2单元 202", conflict.recordName)
        assertEquals(UiText(Keys.field("phone")), conflict.fieldLabel)
        assertEquals(setOf("13911112222" to "王建国", "13933334444" to "李秀英"),
            conflict.choices.map { it.display to it.memberName }.toSet())
        liSync.resolve(conflict, conflict.choices.indexOfFirst { it.memberName == "王建国" })
        assertTrue(liSync.state.value.conflicts.isEmpty())
        assertEquals(Keys.DONE_CONFLICT_RESOLVED, liSync.notice.value?.text?.key)
        liSync.syncNow()
        wangSync.syncNow()
        assertTrue(wangSync.state.value.conflicts.isEmpty())
        assertEquals("13911112222", wang.store.household(h).phone)

        // Neither is right: the lead enters the number the resident gave at the door.
        wang.store.setHouseholdPhone(h, "13900000001")
        li.store.setHouseholdPhone(h, "13900000002")
        wangSync.syncNow()
        liSync.syncNow()
        val again = liSync.state.value.conflicts.single()
        liSync.resolveWithValue(again, "13955556666")
        assertEquals(UiText(Keys.DONE_CONFLICT_RESOLVED), liSync.notice.value?.text)
        assertTrue(liSync.state.value.conflicts.isEmpty())
        liSync.syncNow()
        wangSync.syncNow()
        assertTrue(wangSync.state.value.conflicts.isEmpty())
        assertEquals("13955556666", wang.store.household(h).phone)
    }

    @Test
    fun `a lead registers and edits a household, reads its visits back, and the office sees it after sync`() = runBlocking {
        val wang = enrolled("lead-wang", "household-wang")
        val door = DoorToDoorViewModel(wang).apply { refresh() }
        assertNull(door.registerHousehold(HouseholdForm("6单元", " ")))
        assertEquals(UiText(Keys.errorCode("empty"), Keys.field("room")), door.notice.value?.text)
        val h = door.registerHousehold(HouseholdForm("6单元", "601", "13812345678",
            listOf(ResidentForm("高玉兰", 1938)), setOf(Tag.LIVING_ALONE)))
        assertNotNull(h, "${door.notice.value}")
        assertEquals(UiText(Keys.DONE_HOUSEHOLD_REGISTERED, "6单元 601"), door.notice.value?.text)
        assertTrue(door.state.value.households.any { it.id == h }, "listed in its building")

        val one = HouseholdViewModel(wang, h!!).apply { refresh() }
        assertEquals("3号楼 6单元 601", one.state.value.name)
        assertNotNull(one.addResident(ResidentForm("高建国", 1965, "13900001111")))
        assertEquals(UiText(Keys.DONE_RESIDENT_ADDED, "高建国"), one.notice.value?.text)
        one.setTag(Tag.ELDERLY, true)
        one.setWatchPlan(WatchPlanInput(WatchFrequency.EVERY_DAYS, 2U))
        one.setPhone("021-62345678")
        assertEquals(UiText(Keys.DONE_HOUSEHOLD_SAVED), one.notice.value?.text)
        with(one.state.value) {
            assertEquals(listOf("高玉兰", "高建国"), residents.map { it.name })
            assertEquals(setOf(Tag.LIVING_ALONE, Tag.ELDERLY), tags)
            assertEquals(WatchFrequency.EVERY_DAYS to 2L, watch?.let { it.frequency to it.n })
            assertEquals("021-62345678", phone)
        }
        one.setPhone("12345")
        assertEquals(UiText(Keys.errorCode("not_a_phone"), Keys.field("phone")), one.notice.value?.text)

        // What the residents said comes back, newest first, with who visited; older visits a
        // page at a time.
        repeat(21) { i -> door.logVisit(h, VisitForm(needs = "第${i + 1}次：想要助餐服务", opinions = "楼道灯太暗")) }
        one.refresh()
        assertEquals(20, one.state.value.visits.size)
        assertTrue(one.state.value.olderVisits)
        with(one.state.value.visits.first()) {
            assertEquals(listOf("王建国", "第21次：想要助餐服务", "楼道灯太暗"), listOf(leadName, needs, opinions))
        }
        one.loadOlder()
        assertEquals(21, one.state.value.visits.size)
        assertEquals("第1次：想要助餐服务", one.state.value.visits.last().needs)
        assertFalse(one.state.value.olderVisits)

        SyncViewModel(wang).syncNow()
        val seen = HouseholdViewModel(enrolled("office-admin", "household-office"), h).apply { refresh() }
        assertEquals(listOf("高玉兰", "高建国"), seen.state.value.residents.map { it.name })
        assertEquals("第21次：想要助餐服务", seen.state.value.visits.first().needs)
    }

    @Test
    fun `a resident in home isolation is asked, flagged, served and released`() = runBlocking {
        val wang = enrolled("lead-wang", "isolation-wang")
        val door = DoorToDoorViewModel(wang)
        val h = wang.store.registerHousehold(HouseholdInput(building, "5单元", "501", "",
            listOf(ResidentInput("陆家明", 1980, "")), emptyList(), null))
        val resident = wang.store.household(h).residents.single().id
        assertNotNull(door.startIsolation(h, resident, 14))
        assertEquals(UiText(Keys.DONE_ISOLATION_STARTED), door.notice.value?.text)
        val item = door.state.value.isolations.single()
        assertEquals("陆家明", item.resident)
        // Asked 0 times of the checks due after the start (fewer than 3 when begun late in the day).
        assertEquals(listOf(Keys.ISOLATION_PROGRESS, "0"), listOf(item.progress.key, item.progress.args[0]))
        assertNull(door.recordIsolationCheck(item, IsolationCheckForm(temperatureC = 45.0)))
        assertEquals(UiText(Keys.errorCode("out_of_range"), "field_celsius"), door.notice.value?.text)
        val flagged = door.recordIsolationCheck(item, IsolationCheckForm(temperatureC = 38.2, symptoms = setOf(Symptom.COUGH)))
        assertTrue(flagged!!.flagged)
        assertEquals(UiText(Keys.DONE_ISOLATION_FLAGGED), door.notice.value?.text)
        val after = door.state.value.isolations.single()
        assertEquals("1", after.progress.args[0])
        assertEquals(1L, after.flagged)
        val errand = door.addErrand(h, ErrandKind.MEDICINE, "降压药")!!
        assertEquals(1L, door.state.value.isolations.single().errandsOpen)
        door.deliverErrand(h, errand)
        assertTrue(door.errands(h).single().delivered)
        assertEquals(0L, door.state.value.isolations.single().errandsOpen)
        door.releaseIsolation(after)
        assertEquals(UiText(Keys.DONE_ISOLATION_RELEASED), door.notice.value?.text)
        assertTrue(door.state.value.isolations.isEmpty())
    }

    @Test
    fun `a pass issued by the office is checked at the gate offline, then revoked`() = runBlocking {
        val wang = enrolled("lead-wang", "pass-wang")
        val sun = enrolled("guard-sun", "pass-sun")
        val h = wang.store.registerHousehold(HouseholdInput(building, "4单元", "401", "",
            listOf(ResidentInput("周桂兰", 1948, "")), emptyList(), null))
        val resident = wang.store.household(h).residents.single().id
        SyncViewModel(wang).syncNow()
        val until = java.time.LocalDate.now(java.time.ZoneId.of("Asia/Shanghai")).plusDays(7).toString()
        val printed = relay.admin("issue-pass", "--household", h, "--resident", resident, "--until", until, "--gate", gate)
        val text = printed.lines().first { it.startsWith("LINLI-PASS1.") }
        SyncViewModel(wang).syncNow()
        val shown = DoorToDoorViewModel(wang).passes(h).single()
        assertEquals(text, shown.text, "the lead's phone shows the pass")
        assertEquals(PassKind.RESIDENT, shown.kind)

        // The gate phone syncs once for the community's key, then checks offline.
        SyncViewModel(sun).syncNow()
        val gateVm = GateDutyViewModel(sun, gate).apply { refresh() }
        val ok = gateVm.checkPass(" $text ")!!
        assertEquals(PassResult.VALID, ok.result)
        assertTrue(ok.letThrough)
        assertEquals("周桂兰", ok.holder)
        assertEquals(UiText("pass_kind_resident"), ok.kind)
        assertEquals(ok, gateVm.state.value.lastPass)
        val tampered = text.dropLast(1) + (if (text.last() == 'A') 'B' else 'A')
        assertEquals(PassResult.FORGED, gateVm.checkPass(tampered)!!.result)
        assertFalse(gateVm.state.value.lastPass!!.letThrough)
        assertTrue(gateVm.state.value.entries.any { it.label == UiText("gate_kind_pass_valid") && !it.flagged })
        assertTrue(gateVm.state.value.entries.any { it.label == UiText("gate_kind_pass_forged") && it.flagged })

        relay.admin("revoke-pass", "--id", shown.id)
        Thread.sleep(5)
        assertEquals(PassResult.VALID, gateVm.checkPass(text)!!.result, "the gate has not synced")
        SyncViewModel(sun).syncNow()
        gateVm.refresh()
        assertEquals(1, gateVm.state.value.lateRevocations)
        assertEquals(PassResult.REVOKED, gateVm.checkPass(text)!!.result)
        SyncViewModel(wang).syncNow()
        assertTrue(wang.store.passes(h).single().revoked)
        // The office's phone revokes too; a lead's may not.
        assertEquals(Keys.errorCode("role_required"), runCatching { wang.store.revokePass(shown.id) }
            .exceptionOrNull()?.let { (it as LinliException).toUiText().key })

        // The gate lead issues one from the gate screen, naming the holder by address; the
        // safety officer's screen may not, and says why.
        val zhao = enrolled("gate-zhao", "pass-zhao")
        SyncViewModel(zhao).syncNow()
        val leadVm = GateDutyViewModel(zhao, gate).apply { refresh() }
        assertTrue(leadVm.state.value.canBuildRoster)
        assertEquals(listOf(building), leadVm.state.value.buildings.map { it.id })
        val form = PassRequestForm(building, "4单元", "401", "周桂兰", PassKind.NIGHT, 3)
        assertNull(leadVm.issuePass(form.copy(name = "周桂芬")))
        assertEquals(UiText(Keys.relayCode("not_found")), leadVm.notice.value?.text)
        val signed = leadVm.issuePass(form)!!
        assertEquals(UiText(Keys.DONE_PASS_ISSUED, "周桂兰"), leadVm.notice.value?.text)
        assertEquals(signed, leadVm.state.value.issuedPass)
        assertNull(gateVm.issuePass(form))
        assertEquals(UiText(Keys.relayCode("forbidden")), gateVm.notice.value?.text)
        SyncViewModel(wang).syncNow()
        assertEquals(signed.text, DoorToDoorViewModel(wang).passes(h).single { it.id == signed.id }.text)
    }

    @Test
    fun `a revoked phone is told so and wipes its data`() = runBlocking {
        val creds = MemoryCredentials()
        val session = enrolled("lead-li", "revoked", creds)
        relay.admin("revoke", "--device", session.credentials.deviceId)
        val sync = SyncViewModel(session)
        assertNull(sync.syncNow())
        assertTrue(sync.state.value.revoked)
        assertEquals(Notice(UiText(Keys.ERROR_REVOKED), true), sync.notice.value)
        assertNull(sync.syncNow(), "no more syncing once revoked")
        sessions.remove(session)
        sync.wipe(creds)
        assertFalse(File(session.storePath).exists())
        assertNull(creds.load())
        assertNull(session.keys.load(), "the key is forgotten with the store")
    }

    @Test
    fun `signing out offline says what would be lost, and erases only when asked again`() = runBlocking {
        val creds = MemoryCredentials()
        val online = enrolled("lead-wang", "sign-out", creds)
        sessions.remove(online)
        val path = online.storePath
        online.close()
        // The same phone, its relay out of reach.
        val away = Session(online.dataDir, online.credentials.copy(relayUrl = "http://127.0.0.1:1"), online.keys)
        away.store.registerHousehold(HouseholdInput(building, "3单元", "303", "", emptyList(), emptyList(), null))
        val sync = SyncViewModel(away)
        assertFalse(sync.signOut(creds))
        val lose = sync.state.value.signOutWouldLose
        assertNotNull(lose)
        assertTrue(lose!! >= 1, "the household waits to be sent: $lose")
        assertEquals(Keys.SIGN_OUT_WOULD_LOSE, sync.notice.value?.text?.key)
        assertTrue(sync.state.value.exportOffered, "the unsent work may be handed over instead")
        assertTrue(File(path).exists(), "nothing erased")
        assertTrue(sync.signOut(creds, force = true))
        assertFalse(File(path).exists())
        assertNull(creds.load())
        assertNull(online.keys.load())
    }

    /** Syncs each phone in turn through its sync screen. */
    private suspend fun syncAll(vararg phones: Session) {
        for (p in phones) assertNotNull(SyncViewModel(p).syncNow(), p.credentials.memberId)
    }

    @Test
    fun `a need claimed twice offline has one holder everywhere, is served, confirmed and counted in the month's hours`() = runBlocking {
        val wang = enrolled("lead-wang", "needs-wang")
        val office = enrolled("office-admin", "needs-office")
        val wu = enrolled("vol-wu", "needs-wu")
        val zhang = enrolled("pm-zhang", "needs-zhang")
        val qian = enrolled("unit-qian", "needs-qian")

        // The lead records two needs of a household, one urgent.
        val h = wang.store.registerHousehold(HouseholdInput(building, "7单元", "701", "", listOf(ResidentInput("赵桂兰", 1940, "")),
            listOf(Tag.ELDERLY), null))
        val lead = NeedsViewModel(wang).apply { refresh() }
        assertFalse(lead.state.value.mayClaim)
        assertTrue(lead.state.value.mayRecord)
        assertTrue(lead.recordNeed(h, NeedCategory.SHOPPING, Urgency.NORMAL, "每周代买米面油"))
        assertEquals(UiText(Keys.DONE_NEED_RECORDED), lead.notice.value?.text)
        assertTrue(lead.recordNeed(h, NeedCategory.ESCORT, Urgency.URGENT, "周四陪同去医院复查"))
        assertFalse(lead.recordNeed(h, NeedCategory.OTHER, Urgency.SOON, " "))
        assertEquals(UiText(Keys.errorCode("empty"), Keys.field("description")), lead.notice.value?.text)
        with(lead.state.value.open) {
            assertEquals(listOf("周四陪同去医院复查", "每周代买米面油"), map { it.description }, "urgent first")
            assertEquals(listOf(UiText("urgency_urgent"), UiText("urgency_normal")), map { it.urgency })
            assertEquals(listOf(UiText("need_category_escort"), UiText("need_category_shopping")), map { it.category })
            assertEquals(listOf("3号楼 7单元 701", "3号楼 7单元 701"), map { it.address })
            assertTrue(all { it.status == UiText("need_status_open") && it.holder == null }, toString())
        }
        val escort = lead.state.value.open[0].id
        val shopping = lead.state.value.open[1].id
        syncAll(wang, wu, zhang, qian, office)

        // Two who serve claim the urgent one before either syncs.
        val wuNeeds = NeedsViewModel(wu).apply { refresh() }
        val zhangNeeds = NeedsViewModel(zhang).apply { refresh() }
        assertTrue(wuNeeds.state.value.mayClaim)
        assertFalse(wuNeeds.state.value.mayRecord)
        assertEquals(listOf(escort, shopping), wuNeeds.state.value.open.map { it.id })
        for (vm in listOf(wuNeeds, zhangNeeds)) {
            vm.open(escort)
            assertEquals(listOf(NeedAction.CLAIM), vm.state.value.detail!!.actions)
            assertTrue(vm.claim())
            assertEquals(UiText(Keys.DONE_NEED_CLAIMED), vm.notice.value?.text)
        }
        assertEquals("吴晓梅", wuNeeds.state.value.detail!!.holder)
        assertEquals("张红", zhangNeeds.state.value.detail!!.holder)
        syncAll(wu, zhang, wu, office, wang)
        wuNeeds.refresh()
        zhangNeeds.refresh()
        val holder = wuNeeds.state.value.detail!!.holder
        assertTrue(holder == "吴晓梅" || holder == "张红", holder)
        assertEquals(holder, zhangNeeds.state.value.detail!!.holder, "both phones show the same holder")
        assertEquals(UiText("need_status_claimed"), zhangNeeds.state.value.detail!!.status)
        val (server, other) = if (holder == "吴晓梅") wuNeeds to zhangNeeds else zhangNeeds to wuNeeds
        val serverPhone = if (holder == "吴晓梅") wu else zhang
        assertEquals(listOf(NeedAction.RECORD_SERVICE), server.state.value.detail!!.actions)
        assertEquals(emptyList<NeedAction>(), other.state.value.detail!!.actions)
        assertEquals(listOf(escort), server.state.value.mine.map { it.id })
        assertEquals(emptyList<NeedItem>(), other.state.value.mine)
        assertEquals(listOf(shopping), other.state.value.open.map { it.id })
        // The office sees the two claims as one conflict, the need named as people know it.
        val conflicts = SyncViewModel(office).apply { refresh() }.state.value.conflicts.filter { it.docId == escort }
        assertEquals(listOf("需求：3号楼 7单元 701 陪医"), conflicts.map { it.recordName })
        assertEquals(setOf("吴晓梅", "张红"), conflicts.single().choices.map { it.memberName }.toSet())

        // The holder records the time spent, typed; only the holder may.
        assertFalse(server.recordService("0", ""))
        assertEquals(UiText(Keys.errorCode("out_of_range"), Keys.field("minutes")), server.notice.value?.text)
        assertFalse(server.recordService("一个半小时", ""))
        assertEquals(UiText(Keys.errorCode("malformed"), Keys.field("minutes")), server.notice.value?.text)
        assertFalse(other.recordService("60", "陪同"))
        assertEquals(UiText(Keys.errorCode("not_for_you")), other.notice.value?.text)
        assertTrue(server.recordService(" 90 ", "陪同复查，取药"))
        assertEquals(UiText(Keys.DONE_SERVICE_RECORDED, "90"), server.notice.value?.text)
        with(server.state.value.detail!!) {
            assertEquals(UiText("need_status_served"), status)
            assertEquals(listOf(Triple(holder, UiText(Keys.DURATION, "1", "30"), "陪同复查，取药")), services.map { Triple(it.by, it.time, it.note) })
        }
        syncAll(serverPhone, wang)

        // The lead confirms it.
        lead.refresh()
        assertEquals(listOf(escort), lead.state.value.toConfirm.map { it.id })
        assertEquals(UiText(Keys.DURATION, "1", "30"), lead.state.value.toConfirm.single().served)
        lead.open(escort)
        assertEquals(listOf(NeedAction.CONFIRM), lead.state.value.detail!!.actions)
        assertTrue(lead.confirm())
        assertEquals(UiText(Keys.DONE_NEED_CONFIRMED), lead.notice.value?.text)
        with(lead.state.value) {
            assertEquals(UiText("need_status_confirmed"), detail!!.status)
            assertEquals("王建国", detail!!.confirmedBy)
            assertEquals(emptyList<NeedAction>(), detail!!.actions)
            assertEquals(emptyList<NeedItem>(), toConfirm)
            val row = hours.single()
            assertEquals(listOf<Any?>(false, holder, 1, 90, 90), listOf(row.isUnit, row.name, row.services, row.minutes, row.confirmedMinutes))
            assertEquals(UiText(Keys.DURATION, "1", "30"), row.time)
            assertEquals(UiText(Keys.DURATION, "1", "30"), row.confirmedTime)
        }
        assertFalse(lead.confirm(), "confirmed once")
        assertEquals(UiText(Keys.errorCode("need_confirmed")), lead.notice.value?.text)

        // A co-building unit's member claims and serves the other need, for the unit.
        syncAll(wang, qian)
        val unit = NeedsViewModel(qian).apply { refresh() }
        assertTrue(unit.state.value.mayClaim)
        assertEquals(listOf(shopping), unit.state.value.open.map { it.id })
        unit.open(shopping)
        assertTrue(unit.claim())
        assertEquals("钱学文" to "梅园银行共建点", unit.state.value.detail!!.holder to unit.state.value.detail!!.holderUnit)
        assertTrue(unit.recordService("45", "送米面油上门"))
        assertEquals(listOf(shopping), unit.state.value.mine.map { it.id })
        assertEquals(listOf("梅园银行共建点" to 45), unit.state.value.hours.filter { it.isUnit }.map { it.name to it.minutes })
        syncAll(qian, office)
        val desk = NeedsViewModel(office).apply { refresh() }
        assertEquals(
            listOf(Triple(holder, 90, 90), Triple("钱学文", 45, 0), Triple("梅园银行共建点", 45, 0)),
            desk.state.value.hours.map { Triple(it.name, it.minutes, it.confirmedMinutes) },
        )
        assertEquals(listOf(false, false, true), desk.state.value.hours.map { it.isUnit })
        assertEquals(UiText(Keys.DURATION, "0", "45"), desk.state.value.hours.last().time)
        assertEquals(listOf(shopping), desk.state.value.toConfirm.map { it.id }, "the office may confirm any")
    }

    @Test
    fun `the month's evaluation is opened by the office, a vote cast again from a second phone counts once, and it closes`() = runBlocking {
        val office = enrolled("office-admin", "eval-office")
        val wang = enrolled("lead-wang", "eval-wang")
        val sun = enrolled("guard-sun", "eval-sun")
        val spare = enrolled("guard-sun", "eval-sun-spare")
        val liu = enrolled("cg-liu", "eval-liu")

        val desk = EvaluationViewModel(office).apply { refresh() }
        with(desk.state.value) {
            assertEquals(office.store.today().take(7), month)
            assertEquals(listOf(null, false, true, false), listOf(roundId, open, mayOpen, mayCast))
        }
        val early = EvaluationViewModel(wang).apply { refresh() }
        assertFalse(early.state.value.mayOpen)
        assertFalse(early.vote("lead-li"), "no round yet")
        assertEquals(UiText(Keys.errorCode("round_closed")), early.notice.value?.text)
        assertTrue(desk.openRound())
        assertEquals(UiText(Keys.DONE_ROUND_OPENED), desk.notice.value?.text)
        with(desk.state.value) {
            assertEquals(listOf<Any?>("round:$month", true, false, true), listOf(roundId, open, mayOpen, mayClose))
        }
        syncAll(office, wang, sun, spare, liu)
        assertFalse(EvaluationViewModel(liu).apply { refresh() }.state.value.mayCast, "a department's staff do not rate")

        val wangVm = EvaluationViewModel(wang).apply { refresh() }
        with(wangVm.state.value) {
            assertEquals(listOf(true, true, false), listOf(open, mayCast, mayClose))
            assertEquals(listOf(Triple(SubjectKind.AREA_LEAD, "leader-hu", "胡书记"), Triple(SubjectKind.UNIT, coUnit, "梅园银行共建点")),
                subjects.map { Triple(it.kind, it.id, it.name) })
            assertEquals(listOf(UiText("subject_kind_area_lead"), UiText("subject_kind_unit")), subjects.map { it.label })
            assertEquals(setOf("lead-wang" to "王建国", "lead-li" to "李秀英"), candidates.map { it.id to it.name }.toSet())
            assertNull(myVote)
        }
        assertTrue(wangVm.rate(SubjectKind.AREA_LEAD, "leader-hu", 5, "走访及时"))
        assertEquals(UiText(Keys.DONE_RATED), wangVm.notice.value?.text)
        assertFalse(wangVm.rate(SubjectKind.UNIT, coUnit, 6, ""))
        assertEquals(UiText(Keys.errorCode("out_of_range"), Keys.field("score")), wangVm.notice.value?.text)
        assertFalse(wangVm.rate(SubjectKind.AREA_LEAD, "leader-hu", 3, "再评一次"))
        assertEquals(UiText(Keys.errorCode("already_rated")), wangVm.notice.value?.text)
        assertTrue(wangVm.vote("lead-li"))
        assertEquals(UiText(Keys.DONE_VOTED), wangVm.notice.value?.text)
        assertFalse(wangVm.vote("lead-wang"))
        assertEquals(UiText(Keys.errorCode("already_voted")), wangVm.notice.value?.text)
        with(wangVm.state.value) {
            assertEquals("李秀英", myVote)
            assertEquals(listOf("lead-li"), candidates.filter { it.mine }.map { it.id })
            assertEquals(listOf(5, null), subjects.map { it.myScore })
        }

        // 孙志刚 votes on his phone and syncs; his spare phone, not synced since, votes again later.
        val sunVm = EvaluationViewModel(sun).apply { refresh() }
        assertTrue(sunVm.rate(SubjectKind.AREA_LEAD, "leader-hu", 4, ""))
        assertTrue(sunVm.vote("lead-wang"))
        syncAll(sun)
        val spareVm = EvaluationViewModel(spare).apply { refresh() }
        assertNull(spareVm.state.value.myVote)
        assertTrue(spareVm.vote("lead-li"))
        assertEquals("李秀英", spareVm.state.value.myVote)
        syncAll(wang, spare, office, sun, wang, spare)

        val counted = EvaluationResultState(
            subjects = listOf(SubjectScore(UiText("subject_kind_area_lead"), "胡书记", 2, "4.50")),
            candidates = listOf(CandidateVotes("李秀英", 1), CandidateVotes("王建国", 1)),
            winner = "李秀英",
            doubleVoters = 1,
            doubleVotersText = UiText(Keys.EVALUATION_DOUBLE_VOTERS, "1"),
        )
        for (vm in listOf(desk, wangVm, sunVm, spareVm)) {
            vm.refresh()
            assertEquals(counted, vm.state.value.result)
        }
        assertEquals(listOf("王建国", "王建国"), listOf(sunVm, spareVm).map { it.state.value.myVote }, "the first vote counts")

        assertTrue(desk.closeRound())
        assertEquals(UiText(Keys.DONE_ROUND_CLOSED), desk.notice.value?.text)
        with(desk.state.value) {
            assertEquals(listOf(true, false, false), listOf(closed, open, mayClose))
            assertEquals(counted, result)
        }
        syncAll(office, wang)
        wangVm.refresh()
        assertEquals(listOf(true, false), listOf(wangVm.state.value.closed, wangVm.state.value.mayCast))
        assertFalse(wangVm.vote("lead-wang"))
        assertEquals(UiText(Keys.errorCode("round_closed")), wangVm.notice.value?.text)
    }

    @Test
    fun `a joint action planned across 公安, 城管 and 市场监管 shows who is late, and each department marks only its own step`() = runBlocking {
        val office = enrolled("office-admin", "joint-office")
        val liu = enrolled("cg-liu", "joint-liu")
        val ma = enrolled("pcs-ma", "joint-ma")
        val t = TicketsViewModel(office).report(TicketInput(Category.CITY_APPEARANCE, PlaceRefKind.FREE_TEXT, "",
            "梅园新村南门外", "夜市占道经营，油烟扰民", emptyList(), Channel.WALK_IN))!!
        val desk = JointActionsViewModel(office).apply { refresh() }
        with(desk.state.value) {
            assertTrue(mayPlan)
            assertEquals(setOf(PlaceItem(cityUnit, "城管中队"), PlaceItem(policeUnit, "梅园派出所"), PlaceItem(marketUnit, "市场监管所")),
                departments.toSet())
            assertEquals(emptyList<JointItem>(), actions)
        }
        // Each step's day and time typed in the community's time: 派出所 an hour ago, then 城管, then 市场监管.
        val zone = ZoneOffset.ofTotalSeconds(office.store.community().utcOffsetMinutes * 60)
        fun typed(from: Duration, unit: String, what: String): PlanStepForm {
            val at = Instant.now().plus(from).atOffset(zone)
            return PlanStepForm(unit, at.toLocalDate().toString(), "%02d:%02d".format(at.hour, at.minute), what)
        }
        val steps = listOf(
            typed(Duration.ofHours(-1), policeUnit, "维持现场秩序"),
            typed(Duration.ofHours(1), cityUnit, "清理占道摊点"),
            typed(Duration.ofHours(2), marketUnit, "核查食品经营许可"),
        )
        assertFalse(desk.plan(listOf(t), "南门夜市联合整治", steps.mapIndexed { i, s -> if (i == 1) s.copy(date = "明天") else s }))
        assertEquals(UiText(Keys.errorCode("not_a_date"), Keys.field("date")), desk.notice.value?.text)
        assertFalse(desk.plan(listOf(t), "南门夜市联合整治", steps.mapIndexed { i, s -> if (i == 2) s.copy(time = "25:00") else s }))
        assertEquals(UiText(Keys.errorCode("not_a_time"), Keys.field("start")), desk.notice.value?.text)
        assertEquals(emptyList<JointItem>(), desk.state.value.actions, "nothing planned")
        assertTrue(desk.plan(listOf(t), "南门夜市联合整治", steps))
        assertEquals(UiText(Keys.DONE_JOINT_PLANNED), desk.notice.value?.text)
        val planned = desk.state.value.actions.single()
        assertEquals("南门夜市联合整治" to UiText(Keys.JOINT_PROGRESS, "3", "0", "1"), planned.title to planned.progress)
        desk.open(planned.id)
        with(desk.state.value.detail!!) {
            assertEquals(listOf("夜市占道经营，油烟扰民"), tickets)
            assertEquals("陈主任", plannedBy)
            assertEquals(listOf("梅园派出所", "城管中队", "市场监管所"), this.steps.map { it.department })
            assertEquals(steps.map { "${it.date}T${it.time}" }, this.steps.map { it.start.atOffset(zone).toLocalDateTime().toString() })
            assertEquals(listOf(true, false, false), this.steps.map { it.late })
            assertEquals(listOf(true, true, true), this.steps.map { it.mayMark }, "the office may mark any")
        }
        syncAll(office)
        // One sync brings it: the relay decides who reads a joint action on the plan itself.
        syncAll(liu, ma)
        assertEquals(1, liu.store.jointActions().size)
        assertEquals(1, ma.store.jointActions().size)

        // 城管's phone reaches it from home, sees who is late, and marks its own step only.
        assertTrue(HomeTile.JOINT_ACTIONS in HomeViewModel(liu).apply { refresh() }.state.value.tiles)
        val city = JointActionsViewModel(liu).apply { refresh() }
        assertFalse(city.state.value.mayPlan)
        assertEquals(listOf(planned.id to UiText(Keys.JOINT_PROGRESS, "3", "0", "1")), city.state.value.actions.map { it.id to it.progress })
        city.open(planned.id)
        val (police, own) = city.state.value.detail!!.steps
        assertEquals(listOf(false, true, false), city.state.value.detail!!.steps.map { it.mayMark })
        assertFalse(city.markDone(police.id, "代为完成"))
        assertEquals(UiText(Keys.errorCode("not_for_you")), city.notice.value?.text)
        assertTrue(city.markDone(own.id, "摊点已清理"))
        assertEquals(UiText(Keys.DONE_STEP_DONE), city.notice.value?.text)
        with(city.state.value.detail!!.steps[1]) {
            assertEquals("刘城管", doneBy)
            assertNotNull(doneAt)
            assertEquals(listOf(false, false), listOf(late, mayMark))
        }
        assertEquals(UiText(Keys.JOINT_PROGRESS, "3", "1", "1"), city.state.value.actions.single().progress)
        assertEquals(listOf(planned.id), JointActionsViewModel(ma).apply { refresh() }.state.value.actions.map { it.id })
        syncAll(liu, office)

        desk.refresh()
        with(desk.state.value.detail!!) {
            assertEquals(listOf(null, "刘城管", null), this.steps.map { it.doneBy })
            assertEquals(listOf(true, false, false), this.steps.map { it.late })
        }
        assertEquals(UiText(Keys.JOINT_PROGRESS, "3", "1", "1"), desk.state.value.actions.single().progress)
    }

    @Test
    fun `a volunteer reports from the tickets screen by 12345 with a photo, pending on the office's phone until it is uploaded`() = runBlocking {
        val wu = enrolled("vol-wu", "report-wu")
        val office = enrolled("office-admin", "report-office")
        val vm = TicketsViewModel(wu).apply { refresh() }
        with(vm.state.value) {
            assertEquals(emptyList<ReportPlace>(), places, "a volunteer works at no building or gate")
            assertEquals(Channel.entries.toList(), channels.map { it.value })
            assertEquals(listOf("channel_visit", "channel_gate", "channel_photo_report", "channel_hotline_12345",
                "channel_chat_group", "channel_walk_in"), channels.map { it.label.key })
            assertEquals(Category.entries.map { UiText(Keys.of(it)) }, categories.map { it.label })
            assertNull(report)
        }
        val bytes = "东门外垃圾桶满溢的照片".toByteArray()
        assertFalse(vm.addPhoto(bytes), "no form open")
        vm.startReport()
        vm.editReport { it.copy(category = Category.SANITATION, placeText = "东门外人行道", description = "垃圾桶满溢，三天无人清运",
            channel = Channel.HOTLINE12345) }
        // The camera refused: said, and the form keeps what was typed.
        vm.cameraRefused()
        assertEquals(Notice(UiText(Keys.TICKET_PHOTO_CAMERA_REFUSED), true), vm.notice.value)
        assertEquals("垃圾桶满溢，三天无人清运", vm.state.value.report?.description)
        assertTrue(vm.addPhoto(bytes))
        assertTrue(vm.addPhoto("拍糊了".toByteArray()))
        val (kept, blurred) = vm.state.value.report!!.photos
        assertEquals(sha256(bytes), kept.sha256)
        assertArrayEquals(bytes, kept.bytes)
        vm.removePhoto(blurred.sha256)
        assertEquals(listOf(kept.sha256), vm.state.value.report!!.photos.map { it.sha256 })
        val t = vm.submitReport()
        assertNotNull(t, "${vm.notice.value}")
        assertEquals(Notice(UiText(Keys.DONE_TICKET_REPORTED), false), vm.notice.value)
        assertNull(vm.state.value.report, "the form closes")
        with(wu.store.ticket(t!!)) {
            assertEquals(listOf<Any>(PlaceRefKind.FREE_TEXT, "", "东门外人行道", Channel.HOTLINE12345, listOf(kept.sha256)),
                listOf(place.kind, place.reference, place.text, channel, photos))
        }

        // The volunteer's sync sends the ticket and stops before the photo goes up.
        val token = CancelToken()
        val stopAfterPush = object : SyncListener {
            override fun onProgress(progress: SyncProgress) {
                if (progress.phase == SyncPhase.PUSH) token.cancel()
            }
        }
        val stopped = runCatching { wu.client.sync(wu.store, stopAfterPush, token) }.exceptionOrNull()
        token.close()
        assertTrue(stopped is LinliException.Cancelled, "$stopped")
        syncAll(office)
        val desk = TicketsViewModel(office)
        desk.open(t)
        with(desk.state.value.detail!!) {
            assertEquals(listOf("垃圾桶满溢，三天无人清运", "东门外人行道"), listOf(description, place))
            assertEquals(UiText("channel_hotline_12345"), channel)
            assertEquals(UiText("category_sanitation"), category)
            assertEquals(listOf(TicketPhoto(kept.sha256, null)), photos)
            assertEquals(listOf(UiText(Keys.TICKET_PHOTO_PENDING)), photos.map { it.pending })
            assertNull(responsible)
        }
        assertTrue(desk.perform(TicketCommand.Accept))
        assertEquals("陈主任", desk.state.value.detail!!.responsible)

        // The volunteer's next sync uploads it; the office's brings its bytes.
        syncAll(wu, office)
        desk.refresh()
        val photo = desk.state.value.detail!!.photos.single()
        assertEquals(kept.sha256, photo.sha256)
        assertArrayEquals(bytes, photo.bytes)
        assertNull(photo.pending)
    }

    @Test
    fun `a change the relay refused shows on the sync screen under its record's name, with the relay's sentence`() = runBlocking {
        // 郑海, 安全员 at 西门, has the office's monthly fire check there; offline he marks it
        // done while the office moves him to 南门: the relay refuses his mark.
        val west = relay.admin("add-place", "--kind", "gate", "--name", "西门", "--parent", compound).trim()
        val south = relay.admin("add-place", "--kind", "gate", "--name", "南门", "--parent", compound).trim()
        relay.admin("add-member", "--id", "guard-zheng", "--name", "郑海", "--role", "safety_officer:$west")
        val zheng = enrolled("guard-zheng", "aside-zheng")
        val due = LocalDate.parse(zheng.store.today()).plusDays(2).toString()
        val check = relay.admin("add-reminder", "--what", "消防器材检查", "--due", due, "--place", west,
            "--role", "safety_officer", "--repeat", "monthly").trim()
        val sync = SyncViewModel(zheng)
        assertNotNull(sync.syncNow())
        assertEquals(emptyList<SetAsideItem>(), sync.state.value.setAside)
        val reminders = RemindersViewModel(zheng).apply { refresh() }
        assertFalse(reminders.state.value.mayAdd, "only the office adds reminders")
        assertEquals(listOf("西门"), reminders.state.value.items.filter { it.id == check }.map { it.place })
        assertNotNull(reminders.complete(check))
        relay.admin("grant-role", "--member", "guard-zheng", "--role", "safety_officer:$south")

        assertNotNull(sync.syncNow(), "the phone goes on syncing")
        val aside = sync.state.value.setAside.single()
        assertEquals("社区名录", aside.recordName)
        assertEquals(UiText("history_action_reminder_complete"), aside.action)
        assertEquals("郑海", aside.member)
        assertEquals(UiText(Keys.relayCode("role_forbidden")), aside.why)
        assertTrue(Duration.between(aside.at, Instant.now()).abs() < Duration.ofMinutes(5), "${aside.at}")
        assertEquals(zheng.store.community().utcOffsetMinutes, sync.state.value.utcOffsetMinutes)
        assertFalse(sync.state.value.exportOffered, "a refused change is no reason to hand work over")
        // A code this phone has no sentence for (a newer relay's) is said with the code.
        assertEquals(UiText(Keys.SYNC_SET_ASIDE_OTHER, "new_code"), setAsideReason("new_code"))
    }

    @Test
    fun `the office adds a monthly reminder on the phone, a day that is not one refused before the core`() = runBlocking {
        val office = enrolled("office-admin", "remind-office")
        assertTrue(HomeTile.REMINDERS in HomeViewModel(office).apply { refresh() }.state.value.tiles, "the office adds them there")
        val vm = RemindersViewModel(office).apply { refresh() }
        with(vm.state.value) {
            assertTrue(mayAdd)
            assertTrue(PlaceItem(north, "北门") in places && PlaceItem(building, "3号楼") in places, places.toString())
            assertTrue(places.none { it.id == cityUnit || it.id == coUnit }, "no department or unit: $places")
            assertTrue(MemberItem("gate-feng", "冯国强") in members, members.toString())
            assertEquals(listOf("role_area_lead", "role_building_lead", "role_lane_lead", "role_gate_lead", "role_shift_lead",
                "role_safety_officer"), ownerRoles.map { it.label.key })
            assertEquals(listOf(Repeat.ONCE to "repeat_once", Repeat.MONTHLY to "repeat_monthly", Repeat.YEARLY to "repeat_yearly"),
                repeats.map { it.value to it.label.key })
        }
        val first = LocalDate.parse(office.store.today()).plusDays(3).toString()
        val form = ReminderForm("北门监控设备月检", north, ReminderOwner.ForRole(Role.GATE_LEAD), first, " 7 ", Repeat.MONTHLY)
        assertNull(vm.add(form.copy(firstDue = "下月初")))
        assertEquals(Notice(UiText(Keys.errorCode("not_a_date"), Keys.field("first_due")), true), vm.notice.value)
        assertNull(vm.add(form.copy(leadDays = "一周")))
        assertEquals(Notice(UiText(Keys.errorCode("malformed"), Keys.field("lead_days")), true), vm.notice.value)
        assertTrue(vm.state.value.items.none { it.what == "北门监控设备月检" }, "nothing added")

        val id = vm.add(form)
        assertNotNull(id, "${vm.notice.value}")
        assertEquals(Notice(UiText(Keys.DONE_REMINDER_ADDED), false), vm.notice.value)
        val listed = vm.state.value.items.single { it.id == id }
        assertEquals(listOf("北门监控设备月检", "北门"), listOf(listed.what, listed.place))
        assertEquals(UiText(Keys.REMINDER_DUE, first, "3"), listed.due)
        assertEquals(UiText("repeat_monthly"), listed.repeat)
        assertEquals(listOf(false, true), listOf(listed.overdue, listed.canComplete))

        // The gate's lead has it after both sync.
        val feng = enrolled("gate-feng", "remind-feng")
        syncAll(office, feng)
        val lead = RemindersViewModel(feng).apply { refresh() }
        assertEquals(listOf(UiText(Keys.REMINDER_DUE, first, "3")), lead.state.value.items.filter { it.id == id }.map { it.due })
        assertFalse(lead.state.value.mayAdd)
    }

    @Test
    fun `a lead marks a resident moved out and another back from elsewhere, and the office's household screen shows it`() = runBlocking {
        val wang = enrolled("lead-wang", "moves-wang")
        val office = enrolled("office-admin", "moves-office")
        val h = wang.store.registerHousehold(HouseholdInput(building, "9单元", "901", "",
            listOf(ResidentInput("钱桂芳", 1950, ""), ResidentInput("钱小军", 1985, "")), emptyList(), null))
        val today = wang.store.today()
        val vm = HouseholdViewModel(wang, h).apply { refresh() }
        val (mother, son) = vm.state.value.residents
        assertEquals(listOf(emptyList<UiText>(), emptyList()), vm.state.value.residents.map { it.moves })

        assertTrue(vm.setMoves(son.id, movedOut = today))
        assertEquals(Notice(UiText(Keys.DONE_HOUSEHOLD_SAVED), false), vm.notice.value)
        assertTrue(vm.setMoves(mother.id, movedIn = "2025-06-01", arrivedFrom = " 武汉 "))
        assertFalse(vm.setMoves(son.id, movedIn = "上个月"))
        assertEquals(true, vm.notice.value?.isError)
        assertEquals(Keys.errorCode("not_a_date"), vm.notice.value?.text?.key, "${vm.notice.value}")
        val moved = listOf(
            listOf(UiText(Keys.RESIDENT_MOVED_IN, "2025-06-01"), UiText(Keys.RESIDENT_ARRIVED_FROM, "武汉", "2025-06-01")),
            listOf(UiText(Keys.RESIDENT_MOVED_OUT, today)),
        )
        with(vm.state.value.residents) {
            assertEquals(moved, map { it.moves })
            assertEquals(listOf(false, true), map { it.gone })
        }

        syncAll(wang, office)
        val seen = HouseholdViewModel(office, h).apply { refresh() }
        assertEquals(listOf("钱桂芳", "钱小军"), seen.state.value.residents.map { it.name })
        assertEquals(moved, seen.state.value.residents.map { it.moves })
        assertEquals(vm.state.value.residents, seen.state.value.residents)
    }

    @Test
    fun `a phone whose device the office revoked offers its unsent work as a file naming the device`() = runBlocking {
        val li = enrolled("lead-li", "export-li")
        val h = li.store.registerHousehold(HouseholdInput(building, "9单元", "902", "", emptyList(), emptyList(), null))
        syncAll(li)
        assertNotNull(DoorToDoorViewModel(li).logVisit(h, VisitForm(needs = "想报名社区老年食堂")))
        relay.admin("revoke", "--device", li.credentials.deviceId)
        val sync = SyncViewModel(li).apply { refresh() }
        assertFalse(sync.state.value.exportOffered)
        assertEquals(1L, sync.state.value.waiting)
        assertNull(sync.syncNow())
        assertTrue(sync.state.value.revoked)
        assertTrue(sync.state.value.exportOffered)
        val file = sync.exportUnsent()
        assertNotNull(file, "${sync.notice.value}")
        assertEquals("linli-unsent-${li.credentials.deviceId}.json", file!!.fileName)
        assertTrue(file.json.contains("\"device_id\": \"${li.credentials.deviceId}\""), file.json.take(400))
        assertTrue(file.json.contains("\"member_id\": \"lead-li\""), file.json.take(400))
        assertTrue(file.json.contains("\"action\": \"visit.log\""), "the unsent visit is in it")
        assertTrue(file.json.contains("想报名社区老年食堂"), "with its record's content")
        assertTrue(Regex("\"seal\": \"[0-9a-f]{64}\"").containsMatchIn(file.json), "sealed with the device's token")
        assertEquals(Notice(UiText(Keys.ERROR_REVOKED), true), sync.notice.value, "the notice stays")
    }

    private fun sha256(bytes: ByteArray): String =
        java.security.MessageDigest.getInstance("SHA-256").digest(bytes).joinToString("") { "%02x".format(it) }
}
