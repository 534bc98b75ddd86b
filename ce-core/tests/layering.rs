//! ce-core's modules are layered: `lib.rs` declares them bottom layer
//! first, and each module may use only the modules declared before it. A
//! total order leaves no room for a cycle between top-level modules.
//!
//! The check reads the source: every `crate::` path outside comments and
//! `#[cfg(test)]` modules names the top-level module it uses. Paths through
//! the crate root (`crate::Workflow`) are refused too, since they hide which
//! module is used.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// The top-level modules in the order `lib.rs` declares them.
fn declared_modules(lib: &str) -> Vec<String> {
    lib.lines()
        .filter_map(|line| {
            let line = line.trim();
            let rest = line
                .strip_prefix("pub mod ")
                .or_else(|| line.strip_prefix("mod "))?;
            // `pub mod priority {` is the root's facade, not a layer.
            rest.strip_suffix(';').map(str::to_owned)
        })
        .collect()
}

/// The files of a top-level module: `name.rs` or everything under `name/`.
fn module_files(src: &Path, module: &str) -> Vec<PathBuf> {
    let file = src.join(format!("{module}.rs"));
    if file.is_file() {
        return vec![file];
    }
    let mut files = Vec::new();
    let mut dirs = vec![src.join(module)];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The source without comments and without `#[cfg(test)]` items (which
/// may use anything).
fn code_of(source: &str) -> String {
    let mut code = String::new();
    let mut skip_depth: Option<i32> = None;
    let mut depth = 0i32;
    let mut pending_test_attr = false;
    for line in source.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("//") {
            continue;
        }
        let line = line.split(" //").next().unwrap_or(line);
        if trimmed.starts_with("#[cfg(test)]") {
            pending_test_attr = true;
            continue;
        }
        let opens = i32::try_from(line.matches('{').count()).unwrap_or(0);
        let closes = i32::try_from(line.matches('}').count()).unwrap_or(0);
        if pending_test_attr {
            pending_test_attr = false;
            if opens > closes {
                skip_depth = Some(depth);
            }
            depth += opens - closes;
            continue;
        }
        depth += opens - closes;
        if let Some(start) = skip_depth {
            if depth <= start {
                skip_depth = None;
            }
            continue;
        }
        code.push_str(line);
        code.push('\n');
    }
    code
}

/// The first segments of every `crate::` path in `code`, with
/// `use crate::{a::X, b}` groups opened.
fn crate_paths(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let end = matching_brace(group).unwrap_or(group.len());
            for item in split_top_level(&group[..end]) {
                found.insert(first_segment(item));
            }
        } else {
            found.insert(first_segment(rest));
        }
    }
    found.retain(|s| !s.is_empty());
    found
}

fn matching_brace(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return Some(i),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

fn split_top_level(s: &str) -> Vec<&str> {
    let mut items = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                items.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&s[start..]);
    items
}

fn first_segment(path: &str) -> String {
    path.trim()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

#[test]
fn each_module_uses_only_the_modules_declared_before_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = fs::read_to_string(src.join("lib.rs")).expect("lib.rs");
    let order = declared_modules(&lib);
    assert!(order.len() > 10, "lib.rs declares the modules: {order:?}");
    let mut broken = Vec::new();
    for (layer, module) in order.iter().enumerate() {
        let files = module_files(&src, module);
        assert!(!files.is_empty(), "no source for module {module}");
        for file in files {
            let source = fs::read_to_string(&file).expect("source file");
            for used in crate_paths(&code_of(&source)) {
                let name = file.strip_prefix(&src).unwrap_or(&file).display();
                if used == *module {
                    continue;
                }
                match order.iter().position(|m| *m == used) {
                    Some(at) if at < layer => {}
                    Some(_) => broken.push(format!(
                        "{name}: {module} uses {used}, which lib.rs declares after it"
                    )),
                    None => broken.push(format!(
                        "{name}: crate::{used} goes through the crate root; name the module"
                    )),
                }
            }
        }
    }
    assert!(broken.is_empty(), "layering broken:\n{}", broken.join("\n"));
}

#[test]
fn the_check_sees_grouped_and_inline_paths() {
    let code = code_of(
        "use crate::{a::X, b::{Y, Z}, c};\n\
         fn f() -> crate::d::T { todo!() }\n\
         // crate::commented::Out\n\
         #[cfg(test)]\nmod tests {\n    use crate::hidden::H;\n}\n\
         fn g() { crate::e::f() }\n",
    );
    let found: Vec<String> = crate_paths(&code).into_iter().collect();
    assert_eq!(found, ["a", "b", "c", "d", "e"]);
}
