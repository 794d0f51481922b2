//! Freezes the corpus once: the prose of `book/ch01..ch15*.md`, cleaned
//! by `data::clean`, into `data/corpus.txt`:
//! `cargo run -p ch16-tiny-gpt --example make_corpus`.
//!
//! Run it only to rebuild the corpus on purpose: the committed file is
//! the data the committed model was trained on, and later edits to the
//! chapters must not change it.

use ch16_tiny_gpt::data;

fn main() -> anyhow::Result<()> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let book = root.join("../../book");
    let mut names: Vec<String> = std::fs::read_dir(&book)?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| {
            n.ends_with(".md")
                && n.starts_with("ch")
                && n[2..4].parse::<u32>().is_ok_and(|k| (1..=15).contains(&k))
        })
        .collect();
    names.sort();
    let mut body = String::new();
    for name in &names {
        body.push_str(&data::clean(&std::fs::read_to_string(book.join(name))?));
    }
    let header = format!(
        "# The prose of Attention, Verified, chapters 1 to 15 ({}), written by\n\
         # `cargo run -p ch16-tiny-gpt --example make_corpus` from the book's own\n\
         # Markdown: fenced code, display math, includes, HTML and tables dropped,\n\
         # links and inline math reduced to their text, one paragraph a line,\n\
         # characters mapped into a small alphabet. Frozen: it is not rebuilt\n\
         # when the chapters change. These header lines are not part of it.\n",
        names.len()
    );
    let path = root.join("data/corpus.txt");
    std::fs::write(&path, header + &body)?;
    println!(
        "wrote {} ({} characters)",
        path.display(),
        body.chars().count()
    );
    Ok(())
}
