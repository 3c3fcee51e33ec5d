//! `custody lsp`: a language server over stdio (LSP 3.17, `lsp-server`'s JSON-RPC scaffold).
//!
//! The server keeps one analysis of one project: the directory holding `custody.yaml`, found
//! from the workspace root the client gives in `initialize` (or, without one, from the first
//! opened file's directory), walking up as `custody lint` does. Without a `custody.yaml` the
//! project is the open `.policy` files, checked as `custody lint --policy FILE...` would.
//!
//! Every change to a document (open, change, save, close, a watched file changed on disk)
//! marks the analysis stale; it is redone once no message is waiting, or before a request
//! is answered. An analysis is the CLI's: [`project::load_incremental`] (the same stages as
//! `project::load`, reading through a persistent, indexed `SourceMap` in which the editor's
//! unsaved texts replace the files' and unchanged files are never read again, and reusing
//! the validated inventory when none of its files changed), `check::project`, then
//! [`super::lint::diagnostics`] (errors and lints, as `custody lint` reports them). The
//! diagnostics are published per file. The rules are evaluated for hover and code lenses
//! when one of them is asked for after an analysis without errors (not on every keystroke:
//! typing is never slowed by evaluation); the last findings are kept otherwise.
//!
//! Editor queries (hover, completion, definition, references, symbols, lenses) are
//! `crate::ide`'s; this module only converts positions ([`position`]) and speaks JSON-RPC.

pub mod position;
pub mod transport;

use super::Output;
use crate::check::{self, Checked};
use crate::cli::LspArgs;
use crate::diag::{Diag, Level};
use crate::eval::{self, Finding};
use crate::ide;
use crate::project::{self, LoadCache, Settings, config};
use crate::source::{FileId, Loc, SourceMap};
use crate::sources;
use crate::types::Exit;
use jiff::civil::Date;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use lsp_types::{Url, notification as note, request as req};
use position::LineIndex;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub fn run(args: &LspArgs, cwd: PathBuf, today: Date) -> Output {
    // `--stdio` is what editors' clients pass; stdio is the only transport.
    let _ = args.stdio;
    let (connection, io_threads) = match transport::stdio() {
        Ok(io) => io,
        Err(e) => return failed(&format!("cannot start the I/O threads: {e}")),
    };
    let served = serve(connection, cwd, today, args.timings);
    // The connection is dropped: the writer thread ends once it has written everything.
    let io = io_threads.join();
    match (served, io) {
        (Ok(()), Ok(())) => Output::default(),
        // The reader's error (a message that is not JSON-RPC) says more than the loop's.
        (_, Err(e)) => failed(&format!("the connection failed: {e}")),
        (Err(e), Ok(())) => failed(&e),
    }
}

fn failed(e: &str) -> Output {
    Output {
        stderr: format!("error: custody lsp: {e}\n"),
        exit: Exit::Invalid,
        ..Output::default()
    }
}

/// Answer messages until `shutdown` and `exit`.
fn serve(connection: Connection, cwd: PathBuf, today: Date, timings: bool) -> Result<(), String> {
    let (id, params) = connection
        .initialize_start()
        .map_err(|e| format!("no `initialize` request from the client ({e})"))?;
    let init: lsp_types::InitializeParams = serde_json::from_value(params).unwrap_or_default();
    let result = serde_json::json!({
        "capabilities": capabilities(),
        "serverInfo": { "name": "custody", "version": env!("CARGO_PKG_VERSION") },
    });
    connection
        .initialize_finish(id, result)
        .map_err(|e| format!("cannot start: {e}"))?;
    let mut server = Server::new(&connection, root_of(&init).unwrap_or(cwd), today);
    server.timings = timings;
    server.watch_files(&init);
    loop {
        let msg = if server.dirty {
            match connection.receiver.try_recv() {
                Ok(m) => m,
                Err(crossbeam_empty) if crossbeam_empty.is_empty() => {
                    server.analyse();
                    continue;
                }
                Err(_) => return Err(closed()),
            }
        } else {
            match connection.receiver.recv() {
                Ok(m) => m,
                Err(_) => return Err(closed()),
            }
        };
        match msg {
            Message::Request(r) => {
                match connection.handle_shutdown(&r) {
                    Ok(true) => return Ok(()),
                    Ok(false) => {}
                    Err(e) => return Err(e.to_string()),
                }
                let response = server.request(r);
                server.send(response.into());
            }
            Message::Notification(n) if n.method == note::Exit::METHOD => {
                return Err("`exit` before `shutdown`".to_owned());
            }
            Message::Notification(n) => server.notification(n),
            Message::Response(_) => {}
        }
    }
}

