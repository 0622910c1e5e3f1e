//! Where a user pool's endpoints live: the hosted UI's (authorize, token, userInfo, revoke,
//! logout) under its domain, and the issuer's (JWKS, OIDC discovery) under
//! `cognito-idp.<region>.amazonaws.com/<pool id>`; or both on a local emulator's address.

use std::fmt;

use url::Url;

/// Why an endpoint could not be derived. Each message names the value and what is accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("{0:?} is not an AWS region name (such as \"eu-west-1\")")]
    Region(String),
    #[error("{pool_id:?} is not a user pool id: {reason} (a pool id looks like \"eu-west-1_AbC123xyz\")")]
    UserPoolId { pool_id: String, reason: &'static str },
    #[error("the user pool {pool_id:?} is in {pool_region}, not in {region}: its id starts with its region")]
    PoolRegion {
        pool_id: String,
        pool_region: String,
        region: String,
    },
    #[error(
        "{0:?} is not a Cognito domain prefix: 1 to 63 lowercase letters, digits and hyphens, \
         not starting or ending with a hyphen (the part before .auth.<region>.amazoncognito.com)"
    )]
    DomainPrefix(String),
    #[error("{0:?} is not a custom domain: give the host name alone, such as \"auth.example.com\"")]
    CustomDomain(String),
    #[error("{url:?} cannot be an endpoint base: {reason}")]
    Base { url: String, reason: &'static str },
}

/// The hosted UI's domain, as the user pool's domain settings name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostedDomain {
    /// A Cognito prefix domain: `myapp` for `https://myapp.auth.<region>.amazoncognito.com`.
    Prefix(String),
    /// A custom domain's host name, such as `auth.example.com` (served over https).
    Custom(String),
}

impl HostedDomain {
    /// The domain's base URL (`https://…`, no path).
    pub fn base_url(&self, region: &str) -> Result<Url, ConfigError> {
        check_region(region)?;
        match self {
            HostedDomain::Prefix(prefix) => {
                let bytes = prefix.as_bytes();
                let valid = (1..=63).contains(&bytes.len())
                    && bytes
                        .iter()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
                    && bytes.first() != Some(&b'-')
                    && bytes.last() != Some(&b'-');
                if !valid {
                    return Err(ConfigError::DomainPrefix(prefix.clone()));
                }
                Url::parse(&format!("https://{prefix}.auth.{region}.amazoncognito.com"))
                    .map_err(|_| ConfigError::DomainPrefix(prefix.clone()))
            }
            HostedDomain::Custom(host) => {
                let refused = || ConfigError::CustomDomain(host.clone());
                // A host name alone: a scheme, port, path or user part would be silently
                // reinterpreted by the URL parser, so refuse them instead.
                if host.is_empty() || !host.bytes().all(|b| b.is_ascii_alphanumeric() || b"-.".contains(&b)) {
                    return Err(refused());
                }
                let url = Url::parse(&format!("https://{host}")).map_err(|_| refused())?;
                if url.host_str() != Some(host.to_ascii_lowercase().as_str()) {
                    return Err(refused());
                }
                Ok(url)
            }
        }
    }
}

/// The `iss` a pool's tokens carry. Its JWKS and OIDC discovery document live under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issuer(String);

impl Issuer {
    /// `https://cognito-idp.<region>.amazonaws.com/<pool id>`: the issuer of a pool whose
    /// issuer configuration is `ORIGINAL` (every pool made before 2025, and the default).
    pub fn aws(region: &str, user_pool_id: &str) -> Result<Self, ConfigError> {
        check_pool_in_region(region, user_pool_id)?;
        Ok(Self(format!(
            "https://cognito-idp.{region}.amazonaws.com/{user_pool_id}"
        )))
    }

    /// `https://issuer-cognito-idp.<region>.amazonaws.com/<pool id>`: the issuer of a pool
    /// whose issuer configuration is `UPDATED` (`IssuerConfiguration` in DescribeUserPool).
    pub fn aws_updated(region: &str, user_pool_id: &str) -> Result<Self, ConfigError> {
        check_pool_in_region(region, user_pool_id)?;
        Ok(Self(format!(
            "https://issuer-cognito-idp.{region}.amazonaws.com/{user_pool_id}"
        )))
    }

