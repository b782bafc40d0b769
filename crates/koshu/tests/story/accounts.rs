//! Accounts and sign-in (issue 4; G01, G02): sign-up with a verified address, sign-in with a
//! password and a second factor, rate limits, CSRF, password reset by mail, organisations.

use crate::app::{START, TestApp, TestResponse};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use koshu_domain::access::MinistryRole;
use koshu_store::accounts::SessionStage;
use std::collections::BTreeMap;
use time::Duration;

/// A browser: keeps cookies, sends forms from the site with the CSRF token.
pub struct Browser<'a> {
    pub app: &'a TestApp,
    cookies: BTreeMap<String, String>,
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Self {
            app,
            cookies: BTreeMap::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep_cookies(&mut self, res: &TestResponse) {
        for v in res.headers.get_all(header::SET_COOKIE) {
            let text = v.to_str().unwrap();
            let (pair, attrs) = text.split_once(';').unwrap_or((text, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || attrs.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
    }

    pub fn set_cookie(&mut self, name: &str, value: &str) {
        self.cookies.insert(name.to_owned(), value.to_owned());
    }

    pub async fn get(&mut self, path: &str) -> TestResponse {
        let req = Request::get(path)
            .header(header::COOKIE, self.cookie_header())
            .body(Body::empty())
            .unwrap();
        let res = self.app.request(req).await;
        self.keep_cookies(&res);
        res
    }

    /// A response with only the first chunk of its body: server-sent events never end.
    pub async fn first_chunk(&mut self, path: &str) -> TestResponse {
        use http_body_util::BodyExt;
        use tower::ServiceExt;
        let req = Request::get(path)
            .header(header::COOKIE, self.cookie_header())
            .body(Body::empty())
            .unwrap();
        let res = self.app.router.clone().oneshot(req).await.unwrap();
        let (status, headers) = (res.status(), res.headers().clone());
        let mut body = res.into_body();
        let first = match body.frame().await {
            Some(frame) => frame.unwrap().into_data().unwrap_or_default(),
            None => Default::default(),
        };
        TestResponse {
            status,
            headers,
            body: String::from_utf8_lossy(&first).into_owned(),
            bytes: first.to_vec(),
        }
    }

    /// A `PUT` with an empty body, as the API's routes take it (the browser's cookies sent).
    pub async fn put(&mut self, path: &str) -> TestResponse {
        self.send_empty(axum::http::Method::PUT, path).await
    }

    /// A request of `method` with an empty body (the browser's cookies sent).
    pub async fn send_empty(&mut self, method: axum::http::Method, path: &str) -> TestResponse {
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::COOKIE, self.cookie_header())
            .body(Body::empty())
            .unwrap();
        self.app.request(req).await
    }

    /// A download: status and bytes as they are (not text).
    pub async fn get_bytes(&mut self, path: &str) -> (StatusCode, Vec<u8>) {
        let req = Request::get(path)
            .header(header::COOKIE, self.cookie_header())
            .body(Body::empty())
            .unwrap();
        let res = self.app.request_bytes(req).await;
        (res.0, res.1)
    }

    /// The CSRF token the site's pages give this browser: its session's when it has one,
    /// else its CSRF cookie's (fetched with a page that has a form when missing: a public
    /// page without one sets no cookie).
    pub async fn csrf_token(&mut self) -> String {
        if let Some(session) = self.cookies.get("koshu_session") {
            return koshu_web::auth::session_csrf(session);
        }
        if !self.cookies.contains_key("koshu_csrf") {
            self.get("/login").await;
        }
        self.cookies["koshu_csrf"].clone()
    }

    /// Posts a form as the site's own page would, with the CSRF token of this browser.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> TestResponse {
        let token = self.csrf_token().await;
        let mut all: Vec<(&str, &str)> = vec![("csrf", &token)];
        all.extend_from_slice(fields);
        self.post_raw(path, &all, "same-origin").await
    }

    /// The request [`Browser::post`] sends, to be sent by the caller (many at once); the
    /// browser keeps no cookies of its answer.
    pub async fn form_request(&mut self, path: &str, fields: &[(&str, &str)]) -> Request<Body> {
        let token = self.csrf_token().await;
        let mut all: Vec<(&str, &str)> = vec![("csrf", &token)];
        all.extend_from_slice(fields);
        Request::post(path)
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(serde_urlencoded::to_string(&all).unwrap()))
            .unwrap()
    }

    /// Posts JSON as `passkey.js` does: the CSRF token in a header, JSON answers wanted.
    pub async fn post_json(&mut self, path: &str, body: &serde_json::Value) -> TestResponse {
        let token = self.csrf_token().await;
        let req = Request::post(path)
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "application/json")
            .header("sec-fetch-site", "same-origin")
            .header("x-csrf-token", token)
            .body(Body::from(body.to_string()))
            .unwrap();
        let res = self.app.request(req).await;
        self.keep_cookies(&res);
        res
    }

    /// Uploads as a browser sends a form with a file: multipart, the CSRF token first.
    pub async fn post_file(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: (&str, &str, &[u8]),
    ) -> TestResponse {
        let token = self.csrf_token().await;
        let boundary = "----koshu-test-boundary-7f3a";
        let mut body = Vec::new();
        for (name, value) in [("csrf", token.as_str())].iter().chain(fields) {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        let (name, file_name, bytes) = file;
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let req = Request::post(path)
            .header(header::COOKIE, self.cookie_header())
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body))
            .unwrap();
        let res = self.app.request(req).await;
        self.keep_cookies(&res);
        res
    }

    pub async fn post_raw(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        fetch_site: &str,
    ) -> TestResponse {
        let req = Request::post(path)
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", fetch_site)
            .body(Body::from(serde_urlencoded::to_string(fields).unwrap()))
            .unwrap();
        let res = self.app.request(req).await;
        self.keep_cookies(&res);
        res
    }
}

