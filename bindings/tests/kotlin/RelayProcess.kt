// A relay process for the JVM tests (the bindings' and the view models'): admin commands on a
// throw-away database, and `serve` on an ephemeral port of 127.0.0.1.
package cn.linli.core.test

import java.io.File
import java.nio.file.Files

/** `linli-relay` on a throw-away database: admin commands, and `serve` on an ephemeral port. */
class RelayProcess(private val exe: String) : AutoCloseable {
    val dir: File = Files.createTempDirectory("linli-relay").toFile()
    private val db = File(dir, "relay.db").path
    private var server: Process? = null
    var url: String = ""
        private set

    fun admin(vararg args: String): String {
        val p = ProcessBuilder(listOf(exe, "--db", db) + args).redirectErrorStream(true).start()
        val out = p.inputStream.bufferedReader().readText()
        check(p.waitFor() == 0) { "linli-relay ${args.joinToString(" ")} failed: $out" }
        return out
    }

    fun code(member: String): String =
        Regex("enrolment code for $member: (\\S+)").find(admin("enrol-code", "--member", member))!!
            .groupValues[1]

    fun start() {
        val pb = ProcessBuilder(exe, "--db", db, "serve", "--listen", "127.0.0.1:0")
        pb.environment()["NO_COLOR"] = "1"
        pb.environment()["RUST_LOG"] = "info"
        val p = pb.start()
        server = p
        val log = p.errorStream.bufferedReader()
        while (true) {
            val line = log.readLine() ?: error("the relay exited before it listened")
            val addr = Regex("addr=(\\S+)").find(line)?.groupValues?.get(1)
            if (line.contains("listening") && addr != null) {
                url = "http://$addr"
                break
            }
        }
        Thread { log.forEachLine { } }.apply { isDaemon = true }.start()
    }

    override fun close() {
        server?.destroyForcibly()?.waitFor()
        dir.deleteRecursively()
    }
}
