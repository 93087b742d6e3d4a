//! Forms held across a sign-out: an answer typed for twenty minutes and
//! saved after the session ran out is not lost. The body is kept on the
//! server for [`domain::accounts::HOLD_FOR`], encrypted under a key that only
//! the author's browser holds (cookie `held`), bound to the author's account
//! (the row and the cipher's associated data both name it). After signing
//! in again, as the same person, the form comes back with the text in it.
//!
//! SECURITY: the partner signing in on the same browser finds nothing (the
//! row belongs to the author's account), and the database alone cannot read
//! the text (the key is in the cookie only).

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use chrono::Utc;
use domain::store::HeldForm;
use domain::AccountId;

use crate::error::AppError;
use crate::state::AppState;

pub const COOKIE: &str = "held";
const NONCE_LEN: usize = 12;

/// A form given back: where it was posted and its fields, in order.
#[derive(Debug, Clone)]
pub struct Returned {
    pub path: String,
    pub fields: Vec<(String, String)>,
}

fn aad(account: AccountId, id: uuid::Uuid) -> String {
    format!("held-form:{account}:{id}")
}

/// Keeps the urlencoded `body` posted to `path` for `account`; returns the
/// cookie value (`<id>.<key>`) that alone can open it again.
pub async fn hold(
    state: &AppState,
    account: AccountId,
    path: &str,
    body: &[u8],
) -> Result<String, AppError> {
    let id = uuid::Uuid::new_v4();
    let key = ChaCha20Poly1305::generate_key(&mut OsRng);
    let nonce = ChaCha20Poly1305::generate_nonce(&mut OsRng);
    let aad = aad(account, id);
    let ciphertext = ChaCha20Poly1305::new(&key)
        .encrypt(
            &nonce,
            Payload {
                msg: body,
                aad: aad.as_bytes(),
            },
        )
        .map_err(|_| AppError::internal().caused_by("held form encryption failed"))?;
    let mut sealed = nonce.to_vec();
    sealed.extend_from_slice(&ciphertext);
    domain::accounts::hold_form(
        &state.app,
        &HeldForm {
            id,
            account_id: account,
            path: path.to_owned(),
            sealed: STANDARD.encode(sealed),
            created_at: Utc::now(),
        },
    )
    .await?;
    Ok(format!("{id}.{}", URL_SAFE_NO_PAD.encode(key)))
}

/// Takes back the form the cookie names, if it belongs to `account` and is
/// still fresh; once only.
pub async fn take(
    state: &AppState,
    account: AccountId,
    cookie: &str,
) -> Result<Option<Returned>, AppError> {
    let Some((id, key)) = cookie.split_once('.') else {
        return Ok(None);
    };
    let (Ok(id), Ok(key)) = (uuid::Uuid::parse_str(id), URL_SAFE_NO_PAD.decode(key)) else {
        return Ok(None);
    };
    if key.len() != 32 {
        return Ok(None);
    }
    let Some(form) = domain::accounts::take_held_form(&state.app, account, id, Utc::now()).await?
    else {
        return Ok(None);
    };
    let Ok(sealed) = STANDARD.decode(&form.sealed) else {
        return Ok(None);
    };
    if sealed.len() < NONCE_LEN {
        return Ok(None);
    }
    let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
    let aad = aad(account, id);
    let Ok(body) = ChaCha20Poly1305::new(Key::from_slice(&key)).decrypt(
        Nonce::from_slice(nonce),
        Payload {
            msg: ciphertext,
            aad: aad.as_bytes(),
        },
    ) else {
        return Ok(None);
    };
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    Ok(Some(Returned {
        path: form.path,
        fields,
    }))
}
