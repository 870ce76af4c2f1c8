//! The shape the code keeps, checked from its sources (ARCHITECTURE.md's rules a reader can
//! check mechanically): every source file of the three crates starts with a `//!` line, none but
//! test files passes 600 lines, and no two files import each other, directly or around a circle.
//! An import is a path a file's code names (`crate::a::b`, `super::c`); `pub use` re-exports,
//! which only give a module's items another name, and `mod` declarations are not imports.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The crates' source folders, from the engine's manifest folder.
fn crates() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    vec![
        root.join("src"),
        root.join("../portal/src"),
        root.join("../src"),
    ]
}

fn is_test_file(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    name.ends_with("_tests.rs") || name == "tests.rs"
}

/// Every `.rs` file under `dir`, but the plugin scaffolds (templates of projects, not code).
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "scaffold") {
                continue;
            }
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of `file` within its crate rooted at `root`.
fn module_of(root: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(root).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The code of `text` without comments, string literals and `pub use` lines.
fn code(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("//") {
            continue;
        }
        if trimmed.starts_with("pub use ")
            || (trimmed.starts_with("pub(") && trimmed.contains(") use "))
        {
            continue;
        }
        let mut in_string = false;
        let mut escaped = false;
        for c in line.chars() {
            if in_string {
                match (escaped, c) {
                    (true, _) => escaped = false,
                    (false, '\\') => escaped = true,
                    (false, '"') => in_string = false,
                    _ => {}
                }
                continue;
            }
            if c == '"' {
                in_string = true;
                continue;
            }
            out.push(c);
        }
        out.push('\n');
    }
    out
}

/// The paths `code` names from `crate::` or `super::`, as segments, resolved against `module`
/// (`use super::{a, b}` names both).
fn named_paths(code: &str, module: &[String]) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let bytes: Vec<char> = code.chars().collect();
    let text: String = bytes.iter().collect();
    for start in ["crate::", "super::"] {
        let mut from = 0;
        while let Some(i) = text[from..].find(start).map(|i| i + from) {
            from = i + start.len();
            let before = text[..i].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let rest: String = text[i..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':' || *c == '{')
                .collect();
            let mut segments: Vec<String> = rest
                .trim_end_matches(['{', ':'])
                .split("::")
                .map(str::to_string)
                .collect();
            let mut base: Vec<String> = if segments[0] == "crate" {
                Vec::new()
            } else {
                module[..module.len().saturating_sub(1)].to_vec()
            };
            segments.remove(0);
            while segments.first().is_some_and(|s| s == "super") {
                base.pop();
                segments.remove(0);
            }
            // `super::{a, b}`: each item of the group.
            if rest.ends_with('{') || text[i + rest.len()..].starts_with('{') {
                let group_start = i + rest.len();
                let group: String = text[group_start..]
                    .chars()
                    .skip_while(|c| *c == '{')
                    .take_while(|c| *c != '}')
                    .collect();
                for item in group.split(',') {
                    let item = item.trim().split("::").next().unwrap_or_default();
                    if !item.is_empty() {
                        let mut path = base.clone();
                        path.extend(segments.iter().cloned());
                        path.push(item.to_string());
                        found.push(path);
                    }
                }
            }
            base.extend(segments);
            found.push(base);
        }
    }
    found
}

#[test]
fn every_source_file_says_what_it_is_for_and_stays_small() {
    let mut problems = Vec::new();
    for root in crates() {
        let mut files = Vec::new();
        sources(&root, &mut files);
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            if !text.starts_with("//!") {
                problems.push(format!("{} does not start with a //! line", file.display()));
            }
            let lines = text.lines().count();
            if lines > 600 && !is_test_file(&file) {
                problems.push(format!(
                    "{} has {lines} lines (at most 600)",
                    file.display()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn no_two_files_import_each_other_even_around_a_circle() {
    let mut circles = Vec::new();
    for root in crates() {
        let mut files = Vec::new();
        sources(&root, &mut files);
        let files: Vec<PathBuf> = files.into_iter().filter(|f| !is_test_file(f)).collect();
        let modules: BTreeMap<Vec<String>, PathBuf> = files
            .iter()
            .map(|f| (module_of(&root, f), f.clone()))
            .collect();
        // The longest module prefix of a path is the file it names.
        let resolve = |path: &[String]| -> Option<Vec<String>> {
            (0..=path.len())
                .rev()
                .map(|n| path[..n].to_vec())
                .find(|p| modules.contains_key(p))
        };
        let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
        for (module, file) in &modules {
            let text = code(&std::fs::read_to_string(file).unwrap());
            let targets = edges.entry(module.clone()).or_default();
            for path in named_paths(&text, module) {
                if let Some(target) = resolve(&path)
                    && target != *module
                {
                    targets.insert(target);
                }
            }
        }
        for circle in strongly_connected(&edges) {
            circles.push(format!(
                "{}: {}",
                root.display(),
                circle
                    .iter()
                    .map(|m| if m.is_empty() {
                        "<root>".into()
                    } else {
                        m.join("/")
                    })
                    .collect::<Vec<_>>()
                    .join(" ⇄ ")
            ));
        }
    }
    assert!(
        circles.is_empty(),
        "files that import each other: {circles:#?}"
    );
}

/// The groups of more than one node that reach each other (Tarjan's algorithm).
fn strongly_connected(
    edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
) -> Vec<Vec<Vec<String>>> {
    struct State<'a> {
        edges: &'a BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        index: BTreeMap<Vec<String>, usize>,
        low: BTreeMap<Vec<String>, usize>,
        stack: Vec<Vec<String>>,
        on_stack: BTreeSet<Vec<String>>,
        next: usize,
        found: Vec<Vec<Vec<String>>>,
    }
    fn visit(s: &mut State, v: &Vec<String>) {
        s.index.insert(v.clone(), s.next);
        s.low.insert(v.clone(), s.next);
        s.next += 1;
        s.stack.push(v.clone());
        s.on_stack.insert(v.clone());
        let targets: Vec<Vec<String>> = s.edges.get(v).into_iter().flatten().cloned().collect();
        for w in targets {
            if !s.index.contains_key(&w) {
                visit(s, &w);
                let low = s.low[v].min(s.low[&w]);
                s.low.insert(v.clone(), low);
            } else if s.on_stack.contains(&w) {
                let low = s.low[v].min(s.index[&w]);
                s.low.insert(v.clone(), low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut group = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(&w);
                let done = w == *v;
                group.push(w);
                if done {
                    break;
                }
            }
            if group.len() > 1 {
                group.sort();
                s.found.push(group);
            }
        }
    }
    let mut state = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        found: Vec::new(),
    };
    for v in edges.keys() {
        if !state.index.contains_key(v) {
            visit(&mut state, v);
        }
    }
    state.found
}
