//! The rule for a new password: length only, no composition rules (NIST SP 800-63B, OWASP
//! ASVS 5.0 V6.2), between [`MIN_PASSWORD_CHARS`] and [`MAX_PASSWORD_CHARS`].

/// Minimum password length: 8 characters, no composition rules (NIST SP 800-63B §3.1.1.2 and
/// OWASP ASVS 5.0 V6.2.1; 15 recommended, ASVS V6.2.2 guidance).
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Recommended length, shown to users.
pub const RECOMMENDED_PASSWORD_CHARS: usize = 15;
/// Maximum accepted length: at least 64 must be allowed (ASVS V6.2.9); 128 bounds hashing work.
pub const MAX_PASSWORD_CHARS: usize = 128;

/// Why a new password is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordProblem {
    /// Too short.
    #[error("use at least {MIN_PASSWORD_CHARS} characters ({RECOMMENDED_PASSWORD_CHARS} or more recommended); a few unrelated words make a good password")]
    TooShort,
    /// Too long.
    #[error("use at most {MAX_PASSWORD_CHARS} characters")]
    TooLong,
    /// In the breached-password list.
    #[error("this password appears in a list of breached passwords; choose another")]
    Breached,
    /// The same as the username.
    #[error("the password must not be the username")]
    IsUsername,
}

/// Checks a new password: length only (no composition rules), not the username, not in the
/// breached list (`breached` answers for a lower-cased candidate).
pub fn check_new_password(
    password: &str,
    username: &str,
    breached: impl Fn(&str) -> bool,
) -> Result<(), PasswordProblem> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(PasswordProblem::TooShort);
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(PasswordProblem::TooLong);
    }
    if password.eq_ignore_ascii_case(username) {
        return Err(PasswordProblem::IsUsername);
    }
    if breached(&password.to_lowercase()) {
        return Err(PasswordProblem::Breached);
    }
    Ok(())
}
