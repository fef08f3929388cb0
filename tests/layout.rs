//! The crate's shape, read from `src/` as text: no module imports one that imports it
//! back, and no source file is over [`MAX_LINES`] lines.
//!
//! # How the import graph is built
//!
//! Each crate under `src/` (the library, `src/lib.rs`, and the command,
//! `src/bin/ekyc-preflight/main.rs`) is a tree of modules: one per file (`a.rs` or
//! `a/mod.rs`); a module written inline in a file (`mod tests { … }`) counts as part of
//! its file. There is an edge from module A to module B when A's code (comments left
//! out) names a path that resolves to an item *defined* in B:
//!
//! - paths are those starting with `crate::`, `super::`, `self::` or with the name of one
//!   of A's own child modules, in `use` declarations (brace groups included) and in code;
//! - a path is resolved segment by segment: into a child module, or through a `use` of
//!   the module it has reached (`pub use`, `pub(crate) use` or private `use`), so that
//!   `crate::Error` leads to `error`, where `Error` is defined, not to the crate root; the
//!   first segment that is neither names an item defined in the module reached;
//! - a module that re-exports (`pub use`, `pub(crate) use`) an item of one of its own
//!   descendants is not importing it: a parent that only shows its children's nouns does
//!   not depend on them. A parent that *uses* a child's item in its code does;
//! - `mod child;` declarations are not edges, and neither are paths that lead to the
//!   module itself.
//!
//! A cycle is a set of modules each reachable from the others (a strongly connected
//! component of two or more); the test fails naming each, with the lines that make its
//! edges.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The longest a source file may be.
const MAX_LINES: usize = 700;

/// Files allowed over [`MAX_LINES`] for now, each with why.
const LONG_FILE_EXCEPTIONS: &[&str] = &[];

/// Cycles allowed for now: each as its modules, sorted, joined with " ↔ ".
const CYCLE_EXCEPTIONS: &[&str] = &[];

type ModPath = Vec<String>;

#[derive(Debug, Default)]
struct Module {
    file: PathBuf,
    children: BTreeSet<String>,
    /// Names brought in by `use` (alias or last segment) → the absolute path, and whether
    /// the `use` is a re-export (`pub …`).
    uses: BTreeMap<String, (ModPath, bool)>,
    /// Paths named in the code, absolute, each with the line it was read on and whether
    /// it is a re-export.
    mentions: Vec<(ModPath, usize, bool)>,
}

#[derive(Debug, Default)]
struct Crate {
    modules: BTreeMap<ModPath, Module>,
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

/// The code of a line, its comment left out (a `//` outside a string literal).
fn code_of(line: &str) -> &str {
    let bytes = line.as_bytes();
    let mut in_string = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if in_string => i += 1,
            b'"' => in_string = !in_string,
            b'/' if !in_string && bytes.get(i + 1) == Some(&b'/') => return &line[..i],
            _ => {}
        }
        i += 1;
    }
    line
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Expands a `use` tree (`a::{b, c::d as e, f::*}`) into (path, name brought in).
fn expand_use(tree: &str, prefix: &[String], out: &mut Vec<(Vec<String>, String)>) {
    let tree = tree.trim();
    if tree.is_empty() {
        return;
    }
    // Split at the first top-level `{`.
    if let Some(open) = tree.find('{') {
        let head: Vec<String> = tree[..open]
            .split("::")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        let close = tree.rfind('}').unwrap_or(tree.len());
        let inner = &tree[open + 1..close];
        let mut base = prefix.to_vec();
        base.extend(head);
        let mut depth = 0;
        let mut start = 0;
        for (i, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    expand_use(&inner[start..i], &base, out);
                    start = i + 1;
                }
                _ => {}
            }
        }
        expand_use(&inner[start..], &base, out);
        return;
    }
    let (path, alias) = match tree.split_once(" as ") {
        Some((p, a)) => (p.trim(), Some(a.trim().to_string())),
        None => (tree, None),
    };
    let mut full = prefix.to_vec();
    full.extend(path.split("::").map(|s| s.trim().to_string()));
    if full.last().is_some_and(|s| s == "self") {
        full.pop();
    }
    let name = alias.unwrap_or_else(|| full.last().cloned().unwrap_or_default());
    out.push((full, name));
}

