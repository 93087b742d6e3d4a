//! QR codes drawn on the server as inline SVG, for the two-step sign-in
//! enrolment: the page needs no script, no image request and nothing from
//! a third party (SECURITY.md R8, R22). The SVG holds only a rectangle and
//! one path with presentation attributes (`fill`), which the strict CSP
//! (`style-src 'self'`, no inline styles) lets through.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

use crate::error::AppError;

/// `text` as an `<svg>` element ready to be placed in a page, labelled for
/// screen readers. The text is a URI we made (no person's input), so a
/// failure to encode it is ours.
pub fn svg(text: &str, label: &str) -> Result<String, AppError> {
    // M: the usual level for a code read off a screen.
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|e| AppError::internal().caused_by(format!("QR code: {e}")))?;
    let drawn = code
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    // Inline in HTML: without the XML prolog, and with an accessible name.
    let element = drawn
        .split_once("<svg")
        .map(|(_, rest)| format!("<svg role=\"img\" aria-label=\"{}\"{rest}", escape(label)))
        .ok_or_else(|| AppError::internal().caused_by("QR code: no <svg> element"))?;
    Ok(element)
}

/// The label goes into an attribute: our own fixed sentence, escaped anyway.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_is_an_inline_svg_without_styles_or_scripts() {
        let drawn = svg(
            "otpauth://totp/Notes:a%40b.org?secret=MZXW6YTBOI",
            "A QR code",
        )
        .expect("drawn");
        assert!(drawn.starts_with("<svg role=\"img\" aria-label=\"A QR code\" xmlns="));
        assert!(drawn.ends_with("</svg>"));
        for banned in ["<?xml", "style", "<script", "href"] {
            assert!(!drawn.contains(banned), "{banned}");
        }
    }
}
