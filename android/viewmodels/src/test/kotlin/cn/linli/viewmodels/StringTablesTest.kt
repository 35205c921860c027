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
}