/// Makes a path absolute, seen from module `here` of a crate whose modules have
/// `children`; `None` for a path that does not start inside the crate.
fn absolute(path: &[String], here: &ModPath, children: &BTreeSet<String>) -> Option<ModPath> {
    let first = path.first()?;
    let mut base = here.clone();
    let rest = match first.as_str() {
        "crate" => {
            base.clear();
            &path[1..]
        }
        "self" => &path[1..],
        "super" => {
            let mut rest = path;
            while rest.first().is_some_and(|s| s == "super") {
                base.pop()?;
                rest = &rest[1..];
            }
            rest
        }
        name if children.contains(name) => path,
        _ => return None,
    };
    base.extend(rest.iter().cloned());
    Some(base)
}

/// Reads a crate rooted at `root` (its files under `dir`).
fn read_crate(root: &Path, dir: &Path, skip: Option<&Path>) -> Crate {
    let mut files = Vec::new();
    rust_files(dir, &mut files);
    let mut krate = Crate::default();
    for file in &files {
        if skip.is_some_and(|s| file.starts_with(s)) {
            continue;
        }
        let rel = file.strip_prefix(dir).expect("under the crate's folder");
        let mut path: ModPath = rel
            .with_extension("")
            .iter()
            .map(|s| s.to_string_lossy().into_owned())
            .collect();
        if file == root || path.last().is_some_and(|s| s == "mod") {
            path.pop();
        }
        if file == root {
            path.clear();
        }
        krate.modules.insert(
            path,
            Module {
                file: file.clone(),
                ..Module::default()
            },
        );
    }
    // Children: each module's parent is the path less its last segment.
    let paths: Vec<ModPath> = krate.modules.keys().cloned().collect();
    for path in &paths {
        if let Some((last, parent)) = path.split_last()
            && let Some(m) = krate.modules.get_mut(parent)
        {
            m.children.insert(last.clone());
        }
    }
    for path in &paths {
        let (file, children) = {
            let m = &krate.modules[path];
            (m.file.clone(), m.children.clone())
        };
        let text = fs::read_to_string(&file).expect("a readable source file");
        let (uses, mentions) = scan(&text, path, &children);
        let m = krate.modules.get_mut(path).expect("listed above");
        m.uses = uses;
        m.mentions = mentions;
    }
    krate
}

type Uses = BTreeMap<String, (ModPath, bool)>;
type Mentions = Vec<(ModPath, usize, bool)>;

