//! `custody graph [PATH] [--format dot|mermaid] [--focus KIND/ID]`: the supply-chain graph
//! (`report::graph`) drawn as Graphviz DOT or a Mermaid flowchart.
//!
//! It needs only the inventory (and the config's schema and taxonomy extensions, when there
//! is a config): policies and waivers are not read and nothing is evaluated, so no node is
//! marked failing and no `--as-of` is taken (`--report html` draws the failing ones).
//!
//! Exit code: 0 drawn (warnings included); 2 on any error (an invalid inventory, an unknown
//! `--focus` entity, a file that cannot be written), with nothing drawn.

use super::{Output, Std, write_atomic};
use crate::cli::{GraphArgs, GraphFormat};
use crate::diag::code::Code;
use crate::diag::codes;
use crate::diag::{self, Diag};
use crate::inventory::EntityId;
use crate::project::{self, Project};
use crate::report::graph::{self, dot, mermaid};
use crate::source::{Loc, Span};
use crate::types::{EntityRef, Exit};

const UNKNOWN_ENTITY: &Code = &codes::graph::UNKNOWN_ENTITY;

pub fn run(args: &GraphArgs, cwd: std::path::PathBuf, today: jiff::civil::Date) -> Output {
    let settings = project::Settings {
        cwd,
        config_dir: args.path.clone(),
        inventory: args.inventory.clone(),
        max_file_size: args.max_file_size,
        needs: project::Needs::INVENTORY,
        ..project::Settings::default()
    };
    let mut project = project::load_inventory(&settings, today);
    let drawing = if project.has_errors() {
        None
    } else {
        draw(args, &mut project)
    };
    diag::sort(&mut project.diags);
    project.diags.dedup();
    let style = super::style(args.color, Std::Err);
    let mut stderr = diag::render_all(
        &project.diags,
        &project.sources,
        &diag::handler(style.color, style.width),
    );
    let Some(text) = drawing.filter(|_| !project.has_errors()) else {
        return Output {
            stderr,
            exit: Exit::Invalid,
            ..Output::default()
        };
    };
    match &args.output {
        None => Output {
            stdout: text,
            stderr,
            ..Output::default()
        },
        Some(path) => match write_atomic(path, &text) {
            Ok(()) => Output {
                stderr,
                ..Output::default()
            },
            Err(e) => {
                stderr.push_str(&format!("error: {e}\n"));
                Output {
                    stderr,
                    exit: Exit::Invalid,
                    ..Output::default()
                }
            }
        },
    }
}

/// The graph in the format asked for; `None` (with a diagnostic) when `--focus` names no
/// entity.
fn draw(args: &GraphArgs, project: &mut Project) -> Option<String> {
    let focus = match &args.focus {
        Some(text) => Some(resolve_focus(project, text)?),
        None => None,
    };
    let g = graph::build(project, &[], focus);
    Some(match args.format {
        GraphFormat::Dot => dot::render(&g),
        GraphFormat::Mermaid => {
            let text = mermaid::render(&g);
            if mermaid::too_large(&g, &text) {
                project.diags.push(
                    Diag::new(
                        &codes::graph::MERMAID_TOO_LARGE,
                        format!(
                            "the graph has {} nodes, {} edges and {} characters, more than Mermaid draws by default ({} edges, {} characters)",
                            g.nodes.len(),
                            g.edges.len(),
                            text.chars().count(),
                            mermaid::MAX_EDGES,
                            mermaid::MAX_TEXT
                        ),
                    )
                    .help("draw one entity's neighbourhood with `--focus KIND/ID`, or the whole graph with `--format dot`"),
                );
            }
            text
        }
    })
}

/// `--focus`: `KIND/ID`, or an ID alone when exactly one entity has it. Unknown or
/// ambiguous: a diagnostic labelled in the argument (the source `<entity>`), with a
/// did-you-mean.
fn resolve_focus(project: &mut Project, text: &str) -> Option<EntityId> {
    let Project {
        sources,
        schema,
        inventory: inv,
        diags,
        ..
    } = project;
    if EntityRef::parse(text).is_some() {
        return super::explain::resolve_entity(sources, schema, inv, text, UNKNOWN_ENTITY, diags);
    }
    let same_id: Vec<EntityId> = (0..inv.entities.len())
        .map(|i| EntityId(i as u32))
        .filter(|&e| &*inv.get(e).id == text)
        .collect();
    if let [one] = same_id.as_slice() {
        return Some(*one);
    }
    let name_of = |e: EntityId| inv.entity_ref(schema, e).to_string();
    let file = sources.add("<entity>", text.to_owned());
    let at = Loc::new(file, Span::new(0, text.len()));
    let d = if same_id.is_empty() {
        let ids = inv.entities.iter().map(|e| &*e.id);
        let help = match diag::did_you_mean(text, ids) {
            Some(near) => {
                let e = (0..inv.entities.len())
                    .map(|i| EntityId(i as u32))
                    .find(|&e| &*inv.get(e).id == near);
                match e {
                    Some(e) => format!("did you mean `{}`?", name_of(e)),
                    None => format!("did you mean `{near}`?"),
                }
            }
            None => "name the entity as KIND/ID, e.g. `vendor/tessaly-crm`".to_owned(),
        };
        Diag::new(UNKNOWN_ENTITY, format!("no entity has the id `{text}`"))
            .at(at, "not an entity id")
            .help(help)
    } else {
        let names: Vec<String> = same_id
            .iter()
            .map(|&e| format!("`{}`", name_of(e)))
            .collect();
        Diag::new(
            UNKNOWN_ENTITY,
            format!("{} entities have the id `{text}`", same_id.len()),
        )
        .at(at, "names more than one entity")
        .help(format!("name one as KIND/ID: {}", names.join(" or ")))
    };
    diags.push(d);
    None
}
