//! [`S3Blobs`] (feature `s3`): blobs in S3-compatible object storage (Amazon S3, MinIO, Ceph,
//! Garage…), `{prefix}/{case_id}/{sha256}` in one bucket.
//!
//! Why `object_store`: the Apache Arrow project's crate, maintained by the Arrow/DataFusion
//! community and used by them, InfluxDB and delta-rs; one small API over S3 and its
//! compatibles, with rustls, retries and without the AWS SDK's weight. It is async (Tokio); the
//! core's API is synchronous (see [`crate::store`]), so [`S3Blobs`] keeps a private runtime with
//! one worker and hands each request to it, waiting on a channel: callable from any thread,
//! including the server's blocking pool.
//!
//! Credentials come from the environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, as
//! `object_store` reads them) or from [`S3Config`], never from a URL, a log or an error.

use std::future::Future;
use std::sync::Arc;

use object_store::aws::AmazonS3Builder;
use object_store::path::Path;
use object_store::{ObjectStore, PutMode, PutOptions, PutPayload};
use uuid::Uuid;

use super::{BlobError, BlobStore, check_digest};

/// Where the bucket is and how to reach it.
#[derive(Clone, Default)]
pub struct S3Config {
    /// The bucket.
    pub bucket: String,
    /// A prefix inside it (no leading or trailing slash), or empty.
    pub prefix: String,
    /// The endpoint of an S3-compatible server (`http://127.0.0.1:9000`); empty for AWS.
    pub endpoint: String,
    /// The region (`us-east-1` when empty).
    pub region: String,
    /// Access key id; empty to read `AWS_ACCESS_KEY_ID`.
    pub access_key_id: String,
    /// Secret access key; empty to read `AWS_SECRET_ACCESS_KEY`.
    pub secret_access_key: String,
}

impl std::fmt::Debug for S3Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Config")
            .field("bucket", &self.bucket)
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

/// Blobs in an S3-compatible bucket (see the module docs).
pub struct S3Blobs {
    store: Arc<dyn ObjectStore>,
    prefix: String,
    runtime: tokio::runtime::Runtime,
}

impl std::fmt::Debug for S3Blobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("S3Blobs(..)")
    }
}

fn backend(e: object_store::Error) -> BlobError {
    // The error's kind only: its text can carry the bucket's URL.
    let kind = match e {
        object_store::Error::NotFound { .. } => "not found",
        object_store::Error::AlreadyExists { .. } => "already exists",
        object_store::Error::PermissionDenied { .. } => "permission denied",
        object_store::Error::Unauthenticated { .. } => "unauthenticated",
        object_store::Error::Precondition { .. } => "precondition failed",
        _ => "request failed",
    };
    BlobError::Backend {
        reason: format!("s3: {kind}"),
    }
}

impl S3Blobs {
    /// Blobs in the bucket `config` names.
    pub fn new(config: &S3Config) -> Result<S3Blobs, BlobError> {
        let mut builder = AmazonS3Builder::from_env().with_bucket_name(&config.bucket);
        let region = if config.region.is_empty() {
            "us-east-1"
        } else {
            &config.region
        };
        builder = builder.with_region(region);
        if !config.endpoint.is_empty() {
            builder = builder
                .with_endpoint(&config.endpoint)
                .with_allow_http(config.endpoint.starts_with("http://"))
                .with_virtual_hosted_style_request(false);
        }
        if !config.access_key_id.is_empty() {
            builder = builder
                .with_access_key_id(&config.access_key_id)
                .with_secret_access_key(&config.secret_access_key);
        }
        let store = builder.build().map_err(|_| BlobError::Backend {
            reason: "s3: bad configuration".into(),
        })?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("siproc-s3")
            .enable_all()
            .build()
            .map_err(|_| BlobError::Backend {
                reason: "s3: cannot start its runtime".into(),
            })?;
        Ok(S3Blobs {
            store: Arc::new(store),
            prefix: config.prefix.trim_matches('/').to_owned(),
            runtime,
        })
    }

    fn folder(&self, case_id: Uuid) -> String {
        if self.prefix.is_empty() {
            case_id.to_string()
        } else {
            format!("{}/{case_id}", self.prefix)
        }
    }

    fn path(&self, case_id: Uuid, sha256: &str) -> Path {
        Path::from(format!("{}/{sha256}", self.folder(case_id)))
    }

    /// Runs `f` on the private runtime and waits for its answer.
    fn run<T: Send + 'static>(
        &self,
        f: impl Future<Output = Result<T, BlobError>> + Send + 'static,
    ) -> Result<T, BlobError> {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        self.runtime.spawn(async move {
            let _ = tx.send(f.await);
        });
        rx.recv().map_err(|_| BlobError::Backend {
            reason: "s3: the request was dropped".into(),
        })?
    }
}

impl BlobStore for S3Blobs {
    fn put(&self, case_id: Uuid, sha256: &str, body: &[u8]) -> Result<(), BlobError> {
        check_digest(sha256)?;
        let (store, path) = (Arc::clone(&self.store), self.path(case_id, sha256));
        let payload = PutPayload::from(body.to_vec());
        self.run(async move {
            let opts = PutOptions {
                mode: PutMode::Create,
                ..PutOptions::default()
            };
            match store.put_opts(&path, payload.clone(), opts).await {
                Ok(_) | Err(object_store::Error::AlreadyExists { .. }) => Ok(()),
                // A server without conditional writes: a plain put (same name, same content).
                Err(object_store::Error::NotImplemented)
                | Err(object_store::Error::Precondition { .. }) => {
                    store.put(&path, payload).await.map(drop).map_err(backend)
                }
                Err(e) => Err(backend(e)),
            }
        })
    }

    fn get(&self, case_id: Uuid, sha256: &str) -> Result<Option<Vec<u8>>, BlobError> {
        check_digest(sha256)?;
        let (store, path) = (Arc::clone(&self.store), self.path(case_id, sha256));
        self.run(async move {
            match store.get(&path).await {
                Ok(r) => r.bytes().await.map(|b| Some(b.to_vec())).map_err(backend),
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                Err(e) => Err(backend(e)),
            }
        })
    }

    fn list(&self, case_id: Uuid) -> Result<Vec<String>, BlobError> {
        let (store, folder) = (Arc::clone(&self.store), Path::from(self.folder(case_id)));
        self.run(async move {
            let mut names: Vec<String> = collect_list(store.as_ref(), &folder)
                .await
                .map_err(backend)?
                .into_iter()
                .filter_map(|p| p.filename().map(str::to_owned))
                .filter(|n| check_digest(n).is_ok())
                .collect();
            names.sort();
            Ok(names)
        })
    }

    fn remove_case(&self, case_id: Uuid) -> Result<(), BlobError> {
        let (store, folder) = (Arc::clone(&self.store), Path::from(self.folder(case_id)));
        self.run(async move {
            for path in collect_list(store.as_ref(), &folder)
                .await
                .map_err(backend)?
            {
                match store.delete(&path).await {
                    Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                    Err(e) => return Err(backend(e)),
                }
            }
            Ok(())
        })
    }
}

/// Every object directly under `folder` (one request per page of a thousand).
async fn collect_list(
    store: &dyn ObjectStore,
    folder: &Path,
) -> Result<Vec<Path>, object_store::Error> {
    let listed = store.list_with_delimiter(Some(folder)).await?;
    Ok(listed.objects.into_iter().map(|o| o.location).collect())
}
