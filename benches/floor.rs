//! The benchmark's floor: parse the same YAML files with the same YAML library
//! (serde-saphyr) into a generic value and keep it alive, as custody must at least read its
//! input. `--events` measures the bare event parser instead (granit, inside serde-saphyr),
//! which is what custody itself reads. Files are parsed one after another, single-threaded.
//!
//! Usage: floor [--events] FILE...

use std::hint::black_box;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let events = args.iter().any(|a| a == "--events");
    let mut kept = Vec::new();
    let mut count = 0usize;
    for path in args.iter().filter(|a| !a.starts_with("--")) {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("floor: cannot read {path}: {e}");
                std::process::exit(2);
            }
        };
        if events {
            let mut parser = serde_saphyr::granit_parser::Parser::new_from_str(&text);
            while let Some(ev) = parser.next_event() {
                match ev {
                    Ok(ev) => {
                        count += black_box(usize::from(!matches!(
                            ev.0,
                            serde_saphyr::granit_parser::Event::StreamEnd
                        )))
                    }
                    Err(e) => {
                        eprintln!("floor: {path}: {e}");
                        std::process::exit(2);
                    }
                }
            }
        } else {
            // The default budgets are for configuration files; a 90 MB inventory needs room.
            let budget = serde_saphyr::budget! {
                max_events: usize::MAX,
                max_nodes: usize::MAX,
                max_total_scalar_bytes: usize::MAX,
                max_reader_input_bytes: None,
            };
            let options = serde_saphyr::options! { budget: budget };
            match serde_saphyr::from_str_with_options::<serde_json::Value>(&text, options) {
                Ok(v) => kept.push(v),
                Err(e) => {
                    eprintln!("floor: {path}: {e}");
                    std::process::exit(2);
                }
            }
        }
        kept.push(serde_json::Value::String(String::new()));
        black_box(&text);
    }
    black_box(&kept);
    println!("{}", count + kept.len());
}
