//! The engine's words as a page says them: quoted as prose, and as a sentence.

/// Engine text in the words of a page: what the engine marks as typed or code (`x`, the
/// command line's notation) is quoted as prose is, “x”; a backtick without its pair stays.
pub(crate) fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('`') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('`') else { break };
        out.push_str(&rest[..open]);
        out.push('“');
        out.push_str(&after[..close]);
        out.push('”');
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

/// A message as a sentence on a page: a capital first letter (not where it starts with an email
/// address or a quoted name, which stay as typed) and a full stop. Every message the admin
/// shows in its own words or the engine's goes through this one.
pub(crate) fn sentence(message: &str) -> String {
    let message = plain(message.trim());
    let message = message.as_str();
    // An engine refusal that opens with its field's name ("due_date: …") opens with words.
    let named;
    let message = match message.split_once(": ") {
        Some((field, rest))
            if field.contains('_')
                && field.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') =>
        {
            named = format!("{}: {rest}", field.replace('_', " "));
            named.as_str()
        }
        _ => message,
    };
    let first_word = message.split_whitespace().next().unwrap_or("");
    let mut text = if first_word.contains('@') || message.starts_with(['`', '“', '"', '\'']) {
        message.to_string()
    } else {
        let mut chars = message.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => return String::new(),
        }
    };
    if !text.ends_with(['.', '?', '!']) {
        text.push('.');
    }
    text
}
