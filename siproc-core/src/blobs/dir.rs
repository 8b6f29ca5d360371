//! [`DirectoryBlobs`]: blobs as files in a directory, `{root}/{case_id}/{sha256}`.

use std::io::Write;
use std::path::{Path, PathBuf};

use uuid::Uuid;

use super::{BlobError, BlobStore, check_digest};

/// Blobs kept as files under a root directory: one folder per case, one file per blob named by
/// its digest. A blob is written to a temporary file in its folder, flushed to disk and renamed
/// into place, so a reader never sees half a file and a crash leaves no partial blob.
#[derive(Debug, Clone)]
pub struct DirectoryBlobs {
    root: PathBuf,
}

fn io(what: &'static str) -> impl Fn(std::io::Error) -> BlobError {
    move |e| BlobError::Backend {
        reason: format!("directory: {what}: {}", e.kind()),
    }
}

impl DirectoryBlobs {
    /// Blobs under `root`, created if missing.
    pub fn new(root: impl AsRef<Path>) -> Result<DirectoryBlobs, BlobError> {
        let root = root.as_ref().to_path_buf();
        std::fs::create_dir_all(&root).map_err(io("cannot create the root"))?;
        Ok(DirectoryBlobs { root })
    }

    fn folder(&self, case_id: Uuid) -> PathBuf {
        self.root.join(case_id.to_string())
    }
}

impl BlobStore for DirectoryBlobs {
    fn put(&self, case_id: Uuid, sha256: &str, body: &[u8]) -> Result<(), BlobError> {
        check_digest(sha256)?;
        let folder = self.folder(case_id);
        let path = folder.join(sha256);
        if path.exists() {
            return Ok(());
        }
        std::fs::create_dir_all(&folder).map_err(io("cannot create a case folder"))?;
        let tmp = folder.join(format!(".{sha256}.{}", Uuid::now_v7()));
        let written = (|| {
            let mut file = std::fs::File::create(&tmp)?;
            file.write_all(body)?;
            file.sync_all()?;
            std::fs::rename(&tmp, &path)
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        written.map_err(io("cannot write a blob"))
    }

    fn get(&self, case_id: Uuid, sha256: &str) -> Result<Option<Vec<u8>>, BlobError> {
        check_digest(sha256)?;
        match std::fs::read(self.folder(case_id).join(sha256)) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io("cannot read a blob")(e)),
        }
    }

    fn list(&self, case_id: Uuid) -> Result<Vec<String>, BlobError> {
        let entries = match std::fs::read_dir(self.folder(case_id)) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io("cannot list a case folder")(e)),
        };
        let mut names = Vec::new();
        for entry in entries {
            let name = entry.map_err(io("cannot list a case folder"))?.file_name();
            if let Some(name) = name.to_str().filter(|n| check_digest(n).is_ok()) {
                names.push(name.to_owned());
            }
        }
        names.sort();
        Ok(names)
    }

    fn remove_case(&self, case_id: Uuid) -> Result<(), BlobError> {
        match std::fs::remove_dir_all(self.folder(case_id)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(io("cannot remove a case folder")(e))
            }
            _ => Ok(()),
        }
    }
}
