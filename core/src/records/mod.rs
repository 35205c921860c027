//! The typed records behind each document kind, and the rules derived from them. Nothing here
//! touches storage: every rule can be tested on plain values.

pub mod case;
pub mod directory;
pub mod gate_log;
pub mod household;
pub mod isolation;
pub mod joint;
pub mod need;
pub mod pass;
pub mod reminder;
pub mod roster;
pub mod round;
mod sparse;
pub mod ticket;
pub mod validate;

/// A unit-only enum that has a stable wire code and a Chinese label.
pub trait Coded: Sized + Copy + 'static {
    /// Every value, in display order.
    const ALL: &'static [Self];
    /// The stable code stored in documents and projections.
    fn code(self) -> &'static str;
    /// The zh-Hans label shown to people.
    fn label_zh(self) -> &'static str;
    /// The value whose [`Coded::code`] is `code`, if any.
    fn from_code(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.code() == code)
    }
    /// Parses [`Coded::code`]; `field` names the input in the error.
    fn parse_code(code: &str, field: &str) -> crate::Result<Self> {
        Self::from_code(code).ok_or_else(|| {
            let known: Vec<_> = Self::ALL.iter().map(|v| v.code()).collect();
            crate::Error::invalid(
                field,
                crate::error::ErrorCode::UnknownValue,
                format!(
                    "unknown value {code:?}; expected one of {}",
                    known.join(", ")
                ),
            )
        })
    }
}

/// Declares a unit enum stored in documents as its code string, with zh-Hans labels.
macro_rules! coded_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $code:literal / $zh:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        pub enum $name {
            #[default]
            $($(#[$vmeta])* $variant),+
        }

        impl $crate::records::Coded for $name {
            const ALL: &'static [Self] = &[$($name::$variant),+];
            fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }
            fn label_zh(self) -> &'static str {
                match self { $($name::$variant => $zh),+ }
            }
        }

        impl autosurgeon::Reconcile for $name {
            type Key<'a> = autosurgeon::reconcile::NoKey;
            fn reconcile<R: autosurgeon::Reconciler>(&self, mut reconciler: R) -> Result<(), R::Error> {
                reconciler.str($crate::records::Coded::code(*self))
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str($crate::records::Coded::code(*self))
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let code = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                <$name as $crate::records::Coded>::ALL
                    .iter()
                    .copied()
                    .find(|v| $crate::records::Coded::code(*v) == code)
                    .ok_or_else(|| serde::de::Error::custom(format!(
                        "{} is not a {}", code, stringify!($name)
                    )))
            }
        }

        impl autosurgeon::Hydrate for $name {
            fn hydrate_string(s: &'_ str) -> Result<Self, autosurgeon::HydrateError> {
                <$name as $crate::records::Coded>::ALL
                    .iter()
                    .copied()
                    .find(|v| $crate::records::Coded::code(*v) == s)
                    .ok_or_else(|| autosurgeon::HydrateError::unexpected(
                        stringify!($name),
                        s.to_owned(),
                    ))
            }
        }
    };
}
pub(crate) use coded_enum;
