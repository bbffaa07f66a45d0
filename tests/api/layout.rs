//! The house rules that keep the layout livable, checked on the source:
//! the README's layout names every file, content depends on nothing above
//! it, and no file grows past a few hundred lines.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn source_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            source_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn relative(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

fn all_sources() -> Vec<PathBuf> {
    let mut files = Vec::new();
    source_files(&root().join("src"), &mut files);
    files
}

#[test]
fn the_readme_names_every_source_file() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let layout = readme
        .split("## Layout")
        .nth(1)
        .and_then(|s| s.split("```").nth(1))
        .expect("a Layout section with a code block");
    let named: BTreeSet<String> = layout
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|path| path.starts_with("src/") && path.ends_with(".rs"))
        .map(str::to_string)
        .collect();
    let present: BTreeSet<String> = all_sources().iter().map(|p| relative(p)).collect();
    let missing: Vec<_> = present.difference(&named).collect();
    let gone: Vec<_> = named.difference(&present).collect();
    assert!(
        missing.is_empty() && gone.is_empty(),
        "README layout out of date: not listed {missing:?}, listed but gone {gone:?}"
    );
}

#[test]
fn content_imports_nothing_above_it() {
    let mut files = Vec::new();
    source_files(&root().join("src/content"), &mut files);
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for layer in ["routes", "app", "auth", "error", "cache", "middleware"] {
            for form in [format!("crate::{layer}::"), format!("crate::{layer};")] {
                assert!(
                    !text.contains(&form),
                    "{} uses {form}: content must not depend on the HTTP layers",
                    relative(&file)
                );
            }
        }
        assert!(
            !text.contains("actix"),
            "{} mentions actix",
            relative(&file)
        );
    }
}

#[test]
fn no_source_file_holds_more_than_one_thing() {
    // About 500 lines: past that a file holds two things (STYLE.md).
    const MOST_LINES: usize = 520;
    for file in all_sources() {
        let lines = std::fs::read_to_string(&file).unwrap().lines().count();
        assert!(
            lines <= MOST_LINES,
            "{} has {lines} lines; split it",
            relative(&file)
        );
    }
}
