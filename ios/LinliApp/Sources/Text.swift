// Words from the string tables (zh-Hans.lproj is the development region, en.lproj beside it),
// for fixed keys and for the UiText the view models hand out.
import Foundation
import LinliViewModels

/// The text of `key` with its placeholders filled in.
func tr(_ key: String, _ args: String...) -> String {
    let format = NSLocalizedString(key, comment: "")
    return args.isEmpty ? format : String(format: format, arguments: args.map { $0 as CVarArg })
}

/// The text of a view model's UiText; an argument that is itself a key (a label) is looked up too.
func text(_ t: UiText) -> String {
    let format = NSLocalizedString(t.key, comment: "")
    let args = t.args.map { a -> CVarArg in
        let label = NSLocalizedString(a, comment: "")
        return label == a ? a : label
    }
    return args.isEmpty ? format : String(format: format, arguments: args)
}

extension Date {
    var shown: String { formatted(date: .abbreviated, time: .shortened) }

    /// The date and time in the community's time (its offset from UTC), not the phone's zone.
    func shown(offsetMinutes: Int32) -> String {
        var style = Date.FormatStyle(date: .abbreviated, time: .shortened)
        style.timeZone = TimeZone(secondsFromGMT: Int(offsetMinutes) * 60) ?? .current
        return formatted(style)
    }
}
