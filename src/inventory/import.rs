//! `custody import`: a CSV file or a spreadsheet read as a table ([`read_csv`],
//! [`read_workbook`]), its columns mapped to the fields of one kind, every cell checked
//! against its field's type, and the rows written as inventory YAML ([`import`]).
//!
//! The first row (of a sheet: its first non-empty row) is the header. A header names a field
//! ignoring letter case, with spaces and `-` read as `_` (`Last Audit` is `last_audit`,
//! `Contract.DPA Signed` is `contract.dpa_signed`); `--map COLUMN=FIELD` names it explicitly
//! and `--map COLUMN=-` skips the column. Cells are named as a spreadsheet names them:
//! `vendors.csv: C12`, `vendors.xlsx: Sheet1!C12`. Nothing is produced while there is any
//! error, and every error of the table is reported in one run.

use super::load::{expected, parse_date};
use super::schema::{FieldId, FieldType, KindId, Schema};
use super::taxonomy::Taxonomy;
use crate::diag::{self, Diag, codes};
use crate::source::{FileId, Loc, Span};
use crate::yaml::emit::{self, Out};
use std::collections::HashMap;
use std::path::Path;

/// How a file is read, by its extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    /// Excel (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`) or OpenDocument (`.ods`), read by calamine.
    Workbook,
}

/// The extensions `custody import` reads, as listed in messages.
pub const EXTENSIONS: &str = "`.csv`, `.xlsx`, `.xlsm`, `.xlsb`, `.xls` or `.ods`";

/// The format of `path`, from its extension (any letter case); `None`: not one custody reads.
pub fn format_of(path: &Path) -> Option<Format> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "csv" => Some(Format::Csv),
        "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" => Some(Format::Workbook),
        _ => None,
    }
}

/// A cell's value as the file holds it.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    /// A date cell (a real date, or a serial number formatted as a date), with its time of
    /// day when it is not midnight (`12:30:00`).
    Date(jiff::civil::Date, Option<String>),
    /// A date cell whose day does not exist (Excel's 1900-02-29), as `YYYY-MM-DD`.
    BadDate(String),
    /// A duration cell (`[h]:mm`), as text.
    Duration(String),
    /// A formula error (`#DIV/0!`).
    Error(String),
}

impl Value {
    fn is_empty(&self) -> bool {
        match self {
            Value::Empty => true,
            Value::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }
}

/// A cell: its value and, in a CSV file, where its text is.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    pub value: Value,
    pub span: Option<Span>,
}

/// A file read as rows of cells; the first row is the header.
#[derive(Debug)]
pub struct Table {
    /// The file as output names it.
    pub name: String,
    /// The sheet of a workbook; `None` for CSV.
    pub sheet: Option<String>,
    /// The CSV text in the source map, for labels.
    pub file: Option<FileId>,
    /// The zero-based row and column of the first cell (a sheet's data may start at `B3`).
    pub origin: (u32, u32),
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// `vendors.csv: C12`, `vendors.xlsx: Sheet1!C12` for the cell at `row`, `col` of the
    /// table (zero-based, relative to the origin).
    pub fn cell_ref(&self, row: usize, col: usize) -> String {
        let name = &self.name;
        let cell = format!(
            "{}{}",
            column_letters(self.origin.1 as usize + col),
            self.origin.0 as usize + row + 1
        );
        match &self.sheet {
            Some(s) if s.chars().all(|c| c.is_alphanumeric() || c == '_') => {
                format!("{name}: {s}!{cell}")
            }
            Some(s) => format!("{name}: '{}'!{cell}", s.replace('\'', "''")),
            None => format!("{name}: {cell}"),
        }
    }

    /// The spreadsheet row number of table row `row`.
    fn row_number(&self, row: usize) -> usize {
        self.origin.0 as usize + row + 1
    }

    fn loc(&self, cell: &Cell) -> Option<Loc> {
        Some(Loc::new(self.file?, cell.span?))
    }

    fn cell(&self, row: usize, col: usize) -> Option<&Cell> {
        self.rows.get(row)?.get(col)
    }
}

/// `A`, ..., `Z`, `AA`, ... for a zero-based column.
pub fn column_letters(mut col: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    out.reverse();
    String::from_utf8_lossy(&out).into_owned()
}

// ---------------------------------------------------------------------------------------
// Reading.

/// Read CSV `text` (already in the source map as `file`): comma-separated, `"` quotes
/// (doubled inside), fields may span lines; rows may have different lengths.
pub fn read_csv(name: &str, file: FileId, text: &str, diags: &mut Vec<Diag>) -> Option<Table> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                diags.push(
                    Diag::new(
                        &codes::import::UNREADABLE,
                        format!("cannot read `{name}` as CSV: {e}"),
                    )
                    .help("save the file as CSV (comma-separated, UTF-8) and import it again"),
                );
                return None;
            }
        };
        let start = record.position().map_or(0, |p| p.byte() as usize);
        let spans = field_spans(text, start, record.len());
        let row = record
            .iter()
            .zip(spans)
            .map(|(t, span)| {
                let t = if rows.is_empty() && span.start == 0 {
                    t.strip_prefix('\u{feff}').unwrap_or(t)
                } else {
                    t
                };
                Cell {
                    value: if t.trim().is_empty() {
                        Value::Empty
                    } else {
                        Value::Text(t.replace("\r\n", "\n"))
                    },
                    span: Some(label_span(text, span)),
                }
            })
            .collect();
        rows.push(row);
    }
    Some(Table {
        name: name.to_owned(),
        sheet: None,
        file: Some(file),
        origin: (0, 0),
        rows,
    })
}

