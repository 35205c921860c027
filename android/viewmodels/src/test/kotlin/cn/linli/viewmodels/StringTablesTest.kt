// The string tables: zh-Hans (the default) and English hold the same keys with the same
// placeholders on Android and on iOS, and every key the view models and the screens use is in
// them.
package cn.linli.viewmodels

import java.io.File
import javax.xml.parsers.DocumentBuilderFactory
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

class StringTablesTest {
    private val repo = File(System.getProperty("linli.repo") ?: ".").absoluteFile
    private val res = File(repo, "android/app/src/main/res")

    private fun android(dir: String): Map<String, String> {
        val doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(File(res, "$dir/strings.xml"))
        val nodes = doc.getElementsByTagName("string")
        return (0 until nodes.length).associate { i ->
            val n = nodes.item(i)
            n.attributes.getNamedItem("name").nodeValue to n.textContent
        }
    }

    private fun ios(lang: String): Map<String, String> {
        val line = Regex("^\"([a-z0-9_]+)\" = \"(.*)\";$")
        return File(repo, "ios/LinliApp/Resources/$lang.lproj/Localizable.strings").readLines()
            .mapNotNull { line.find(it) }.associate { it.groupValues[1] to it.groupValues[2] }
    }

    private fun placeholders(text: String) = Regex("%(\\d)\\$[s@d]").findAll(text).map { it.groupValues[1] }.toSet()

    private val zh = android("values")
    private val en = android("values-en")

    @Test
    fun `both languages hold the same keys with the same placeholders on both platforms`() {
        assertTrue(zh.size > 200, "${zh.size} strings")
        val iosZh = ios("zh-Hans")
        val iosEn = ios("en")
        for ((name, table) in listOf("values-en" to en, "ios zh-Hans" to iosZh, "ios en" to iosEn)) {
            assertEquals(zh.keys - table.keys, emptySet<String>(), "missing in $name")
            assertEquals(table.keys - zh.keys, emptySet<String>(), "only in $name")
        }
        for (key in zh.keys) {
            val expected = placeholders(zh.getValue(key))
            for (table in listOf(en, iosZh, iosEn)) {
                assertTrue(table.getValue(key).isNotBlank(), key)
                assertEquals(expected, placeholders(table.getValue(key)), "placeholders of $key")
            }
        }
    }

    /** Every refusal the core can give has its sentence, and every field it can name has its
     * label, in both languages on both platforms: the lists come from the core itself. */
    @Test
    fun `every error code and input field has words`() {
        val codes = cn.linli.core.errorCodes()
        val fields = cn.linli.core.inputFieldKeys()
        assertTrue(codes.size > 40, "${codes.size} codes")
        assertTrue(fields.size > 80, "${fields.size} fields")
        for ((name, table) in listOf("values" to zh, "values-en" to en, "ios zh-Hans" to ios("zh-Hans"), "ios en" to ios("en"))) {
            assertEquals(emptyList<String>(), codes.map(Keys::errorCode).filter { it !in table }, "error sentences missing in $name")
            assertEquals(emptyList<String>(), fields.map(Keys::field).filter { it !in table }, "field labels missing in $name")
        }
        for (code in codes) {
            val sentence = zh.getValue(Keys.errorCode(code))
            assertTrue(sentence.endsWith("。"), "a whole sentence: $code → $sentence")
        }
    }

    @Test
    fun `the default is Chinese`() {
        val cjk = Regex("[\\u4e00-\\u9fff]")
        val latinOnly = zh.filterValues { !cjk.containsMatchIn(it) }.keys - setOf("label_plain", "sync_conflict_by")
        assertEquals(emptySet<String>(), latinOnly)
        assertEquals("邻里", zh["app_name"])
        assertEquals("Linli", en["app_name"])
    }

    @Test
    fun `every key the view models and the screens use is in the tables`() {
        val used = Keys.fixed + Keys.timeline + Keys.enumLabels
        assertEquals(emptyList<String>(), used.filter { it !in zh }, "view-model keys missing")
        val screens = File(repo, "android/app/src/main").walk().filter { it.extension == "kt" }.toList()
        assertTrue(screens.isNotEmpty(), "the app's screens were found")
        val referenced = screens.flatMap { f -> Regex("R\\.string\\.([a-z0-9_]+)").findAll(f.readText()).map { it.groupValues[1] } }
        assertTrue(referenced.size > 50, "${referenced.size} references")
        assertEquals(emptyList<String>(), referenced.filter { it !in zh }.distinct(), "screen keys missing")
    }

