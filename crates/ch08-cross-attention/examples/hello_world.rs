//! Prints example 5, "Hello world" -> "Bonjour monde", exactly as
//! chapter 8 shows it: the embeddings, then the alignment.
//!
//! `cargo run -p ch08-cross-attention --example hello_world`

use ch08_cross_attention::worked;

fn main() -> anyhow::Result<()> {
    print!("{}", worked::hello_world_embeddings()?);
    println!();
    print!("{}", worked::hello_world_alignment()?);
    Ok(())
}
