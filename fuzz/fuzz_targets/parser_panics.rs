//! The PDF reader catches a panic inside the third-party PDF parser and reports a damaged file, so
//! a panic raised in `pdf_oxide` is not a crash for the targets that reach it; a panic anywhere else
//! (Grizha's own code) still aborts and is reported.

pub fn abort_unless_in_the_pdf_parser() {
    let abort = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let in_parser = info.location().is_some_and(|at| at.file().contains("pdf_oxide"));
        if !in_parser {
            abort(info);
        }
    }));
}
