//! Normalisers: each turns one kind of cell or phrase into the values of the exchange format, and
//! is tested on its own. None looks at table layout; that is `tables`' job.

pub mod capacity;
pub mod funding;
pub mod indicator;
pub mod party;
pub mod schedule;
pub mod service_type;
