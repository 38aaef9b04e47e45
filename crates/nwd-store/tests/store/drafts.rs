//! The public journeys' drafts (`nwd_store::drafts`) on both databases: saved and read back
//! in order, kept per journey, expired after `DRAFT_IDLE_LIFETIME` idle and deleted by the next
//! write and the retention run, emptied when sent, refused above `DRAFT_MAX_BYTES` with
//! nothing written.

use jiff::SignedDuration;
use nwd_store::drafts::{new_draft_id, DraftError, DRAFT_IDLE_LIFETIME, DRAFT_MAX_BYTES};

use crate::backend::for_each_backend;

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_draft_is_saved_read_expired_and_emptied_when_sent() {
    for_each_backend(|t| async move {
        let id = new_draft_id();
        assert_eq!(id.len(), 32, "128 bits, hex");
        assert_ne!(id, new_draft_id());
        let answers = pairs(&[
            ("journey", "j1"),
            ("reasons", "anxiety"),
            ("reasons", "self_harm"),
            ("happening", "Synthetic: ünïcode & <tags>"),
        ]);
        t.store.save_draft(&id, "get-help", &answers).await.unwrap();
        let draft = t.store.read_draft(&id, "get-help").await.unwrap().unwrap();
        assert_eq!(draft.answers, answers, "every pair, in order");
        assert_eq!(draft.sent, None);
        // Only the id's hash is stored, and another journey cannot read it.
        assert_eq!(t.count("journey_drafts").await, 1);
        assert!(t.store.read_draft(&id, "refer").await.unwrap().is_none());
        assert!(t
            .store
            .read_draft(&new_draft_id(), "get-help")
            .await
            .unwrap()
            .is_none());
        assert!(t
            .store
            .read_draft("junk", "get-help")
            .await
            .unwrap()
            .is_none());

        // Saving again replaces the answers and restarts the idle clock.
        let more = pairs(&[("journey", "j1"), ("reasons", "anxiety")]);
        t.clock
            .advance(DRAFT_IDLE_LIFETIME - SignedDuration::from_mins(1));
        t.store.save_draft(&id, "get-help", &more).await.unwrap();
        t.clock.advance(SignedDuration::from_mins(30));
        assert_eq!(
            t.store
                .read_draft(&id, "get-help")
                .await
                .unwrap()
                .unwrap()
                .answers,
            more
        );

        // Too big: refused, and the draft is as it was.
        let huge = pairs(&[("happening", &"x".repeat(DRAFT_MAX_BYTES))]);
        match t.store.save_draft(&id, "get-help", &huge).await {
            Err(DraftError::TooLarge { limit, .. }) => assert_eq!(limit, DRAFT_MAX_BYTES),
            other => panic!("not refused: {other:?}"),
        }
        assert_eq!(
            t.store
                .read_draft(&id, "get-help")
                .await
                .unwrap()
                .unwrap()
                .answers,
            more
        );

        // Sent: the answers go, the confirmation stays; saving again changes nothing.
        t.store
            .finish_draft(&id, "get-help", r#"{"reference":"NWD-1"}"#)
            .await
            .unwrap();
        let sent = t.store.read_draft(&id, "get-help").await.unwrap().unwrap();
        assert!(sent.answers.is_empty());
        assert_eq!(sent.sent.as_deref(), Some(r#"{"reference":"NWD-1"}"#));
        t.store.save_draft(&id, "get-help", &more).await.unwrap();
        assert!(t
            .store
            .read_draft(&id, "get-help")
            .await
            .unwrap()
            .unwrap()
            .answers
            .is_empty());

        // Idle past the lifetime: never read again; deleted by the next write of any draft.
        let other = new_draft_id();
        t.store.save_draft(&other, "refer", &more).await.unwrap();
        t.clock
            .advance(DRAFT_IDLE_LIFETIME + SignedDuration::from_secs(1));
        assert!(t.store.read_draft(&id, "get-help").await.unwrap().is_none());
        assert_eq!(t.count("journey_drafts").await, 2, "read deletes nothing");
        let fresh = new_draft_id();
        t.store.save_draft(&fresh, "get-help", &more).await.unwrap();
        assert_eq!(t.count("journey_drafts").await, 1, "only the fresh one");

        // And by the retention run's purge.
        t.clock
            .advance(DRAFT_IDLE_LIFETIME + SignedDuration::from_secs(1));
        assert_eq!(t.store.purge_expired_drafts().await.unwrap(), 1);
        assert_eq!(t.count("journey_drafts").await, 0);
    })
    .await;
}
