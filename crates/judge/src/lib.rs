//! The homework judge: a student's code only ever produces answers; this
//! crate, which the student's code is never linked with and cannot read,
//! decides whether they are right.
//!
//! Its rooms, each knowing only those before it:
//! - [`check`]: what a check is and how answers are compared;
//! - [`chapters`]: every chapter's checks and reference answers;
//! - [`sandbox`]: running untrusted code (bubblewrap, limits, time);
//! - [`intake`]: taking a submission's `src/` without following links;
//! - [`runner`]: building the student's runner and asking it;
//! - [`report`]: scores, reports and CSV rows;
//! - [`grade`]: one submission; [`batch`]: a folder of them;
//! - [`selfcheck`], which is `check-exercises`; [`smoke`], which is
//!   `grade --self-test`;
//! - [`committed`]: the reference is the committed one, never a local edit.
//!
//! The student copy itself is written by the `assign` crate.

pub mod batch;
pub mod chapters;
pub mod check;
pub mod committed;
pub mod grade;
pub mod intake;
pub mod report;
pub mod runner;
pub mod sandbox;
pub mod selfcheck;
pub mod smoke;
