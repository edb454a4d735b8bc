//! TEMPORARY STUB.
pub fn plain_to_html(text: &str) -> String {
    ammonia::clean_text(text)
}
pub fn unflow(text: &str, _delsp: bool) -> String {
    text.to_string()
}
