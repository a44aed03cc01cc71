//! The domain of Grizha: what Bulgarian municipalities and regions plan, carry out, monitor and
//! evaluate in their social services.
//!
//! **Architecture invariant:** this crate does no IO. It holds validated types, the built-in code
//! tables (embedded at compile time) and pure rules (deadline parsing, progress roll-up, plan status
//! transitions). Everything that reads files, talks to a database or serves HTTP depends on it, never
//! the other way round.

pub mod codes;
pub mod deadline;
pub mod document;
pub mod geography;
pub mod ids;
pub mod monitoring;
pub mod plan;
pub mod service;
pub mod strategy;
pub mod time;
pub mod user;

/// A value that failed validation at the edge of the domain: what was wrong, with the offending input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub what: &'static str,
    pub problem: &'static str,
    pub input: String,
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid {}: {}", self.what, self.problem)?;
        if !self.input.is_empty() {
            write!(f, " (got {:?})", self.input)?;
        }
        Ok(())
    }
}

impl std::error::Error for Invalid {}

impl Invalid {
    pub fn new(what: &'static str, problem: &'static str, input: impl Into<String>) -> Self {
        Invalid { what, problem, input: input.into() }
    }
}

/// Declares a string newtype whose only constructor is a validating `parse`.
/// Serde, URL extractors and the database all go through the same `parse`.
macro_rules! validated_string {
    ($(#[$meta:meta])* $name:ident, $what:literal, $check:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(input: impl AsRef<str>) -> Result<Self, $crate::Invalid> {
                let input = input.as_ref().trim();
                let check: fn(&str) -> Result<(), &'static str> = $check;
                match check(input) {
                    Ok(()) => Ok($name(input.to_owned())),
                    Err(problem) => Err($crate::Invalid::new($what, problem, input)),
                }
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl TryFrom<String> for $name {
            type Error = $crate::Invalid;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(value)
            }
        }
        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }
        impl std::str::FromStr for $name {
            type Err = $crate::Invalid;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}
pub(crate) use validated_string;

/// Declares an enum stored and exchanged as snake_case codes, with a Bulgarian label for people.
macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($(#[$vmeta:meta])* $variant:ident = $code:literal / $label:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The stable code used in storage, the API and the exchange format.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }
            /// The Bulgarian name people know.
            pub fn label_bg(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
        }
        impl std::str::FromStr for $name {
            type Err = $crate::Invalid;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s { $($code => Ok($name::$variant),)+ _ => Err($crate::Invalid::new($what, "unknown code", s)) }
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use code_enum;
