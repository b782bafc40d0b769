//! The end-of-course survey (issue 16; B08, D07): the record that a learner has answered,
//! kept apart from the answers so that nothing joins the two.

use crate::db::on_db;
use crate::unit::{UnitOfWork, write_step};
use crate::{Store, StoreError};

impl Store {
    /// Whether the learner has answered the session's survey (completion requires it, B12).
    pub async fn survey_submitted(
        &self,
        session_id: &str,
        account_id: &str,
    ) -> Result<bool, StoreError> {
        let row: Option<(String,)> = on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT account_id FROM survey_submissions WHERE session_id = $1 AND account_id = $2",
            )
            .bind(session_id)
            .bind(account_id)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.is_some())
    }
}

impl UnitOfWork {
    /// Records that the learner has answered; false when they had already.
    pub async fn record_survey_submission(
        &mut self,
        session_id: &str,
        account_id: &str,
    ) -> Result<bool, StoreError> {
        write_step!(self, "record_survey_submission", tx => {
            let done = sqlx::query(
                "INSERT INTO survey_submissions (session_id, account_id) VALUES ($1, $2) \
                 ON CONFLICT (session_id, account_id) DO NOTHING",
            )
            .bind(session_id)
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }
}