/// Reads one file's `use` declarations and the paths its code names.
fn scan(text: &str, module: &ModPath, children: &BTreeSet<String>) -> (Uses, Mentions) {
    let mut uses = Uses::new();
    let mut mentions = Mentions::new();
    // Inline modules (rustfmt'd: `mod x {` at some indent, closed by `}` at the same).
    let mut inline: Vec<(usize, String)> = Vec::new();
    let mut pending_use: Option<(String, usize, bool)> = None;
    for (n, raw) in text.lines().enumerate() {
        let line_no = n + 1;
        let code = code_of(raw);
        let indent = code.len() - code.trim_start().len();
        let trimmed = code.trim();
        if let Some((i, _)) = inline.last()
            && trimmed == "}"
            && indent == *i
        {
            inline.pop();
            continue;
        }
        // Paths inside an inline module are read from the file's module: `super::`
        // inside it means the file's module, one `super` less.
        let depth = inline.len();
        let here: ModPath = module.clone();
        let fix = |path: Vec<String>| -> Vec<String> {
            let mut path = path;
            let mut k = depth;
            while k > 0 && path.first().is_some_and(|s| s == "super") {
                path.remove(0);
                k -= 1;
            }
            if k < depth && path.first().is_none_or(|s| s != "super") {
                path.insert(0, "self".into());
            }
            path
        };
        let decl = trimmed
            .trim_start_matches("pub(crate) ")
            .trim_start_matches("pub(super) ")
            .trim_start_matches("pub ");
        if let Some(rest) = decl.strip_prefix("mod ")
            && rest.ends_with('{')
        {
            inline.push((indent, rest.trim_end_matches('{').trim().to_string()));
            continue;
        }
        // `use` declarations, which may span lines.
        if pending_use.is_none() {
            if let Some(rest) = decl.strip_prefix("use ") {
                let public = trimmed.starts_with("pub");
                pending_use = Some((String::new(), line_no, public));
                if let Some((buf, _, _)) = pending_use.as_mut() {
                    buf.push_str(rest);
                }
            }
        } else if let Some((buf, _, _)) = pending_use.as_mut() {
            buf.push(' ');
            buf.push_str(trimmed);
        }
        if let Some((buf, start, public)) = pending_use.clone() {
            if buf.trim_end().ends_with(';') {
                pending_use = None;
                let tree = buf.trim_end().trim_end_matches(';');
                let mut expanded = Vec::new();
                expand_use(tree, &[], &mut expanded);
                for (path, name) in expanded {
                    let path = fix(path);
                    let glob = path.last().is_some_and(|s| s == "*");
                    let mut path = path;
                    if glob {
                        path.pop();
                    }
                    if let Some(abs) = absolute(&path, &here, children) {
                        if !glob && depth == 0 {
                            uses.insert(name, (abs.clone(), public));
                        }
                        mentions.push((abs, start, public && depth == 0));
                    }
                }
            }
            continue;
        }
        // Paths in code: `crate::a::b`, `super::a`, `self::a`, `child::a`.
        let chars: Vec<char> = code.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            if is_ident(chars[i]) && (i == 0 || !(is_ident(chars[i - 1]) || chars[i - 1] == ':')) {
                let mut segs = Vec::new();
                let mut j = i;
                loop {
                    let s = j;
                    while j < chars.len() && is_ident(chars[j]) {
                        j += 1;
                    }
                    segs.push(chars[s..j].iter().collect::<String>());
                    if j + 2 < chars.len()
                        && chars[j] == ':'
                        && chars[j + 1] == ':'
                        && is_ident(chars[j + 2])
                    {
                        j += 2;
                    } else {
                        break;
                    }
                }
                if segs.len() > 1 {
                    let path = fix(segs);
                    if let Some(abs) = absolute(&path, &here, children) {
                        mentions.push((abs, line_no, false));
                    }
                }
                i = j.max(i + 1);
            } else {
                i += 1;
            }
        }
    }
    (uses, mentions)
}

/// The module defining what `path` names (following `use`s), or `None` if it leads
/// outside the crate or nowhere.
fn resolve(krate: &Crate, path: &[String], seen: &mut BTreeSet<Vec<String>>) -> Option<ModPath> {
    if !seen.insert(path.to_vec()) {
        return None;
    }
    let mut here: ModPath = Vec::new();
    for (k, seg) in path.iter().enumerate() {
        let m = krate.modules.get(&here)?;
        if m.children.contains(seg) {
            here.push(seg.clone());
            continue;
        }
        if let Some((target, _)) = m.uses.get(seg) {
            let mut next = target.clone();
            next.extend(path[k + 1..].iter().cloned());
            return resolve(krate, &next, seen).or(Some(here));
        }
        return Some(here);
    }
    Some(here)
}

fn edges(krate: &Crate) -> BTreeMap<ModPath, BTreeMap<ModPath, Vec<usize>>> {
    let mut graph: BTreeMap<ModPath, BTreeMap<ModPath, Vec<usize>>> = BTreeMap::new();
    for (from, m) in &krate.modules {
        graph.entry(from.clone()).or_default();
        for (path, line, reexport) in &m.mentions {
            let Some(to) = resolve(krate, path, &mut BTreeSet::new()) else {
                continue;
            };
            if &to == from || (*reexport && to.starts_with(from)) {
                continue;
            }
            graph
                .entry(from.clone())
                .or_default()
                .entry(to)
                .or_default()
                .push(*line);
        }
    }
    graph
}