fn closed() -> String {
    "the client closed the connection without `shutdown` and `exit` (or sent a message that is not JSON-RPC)".to_owned()
}

fn capabilities() -> lsp_types::ServerCapabilities {
    use lsp_types::*;
    ServerCapabilities {
        position_encoding: Some(PositionEncodingKind::UTF16),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                ..TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".to_owned(), " ".to_owned()]),
            ..CompletionOptions::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        code_lens_provider: Some(CodeLensOptions {
            resolve_provider: Some(false),
        }),
        ..ServerCapabilities::default()
    }
}

/// The workspace root: `rootUri`, else the first workspace folder, else `rootPath`.
#[allow(deprecated)] // root_uri and root_path: older clients send only these
fn root_of(init: &lsp_types::InitializeParams) -> Option<PathBuf> {
    let folder = init
        .workspace_folders
        .as_ref()
        .and_then(|f| f.first())
        .map(|f| &f.uri);
    init.root_uri
        .as_ref()
        .or(folder)
        .and_then(|u| u.to_file_path().ok())
        .or_else(|| init.root_path.as_ref().map(PathBuf::from))
}

/// A line index per file, with the text it indexes.
type LineIndexes = HashMap<FileId, (Arc<String>, Arc<LineIndex>)>;

/// The server's state between messages.
struct Server<'c> {
    connection: &'c Connection,
    today: Date,
    /// Where to look for custody.yaml (and, without one, the directory files are named from).
    root: PathBuf,
    /// Every file read so far, by path; the open documents' texts stand in for theirs.
    sources: SourceMap,
    cache: LoadCache,
    /// The open documents, by normalised path.
    open: BTreeMap<PathBuf, Url>,
    /// Documents changed since the last analysis (they get diagnostics, even an empty list).
    touched: BTreeSet<PathBuf>,
    dirty: bool,
    checked: Option<Checked>,
    findings: Vec<Finding>,
    /// The findings are of an earlier analysis than `checked`.
    findings_stale: bool,
    /// Files given a non-empty list last time, to be cleared when they have none.
    published: BTreeSet<PathBuf>,
    /// Diagnostics that belong to no file, last shown with `window/showMessage`.
    shown: Vec<String>,
    /// Each file's line index, for its text: built once per text, whichever request or
    /// diagnostic needs it first (a range per symbol of a 5 MB inventory must not build it
    /// again each time).
    lines: std::cell::RefCell<LineIndexes>,
    /// `--timings`: each analysis's phase times and memory go to standard error.
    timings: bool,
    /// When the first change since the last analysis arrived (for `--timings`).
    changed_at: Option<std::time::Instant>,
}

