//! Masking of personal data before it reaches a log line: enough left to tell two users
//! apart when debugging, not enough to identify them. What is shown is escaped (control and
//! invisible characters as `\u{..}`), so a hostile address can neither forge a log line nor
//! hide a character from the operator reading it.

/// `alice@example.com` becomes `a***@example.com`; anything without an `@` becomes `***`.
pub fn mask_email(email: &str) -> String {
    match email.rsplit_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).flat_map(char::escape_debug).collect();
            format!("{first}***@{}", domain.escape_debug())
        }
        None => "***".to_owned(),
    }
}

/// `+821012345678` becomes `+**********78`: the leading `+` and the last two characters stay.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    let (plus, rest) = match chars.split_first() {
        Some(('+', rest)) => ("+", rest),
        _ => ("", &chars[..]),
    };
    if rest.len() <= 4 {
        return format!("{plus}***");
    }
    let (hidden, shown) = rest.split_at(rest.len() - 2);
    let shown: String = shown.iter().flat_map(|c| c.escape_debug()).collect();
    format!("{plus}{}{shown}", "*".repeat(hidden.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_keeps_first_letter_and_domain() {
        assert_eq!(mask_email("alice@example.com"), "a***@example.com");
        assert_eq!(mask_email("@example.com"), "***@example.com");
        assert_eq!(mask_email("no-at-sign"), "***");
        assert_eq!(mask_email("한글@예시.kr"), "한***@예시.kr");
    }

    #[test]
    fn hostile_characters_are_escaped_not_written() {
        let masked = mask_email("a@x.example.com\nINFO forged line");
        assert!(!masked.contains('\n') && masked.contains("\\n"), "{masked}");
        assert_eq!(mask_email("ceo@exam\u{AD}ple.com"), "c***@exam\\u{ad}ple.com");
        assert_eq!(mask_email("\u{200B}x@example.com"), "\\u{200b}***@example.com");
        assert!(!mask_phone("+8210123456\r\n").contains('\n'));
    }

    #[test]
    fn phone_keeps_plus_and_last_two() {
        assert_eq!(mask_phone("+821012345678"), "+**********78");
        assert_eq!(mask_phone("5551234"), "*****34");
        assert_eq!(mask_phone("+123"), "+***");
        assert!(!mask_phone("+821012345678").contains("1012345"));
    }
}
