//! The module graph of a crate, read from its source: one node per file, an arrow from a
//! file to every other file whose items it names.
//!
//! An arrow is any path that reaches an item of the crate: in a `use`, or written inline in
//! code, types, patterns and macro arguments (`crate::x::Y`, `super::Y`, `child::f()`,
//! `Alias::new()`). Re-exports and imports are followed to the module that *defines* the
//! item, so a `mod.rs` that re-exports `child::Item` does not stand between the child and
//! its users. A `mod` declaration is not an arrow (a parent owning a child depends on
//! nothing), and `#[cfg(test)]` items are left out: test modules may reach anywhere.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use proc_macro2::{TokenStream, TokenTree};
use syn::visit::Visit;

/// A module's path from the crate root (`["imap", "conn"]`; the root is empty).
type ModPath = Vec<String>;

/// What one module holds, as far as naming goes.
#[derive(Default)]
struct Module {
    /// The file it is written in (an index into [`Graph::files`]).
    file: usize,
    /// Child modules, declared by `mod` in a file or inline.
    children: BTreeSet<String>,
    /// Items defined here (types, functions, constants, traits, macros…).
    defs: BTreeSet<String>,
    /// Names brought in by `use`, with the path they stand for (relative to this module).
    uses: BTreeMap<String, Vec<String>>,
    /// `use path::*` sources.
    globs: Vec<Vec<String>>,
}

/// A path met in a file, to be resolved once every module is known.
struct Reference {
    file: usize,
    scope: ModPath,
    path: Vec<String>,
    /// Written in a `use`: there a module is a fine thing to name. In code a path that ends
    /// at a module is a local variable that happens to share its name.
    in_use: bool,
}

/// The files of a crate and the arrows between them.
pub struct Graph {
    /// Every file, relative to the crate's directory (`src/imap/conn.rs`).
    pub files: Vec<String>,
    /// `arrows[a][b]` = the names file `a` takes from file `b`.
    pub arrows: BTreeMap<usize, BTreeMap<usize, BTreeSet<String>>>,
}

/// Reads the crate whose root is `root` (`src/lib.rs`).
pub fn read(crate_dir: &Path, root: &Path) -> Result<Graph, String> {
    let mut reader = Reader {
        crate_dir: crate_dir.to_path_buf(),
        files: Vec::new(),
        modules: HashMap::new(),
        references: Vec::new(),
    };
    reader.load_file(
        root,
        Vec::new(),
        root.parent().unwrap_or(crate_dir).to_path_buf(),
    )?;
    let mut arrows: BTreeMap<usize, BTreeMap<usize, BTreeSet<String>>> = BTreeMap::new();
    for reference in &reader.references {
        let Some((target, item)) = reader.resolve(&reference.scope, &reference.path, 0) else {
            continue;
        };
        if item.is_none() && !reference.in_use {
            continue;
        }
        let Some(module) = reader.modules.get(&target) else {
            continue;
        };
        if module.file != reference.file {
            let name = item.unwrap_or_else(|| reference.path.join("::"));
            arrows
                .entry(reference.file)
                .or_default()
                .entry(module.file)
                .or_default()
                .insert(name);
        }
    }
    Ok(Graph {
        files: reader.files,
        arrows,
    })
}

impl Graph {
    /// Every group of files that reach each other through arrows (strongly connected
    /// components with more than one file), each with the arrows inside it.
    pub fn cycles(&self) -> Vec<Vec<(usize, usize, Vec<String>)>> {
        let components = strongly_connected(self.files.len(), |node| {
            self.arrows
                .get(&node)
                .map(|targets| targets.keys().copied().collect())
                .unwrap_or_default()
        });
        components
            .into_iter()
            .filter(|group| group.len() > 1)
            .map(|group| {
                let members: BTreeSet<usize> = group.iter().copied().collect();
                let mut inside = Vec::new();
                for &from in &members {
                    for (&to, names) in self.arrows.get(&from).into_iter().flatten() {
                        if members.contains(&to) {
                            inside.push((from, to, names.iter().cloned().collect()));
                        }
                    }
                }
                inside
            })
            .collect()
    }
}

