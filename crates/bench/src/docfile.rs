//! Writing a backend's section into a Markdown file, between
//! `<!-- bench:<backend>:begin -->` and `<!-- bench:<backend>:end -->`. Everything outside the
//! markers is left exactly as it is; a file or markers that do not exist yet are created.

use anyhow::{Context, bail};
use std::path::Path;

const NEW_FILE: &str = "# Benchmarks\n\nWritten by `make bench` (`crates/bench`).\n";

fn markers(backend: &str) -> (String, String) {
    (
        format!("<!-- bench:{backend}:begin -->"),
        format!("<!-- bench:{backend}:end -->"),
    )
}

/// `text` with the section of `backend` replaced by `section` (or appended).
pub fn replace_section(text: &str, backend: &str, section: &str) -> anyhow::Result<String> {
    let (begin, end) = markers(backend);
    let body = format!("{begin}\n{}\n{end}", section.trim_end());
    match (text.find(&begin), text.find(&end)) {
        (Some(b), Some(e)) if b < e => {
            Ok(format!("{}{body}{}", &text[..b], &text[e + end.len()..]))
        }
        (None, None) => {
            let mut out = text.trim_end().to_owned();
            out.push_str("\n\n");
            out.push_str(&body);
            out.push('\n');
            Ok(out)
        }
        _ => bail!("the markers {begin} and {end} are not a pair: fix the file by hand"),
    }
}

/// Writes the section into `path`, creating the file if needed.
pub fn write_section(path: &Path, backend: &str, section: &str) -> anyhow::Result<()> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => NEW_FILE.to_owned(),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let updated = replace_section(&text, backend, section)?;
    std::fs::write(path, updated).with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_section_is_appended_and_then_replaced_in_place() {
        let text = "# Benchmarks\n\nIntro.\n";
        let once = replace_section(text, "embedded", "first").unwrap();
        assert_eq!(
            once,
            "# Benchmarks\n\nIntro.\n\n<!-- bench:embedded:begin -->\nfirst\n<!-- bench:embedded:end -->\n"
        );
        let with_more = format!("{once}\nOutro.\n");
        let twice = replace_section(&with_more, "embedded", "second\n").unwrap();
        assert_eq!(
            twice,
            "# Benchmarks\n\nIntro.\n\n<!-- bench:embedded:begin -->\nsecond\n<!-- bench:embedded:end -->\n\nOutro.\n"
        );
        let other = replace_section(&twice, "production", "pg").unwrap();
        assert!(other.contains("second") && other.ends_with("pg\n<!-- bench:production:end -->\n"));
    }

    #[test]
    fn a_lone_marker_is_refused() {
        assert!(replace_section("<!-- bench:embedded:end -->", "embedded", "x").is_err());
    }
}
