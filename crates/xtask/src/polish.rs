//! Repairs to the built HTML, made after mdBook has written every page:
//!
//! - every figure of `figures/` becomes a numbered `<figure>`: a light and
//!   a dark copy (the theme shows one), each choosing its narrow variant on
//!   a phone, each a link to itself at full size, and a caption
//!   `Figure N.M` (chapter `N`, the `M`th figure of that chapter in the
//!   page) with the figure's title, at the anchor `#figure-N-M`;
//! - the characters inside `<math>` are collected, so the math font can be
//!   cut down to them (see [`crate::book`]).

use anyhow::{Context, Result};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The widest page that shows the narrow variant of a figure: up to here a
/// wide figure would be scaled down below 11 px text.
pub const NARROW_MEDIA: &str = "(max-width: 719px)";

/// Repairs every HTML page under `dir` (the built book) and returns the
/// characters its formulas use.
pub fn run(dir: &Path) -> Result<BTreeSet<char>> {
    let mut chars = BTreeSet::new();
    let mut sizes = SvgInfo::default();
    pages(dir, dir, &mut chars, &mut sizes)?;
    Ok(chars)
}

fn pages(
    book: &Path,
    dir: &Path,
    chars: &mut BTreeSet<char>,
    svgs: &mut SvgInfo,
) -> Result<()> {
    let mut entries: Vec<_> =
        std::fs::read_dir(dir)?.collect::<std::io::Result<_>>()?;
    entries.sort_by_key(|e| e.path());
    for entry in entries {
        let path = entry.path();
        if path.is_dir() {
            pages(book, &path, chars, svgs)?;
        } else if path.extension().is_some_and(|e| e == "html") {
            let html = std::fs::read_to_string(&path)?;
            let fixed = figures(&html, &mut |name| svgs.get(book, name));
            chars.extend(math_chars(&fixed));
            if fixed != html {
                std::fs::write(&path, fixed)
                    .with_context(|| format!("writing {}", path.display()))?;
            }
        }
    }
    Ok(())
}

/// The size and title of a figure's wide and narrow variants.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Svg {
    /// Width and height of the wide (default) variant.
    pub wide: (u32, u32),
    /// Width and height of the narrow variant, if there is one.
    pub narrow: Option<(u32, u32)>,
    /// The dark variants exist.
    pub dark: bool,
    /// The text of the figure's first `<text>` element: its title.
    pub title: String,
}

#[derive(Default)]
struct SvgInfo(BTreeMap<String, Option<Svg>>);

impl SvgInfo {
    fn get(&mut self, book: &Path, name: &str) -> Option<Svg> {
        self.0
            .entry(name.to_string())
            .or_insert_with(|| {
                let read = |file: &str| {
                    std::fs::read_to_string(book.join("figures").join(file))
                        .ok()
                };
                let stem = name.strip_suffix(".svg")?;
                let wide = read(name)?;
                let narrow = read(&format!("{stem}-narrow.svg"));
                Some(Svg {
                    wide: svg_size(&wide)?,
                    narrow: narrow.as_deref().and_then(svg_size),
                    dark: read(&format!("{stem}-dark.svg")).is_some()
                        && read(&format!("{stem}-narrow-dark.svg")).is_some(),
                    title: svg_title(&wide),
                })
            })
            .clone()
    }
}

/// The `width` and `height` attributes of an SVG's root element.
pub fn svg_size(svg: &str) -> Option<(u32, u32)> {
    let start = svg.find("<svg")?;
    let tag = &svg[start..start + svg[start..].find('>')?];
    let attr = |name: &str| -> Option<u32> {
        let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        let value = &tag[at..at + tag[at..].find('"')?];
        value.parse::<f64>().ok().map(|v| v.round() as u32)
    };
    Some((attr("width")?, attr("height")?))
}