    /// `<endpoint>/<pool id>`: the issuer a local emulator (cognito-local) uses.
    pub fn emulator(endpoint: &str, user_pool_id: &str) -> Result<Self, ConfigError> {
        check_pool_id(user_pool_id)?;
        let base = base_url(endpoint)?;
        Ok(Self(format!("{}/{user_pool_id}", base.as_str().trim_end_matches('/'))))
    }

    /// The issuer exactly as tokens carry it (no trailing slash).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `<issuer>/.well-known/jwks.json`: the pool's public signing keys.
    pub fn jwks_url(&self) -> Url {
        self.under("/.well-known/jwks.json")
    }

    /// `<issuer>/.well-known/openid-configuration`: the OIDC discovery document.
    pub fn discovery_url(&self) -> Url {
        self.under("/.well-known/openid-configuration")
    }

    fn under(&self, path: &str) -> Url {
        // Every constructor builds the issuer from a parsed http(s) base and a checked pool
        // id, so appending a fixed path keeps it a valid URL.
        Url::parse(&format!("{}{path}", self.0)).expect("an issuer with a fixed path appended is a URL")
    }
}

impl fmt::Display for Issuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A user pool's OAuth 2.0 and OIDC endpoints.
///
/// ```
/// use cognito_oauth::{Endpoints, HostedDomain};
///
/// let endpoints = Endpoints::aws("eu-west-1", "eu-west-1_AbC123xyz", &HostedDomain::Prefix("myapp".into()))?;
/// assert_eq!(endpoints.token().as_str(), "https://myapp.auth.eu-west-1.amazoncognito.com/oauth2/token");
/// assert_eq!(endpoints.issuer().as_str(), "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123xyz");
/// # Ok::<(), cognito_oauth::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    hosted_ui: Url,
    issuer: Issuer,
}

impl Endpoints {
    /// A pool on AWS with its hosted-UI domain, and the `ORIGINAL` issuer (see
    /// [`with_issuer`](Self::with_issuer) for a pool whose issuer is `UPDATED`).
    pub fn aws(region: &str, user_pool_id: &str, domain: &HostedDomain) -> Result<Self, ConfigError> {
        Ok(Self {
            hosted_ui: domain.base_url(region)?,
            issuer: Issuer::aws(region, user_pool_id)?,
        })
    }

    /// A pool on a local emulator that serves the hosted UI and the issuer on one address,
    /// such as cognito-local's `http://127.0.0.1:9229`.
    pub fn emulator(endpoint: &str, user_pool_id: &str) -> Result<Self, ConfigError> {
        Ok(Self {
            hosted_ui: base_url(endpoint)?,
            issuer: Issuer::emulator(endpoint, user_pool_id)?,
        })
    }

    /// Any hosted-UI base URL with any issuer.
    pub fn new(hosted_ui: &str, issuer: Issuer) -> Result<Self, ConfigError> {
        Ok(Self {
            hosted_ui: base_url(hosted_ui)?,
            issuer,
        })
    }

    /// The same hosted UI with another issuer (such as [`Issuer::aws_updated`]).
    pub fn with_issuer(self, issuer: Issuer) -> Self {
        Self { issuer, ..self }
    }

    /// The hosted UI's base URL.
    pub fn hosted_ui(&self) -> &Url {
        &self.hosted_ui
    }

    /// `/oauth2/authorize`, where the browser goes to sign in.
    pub fn authorize(&self) -> Url {
        self.on_hosted_ui("oauth2/authorize")
    }

    /// `/oauth2/token`, for the code exchange and the refresh.
    pub fn token(&self) -> Url {
        self.on_hosted_ui("oauth2/token")
    }

    /// `/oauth2/userInfo`: the user's attributes for an access token with `openid`.
    pub fn user_info(&self) -> Url {
        self.on_hosted_ui("oauth2/userInfo")
    }

    /// `/oauth2/revoke`: revokes a refresh token and the tokens issued with it.
    pub fn revoke(&self) -> Url {
        self.on_hosted_ui("oauth2/revoke")
    }

    /// `/logout`: ends the hosted UI's session (see [`OAuthClient::logout_url`](crate::OAuthClient::logout_url)).
    pub fn logout(&self) -> Url {
        self.on_hosted_ui("logout")
    }

