//! Enrolment and sync for the apps: async functions run on tokio, progress through a foreign
//! listener, and cancellation through a token the app holds (cancelling the calling coroutine
//! or task cancels the sync too). A panic inside the sync becomes `LinliError::Internal`.

use std::sync::Arc;

use linli_core::sync::client as core_sync;
use tokio_util::sync::CancellationToken;

use crate::callback::{CallbackError, Contained};
use crate::error::{LinliError, panic_message};
use crate::mirror::Convert;
use crate::records::{Enrolment, PassDaysInput, PassSigned, SignOut, SyncProgress, SyncSummary};
use crate::store::LinliStore;

/// Implemented by the app: told how a sync progresses, in order.
#[uniffi::export(with_foreign)]
pub trait SyncListener: Send + Sync {
    /// A step of the sync.
    fn on_progress(&self, progress: SyncProgress) -> Result<(), CallbackError>;
}

/// Cancels a sync in flight.
#[derive(Debug, Default, uniffi::Object)]
pub struct CancelToken {
    inner: CancellationToken,
}

#[uniffi::export]
impl CancelToken {
    /// A token not cancelled yet.
    #[uniffi::constructor]
    pub fn new() -> Arc<CancelToken> {
        Arc::new(CancelToken::default())
    }

    /// Cancels: the sync stops at its next step with `LinliError.Cancelled`; what it applied
    /// so far stays, and the next sync resumes.
    pub fn cancel(&self) {
        self.inner.cancel();
    }

    /// Whether it was cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.inner.is_cancelled()
    }
}

/// Runs `work` as its own task so that a panic in it becomes an error; dropping the returned
/// future (the app cancelled its coroutine) cancels `cancel`.
async fn run_guarded<T: Send + 'static>(
    cancel: CancellationToken,
    work: impl Future<Output = Result<T, core_sync::SyncError>> + Send + 'static,
) -> Result<T, LinliError> {
    let _cancel_on_drop = cancel.drop_guard();
    match tokio::spawn(work).await {
        Ok(r) => r.map_err(LinliError::from),
        Err(e) if e.is_panic() => Err(LinliError::Internal {
            detail: panic_message(e.into_panic().as_ref()),
        }),
        Err(e) => Err(LinliError::Internal {
            detail: e.to_string(),
        }),
    }
}

/// Exchanges a one-time enrolment code for a device token.
#[uniffi::export(async_runtime = "tokio")]
pub async fn enrol(
    server: String,
    code: String,
    device_name: String,
    actor_id: String,
) -> Result<Enrolment, LinliError> {
    let response = run_guarded(CancellationToken::new(), async move {
        core_sync::enrol(&server, &code, &device_name, &actor_id).await
    })
    .await?;
    Ok(response.convert())
}

/// Talks to the relay for one device.
#[derive(Debug, uniffi::Object)]
pub struct SyncClient {
    inner: Arc<core_sync::SyncClient>,
}

#[uniffi::export(async_runtime = "tokio")]
impl SyncClient {
    /// A client for the relay at `server` with the device's token.
    #[uniffi::constructor]
    pub fn new(server: String, token: String) -> Result<Arc<SyncClient>, LinliError> {
        let inner = core_sync::SyncClient::new(core_sync::SyncOptions::new(server, token))?;
        Ok(Arc::new(SyncClient {
            inner: Arc::new(inner),
        }))
    }

    /// One complete sync: push, pull every page, photos up and down. Progress goes to
    /// `listener`; `cancel` stops it.
    pub async fn sync(
        &self,
        store: Arc<LinliStore>,
        listener: Option<Arc<dyn SyncListener>>,
        cancel: Option<Arc<CancelToken>>,
    ) -> Result<SyncSummary, LinliError> {
        let token = cancel.map(|c| c.inner.clone()).unwrap_or_default();
        let client = self.inner.clone();
        let linli = store.inner.clone();
        let inner_token = token.clone();
        let summary = run_guarded(token, async move {
            let contained = Contained::new("SyncListener.onProgress");
            let progress = move |p: core_sync::SyncProgress| {
                if let Some(l) = &listener {
                    contained.call(|| l.on_progress(p.convert()));
                }
            };
            client.sync(&linli, &progress, &inner_token).await
        })
        .await?;
        Ok(summary.convert())
    }

    /// Asks the relay for a new device token. The token this client holds stops working at
    /// once: keep the new one in the platform's keystore and make a new client with it. A
    /// device the office revoked for erasure has `store` erased here, as a sync would.
    pub async fn rotate_token(
        &self,
        store: Arc<LinliStore>,
        cancel: Option<Arc<CancelToken>>,
    ) -> Result<String, LinliError> {
        let token = cancel.map(|c| c.inner.clone()).unwrap_or_default();
        let client = self.inner.clone();
        let linli = store.inner.clone();
        let inner_token = token.clone();
        run_guarded(token, async move {
            client.rotate_token(&linli, &inner_token).await
        })
        .await
    }

    /// Asks the relay to sign a pass (a gate lead for their own gates): the relay checks it
    /// for this phone's member, signs it and records it in the household. Needs the network;
    /// offline it fails with `Network` and nothing is asked.
    pub async fn issue_pass(
        &self,
        store: Arc<LinliStore>,
        input: PassDaysInput,
        cancel: Option<Arc<CancelToken>>,
    ) -> Result<PassSigned, LinliError> {
        let days = input.into_core()?;
        let wanted = store.inner.pass_over_days(&days)?;
        let token = cancel.map(|c| c.inner.clone()).unwrap_or_default();
        let client = self.inner.clone();
        let inner_token = token.clone();
        let signed = run_guarded(token, async move {
            client.issue_pass(&wanted, &inner_token).await
        })
        .await?;
        Ok(signed.convert())
    }

    /// Signs this phone out and erases its store after a sync; when changes or photos would
    /// be lost (offline), erases only if `force`, and otherwise answers how many.
    pub async fn sign_out(
        &self,
        store: Arc<LinliStore>,
        force: bool,
        cancel: Option<Arc<CancelToken>>,
    ) -> Result<SignOut, LinliError> {
        let token = cancel.map(|c| c.inner.clone()).unwrap_or_default();
        let client = self.inner.clone();
        let linli = store.inner.clone();
        let inner_token = token.clone();
        let done = run_guarded(token, async move {
            client.sign_out(&linli, force, &inner_token).await
        })
        .await?;
        Ok(done.convert())
    }

    /// Where the device stands without syncing: waiting changes, conflicts, photos pending,
    /// last contact.
    pub fn status(&self, store: Arc<LinliStore>) -> Result<SyncSummary, LinliError> {
        crate::error::guard(|| {
            self.inner
                .fill_summary(&store.inner, core_sync::SyncSummary::default())
        })
    }
}
