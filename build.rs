//! The Fluent files under `locales/` are compiled into the binary by `static_loader!`, which
//! reads the directory when the crate is built. Cargo does not notice a new language folder
//! on its own, so this tells it to rebuild whenever anything under `locales/` changes: adding
//! a language is adding a folder, with no other step.

fn main() {
    println!("cargo:rerun-if-changed=locales");
    println!("cargo:rerun-if-changed=build.rs");
}
