// What every screen's view model shares: its state as a StateFlow, a notice line (what just
// happened, or what went wrong), and one way to run an action off the main thread that turns
// a core error into words and reloads the screen.
package cn.linli.viewmodels

import cn.linli.core.LinliException
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.withContext

/** The line under a screen's title: a confirmation, or an error to act on. */
data class Notice(val text: UiText, val isError: Boolean)

abstract class ScreenModel<S>(initial: S, protected val io: CoroutineDispatcher) {
    protected val mutableState = MutableStateFlow(initial)
    val state: StateFlow<S> = mutableState.asStateFlow()
    private val mutableNotice = MutableStateFlow<Notice?>(null)
    val notice: StateFlow<Notice?> = mutableNotice.asStateFlow()

    /** Reads the screen's state from the store (called off the main thread). */
    protected abstract fun load(): S

    /** Reloads the screen; an error goes to the notice and the old state stays. */
    suspend fun refresh() {
        try {
            mutableState.value = withContext(io) { load() }
        } catch (e: LinliException) {
            fail(e.toUiText())
        }
    }

    /** Runs `block` off the main thread; on success shows `done(result)`, on a core error its
     * words, and reloads either way. Returns the result, or null when it failed. */
    protected suspend fun <T> act(done: (T) -> UiText?, block: () -> T): T? {
        val result = try {
            withContext(io) { block() }.also { r -> mutableNotice.value = done(r)?.let { Notice(it, false) } }
        } catch (e: LinliException) {
            fail(e.toUiText())
            null
        }
        refresh()
        return result
    }

    protected fun done(text: UiText) {
        mutableNotice.value = Notice(text, isError = false)
    }

    protected fun fail(text: UiText) {
        mutableNotice.value = Notice(text, isError = true)
    }

    fun dismissNotice() {
        mutableNotice.value = null
    }
}
