// The office's day-end view (tablet): the day report as simple bar charts (visits per lead,
// tickets by level and state, duty attendance per gate) and the report as CSV to share.
import Foundation
import LinliCore

/// One bar: its label, its value, and its length as a share of the chart's longest bar.
public struct Bar: Equatable, Sendable {
    public let label: UiText
    public let value: Int
    public let fraction: Double
}

/// A bar chart of one section of the report.
public struct Chart: Equatable, Sendable {
    public let title: UiText
    public let bars: [Bar]
}

public struct OfficeState: Sendable {
    public var date = ""
    public var community = ""
    public var totalVisits = 0
    public var householdsCovered = 0
    public var watchDone = 0
    public var watchDue = 0
    public var charts: [Chart] = []
}

public final class OfficeViewModel: ScreenModel<OfficeState>, @unchecked Sendable {
    private let session: Session
    private var store: LinliStore { session.store }

    public init(session: Session) {
        self.session = session
        super.init(OfficeState())
    }

    override func load() throws -> OfficeState {
        let date = state.date.isEmpty ? try store.today() : state.date
        let r = try store.dayReport(date: date)
        return OfficeState(date: date, community: r.community, totalVisits: Int(r.totalVisits),
                           householdsCovered: Int(r.householdsCovered), watchDone: Int(r.watch.done),
                           watchDue: Int(r.watch.due), charts: OfficeViewModel.charts(r))
    }

    /// Shows another day (`YYYY-MM-DD`).
    public func showDay(_ date: String) async {
        state.date = date
        await refresh()
    }

    /// Writes the report as CSV into `dir` for the share sheet; returns the file.
    public func exportCsv(dir: URL) async -> URL? {
        await act({ _ in nil }) { [self] in
            let date = state.date.isEmpty ? try store.today() : state.date
            let file = dir.appendingPathComponent("linli-day-report-\(date).csv")
            // A byte-order mark so that spreadsheet apps read the Chinese as UTF-8.
            try ("\u{FEFF}" + store.dayReportCsv(date: date)).write(to: file, atomically: true, encoding: .utf8)
            return file
        }
    }

    static func chart(_ title: String, _ values: [(UiText, UInt32)]) -> Chart {
        let top = max(values.map { Int($0.1) }.max() ?? 1, 1)
        return Chart(title: UiText(title), bars: values.map { Bar(label: $0.0, value: Int($0.1), fraction: Double($0.1) / Double(top)) })
    }

    static func charts(_ r: DayReport) -> [Chart] {
        let plain = { (s: String) in UiText(Keys.labelPlain, [s]) }
        return [
            chart(Keys.chartVisitsPerLead, r.visits.map { (plain($0.name), $0.visits) }),
            chart(Keys.chartOpenByLevel, r.tickets.map { (UiText(Keys.of($0.level)), $0.open) }),
            chart(Keys.chartResolvedByLevel, r.tickets.map { (UiText(Keys.of($0.level)), $0.resolved) }),
            chart(Keys.chartOverdueByLevel, r.tickets.map { (UiText(Keys.of($0.level)), $0.overdue) }),
            chart(Keys.chartDutyOnTime, r.duty.map { (plain($0.gateName), $0.onTime) }),
            chart(Keys.chartDutyLate, r.duty.map { (plain($0.gateName), $0.late) }),
            chart(Keys.chartDutyNoShow, r.duty.map { (plain($0.gateName), $0.noShow) }),
        ]
    }
}
