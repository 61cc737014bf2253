//! `maprace list`.

use super::args::{Format, ListArgs};
use super::{print, rows, CliError, EXIT_OK};

pub fn run(args: &ListArgs) -> Result<i32, CliError> {
    let rows: Vec<_> = maprace_scenarios::all()
        .iter()
        .map(rows::list_row)
        .collect();
    print(&match args.format {
        Format::Table => maprace_reports::table::list_sized(&rows, super::render::terminal_width()),
        Format::Json => maprace_reports::json::list(&rows),
    })?;
    Ok(EXIT_OK)
}
