//! The bindings generator, built from the same uniffi as the library so that they always match:
//! `cargo run -p linli-ffi --bin uniffi-bindgen -- generate --library <lib> --language kotlin …`.

fn main() {
    uniffi::uniffi_bindgen_main()
}