    /// The issuer that the pool's tokens carry in `iss`.
    pub fn issuer(&self) -> &Issuer {
        &self.issuer
    }

    /// The pool's public signing keys.
    pub fn jwks(&self) -> Url {
        self.issuer.jwks_url()
    }

    /// The OIDC discovery document.
    pub fn discovery(&self) -> Url {
        self.issuer.discovery_url()
    }

    fn on_hosted_ui(&self, path: &str) -> Url {
        // `base_url` guarantees an http(s) base whose path ends in '/', so joining a fixed
        // relative path keeps that path as a prefix and cannot fail.
        self.hosted_ui
            .join(path)
            .expect("a fixed path joined to an http(s) base is a URL")
    }
}

/// An http(s) URL without query or fragment, its path ending in '/' so that joining keeps it.
fn base_url(text: &str) -> Result<Url, ConfigError> {
    let refused = |reason| ConfigError::Base {
        url: text.to_owned(),
        reason,
    };
    let mut url = Url::parse(text).map_err(|_| refused("not an absolute URL"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(refused("only http and https are accepted"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(refused("a base has no query or fragment"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refused("a base has no user name or password"));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

fn check_region(region: &str) -> Result<(), ConfigError> {
    let parts: Vec<&str> = region.split('-').collect();
    let valid = parts.len() >= 3
        && parts[0].len() == 2
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty();
    if valid {
        Ok(())
    } else {
        Err(ConfigError::Region(region.to_owned()))
    }
}

/// The pattern of `UserPoolId` in the Cognito API: `[\w-]+_[0-9a-zA-Z]+`, 1 to 55 characters.
fn check_pool_id(pool_id: &str) -> Result<(), ConfigError> {
    let refused = |reason| ConfigError::UserPoolId {
        pool_id: pool_id.to_owned(),
        reason,
    };
    if pool_id.is_empty() || pool_id.len() > 55 {
        return Err(refused("it has 1 to 55 characters"));
    }
    let Some((prefix, id)) = pool_id.rsplit_once('_') else {
        return Err(refused("it has an underscore between its region and its id"));
    };
    if prefix.is_empty()
        || !prefix
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return Err(refused("before the last underscore come letters, digits, '_' or '-'"));
    }
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(refused("after the last underscore come letters and digits"));
    }
    Ok(())
}

fn check_pool_in_region(region: &str, pool_id: &str) -> Result<(), ConfigError> {
    check_region(region)?;
    check_pool_id(pool_id)?;
    let pool_region = pool_id.rsplit_once('_').map_or("", |(prefix, _)| prefix);
    if pool_region != region {
        return Err(ConfigError::PoolRegion {
            pool_id: pool_id.to_owned(),
            pool_region: pool_region.to_owned(),
            region: region.to_owned(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const POOL: &str = "eu-west-1_AbC123xyz";

    #[test]
    fn a_prefix_domain_gives_every_endpoint_under_amazoncognito_com() {
        let e = Endpoints::aws("eu-west-1", POOL, &HostedDomain::Prefix("my-app".into())).unwrap();
        let base = "https://my-app.auth.eu-west-1.amazoncognito.com";
        assert_eq!(e.authorize().as_str(), format!("{base}/oauth2/authorize"));
        assert_eq!(e.token().as_str(), format!("{base}/oauth2/token"));
        assert_eq!(e.user_info().as_str(), format!("{base}/oauth2/userInfo"));
        assert_eq!(e.revoke().as_str(), format!("{base}/oauth2/revoke"));
        assert_eq!(e.logout().as_str(), format!("{base}/logout"));
        let issuer = format!("https://cognito-idp.eu-west-1.amazonaws.com/{POOL}");
        assert_eq!(e.issuer().as_str(), issuer);
        assert_eq!(e.jwks().as_str(), format!("{issuer}/.well-known/jwks.json"));
        assert_eq!(
            e.discovery().as_str(),
            format!("{issuer}/.well-known/openid-configuration")
        );
    }

    #[test]
    fn a_custom_domain_is_served_over_https() {
        let e = Endpoints::aws("eu-west-1", POOL, &HostedDomain::Custom("auth.example.com".into())).unwrap();
        assert_eq!(e.token().as_str(), "https://auth.example.com/oauth2/token");
        assert_eq!(e.logout().as_str(), "https://auth.example.com/logout");
    }

    #[test]
    fn an_updated_issuer_keeps_the_hosted_ui_and_moves_the_keys() {
        let e = Endpoints::aws("eu-west-1", POOL, &HostedDomain::Prefix("my-app".into()))
            .unwrap()
            .with_issuer(Issuer::aws_updated("eu-west-1", POOL).unwrap());
        let issuer = format!("https://issuer-cognito-idp.eu-west-1.amazonaws.com/{POOL}");
        assert_eq!(e.issuer().as_str(), issuer);
        assert_eq!(e.jwks().as_str(), format!("{issuer}/.well-known/jwks.json"));
        assert_eq!(
            e.token().as_str(),
            "https://my-app.auth.eu-west-1.amazoncognito.com/oauth2/token"
        );
    }

    #[test]
    fn an_emulator_serves_the_hosted_ui_and_the_issuer_on_its_own_address() {
        for endpoint in ["http://127.0.0.1:9229", "http://127.0.0.1:9229/"] {
            let e = Endpoints::emulator(endpoint, "local_5xYz").unwrap();
            assert_eq!(e.authorize().as_str(), "http://127.0.0.1:9229/oauth2/authorize");
            assert_eq!(e.issuer().as_str(), "http://127.0.0.1:9229/local_5xYz");
            assert_eq!(
                e.jwks().as_str(),
                "http://127.0.0.1:9229/local_5xYz/.well-known/jwks.json"
            );
        }
        let behind_a_path = Endpoints::emulator("http://127.0.0.1:9229/cognito", "local_5xYz").unwrap();
        assert_eq!(
            behind_a_path.token().as_str(),
            "http://127.0.0.1:9229/cognito/oauth2/token"
        );
        assert_eq!(
            behind_a_path.issuer().as_str(),
            "http://127.0.0.1:9229/cognito/local_5xYz"
        );
    }

    #[test]
    fn a_pool_id_from_another_region_is_refused_with_both_regions_named() {
        let error = Endpoints::aws("us-east-1", POOL, &HostedDomain::Prefix("a".into())).unwrap_err();
        assert_eq!(
            error,
            ConfigError::PoolRegion {
                pool_id: POOL.into(),
                pool_region: "eu-west-1".into(),
                region: "us-east-1".into()
            }
        );
        assert!(error.to_string().contains("eu-west-1") && error.to_string().contains("us-east-1"));
    }

    #[test]
    fn malformed_regions_pool_ids_prefixes_and_domains_are_refused() {
        let prefix = HostedDomain::Prefix("app".into());
        assert!(matches!(
            Endpoints::aws("EU-west-1", POOL, &prefix),
            Err(ConfigError::Region(_))
        ));
        assert!(matches!(
            Endpoints::aws("eu-west", POOL, &prefix),
            Err(ConfigError::Region(_))
        ));
        for pool in ["", "eu-west-1", "eu-west-1_", "eu-west-1_a/b", "eu-west-1_a b"] {
            assert!(
                matches!(
                    Endpoints::aws("eu-west-1", pool, &prefix),
                    Err(ConfigError::UserPoolId { .. })
                ),
                "{pool:?}"
            );
        }
        for bad in ["", "-app", "app-", "My-App", "app.example", &"a".repeat(64)] {
            let domain = HostedDomain::Prefix(bad.to_string());
            assert!(
                matches!(
                    Endpoints::aws("eu-west-1", POOL, &domain),
                    Err(ConfigError::DomainPrefix(_))
                ),
                "{bad:?}"
            );
        }
        for bad in [
            "https://auth.example.com",
            "auth.example.com/x",
            "auth.example.com:8443",
            "a@b.com",
            "",
        ] {
            let domain = HostedDomain::Custom(bad.to_string());
            assert!(
                matches!(
                    Endpoints::aws("eu-west-1", POOL, &domain),
                    Err(ConfigError::CustomDomain(_))
                ),
                "{bad:?}"
            );
        }
        for bad in ["127.0.0.1:9229", "ftp://x", "http://x/?a=b", "http://u:p@x/"] {
            assert!(
                matches!(Endpoints::emulator(bad, "local_1"), Err(ConfigError::Base { .. })),
                "{bad:?}"
            );
        }
    }
}