pub fn location(res: &TestResponse) -> &str {
    res.headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// The token of the newest mail to `to` whose body links to `path`.
pub async fn token_from_mail(app: &TestApp, to: &str, path: &str) -> String {
    let mails = app.store.outbox(100, 0).await.unwrap();
    let mail = mails
        .iter()
        .find(|m| m.to_address == to && m.body.contains(path))
        .unwrap_or_else(|| panic!("no mail to {to} linking {path}"));
    let start = mail.body.find("?token=").unwrap() + "?token=".len();
    mail.body[start..start + 64].to_owned()
}

pub const PASSWORD: &str = "correct horse battery staple";

/// Signs up through the pages and follows the verification link; returns the account id.
pub async fn sign_up(app: &TestApp, name: &str, email: &str) -> String {
    let mut b = Browser::new(app);
    let res = b
        .post(
            "/signup",
            &[
                ("display_name", name),
                ("email", email),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let token = token_from_mail(app, &email.to_lowercase(), "/verify-email").await;
    let res = b.get(&format!("/verify-email?token={token}")).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    // Not signed in in this browser: the page leads to signing in, back to the account.
    assert!(res.body.contains("ログインする"), "{}", res.body);
    assert!(res.body.contains("/login?next=%2Faccount"));
    let email = koshu_domain::access::Email::parse(email).unwrap();
    app.store
        .account_by_email(&email)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// A browser signed in as `account_id`, by a session written straight to the store.
pub async fn signed_in<'a>(app: &'a TestApp, account_id: &str) -> Browser<'a> {
    let token = format!("{:064x}", rand_like(account_id));
    app.store
        .create_session(
            &koshu_web::auth::token_digest(&token),
            account_id,
            SessionStage::Full,
            None,
            app.clock_now(),
        )
        .await
        .unwrap();
    let mut b = Browser::new(app);
    b.set_cookie("koshu_session", &token);
    b
}

/// A distinct token per call, without a random-number crate in the tests.
fn rand_like(seed: &str) -> u128 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(1);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut h: u128 = 0xcbf2_9ce4_8422_2325;
    for b in seed.bytes().chain(n.to_le_bytes()) {
        h = (h ^ u128::from(b)).wrapping_mul(0x0000_0000_0100_0000_0000_0000_0000_013b);
    }
    h
}

/// Sets up two-factor authentication through the pages, with an authenticator app's code
/// computed from the otpauth URI the page shows; returns the URI.
pub async fn set_up_two_factor(b: &mut Browser<'_>) -> String {
    let page = b.get("/account/two-factor").await;
    assert_eq!(page.status, StatusCode::OK);
    let start = page.body.find("otpauth://").unwrap();
    let end = start + page.body[start..].find('<').unwrap();
    let uri = page.body[start..end].replace("&amp;", "&");
    let code = authenticator_code(&uri, b.app.clock_now().unix_timestamp());
    let done = b.post("/account/two-factor", &[("code", &code)]).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("recovery-codes"));
    uri
}

