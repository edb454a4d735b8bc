//! What the fuzz targets share, compiled once for all of them. Both modules are included by
//! path, so the stable replay of kept inputs (`tests/api/fuzz_regressions.rs`) runs the very
//! same code: the rendered-HTML audit of the integration tests and the per-target checks.

#[path = "../../tests/api/audit.rs"]
pub mod audit;

#[path = "../checks.rs"]
pub mod checks;
