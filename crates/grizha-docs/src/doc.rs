//! Legacy Word files (`.doc`, an OLE compound file) are converted to DOCX by LibreOffice, when it is
//! installed, and then read as DOCX. Without LibreOffice the error says what to install.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::{Document, ReadError, ReadLimits, SourceFormat};

/// How long a conversion may take before it is stopped.
pub const CONVERSION_TIMEOUT: Duration = Duration::from_secs(120);

/// The LibreOffice command on this machine, if any.
pub fn soffice() -> Option<PathBuf> {
    let names = ["soffice", "libreoffice"];
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths).flat_map(|dir| names.iter().map(move |n| dir.join(n))).find(|p| p.is_file())
}

pub fn read(bytes: &[u8], limits: &ReadLimits) -> Result<Document, ReadError> {
    if bytes.len() as u64 > limits.max_input_bytes {
        return Err(ReadError::TooLarge { size: bytes.len() as u64, max: limits.max_input_bytes });
    }
    let soffice = soffice().ok_or_else(|| {
        ReadError::Tool(
            "a legacy Word (.doc) file: install LibreOffice (Debian: libreoffice-writer) to read it, or save it as DOCX".into(),
        )
    })?;
    let work = tempfile::tempdir().map_err(|e| ReadError::Tool(format!("cannot make a working directory: {e}")))?;
    let input = work.path().join("input.doc");
    std::fs::write(&input, bytes).map_err(|e| ReadError::Tool(format!("cannot write a working copy: {e}")))?;
    let mut child = Command::new(&soffice)
        .arg(format!("-env:UserInstallation=file://{}", work.path().join("profile").display()))
        .args(["--headless", "--norestore", "--convert-to", "docx", "--outdir"])
        .arg(work.path())
        .arg(&input)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| ReadError::Tool(format!("cannot run LibreOffice: {e}")))?;
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if started.elapsed() > CONVERSION_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(ReadError::Tool(format!(
                    "LibreOffice did not convert the file within {} s",
                    CONVERSION_TIMEOUT.as_secs()
                )));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(100)),
            Err(e) => return Err(ReadError::Tool(format!("LibreOffice failed: {e}"))),
        }
    }
    let converted = work.path().join("input.docx");
    let docx = std::fs::read(&converted).map_err(|_| ReadError::damaged("DOC", "LibreOffice could not convert it"))?;
    let mut document = crate::docx::read(&docx, limits)?;
    document.format = SourceFormat::Doc;
    document.notes.push("converted from a legacy Word file by LibreOffice".into());
    Ok(document)
}
