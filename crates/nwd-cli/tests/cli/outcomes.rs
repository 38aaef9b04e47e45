//! `nowrongdoor outcomes classify` through the real binary (issue 19): paired scores in,
//! reliable change per scale and the overall result per referral and rater out; a bad row
//! refused with its line and column, and nothing written; a missing output folder refused
//! before any work.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::Command;

fn run(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_nowrongdoor"))
        .args(args)
        .output()
        .unwrap()
}

fn folder(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("nwd-outcomes-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn paired_scores_are_classified_per_scale_and_per_referral() {
    let dir = folder("good");
    let scores = dir.join("scores.csv");
    // PHQ-9 falls by 9 (lower is better): improved; GAD-7 rises by 6: deteriorated; a GBO
    // goal moves by 1: no reliable change. Referral r1 (self) improved on one and
    // deteriorated on none: meaningful improvement; r2 (self) deteriorated on one.
    std::fs::write(
        &scores,
        "referral_id,rater,measure,scale,first,last\n\
         r1,self,phq_9,total,19,10\n\
         r1,self,gbo,goal1,3,4\n\
         r2,self,gad_7,total,8,14\n\
         r2,self,phq_9,total,15,8\n",
    )
    .unwrap();
    let out = dir.join("out.csv");
    let referrals = dir.join("ref.csv");
    let output = run(&[
        "outcomes",
        "classify",
        "--scores",
        path(&scores),
        "--out",
        path(&out),
        "--referrals-out",
        path(&referrals),
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let out = std::fs::read_to_string(&out).unwrap();
    let rows: Vec<&str> = out.lines().collect();
    assert_eq!(rows[0], "referral_id,rater,measure,scale,change");
    assert_eq!(rows[1], "r1,self,phq_9,total,improved");
    assert_eq!(rows[2], "r1,self,gbo,goal1,no_change");
    assert_eq!(rows[3], "r2,self,gad_7,total,deteriorated");
    assert_eq!(rows[4], "r2,self,phq_9,total,improved");
    let referrals = std::fs::read_to_string(&referrals).unwrap();
    assert!(
        referrals.contains("r1,self,meaningful_improvement"),
        "{referrals}"
    );
    assert!(referrals.contains("r2,self,deterioration"), "{referrals}");
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("classified 4 scales"), "{said}");
}

#[test]
fn a_bad_row_is_refused_with_its_line_and_column_and_nothing_is_written() {
    let dir = folder("bad");
    let scores = dir.join("scores.csv");
    std::fs::write(
        &scores,
        "referral_id,rater,measure,scale,first,last\n\
         r1,self,phq_9,total,19,10\n\
         r2,self,phq_9,total,nineteen,10\n",
    )
    .unwrap();
    let out = dir.join("out.csv");
    let output = run(&[
        "outcomes",
        "classify",
        "--scores",
        path(&scores),
        "--out",
        path(&out),
    ]);
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(
        said.contains("line 3") && said.contains("first"),
        "line and column named: {said}"
    );
    assert!(!out.exists(), "nothing written");
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        1,
        "no temporary file left"
    );

    // An output folder that does not exist: refused before reading anything.
    let output = run(&[
        "outcomes",
        "classify",
        "--scores",
        path(&scores),
        "--out",
        path(&dir.join("missing").join("out.csv")),
    ]);
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("does not exist"), "{said}");
}
