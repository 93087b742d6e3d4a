//! Helpers for the tests that drive the HTML pages with plain form posts.

use super::{Person, TestApp};

/// The page at `path`, which must answer `status`; the HTML as served.
pub async fn page(p: &Person, path: &str, status: u16) -> String {
    let response = p.get(path).await;
    assert_eq!(response.status(), status, "{path}");
    response.text().await.expect("html")
}

/// The page at `path`, which must answer 200; the HTML as served.
pub async fn html(p: &Person, path: &str) -> String {
    page(p, path, 200).await
}

/// The page's text with askama's entity escapes undone, for plain matching.
pub fn unescape(html: &str) -> String {
    html.replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// `page` with the entity escapes undone (see `unescape`).
pub async fn plain_page(p: &Person, path: &str, status: u16) -> String {
    unescape(&page(p, path, status).await)
}

/// `html` with the entity escapes undone (see `unescape`).
pub async fn plain_html(p: &Person, path: &str) -> String {
    plain_page(p, path, 200).await
}

/// Where a redirect leads: its `Location` header, which must be there.
pub fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .expect("a redirect")
        .to_str()
        .expect("location")
        .to_owned()
}

/// Pulls the invitation code out of the invite page.
pub fn invite_code(html: &str) -> String {
    let start =
        html.find("id=\"invite-code\">").expect("code on the page") + "id=\"invite-code\">".len();
    html[start..]
        .split('<')
        .next()
        .expect("code")
        .trim()
        .to_owned()
}

impl TestApp {
    /// A new person who signed up through the sign-up form (and so is signed in).
    pub async fn sign_up(&self, name: &str, email: &str) -> Person {
        let p = self.person();
        let r = p
            .post_form(
                "/signup",
                &[
                    ("display_name", name),
                    ("email", email),
                    ("password", "a long password"),
                ],
            )
            .await;
        assert_eq!(r.status(), 201, "the recovery code page");
        p
    }

    /// Ada and Bo form their space through the pages alone.
    pub async fn ui_couple(&self) -> (Person, Person) {
        let ada = self.sign_up("Ada", "ada@example.org").await;
        let bo = self.sign_up("Bo", "bo@example.org").await;
        let invite = ada
            .post_form("/relationship", &[])
            .await
            .text()
            .await
            .expect("html");
        let code = invite_code(&invite);
        assert_eq!(
            bo.post_form("/join", &[("invite_code", code.as_str())])
                .await
                .status(),
            303
        );
        (ada, bo)
    }
}

/// Where a redirect leads, without its `done=` confirmation code (tests of
/// a flow compare the page; tests/http/refresh.rs checks the codes).
pub fn page_after(response: &reqwest::Response) -> String {
    without_done(&location(response))
}

fn without_done(url: &str) -> String {
    let (rest, fragment) = match url.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (url, None),
    };
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let kept: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("done="))
        .collect();
    let mut out = path.to_owned();
    if !kept.is_empty() {
        out.push('?');
        out.push_str(&kept.join("&"));
    }
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}
