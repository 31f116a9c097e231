/// `schema/schema.graphql` is the exported SDL; it must match the code's schema. Regenerate
/// with `cargo run -- export-schema > schema/schema.graphql`.
#[test]
fn committed_sdl_matches_the_code() {
    let committed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/schema/schema.graphql"
    ))
    .expect("schema/schema.graphql exists");
    let current = touchpoint_registry::graphql::sdl();
    assert!(
        committed == current,
        "schema/schema.graphql is stale: run `cargo run -- export-schema > schema/schema.graphql`"
    );
}