/// Strongly connected components of two or more modules (Tarjan).
fn cycles(graph: &BTreeMap<ModPath, BTreeMap<ModPath, Vec<usize>>>) -> Vec<Vec<ModPath>> {
    struct State<'a> {
        graph: &'a BTreeMap<ModPath, BTreeMap<ModPath, Vec<usize>>>,
        index: BTreeMap<&'a ModPath, usize>,
        low: BTreeMap<&'a ModPath, usize>,
        stack: Vec<&'a ModPath>,
        on_stack: BTreeSet<&'a ModPath>,
        out: Vec<Vec<ModPath>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a ModPath) {
        let i = s.index.len();
        s.index.insert(v, i);
        s.low.insert(v, i);
        s.stack.push(v);
        s.on_stack.insert(v);
        let graph = s.graph;
        for w in graph.get(v).into_iter().flat_map(|e| e.keys()) {
            if !graph.contains_key(w) {
                continue;
            }
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let lv = s.low.get_mut(v).expect("visited");
                *lv = (*lv).min(lw);
            } else if s.on_stack.contains(w) {
                let iw = s.index[w];
                let lv = s.low.get_mut(v).expect("visited");
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.clone());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.out.push(component);
            }
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !s.index.contains_key(v) {
            visit(&mut s, v);
        }
    }
    s.out
}

fn name(path: &ModPath) -> String {
    if path.is_empty() {
        "crate".into()
    } else {
        path.join("::")
    }
}

fn crates() -> Vec<(&'static str, Crate)> {
    let src = src();
    let bin = src.join("bin");
    let mut out = vec![("lib", read_crate(&src.join("lib.rs"), &src, Some(&bin)))];
    for entry in fs::read_dir(&bin).expect("src/bin") {
        let dir = entry.expect("an entry").path();
        if dir.join("main.rs").is_file() {
            out.push(("bin", read_crate(&dir.join("main.rs"), &dir, None)));
        }
    }
    out
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let mut found = Vec::new();
    for (kind, krate) in crates() {
        let graph = edges(&krate);
        for component in cycles(&graph) {
            let key = component.iter().map(name).collect::<Vec<_>>().join(" ↔ ");
            if CYCLE_EXCEPTIONS.contains(&key.as_str()) {
                continue;
            }
            let mut why = format!("{kind}: {key}\n");
            for from in &component {
                for (to, lines) in &graph[from] {
                    if component.contains(to) {
                        let file = krate.modules[from].file.strip_prefix(src()).unwrap();
                        why.push_str(&format!(
                            "    {} → {} (src/{} lines {:?})\n",
                            name(from),
                            name(to),
                            file.display(),
                            lines
                        ));
                    }
                }
            }
            found.push(why);
        }
    }
    assert!(
        found.is_empty(),
        "modules that import each other:\n{}",
        found.join("")
    );
}

#[test]
fn the_graph_sees_the_imports() {
    // The reader must see the edges it is meant to judge: the preprocessor drives the
    // stages, and every stage reports errors with the crate's `Error`.
    let (_, krate) = crates().remove(0);
    let graph = edges(&krate);
    let error = vec!["error".to_string()];
    let with_error = graph.values().filter(|e| e.contains_key(&error)).count();
    assert!(
        with_error >= 5,
        "only {with_error} modules seen using Error"
    );
    let from_driver = graph
        .iter()
        .find(|(m, _)| m.last().is_some_and(|s| s == "preprocessor"))
        .map(|(_, e)| e.len())
        .expect("a preprocessor module");
    assert!(
        from_driver >= 5,
        "the driver seen using {from_driver} modules"
    );
}

#[test]
fn no_source_file_is_too_long() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let root = src().parent().expect("the crate folder").to_path_buf();
    let mut long = Vec::new();
    for file in files {
        let rel = file
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let lines = fs::read_to_string(&file).unwrap().lines().count();
        if lines > MAX_LINES && !LONG_FILE_EXCEPTIONS.contains(&rel.as_str()) {
            long.push(format!("{rel}: {lines} lines"));
        }
    }
    assert!(
        long.is_empty(),
        "files over {MAX_LINES} lines:\n{}",
        long.join("\n")
    );
}
