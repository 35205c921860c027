// Publishes a view model's state to SwiftUI: the view models are plain Swift classes with a
// change callback; this hops each change to the main actor.
import Combine
import LinliViewModels

@MainActor
final class Observed<VM: AnyObject>: ObservableObject {
    let vm: VM

    init<S>(_ vm: VM) where VM: ScreenModel<S> {
        self.vm = vm
        vm.onChange = { [weak self] in
            Task { @MainActor in self?.objectWillChange.send() }
        }
    }
}
