//! TEMPORARY STUB (replaced by the real sanitizer).
pub struct SanitizeOptions<'a> {
    pub allow_remote: bool,
    pub cid_url: &'a dyn Fn(&str) -> Option<String>,
    pub blocked_image_url: &'a str,
}
pub struct Sanitized {
    pub html: String,
    pub blocked_remote: usize,
}
pub fn sanitize_html(input: &str, _opts: &SanitizeOptions<'_>) -> Sanitized {
    Sanitized {
        html: ammonia::clean(input),
        blocked_remote: 0,
    }
}