impl<'c> Server<'c> {
    fn new(connection: &'c Connection, root: PathBuf, today: Date) -> Server<'c> {
        Server {
            connection,
            today,
            root: sources::normalize(&root),
            sources: SourceMap::indexed(),
            cache: LoadCache::default(),
            open: BTreeMap::new(),
            touched: BTreeSet::new(),
            dirty: false,
            checked: None,
            findings: Vec::new(),
            findings_stale: false,
            published: BTreeSet::new(),
            shown: Vec::new(),
            lines: std::cell::RefCell::new(HashMap::new()),
            timings: false,
            changed_at: None,
        }
    }

    /// Ask the client to report changes on disk to the project's kinds of files, when it
    /// can (files the editor has open are followed through their notifications instead).
    fn watch_files(&self, init: &lsp_types::InitializeParams) {
        let dynamic = init
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false);
        if !dynamic {
            return;
        }
        let params = lsp_types::RegistrationParams {
            registrations: vec![lsp_types::Registration {
                id: "custody-files".to_owned(),
                method: note::DidChangeWatchedFiles::METHOD.to_owned(),
                register_options: Some(serde_json::json!({
                    "watchers": [{ "globPattern": "**/*.{policy,yaml,yml,json}" }]
                })),
            }],
        };
        self.send(
            Request::new(
                RequestId::from("custody-watch".to_owned()),
                req::RegisterCapability::METHOD.to_owned(),
                params,
            )
            .into(),
        );
    }

    fn send(&self, msg: Message) {
        // The writer thread is gone only when stdout is closed: the next read ends the loop.
        let _ = self.connection.sender.send(msg);
    }

    fn notify<N: lsp_types::notification::Notification>(&self, params: N::Params) {
        self.send(Notification::new(N::METHOD.to_owned(), params).into());
    }

    // ---- documents ------------------------------------------------------------------