/// A cell's label: a long cell is labelled by its first 60 bytes, so a snippet never shows
/// a megabyte cell whole.
fn label_span(text: &str, span: Span) -> Span {
    let (start, end) = (span.start as usize, span.end as usize);
    if end - start <= 60 {
        return span;
    }
    let mut cut = start + 60;
    while cut > start && !text.is_char_boundary(cut) {
        cut -= 1;
    }
    Span::new(start, cut)
}

/// The byte ranges of the `n` fields of the CSV record that starts at `start` (the csv
/// crate's dialect: `,` separates, a field starting with `"` runs to the next lone `"`).
fn field_spans(text: &str, start: usize, n: usize) -> Vec<Span> {
    let b = text.as_bytes();
    let mut i = start;
    let mut spans = Vec::with_capacity(n);
    for _ in 0..n {
        let from = i;
        if b.get(i) == Some(&b'"') {
            i += 1;
            while let Some(&c) = b.get(i) {
                if c == b'"' {
                    if b.get(i + 1) == Some(&b'"') {
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                i += 1;
            }
        }
        while let Some(&c) = b.get(i) {
            if matches!(c, b',' | b'\n' | b'\r') {
                break;
            }
            i += 1;
        }
        spans.push(Span::new(from, i));
        if b.get(i) == Some(&b',') {
            i += 1;
        }
    }
    spans
}

/// Read one sheet of a workbook (`sheet`, else the first) from the file's bytes. `sheet_loc`
/// is where `--sheet` was typed, for its label.
pub fn read_workbook(
    name: &str,
    bytes: Vec<u8>,
    sheet: Option<(&str, Loc)>,
    diags: &mut Vec<Diag>,
) -> Option<Table> {
    use calamine::Reader;
    let unreadable = |e: String| {
        Diag::new(
            &codes::import::UNREADABLE,
            format!("cannot read `{name}` as a spreadsheet: {e}"),
        )
        .help("open the file in a spreadsheet program and save it again as .xlsx, or export the sheet as CSV")
    };
    // calamine parses untrusted zip and XML: a panic on a corrupt file is an error, not a crash.
    let opened = quietly(move || calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)));
    let mut book = match opened {
        Ok(Ok(b)) => b,
        Ok(Err(e)) => {
            diags.push(unreadable(e.to_string()));
            return None;
        }
        Err(_) => {
            diags.push(unreadable("the file is corrupt".into()));
            return None;
        }
    };
    let names = book.sheet_names();
    let chosen = match sheet {
        Some((wanted, loc)) => match names.iter().find(|n| n.as_str() == wanted) {
            Some(n) => n.clone(),
            None => {
                let help = diag::suggest(wanted, names.iter().map(String::as_str), "its sheets");
                diags.push(
                    Diag::new(
                        &codes::import::UNKNOWN_SHEET,
                        format!("no sheet `{wanted}` in `{name}`"),
                    )
                    .at(loc, "not a sheet of the workbook")
                    .help_opt(help),
                );
                return None;
            }
        },
        None => match names.first() {
            Some(n) => n.clone(),
            None => {
                diags.push(
                    Diag::new(&codes::import::EMPTY, format!("`{name}` has no sheets"))
                        .help("import a workbook with a sheet whose first row is the header"),
                );
                return None;
            }
        },
    };
    let range = match quietly(std::panic::AssertUnwindSafe(|| {
        book.worksheet_range(&chosen)
    })) {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => {
            diags.push(unreadable(e.to_string()));
            return None;
        }
        Err(_) => {
            diags.push(unreadable("the file is corrupt".into()));
            return None;
        }
    };
    let origin = range.start().unwrap_or((0, 0));
    let rows = range
        .rows()
        .map(|r| {
            r.iter()
                .map(|d| Cell {
                    value: from_calamine(d),
                    span: None,
                })
                .collect()
        })
        .collect();
    Some(Table {
        name: name.to_owned(),
        sheet: Some(chosen),
        file: None,
        origin,
        rows,
    })
}

