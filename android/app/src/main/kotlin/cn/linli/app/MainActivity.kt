// The one activity: enrolment until the phone is enrolled, then the home screen and the screen
// of each kind of work, in large, legible type.
package cn.linli.app

import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Typography
import androidx.compose.runtime.Composable
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.unit.sp
import androidx.navigation.NavType
import androidx.navigation.compose.NavHost
import androidx.navigation.compose.composable
import androidx.navigation.compose.rememberNavController
import androidx.navigation.navArgument
import cn.linli.viewmodels.Session

class MainActivity : ComponentActivity() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val app = application as LinliApplication
        setContent {
            MaterialTheme(typography = largeType()) {
                val session by app.session.collectAsState()
                when (val s = session) {
                    null -> EnrolScreen(app)
                    else -> Screens(app, s)
                }
            }
        }
    }
}

/** Type a size up from the defaults: the apps are used at gates and in stairwells. */
private fun largeType(): Typography {
    val base = Typography()
    return base.copy(
        bodyLarge = base.bodyLarge.copy(fontSize = 20.sp, lineHeight = 28.sp),
        bodyMedium = base.bodyMedium.copy(fontSize = 18.sp, lineHeight = 26.sp),
        titleLarge = base.titleLarge.copy(fontSize = 26.sp),
        labelLarge = base.labelLarge.copy(fontSize = 18.sp),
    )
}

@Composable
private fun Screens(app: LinliApplication, session: Session) {
    val nav = rememberNavController()
    NavHost(nav, startDestination = "home") {
        composable("home") { HomeScreen(session) { route -> nav.navigate(route) } }
        composable("gate/{id}") { e -> GateDutyScreen(session, e.arguments?.getString("id")!!) }
        composable("door") { DoorToDoorScreen(session) }
        composable("tickets") { TicketsScreen(session) }
        // A department's work orders; today's list opens one by its id.
        composable(
            "department?order={order}",
            arguments = listOf(navArgument("order") { type = NavType.StringType; nullable = true; defaultValue = null }),
        ) { e -> DepartmentScreen(session, e.arguments?.getString("order")) }
        composable("needs") { NeedsScreen(session) }
        composable("evaluation") { EvaluationScreen(session) }
        composable("joint") { JointActionsScreen(session) }
        composable("reminders") { RemindersScreen(session) }
        composable("sync") { SyncScreen(app, app.sync!!) }
        composable("office") { OfficeScreen(session) }
    }
}
