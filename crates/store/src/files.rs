//! Stored files (application evidence, materials): bytes in an object store under generated
//! keys, name and type in the database. A local folder by default, S3-compatible at scale.

use crate::{Store, StoreError};
use bytes::Bytes;
use koshu_domain::audit::{AuditEvent, digest_of};
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use time::OffsetDateTime;
use uuid::Uuid;

/// A secret string: never printed, not even by `Debug`.
#[derive(Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"********\"")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("********")
    }
}

/// Where files go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilesConfig {
    Local { dir: PathBuf },
    S3(S3Config),
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct S3Config {
    pub bucket: String,
    /// For S3-compatible services (MinIO, Ceph, ...); empty for AWS itself.
    #[serde(default)]
    pub endpoint: Option<String>,
    #[serde(default = "default_region")]
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: Secret,
    /// Plain HTTP to the endpoint, for a service on a private network or loopback.
    #[serde(default)]
    pub allow_http: bool,
}

fn default_region() -> String {
    "us-east-1".to_owned()
}

#[derive(Debug, Clone)]
pub struct Files {
    objects: Arc<dyn ObjectStore>,
}

impl Files {
    pub fn open(config: &FilesConfig) -> Result<Self, StoreError> {
        let objects: Arc<dyn ObjectStore> = match config {
            FilesConfig::Local { dir } => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| StoreError::Io(dir.display().to_string(), e))?;
                Arc::new(LocalFileSystem::new_with_prefix(dir)?)
            }
            FilesConfig::S3(s3) => {
                let mut builder = AmazonS3Builder::new()
                    .with_bucket_name(&s3.bucket)
                    .with_region(&s3.region)
                    .with_access_key_id(&s3.access_key_id)
                    .with_secret_access_key(s3.secret_access_key.expose())
                    .with_allow_http(s3.allow_http);
                if let Some(endpoint) = &s3.endpoint {
                    // S3-compatible services address buckets by path, not by virtual host.
                    builder = builder
                        .with_endpoint(endpoint)
                        .with_virtual_hosted_style_request(false);
                }
                Arc::new(builder.build()?)
            }
        };
        Ok(Self { objects })
    }
}

/// A stored file's record.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredFile {
    pub id: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub created_by: String,
    pub created_at: OffsetDateTime,
}

impl Store {
    /// Stores the bytes first and the record second, so a record never points at nothing; if
    /// the record cannot be written, the orphaned object is removed.
    pub async fn save_file(
        &self,
        file_name: &str,
        content_type: &str,
        bytes: Bytes,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<StoredFile, StoreError> {
        use crate::audit::append_audit;
        use crate::unit::write_step;
        let id = Uuid::now_v7().to_string();
        let key = ObjectPath::from(id.as_str());
        let sha256 = digest_of(&bytes);
        let size_bytes = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
        self.files
            .objects
            .put(&key, PutPayload::from_bytes(bytes))
            .await?;
        let file = StoredFile {
            id: id.clone(),
            file_name: file_name.to_owned(),
            content_type: content_type.to_owned(),
            size_bytes,
            sha256: sha256.clone(),
            created_by: actor.to_owned(),
            created_at: koshu_domain::audit::truncate_to_micros(now),
        };
        let written = async {
            let mut unit = self.write().await?;
            write_step!(&mut unit, "save_file", tx => {
                sqlx::query(
                    "INSERT INTO stored_files (id, file_name, content_type, size_bytes, sha256, created_by, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(&file.id)
                .bind(&file.file_name)
                .bind(&file.content_type)
                .bind(file.size_bytes)
                .bind(&file.sha256)
                .bind(&file.created_by)
                .bind(file.created_at)
                .execute(&mut *tx)
                .await?;
                let event = AuditEvent::new(now, actor, "file.store", format!("file:{id}")).with_digests(None, Some(sha256.clone()));
                append_audit!(tx, event);
                Ok(())
            })?;
            unit.commit().await
        }
        .await;
        if let Err(e) = written {
            if let Err(cleanup) = self.files.objects.delete(&key).await {
                tracing::warn!(error = %cleanup, key = %key, "could not remove an object whose record failed");
            }
            return Err(e);
        }
        Ok(file)
    }

    /// Removes stored bytes whose records a committed unit deleted (a holder removing their
    /// uploads); a failure leaves an unreferenced object behind, which is logged.
    pub async fn remove_objects(&self, ids: &[String]) {
        for id in ids {
            let key = ObjectPath::from(id.as_str());
            if let Err(e) = self.files.objects.delete(&key).await {
                tracing::warn!(error = %e, key = %key, "could not remove an object whose record was deleted");
            }
        }
    }

    /// The record and the bytes of a stored file.
    pub async fn open_file(&self, id: &str) -> Result<(StoredFile, Bytes), StoreError> {
        use crate::db::on_db;
        let file: Option<StoredFile> = on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT id, file_name, content_type, size_bytes, sha256, created_by, created_at FROM stored_files WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        let file = file.ok_or(StoreError::NotFound)?;
        let bytes = self
            .files
            .objects
            .get(&ObjectPath::from(file.id.as_str()))
            .await?
            .bytes()
            .await?;
        Ok((file, bytes))
    }
}