    /** The needs list's, the evaluations' and the joint actions' words: their enum labels as
     * people say them, the counts as the screens show them, and every confirmation a sentence. */
    @Test
    fun `the needs, evaluation and joint-action keys have their words in both languages`() {
        val flows = listOf(Keys.DURATION, Keys.DONE_NEED_RECORDED, Keys.DONE_NEED_CLAIMED, Keys.DONE_SERVICE_RECORDED,
            Keys.DONE_NEED_CONFIRMED, Keys.DONE_ROUND_OPENED, Keys.DONE_RATED, Keys.DONE_VOTED, Keys.DONE_ROUND_CLOSED,
            Keys.EVALUATION_DOUBLE_VOTERS, Keys.JOINT_PROGRESS, Keys.DONE_JOINT_PLANNED, Keys.DONE_STEP_DONE)
        val tiles = listOf(HomeTile.NEEDS, HomeTile.EVALUATION, HomeTile.JOINT_ACTIONS).map { it.key }
        val labels = cn.linli.core.NeedCategory.entries.map(Keys::of) + cn.linli.core.Urgency.entries.map(Keys::of) +
            cn.linli.core.NeedStatus.entries.map(Keys::of) + cn.linli.core.SubjectKind.entries.map(Keys::of)
        assertTrue(Keys.fixed.containsAll(flows + tiles) && Keys.enumLabels.containsAll(labels), "checked with the others")
        for ((name, table) in listOf("values" to zh, "values-en" to en)) {
            assertEquals(emptyList<String>(), (flows + tiles + labels).filter { it !in table }, "missing in $name")
        }
        assertEquals(listOf("代购", "助餐", "陪医", "维修", "心理疏导", "其他"), cn.linli.core.NeedCategory.entries.map { zh[Keys.of(it)] })
        assertEquals(listOf("一般", "较急", "紧急"), cn.linli.core.Urgency.entries.map { zh[Keys.of(it)] })
        assertEquals(listOf("待认领", "已认领", "已服务", "已确认"), cn.linli.core.NeedStatus.entries.map { zh[Keys.of(it)] })
        assertEquals(listOf("片区长", "共建单位"), cn.linli.core.SubjectKind.entries.map { zh[Keys.of(it)] })
        assertEquals("%1\$s 小时 %2\$s 分", zh[Keys.DURATION])
        assertEquals("%1\$s h %2\$s min", en[Keys.DURATION])
        assertEquals("%1\$s 人在两部手机上重复投票，只计第一票。", zh[Keys.EVALUATION_DOUBLE_VOTERS])
        assertEquals("%1\$s 步 · 已完成 %2\$s · 逾期 %3\$s", zh[Keys.JOINT_PROGRESS])
        for (key in flows.filter { it.startsWith("done_") }) {
            assertTrue(zh.getValue(key).endsWith("。"), "a whole sentence: $key → ${zh[key]}")
            assertTrue(en.getValue(key).endsWith("."), "a whole sentence: $key → ${en[key]}")
        }
    }

    /** Every action a record's history can show has its label, and every code the relay refuses
     * with its sentence, in both languages: the lists come from the core itself. */
    @Test
    fun `every history action and relay code has words in both languages`() {
        val actions = cn.linli.core.actionCodes()
        val codes = cn.linli.core.relayCodes()
        assertTrue(actions.size > 60 && "genesis" in actions, "${actions.size} actions")
        assertTrue(codes.size > 60 && "bad_code" in codes, "${codes.size} codes")
        val history = listOf(Keys.HISTORY_ACTION_OTHER, Keys.HISTORY_MEMBER_SYSTEM, Keys.HISTORY_OPEN, Keys.HISTORY_TITLE)
        for ((name, table) in listOf("values" to zh, "values-en" to en)) {
            assertEquals(emptyList<String>(), actions.map(Keys::historyAction).filter { it !in table }, "history labels missing in $name")
            assertEquals(emptyList<String>(), codes.map(Keys::relayCode).filter { it !in table }, "relay sentences missing in $name")
            assertEquals(emptyList<String>(), history.filter { it !in table }, "history keys missing in $name")
        }
        for (code in codes) {
            assertTrue(zh.getValue(Keys.relayCode(code)).endsWith("。"), "a whole sentence: $code → ${zh[Keys.relayCode(code)]}")
            assertTrue(en.getValue(Keys.relayCode(code)).endsWith("."), "a whole sentence: $code → ${en[Keys.relayCode(code)]}")
        }
        assertEquals("修改电话", zh["history_action_household_phone"])
        assertEquals("Changed the phone number", en["history_action_household_phone"])
        assertEquals("上报", zh["history_action_ticket_escalated"])
        assertEquals("建立记录", zh["history_action_genesis"])
        assertEquals("其他修改（%1\$s）", zh[Keys.HISTORY_ACTION_OTHER])
        assertEquals("服务器的照片空间已满，请联系社区办公室。", zh["relay_code_photo_quota"])
        assertEquals("你的角色不能做这项修改，它已被退回。", zh["relay_code_role_forbidden"])
        assertEquals("Your role does not allow this change; it was set aside.", en["relay_code_role_forbidden"])
    }

