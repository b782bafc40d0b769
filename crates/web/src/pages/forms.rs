//! Forms as data: a page lists its fields, one template draws them all the same accessible way
//! (label, hint, error tied by `aria-describedby`, an error summary that links to each field).

use crate::error::AppError;
use crate::view::PageCtx;
use askama::Template;
use koshu_domain::ValidationError;
use koshu_domain::types::text::{TextKind, check_text};
use serde::de::DeserializeOwned;

/// One input of a form.
#[derive(Debug, Clone)]
pub struct FormField {
    pub name: String,
    pub label: String,
    /// `text`, `email`, `password`, `tel`, `url`, `date`, `number`, `textarea`, `radio`,
    /// `select`, `checkbox` (one box: checked when `value` is `true`), `checkboxes` (a group:
    /// `selected` holds the checked values).
    pub kind: &'static str,
    pub value: String,
    pub autocomplete: &'static str,
    pub hint: String,
    pub error: Option<String>,
    pub required: bool,
    /// For `radio` and `select`: value and label.
    pub options: Vec<(String, String)>,
    /// A heading shown before this field, starting a group of fields.
    pub heading: String,
    /// For `checkboxes`: the checked values.
    pub selected: Vec<String>,
}

impl FormField {
    pub fn new(name: &str, label: &str, kind: &'static str) -> Self {
        Self {
            name: name.to_owned(),
            label: label.to_owned(),
            kind,
            value: String::new(),
            autocomplete: "off",
            hint: String::new(),
            error: None,
            required: true,
            options: Vec::new(),
            heading: String::new(),
            selected: Vec::new(),
        }
    }

    pub fn heading(mut self, h: &str) -> Self {
        self.heading = h.to_owned();
        self
    }

    pub fn value(mut self, v: &str) -> Self {
        self.value = v.to_owned();
        self
    }

    pub fn autocomplete(mut self, a: &'static str) -> Self {
        self.autocomplete = a;
        self
    }

    pub fn hint(mut self, h: &str) -> Self {
        self.hint = h.to_owned();
        self
    }

    pub fn optional(mut self) -> Self {
        self.required = false;
        self
    }

    pub fn options(mut self, options: Vec<(String, String)>) -> Self {
        self.options = options;
        self
    }

    /// `id` of the input; error and hint ids derive from it. Field paths such as
    /// `curriculum[2].title` become `f-curriculum-2-title`: safe in a URL fragment.
    pub fn id(&self) -> String {
        field_id(&self.name)
    }

    pub fn hint_id(&self) -> String {
        format!("{}-hint", self.id())
    }

    pub fn error_id(&self) -> String {
        format!("{}-error", self.id())
    }

    pub fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if !self.hint.is_empty() {
            ids.push(self.hint_id());
        }
        if self.error.is_some() {
            ids.push(self.error_id());
        }
        ids.join(" ")
    }

    pub fn is_checked(&self, option: &str) -> bool {
        self.value == option || self.selected.iter().any(|s| s == option)
    }
}

/// The element id of the input for a field name or path (`f-` and the path with every run of
/// other characters than letters, digits, `_` turned into one `-`).
pub fn field_id(name: &str) -> String {
    let mut id = String::from("f-");
    let mut dash = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            id.push(c);
            dash = false;
        } else if !dash {
            id.push('-');
            dash = true;
        }
    }
    id.trim_end_matches('-').to_owned()
}

/// A form page: a title, what it is for, the fields, and where it goes.
#[derive(Template)]
#[template(path = "form_page.html")]
pub struct FormPage {
    pub page: PageCtx,
    pub title: String,
    pub intro: Vec<String>,
    /// Facts the form is about, shown as a list of terms before it (a session's dates, fee).
    pub facts: Vec<(String, String)>,
    pub action: String,
    pub fields: Vec<FormField>,
    pub submit: String,
    /// Errors not tied to one field (wrong password, expired link, ...).
    pub general_errors: Vec<String>,
    /// A confirmation shown above the form.
    pub notice: Option<String>,
    /// Links below the form: label and address.
    pub links: Vec<(String, String)>,
    /// The form sends a file (`multipart/form-data`; its route is an upload route).
    pub multipart: bool,
    /// The second step of signing in may also be done with a passkey (`passkey.js`).
    pub passkey: Option<PasskeyStep>,
}

/// A passkey instead of (or beside) the form: where the script asks for a challenge and where
/// it sends the answer.
#[derive(Debug, Clone)]
pub struct PasskeyStep {
    pub options: String,
    pub finish: String,
    /// The account has no code to type: the passkey is the only way on.
    pub only: bool,
}

impl FormPage {
    pub fn new(page: PageCtx, title: &str, action: &str, submit: &str) -> Self {
        Self {
            action: page.href(action),
            page,
            title: title.to_owned(),
            intro: Vec::new(),
            facts: Vec::new(),
            fields: Vec::new(),
            submit: submit.to_owned(),
            general_errors: Vec::new(),
            notice: None,
            links: Vec::new(),
            multipart: false,
            passkey: None,
        }
    }

    /// The form is drawn unless a passkey is the only way on.
    pub fn shows_form(&self) -> bool {
        self.passkey.as_ref().is_none_or(|p| !p.only)
    }

    /// Every field error and general error, for the summary at the top.
    pub fn error_count(&self) -> usize {
        self.general_errors.len() + self.fields.iter().filter(|f| f.error.is_some()).count()
    }

    /// Attaches each error to its field, or to the general list when no field has its name.
    pub fn with_errors(mut self, errors: &[ValidationError]) -> Self {
        let general = attach_errors(&mut self.fields, &self.page, errors);
        self.general_errors.extend(general);
        self
    }
}

/// Puts each error on its field (the first per field); returns those that belong to none.
pub fn attach_errors(
    fields: &mut [FormField],
    page: &PageCtx,
    errors: &[ValidationError],
) -> Vec<String> {
    let mut general = Vec::new();
    for e in errors {
        let message = page.t(&e.message_ja, &e.message_en).to_owned();
        match fields
            .iter_mut()
            .find(|f| Some(f.name.as_str()) == e.field.as_deref())
        {
            Some(f) if f.error.is_none() => f.error = Some(message),
            Some(_) => {}
            None => general.push(message),
        }
    }
    general
}

/// Parses a urlencoded form body into `T`; missing fields take their defaults. No value may
/// hold a control character other than a line break or tab (a 400 naming the field), so no
/// handler stores one; one-line fields refuse those too, where their kind is known.
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    let unreadable = |_| {
        AppError::Invalid(ValidationError::new(
            "form.format",
            "送信された内容を読み取れませんでした。ページを再読み込みしてもう一度送信してください。",
            "The form could not be read. Please reload the page and send it again.",
        ))
    };
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).map_err(unreadable)?;
    for (name, value) in &pairs {
        check_text(value, TextKind::Multiline).map_err(|e| e.for_field(name.as_str()))?;
    }
    serde_urlencoded::from_bytes(body).map_err(unreadable)
}

/// The file of field `name` in an upload form (its name as sent, trimmed, and its bytes), or
/// `None` when the form cannot be read or the field is missing or empty.
pub async fn uploaded_file(
    form: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
    name: &str,
) -> Option<(String, axum::body::Bytes)> {
    let mut form = form.ok()?;
    let mut file = None;
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some(name) {
            let file_name = field.file_name().unwrap_or("").trim().to_owned();
            if let Ok(bytes) = field.bytes().await
                && !bytes.is_empty()
            {
                file = Some((file_name, bytes));
            }
        }
    }
    file
}
