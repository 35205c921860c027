//! How core values cross to the apps: a [`Convert`] between each core type and its FFI mirror,
//! macros that declare a mirror and both conversions in one place, and the custom types for
//! instants (a `java.time.Instant` in Kotlin, a `Date` in Swift) and local dates
//! (`"2026-11-23"`).

use chrono::NaiveDate;

use crate::error::LinliError;

/// An instant: `java.time.Instant` in Kotlin, `Date` in Swift.
pub type Timestamp = chrono::DateTime<chrono::Utc>;
uniffi::custom_type!(Timestamp, std::time::SystemTime, { remote });

/// A conversion between a core value and its FFI mirror.
pub trait Convert<T> {
    /// Converts.
    fn convert(self) -> T;
}

macro_rules! same {
    ($($t:ty),*) => { $(impl Convert<$t> for $t { fn convert(self) -> $t { self } })* };
}
same!(String, bool, u8, u32, i32, i64, u64, f64, (), Timestamp);
same!(
    crate::records::IssuedPassRow,
    crate::records::LateRevocation
);

impl Convert<crate::store::LinliStore> for crate::store::LinliStore {
    fn convert(self) -> crate::store::LinliStore {
        self
    }
}

impl<A: Convert<B>, B> Convert<Vec<B>> for Vec<A> {
    fn convert(self) -> Vec<B> {
        self.into_iter().map(Convert::convert).collect()
    }
}

impl<A: Convert<B>, B> Convert<Option<B>> for Option<A> {
    fn convert(self) -> Option<B> {
        self.map(Convert::convert)
    }
}

impl Convert<String> for NaiveDate {
    fn convert(self) -> String {
        self.format("%Y-%m-%d").to_string()
    }
}

/// Parses a local date given as `YYYY-MM-DD`, naming `field` when it is not one.
pub fn parse_date(field: &str, text: &str) -> Result<NaiveDate, LinliError> {
    linli_core::records::validate::date(field, text).map_err(LinliError::from)
}

/// Declares the FFI mirror of a core enum without data, its conversions both ways and, for
/// coded enums, its `code()` and Chinese `label_zh()`.
macro_rules! mirror_enum {
    ($(#[$m:meta])* $name:ident = $core:path { $($(#[$vm:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
        pub enum $name { $($(#[$vm])* $variant),+ }

        impl $crate::mirror::Convert<$name> for $core {
            fn convert(self) -> $name {
                match self { $(<$core>::$variant => $name::$variant),+ }
            }
        }

        impl $crate::mirror::Convert<$core> for $name {
            fn convert(self) -> $core {
                match self { $($name::$variant => <$core>::$variant),+ }
            }
        }
    };
    (coded $(#[$m:meta])* $name:ident = $core:path { $($(#[$vm:meta])* $variant:ident),+ $(,)? }) => {
        mirror_enum!($(#[$m])* $name = $core { $($(#[$vm])* $variant),+ });

        #[uniffi::export]
        impl $name {
            /// The stable code stored in records and sent over the wire.
            pub fn code(&self) -> String {
                let core: $core = $crate::mirror::Convert::convert(*self);
                linli_core::Coded::code(core).to_owned()
            }

            /// The name shown to people, in Chinese.
            pub fn label_zh(&self) -> String {
                let core: $core = $crate::mirror::Convert::convert(*self);
                linli_core::Coded::label_zh(core).to_owned()
            }
        }
    };
}
pub(crate) use mirror_enum;

/// Declares the FFI mirror of a core record whose fields all convert, with the conversion from
/// the core (`out`) or both ways (`both`, for inputs the app fills in). Every record exports its
/// `Debug`, so that it prints with its fields: Python's `repr()`, Swift's `debugDescription`,
/// Kotlin's `toString()`.
macro_rules! mirror_record {
    (out $(#[$m:meta])* $name:ident = $core:path { $($(#[$fm:meta])* $field:ident : $t:ty),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, uniffi::Record)]
        #[uniffi::export(Debug)]
        pub struct $name { $($(#[$fm])* pub $field: $t),* }

        impl $crate::mirror::Convert<$name> for $core {
            fn convert(self) -> $name {
                $name { $($field: $crate::mirror::Convert::convert(self.$field)),* }
            }
        }
    };
    (both $(#[$m:meta])* $name:ident = $core:path { $($(#[$fm:meta])* $field:ident : $t:ty),* $(,)? }) => {
        mirror_record!(out $(#[$m])* $name = $core { $($(#[$fm])* $field: $t),* });

        impl $crate::mirror::Convert<$core> for $name {
            fn convert(self) -> $core {
                $core { $($field: $crate::mirror::Convert::convert(self.$field)),* }
            }
        }
    };
}
pub(crate) use mirror_record;