fn from_calamine(d: &calamine::Data) -> Value {
    use calamine::Data;
    match d {
        Data::Empty => Value::Empty,
        Data::String(s) => {
            if s.trim().is_empty() {
                Value::Empty
            } else {
                Value::Text(s.replace("\r\n", "\n"))
            }
        }
        Data::Int(i) => Value::Number(*i as f64),
        Data::Float(f) => Value::Number(*f),
        Data::Bool(b) => Value::Bool(*b),
        Data::DateTime(dt) if dt.is_duration() => Value::Duration(dt.as_f64().to_string()),
        Data::DateTime(dt) => {
            // calamine does the calendar arithmetic (both epochs, Excel's 1900 leap-year bug).
            let (y, m, d, h, mi, s, ms) = dt.to_ymd_hms_milli();
            let time = (h, mi, s, ms) != (0, 0, 0, 0);
            let time = time.then(|| format!("{h:02}:{mi:02}:{s:02}"));
            match jiff::civil::Date::new(y as i16, m as i8, d as i8) {
                Ok(date) => Value::Date(date, time),
                Err(_) => Value::BadDate(format!("{y:04}-{m:02}-{d:02}")),
            }
        }
        Data::DateTimeIso(s) => {
            // OpenDocument dates: `2026-03-31` or `2026-03-31T12:30:00`.
            let (day, rest) = s.split_at_checked(10).unwrap_or((s.as_str(), ""));
            match parse_date(day) {
                Ok(date) => {
                    let time = rest.trim_start_matches('T');
                    let midnight =
                        time.is_empty() || time.trim_end_matches(['0', ':', '.']).is_empty();
                    Value::Date(date, (!midnight).then(|| time.to_owned()))
                }
                Err(_) => Value::Text(s.clone()),
            }
        }
        Data::DurationIso(s) => Value::Duration(s.clone()),
        Data::Error(e) => Value::Error(e.to_string()),
    }
}

// ---------------------------------------------------------------------------------------
// Mapping columns to fields.

/// One `--map COLUMN=FIELD` as typed, in a source of its own (`file`) for labels.
#[derive(Clone, Debug)]
pub struct MapArg {
    pub column: String,
    /// `-`: skip the column.
    pub field: String,
    pub file: FileId,
    /// The whole argument, and the FIELD part.
    pub span: Span,
    pub field_span: Span,
}

/// Split `--map` text (in source `file`) at its last `=`.
pub fn parse_map(text: &str, file: FileId) -> Result<MapArg, Box<Diag>> {
    let whole = Span::new(0, text.len());
    match text.rsplit_once('=') {
        Some((column, field)) if !column.trim().is_empty() && !field.trim().is_empty() => {
            let at = column.len() + 1;
            Ok(MapArg {
                column: column.trim().to_owned(),
                field: field.trim().to_owned(),
                file,
                span: whole,
                field_span: Span::new(at, text.len()),
            })
        }
        _ => Err(Box::new(Diag::new(
            &codes::import::BAD_MAP,
            format!("`--map {text}` is not `COLUMN=FIELD`"),
        )
        .at(Loc::new(file, whole), "expected COLUMN=FIELD")
        .help("write the column's header, `=`, and the field: `--map \"Vendor Name=name\"`, or `--map \"Notes=-\"` to skip a column"))),
    }
}

/// Where a column goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Target {
    Id,
    Field(FieldId),
    Skip,
}

/// A header as a field name: trimmed, lowercase, each run of spaces and `-` one `_`.
pub fn normalize(header: &str) -> String {
    let mut out = String::new();
    let mut gap = false;
    for c in header.trim().chars() {
        if c.is_whitespace() || c == '-' || c == '_' {
            gap = true;
            continue;
        }
        if gap && !out.is_empty() && !out.ends_with('.') {
            out.push('_');
        }
        gap = false;
        out.extend(c.to_lowercase());
    }
    out
}

