//! The reference data (countries, competences, the activity taxonomy, authorities and Border
//! Control Posts) shipped as versioned data files under `reference/` and loaded into the
//! database at start when their version changed.