/// The text of the first `<text>` element, tags inside it removed and
/// white space collapsed.
pub fn svg_title(svg: &str) -> String {
    let Some(start) = svg.find("<text") else {
        return String::new();
    };
    let Some(body) = svg[start..].find('>').map(|b| start + b + 1) else {
        return String::new();
    };
    let end = svg[body..].find("</text>").map_or(svg.len(), |e| body + e);
    let mut out = String::new();
    let mut inside = false;
    for c in svg[body..end].chars() {
        match c {
            '<' => inside = true,
            '>' => inside = false,
            _ if !inside => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The characters inside every `<math>` element, character references
/// decoded, tags left out.
pub fn math_chars(html: &str) -> BTreeSet<char> {
    let mut chars = BTreeSet::new();
    let mut rest = html;
    while let Some(start) = rest.find("<math") {
        let end = rest[start..]
            .find("</math>")
            .map_or(rest.len(), |e| start + e);
        let mut inside = false;
        let mut text = String::new();
        for c in rest[start..end].chars() {
            match c {
                '<' => inside = true,
                '>' => inside = false,
                _ if !inside => text.push(c),
                _ => {}
            }
        }
        chars.extend(decode(&text).chars().filter(|c| !c.is_whitespace()));
        rest = &rest[end..];
    }
    chars
}

/// Decodes the character references HTML writers use: `&lt;`, `&gt;`,
/// `&amp;`, `&quot;`, `&#39;`, `&#NN;` and `&#xNN;`.
fn decode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let tail = &rest[amp..];
        let Some(semi) = tail.find(';').filter(|&s| s <= 10) else {
            out.push('&');
            rest = &tail[1..];
            continue;
        };
        let name = &tail[1..semi];
        let c = match name {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => name
                .strip_prefix("#x")
                .or_else(|| name.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| name.strip_prefix('#')?.parse().ok())
                .and_then(char::from_u32),
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &tail[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The chapter number of a figure file such as `ch04-animal-weights.svg`.
fn chapter_of(name: &str) -> Option<u32> {
    let digits = name.strip_prefix("ch")?.split('-').next()?;
    digits.parse().ok().filter(|_| digits.len() == 2)
}

/// Replaces every `<img src="figures/NAME.svg" ...>` (with the link
/// around it and the paragraph around that, if any) by a numbered
/// `<figure>` (see the module's documentation). `info` gives a figure's
/// sizes and title; an image it knows nothing of stays as it is.
pub fn figures(
    html: &str,
    info: &mut dyn FnMut(&str) -> Option<Svg>,
) -> String {
    const IMG: &str = "<img src=\"figures/";
    let mut counts: BTreeMap<u32, u32> = BTreeMap::new();
    let mut out = String::with_capacity(html.len() + html.len() / 8);
    let mut rest = html;
    while let Some(img) = rest.find(IMG) {
        let Some(img_end) = rest[img..].find('>').map(|e| img + e + 1) else {
            break;
        };
        let tag = &rest[img..img_end];
        let name_start = IMG.len();
        let name = tag[name_start..]
            .split('"')
            .next()
            .unwrap_or_default()
            .to_string();
        let svg = name
            .ends_with(".svg")
            .then(|| info(&name))
            .flatten()
            .filter(|s| s.dark && s.narrow.is_some());
        let (Some(svg), Some(chapter)) = (svg, chapter_of(&name)) else {
            out.push_str(&rest[..img_end]);
            rest = &rest[img_end..];
            continue;
        };
        // Take in the link and the paragraph around the image.
        let mut start = img;
        let mut end = img_end;
        let link = format!("<a class=\"figure-link\" href=\"figures/{name}\">");
        if rest[..start].ends_with(&link) && rest[end..].starts_with("</a>") {
            start -= link.len();
            end += "</a>".len();
        }
        if rest[..start].ends_with("<p>") && rest[end..].starts_with("</p>") {
            start -= "<p>".len();
            end += "</p>".len();
        }
        let alt = attribute(tag, "alt").unwrap_or_default();
        let count = counts.entry(chapter).or_insert(0);
        *count += 1;
        out.push_str(&rest[..start]);
        out.push_str(&figure_html(&name, alt, &svg, chapter, *count));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The value of `name="..."` in a tag, as written (still escaped).
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    Some(&tag[at..at + tag[at..].find('"')?])
}

fn figure_html(
    name: &str,
    alt: &str,
    svg: &Svg,
    chapter: u32,
    number: u32,
) -> String {
    let stem = name.trim_end_matches(".svg");
    let (w, h) = svg.wide;
    let (nw, nh) = svg.narrow.unwrap_or(svg.wide);
    let id = format!("figure-{chapter}-{number}");
    let copy = |theme: &str, suffix: &str| {
        format!(
            "<a class=\"figure-link figure-{theme}\" \
             href=\"figures/{stem}{suffix}.svg\"><picture>\
             <source media=\"{NARROW_MEDIA}\" \
             srcset=\"figures/{stem}-narrow{suffix}.svg\" \
             width=\"{nw}\" height=\"{nh}\">\
             <img src=\"figures/{stem}{suffix}.svg\" alt=\"{alt}\" \
             width=\"{w}\" height=\"{h}\" loading=\"lazy\">\
             </picture></a>"
        )
    };
    let title = if svg.title.is_empty() {
        String::new()
    } else {
        format!(" {}", svg.title)
    };
    format!(
        "<figure class=\"figure\" id=\"{id}\">{}{}<figcaption>\
         <a href=\"#{id}\">Figure {chapter}.{number}</a>.{title} \
         <span class=\"figure-hint\">(Tap or click to open it at full \
         size.)</span></figcaption></figure>",
        copy("light", ""),
        copy("dark", "-dark"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn math_characters_are_collected_and_decoded() {
        let html = "x <math><mi>a</mi><mo>&lt;</mo><mn>&#50;</mn>\
                    <mo>&#x2211;</mo></math> y";
        let chars: String = math_chars(html).into_iter().collect();
        assert_eq!(chars, "2<a\u{2211}");
    }

    #[test]
    fn svg_size_and_title_are_read() {
        let svg = "<svg width=\"340\" height=\"212\" viewBox=\"0 0 340 212\">\
                   <rect/><text x=\"1\">\nW<tspan>q</tspan> and k\n</text>\
                   <text>other</text></svg>";
        assert_eq!(svg_size(svg), Some((340, 212)));
        assert_eq!(svg_title(svg), "Wq and k");
        assert_eq!(svg_title("<svg/>"), "");
    }

    fn known(name: &str) -> Option<Svg> {
        (name != "ch02-missing.svg").then(|| Svg {
            wide: (700, 400),
            narrow: Some((340, 300)),
            dark: true,
            title: "A title".to_string(),
        })
    }

    #[test]
    fn figures_are_numbered_per_chapter_and_come_in_four_variants() {
        let html = "<p><a class=\"figure-link\" href=\"figures/ch04-a.svg\">\
                    <img src=\"figures/ch04-a.svg\" alt=\"First\"></a></p>\n\
                    <img src=\"figures/ch02-missing.svg\" alt=\"x\">\
                    <div><img src=\"figures/ch04-b.svg\" alt=\"Second\"></div>";
        let out = figures(html, &mut known);
        assert!(!out.contains("<p><figure"), "{out}");
        assert!(out.starts_with("<figure class=\"figure\" id=\"figure-4-1\">"));
        assert!(
            out.contains("<a href=\"#figure-4-1\">Figure 4.1</a>. A title")
        );
        assert!(out.contains("<a href=\"#figure-4-2\">Figure 4.2</a>"));
        for file in ["ch04-b.svg", "ch04-b-dark.svg"] {
            assert!(
                out.contains(&format!("href=\"figures/{file}\"")),
                "{file}"
            );
        }
        for file in ["ch04-a-narrow.svg", "ch04-a-narrow-dark.svg"] {
            assert!(
                out.contains(&format!("srcset=\"figures/{file}\"")),
                "{file}"
            );
        }
        assert!(out.contains("alt=\"Second\" width=\"700\" height=\"400\""));
        // A figure without its variants stays as it was.
        assert!(
            out.contains("<img src=\"figures/ch02-missing.svg\" alt=\"x\">")
        );
    }

    #[test]
    fn chapters_are_read_from_file_names() {
        assert_eq!(chapter_of("ch13-time.svg"), Some(13));
        assert_eq!(chapter_of("ch1-x.svg"), None);
        assert_eq!(chapter_of("logo.svg"), None);
    }
}