    fn notification(&mut self, n: Notification) {
        match n.method.as_str() {
            note::DidOpenTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidOpenTextDocumentParams>(n.params)
                {
                    let doc = p.text_document;
                    if let Some(path) = path_of(&doc.uri) {
                        self.open.insert(path.clone(), doc.uri);
                        self.set_text(path, doc.text);
                    }
                }
            }
            note::DidChangeTextDocument::METHOD => {
                self.changed_at.get_or_insert_with(std::time::Instant::now);
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(n.params)
                    && let Some(path) = path_of(&p.text_document.uri)
                {
                    // Incremental sync: each change replaces a range of the text before it
                    // (or, without a range, the whole text).
                    let mut text: Option<String> = None;
                    for change in p.content_changes {
                        text = Some(match (change.range, text.take()) {
                            (Some(range), Some(old)) => splice(&old, range, &change.text),
                            (Some(range), None) => {
                                let old =
                                    self.sources.lookup(&path).map(|id| self.sources.text(id));
                                splice(old.unwrap_or(""), range, &change.text)
                            }
                            (None, _) => change.text,
                        });
                    }
                    if let Some(text) = text {
                        self.set_text(path, text);
                    }
                }
            }
            note::DidSaveTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidSaveTextDocumentParams>(n.params)
                    && let Some(path) = path_of(&p.text_document.uri)
                {
                    match p.text {
                        Some(text) => self.set_text(path, text),
                        None => self.touch(path),
                    }
                }
            }
            note::DidCloseTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidCloseTextDocumentParams>(n.params)
                    && let Some(path) = path_of(&p.text_document.uri)
                {
                    self.open.remove(&path);
                    self.reload(path);
                }
            }
            note::DidChangeWatchedFiles::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidChangeWatchedFilesParams>(n.params)
                {
                    for change in p.changes {
                        if let Some(path) = path_of(&change.uri)
                            && !self.open.contains_key(&path)
                        {
                            self.reload(path);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn touch(&mut self, path: PathBuf) {
        self.touched.insert(path);
        self.dirty = true;
    }

    /// Put the editor's text of `path` in place of the file's.
    fn set_text(&mut self, path: PathBuf, text: String) {
        let name = sources::display_path(&path, &self.project_dir());
        self.sources.set_text(path.clone(), &name, text);
        self.touch(path);
    }

    /// The file on disk is the truth again for `path` (closed, or changed on disk).
    fn reload(&mut self, path: PathBuf) {
        match std::fs::read_to_string(&path) {
            Ok(text) => self.set_text(path, text),
            Err(_) => {
                self.sources.forget(&path);
                self.touch(path);
            }
        }
    }

    // ---- analysis -------------------------------------------------------------------

    /// custody.yaml, found from the root (or, failing that, from an open file) upwards.
    fn config(&self) -> Option<PathBuf> {
        config::discover(None, &self.root).or_else(|| {
            self.open
                .keys()
                .filter_map(|p| p.parent())
                .find_map(|dir| config::discover(None, dir))
        })
    }

    /// The directory file names are relative to: custody.yaml's, else the root.
    fn project_dir(&self) -> PathBuf {
        self.config()
            .and_then(|c| c.parent().map(Path::to_path_buf))
            .map(|d| sources::normalize(&d))
            .unwrap_or_else(|| self.root.clone())
    }

    fn settings(&self) -> Option<Settings> {
        let dir = self.project_dir();
        match self.config() {
            Some(cfg) => Some(Settings {
                cwd: dir,
                config_dir: Some(cfg),
                needs: project::Needs::POLICIES,
                ..Settings::default()
            }),
            None => {
                let policies: Vec<PathBuf> = self
                    .open
                    .keys()
                    .filter(|p| p.extension().is_some_and(|e| e == "policy"))
                    .cloned()
                    .collect();
                (!policies.is_empty()).then(|| Settings {
                    cwd: dir,
                    policies,
                    needs: project::Needs::POLICIES,
                    ..Settings::default()
                })
            }
        }
    }

    /// Analyse the project again and publish its diagnostics.
    fn analyse(&mut self) {
        self.dirty = false;
        let touched = std::mem::take(&mut self.touched);
        let Some(settings) = self.settings() else {
            // Nothing to analyse (no custody.yaml, no policy open): the documents are clean.
            let published = std::mem::take(&mut self.published);
            for path in touched.into_iter().chain(published) {
                self.publish(&path, Vec::new());
            }
            return;
        };
        if let Some(mut old) = self.checked.take() {
            self.cache.keep(&mut old.project);
        }
        let project =
            project::load_incremental(&settings, self.today, self.sources.clone(), &mut self.cache);
        let mut timings = project.timings.clone();
        self.sources = project.sources.clone();
        let checked = check::project(project);
        timings.lap("check");
        let diags = super::lint::diagnostics(&checked);
        timings.lap("lint");
        self.publish_all(&checked, &diags, touched);
        timings.lap("publish");
        // Answered: what the next inventory edit's merge consumes is copied meanwhile.
        self.cache.prepare();
        let changed_at = self.changed_at.take();
        if self.timings {
            eprint!("{}", timings.render());
            if let Some(at) = changed_at {
                let ms = at.elapsed().as_secs_f64() * 1000.0;
                eprintln!("  since the change arrived          {ms:>10.1} ms");
            }
        }
        self.checked = Some(checked);
        self.findings_stale = true;
    }

    fn publish_all(&mut self, checked: &Checked, diags: &[Diag], touched: BTreeSet<PathBuf>) {
        let sources = &checked.project.sources;
        let config = self.config().map(|c| sources::normalize(&c));
        let mut by_file: BTreeMap<PathBuf, Vec<lsp_types::Diagnostic>> = BTreeMap::new();
        let mut elsewhere = Vec::new();
        for d in diags {
            let place = d.primary.as_ref().and_then(|l| {
                sources
                    .path_of(l.loc.file)
                    .map(|p| (p.to_path_buf(), l.loc))
            });
            match (place, &config) {
                (Some((path, loc)), _) => {
                    let range = self.range(sources, loc);
                    by_file
                        .entry(path)
                        .or_default()
                        .push(self.diagnostic(sources, d, range));
                }
                // No place in a file of the project: custody.yaml's first line.
                (None, Some(cfg)) => {
                    let range = lsp_types::Range::default();
                    by_file
                        .entry(cfg.clone())
                        .or_default()
                        .push(self.diagnostic(sources, d, range));
                }
                (None, None) => elsewhere.push(d),
            }
        }
        let now: BTreeSet<PathBuf> = by_file.keys().cloned().collect();
        let mut targets: BTreeSet<PathBuf> = now.clone();
        targets.extend(std::mem::take(&mut self.published));
        targets.extend(touched);
        for path in targets {
            let list = by_file.remove(&path).unwrap_or_default();
            self.publish(&path, list);
        }
        self.published = now;
        let shown: Vec<String> = elsewhere.iter().map(|d| message(d)).collect();
        if shown != self.shown {
            for (d, text) in elsewhere.iter().zip(&shown) {
                self.notify::<note::ShowMessage>(lsp_types::ShowMessageParams {
                    typ: match d.level {
                        Level::Error => lsp_types::MessageType::ERROR,
                        Level::Warning => lsp_types::MessageType::WARNING,
                    },
                    message: format!("custody: {text}"),
                });
            }
            self.shown = shown;
        }
    }

    fn publish(&self, path: &Path, diagnostics: Vec<lsp_types::Diagnostic>) {
        let uri = match self.open.get(path) {
            Some(u) => u.clone(),
            None => match Url::from_file_path(path) {
                Ok(u) => u,
                Err(()) => return,
            },
        };
        self.notify::<note::PublishDiagnostics>(lsp_types::PublishDiagnosticsParams {
            uri,
            diagnostics,
            version: None,
        });
    }

    fn diagnostic(
        &self,
        sources: &SourceMap,
        d: &Diag,
        range: lsp_types::Range,
    ) -> lsp_types::Diagnostic {
        let related: Vec<lsp_types::DiagnosticRelatedInformation> = d
            .secondary
            .iter()
            .filter_map(|l| {
                Some(lsp_types::DiagnosticRelatedInformation {
                    location: self.location(sources, l.loc)?,
                    message: l.text.clone().unwrap_or_default(),
                })
            })
            .collect();
        lsp_types::Diagnostic {
            range,
            severity: Some(match d.level {
                Level::Error => lsp_types::DiagnosticSeverity::ERROR,
                Level::Warning => lsp_types::DiagnosticSeverity::WARNING,
            }),
            code: Some(lsp_types::NumberOrString::String(d.code.to_owned())),
            code_description: None,
            source: Some("custody".to_owned()),
            message: message(d),
            related_information: (!related.is_empty()).then_some(related),
            tags: None,
            data: None,
        }
    }

    fn line_index(&self, sources: &SourceMap, file: FileId) -> Arc<LineIndex> {
        let text = &sources.get(file).text_arc();
        let mut lines = self.lines.borrow_mut();
        if let Some((t, ix)) = lines.get(&file)
            && Arc::ptr_eq(t, text)
        {
            return ix.clone();
        }
        let ix = Arc::new(LineIndex::new(text));
        lines.insert(file, (text.clone(), ix.clone()));
        ix
    }

    fn range(&self, sources: &SourceMap, loc: Loc) -> lsp_types::Range {
        let text = sources.text(loc.file);
        let ix = self.line_index(sources, loc.file);
        let at = |o: u32| {
            let (line, character) = ix.position(text, o as usize);
            lsp_types::Position { line, character }
        };
        lsp_types::Range {
            start: at(loc.span.start),
            end: at(loc.span.end),
        }
    }

    fn location(&self, sources: &SourceMap, loc: Loc) -> Option<lsp_types::Location> {
        let path = sources.path_of(loc.file)?;
        let uri = match self.open.get(path) {
            Some(u) => u.clone(),
            None => Url::from_file_path(path).ok()?,
        };
        Some(lsp_types::Location {
            uri,
            range: self.range(sources, loc),
        })
    }

    // ---- requests -------------------------------------------------------------------

    fn request(&mut self, r: Request) -> Response {
        if self.dirty {
            self.analyse();
        }
        let id = r.id.clone();
        let result = match r.method.as_str() {
            req::Formatting::METHOD => parse::<lsp_types::DocumentFormattingParams>(&r)
                .map(|p| to_json(self.formatting(&p.text_document.uri))),
            req::HoverRequest::METHOD => parse::<lsp_types::HoverParams>(&r)
                .map(|p| to_json(self.hover(&p.text_document_position_params))),
            req::Completion::METHOD => parse::<lsp_types::CompletionParams>(&r)
                .map(|p| to_json(self.completion(&p.text_document_position))),
            req::GotoDefinition::METHOD => parse::<lsp_types::GotoDefinitionParams>(&r)
                .map(|p| to_json(self.definition(&p.text_document_position_params))),
            req::References::METHOD => parse::<lsp_types::ReferenceParams>(&r).map(|p| {
                to_json(self.references(&p.text_document_position, p.context.include_declaration))
            }),
            req::DocumentSymbolRequest::METHOD => parse::<lsp_types::DocumentSymbolParams>(&r)
                .map(|p| to_json(self.symbols(&p.text_document.uri))),
            req::CodeLensRequest::METHOD => parse::<lsp_types::CodeLensParams>(&r)
                .map(|p| to_json(self.lenses(&p.text_document.uri))),
            other => Err(Response::new_err(
                id.clone(),
                ErrorCode::MethodNotFound as i32,
                format!("custody lsp does not handle `{other}`"),
            )),
        };
        match result {
            Ok(value) => Response {
                id,
                result: Some(value),
                error: None,
            },
            Err(mut e) => {
                e.id = id;
                e
            }
        }
    }

    /// The checked project and the file `uri` names in it.
    fn file(&self, uri: &Url) -> Option<(&Checked, FileId)> {
        let checked = self.checked.as_ref()?;
        let path = path_of(uri)?;
        let file = checked.project.sources.lookup(&path)?;
        Some((checked, file))
    }

    fn offset(&self, at: &lsp_types::TextDocumentPositionParams) -> Option<(FileId, u32)> {
        let path = path_of(&at.text_document.uri)?;
        let checked = self.checked.as_ref()?;
        let file = checked.project.sources.lookup(&path)?;
        let sources = &checked.project.sources;
        let ix = self.line_index(sources, file);
        let offset = ix.offset(sources.text(file), at.position.line, at.position.character);
        Some((file, offset as u32))
    }

    fn formatting(&self, uri: &Url) -> Option<Vec<lsp_types::TextEdit>> {
        let path = path_of(uri)?;
        if path.extension().is_none_or(|e| e != "policy") {
            return None;
        }
        let file = self.sources.lookup(&path)?;
        let text = self.sources.text(file);
        let mut scratch = Vec::new();
        // A file that does not parse is not formatted: its diagnostics say why.
        let Ok(new) = crate::syntax::format_policy(file, text, &mut scratch) else {
            return Some(Vec::new());
        };
        if new == text {
            return Some(Vec::new());
        }
        let (line, character) = LineIndex::new(text).end(text);
        Some(vec![lsp_types::TextEdit {
            range: lsp_types::Range {
                start: lsp_types::Position::default(),
                end: lsp_types::Position { line, character },
            },
            new_text: new,
        }])
    }

    /// Evaluate the last analysis, if it had no errors and was not evaluated yet.
    fn refresh_findings(&mut self) {
        if !self.findings_stale {
            return;
        }
        self.findings_stale = false;
        if let Some(checked) = &self.checked
            && !checked.has_errors()
        {
            self.findings = evaluate(checked);
        }
    }

    fn hover(&mut self, at: &lsp_types::TextDocumentPositionParams) -> Option<lsp_types::Hover> {
        self.refresh_findings();
        let (file, offset) = self.offset(at)?;
        let checked = self.checked.as_ref()?;
        let h = ide::hover(checked, &self.findings, file, offset)?;
        Some(lsp_types::Hover {
            contents: lsp_types::HoverContents::Markup(lsp_types::MarkupContent {
                kind: lsp_types::MarkupKind::Markdown,
                value: h.markdown,
            }),
            range: Some(self.range(&checked.project.sources, Loc::new(file, h.span))),
        })
    }

    fn completion(
        &mut self,
        at: &lsp_types::TextDocumentPositionParams,
    ) -> Option<Vec<lsp_types::CompletionItem>> {
        let (file, offset) = self.offset(at)?;
        let checked = self.checked.as_ref()?;
        let sources = &checked.project.sources;
        let items = ide::completion(checked, file, offset)
            .into_iter()
            .map(|c| lsp_types::CompletionItem {
                // The label replaces what is typed of it (editors' own word boundaries
                // stop at the `.` of a category path and the `/` of `KIND/ID`).
                text_edit: Some(lsp_types::CompletionTextEdit::Edit(lsp_types::TextEdit {
                    range: self.range(sources, Loc::new(file, c.replace)),
                    new_text: c.label.clone(),
                })),
                label: c.label,
                kind: Some(completion_kind(c.kind)),
                detail: c.detail,
                documentation: c.documentation.map(|d| {
                    lsp_types::Documentation::MarkupContent(lsp_types::MarkupContent {
                        kind: lsp_types::MarkupKind::Markdown,
                        value: d,
                    })
                }),
                ..lsp_types::CompletionItem::default()
            })
            .collect();
        Some(items)
    }

    fn definition(
        &mut self,
        at: &lsp_types::TextDocumentPositionParams,
    ) -> Option<Vec<lsp_types::Location>> {
        let (file, offset) = self.offset(at)?;
        let checked = self.checked.as_ref()?;
        let locs = ide::definition(checked, file, offset);
        Some(self.locations(&checked.project.sources, &locs))
    }

    fn references(
        &mut self,
        at: &lsp_types::TextDocumentPositionParams,
        declaration: bool,
    ) -> Option<Vec<lsp_types::Location>> {
        let (file, offset) = self.offset(at)?;
        let checked = self.checked.as_ref()?;
        let locs = ide::references(checked, file, offset, declaration);
        Some(self.locations(&checked.project.sources, &locs))
    }

    fn locations(&self, sources: &SourceMap, locs: &[Loc]) -> Vec<lsp_types::Location> {
        locs.iter()
            .filter_map(|l| self.location(sources, *l))
            .collect()
    }

    fn symbols(&self, uri: &Url) -> Option<Vec<lsp_types::DocumentSymbol>> {
        let (checked, file) = self.file(uri)?;
        let sources = &checked.project.sources;
        Some(
            ide::symbols(checked, file)
                .into_iter()
                .map(|s| self.symbol(sources, file, s))
                .collect(),
        )
    }

    #[allow(deprecated)] // DocumentSymbol::deprecated must be written out
    fn symbol(
        &self,
        sources: &SourceMap,
        file: FileId,
        s: ide::Symbol,
    ) -> lsp_types::DocumentSymbol {
        let children: Vec<lsp_types::DocumentSymbol> = s
            .children
            .into_iter()
            .map(|c| self.symbol(sources, file, c))
            .collect();
        lsp_types::DocumentSymbol {
            name: s.name,
            detail: s.detail,
            kind: match s.kind {
                ide::SymbolKind::Rule => lsp_types::SymbolKind::FUNCTION,
                ide::SymbolKind::Let => lsp_types::SymbolKind::CONSTANT,
                ide::SymbolKind::Entity => lsp_types::SymbolKind::OBJECT,
                ide::SymbolKind::Waiver => lsp_types::SymbolKind::EVENT,
                ide::SymbolKind::Section => lsp_types::SymbolKind::NAMESPACE,
            },
            tags: None,
            deprecated: None,
            range: self.range(sources, Loc::new(file, s.span)),
            selection_range: self.range(sources, Loc::new(file, s.selection)),
            children: (!children.is_empty()).then_some(children),
        }
    }

    fn lenses(&mut self, uri: &Url) -> Option<Vec<lsp_types::CodeLens>> {
        self.refresh_findings();
        let (checked, file) = self.file(uri)?;
        let sources = &checked.project.sources;
        Some(
            ide::lenses(checked, &self.findings, file)
                .into_iter()
                .map(|l| lsp_types::CodeLens {
                    range: self.range(sources, Loc::new(file, l.span)),
                    command: Some(lsp_types::Command {
                        title: l.title,
                        command: String::new(),
                        arguments: None,
                    }),
                    data: None,
                })
                .collect(),
        )
    }
}

/// The CLI's words for a diagnostic: its message, the primary label's text, then `help:`.
fn message(d: &Diag) -> String {
    let mut out = d.message.clone();
    if let Some(text) = d.primary.as_ref().and_then(|l| l.text.as_deref())
        && !text.is_empty()
    {
        out.push('\n');
        out.push_str(text);
    }
    if let Some(help) = &d.help {
        out.push_str("\nhelp: ");
        out.push_str(help);
    }
    out
}

/// The findings of the whole program, waivers applied, as `custody check` finds them.
fn evaluate(checked: &Checked) -> Vec<Finding> {
    let project = &checked.project;
    let program = &checked.program;
    let cx = eval::Context::new(
        program,
        &project.inventory,
        &project.schema,
        &project.taxonomy,
        &project.sources,
        project.as_of,
    );
    let mut findings = cx.run(None).findings;
    let evaluated = vec![true; program.rules.len()];
    // The waivers' own problems are among the diagnostics already (lint reports them).
    let mut scratch = Vec::new();
    eval::waivers::apply(
        &mut findings,
        &project.waivers,
        program,
        &evaluated,
        &project.inventory,
        &project.schema,
        project.as_of,
        &mut scratch,
    );
    findings
}

fn completion_kind(k: ide::CompletionKind) -> lsp_types::CompletionItemKind {
    use lsp_types::CompletionItemKind as K;
    match k {
        ide::CompletionKind::Keyword => K::KEYWORD,
        ide::CompletionKind::Kind => K::CLASS,
        ide::CompletionKind::Field => K::FIELD,
        ide::CompletionKind::Category => K::ENUM_MEMBER,
        ide::CompletionKind::Entity => K::REFERENCE,
        ide::CompletionKind::Variable => K::VARIABLE,
        ide::CompletionKind::Rule => K::FUNCTION,
        ide::CompletionKind::Value => K::VALUE,
    }
}

/// The file a `file:` URI names, normalised; `None` for any other scheme.
fn path_of(uri: &Url) -> Option<PathBuf> {
    if uri.scheme() != "file" {
        return None;
    }
    uri.to_file_path().ok().map(|p| sources::normalize(&p))
}

/// `text` with `range` (LSP positions) replaced by `new` (incremental sync).
fn splice(text: &str, range: lsp_types::Range, new: &str) -> String {
    let ix = LineIndex::new(text);
    let start = ix.offset(text, range.start.line, range.start.character);
    let end = ix
        .offset(text, range.end.line, range.end.character)
        .max(start);
    let mut out = String::with_capacity(text.len() + new.len());
    out.push_str(text.get(..start).unwrap_or(text));
    out.push_str(new);
    out.push_str(text.get(end..).unwrap_or(""));
    out
}

fn parse<P: serde::de::DeserializeOwned>(r: &Request) -> Result<P, Response> {
    serde_json::from_value(r.params.clone()).map_err(|e| {
        Response::new_err(
            RequestId::from(0),
            ErrorCode::InvalidParams as i32,
            format!("invalid parameters for `{}`: {e}", r.method),
        )
    })
}

fn to_json<T: serde::Serialize>(value: T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}
