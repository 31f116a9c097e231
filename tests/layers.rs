//! The layers of `src/` point one way, checked over the source text: every `crate::…` path a
//! module names must be in its own layer or a lower one, and the lower layers name no web or
//! GraphQL crate. README.md, "Layout", draws the same picture.
#![allow(clippy::unwrap_used, clippy::expect_used)]
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Top-level modules of `src/`, lowest layer first.
const LAYERS: &[(&str, &[&str])] = &[
    // Rules and vocabulary, pure rendering, configuration.
    ("base", &["error", "clock", "config", "domain", "map"]),
    // What is stored, and who is calling.
    ("model", &["entities", "auth"]),
    // Connections, caches, notifications, metrics, logs.
    ("infrastructure", &["store", "metrics", "telemetry"]),
    ("services", &["services"]),
    ("graphql", &["graphql"]),
    ("http", &["http"]),
    // Wiring and tools: the process, its subcommands, seeders.
    (
        "application",
        &["startup", "cli", "demo", "bench_data", "lib", "main"],
    ),
];

/// Crates a module of a layer up to the named one must not use, with the files allowed to.
const FOREIGN: &[(&str, &str, &[&str])] = &[
    ("actix_web", "services", &[]),
    ("async_graphql", "services", &["domain/enums.rs"]),
    ("sea_orm", "base", &["domain/enums.rs", "error.rs"]),
];

fn rank_of_layer(name: &str) -> usize {
    LAYERS
        .iter()
        .position(|(layer, _)| *layer == name)
        .unwrap_or_else(|| panic!("no layer {name}"))
}

fn rank_of_module(module: &str) -> Option<usize> {
    LAYERS
        .iter()
        .position(|(_, modules)| modules.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The text without comments (doc links may name any module).
fn code_of(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("//") {
            Some(at) if !line[..at].contains('"') => &line[..at],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level modules named by `crate::…` paths, grouped `use crate::{a, b::c}` included.
fn crate_modules(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    found.insert(name);
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            found.insert(name);
        }
    }
    found
}

#[test]
fn every_import_points_to_its_own_layer_or_below() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut wrong = Vec::new();
    for file in &files {
        let relative = file
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let top = relative
            .split('/')
            .next()
            .unwrap()
            .trim_end_matches(".rs")
            .to_owned();
        let rank = rank_of_module(&top).unwrap_or_else(|| {
            panic!("src/{relative}: module `{top}` is in no layer of tests/layers.rs")
        });
        let code = code_of(&std::fs::read_to_string(file).unwrap());
        for named in crate_modules(&code) {
            match rank_of_module(&named) {
                Some(r) if r > rank => wrong.push(format!(
                    "src/{relative} ({}) names crate::{named} ({})",
                    LAYERS[rank].0, LAYERS[r].0
                )),
                Some(_) => {}
                None => wrong.push(format!("src/{relative} names crate::{named}, in no layer")),
            }
        }
        for (foreign, up_to, allowed) in FOREIGN {
            let named =
                code.contains(&format!("{foreign}::")) || code.contains(&format!("use {foreign}"));
            if rank <= rank_of_layer(up_to) && named && !allowed.contains(&relative.as_str()) {
                wrong.push(format!(
                    "src/{relative} ({}) uses {foreign}",
                    LAYERS[rank].0
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layers:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_check_sees_grouped_and_plain_paths() {
    let code = code_of(
        "use crate::{db::Db, services::x};\nlet a = crate::graphql::y(); // crate::http::z\n",
    );
    let names: Vec<String> = crate_modules(&code).into_iter().collect();
    assert_eq!(names, ["db", "graphql", "services"]);
}
