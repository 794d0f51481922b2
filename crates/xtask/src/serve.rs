//! `cargo xtask serve`: a small static server that rebuilds on change.
//!
//! Only the standard library: a loopback listener on its own thread, and a
//! loop that looks at modification times once a second. A change under
//! `book/` rebuilds the book; a change in a crate's sources renders the
//! figures again first. Reload the page in the browser to see it.

use crate::walk::files;
use anyhow::{Context, Result};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Builds, serves on `127.0.0.1:port` and rebuilds until interrupted.
pub fn serve(root: &Path, port: u16) -> Result<()> {
    let out = root.join("target/book");
    crate::book::build(root, &out)?;
    let listener =
        TcpListener::bind(("127.0.0.1", port)).with_context(|| {
            format!("listening on 127.0.0.1:{port} (is it in use? try --port)")
        })?;
    println!("serving the book on http://127.0.0.1:{port}/ (Ctrl-C to stop)");
    spawn(listener, out.clone(), site_path(root));
    let mut book_seen = newest(&root.join("book"));
    let mut crates_seen = newest(&root.join("crates"));
    loop {
        std::thread::sleep(Duration::from_secs(1));
        let crates_now = newest(&root.join("crates"));
        if crates_now > crates_seen {
            crates_seen = crates_now;
            println!("a crate changed: rendering the figures again");
            if let Err(e) =
                crate::figures::render(root, &root.join("book/figures"))
            {
                eprintln!("{e:#}");
            }
        }
        let book_now =
            newest(&root.join("book")).max(modified(&root.join("book.toml")));
        if book_now > book_seen {
            book_seen = book_now;
            match crate::book::build(root, &out) {
                Ok(_) => println!("rebuilt the book; reload the page"),
                Err(e) => eprintln!("the book did not build: {e:#}"),
            }
        }
    }
}

/// Serves the files of `dir` to every connection of `listener`, under `/`
/// and under `prefix` too.
///
/// Each connection gets a thread and a read timeout: browsers open
/// connections ahead of need and may never send a request on them, which
/// would otherwise hold up every request behind them.
pub fn spawn(listener: TcpListener, dir: PathBuf, prefix: String) {
    let shared = std::sync::Arc::new((dir, prefix));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let shared = shared.clone();
            std::thread::spawn(move || {
                let (dir, prefix) = &*shared;
                let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                if let Err(e) = respond(stream, dir, prefix) {
                    // A connection opened but never used is not an error.
                    if !is_timeout(&e) {
                        eprintln!("serve: {e:#}");
                    }
                }
            });
        }
    });
}

fn is_timeout(e: &anyhow::Error) -> bool {
    e.downcast_ref::<std::io::Error>().is_some_and(|io| {
        matches!(
            io.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        )
    })
}

/// The path the published book lives under: the path of `site-url` in
/// `book.toml`'s `[output.html]`, such as `/attention-verified/`, or `/`.
/// 404.html loads its stylesheets from there.
pub fn site_path(root: &Path) -> String {
    let site = std::fs::read_to_string(root.join("book.toml"))
        .ok()
        .and_then(|text| text.parse::<toml::Table>().ok())
        .and_then(|t| {
            t.get("output")?
                .get("html")?
                .get("site-url")?
                .as_str()
                .map(String::from)
        })
        .unwrap_or_else(|| "/".into());
    let trimmed = site.trim_matches('/');
    if trimmed.is_empty() {
        "/".into()
    } else {
        format!("/{trimmed}/")
    }
}

fn modified(path: &Path) -> SystemTime {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .unwrap_or(SystemTime::UNIX_EPOCH)
}

/// The latest modification time of any file below `dir`.
fn newest(dir: &Path) -> SystemTime {
    files(dir)
        .iter()
        .map(|p| modified(p))
        .max()
        .unwrap_or(SystemTime::UNIX_EPOCH)
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css",
        "js" => "text/javascript",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "json" => "application/json",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn respond(stream: TcpStream, dir: &Path, prefix: &str) -> Result<()> {
    let mut reader = BufReader::new(&stream);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    let path = request.split_whitespace().nth(1).unwrap_or("/");
    let path = path.split(['?', '#']).next().unwrap_or("/");
    // The book as published, under its site path, or at the root.
    let path = match path.strip_prefix(prefix.trim_end_matches('/')) {
        Some(rest)
            if prefix != "/" && (rest.is_empty() || rest.starts_with('/')) =>
        {
            rest
        }
        _ => path,
    };
    // Refuse anything that climbs out of the book's folder.
    let mut file: PathBuf = dir.to_path_buf();
    for part in path.split('/').filter(|p| !p.is_empty()) {
        if part == ".." {
            file = dir.join("404.html");
            break;
        }
        file.push(part);
    }
    if file.is_dir() {
        file.push("index.html");
    }
    let (status, file) = if file.is_file() {
        ("200 OK", file)
    } else {
        ("404 Not Found", dir.join("404.html"))
    };
    let body = std::fs::read(&file).unwrap_or_default();
    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        content_type(&file),
        body.len()
    )?;
    stream.write_all(&body)?;
    Ok(())
}
