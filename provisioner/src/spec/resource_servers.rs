//! `[[resource_servers]]`: APIs and the OAuth scopes they define.

use serde::Deserialize;
use toml::Spanned;

use super::{Locator, SpecError};
use crate::desired::{ResourceServer, Scope};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawResourceServer {
    identifier: Spanned<String>,
    name: Spanned<String>,
    #[serde(default)]
    scopes: Vec<Spanned<RawScope>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScope {
    name: Spanned<String>,
    description: Spanned<String>,
}

pub(super) fn desired(raw: Vec<Spanned<RawResourceServer>>, loc: &Locator) -> Result<Vec<ResourceServer>, SpecError> {
    let mut servers: Vec<ResourceServer> = Vec::new();
    for server in raw {
        let server = server.into_inner();
        let identifier = server.identifier.get_ref();
        // Cognito: 1 to 256 printable ASCII characters other than space, `"` and `\`.
        let identifier_ok = (1..=256).contains(&identifier.len())
            && identifier
                .chars()
                .all(|c| c.is_ascii_graphic() && c != '"' && c != '\\');
        if !identifier_ok {
            return Err(loc.on(
                &server.identifier,
                format!(
                    "resource server identifier {identifier:?} is not valid; accepted: 1 to 256 printable ASCII \
                     characters without spaces, quotes or backslashes (often the API's URL)"
                ),
            ));
        }
        if servers.iter().any(|s| &s.identifier == identifier) {
            return Err(loc.on(
                &server.identifier,
                format!("resource server {identifier:?} is listed twice"),
            ));
        }
        let name = server.name.get_ref();
        let name_ok = (1..=256).contains(&name.chars().count())
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c.is_whitespace() || "+=,.@-".contains(c));
        if !name_ok {
            return Err(loc.on(
                &server.name,
                format!("resource server name {name:?} is not valid; accepted: 1 to 256 letters, digits, spaces and + = , . @ - _"),
            ));
        }
        if server.scopes.len() > 100 {
            return Err(loc.on(&server.scopes[100], "a resource server defines at most 100 scopes"));
        }
        let mut scopes: Vec<Scope> = Vec::new();
        for scope in &server.scopes {
            let scope = scope.get_ref();
            let scope_name = scope.name.get_ref();
            // Cognito: printable ASCII other than space, `"`, `/` and `\`.
            let ok = (1..=256).contains(&scope_name.len())
                && scope_name
                    .chars()
                    .all(|c| c.is_ascii_graphic() && !matches!(c, '"' | '/' | '\\'));
            if !ok {
                return Err(loc.on(
                    &scope.name,
                    format!(
                        "scope name {scope_name:?} is not valid; accepted: 1 to 256 printable ASCII characters \
                         without spaces, quotes, slashes or backslashes"
                    ),
                ));
            }
            if scopes.iter().any(|s| &s.name == scope_name) {
                return Err(loc.on(&scope.name, format!("scope {scope_name:?} is listed twice")));
            }
            let description = scope.description.get_ref();
            if description.is_empty() || description.chars().count() > 256 {
                return Err(loc.on(&scope.description, "a scope's description is 1 to 256 characters"));
            }
            scopes.push(Scope {
                name: scope_name.clone(),
                description: description.clone(),
            });
        }
        servers.push(ResourceServer {
            identifier: server.identifier.into_inner(),
            name: server.name.into_inner(),
            scopes,
        });
    }
    Ok(servers)
}