struct Reader {
    crate_dir: PathBuf,
    files: Vec<String>,
    modules: HashMap<ModPath, Module>,
    references: Vec<Reference>,
}

/// Whether an item is compiled only for tests (`#[cfg(test)]`).
fn test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path().is_ident("cfg")
            && attr
                .meta
                .require_list()
                .is_ok_and(|list| list.tokens.to_string().trim() == "test")
    })
}

/// The `#[path = "…"]` of a `mod` declaration, if any.
fn path_attr(attrs: &[syn::Attribute]) -> Option<String> {
    attrs.iter().find_map(|attr| {
        let syn::Meta::NameValue(nv) = &attr.meta else {
            return None;
        };
        if !nv.path.is_ident("path") {
            return None;
        }
        match &nv.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some(s.value()),
            _ => None,
        }
    })
}

impl Reader {
    fn load_file(
        &mut self,
        file: &Path,
        module: ModPath,
        child_dir: PathBuf,
    ) -> Result<(), String> {
        let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let parsed = syn::parse_file(&text).map_err(|e| format!("{}: {e}", file.display()))?;
        let index = self.files.len();
        let shown = file
            .strip_prefix(&self.crate_dir)
            .unwrap_or(file)
            .display()
            .to_string();
        self.files.push(shown);
        self.load_items(&parsed.items, index, module, &child_dir, file)
    }

    fn load_items(
        &mut self,
        items: &[syn::Item],
        file: usize,
        module: ModPath,
        child_dir: &Path,
        file_path: &Path,
    ) -> Result<(), String> {
        self.modules.entry(module.clone()).or_default().file = file;
        for item in items {
            if test_only(item_attrs(item)) {
                continue;
            }
            match item {
                syn::Item::Mod(m) => {
                    let name = m.ident.to_string();
                    self.module(&module).children.insert(name.clone());
                    let mut child = module.clone();
                    child.push(name.clone());
                    match &m.content {
                        Some((_, inner)) => {
                            self.load_items(inner, file, child, &child_dir.join(&name), file_path)?
                        }
                        None => {
                            let (path, dir) = match path_attr(&m.attrs) {
                                Some(p) => {
                                    let base = file_path.parent().unwrap_or(child_dir);
                                    let path = base.join(p);
                                    let dir = path.with_extension("");
                                    (path, dir)
                                }
                                None => {
                                    let flat = child_dir.join(format!("{name}.rs"));
                                    if flat.exists() {
                                        (flat, child_dir.join(&name))
                                    } else {
                                        (
                                            child_dir.join(&name).join("mod.rs"),
                                            child_dir.join(&name),
                                        )
                                    }
                                }
                            };
                            self.load_file(&path, child, dir)?;
                        }
                    }
                }
                syn::Item::Use(u) => {
                    if u.leading_colon.is_some() {
                        continue;
                    }
                    let mut leaves = Vec::new();
                    flatten_use(&u.tree, Vec::new(), &mut leaves);
                    for leaf in leaves {
                        match leaf {
                            UseLeaf::Name(binding, path) => {
                                self.module(&module).uses.insert(binding, path.clone());
                                self.refer(file, &module, path, true);
                            }
                            UseLeaf::Glob(path) => {
                                self.module(&module).globs.push(path.clone());
                                self.refer(file, &module, path, true);
                            }
                        }
                    }
                }
                other => {
                    if let Some(name) = item_name(other) {
                        self.module(&module).defs.insert(name);
                    }
                    let mut collector = PathCollector { paths: Vec::new() };
                    collector.visit_item(other);
                    for path in collector.paths {
                        self.refer(file, &module, path, false);
                    }
                }
            }
        }
        Ok(())
    }

    fn module(&mut self, path: &ModPath) -> &mut Module {
        self.modules.entry(path.clone()).or_default()
    }

    fn refer(&mut self, file: usize, scope: &ModPath, path: Vec<String>, in_use: bool) {
        if !path.is_empty() {
            self.references.push(Reference {
                file,
                scope: scope.clone(),
                path,
                in_use,
            });
        }
    }

