// The tickets screen's report form, for a problem met anywhere (the gate, the street, a call):
// its category, its place (typed, or one of the member's buildings and gates), what is wrong,
// the channel it came by (走访, 12345, 微信群, 来访 …) and the photos taken for it, each stored
// on the phone as it is taken and kept on the form until the report goes; and a ticket's photos
// as its detail shows them, each with its bytes or 照片待同步.
package cn.linli.viewmodels

import cn.linli.core.Category
import cn.linli.core.Channel
import cn.linli.core.LinliStore
import cn.linli.core.Photo
import cn.linli.core.PlaceKind
import cn.linli.core.PlaceRefKind

/** One of the member's places a report may name. */
data class ReportPlace(val id: String, val name: String, val kind: PlaceRefKind)

/** A photo taken for a report, stored on the phone already. */
class ReportPhoto(val sha256: String, val bytes: ByteArray) {
    override fun equals(other: Any?) = other is ReportPhoto && other.sha256 == sha256
    override fun hashCode() = sha256.hashCode()
    override fun toString() = "ReportPhoto($sha256)"
}

/** What the report form says. */
data class TicketReportForm(
    val category: Category = Category.OTHER,
    /** One of the member's places ([ReportPlace.id]), or null for the place typed in [placeText]. */
    val placeId: String? = null,
    val placeText: String = "",
    val description: String = "",
    val channel: Channel = Channel.VISIT,
    /** In the order taken. */
    val photos: List<ReportPhoto> = emptyList(),
)

/** One of a ticket's photos: its bytes when they are on this phone; else (not uploaded yet by
 * the phone that took it, or not downloaded here yet) 照片待同步. */
class TicketPhoto(val sha256: String, val bytes: ByteArray?) {
    /** `ticket_photo_pending` while the bytes have not arrived. */
    val pending: UiText? get() = if (bytes == null) UiText(Keys.TICKET_PHOTO_PENDING) else null

    override fun equals(other: Any?) =
        other is TicketPhoto && other.sha256 == sha256 && (other.bytes == null) == (bytes == null)
    override fun hashCode() = sha256.hashCode() * 31 + (bytes == null).hashCode()
    override fun toString() = "TicketPhoto($sha256, ${if (bytes == null) "pending" else "${bytes.size} bytes"})"
}

/** The categories and channels the form offers, in the core's order. */
internal val categoryChoices: List<Choice<Category>> = Category.entries.map { Choice(it, UiText(Keys.of(it))) }
internal val channelChoices: List<Choice<Channel>> = Channel.entries.map { Choice(it, UiText(Keys.of(it))) }

/** The member's buildings and gates, which a report may name instead of a place typed. */
internal fun reportPlaces(store: LinliStore): List<ReportPlace> =
    listOf(PlaceKind.BUILDING to PlaceRefKind.BUILDING, PlaceKind.GATE to PlaceRefKind.GATE).flatMap { (kind, ref) ->
        store.myPlaces(kind).map { ReportPlace(it.id, it.name, ref) }
    }

/** A photo's bytes, or pending while they have not arrived. */
internal fun ticketPhoto(store: LinliStore, sha256: String): TicketPhoto = when (val p = store.photo(sha256)) {
    is Photo.Available -> TicketPhoto(sha256, p.bytes)
    Photo.Pending -> TicketPhoto(sha256, null)
}
