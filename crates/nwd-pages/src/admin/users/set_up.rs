//! A new account's set-up page (`/staff/admin/users/{id}/set-up`), where creating an account
//! lands (post/redirect/get: the form's answer is a redirect here, so the page can be
//! refreshed and nothing sensitive sits in a POST response). While the account's
//! authenticator has not been used, it shows the QR code (drawn on the server as SVG, no
//! script and nothing sent elsewhere) and the secret for the administrator to give the
//! member of staff in person; once they have signed in with it, the page says so and shows
//! neither. Each view is audited by the route guard as a read of the account.

use qrcode::render::svg;
use qrcode::QrCode;

use super::*;

#[derive(Template)]
#[template(path = "admin_user_set_up.html")]
struct SetUpPage {
    layout: Layout,
    user: UserSummary,
    created: bool,
    pending: bool,
    secret: String,
    qr_svg: String,
}

/// The QR code of an `otpauth://` address as an inline SVG image with a text alternative,
/// or `None` when it cannot be encoded (it always can: the address is short).
pub fn qr_svg(address: &str) -> Option<String> {
    let code = QrCode::new(address.as_bytes()).ok()?;
    let image = code
        .render::<svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    // The renderer's own document, from its `<svg` on, labelled for screen readers.
    let start = image.find("<svg")?;
    Some(image[start..].replacen(
        "<svg",
        "<svg role=\"img\" aria-label=\"QR code to scan with an authenticator app\" class=\"nwd-qr\"",
        1,
    ))
}

/// The secret in an `otpauth://` address (its `secret` parameter), for typing in by hand.
fn secret_of(address: &str) -> String {
    address
        .split_once('?')
        .map(|(_, query)| query)
        .into_iter()
        .flat_map(|q| q.split('&'))
        .find_map(|pair| pair.strip_prefix("secret="))
        .unwrap_or_default()
        .to_owned()
}

/// The set-up page: the account, and its authenticator's QR code until it has been used.
#[utoipa::path(get, path = "/staff/admin/users/{id}/set-up", tag = "pages",
    params(("id" = String, Path), ("created" = Option<String>, Query, description = "1 just after the account was created")),
    responses((status = 200, description = "The account's set-up details", content_type = "text/html"), (status = 404, description = "Not found")))]
pub async fn set_up(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    axum::extract::Query(query): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> PageResult {
    let user = state.store.user(&id).await.map_err(PageError::staff)?;
    let address = state
        .store
        .authenticator_set_up(&id)
        .await
        .map_err(|e| PageError::staff(auth(e)))?;
    let pending = state
        .store
        .pending_role_grants()
        .await
        .map_err(PageError::staff)?
        .iter()
        .any(|g| g.user_id == id);
    let page = SetUpPage {
        layout: Layout::staff("Set up the account", &principal),
        created: query.get("created").is_some_and(|v| v == "1"),
        pending,
        secret: address.as_deref().map(secret_of).unwrap_or_default(),
        qr_svg: address.as_deref().and_then(qr_svg).unwrap_or_default(),
        user,
    };
    Ok(render(&page, StatusCode::OK, Sensitivity::Identifiable))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_qr_code_is_an_svg_image_with_a_text_alternative() {
        let svg = qr_svg(
            "otpauth://totp/No%20Wrong%20Door:a.b?secret=JBSWY3DPEHPK3PXP&issuer=No%20Wrong%20Door",
        )
        .expect("encodes");
        assert!(svg.starts_with("<svg role=\"img\" aria-label="));
        assert!(svg.contains("<path") || svg.contains("<rect"));
    }

    #[test]
    fn the_secret_is_read_from_the_address() {
        assert_eq!(
            secret_of("otpauth://totp/x:y?secret=ABC234&issuer=x"),
            "ABC234"
        );
        assert_eq!(secret_of("otpauth://totp/x:y?issuer=x"), "");
    }
}
