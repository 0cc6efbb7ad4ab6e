//! Enumerations stored as codes: the macro that keeps each variant, its database code and
//! the translation key of its name together, and the error for a code this version does not
//! know.

/// A stored code that names no variant: the database or an API client sent something this
/// version does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} code {code:?}")]
pub struct UnknownCode {
    /// What was being read, e.g. `operator status`.
    pub what: &'static str,
    /// The code as received.
    pub code: String,
}

/// Declares a fieldless enum with its stored codes and translation keys, so that the three
/// can never disagree.
macro_rules! coded_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $what:literal, $label_prefix:literal {
            $($(#[$vmeta:meta])* $variant:ident => $code:literal),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every variant, in the order they are declared (the order used in lists).
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The code stored in the database and used in the JSON API.
            pub fn code(self) -> &'static str {
                match self {
                    $($name::$variant => $code),+
                }
            }

            /// Reads a stored code back; only the exact lower-case code is accepted.
            pub fn parse(code: &str) -> Result<Self, $crate::domain::codes::UnknownCode> {
                match code {
                    $($code => Ok($name::$variant),)+
                    _ => Err($crate::domain::codes::UnknownCode { what: $what, code: code.to_owned() }),
                }
            }

            #[doc = concat!("The translation key of this value's name: `", $label_prefix, ".<code>`.")]
            pub fn label_key(self) -> &'static str {
                match self {
                    $($name::$variant => concat!($label_prefix, ".", $code)),+
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

pub(crate) use coded_enum;
