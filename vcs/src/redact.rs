//! Keeps credentials in remote URLs (`https://user:token@host/…`) out of errors, logs and
//! results.

/// `text` with the user-info part of every URL (`scheme://user:password@`) replaced by `***`.
pub(crate) fn redact_credentials(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("://") {
        let (before, after) = rest.split_at(start + 3);
        out.push_str(before);
        let authority_end =
            after.find(|c: char| c == '/' || c.is_whitespace() || "'\"`".contains(c)).unwrap_or(after.len());
        let authority = &after[..authority_end];
        match authority.rfind('@') {
            Some(at) => {
                out.push_str("***");
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &after[authority_end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::redact_credentials;

    #[test]
    fn user_info_is_replaced_and_the_rest_kept() {
        let text = "fatal: unable to access 'https://bot:s3cr3t@example.test/org/repo.git/': refused";
        assert_eq!(
            redact_credentials(text),
            "fatal: unable to access 'https://***@example.test/org/repo.git/': refused"
        );
        assert_eq!(
            redact_credentials("git clone -- http://a:b@h:1/x ssh://git@h/y /dir"),
            "git clone -- http://***@h:1/x ssh://***@h/y /dir"
        );
    }

    #[test]
    fn urls_without_credentials_and_plain_text_are_unchanged() {
        for text in ["https://example.test/org/repo.git", "file:///tmp/remote.git", "no url here", "x://", ""] {
            assert_eq!(redact_credentials(text), text);
        }
    }
}
