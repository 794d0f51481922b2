//! Prints chapter 14's masks of BERT, GPT and T5 and its toy examples of
//! where attention is used.
//!
//! `cargo run -p ch14-where-attention-lives --example uses`

use ch14_where_attention_lives::worked;

fn main() -> anyhow::Result<()> {
    for text in [
        worked::family_masks()?,
        worked::search_faucet()?,
        worked::chat_cats()?,
        worked::code_completion()?,
        worked::image_patches()?,
        worked::text_to_image()?,
    ] {
        print!("{text}");
        println!();
    }
    Ok(())
}
