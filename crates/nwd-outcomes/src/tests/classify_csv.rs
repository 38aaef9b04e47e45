use crate::{classify_csv, ClassifyError, ClassifySummary};

/// Runs the classification into two buffers.
fn run(input: &str) -> (Result<ClassifySummary, ClassifyError>, String, String) {
    let mut out = Vec::new();
    let mut referrals = Vec::new();
    let result = classify_csv(input.as_bytes(), &mut out, Some(&mut referrals));
    (
        result,
        String::from_utf8(out).unwrap(),
        String::from_utf8(referrals).unwrap(),
    )
}

/// Runs an input that must be refused and checks nothing was written.
fn refused(input: &str) -> String {
    let (result, out, referrals) = run(input);
    let error = result.expect_err("the input must be refused");
    assert!(
        out.is_empty() && referrals.is_empty(),
        "something was written: {out:?} {referrals:?}"
    );
    error.to_string()
}

const HEADER: &str = "referral_id,rater,measure,scale,first,last\n";

#[test]
fn classifies_each_scale_and_each_referral_and_rater() {
    let input = format!(
        "{HEADER}\
         R1,self,rcads,depression,72.0,54.27\n\
         R1,self,rcads,panic,60,61\n\
         R1,parent,sdq_parent,conduct,6,8\n\
         R2,self,gbo,goal1,2,5\n\
         R2,self,phq_9,total,10,16\n\
         R3,clinician,honosca,scale4,3,3\n\
         R3,clinician,cgas,total,45,56\n\
         R1,parent,rcads_p,social_phobia,50,33.37\n"
    );
    let (result, out, referrals) = run(&input);
    let summary = result.unwrap();
    assert_eq!(
        out,
        "referral_id,rater,measure,scale,change\n\
         R1,self,rcads,depression,improved\n\
         R1,self,rcads,panic,no_change\n\
         R1,parent,sdq_parent,conduct,no_change\n\
         R2,self,gbo,goal1,improved\n\
         R2,self,phq_9,total,deteriorated\n\
         R3,clinician,honosca,scale4,no_change\n\
         R3,clinician,cgas,total,improved\n\
         R1,parent,rcads_p,social_phobia,improved\n"
    );
    assert_eq!(
        referrals,
        "referral_id,rater,overall\n\
         R1,self,meaningful_improvement\n\
         R1,parent,meaningful_improvement\n\
         R2,self,deterioration\n\
         R3,clinician,meaningful_improvement\n"
    );
    assert_eq!(
        summary,
        ClassifySummary {
            rows: 8,
            improved: 4,
            no_change: 3,
            deteriorated: 1,
            referral_raters: 4,
            meaningful_improvement: 3,
            deterioration: 1,
            referral_no_change: 0,
        }
    );
}

#[test]
fn columns_may_come_in_any_order_and_the_referral_file_is_optional() {
    let input = "last,first,scale,measure,rater,referral_id\n5,5,total,gad_7,self,A\n";
    let mut out = Vec::new();
    let summary = classify_csv(input.as_bytes(), &mut out, None::<Vec<u8>>).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "referral_id,rater,measure,scale,change\nA,self,gad_7,total,no_change\n"
    );
    assert_eq!(
        (summary.referral_raters, summary.referral_no_change),
        (1, 1)
    );
}

#[test]
fn missing_and_misspelt_columns_are_named() {
    let message = refused("refferal_id,rater,measure,scale,first\nR1,self,phq_9,total,1\n");
    assert_eq!(
        message,
        "header (line 1): missing column(s) referral_id, last; unknown column(s) \"refferal_id\"; \
         expected exactly referral_id,rater,measure,scale,first,last"
    );
    let message = refused("referral_id,rater,measure,scale,first,last,last\n");
    assert!(message.contains("repeated column(s) last"), "{message}");
}

#[test]
fn a_bad_row_is_refused_with_its_line_and_column_and_nothing_is_written() {
    let good = "R1,self,phq_9,total,10,4\n";
    let cases = [
        (
            "R2,carer,phq_9,total,1,2",
            "line 3, column rater: \"carer\" is not one of self, parent, clinician",
        ),
        (
            "R2,self,phq9,total,1,2",
            "line 3, column measure: unknown measure \"phq9\"",
        ),
        (
            "R2,parent,phq_9,total,1,2",
            "line 3, column rater: phq_9 is completed by self, not parent",
        ),
        (
            "R2,self,rcads_p,depression,50,50",
            "line 3, column rater: rcads_p is completed by parent, not self",
        ),
        (
            "R2,self,phq_9,depression,1,2",
            "line 3, column scale: phq_9 has no scale \"depression\"; its scales: total",
        ),
        (
            "R2,self,phq_9,total,ten,2",
            "line 3, column first: \"ten\" is not a number",
        ),
        (
            "R2,self,phq_9,total,1,28",
            "line 3, column last: 28 is outside phq_9 total's range 0 to 27",
        ),
        (
            "R2,self,phq_9,total,1,NaN",
            "line 3, column last: \"NaN\" is not a number",
        ),
        (
            "R2,self,gbo,goal1,-1,2",
            "line 3, column first: -1 is outside gbo goal1's range 0 to 10",
        ),
        (
            " ,self,phq_9,total,1,2",
            "line 3, column referral_id: must not be empty",
        ),
        (
            "R2,clinician,honosca,total,10,12",
            "line 3, column scale: honosca total has no reliable-change threshold",
        ),
        (
            "R1,self,phq_9,total,3,4",
            "line 3, column scale: a second row for referral \"R1\", rater self, phq_9 total",
        ),
        ("R2,self,phq_9,total,1", "line 3: CSV error"),
    ];
    for (row, expected) in cases {
        let message = refused(&format!("{HEADER}{good}{row}\n{good}"));
        assert!(message.starts_with(expected), "{row}: {message}");
    }
}

#[test]
fn a_bad_row_at_the_end_of_a_long_file_still_writes_nothing() {
    let mut input = String::from(HEADER);
    for i in 0..10_000 {
        input.push_str(&format!("R{i},self,gad_7,total,15,{}\n", i % 22));
    }
    input.push_str("R-last,self,gad_7,total,15,22\n");
    let message = refused(&input);
    assert!(
        message.starts_with("line 10002, column last: 22 is outside gad_7 total's range 0 to 21"),
        "{message}"
    );
}

#[test]
fn the_same_referral_with_different_raters_is_two_referral_rows() {
    let input = format!("{HEADER}X,self,honosca,scale1,4,1\nX,parent,honosca,scale1,1,4\nX,clinician,honosca,scale1,2,2\n");
    let (result, _, referrals) = run(&input);
    result.unwrap();
    assert_eq!(
        referrals,
        "referral_id,rater,overall\nX,self,meaningful_improvement\nX,parent,deterioration\nX,clinician,no_change\n"
    );
}

#[test]
fn rcads_t_scores_may_lie_beyond_the_raw_range() {
    // T-scores above 100 are possible: raw 30 for a boy of 12–13 is T ≈ 114.
    let input = format!("{HEADER}R,self,rcads,depression,110,60\n");
    let (result, out, _) = run(&input);
    result.unwrap();
    assert!(out.ends_with("R,self,rcads,depression,improved\n"), "{out}");
    let message = refused(&format!("{HEADER}R,self,rcads,depression,500,60\n"));
    assert!(
        message.starts_with("line 2, column first: 500 is outside rcads depression's range"),
        "{message}"
    );
}
