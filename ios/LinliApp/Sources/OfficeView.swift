// The office's day-end report on an iPad: headline figures, bar charts, and CSV to share.
import Charts
import LinliViewModels
import SwiftUI

struct OfficeView: View {
    @StateObject private var observed: Observed<OfficeViewModel>
    @State private var csv: URL?

    init(session: Session) {
        _observed = StateObject(wrappedValue: Observed(OfficeViewModel(session: session)))
    }

    var body: some View {
        let vm = observed.vm
        let state = vm.state
        List {
            HStack(spacing: 24) {
                Text(tr("office_total_visits", String(state.totalVisits)))
                Text(tr("office_households", String(state.householdsCovered)))
                Text(tr("office_watch", String(state.watchDone), String(state.watchDue)))
            }
            .font(.title3)
            if let csv {
                ShareLink(tr("office_share_csv"), item: csv)
            } else {
                Button(tr("office_share_csv")) {
                    Task { csv = await vm.exportCsv(dir: FileManager.default.temporaryDirectory) }
                }
            }
            ForEach(Array(state.charts.enumerated()), id: \.offset) { _, chart in
                Section(text(chart.title)) {
                    Chart(Array(chart.bars.enumerated()), id: \.offset) { _, bar in
                        BarMark(x: .value("n", bar.value), y: .value("", text(bar.label)))
                            .annotation(position: .trailing) { Text("\(bar.value)") }
                    }
                    .frame(height: CGFloat(max(chart.bars.count, 1)) * 36)
                }
            }
        }
        .navigationTitle("\(state.community) · \(state.date)")
        .task { await vm.refresh() }
    }
}
