// The office's day-end view (tablet): the day report as simple bar charts (visits per lead,
// tickets by level and state, duty attendance per gate) and the report as CSV to share.
package cn.linli.viewmodels

import cn.linli.core.DayReport
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import java.io.File

/** One bar: its label, its value, and its length as a share of the chart's longest bar. */
data class Bar(val label: UiText, val value: Int, val fraction: Float)

/** A bar chart of one section of the report. */
data class Chart(val title: UiText, val bars: List<Bar>)

data class OfficeState(
    val date: String = "",
    val community: String = "",
    val totalVisits: Int = 0,
    val householdsCovered: Int = 0,
    val watchDone: Int = 0,
    val watchDue: Int = 0,
    val charts: List<Chart> = emptyList(),
)

class OfficeViewModel(
    private val session: Session,
    io: CoroutineDispatcher = Dispatchers.IO,
) : ScreenModel<OfficeState>(OfficeState(), io) {
    private val store get() = session.store

    override fun load(): OfficeState {
        val date = state.value.date.ifEmpty { store.today() }
        val r = store.dayReport(date)
        return OfficeState(
            date = date,
            community = r.community,
            totalVisits = r.totalVisits.toInt(),
            householdsCovered = r.householdsCovered.toInt(),
            watchDone = r.watch.done.toInt(),
            watchDue = r.watch.due.toInt(),
            charts = charts(r),
        )
    }

    /** Shows another day (`YYYY-MM-DD`). */
    suspend fun showDay(date: String) {
        mutableState.value = state.value.copy(date = date)
        refresh()
    }

    /** Writes the report as CSV into `dir` for the share sheet; returns the file. */
    suspend fun exportCsv(dir: File): File? = act({ null }) {
        val date = state.value.date.ifEmpty { store.today() }
        File(dir, "linli-day-report-$date.csv").apply {
            // A byte-order mark so that spreadsheet apps read the Chinese as UTF-8.
            writeText("\uFEFF" + store.dayReportCsv(date))
        }
    }

    private companion object {
        fun chart(title: String, values: List<Pair<UiText, Int>>): Chart {
            val max = values.maxOfOrNull { it.second }?.coerceAtLeast(1) ?: 1
            return Chart(UiText(title), values.map { (l, v) -> Bar(l, v, v.toFloat() / max) })
        }

        fun charts(r: DayReport): List<Chart> = listOf(
            chart(Keys.CHART_VISITS_PER_LEAD, r.visits.map { UiText(Keys.LABEL_PLAIN, it.name) to it.visits.toInt() }),
            chart(Keys.CHART_OPEN_BY_LEVEL, r.tickets.map { UiText(Keys.of(it.level)) to it.open.toInt() }),
            chart(Keys.CHART_RESOLVED_BY_LEVEL, r.tickets.map { UiText(Keys.of(it.level)) to it.resolved.toInt() }),
            chart(Keys.CHART_OVERDUE_BY_LEVEL, r.tickets.map { UiText(Keys.of(it.level)) to it.overdue.toInt() }),
            chart(Keys.CHART_DUTY_ON_TIME, r.duty.map { UiText(Keys.LABEL_PLAIN, it.gateName) to it.onTime.toInt() }),
            chart(Keys.CHART_DUTY_LATE, r.duty.map { UiText(Keys.LABEL_PLAIN, it.gateName) to it.late.toInt() }),
            chart(Keys.CHART_DUTY_NO_SHOW, r.duty.map { UiText(Keys.LABEL_PLAIN, it.gateName) to it.noShow.toInt() }),
        )
    }
}
