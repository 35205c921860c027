//! The office's pages over plain HTTP, as a browser's requests: a client that shows redirects,
//! forms, signing in with a one-time code, the session cookie, the form token, and a
//! signed-in session that reads pages and posts forms.

use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE, SET_COOKIE};

/// A client that shows redirects instead of following them.
pub fn http() -> reqwest::Client {
    crate::tls_ready();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// A form's body, `application/x-www-form-urlencoded`.
pub fn form_body(fields: &[(&str, &str)]) -> String {
    let encode = |text: &str| {
        text.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect::<String>()
    };
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Posts a form.
pub fn post_form(url: String, fields: &[(&str, &str)]) -> reqwest::RequestBuilder {
    http()
        .post(url)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form_body(fields))
}

/// Signs in with `code` over plain HTTP: the answer.
pub async fn sign_in(url: &str, code: &str, forwarded_https: bool) -> reqwest::Response {
    let mut request = post_form(format!("{url}/office/sign-in"), &[("code", code)]);
    if forwarded_https {
        request = request.header("x-forwarded-proto", "https");
    }
    request.send().await.expect("sign-in answered")
}

/// The session cookie a sign-in set (`name=value`).
pub fn session_cookie(answer: &reqwest::Response) -> String {
    let set = answer
        .headers()
        .get(SET_COOKIE)
        .expect("a cookie")
        .to_str()
        .unwrap();
    set.split(';').next().unwrap().to_owned()
}

/// The form token on a page.
pub fn csrf_on(page: &str) -> String {
    let at = page.find("name=\"csrf\" value=\"").expect("a form token") + 19;
    page[at..at + 32].to_owned()
}

/// A signed-in office session on a relay.
#[derive(Debug)]
pub struct OfficeSession {
    url: String,
    cookie: String,
}

impl OfficeSession {
    /// Signs in at the relay at `url` with the one-time code `code`.
    pub async fn sign_in(url: &str, code: &str) -> OfficeSession {
        let answer = sign_in(url, code, false).await;
        assert_eq!(answer.status(), StatusCode::SEE_OTHER, "signed in");
        OfficeSession {
            url: url.to_owned(),
            cookie: session_cookie(&answer),
        }
    }

    /// The page at `path` (e.g. `/office/today`), which must answer 200.
    pub async fn page(&self, path: &str) -> String {
        let answer = http()
            .get(format!("{}{path}", self.url))
            .header(COOKIE, &self.cookie)
            .send()
            .await
            .expect("page answered");
        assert_eq!(answer.status(), StatusCode::OK, "{path}");
        answer.text().await.expect("page text")
    }

    /// Posts a form from the page at `from` (its token added) to `to`: the status and body.
    pub async fn post(
        &self,
        from: &str,
        to: &str,
        fields: &[(&str, &str)],
    ) -> (StatusCode, String) {
        let csrf = csrf_on(&self.page(from).await);
        let mut fields = fields.to_vec();
        fields.push(("csrf", &csrf));
        let answer = post_form(format!("{}{to}", self.url), &fields)
            .header(COOKIE, &self.cookie)
            .send()
            .await
            .expect("form answered");
        (answer.status(), answer.text().await.unwrap_or_default())
    }
}