/// `text` for a message: control characters escaped, at most 60 characters.
fn shown(text: &str) -> String {
    let mut out = String::new();
    for (n, c) in text.chars().enumerate() {
        if n == 60 {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// A header cell's text.
fn header_text(v: &Value) -> String {
    match v {
        Value::Empty => String::new(),
        Value::Text(t) => t.trim().to_owned(),
        other => plain_text(other).unwrap_or_default(),
    }
}

/// A non-text cell as text (`45000`, `true`, `2026-03-31`); `None` for errors and bad dates.
fn plain_text(v: &Value) -> Option<String> {
    match v {
        Value::Empty => None,
        Value::Text(t) => Some(t.trim().to_owned()),
        Value::Number(n) => Some(number_text(*n)),
        Value::Bool(b) => Some(b.to_string()),
        Value::Date(d, None) => Some(d.to_string()),
        Value::Date(d, Some(t)) => Some(format!("{d} {t}")),
        Value::Duration(t) => Some(t.clone()),
        Value::BadDate(_) | Value::Error(_) => None,
    }
}

fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

/// What a cell holds, in words: "`soon`", "the number `45000`".
fn found(v: &Value) -> String {
    match v {
        Value::Empty => "an empty cell".into(),
        Value::Text(t) => format!("`{}`", shown(t.trim())),
        Value::Number(n) => format!("the number `{}`", number_text(*n)),
        Value::Bool(b) => format!("the boolean `{b}`"),
        Value::Date(d, None) => format!("the date `{d}`"),
        Value::Date(d, Some(t)) => format!("the date and time `{d} {t}`"),
        Value::BadDate(d) => format!("the date `{d}`, which does not exist"),
        Value::Duration(t) => format!("the duration `{t}`"),
        Value::Error(e) => format!("the error `{e}`"),
    }
}

/// What `custody import` needs besides the table.
pub struct Request<'a> {
    pub kind: &'a str,
    /// Where `--kind` was typed.
    pub kind_loc: Loc,
    pub maps: &'a [MapArg],
}

/// What an import produced.
#[derive(Debug)]
pub struct Imported {
    /// The inventory YAML: `COLLECTION:` and one entity per row, in row order.
    pub yaml: String,
    /// How many entities.
    pub count: usize,
}

/// The table as inventory YAML for `request.kind`; `None` when there is any error (each is
/// in `diags`, in table order).
pub fn import(
    table: &Table,
    schema: &Schema,
    taxonomy: &Taxonomy,
    request: &Request<'_>,
    diags: &mut Vec<Diag>,
) -> Option<Imported> {
    let before = diags.iter().filter(|d| d.is_error()).count();
    let Some(kind) = schema.kind_by_name(request.kind) else {
        let names: Vec<&str> = schema.kinds.iter().map(|k| k.name.as_str()).collect();
        let by_collection = schema
            .kind_by_collection(request.kind)
            .map(|k| format!("did you mean `{}`?", schema.kind(k).name));
        diags.push(
            Diag::new(
                &codes::import::UNKNOWN_KIND,
                format!("unknown kind `{}`", shown(request.kind)),
            )
            .at(request.kind_loc, "not a kind of the schema")
            .help_opt(by_collection.or_else(|| diag::suggest(request.kind, names, "kinds"))),
        );
        return None;
    };
    if table
        .rows
        .iter()
        .all(|r| r.iter().all(|c| c.value.is_empty()))
    {
        diags.push(
            Diag::new(
                &codes::import::EMPTY,
                format!("{} has no header row", table_name(table)),
            )
            .help("the first row names the columns (`id`, `name`, ...); each row after it is one entity"),
        );
        return None;
    }
    let targets = map_columns(table, schema, kind, request.maps, diags);
    let importer = Importer {
        table,
        schema,
        taxonomy,
        kind,
    };
    let entities = importer.rows(&targets, diags);
    if diags.iter().filter(|d| d.is_error()).count() > before {
        return None;
    }
    let collection = schema.kind(kind).collection.clone();
    let count = entities.len();
    let doc = Out::Map(vec![(collection, Out::Seq(entities))]);
    match emit::document(&doc) {
        Ok(yaml) => Some(Imported { yaml, count }),
        Err(e) => {
            diags.push(Diag::new(
                &codes::import::UNREADABLE,
                format!("cannot write {} as YAML: {e}", table_name(table)),
            ));
            None
        }
    }
}

/// The file in backticks, with its sheet: "`vendors.xlsx` (sheet `Sheet1`)".
fn table_name(table: &Table) -> String {
    match &table.sheet {
        Some(s) => format!("`{}` (sheet `{}`)", table.name, shown(s)),
        None => format!("`{}`", table.name),
    }
}

/// Each column's target (`None`: an error was reported for it, or it has neither header nor
/// data).
fn map_columns(
    table: &Table,
    schema: &Schema,
    kind: KindId,
    maps: &[MapArg],
    diags: &mut Vec<Diag>,
) -> Vec<Option<Target>> {
    let ks = schema.kind(kind);
    let width = table.rows.iter().map(Vec::len).max().unwrap_or(0);
    let header: Vec<String> = (0..width)
        .map(|c| {
            table
                .cell(0, c)
                .map(|x| header_text(&x.value))
                .unwrap_or_default()
        })
        .collect();
    let normalized: Vec<String> = header.iter().map(|h| normalize(h)).collect();
    let importable: Vec<&str> = std::iter::once("id")
        .chain(
            ks.fields
                .iter()
                .filter(|f| f.reverse_of.is_none() && f.ty != FieldType::Object)
                .map(|f| f.name.as_str()),
        )
        .collect();
    // A field name as a target, or the reason it cannot be one.
    let target_of = |name: &str| -> Result<Target, Option<String>> {
        if name == "-" {
            return Ok(Target::Skip);
        }
        if name == "id" {
            return Ok(Target::Id);
        }
        match ks.field(name) {
            Some(fid) => {
                let fs = ks.field_schema(fid);
                if let Some((from, field)) = fs.reverse_of {
                    let from = schema.kind(from);
                    Err(Some(format!(
                        "`{name}` is computed from `{}.{}` and cannot be imported",
                        from.name,
                        from.field_schema(field).name
                    )))
                } else if fs.ty == FieldType::Object {
                    let members: Vec<String> = ks
                        .members(Some(fid))
                        .map(|(_, m)| format!("`{}`", m.name))
                        .collect();
                    Err(Some(format!(
                        "`{name}` is an object; import its members as columns ({})",
                        members.join(", ")
                    )))
                } else {
                    Ok(Target::Field(fid))
                }
            }
            None => Err(None),
        }
    };
    let mut targets: Vec<Option<Target>> = vec![None; width];
    let mut mapped = vec![false; width];
    for m in maps {
        let want = normalize(&m.column);
        let columns: Vec<usize> = (0..width).filter(|c| normalized[*c] == want).collect();
        if columns.is_empty() {
            let help = diag::suggest(
                &m.column,
                header.iter().map(String::as_str).filter(|h| !h.is_empty()),
                "the columns",
            );
            diags.push(
                Diag::new(
                    &codes::import::BAD_MAP,
                    format!(
                        "no column `{}` in the header of {}",
                        shown(&m.column),
                        table_name(table)
                    ),
                )
                .at(Loc::new(m.file, m.span), "no such column")
                .help_opt(help),
            );
            continue;
        }
        let target = match target_of(&m.field) {
            Ok(t) => t,
            Err(reason) => {
                let near = diag::did_you_mean(&m.field, importable.iter().copied());
                diags.push(
                    Diag::new(
                        &codes::import::BAD_MAP,
                        reason.unwrap_or_else(|| {
                            format!("`{}` has no field `{}`", ks.name, shown(&m.field))
                        }),
                    )
                    .at(Loc::new(m.file, m.field_span), "not a field to import")
                    .help(match near {
                        Some(n) => format!("did you mean `{n}`?"),
                        None => format!("run `custody schema` to see the fields of `{}`", ks.name),
                    }),
                );
                for c in columns {
                    mapped[c] = true;
                }
                continue;
            }
        };
        for c in columns {
            targets[c] = Some(target);
            mapped[c] = true;
        }
    }
    for c in 0..width {
        if mapped[c] {
            continue;
        }
        let cell_ref = table.cell_ref(0, c);
        let loc = table.cell(0, c).and_then(|x| table.loc(x));
        let with_loc = |d: Diag, text: &str| match loc {
            Some(l) => d.at(l, text),
            None => d,
        };
        if header[c].is_empty() {
            let data = (1..table.rows.len())
                .find(|r| table.cell(*r, c).is_some_and(|x| !x.value.is_empty()));
            if let Some(r) = data {
                let d = Diag::new(
                    &codes::import::UNKNOWN_COLUMN,
                    format!(
                        "{}: column {} has data (in row {}) but no header",
                        cell_ref,
                        column_letters(table.origin.1 as usize + c),
                        table.row_number(r)
                    ),
                )
                .help("give the column a header that names a field, or delete the column");
                diags.push(with_loc(d, "no header"));
            }
            continue;
        }
        match target_of(&normalized[c]) {
            Ok(t) => targets[c] = Some(t),
            Err(Some(reason)) => {
                let d = Diag::new(
                    &codes::import::NOT_IMPORTABLE,
                    format!("{cell_ref}: {reason}"),
                )
                .help(format!(
                    "skip the column with `--map \"{}=-\"`",
                    shown(&header[c])
                ));
                diags.push(with_loc(d, "not a field to import"));
            }
            Err(None) => {
                let near = diag::did_you_mean(&normalized[c], importable.iter().copied());
                let h = shown(&header[c]);
                let help = match near {
                    Some(n) => format!(
                        "did you mean `{n}`? map the column with `--map \"{h}={n}\"`, or skip it with `--map \"{h}=-\"`"
                    ),
                    None => format!(
                        "map the column to a field of `{}` with `--map \"{h}=FIELD\"`, or skip it with `--map \"{h}=-\"`",
                        ks.name
                    ),
                };
                let d = Diag::new(
                    &codes::import::UNKNOWN_COLUMN,
                    format!(
                        "{cell_ref}: unknown column `{h}`: `{}` has no such field",
                        ks.name
                    ),
                )
                .help(help);
                diags.push(with_loc(d, "no field of this name"));
            }
        }
    }
    // Each field from one column.
    let mut first: HashMap<Target, usize> = HashMap::new();
    for c in 0..width {
        let Some(t) = targets[c] else { continue };
        if t == Target::Skip {
            continue;
        }
        if let Some(&prev) = first.get(&t) {
            let field = match t {
                Target::Field(f) => ks.field_schema(f).name.clone(),
                Target::Id | Target::Skip => "id".to_owned(),
            };
            let mut d = Diag::new(
                &codes::import::DUPLICATE_COLUMN,
                format!(
                    "{}: columns {} and {} are both `{field}`",
                    table.cell_ref(0, c),
                    column_letters(table.origin.1 as usize + prev),
                    column_letters(table.origin.1 as usize + c)
                ),
            )
            .help(format!(
                "keep one of the two, or skip this one with `--map \"{}=-\"`",
                shown(&header[c])
            ));
            if let Some(l) = table.cell(0, c).and_then(|x| table.loc(x)) {
                d = d.at(l, "second column for this field");
            }
            if let Some(l) = table.cell(0, prev).and_then(|x| table.loc(x)) {
                d = d.also(l, "first column for it");
            }
            diags.push(d);
            targets[c] = None;
        } else {
            first.insert(t, c);
        }
    }
    if !first.contains_key(&Target::Id) {
        let guess = header
            .iter()
            .find(|h| normalize(h).ends_with("_id") || normalize(h) == "identifier")
            .map(|h| shown(h));
        diags.push(
            Diag::new(
                &codes::import::MISSING_ID,
                format!("{} has no `id` column", table_name(table)),
            )
            .help(match guess {
                Some(h) => format!("every {} needs an id: map a column to it with `--map \"{h}=id\"`", ks.name),
                None => format!(
                    "every {} needs an id (letters, digits, `.`, `_`, `-`): add an `id` column, or map one with `--map \"COLUMN=id\"`",
                    ks.name
                ),
            }),
        );
    }
    targets
}

// ---------------------------------------------------------------------------------------
// Rows and cells.

struct Importer<'a> {
    table: &'a Table,
    schema: &'a Schema,
    taxonomy: &'a Taxonomy,
    kind: KindId,
}

/// A bad cell: the diagnostic's code, message (after the cell reference), label and help.
struct Bad {
    code: &'static crate::diag::code::Code,
    message: String,
    label: String,
    help: Option<String>,
}

impl Importer<'_> {
    fn rows(&self, targets: &[Option<Target>], diags: &mut Vec<Diag>) -> Vec<Out> {
        let ks = self.schema.kind(self.kind);
        let mut out = Vec::new();
        let mut seen: HashMap<String, (usize, usize)> = HashMap::new();
        let id_col = targets.iter().position(|t| *t == Some(Target::Id));
        let mut any_row = false;
        for r in 1..self.table.rows.len() {
            let Some(row) = self.table.rows.get(r) else {
                continue;
            };
            if row.iter().all(|c| c.value.is_empty()) {
                continue;
            }
            any_row = true;
            let mut ok = true;
            let mut id: Option<String> = None;
            let mut values: Vec<Option<Out>> = vec![None; ks.fields.len()];
            for (c, cell) in row.iter().enumerate() {
                let Some(Some(target)) = targets.get(c) else {
                    continue;
                };
                if cell.value.is_empty() {
                    continue;
                }
                let result = match target {
                    Target::Skip => continue,
                    Target::Id => self.id(&cell.value).map(|s| {
                        id = Some(s);
                    }),
                    Target::Field(f) => {
                        let fs = ks.field_schema(*f);
                        self.value(&fs.name, &fs.ty, &cell.value).map(|v| {
                            if let Some(slot) = values.get_mut(f.0 as usize) {
                                *slot = Some(v);
                            }
                        })
                    }
                };
                if let Err(bad) = result {
                    ok = false;
                    diags.push(self.diag(r, c, bad));
                }
            }
            let Some(id_text) = id else {
                if let Some(c) = id_col
                    && row.get(c).is_none_or(|x| x.value.is_empty())
                {
                    diags.push(self.diag(
                        r,
                        c,
                        Bad {
                            code: &codes::import::MISSING_ID,
                            message: format!("row {} has no `id`", self.table.row_number(r)),
                            label: "empty".into(),
                            help: Some(format!("every {} needs an id; fill in the cell", ks.name)),
                        },
                    ));
                }
                continue;
            };
            if let Some(c) = id_col
                && let Some(&(pr, pc)) = seen.get(&id_text)
            {
                let mut d = self.diag(
                    r,
                    c,
                    Bad {
                        code: &codes::import::DUPLICATE_ID,
                        message: format!(
                            "duplicate {} id `{}` (first in row {})",
                            ks.name,
                            shown(&id_text),
                            self.table.row_number(pr)
                        ),
                        label: "used again here".into(),
                        help: Some(format!(
                            "ids are unique within a kind: give one of the two {}s another id, or merge the rows",
                            ks.name
                        )),
                    },
                );
                if let Some(l) = self.table.cell(pr, pc).and_then(|x| self.table.loc(x)) {
                    d = d.also(l, "first used here");
                }
                diags.push(d);
                continue;
            }
            if let Some(c) = id_col {
                seen.insert(id_text.clone(), (r, c));
            }
            if ok {
                out.push(self.entity(id_text, &mut values));
            }
        }
        if !any_row {
            diags.push(
                Diag::new(
                    &codes::import::EMPTY,
                    format!(
                        "{} has a header row but no data rows",
                        table_name(self.table)
                    ),
                )
                .help(format!("add one row per {} below the header", ks.name)),
            );
        }
        out
    }

    /// One entity: `id`, then the fields in schema order, object members nested.
    fn entity(&self, id: String, values: &mut [Option<Out>]) -> Out {
        let mut map = vec![("id".to_owned(), Out::Str(id))];
        map.extend(self.members(None, values));
        Out::Map(map)
    }

    fn members(&self, parent: Option<FieldId>, values: &mut [Option<Out>]) -> Vec<(String, Out)> {
        let ks = self.schema.kind(self.kind);
        let mut out = Vec::new();
        for (fid, fs) in ks.members(parent) {
            if fs.ty == FieldType::Object {
                let inner = self.members(Some(fid), values);
                if !inner.is_empty() {
                    out.push((fs.short_name().to_owned(), Out::Map(inner)));
                }
            } else if let Some(v) = values.get_mut(fid.0 as usize).and_then(Option::take) {
                out.push((fs.short_name().to_owned(), v));
            }
        }
        out
    }

    fn diag(&self, r: usize, c: usize, bad: Bad) -> Diag {
        let mut d = Diag::new(
            bad.code,
            format!("{}: {}", self.table.cell_ref(r, c), bad.message),
        )
        .help_opt(bad.help);
        if let Some(l) = self.table.cell(r, c).and_then(|x| self.table.loc(x)) {
            d = d.at(l, bad.label);
        }
        d
    }

    fn id(&self, v: &Value) -> Result<String, Bad> {
        let ks = self.schema.kind(self.kind);
        let Some(text) = plain_text(v).filter(|_| !matches!(v, Value::Date(..))) else {
            return Err(self.wrong("id", &format!("an id of a {}", ks.name), v, None));
        };
        check_id(&text).map_err(|help| Bad {
            code: &codes::import::WRONG_TYPE,
            message: format!("invalid {} id {}", ks.name, found(v)),
            label: "ids may only contain letters, digits, `.`, `_` and `-`".into(),
            help: Some(help),
        })?;
        Ok(text)
    }

    fn wrong(&self, field: &str, expected: &str, v: &Value, help: Option<String>) -> Bad {
        Bad {
            code: &codes::import::WRONG_TYPE,
            message: format!("`{field}` expects {expected}, found {}", found(v)),
            label: format!("expected {expected}"),
            help,
        }
    }

    /// A cell as the value of a field of type `ty`.
    fn value(&self, field: &str, ty: &FieldType, v: &Value) -> Result<Out, Bad> {
        if let FieldType::List(inner) = ty {
            let items: Vec<Value> = match v {
                Value::Text(t) => t
                    .split([';', '\n'])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| Value::Text(s.to_owned()))
                    .collect(),
                other => vec![other.clone()],
            };
            let mut out = Vec::new();
            for item in &items {
                out.push(self.scalar(field, inner, item).map_err(|mut bad| {
                    if bad.code == &codes::import::WRONG_TYPE {
                        bad.message = format!(
                            "each entry of `{field}` must be {}, found {}",
                            expected(self.schema, inner),
                            found(item)
                        );
                    }
                    bad
                })?);
            }
            return Ok(Out::Seq(out));
        }
        self.scalar(field, ty, v)
    }

    fn scalar(&self, field: &str, ty: &FieldType, v: &Value) -> Result<Out, Bad> {
        let want = expected(self.schema, ty);
        if let Some(c) = text_of(v).and_then(|t| {
            t.chars()
                .find(|c| c.is_control() && !matches!(c, '\n' | '\t'))
        }) {
            return Err(self.wrong(
                field,
                &want,
                v,
                Some(format!(
                    "remove the control character U+{:04X} from the cell",
                    u32::from(c)
                )),
            ));
        }
        match ty {
            FieldType::String => match plain_text(v) {
                Some(t) => Ok(Out::Str(t)),
                None => Err(self.wrong(field, &want, v, None)),
            },
            FieldType::Number => match v {
                Value::Number(n) if n.is_finite() => Ok(Out::Num(*n)),
                Value::Text(t) => match t.trim().parse::<f64>() {
                    Ok(n) if n.is_finite() => Ok(Out::Num(n)),
                    _ => {
                        let bare: String = t
                            .trim()
                            .chars()
                            .filter(|c| !matches!(c, ',' | '_' | ' '))
                            .collect();
                        let help = match bare.parse::<f64>() {
                            Ok(n) if n.is_finite() => {
                                format!("write the number without separators: `{bare}`")
                            }
                            _ => "write a number, e.g. `72` or `0.5`".into(),
                        };
                        Err(self.wrong(field, &want, v, Some(help)))
                    }
                },
                _ => Err(self.wrong(
                    field,
                    &want,
                    v,
                    Some("write a number, e.g. `72` or `0.5`".into()),
                )),
            },
            FieldType::Bool => match v {
                Value::Bool(b) => Ok(Out::Bool(*b)),
                Value::Text(t) => match t.trim().to_ascii_lowercase().as_str() {
                    "true" | "yes" => Ok(Out::Bool(true)),
                    "false" | "no" => Ok(Out::Bool(false)),
                    _ => Err(self.wrong(
                        field,
                        &want,
                        v,
                        Some("write `true` or `false` (`yes` and `no` are read too)".into()),
                    )),
                },
                _ => Err(self.wrong(
                    field,
                    &want,
                    v,
                    Some("write `true` or `false` (`yes` and `no` are read too)".into()),
                )),
            },
            FieldType::Date => match v {
                Value::Date(d, None) => Ok(Out::Str(d.to_string())),
                Value::Date(d, Some(_)) => Err(self.wrong(
                    field,
                    &want,
                    v,
                    Some(format!(
                        "format the cell as a date without a time, or write `{d}`"
                    )),
                )),
                Value::Text(t) => match parse_date(t.trim()) {
                    Ok(d) => Ok(Out::Str(d.to_string())),
                    Err((_, help)) => Err(self.wrong(field, &want, v, Some(help))),
                },
                Value::Number(n) => {
                    let help = match serial_date(*n) {
                        Some(d) => format!(
                            "format the cell as a date, or write the date as `YYYY-MM-DD` (read as an Excel date, {} is {d})",
                            number_text(*n)
                        ),
                        None => "write dates as `YYYY-MM-DD`, e.g. `2026-03-31`".into(),
                    };
                    Err(self.wrong(field, &want, v, Some(help)))
                }
                _ => Err(self.wrong(
                    field,
                    &want,
                    v,
                    Some("write dates as `YYYY-MM-DD`, e.g. `2026-03-31`".into()),
                )),
            },
            FieldType::Category => {
                let Some(t) = plain_text(v).filter(|_| matches!(v, Value::Text(_))) else {
                    return Err(self.wrong(field, &want, v, None));
                };
                match self.taxonomy.lookup(&t) {
                    Some(_) => Ok(Out::Str(t)),
                    None => Err(Bad {
                        code: &codes::import::UNKNOWN_CATEGORY,
                        message: format!("unknown data category `{}` in `{field}`", shown(&t)),
                        label: "not in the taxonomy".into(),
                        help: Some(self.taxonomy.suggest(&t).unwrap_or_else(|| {
                            "add it under `taxonomy:` in custody.yaml to extend the taxonomy".into()
                        })),
                    }),
                }
            }
            FieldType::Enum(values) => {
                let Some(t) = plain_text(v).filter(|_| !matches!(v, Value::Date(..))) else {
                    return Err(self.wrong(field, &want, v, None));
                };
                if values.contains(&t) {
                    return Ok(Out::Str(t));
                }
                // Spreadsheets capitalise: `High` is `high` when only the case differs.
                if let Some(exact) = values.values.iter().find(|x| x.eq_ignore_ascii_case(&t)) {
                    return Ok(Out::Str(exact.clone()));
                }
                Err(Bad {
                    code: &codes::import::UNKNOWN_ENUM_VALUE,
                    message: format!("unknown `{field}` value `{}`", shown(&t)),
                    label: format!("not a valid `{field}`"),
                    help: diag::suggest(&t, values.listed(), "valid values"),
                })
            }
            FieldType::Ref(k) => {
                let Some(t) = plain_text(v).filter(|_| !matches!(v, Value::Date(..))) else {
                    return Err(self.wrong(field, &want, v, None));
                };
                match check_id(&t) {
                    Ok(()) => Ok(Out::Str(t)),
                    Err(help) => Err(self.wrong(
                        field,
                        &format!("the id of a {}", self.schema.kind(*k).name),
                        v,
                        Some(help),
                    )),
                }
            }
            FieldType::List(_) | FieldType::Object => Err(self.wrong(field, &want, v, None)),
        }
    }
}

