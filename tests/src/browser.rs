//! A headless Chromium for the office pages' tests, driven through WebDriver: Debian's
//! `chromedriver` on a free port of 127.0.0.1 in a process group of its own, a session with
//! `--headless=new --no-sandbox`, and on drop the whole group (chromedriver and every browser
//! process it started) killed, also when a test fails. `tests/setup/toolchains.sh browser`
//! installs `chromium`, `chromium-driver` and `fonts-noto-cjk`.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;

/// A running chromedriver and a browser session on it.
#[derive(Debug)]
pub struct TestBrowser {
    /// The WebDriver client.
    pub client: Client,
    driver: Stopper,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

impl TestBrowser {
    /// Starts chromedriver and opens a headless browser session at 1280×800.
    pub async fn start() -> TestBrowser {
        let exe = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists())
            .unwrap_or_else(|| {
                panic!(
                    "chromedriver is not installed: run tests/setup/toolchains.sh browser \
                     (Debian's chromium, chromium-driver and fonts-noto-cjk)"
                )
            });
        let port = free_port();
        let driver = Command::new(exe)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("chromedriver starts");
        // Stopped on drop from here on, also when the session cannot be opened.
        let driver = Stopper(driver);
        let mut browser = TestBrowser {
            client: connect(port).await,
            driver,
        };
        browser.resize(1280, 800).await;
        browser
    }

    /// Sets the window's size.
    pub async fn resize(&mut self, width: u32, height: u32) {
        self.client
            .set_window_size(width, height)
            .await
            .expect("window size");
    }

    /// Writes a PNG of the page as it is now to `target/office-pages/{name}.png`.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.expect("screenshot");
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        let dir = screenshots_dir();
        std::fs::create_dir_all(&dir).expect("screenshot folder");
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).expect("screenshot written");
        path
    }

    /// Ends the session and stops chromedriver with every browser process.
    pub async fn close(self) {
        let TestBrowser { client, driver } = self;
        let _ = tokio::time::timeout(Duration::from_secs(10), client.close()).await;
        drop(driver);
    }
}

/// Kills chromedriver's process group (every browser process it started) on drop.
#[derive(Debug)]
struct Stopper(Child);

impl Drop for Stopper {
    fn drop(&mut self) {
        kill_group(&mut self.0);
    }
}

fn kill_group(child: &mut Child) {
    if let Ok(pid) = i32::try_from(child.id()) {
        // chromedriver leads its own process group (`process_group(0)`), and its browsers are
        // in it.
        let _ = nix::sys::signal::killpg(
            nix::unistd::Pid::from_raw(pid),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
    let _ = child.kill();
    let _ = child.wait();
}

async fn connect(port: u16) -> Client {
    let caps = serde_json::json!({
        "goog:chromeOptions": {
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-crash-reporter", "--disable-breakpad", "--lang=zh-CN"],
        }
    });
    let caps = caps.as_object().cloned().unwrap_or_default();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        match ClientBuilder::new(HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => return client,
            Err(e) if Instant::now() < deadline => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("no WebDriver session on 127.0.0.1:{port}: {e}"),
        }
    }
}

/// Where the screenshots go: `target/office-pages` of the workspace.
pub fn screenshots_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"))
        .join("office-pages")
}
