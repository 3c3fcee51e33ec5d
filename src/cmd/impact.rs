//! `custody impact ENTITY`: the incident-response view of a breach at one vendor or data
//! store, as aligned text with headings or as one JSON object (`--format json`).
//!
//! The facts come from `eval::impact` and `report::impact` lays them out; this module
//! resolves the entity named on the command line and reports what cannot be shown. Exit
//! code: 0, or 2 on any error (an unknown entity, invalid input).

use super::Output;
use crate::check::Checked;
use crate::cli::{Format, ImpactArgs};
use crate::diag::Diag;
use crate::diag::code::Code;
use crate::diag::codes;
use crate::eval::Context;
use crate::eval::impact;
use crate::report;
use crate::source::{Loc, Span};
use crate::types::Exit;

const UNKNOWN_ENTITY: &Code = &codes::impact::UNKNOWN_ENTITY;
const UNSUPPORTED_KIND: &Code = &codes::impact::UNSUPPORTED_KIND;

pub fn run(args: &ImpactArgs, cwd: std::path::PathBuf, today: jiff::civil::Date) -> Output {
    super::explain::with_project(
        &args.input,
        crate::project::Needs::INVENTORY,
        args.as_of,
        cwd,
        today,
        |loaded| (impact_of(args, loaded).unwrap_or_default(), Exit::Clean),
    )
}

fn impact_of(args: &ImpactArgs, loaded: &mut Checked) -> Option<String> {
    let e = super::explain::resolve_entity(
        &mut loaded.project.sources,
        &loaded.project.schema,
        &loaded.project.inventory,
        &args.entity,
        UNKNOWN_ENTITY,
        &mut loaded.project.diags,
    )?;
    let cx = Context::of(loaded);
    let Some(imp) = impact::impact(&cx, &loaded.project.waivers, e) else {
        drop(cx);
        let kind = &loaded
            .project
            .schema
            .kind(loaded.project.inventory.get(e).kind)
            .name;
        let file = loaded.project.sources.add("<entity>", args.entity.clone());
        let d = Diag::new(
            UNSUPPORTED_KIND,
            format!("`custody impact` covers vendors and data stores, not a {kind}"),
        )
        .at(
            Loc::new(file, Span::new(0, kind.len())),
            "neither a vendor nor a data store",
        )
        .help("name a vendor or a data store, e.g. `vendor/ID`");
        loaded.project.diags.push(d);
        return None;
    };
    let waivers = &loaded.project.waivers;
    Some(match args.format {
        Format::Human => report::impact::text(&cx, waivers, &imp),
        Format::Json => report::impact::json(&cx, waivers, &imp),
    })
}
