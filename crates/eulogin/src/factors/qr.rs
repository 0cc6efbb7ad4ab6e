//! QR codes drawn as inline SVG (the `qrcode` crate): no image request, nothing for the CSP to
//! allow, sharp at any zoom.

use qrcode::QrCode;
use qrcode::render::svg;

/// The SVG of a QR code carrying `payload`, or `None` if it is too long for a QR code.
pub fn svg(payload: &str) -> Option<String> {
    let code = QrCode::new(payload.as_bytes()).ok()?;
    Some(
        code.render::<svg::Color<'_>>()
            .min_dimensions(220, 220)
            .quiet_zone(true)
            .build(),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_payload_becomes_an_svg_image() {
        let image = super::svg("otpauth://totp/EU%20Login:jane?secret=ABC").unwrap();
        assert!(image.contains("<svg"), "{image}");
        assert!(super::svg(&"x".repeat(8000)).is_none());
    }
}