/// What an authenticator app shows at `unix` for this URI (an independent implementation).
pub fn authenticator_code(uri: &str, unix: i64) -> String {
    totp_rs::Totp::from_url(uri)
        .unwrap()
        .generate(u64::try_from(unix).unwrap())
        .to_string()
}

pub async fn sign_up_verify_and_sign_in(app: TestApp) {
    let id = sign_up(&app, "山田 太郎", "Taro.Yamada@Example.jp").await;
    let mut b = Browser::new(&app);
    let form = b.get("/login").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("autocomplete=\"current-password\""));
    let res = b
        .post(
            "/login",
            &[("email", "taro.yamada@example.jp"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(location(&res), "/account");
    let cookie = res
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("koshu_session="))
        .unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    let account = b.get("/account").await;
    assert_eq!(account.status, StatusCode::OK);
    assert!(account.body.contains("山田 太郎"));
    assert!(account.body.contains("確認済み"));
    let en = b.get("/en/account").await;
    assert!(en.body.contains("verified"));

    // The same address cannot sign up twice, and the page does not say so: a mail does.
    let mut other = Browser::new(&app);
    let again = other
        .post(
            "/signup",
            &[
                ("display_name", "別人"),
                ("email", "taro.yamada@example.jp"),
                ("password", "another long password"),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::OK);
    let mails = app.store.outbox(10, 0).await.unwrap();
    assert!(mails[0].subject.contains("登録済み"));

    // Sign-out ends the session on the server.
    let out = b.post("/logout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(
        b.get("/account").await.status,
        StatusCode::SEE_OTHER,
        "signed out"
    );
    let actions: Vec<String> = app
        .store
        .recent_audit_entries(50)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.event.subject == format!("account:{id}"))
        .map(|e| e.event.action)
        .collect();
    for action in [
        "account.create",
        "account.verify_email",
        "auth.sign_in",
        "auth.sign_out",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action}: {actions:?}");
    }
}