    /// Where `path`, written in module `scope`, leads: the module that defines the item it
    /// names and the item's name, or the module it names and `None`. `None` altogether for
    /// what is not the crate's (std, other crates, local variables, generics).
    fn resolve(
        &self,
        scope: &ModPath,
        path: &[String],
        depth: usize,
    ) -> Option<(ModPath, Option<String>)> {
        if depth > 16 || path.is_empty() {
            return None;
        }
        let mut current: ModPath;
        let mut rest = path;
        match path[0].as_str() {
            "crate" => {
                current = Vec::new();
                rest = &path[1..];
            }
            "self" => {
                current = scope.clone();
                rest = &path[1..];
            }
            "super" => {
                current = scope.clone();
                while rest.first().is_some_and(|s| s == "super") {
                    current.pop()?;
                    rest = &rest[1..];
                }
            }
            "Self" => return None,
            _ => current = scope.clone(),
        }
        let mut first = !matches!(path[0].as_str(), "crate" | "self" | "super");
        for (i, segment) in rest.iter().enumerate() {
            let module = self.modules.get(&current)?;
            if module.children.contains(segment) {
                current.push(segment.clone());
                first = false;
                continue;
            }
            if let Some(target) = module.uses.get(segment) {
                let (found, item) = self.resolve(&current, target, depth + 1)?;
                if item.is_none() {
                    current = found;
                    first = false;
                    continue;
                }
                return Some((found, item));
            }
            if module.defs.contains(segment) {
                return Some((current, Some(segment.clone())));
            }
            for glob in &module.globs {
                let mut candidate = glob.clone();
                candidate.extend(rest[i..].iter().cloned());
                if let Some(found) = self.resolve(&current, &candidate, depth + 1) {
                    return Some(found);
                }
            }
            if first {
                // Not a name of this module: another crate, the prelude, a local.
                return None;
            }
            // A name the reader does not see defined (made by a macro): still this module's.
            return Some((current, Some(segment.clone())));
        }
        Some((current, None))
    }
}

fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    match item {
        syn::Item::Const(i) => &i.attrs,
        syn::Item::Enum(i) => &i.attrs,
        syn::Item::ExternCrate(i) => &i.attrs,
        syn::Item::Fn(i) => &i.attrs,
        syn::Item::ForeignMod(i) => &i.attrs,
        syn::Item::Impl(i) => &i.attrs,
        syn::Item::Macro(i) => &i.attrs,
        syn::Item::Mod(i) => &i.attrs,
        syn::Item::Static(i) => &i.attrs,
        syn::Item::Struct(i) => &i.attrs,
        syn::Item::Trait(i) => &i.attrs,
        syn::Item::TraitAlias(i) => &i.attrs,
        syn::Item::Type(i) => &i.attrs,
        syn::Item::Union(i) => &i.attrs,
        syn::Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

fn item_name(item: &syn::Item) -> Option<String> {
    let ident = match item {
        syn::Item::Const(i) => &i.ident,
        syn::Item::Enum(i) => &i.ident,
        syn::Item::Fn(i) => &i.sig.ident,
        syn::Item::Macro(i) => i.ident.as_ref()?,
        syn::Item::Static(i) => &i.ident,
        syn::Item::Struct(i) => &i.ident,
        syn::Item::Trait(i) => &i.ident,
        syn::Item::TraitAlias(i) => &i.ident,
        syn::Item::Type(i) => &i.ident,
        syn::Item::Union(i) => &i.ident,
        _ => return None,
    };
    Some(ident.to_string())
}

enum UseLeaf {
    /// A name bound by the `use`, and the path it stands for.
    Name(String, Vec<String>),
    Glob(Vec<String>),
}

fn flatten_use(tree: &syn::UseTree, prefix: Vec<String>, out: &mut Vec<UseLeaf>) {
    match tree {
        syn::UseTree::Path(p) => {
            let mut prefix = prefix;
            prefix.push(p.ident.to_string());
            flatten_use(&p.tree, prefix, out);
        }
        syn::UseTree::Name(n) => {
            if n.ident == "self" {
                if let Some(last) = prefix.last().cloned() {
                    out.push(UseLeaf::Name(last, prefix));
                }
            } else {
                let mut path = prefix;
                path.push(n.ident.to_string());
                out.push(UseLeaf::Name(n.ident.to_string(), path));
            }
        }
        syn::UseTree::Rename(r) => {
            let mut path = prefix;
            if r.ident != "self" {
                path.push(r.ident.to_string());
            }
            if r.rename != "_" {
                out.push(UseLeaf::Name(r.rename.to_string(), path));
            } else {
                out.push(UseLeaf::Glob(path));
            }
        }
        syn::UseTree::Glob(_) => out.push(UseLeaf::Glob(prefix)),
        syn::UseTree::Group(g) => {
            for item in &g.items {
                flatten_use(item, prefix.clone(), out);
            }
        }
    }
}

/// Collects every path written in an item: types, expressions, patterns, trait bounds, and
/// `a::b` sequences in macro arguments. Nested modules and test-only items are not entered.
struct PathCollector {
    paths: Vec<Vec<String>>,
}

impl<'ast> Visit<'ast> for PathCollector {
    fn visit_path(&mut self, path: &'ast syn::Path) {
        if path.leading_colon.is_none() {
            self.paths
                .push(path.segments.iter().map(|s| s.ident.to_string()).collect());
        }
        syn::visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        syn::visit::visit_macro(self, mac);
        macro_paths(mac.tokens.clone(), &mut self.paths);
    }

    fn visit_item_mod(&mut self, _: &'ast syn::ItemMod) {}

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        if !test_only(&f.attrs) {
            syn::visit::visit_impl_item_fn(self, f);
        }
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        if !test_only(&f.attrs) {
            syn::visit::visit_item_fn(self, f);
        }
    }
}

/// `a::b::c` sequences (two segments or more) in a macro's tokens, which syn leaves
/// unparsed: `format!("{}", crate::x::y())`, `tracing::info!(%Msg::new("…"))`.
fn macro_paths(tokens: TokenStream, out: &mut Vec<Vec<String>>) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            TokenTree::Group(g) => {
                macro_paths(g.stream(), out);
                i += 1;
            }
            TokenTree::Ident(ident) => {
                let preceded_by_colons =
                    i >= 1 && matches!(&tokens[i - 1], TokenTree::Punct(p) if p.as_char() == ':');
                let mut path = vec![ident.to_string()];
                let mut j = i + 1;
                let colon = |k: usize| matches!(tokens.get(k), Some(TokenTree::Punct(p)) if p.as_char() == ':');
                while colon(j) && colon(j + 1) {
                    let Some(TokenTree::Ident(next)) = tokens.get(j + 2) else {
                        break;
                    };
                    path.push(next.to_string());
                    j += 3;
                }
                if path.len() > 1 && !preceded_by_colons {
                    out.push(path);
                }
                i = j.max(i + 1);
            }
            TokenTree::Punct(_) | TokenTree::Literal(_) => i += 1,
        }
    }
}

/// Tarjan's strongly connected components.
fn strongly_connected(nodes: usize, next: impl Fn(usize) -> Vec<usize>) -> Vec<Vec<usize>> {
    struct State {
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on_stack: Vec<bool>,
        stack: Vec<usize>,
        counter: usize,
        out: Vec<Vec<usize>>,
    }
    fn visit(v: usize, s: &mut State, next: &dyn Fn(usize) -> Vec<usize>) {
        s.index[v] = Some(s.counter);
        s.low[v] = s.counter;
        s.counter += 1;
        s.stack.push(v);
        s.on_stack[v] = true;
        for w in next(v) {
            match s.index[w] {
                None => {
                    visit(w, s, next);
                    s.low[v] = s.low[v].min(s.low[w]);
                }
                Some(index) if s.on_stack[w] => s.low[v] = s.low[v].min(index),
                Some(_) => {}
            }
        }
        if Some(s.low[v]) == s.index[v] {
            let mut group = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack[w] = false;
                group.push(w);
                if w == v {
                    break;
                }
            }
            s.out.push(group);
        }
    }
    let mut s = State {
        index: vec![None; nodes],
        low: vec![0; nodes],
        on_stack: vec![false; nodes],
        stack: Vec::new(),
        counter: 0,
        out: Vec::new(),
    };
    for v in 0..nodes {
        if s.index[v].is_none() {
            visit(v, &mut s, &next);
        }
    }
    s.out
}
