//! Closed sets written once: `closed_set!` turns one table of members, each with its spec
//! spelling and its AWS spelling, into the enum, the list of its members (`ALL`), both
//! spellings (`as_spec`, `as_aws`), the reverse look-ups (`from_spec`, `from_aws`), and the
//! spec's parsing (serde's `Deserialize`, whose error lists the spellings the spec accepts).
//! A member added to the table is accepted, read, written and sent everywhere at once.

/// `closed_set! { /// docs  pub enum Name { Member = ("spec", "AWS"), ... } }`.
macro_rules! closed_set {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$member_meta:meta])* $member:ident = ($spec:literal, $aws:literal) ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $( $(#[$member_meta])* $member ),+
        }

        impl $name {
            /// Every member, in the table's order.
            pub const ALL: &'static [$name] = &[$($name::$member),+];
            /// How the spec (cognito.toml) spells each member, in the table's order.
            pub const SPEC_NAMES: &'static [&'static str] = &[$($spec),+];

            /// The spec's spelling.
            pub const fn as_spec(self) -> &'static str {
                match self {
                    $($name::$member => $spec),+
                }
            }

            /// AWS's spelling (the API's enum value).
            pub const fn as_aws(self) -> &'static str {
                match self {
                    $($name::$member => $aws),+
                }
            }

            /// The member AWS spells `aws`; `None` for a value this project does not know.
            pub fn from_aws(aws: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|member| member.as_aws() == aws)
            }

            /// The member the spec spells `spec`.
            pub fn from_spec(spec: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|member| member.as_spec() == spec)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                Self::from_spec(&text).ok_or_else(|| serde::de::Error::unknown_variant(&text, Self::SPEC_NAMES))
            }
        }
    };
}

#[cfg(test)]
mod tests {
    closed_set! {
        /// A set for the macro's own test.
        pub enum Colour {
            Red = ("red", "RED"),
            DeepBlue = ("deep_blue", "DeepBlue"),
        }
    }

    #[test]
    fn each_member_is_found_by_either_spelling_and_nothing_else_is() {
        for &colour in Colour::ALL {
            assert_eq!(Colour::from_aws(colour.as_aws()), Some(colour));
            assert_eq!(Colour::from_spec(colour.as_spec()), Some(colour));
        }
        assert_eq!(Colour::from_aws("red"), None, "AWS's spelling is exact");
        assert_eq!(Colour::from_spec("RED"), None, "so is the spec's");
        assert_eq!(Colour::SPEC_NAMES, ["red", "deep_blue"]);
    }

    #[test]
    fn the_spec_parses_its_spelling_and_names_the_accepted_ones_otherwise() {
        #[derive(serde::Deserialize)]
        struct File {
            colour: Colour,
        }
        let file: File = toml::from_str(r#"colour = "deep_blue""#).unwrap();
        assert_eq!(file.colour, Colour::DeepBlue);
        let error = toml::from_str::<File>(r#"colour = "DeepBlue""#)
            .err()
            .unwrap()
            .to_string();
        assert!(
            error.contains("unknown variant `DeepBlue`, expected `red` or `deep_blue`"),
            "{error}"
        );
    }
}