pub async fn bad_sign_up_input_names_each_field(app: TestApp) {
    let mut b = Browser::new(&app);
    let res = b
        .post(
            "/signup",
            &[
                ("display_name", ""),
                ("email", "not-an-address"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    // Every field at once, each with the rule it breaks (issue 12).
    assert!(res.body.contains("id=\"f-display_name-error\""));
    assert!(res.body.contains("氏名を入力してください"));
    assert!(!res.body.contains("100文字以内"));
    assert!(res.body.contains("id=\"f-email-error\""));
    assert!(res.body.contains("メールアドレスの形式が正しくありません"));
    assert!(res.body.contains("id=\"f-password-error\""), "{}", res.body);
    assert!(res.body.contains("10文字以上にしてください"));
    let markup = b
        .post(
            "/signup",
            &[
                ("display_name", "Hanako"),
                ("email", "<script>@example.jp"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(markup.status, StatusCode::BAD_REQUEST);
    assert!(markup.body.contains("id=\"f-email-error\""));
    let res = b
        .post(
            "/en/signup",
            &[
                ("display_name", "Hanako"),
                ("email", "hanako@example.jp"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert!(res.body.contains("at least 10 characters"));
    assert!(res.body.contains("aria-invalid=\"true\""));
    assert_eq!(
        app.store.outbox_count().await.unwrap(),
        0,
        "nothing was sent"
    );
}

pub async fn the_sixth_wrong_password_is_rate_limited_until_the_window_passes(app: TestApp) {
    sign_up(&app, "佐藤 花子", "hanako@example.jp").await;
    let mut b = Browser::new(&app);
    for attempt in 1..=5 {
        let res = b
            .post(
                "/login",
                &[
                    ("email", "hanako@example.jp"),
                    ("password", "wrong password!"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
        assert!(
            res.body
                .contains("メールアドレスまたはパスワードが正しくありません")
        );
    }
    let sixth = b
        .post(
            "/login",
            &[
                ("email", "hanako@example.jp"),
                ("password", "wrong password!"),
            ],
        )
        .await;
    assert_eq!(sixth.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(sixth.body.contains("試行回数が多すぎる"));
    // The same message for an address without an account: nothing is revealed.
    let right_too_soon = b
        .post(
            "/login",
            &[("email", "hanako@example.jp"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(right_too_soon.status, StatusCode::TOO_MANY_REQUESTS);

    app.clock.set(START + Duration::minutes(16));
    let later = b
        .post(
            "/login",
            &[("email", "hanako@example.jp"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(later.status, StatusCode::SEE_OTHER, "{}", later.body);
    let failures = app
        .store
        .recent_audit_entries(50)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.event.action == "auth.sign_in_failed")
        .count();
    assert_eq!(failures, 5);
}

pub async fn a_reviewer_needs_two_factor_and_a_code_from_the_otpauth_uri_signs_in(app: TestApp) {
    let id = sign_up(&app, "審査 一郎", "reviewer@meti.example.jp").await;
    app.store
        .set_ministry_roles(&id, Some(MinistryRole::Reviewer), false, "cli", START)
        .await
        .unwrap();
    let mut b = Browser::new(&app);
    let res = b
        .post(
            "/login",
            &[
                ("email", "reviewer@meti.example.jp"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    // Without a second factor the review pages send the reviewer to set it up.
    let blocked = b.get("/ministry/organisations").await;
    assert_eq!(blocked.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&blocked), "/account/two-factor");
    assert!(
        b.get("/account/two-factor")
            .await
            .body
            .contains("otpauth://")
    );
    let qr = b.get("/account/two-factor/qr.svg").await;
    assert_eq!(qr.status, StatusCode::OK);
    assert!(qr.body.contains("<svg"));
    let uri = set_up_two_factor(&mut b).await;
    assert!(uri.contains("issuer=Koshu"));
    assert_eq!(
        b.get("/ministry/organisations").await.status,
        StatusCode::OK
    );
    // A reviewer cannot turn the second factor off.
    let code = authenticator_code(&uri, START.unix_timestamp() + 60);
    let off = b
        .post("/account/two-factor/disable", &[("code", &code)])
        .await;
    assert_eq!(off.status, StatusCode::FORBIDDEN);

    // Next sign-in asks for the code; a wrong one is refused, the app's current one works.
    b.post("/logout", &[]).await;
    app.clock.set(START + Duration::minutes(2));
    let res = b
        .post(
            "/login",
            &[
                ("email", "reviewer@meti.example.jp"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(location(&res).starts_with("/login/second-factor"));
    assert_eq!(
        b.get("/ministry/organisations").await.status,
        StatusCode::SEE_OTHER,
        "not signed in until the code is given"
    );
    let wrong = b
        .post(
            "/login/second-factor?next=/ministry/organisations",
            &[("code", "000000")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let code = authenticator_code(&uri, app.clock_now().unix_timestamp());
    let ok = b
        .post(
            "/login/second-factor?next=/ministry/organisations",
            &[("code", &code)],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(location(&ok), "/ministry/organisations");
    assert_eq!(
        b.get("/ministry/organisations").await.status,
        StatusCode::OK
    );
    // The same code cannot be used twice.
    b.post("/logout", &[]).await;
    b.post(
        "/login",
        &[
            ("email", "reviewer@meti.example.jp"),
            ("password", PASSWORD),
        ],
    )
    .await;
    let replay = b.post("/login/second-factor", &[("code", &code)]).await;
    assert_eq!(replay.status, StatusCode::UNAUTHORIZED);
}

pub async fn a_recovery_code_works_once(app: TestApp) {
    let id = sign_up(&app, "鈴木 次郎", "jiro@example.jp").await;
    let mut b = signed_in(&app, &id).await;
    let page = b.get("/account/two-factor").await;
    let start = page.body.find("otpauth://").unwrap();
    let end = start + page.body[start..].find('<').unwrap();
    let uri = page.body[start..end].replace("&amp;", "&");
    let done = b
        .post(
            "/account/two-factor",
            &[("code", &authenticator_code(&uri, START.unix_timestamp()))],
        )
        .await;
    let list = done.body.split("class=\"recovery-codes\">").nth(1).unwrap();
    let first = &list[list.find("<li>").unwrap() + 4..list.find("</li>").unwrap()];
    assert_eq!(first.len(), 9, "{first}");
    for (attempt, expected) in [(1, StatusCode::SEE_OTHER), (2, StatusCode::UNAUTHORIZED)] {
        let mut fresh = Browser::new(&app);
        fresh
            .post(
                "/login",
                &[("email", "jiro@example.jp"), ("password", PASSWORD)],
            )
            .await;
        let res = fresh
            .post("/login/second-factor", &[("code", &first.to_uppercase())])
            .await;
        assert_eq!(res.status, expected, "use {attempt}");
    }
}

pub async fn cross_site_posts_are_refused_and_the_sites_own_form_works(app: TestApp) {
    sign_up(&app, "田中 三郎", "saburo@example.jp").await;
    // Pages with a form set the CSRF cookie; public pages, API answers and static files
    // (which caches keep) do not.
    let page = app.get("/login").await;
    assert!(
        page.headers
            .get(header::SET_COOKIE)
            .is_some_and(|c| c.to_str().unwrap().starts_with("koshu_csrf="))
    );
    for path in ["/", "/api/v1/taxonomy", "/static/koshu.css"] {
        assert!(
            app.get(path)
                .await
                .headers
                .get(header::SET_COOKIE)
                .is_none(),
            "{path}"
        );
    }
    let mut b = Browser::new(&app);
    b.get("/login").await;
    let token = b.cookies["koshu_csrf"].clone();
    let fields = [
        ("csrf", token.as_str()),
        ("email", "saburo@example.jp"),
        ("password", PASSWORD),
    ];
    let cross = b.post_raw("/login", &fields, "cross-site").await;
    assert_eq!(cross.status, StatusCode::FORBIDDEN);
    assert!(cross.body.contains("csrf.cross_site"));
    let no_token = b.post_raw("/login", &fields[1..], "same-origin").await;
    assert_eq!(no_token.status, StatusCode::FORBIDDEN);
    assert!(no_token.body.contains("csrf.token"));
    let same = b.post_raw("/login", &fields, "same-origin").await;
    assert_eq!(same.status, StatusCode::SEE_OTHER);
    assert_ne!(
        b.cookies["koshu_csrf"], token,
        "a new cookie token at sign-in"
    );

    // The token is bound to the session (G02): the one from before signing in no longer
    // passes; the token of the signed-in pages does.
    let stale = b
        .post_raw("/logout", &[("csrf", token.as_str())], "same-origin")
        .await;
    assert_eq!(stale.status, StatusCode::FORBIDDEN);
    assert!(stale.body.contains("csrf.token"));
    let account = b.get("/account").await;
    let marker = "name=\"csrf\" value=\"";
    let start = account.body.find(marker).unwrap() + marker.len();
    let fresh = &account.body[start..start + 64];
    assert_ne!(fresh, token);
    let out = b
        .post_raw("/logout", &[("csrf", fresh)], "same-origin")
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(
        out.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .any(|c| c.to_str().unwrap().starts_with("koshu_csrf=")),
        "and another at sign-out"
    );
}

pub async fn password_reset_by_mail_signs_out_everywhere(app: TestApp) {
    let id = sign_up(&app, "高橋 四郎", "shiro@example.jp").await;
    let mut elsewhere = signed_in(&app, &id).await;
    assert_eq!(elsewhere.get("/account").await.status, StatusCode::OK);
    let mut b = Browser::new(&app);
    let sent = b
        .post("/password/forgot", &[("email", "shiro@example.jp")])
        .await;
    let unknown = b
        .post("/password/forgot", &[("email", "nobody@example.jp")])
        .await;
    assert_eq!(sent.status, StatusCode::OK);
    assert_eq!(sent.body, unknown.body, "the page says the same either way");
    assert!(
        !app.store
            .outbox(50, 0)
            .await
            .unwrap()
            .iter()
            .any(|m| m.to_address == "nobody@example.jp")
    );
    let token = token_from_mail(&app, "shiro@example.jp", "/password/reset").await;
    let weak = b
        .post(
            &format!("/password/reset?token={token}"),
            &[("password", "short")],
        )
        .await;
    assert_eq!(
        weak.status,
        StatusCode::BAD_REQUEST,
        "the link still works after a bad password"
    );
    let done = b
        .post(
            &format!("/password/reset?token={token}"),
            &[("password", "a brand new pass phrase")],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(
        elsewhere.get("/account").await.status,
        StatusCode::SEE_OTHER
    );
    let again = b
        .post(
            &format!("/password/reset?token={token}"),
            &[("password", "yet another pass phrase")],
        )
        .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "used once");
    let login = b
        .post(
            "/login",
            &[
                ("email", "shiro@example.jp"),
                ("password", "a brand new pass phrase"),
            ],
        )
        .await;
    assert_eq!(login.status, StatusCode::SEE_OTHER);
}

/// The registration form's fields for a valid organisation.
pub fn organisation_fields(corporate_number: &str) -> Vec<(&'static str, String)> {
    [
        ("name_ja", "株式会社サイバー研修"),
        ("address", "東京都千代田区霞が関1-3-1"),
        ("representative", "代表取締役 山田太郎"),
        ("course_manager_name", "佐藤花子"),
        ("course_manager_email", "sato@example.jp"),
        ("enrolment_admin_name", "鈴木一郎"),
        ("enrolment_admin_email", "suzuki@example.jp"),
        ("inquiry_name", "研修事務局"),
        ("inquiry_email", "info@example.jp"),
        ("complaints_name", "お客様相談室"),
        ("complaints_phone", "03-1234-5678"),
        ("privacy_kind", "privacy_mark"),
        ("privacy_number", "10820001(05)"),
        ("privacy_valid_until", "2027-03-31"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_owned()))
    .chain([("corporate_number", corporate_number.to_owned())])
    .collect()
}

/// Registers an organisation through the page as `b`; returns its id.
pub async fn register_organisation(b: &mut Browser<'_>, corporate_number: &str) -> String {
    let fields = organisation_fields(corporate_number);
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = b.post("/organisations/new", &pairs).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    location(&res)
        .trim_start_matches("/organisations/")
        .to_owned()
}

pub async fn a_provider_registers_and_invites_staff(app: TestApp) {
    let owner = sign_up(&app, "山田 太郎", "owner@cyber.example.jp").await;
    let mut b = signed_in(&app, &owner).await;
    // A wrong check digit is named with its rule.
    let mut fields = organisation_fields("6010001008846");
    fields.retain(|(k, _)| *k != "inquiry_email");
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let bad = b.post("/organisations/new", &pairs).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("id=\"f-corporate_number-error\""));
    assert!(bad.body.contains("検査用数字"), "{}", bad.body);
    assert!(bad.body.contains("id=\"f-inquiry_email-error\""));

    let org = register_organisation(&mut b, "5010001008846").await;
    let page = b.get(&format!("/organisations/{org}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("5010001008846"));
    assert!(page.body.contains("お客様相談室"));
    // The same legal entity cannot be registered twice.
    let mut again = signed_in(&app, &sign_up(&app, "別人", "other@example.jp").await).await;
    let fields = organisation_fields("5010001008846");
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let dup = again.post("/organisations/new", &pairs).await;
    assert_eq!(dup.status, StatusCode::CONFLICT);

    // Invite an editor by mail; the invitation works only for that address, once.
    let invite = b
        .post(
            &format!("/organisations/{org}/staff"),
            &[("email", "editor@cyber.example.jp"), ("role", "editor")],
        )
        .await;
    assert_eq!(invite.status, StatusCode::OK, "{}", invite.body);
    let token = token_from_mail(&app, "editor@cyber.example.jp", "/invitations/accept").await;
    let stranger = again
        .get(&format!("/invitations/accept?token={token}"))
        .await;
    assert_eq!(stranger.status, StatusCode::BAD_REQUEST);
    let editor = sign_up(&app, "編集 花子", "editor@cyber.example.jp").await;
    let mut e = signed_in(&app, &editor).await;
    assert_eq!(
        e.get(&format!("/organisations/{org}")).await.status,
        StatusCode::FORBIDDEN
    );
    let show = e.get(&format!("/invitations/accept?token={token}")).await;
    assert_eq!(show.status, StatusCode::OK);
    assert!(show.body.contains("株式会社サイバー研修"));
    let accepted = e
        .post(&format!("/invitations/accept?token={token}"), &[])
        .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER);
    assert_eq!(
        e.get(&format!("/organisations/{org}")).await.status,
        StatusCode::OK
    );
    let staff = b.get(&format!("/organisations/{org}/staff")).await;
    assert!(staff.body.contains("editor@cyber.example.jp"));
    assert!(staff.body.contains("編集者"));
    // Editors do not change the organisation's details.
    assert_eq!(
        e.get(&format!("/organisations/{org}/edit")).await.status,
        StatusCode::FORBIDDEN
    );
}

pub async fn an_administrator_resets_a_lost_second_factor(app: TestApp) {
    let admin = sign_up(&app, "管理 者", "admin@meti.example.jp").await;
    let reviewer = sign_up(&app, "審査 担当", "reviewer@meti.example.jp").await;
    for (id, role) in [
        (&admin, MinistryRole::Administrator),
        (&reviewer, MinistryRole::Reviewer),
    ] {
        app.store
            .set_ministry_roles(id, Some(role), false, "cli", START)
            .await
            .unwrap();
        set_up_two_factor(&mut signed_in(&app, id).await).await;
    }
    let mut r = signed_in(&app, &reviewer).await;
    assert_eq!(
        r.get("/ministry/organisations").await.status,
        StatusCode::OK
    );
    let mut a = signed_in(&app, &admin).await;
    let list = a.get("/admin/accounts").await;
    assert!(
        list.body
            .contains(&format!("/admin/accounts/{reviewer}/two-factor/reset"))
    );
    let res = a
        .post(&format!("/admin/accounts/{reviewer}/two-factor/reset"), &[])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    // The reviewer's sessions ended; signing in again leads to setting up a new factor.
    assert_eq!(r.get("/account").await.status, StatusCode::SEE_OTHER);
    let mut again = Browser::new(&app);
    let login = again
        .post(
            "/login",
            &[
                ("email", "reviewer@meti.example.jp"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(
        location(&login),
        "/account",
        "no code asked: the factor is gone"
    );
    let blocked = again.get("/ministry/organisations").await;
    assert_eq!(location(&blocked), "/account/two-factor");
    // Nobody resets their own.
    let own = a
        .post(&format!("/admin/accounts/{admin}/two-factor/reset"), &[])
        .await;
    assert_eq!(own.status, StatusCode::BAD_REQUEST);
    let audited = app
        .store
        .recent_audit_entries(20)
        .await
        .unwrap()
        .into_iter()
        .any(|e| e.event.action == "account.second_factor_reset_by_administrator");
    assert!(audited);
}