fn text_of(v: &Value) -> Option<&str> {
    match v {
        Value::Text(t) => Some(t),
        _ => None,
    }
}

/// `f`, with a panic caught and not printed: calamine parses untrusted zip and XML, and a
/// panic there is reported as an unreadable file, without Rust's panic message before it.
fn quietly<T>(f: impl FnOnce() -> T + std::panic::UnwindSafe) -> std::thread::Result<T> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(f);
    std::panic::set_hook(hook);
    result
}

/// Letters, digits, `.`, `_` and `-` only; the error is a help with the id fixed.
fn check_id(text: &str) -> Result<(), String> {
    if !text.is_empty() && crate::inventory::load::id_chars_only(text) {
        return Ok(());
    }
    let fixed = crate::inventory::load::fixed_id(text);
    Err(if fixed.is_empty() {
        "ids use letters, digits, `.`, `_` and `-`".into()
    } else {
        format!(
            "ids use letters, digits, `.`, `_` and `-`: write it as `{}`",
            shown(&fixed)
        )
    })
}

/// The day a whole number would be as an Excel serial date (1900 epoch), for a help.
fn serial_date(n: f64) -> Option<String> {
    if n.fract() != 0.0 || !(1.0..2_958_466.0).contains(&n) {
        return None;
    }
    let dt = calamine::ExcelDateTime::new(n, calamine::ExcelDateTimeType::DateTime, false);
    let (y, m, d, ..) = dt.to_ymd_hms_milli();
    jiff::civil::Date::new(y as i16, m as i8, d as i8)
        .ok()
        .map(|d| d.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_while_reading_is_caught() {
        let before = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let caught = quietly(|| -> u8 { panic!("corrupt") });
        assert!(caught.is_err());
        assert_eq!(quietly(|| 7).ok(), Some(7));
        std::panic::set_hook(before);
    }

    #[test]
    fn columns_are_lettered_as_spreadsheets_do() {
        let names: Vec<String> = [0, 1, 25, 26, 27, 51, 52, 701, 702]
            .into_iter()
            .map(column_letters)
            .collect();
        assert_eq!(names, ["A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]);
    }

    #[test]
    fn headers_ignore_case_and_read_spaces_as_underscores() {
        assert_eq!(normalize(" Last  Audit "), "last_audit");
        assert_eq!(normalize("Contract.DPA Signed"), "contract.dpa_signed");
        assert_eq!(normalize("mfa-enforced"), "mfa_enforced");
        assert_eq!(normalize("ID"), "id");
    }

    #[test]
    fn csv_field_spans_cover_quoted_fields_and_newlines() {
        let text = "a,\"b,\"\"c\"\"\nd\",e\nx,y\n";
        let spans = field_spans(text, 0, 3);
        let got: Vec<&str> = spans.iter().map(|s| &text[s.range()]).collect();
        assert_eq!(got, ["a", "\"b,\"\"c\"\"\nd\"", "e"]);
    }

    #[test]
    fn serial_dates_use_calamine() {
        assert_eq!(serial_date(46112.0).as_deref(), Some("2026-03-31"));
        assert_eq!(serial_date(0.5), None);
    }
}
