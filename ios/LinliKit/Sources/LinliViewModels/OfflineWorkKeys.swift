// The string keys of a ticket reported from anywhere with its photos, the refused edits and the
// unsent work on the sync screen, the office's reminders made on the phone and a resident's
// moves: what each says, and the labels of a ticket's channels and a reminder's repeats. The
// same keys as the Android app's.
import Foundation
import LinliCore

public extension Keys {
    /// A photo whose bytes are not on this phone yet: 照片待同步.
    static let ticketPhotoPending = "ticket_photo_pending"
    /// The camera was refused: said on the report form, which keeps what was typed.
    static let ticketPhotoCameraRefused = "ticket_photo_camera_refused"
    /// 未被接受的修改, the sync screen's section.
    static let syncSetAsideTitle = "sync_set_aside_title"
    /// What the section means: the office can admit or discard them.
    static let syncSetAsideHint = "sync_set_aside_hint"
    /// Why a change was set aside, for a code that has no sentence of its own: `%1$@` is the code.
    static let syncSetAsideOther = "sync_set_aside_other"
    /// Hands the phone's unsent work over as a file.
    static let syncExportUnsent = "sync_export_unsent"
    /// `%1$@ 迁入`.
    static let residentMovedIn = "resident_moved_in"
    /// `%1$@ 迁出`.
    static let residentMovedOut = "resident_moved_out"
    /// `从%1$@返回（%2$@）`: where a returnee came from, and when.
    static let residentArrivedFrom = "resident_arrived_from"
    static let doneReminderAdded = "done_reminder_added"

    static func of(_ v: Repeat) -> String { "repeat_" + v.code() }

    /// Every channel a ticket comes by, in the core's order.
    static let channels: [Channel] = [.visit, .gate, .photoReport, .hotline12345, .chatGroup, .walkIn]
    /// How a reminder repeats.
    static let repeats: [Repeat] = [.once, .monthly, .yearly]

    /// These keys and labels, for the string-table check.
    static let offlineWork: [String] = [
        ticketPhotoPending, ticketPhotoCameraRefused, syncSetAsideTitle, syncSetAsideHint, syncSetAsideOther,
        syncExportUnsent, residentMovedIn, residentMovedOut, residentArrivedFrom, doneReminderAdded,
    ] + channels.map(of) + repeats.map(of)
}
