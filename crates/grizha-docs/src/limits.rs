//! The bounds every reader works within.

/// Bounds on input and on what reading may unpack or build. The defaults keep a reader under about
/// 256 MB of memory on any input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadLimits {
    /// The largest file accepted at all.
    pub max_input_bytes: u64,
    /// The most a ZIP container (DOCX, ODT) may unpack, all entries together.
    pub max_unpacked_bytes: u64,
    /// The most entries a ZIP container may have.
    pub max_entries: usize,
    /// The highest compression ratio of one ZIP entry (a zip bomb packs far more).
    pub max_compression_ratio: u64,
    /// The deepest XML or HTML nesting followed.
    pub max_depth: usize,
    /// The most blocks (and table cells, counted together) one document may hold.
    pub max_items: usize,
    /// The most pages of a PDF read.
    pub max_pages: usize,
}

impl ReadLimits {
    /// Refuses input that is empty or larger than [`ReadLimits::max_input_bytes`], before any
    /// parsing; every reader starts with it.
    pub fn check_input(&self, bytes: &[u8]) -> Result<(), crate::ReadError> {
        let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        if size > self.max_input_bytes {
            return Err(crate::ReadError::TooLarge { size, max: self.max_input_bytes });
        }
        if bytes.is_empty() {
            return Err(crate::ReadError::Empty);
        }
        Ok(())
    }
}

impl Default for ReadLimits {
    fn default() -> Self {
        ReadLimits {
            max_input_bytes: 50 * 1024 * 1024,
            max_unpacked_bytes: 200 * 1024 * 1024,
            max_entries: 5_000,
            max_compression_ratio: 200,
            max_depth: 256,
            max_items: 2_000_000,
            max_pages: 2_000,
        }
    }
}