    /** The gate's shift: every kind of entry, the incident severities, the visitors' pass types,
     * the field of the number of 安全员 and the confirmations. */
    @Test
    fun `the gate's kinds, severities, pass types and confirmations have their words`() {
        val done = listOf(Keys.DONE_VEHICLE_EXIT, Keys.DONE_PARCEL_PICKED_UP, Keys.DONE_INCIDENT, Keys.DONE_HANDOVER)
        val keys = done + Keys.gateKinds.map(Keys::gateKind) + Keys.field("officers") +
            cn.linli.core.Severity.entries.map(Keys::of) + cn.linli.core.PassType.entries.map(Keys::of)
        assertTrue(Keys.fixed.containsAll(done + Keys.gateKinds.map(Keys::gateKind)), "checked with the others")
        for ((name, table) in listOf("values" to zh, "values-en" to en)) {
            assertEquals(emptyList<String>(), keys.filter { it !in table }, "missing in $name")
        }
        assertEquals(listOf("一般", "较重", "严重"), cn.linli.core.Severity.entries.map { zh[Keys.of(it)] })
        assertEquals(listOf("临时通行", "访客码", "长期通行证", "快递外卖", "施工人员"), cn.linli.core.PassType.entries.map { zh[Keys.of(it)] })
        assertEquals("安全员人数", zh[Keys.field("officers")])
        assertEquals("交接班", zh[Keys.gateKind("handover")])
        assertEquals("通行证核验：伪造或无效", zh[Keys.gateKind("pass_forged")])
        for (key in done) {
            assertTrue(zh.getValue(key).endsWith("。"), "a whole sentence: $key → ${zh[key]}")
            assertTrue(en.getValue(key).endsWith("."), "a whole sentence: $key → ${en[key]}")
        }
    }

    /** A ticket reported from anywhere, the changes not accepted, the unsent work handed over, the
     * office's reminders and a resident's moves: their keys in both languages, the channels and
     * repeats as people say them, and the sentences whole. */
    @Test
    fun `the report, set-aside, export, reminder and moves keys have their words in both languages`() {
        val repeats = cn.linli.core.Repeat.entries.map(Keys::of)
        val channels = cn.linli.core.Channel.entries.map(Keys::of)
        val screens = listOf("ticket_channel", "ticket_place_typed", "household_moves", "reminder_add")
        assertTrue(Keys.fixed.containsAll(Keys.offlineWork) && Keys.enumLabels.containsAll(repeats + channels), "checked with the others")
        for ((name, table) in listOf("values" to zh, "values-en" to en)) {
            assertEquals(emptyList<String>(), (Keys.offlineWork + repeats + channels + screens).filter { it !in table }, "missing in $name")
        }
        assertEquals(listOf("走访", "门岗", "随手拍", "12345热线", "微信群", "来访"), channels.map { zh[it] })
        assertEquals(listOf("一次", "每月", "每年"), repeats.map { zh[it] })
        assertEquals("照片待同步", zh[Keys.TICKET_PHOTO_PENDING])
        assertEquals("未被接受的修改", zh[Keys.SYNC_SET_ASIDE_TITLE])
        assertEquals("%1\$s 迁入", zh[Keys.RESIDENT_MOVED_IN])
        assertEquals("%1\$s 迁出", zh[Keys.RESIDENT_MOVED_OUT])
        assertEquals("从%1\$s返回（%2\$s）", zh[Keys.RESIDENT_ARRIVED_FROM])
        for (key in listOf(Keys.TICKET_PHOTO_CAMERA_REFUSED, Keys.SYNC_SET_ASIDE_HINT, Keys.SYNC_SET_ASIDE_OTHER, Keys.DONE_REMINDER_ADDED)) {
            assertTrue(zh.getValue(key).endsWith("。"), "a whole sentence: $key → ${zh[key]}")
            assertTrue(en.getValue(key).endsWith("."), "a whole sentence: $key → ${en[key]}")
        }
    }
}
