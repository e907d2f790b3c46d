//! The published SDL in `schema.graphql` matches the code.

#[test]
fn schema_graphql_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql");
    let sdl = southgraph::graphql::sdl();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &sdl).expect("write schema.graphql");
    }
    let published = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        published == sdl,
        "schema.graphql is stale: review the change, then run `cargo run -- schema > schema.graphql` \
         (or UPDATE_SCHEMA=1 cargo test --test api schema)"
    );
}

#[test]
fn every_type_field_and_argument_is_described() {
    let sdl = southgraph::graphql::sdl();
    let mut described = false;
    let mut in_description = false;
    let mut undocumented = Vec::new();
    for line in sdl.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("\"\"\"") {
            let closes_here = trimmed.len() > 3 && trimmed.ends_with("\"\"\"");
            if !closes_here {
                in_description = !in_description;
            }
            described = true;
            continue;
        }
        if in_description || trimmed.is_empty() || trimmed == "}" || trimmed.starts_with(')') {
            continue;
        }
        // async-graphql gives its generated connection types no description of their own;
        // their fields are described.
        let generated = trimmed.starts_with("type ") && trimmed.contains("Connection {");
        let schema_root =
            trimmed.starts_with("schema {") || trimmed.starts_with("query:") || trimmed.starts_with("directive ");
        if !described && !generated && !schema_root && !trimmed.starts_with("type Query") {
            undocumented.push(trimmed.to_owned());
        }
        described = false;
    }
    assert!(undocumented.is_empty(), "without a description: {undocumented:#?}");
}
