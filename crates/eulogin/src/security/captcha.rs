//! The registration captcha ("Enter the code"), self-hosted: an image of a short code, and
//! for people who cannot see it the same code spoken as letters (WAV), each with random noise
//! and gaps so clips cannot be matched byte for byte. The answer lives in the key-value store
//! for ten minutes and can be checked once.

use infra::kv::{KeyValue, KvError};
use time::Duration;

const LIFETIME: Duration = Duration::minutes(10);
const CODE_LEN: usize = 5;
/// Letters that no font makes ambiguous (no 0/O, 1/l/I, 5/S, 2/Z, 8/B).
const ALPHABET: &[char] = &[
    'a', 'c', 'd', 'e', 'f', 'h', 'k', 'm', 'n', 'p', 'r', 't', 'u', 'v', 'w', 'x', 'y', '3', '4',
    '6', '7', '9',
];

fn key(id: &str) -> String {
    format!("captcha:{id}")
}

/// Creates a challenge and returns its id (the code stays server-side).
pub async fn create(kv: &KeyValue) -> Result<String, KvError> {
    let id = infra::crypto::random_token();
    let bytes = infra::crypto::random_bytes::<CODE_LEN>();
    let code: String = bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()])
        .collect();
    kv.set(&key(&id), &code, LIFETIME).await?;
    Ok(id)
}

/// The code of a challenge (for rendering it), without using it up.
pub async fn code_of(kv: &KeyValue, id: &str) -> Result<Option<String>, KvError> {
    if id.len() != 43 {
        return Ok(None);
    }
    kv.get(&key(id)).await
}

/// Checks an answer. The challenge is gone afterwards, right or wrong: each image gets one try.
pub async fn check(kv: &KeyValue, id: &str, answer: &str) -> Result<bool, KvError> {
    if id.len() != 43 {
        return Ok(false);
    }
    let Some(code) = kv.take(&key(id)).await? else {
        return Ok(false);
    };
    let typed: String = answer
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase();
    Ok(infra::crypto::constant_time_eq(
        typed.as_bytes(),
        code.as_bytes(),
    ))
}

/// The code drawn as a distorted PNG image.
pub fn render_png(code: &str) -> Option<Vec<u8>> {
    use captcha::filters::{Dots, Noise, Wave};
    let mut image = captcha::Captcha::new();
    for c in code.chars() {
        image.set_chars(&[c]).add_char();
    }
    image
        .apply_filter(Noise::new(0.2))
        .apply_filter(Wave::new(2.0, 16.0).horizontal())
        .view(220, 100)
        .apply_filter(Dots::new(8));
    image.as_png()
}

/// The code spoken letter by letter, as one WAV file.
pub fn render_wav(code: &str) -> Option<Vec<u8>> {
    let mut letters = captcha::Captcha::new();
    for c in code.chars() {
        letters.set_chars(&[c]).add_char();
    }
    let clips = letters.as_wav();
    let mut spec = None;
    let mut samples: Vec<i16> = Vec::new();
    let noise = infra::crypto::random_bytes::<4096>();
    let mut n = 0usize;
    for clip in clips {
        let clip = clip?;
        let mut reader = hound::WavReader::new(std::io::Cursor::new(clip)).ok()?;
        let this_spec = reader.spec();
        spec.get_or_insert(this_spec);
        // A gap of random length between letters.
        let gap = usize::from(noise[n % noise.len()]) * (this_spec.sample_rate as usize / 512)
            + this_spec.sample_rate as usize / 4;
        for _ in 0..gap {
            samples.push(i16::from(noise[n % noise.len()] as i8) * 4);
            n += 1;
        }
        for s in reader.samples::<i16>() {
            let jitter = i16::from(noise[n % noise.len()] as i8) * 4;
            samples.push(s.ok()?.saturating_add(jitter));
            n += 1;
        }
    }
    let spec = spec?;
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut writer = hound::WavWriter::new(&mut out, spec).ok()?;
        for s in samples {
            writer.write_sample(s).ok()?;
        }
        writer.finalize().ok()?;
    }
    Some(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_letter_of_the_alphabet_can_be_drawn_and_spoken() {
        for chunk in ALPHABET.chunks(CODE_LEN) {
            let code: String = chunk.iter().collect();
            let png = render_png(&code).expect("png");
            assert_eq!(&png[1..4], b"PNG");
            let wav = render_wav(&code).expect("wav");
            assert_eq!(&wav[0..4], b"RIFF");
        }
    }
}
