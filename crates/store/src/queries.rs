//! The queries, written once and expanded for each engine by `impl_store!`.
//!
//! A macro rather than generics over `sqlx::Database`: the trait bounds that
//! generic sqlx code needs are longer than the queries themselves, and the
//! macro keeps each query readable as plain SQL.
//!
//! Every write into a relationship's data carries `AND EXISTS (SELECT 1 FROM
//! relationships WHERE id = $1 AND status = 'active')` (the relationship id
//! is always `$1`), so no write lands after the relationship ended, however
//! the requests interleave. Each engine's struct has a
//! `read` pool and a `write` pool (the same pool on PostgreSQL; on SQLite one
//! writer connection beside a pool of readers, because SQLite writers queue
//! for one lock anyway and a pool of writers only adds tail latency).

macro_rules! impl_store {
    ($store:ty, $engine:literal, $migrator:expr, $string_agg:literal) => {
        #[async_trait::async_trait]
        impl domain::store::Store for $store {
            fn engine_name(&self) -> &'static str {
                $engine
            }

            async fn migrate(&self) -> domain::store::StoreResult<()> {
                $migrator
                    .run(&self.write)
                    .await
                    .map_err(|e| domain::store::StoreError::Backend(e.to_string()))
            }

            async fn ping(&self) -> domain::store::StoreResult<()> {
                sqlx::query("SELECT 1").execute(&self.read).await.map_err($crate::convert::backend)?;
                Ok(())
            }

            async fn server_secret(&self, name: &str, fresh: &str) -> domain::store::StoreResult<String> {
                sqlx::query("INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
                    .bind(name)
                    .bind(fresh)
                    .execute(&self.write)
                    .await
                    .map_err($crate::convert::backend)?;
                let (value,): (String,) = sqlx::query_as("SELECT value FROM server_secrets WHERE name = $1")
                    .bind(name)
                    .fetch_one(&self.write)
                    .await
                    .map_err($crate::convert::backend)?;
                Ok(value)
            }

            async fn insert_account(&self, a: &domain::store::NewAccount) -> domain::store::StoreResult<()> {
                sqlx::query(
                    "INSERT INTO accounts (id, email, display_name, password_hash, created_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(a.id.to_string())
                .bind(a.email.as_str())
                .bind(&a.display_name)
                .bind(&a.password_hash)
                .bind($crate::convert::millis(a.created_at))
                .execute(&self.write)
                .await
                .map_err($crate::convert::db_error("email"))?;
                Ok(())
            }

            async fn account_by_email(
                &self,
                email: &domain::values::Email,
            ) -> domain::store::StoreResult<Option<domain::store::Account>> {
                let row: Option<AccountRow> = sqlx::query_as(
                    "SELECT id, email, display_name, password_hash, created_at FROM accounts WHERE email = $1",
                )
                .bind(email.as_str())
                .fetch_optional(&self.read)
                .await
                .map_err($crate::convert::backend)?;
                row.map(account).transpose()
            }

            async fn account_by_id(
                &self,
                id: domain::AccountId,
            ) -> domain::store::StoreResult<Option<domain::store::Account>> {
                let row: Option<AccountRow> = sqlx::query_as(
                    "SELECT id, email, display_name, password_hash, created_at FROM accounts WHERE id = $1",
                )
                .bind(id.to_string())
                .fetch_optional(&self.read)
                .await
                .map_err($crate::convert::backend)?;
                row.map(account).transpose()
            }

            async fn insert_session(&self, s: &domain::store::NewSession) -> domain::store::StoreResult<()> {
                let at = $crate::convert::millis(s.created_at);
                sqlx::query("INSERT INTO sessions (id_hash, account_id, created_at, last_seen_at) VALUES ($1, $2, $3, $4)")
                    .bind(s.id_hash.as_str())
                    .bind(s.account_id.to_string())
                    .bind(at)
                    .bind(at)
                    .execute(&self.write)
                    .await
                    .map_err($crate::convert::db_error("session"))?;
                Ok(())
            }

            async fn session_by_hash(
                &self,
                id_hash: &domain::secret::SecretHash,
            ) -> domain::store::StoreResult<Option<domain::store::Session>> {
                let row: Option<(String, i64, i64)> =
                    sqlx::query_as("SELECT account_id, created_at, last_seen_at FROM sessions WHERE id_hash = $1")
                        .bind(id_hash.as_str())
                        .fetch_optional(&self.read)
                        .await
                        .map_err($crate::convert::backend)?;
                row.map(|(account_id, created_at, last_seen_at)| {
                    Ok(domain::store::Session {
                        account_id: domain::AccountId($crate::convert::uuid(&account_id)?),
                        created_at: $crate::convert::time(created_at)?,
                        last_seen_at: $crate::convert::time(last_seen_at)?,
                    })
                })
                .transpose()
            }

            async fn touch_session(
                &self,
                id_hash: &domain::secret::SecretHash,
                now: chrono::DateTime<chrono::Utc>,
                unless_after: chrono::DateTime<chrono::Utc>,
            ) -> domain::store::StoreResult<()> {
                sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1 AND last_seen_at <= $3")
                    .bind(id_hash.as_str())
                    .bind($crate::convert::millis(now))
                    .bind($crate::convert::millis(unless_after))
                    .execute(&self.write)
                    .await
                    .map_err($crate::convert::backend)?;
                Ok(())
            }

            async fn principal(
                &self,
                credential: domain::store::Credential<'_>,
            ) -> domain::store::StoreResult<Option<domain::store::Principal>> {
                // One statement per credential kind; both return the same
                // columns: session times (NULL for a token), the account, and
                // one row per membership (NULLs when there is none).
                let (sql, hash) = match credential {
                    domain::store::Credential::Session(h) => (
                        "SELECT s.created_at, s.last_seen_at, a.id, a.email, a.display_name, a.password_hash, \
                         a.created_at, m.relationship_id, m.role, r.status, m.joined_at \
                         FROM sessions s JOIN accounts a ON a.id = s.account_id \
                         LEFT JOIN relationship_members m ON m.account_id = a.id \
                         LEFT JOIN relationships r ON r.id = m.relationship_id \
                         WHERE s.id_hash = $1 ORDER BY m.joined_at DESC, m.relationship_id",
                        h,
                    ),
                    domain::store::Credential::Token(h) => (
                        "SELECT CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), a.id, a.email, a.display_name, \
                         a.password_hash, a.created_at, m.relationship_id, m.role, r.status, m.joined_at \
                         FROM api_tokens t JOIN accounts a ON a.id = t.account_id \
                         LEFT JOIN relationship_members m ON m.account_id = a.id \
                         LEFT JOIN relationships r ON r.id = m.relationship_id \
                         WHERE t.token_hash = $1 ORDER BY m.joined_at DESC, m.relationship_id",
                        h,
                    ),
                };
                let rows: Vec<$crate::convert::PrincipalRow> = sqlx::query_as(sql)
                    .bind(hash.as_str())
                    .fetch_all(&self.read)
                    .await
                    .map_err($crate::convert::backend)?;
                $crate::convert::principal(rows)
            }

            async fn delete_session(&self, id_hash: &domain::secret::SecretHash) -> domain::store::StoreResult<()> {
                sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
                    .bind(id_hash.as_str())
                    .execute(&self.write)
                    .await
                    .map_err($crate::convert::backend)?;
                Ok(())
            }

            async fn delete_stale_sessions(
                &self,
                idle_cutoff: chrono::DateTime<chrono::Utc>,
                absolute_cutoff: chrono::DateTime<chrono::Utc>,
            ) -> domain::store::StoreResult<u64> {
                let done = sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2")
                    .bind($crate::convert::millis(idle_cutoff))
                    .bind($crate::convert::millis(absolute_cutoff))
                    .execute(&self.write)
                    .await
                    .map_err($crate::convert::backend)?;
                Ok(done.rows_affected())
            }

            async fn insert_token(&self, t: &domain::store::NewToken) -> domain::store::StoreResult<()> {
                sqlx::query(
                    "INSERT INTO api_tokens (id, account_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(t.id.to_string())
                .bind(t.account_id.to_string())
                .bind(&t.name)
                .bind(t.token_hash.as_str())
                .bind($crate::convert::millis(t.created_at))
                .execute(&self.write)
                .await
                .map_err($crate::convert::db_error("token"))?;
                Ok(())
            }

            async fn token_account(
                &self,
                token_hash: &domain::secret::SecretHash,
            ) -> domain::store::StoreResult<Option<domain::AccountId>> {
                let row: Option<(String,)> = sqlx::query_as("SELECT account_id FROM api_tokens WHERE token_hash = $1")
                    .bind(token_hash.as_str())
                    .fetch_optional(&self.read)
                    .await
                    .map_err($crate::convert::backend)?;
                row.map(|(id,)| Ok(domain::AccountId($crate::convert::uuid(&id)?))).transpose()
            }

            async fn create_relationship(
                &self,
                r: &domain::store::NewRelationship,
            ) -> domain::store::StoreResult<()> {
                let id = r.id.to_string();
                let creator = r.creator.to_string();
                let at = $crate::convert::millis(r.created_at);
                let mut tx = self.write.begin().await.map_err($crate::convert::backend)?;
                sqlx::query("INSERT INTO relationships (id, status, created_at) VALUES ($1, 'pending', $2)")
                    .bind(&id)
                    .bind(at)
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::convert::backend)?;
                // The partial unique index on open memberships refuses a
                // second open relationship, however two requests interleave.
                sqlx::query(
                    "INSERT INTO relationship_members (relationship_id, account_id, role, joined_at) \
                     VALUES ($1, $2, 'partner', $3)",
                )
                .bind(&id)
                .bind(&creator)
                .bind(at)
                .execute(&mut *tx)
                .await
                .map_err($crate::convert::db_error("open_relationship"))?;
                sqlx::query(
                    "INSERT INTO relationship_invites (relationship_id, code_hash, created_by, expires_at) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(&id)
                .bind(r.invite_hash.as_str())
                .bind(&creator)
                .bind($crate::convert::millis(r.invite_expires_at))
                .execute(&mut *tx)
                .await
                .map_err($crate::convert::db_error("invite"))?;
                tx.commit().await.map_err($crate::convert::backend)
            }

            async fn replace_invite(
                &self,
                id: domain::RelationshipId,
                invite_hash: &domain::secret::SecretHash,
                expires_at: chrono::DateTime<chrono::Utc>,
            ) -> domain::store::StoreResult<()> {
                sqlx::query("UPDATE relationship_invites SET code_hash = $2, expires_at = $3 WHERE relationship_id = $1")
                    .bind(id.to_string())
                    .bind(invite_hash.as_str())
                    .bind($crate::convert::millis(expires_at))
                    .execute(&self.write)
                    .await
                    .map_err($crate::convert::db_error("invite"))?;
                Ok(())
            }

            async fn join_relationship(
                &self,
                invite_hash: &domain::secret::SecretHash,
                account: domain::AccountId,
                now: chrono::DateTime<chrono::Utc>,
            ) -> domain::store::StoreResult<domain::store::JoinOutcome> {
                use domain::store::JoinOutcome;
                let account = account.to_string();
                let now = $crate::convert::millis(now);
                let mut tx = self.write.begin().await.map_err($crate::convert::backend)?;
                let creator: Option<(String,)> =
                    sqlx::query_as("SELECT created_by FROM relationship_invites WHERE code_hash = $1")
                        .bind(invite_hash.as_str())
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err($crate::convert::backend)?;
                if creator.as_ref().is_some_and(|(c,)| *c == account) {
                    return Ok(JoinOutcome::OwnInvitation);
                }
                // Deleting the invitation is what spends it: of two people
                // racing with one code, only one DELETE finds the row.
                let spent: Option<(String,)> = sqlx::query_as(
                    "DELETE FROM relationship_invites WHERE code_hash = $1 AND expires_at > $2 RETURNING relationship_id",
                )
                .bind(invite_hash.as_str())
                .bind(now)
                .fetch_optional(&mut *tx)
                .await
                .map_err($crate::convert::backend)?;
                let Some((relationship_id,)) = spent else {
                    return Ok(JoinOutcome::InvalidCode);
                };
                let activated = sqlx::query("UPDATE relationships SET status = 'active' WHERE id = $1 AND status = 'pending'")
                    .bind(&relationship_id)
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::convert::backend)?;
                if activated.rows_affected() != 1 {
                    return Ok(JoinOutcome::InvalidCode);
                }
                sqlx::query(
                    "INSERT INTO relationship_members (relationship_id, account_id, role, joined_at) \
                     VALUES ($1, $2, 'partner', $3)",
                )
                .bind(&relationship_id)
                .bind(&account)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err($crate::convert::db_error("open_relationship"))?;
                tx.commit().await.map_err($crate::convert::backend)?;
                Ok(JoinOutcome::Joined(domain::RelationshipId($crate::convert::uuid(&relationship_id)?)))
            }

            async fn memberships_of(
                &self,
                account: domain::AccountId,
            ) -> domain::store::StoreResult<Vec<domain::store::Membership>> {
                let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
                    "SELECT m.relationship_id, m.role, r.status, m.joined_at \
                     FROM relationship_members m JOIN relationships r ON r.id = m.relationship_id \
                     WHERE m.account_id = $1 ORDER BY m.joined_at DESC, m.relationship_id",
                )
                .bind(account.to_string())
                .fetch_all(&self.read)
                .await
                .map_err($crate::convert::backend)?;
                rows.into_iter()
                    .map(|(id, role, status, joined_at)| {
                        Ok(domain::store::Membership {
                            relationship_id: domain::RelationshipId($crate::convert::uuid(&id)?),
                            role: $crate::convert::role(&role)?,
                            status: $crate::convert::status(&status)?,
                            joined_at: $crate::convert::time(joined_at)?,
                        })
                    })
                    .collect()
            }

            async fn relationship(
                &self,
                id: domain::RelationshipId,
            ) -> domain::store::StoreResult<Option<domain::store::Relationship>> {
                let id_text = id.to_string();
                let head: Option<(String, i64, Option<i64>)> = sqlx::query_as(
                    "SELECT r.status, r.created_at, i.expires_at \
                     FROM relationships r LEFT JOIN relationship_invites i ON i.relationship_id = r.id \
                     WHERE r.id = $1",
                )
                .bind(&id_text)
                .fetch_optional(&self.read)
                .await
                .map_err($crate::convert::backend)?;
                let Some((status, created_at, invite_expires_at)) = head else {
                    return Ok(None);
                };
                let members: Vec<(String, String, String, Option<i64>)> = sqlx::query_as(
                    "SELECT m.account_id, a.display_name, m.role, m.left_at \
                     FROM relationship_members m JOIN accounts a ON a.id = m.account_id \
                     WHERE m.relationship_id = $1 ORDER BY m.joined_at, m.account_id",
                )
                .bind(&id_text)
                .fetch_all(&self.read)
                .await
                .map_err($crate::convert::backend)?;
                let members = members
                    .into_iter()
                    .map(|(account_id, display_name, role, left_at)| {
                        Ok(domain::store::Member {
                            account_id: domain::AccountId($crate::convert::uuid(&account_id)?),
                            display_name,
                            role: $crate::convert::role(&role)?,
                            left_at: left_at.map($crate::convert::time).transpose()?,
                        })
                    })
                    .collect::<domain::store::StoreResult<Vec<_>>>()?;
                Ok(Some(domain::store::Relationship {
                    id,
                    status: $crate::convert::status(&status)?,
                    created_at: $crate::convert::time(created_at)?,
                    invite_expires_at: invite_expires_at.map($crate::convert::time).transpose()?,
                    members,
                }))
            }

            async fn leave_relationship(
                &self,
                id: domain::RelationshipId,
                account: domain::AccountId,
                now: chrono::DateTime<chrono::Utc>,
            ) -> domain::store::StoreResult<()> {
                let id = id.to_string();
                let now = $crate::convert::millis(now);
                let mut tx = self.write.begin().await.map_err($crate::convert::backend)?;
                sqlx::query(
                    "UPDATE relationship_members SET left_at = $3 \
                     WHERE relationship_id = $1 AND account_id = $2 AND left_at IS NULL",
                )
                .bind(&id)
                .bind(account.to_string())
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err($crate::convert::backend)?;
                sqlx::query("UPDATE relationships SET status = 'ended', ended_at = $2 WHERE id = $1 AND status <> 'ended'")
                    .bind(&id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::convert::backend)?;
                // Both members are free to open another relationship.
                sqlx::query("UPDATE relationship_members SET closed_at = $2 WHERE relationship_id = $1 AND closed_at IS NULL")
                    .bind(&id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::convert::backend)?;
                sqlx::query("DELETE FROM relationship_invites WHERE relationship_id = $1")
                    .bind(&id)
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::convert::backend)?;
                tx.commit().await.map_err($crate::convert::backend)
            }
            async fn insert_contribution(
                &self,
                c: &domain::store::NewContribution,
            ) -> domain::store::StoreResult<bool> {
                let done = sqlx::query(
                    "INSERT INTO contributions (relationship_id, id, giver_id, receiver_id, logged_by, domain, \
                     description, day, effort, minutes, created_at, value, thanks_note, acknowledged_at) \
                     SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14 \
                     WHERE EXISTS (SELECT 1 FROM relationships WHERE id = $1 AND status = 'active')",
                )
                .bind(c.relationship_id.to_string())
                .bind(c.id.to_string())
                .bind(c.giver.to_string())
                .bind(c.receiver.to_string())
                .bind(c.logged_by.to_string())
                .bind(c.domain.as_str())
                .bind(&c.description)
                .bind(c.day)
                .bind(i32::from(c.effort))
                .bind(c.minutes.map(|m| m as i32))
                .bind($crate::convert::millis(c.created_at))
                .bind(c.value.map(i32::from))
                .bind(c.thanks_note.as_deref())
                .bind(c.value.map(|_| $crate::convert::millis(c.created_at)))
                .execute(&self.write)
                .await
                .map_err($crate::convert::db_error("contribution"))?;
                Ok(done.rows_affected() == 1)
            }

            async fn contribution(
                &self,
                rel: domain::RelationshipId,
                id: uuid::Uuid,
            ) -> domain::store::StoreResult<Option<domain::store::ContributionRecord>> {
                let row: Option<$crate::convert::ContributionRow> = sqlx::query_as(
                    "SELECT id, giver_id, receiver_id, logged_by, domain, description, day, effort, minutes, \
                     created_at, value, thanks_note, acknowledged_at \
                     FROM contributions WHERE relationship_id = $1 AND id = $2",
                )
                .bind(rel.to_string())
                .bind(id.to_string())
                .fetch_optional(&self.read)
                .await
                .map_err($crate::convert::backend)?;
                row.map($crate::convert::contribution).transpose()
            }

            async fn acknowledge_contribution(
                &self,
                rel: domain::RelationshipId,
                id: uuid::Uuid,
                receiver: domain::AccountId,
                value: u8,
                note: Option<&str>,
                at: chrono::DateTime<chrono::Utc>,
            ) -> domain::store::StoreResult<bool> {
                let done = sqlx::query(
                    "UPDATE contributions SET value = $4, thanks_note = $5, acknowledged_at = $6 \
                     WHERE relationship_id = $1 AND id = $2 AND receiver_id = $3 AND value IS NULL \
                     AND EXISTS (SELECT 1 FROM relationships WHERE id = $1 AND status = 'active')",
                )
                .bind(rel.to_string())
                .bind(id.to_string())
                .bind(receiver.to_string())
                .bind(i32::from(value))
                .bind(note)
                .bind($crate::convert::millis(at))
                .execute(&self.write)
                .await
                .map_err($crate::convert::backend)?;
                Ok(done.rows_affected() == 1)
            }

            async fn update_contribution(
                &self,
                rel: domain::RelationshipId,
                author: domain::AccountId,
                c: &domain::store::ContributionRecord,
                created_after: chrono::DateTime<chrono::Utc>,
            ) -> domain::store::StoreResult<bool> {
                // The correction rule, in the write: the author's own entry,
                // younger than the window, not thanked if they gave it, in
                // an active relationship. A thanks that lands first wins.
                let done = sqlx::query(
                    "UPDATE contributions SET domain = $5, description = $6, day = $7, effort = $8, minutes = $9 \
                     WHERE relationship_id = $1 AND id = $2 AND logged_by = $3 AND created_at > $4 \
                     AND (value IS NULL OR giver_id <> $3) \
                     AND EXISTS (SELECT 1 FROM relationships WHERE id = $1 AND status = 'active')",
                )
                .bind(rel.to_string())
                .bind(c.id.to_string())
                .bind(author.to_string())
                .bind($crate::convert::millis(created_after))
                .bind(c.domain.as_str())
                .bind(&c.description)
                .bind(c.day)
                .bind(i32::from(c.effort))
                .bind(c.minutes.map(|m| m as i32))
                .execute(&self.write)
                .await
                .map_err($crate::convert::backend)?;
                Ok(done.rows_affected() == 1)
            }

            async fn delete_contribution(
                &self,
                rel: domain::RelationshipId,
                author: domain::AccountId,
                id: uuid::Uuid,
                created_after: chrono::DateTime<chrono::Utc>,
            ) -> domain::store::StoreResult<bool> {
                // The same rule as a correction (see `update_contribution`).
                let done = sqlx::query(
                    "DELETE FROM contributions \
                     WHERE relationship_id = $1 AND id = $2 AND logged_by = $3 AND created_at > $4 \
                     AND (value IS NULL OR giver_id <> $3) \
                     AND EXISTS (SELECT 1 FROM relationships WHERE id = $1 AND status = 'active')",
                )
                .bind(rel.to_string())
                .bind(id.to_string())
                .bind(author.to_string())
                .bind($crate::convert::millis(created_after))
                .execute(&self.write)
                .await
                .map_err($crate::convert::backend)?;
                Ok(done.rows_affected() == 1)
            }

            async fn contributions(
                &self,
                rel: domain::RelationshipId,
                filter: &domain::store::ContributionFilter,
            ) -> domain::store::StoreResult<Vec<domain::store::ContributionRecord>> {
                // Absent filters bind NULL and match everything, so one
                // statement serves every combination.
                let rows: Vec<$crate::convert::ContributionRow> = sqlx::query_as(
                    "SELECT id, giver_id, receiver_id, logged_by, domain, description, day, effort, minutes, \
                     created_at, value, thanks_note, acknowledged_at \
                     FROM contributions WHERE relationship_id = $1 \
                     AND ($2 IS NULL OR giver_id = $2) \
                     AND ($3 IS NULL OR domain = $3) \
                     AND ($4 IS NULL OR (receiver_id = $4 AND value IS NULL)) \
                     AND ($6 IS NULL OR logged_by = $6 OR (receiver_id = $6 AND value IS NOT NULL)) \
                     ORDER BY day DESC, created_at DESC LIMIT $5",
                )
                .bind(rel.to_string())
                .bind(filter.giver.map(|g| g.to_string()))
                .bind(filter.domain.map(|d| d.as_str()))
                .bind(filter.awaiting.map(|a| a.to_string()))
                .bind(i64::from(filter.limit))
                .bind(filter.written_by.map(|a| a.to_string()))
                .fetch_all(&self.read)
                .await
                .map_err($crate::convert::backend)?;
                rows.into_iter().map($crate::convert::contribution).collect()
            }

            async fn ledger_entries(
                &self,
                rel: domain::RelationshipId,
                first: domain::AccountId,
                from_day: i32,
                to_day: i32,
            ) -> domain::store::StoreResult<Vec<domain::ledger::Entry>> {
                // A ten-year history is 20,000 rows. Handed over one by one,
                // each row crosses from the driver's thread to ours and costs
                // more than the whole analysis (measured in bench/ledger), so
                // the database packs the window into one string, read at once.
                let packed: Option<String> = sqlx::query_scalar(concat!(
                    "SELECT ",
                    $string_agg,
                    "((CASE WHEN giver_id = $2 THEN '0' ELSE '1' END) || ' ' || domain || ' ' || day \
                     || ' ' || effort || ' ' || COALESCE(value, 0), ',') \
                     FROM contributions WHERE relationship_id = $1 AND day BETWEEN $3 AND $4"
                ))
                .bind(rel.to_string())
                .bind(first.to_string())
                .bind(from_day)
                .bind(to_day)
                .fetch_one(&self.read)
                .await
                .map_err($crate::convert::backend)?;
                $crate::convert::packed_entries(packed.as_deref().unwrap_or(""))
            }

            async fn recent_descriptions(
                &self,
                rel: domain::RelationshipId,
                account: domain::AccountId,
                limit: u32,
            ) -> domain::store::StoreResult<Vec<String>> {
                let rows: Vec<(String,)> = sqlx::query_as(
                    "SELECT description FROM contributions WHERE relationship_id = $1 AND logged_by = $2 \
                     GROUP BY description ORDER BY MAX(created_at) DESC LIMIT $3",
                )
                .bind(rel.to_string())
                .bind(account.to_string())
                .bind(i64::from(limit))
                .fetch_all(&self.read)
                .await
                .map_err($crate::convert::backend)?;
                Ok(rows.into_iter().map(|(d,)| d).collect())
            }

            async fn set_show_numbers(
                &self,
                rel: domain::RelationshipId,
                account: domain::AccountId,
                show: bool,
                at: chrono::DateTime<chrono::Utc>,
            ) -> domain::store::StoreResult<bool> {
                let done = sqlx::query(
                    "INSERT INTO ledger_preferences (relationship_id, account_id, show_numbers, updated_at) \
                     SELECT $1, $2, $3, $4 \
                     WHERE EXISTS (SELECT 1 FROM relationships WHERE id = $1 AND status = 'active') \
                     ON CONFLICT (relationship_id, account_id) \
                     DO UPDATE SET show_numbers = excluded.show_numbers, updated_at = excluded.updated_at",
                )
                .bind(rel.to_string())
                .bind(account.to_string())
                .bind(show)
                .bind($crate::convert::millis(at))
                .execute(&self.write)
                .await
                .map_err($crate::convert::backend)?;
                Ok(done.rows_affected() == 1)
            }

            async fn show_numbers(
                &self,
                rel: domain::RelationshipId,
            ) -> domain::store::StoreResult<Vec<(domain::AccountId, bool)>> {
                let rows: Vec<(String, bool)> = sqlx::query_as(
                    "SELECT account_id, show_numbers FROM ledger_preferences WHERE relationship_id = $1",
                )
                .bind(rel.to_string())
                .fetch_all(&self.read)
                .await
                .map_err($crate::convert::backend)?;
                rows.into_iter()
                    .map(|(id, show)| Ok((domain::AccountId($crate::convert::uuid(&id)?), show)))
                    .collect()
            }

            async fn sealed_rounds(
                &self,
                rel: domain::RelationshipId,
                kind: &str,
                numbers: std::ops::RangeInclusive<u32>,
            ) -> domain::store::StoreResult<Vec<domain::sealed::RoundRecord<String>>> {
                // Numbers beyond what a column holds are simply not there.
                let first = i32::try_from(*numbers.start()).unwrap_or(i32::MAX);
                let last = i32::try_from(*numbers.end()).unwrap_or(i32::MAX);
                // One row per side, both sides of a round next to each other.
                let rows: Vec<$crate::convert::SideRow> = sqlx::query_as(
                    "SELECT r.number, r.started_at, s.account_id, s.answers, s.submitted_at \
                     FROM sealed_rounds r JOIN sealed_sides s ON s.round_id = r.id \
                     WHERE r.relationship_id = $1 AND r.kind = $2 AND r.number BETWEEN $3 AND $4 \
                     ORDER BY r.number, s.position",
                )
                .bind(rel.to_string())
                .bind(kind)
                .bind(first)
                .bind(last)
                .fetch_all(&self.read)
                .await
                .map_err($crate::convert::backend)?;
                $crate::convert::sealed_rounds(rows)
            }

            async fn round_outline(
                &self,
                rel: domain::RelationshipId,
                kind: &str,
            ) -> domain::store::StoreResult<Vec<domain::sealed::RoundRecord<()>>> {
                // One row per round (both sides joined in), and for each side
                // only whether it holds answers: the history's cost stays
                // small however long the answers are.
                let rows: Vec<$crate::convert::OutlineRow> = sqlx::query_as(
                    "SELECT r.number, r.started_at, \
                     a.account_id, CASE WHEN a.answers IS NULL THEN 0 ELSE 1 END, a.submitted_at, \
                     b.account_id, CASE WHEN b.answers IS NULL THEN 0 ELSE 1 END, b.submitted_at \
                     FROM sealed_rounds r \
                     JOIN sealed_sides a ON a.round_id = r.id AND a.position = 0 \
                     JOIN sealed_sides b ON b.round_id = r.id AND b.position = 1 \
                     WHERE r.relationship_id = $1 AND r.kind = $2 ORDER BY r.number",
                )
                .bind(rel.to_string())
                .bind(kind)
                .fetch_all(&self.read)
                .await
                .map_err($crate::convert::backend)?;
                rows.into_iter().map($crate::convert::outline).collect()
            }

            async fn insert_round(
                &self,
                rel: domain::RelationshipId,
                kind: &str,
                round: &domain::sealed::RoundRecord<String>,
            ) -> domain::store::StoreResult<bool> {
                let id = uuid::Uuid::new_v4().to_string();
                let mut tx = self.write.begin().await.map_err($crate::convert::backend)?;
                // Of two partners starting the same number at once, only one
                // INSERT passes the unique rule; the other is a conflict.
                let started = sqlx::query(
                    "INSERT INTO sealed_rounds (relationship_id, id, kind, number, started_at) \
                     SELECT $1, $2, $3, $4, $5 \
                     WHERE EXISTS (SELECT 1 FROM relationships WHERE id = $1 AND status = 'active')",
                )
                .bind(rel.to_string())
                .bind(&id)
                .bind(kind)
                .bind($crate::convert::round_number(round.number)?)
                .bind($crate::convert::millis(round.started_at))
                .execute(&mut *tx)
                .await
                .map_err($crate::convert::db_error("round"))?;
                if started.rows_affected() != 1 {
                    return Ok(false);
                }
                for (position, side) in (0i32..).zip(&round.sides) {
                    sqlx::query(
                        "INSERT INTO sealed_sides (round_id, account_id, position, answers, submitted_at) \
                         VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(&id)
                    .bind(side.account.to_string())
                    .bind(position)
                    .bind(side.answers.as_deref())
                    .bind(side.submitted_at.map($crate::convert::millis))
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::convert::backend)?;
                }
                tx.commit().await.map_err($crate::convert::backend)?;
                Ok(true)
            }

            async fn save_side(
                &self,
                rel: domain::RelationshipId,
                kind: &str,
                number: u32,
                side: &domain::sealed::SideRecord<String>,
            ) -> domain::store::StoreResult<bool> {
                let Ok(number) = i32::try_from(number) else {
                    return Ok(false);
                };
                // `submitted_at IS NULL` in the same statement: of a late draft
                // and a submit, or two submits, racing, the first fixes the side.
                let done = sqlx::query(
                    "UPDATE sealed_sides SET answers = $5, submitted_at = $6 \
                     WHERE account_id = $4 AND submitted_at IS NULL AND round_id = \
                     (SELECT id FROM sealed_rounds WHERE relationship_id = $1 AND kind = $2 AND number = $3) \
                     AND EXISTS (SELECT 1 FROM relationships WHERE id = $1 AND status = 'active')",
                )
                .bind(rel.to_string())
                .bind(kind)
                .bind(number)
                .bind(side.account.to_string())
                .bind(side.answers.as_deref())
                .bind(side.submitted_at.map($crate::convert::millis))
                .execute(&self.write)
                .await
                .map_err($crate::convert::backend)?;
                Ok(done.rows_affected() == 1)
            }

            async fn insert_custom_area(
                &self,
                rel: domain::RelationshipId,
                area: &domain::store::CustomArea,
                max: u32,
            ) -> domain::store::StoreResult<bool> {
                // The next slot after the highest taken; two inserts racing
                // for one slot meet the unique index (`area_slot`), and no
                // insert passes once the highest slot is `max`.
                let done = sqlx::query(
                    "INSERT INTO respect_areas (relationship_id, id, name, name_key, created_by, created_at, slot) \
                     SELECT $1, $2, $3, $4, $5, $6, COALESCE(MAX(slot), 0) + 1 \
                     FROM respect_areas WHERE relationship_id = $1 \
                     HAVING COALESCE(MAX(slot), 0) < $7 \
                     AND EXISTS (SELECT 1 FROM relationships WHERE id = $1 AND status = 'active')",
                )
                .bind(rel.to_string())
                .bind(area.id.to_string())
                .bind(&area.name)
                .bind(area.name.to_lowercase())
                .bind(area.created_by.to_string())
                .bind($crate::convert::millis(area.created_at))
                .bind(i64::from(max))
                .execute(&self.write)
                .await
                .map_err($crate::convert::area_error)?;
                Ok(done.rows_affected() == 1)
            }

            async fn custom_areas(
                &self,
                rel: domain::RelationshipId,
            ) -> domain::store::StoreResult<Vec<domain::store::CustomArea>> {
                let rows: Vec<$crate::convert::AreaRow> = sqlx::query_as(
                    "SELECT id, name, created_by, created_at FROM respect_areas \
                     WHERE relationship_id = $1 ORDER BY created_at, id",
                )
                .bind(rel.to_string())
                .fetch_all(&self.read)
                .await
                .map_err($crate::convert::backend)?;
                rows.into_iter().map($crate::convert::custom_area).collect()
            }

            async fn insert_conversation_note(
                &self,
                rel: domain::RelationshipId,
                deck: &str,
                number: u32,
                note: &domain::store::ConversationNote,
            ) -> domain::store::StoreResult<bool> {
                let done = sqlx::query(
                    "INSERT INTO conversation_notes (relationship_id, id, deck, number, author_id, text, \
                     agreement_idea, created_at) SELECT $1, $2, $3, $4, $5, $6, $7, $8 \
                     WHERE EXISTS (SELECT 1 FROM relationships WHERE id = $1 AND status = 'active')",
                )
                .bind(rel.to_string())
                .bind(note.id.to_string())
                .bind(deck)
                .bind($crate::convert::round_number(number)?)
                .bind(note.author.to_string())
                .bind(&note.text)
                .bind(note.agreement_idea)
                .bind($crate::convert::millis(note.created_at))
                .execute(&self.write)
                .await
                .map_err($crate::convert::db_error("note"))?;
                Ok(done.rows_affected() == 1)
            }

            async fn conversation_notes(
                &self,
                rel: domain::RelationshipId,
                deck: &str,
                number: u32,
            ) -> domain::store::StoreResult<Vec<domain::store::ConversationNote>> {
                let Ok(number) = i32::try_from(number) else {
                    return Ok(Vec::new());
                };
                let rows: Vec<$crate::convert::NoteRow> = sqlx::query_as(
                    "SELECT id, author_id, text, agreement_idea, created_at FROM conversation_notes \
                     WHERE relationship_id = $1 AND deck = $2 AND number = $3 ORDER BY created_at, id",
                )
                .bind(rel.to_string())
                .bind(deck)
                .bind(number)
                .fetch_all(&self.read)
                .await
                .map_err($crate::convert::backend)?;
                rows.into_iter().map($crate::convert::conversation_note).collect()
            }
        }

        type AccountRow = (String, String, String, String, i64);

        fn account(
            (id, email, display_name, password_hash, created_at): AccountRow,
        ) -> domain::store::StoreResult<domain::store::Account> {
            Ok(domain::store::Account {
                id: domain::AccountId($crate::convert::uuid(&id)?),
                email,
                display_name,
                password_hash,
                created_at: $crate::convert::time(created_at)?,
            })
        }
    };
}

pub(crate) use impl_store;
