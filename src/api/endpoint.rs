//! Where a request goes: the service's host, region and scheme.

use crate::api::RequestError;

/// Where a request goes: scheme and host (with port, if any).
///
/// ```
/// use ekyc_preflight::api::Endpoint;
/// assert_eq!(Endpoint::public().host(), "cloudauth-intl.cn-hongkong.aliyuncs.com");
/// assert_eq!(Endpoint::vpc().host(), "cloudauth-intl-vpc.cn-hongkong.aliyuncs.com");
/// let local = Endpoint::custom("http://127.0.0.1:8080").unwrap();
/// assert_eq!(local.base_url(), "http://127.0.0.1:8080");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    scheme: String,
    host: String,
}

impl Endpoint {
    /// The public endpoint in China (Hong Kong), over HTTPS.
    ///
    /// ```
    /// use ekyc_preflight::api::Endpoint;
    /// assert_eq!(Endpoint::public().host(), Endpoint::PUBLIC_HOST);
    /// ```
    pub const PUBLIC_HOST: &'static str = "cloudauth-intl.cn-hongkong.aliyuncs.com";
    /// The internal (VPC) endpoint in China (Hong Kong), over HTTPS; reachable
    /// only from inside Alibaba Cloud in that region.
    ///
    /// ```
    /// use ekyc_preflight::api::Endpoint;
    /// assert_eq!(Endpoint::vpc().host(), Endpoint::VPC_HOST);
    /// ```
    pub const VPC_HOST: &'static str = "cloudauth-intl-vpc.cn-hongkong.aliyuncs.com";

    /// `https://cloudauth-intl.cn-hongkong.aliyuncs.com`, the default.
    ///
    /// ```
    /// use ekyc_preflight::api::Endpoint;
    /// assert_eq!(Endpoint::public().base_url(), "https://cloudauth-intl.cn-hongkong.aliyuncs.com");
    /// assert_eq!(Endpoint::default(), Endpoint::public());
    /// ```
    pub fn public() -> Self {
        Endpoint::https(Self::PUBLIC_HOST)
    }

    /// `https://cloudauth-intl-vpc.cn-hongkong.aliyuncs.com`.
    ///
    /// ```
    /// use ekyc_preflight::api::Endpoint;
    /// assert_eq!(Endpoint::vpc().base_url(), "https://cloudauth-intl-vpc.cn-hongkong.aliyuncs.com");
    /// ```
    pub fn vpc() -> Self {
        Endpoint::https(Self::VPC_HOST)
    }

    /// Any host over HTTPS (for example another product's endpoint).
    ///
    /// ```
    /// use ekyc_preflight::api::Endpoint;
    /// let ecs = Endpoint::https("ecs.aliyuncs.com");
    /// assert_eq!(ecs.base_url(), "https://ecs.aliyuncs.com");
    /// ```
    pub fn https(host: impl Into<String>) -> Self {
        Endpoint {
            scheme: "https".into(),
            host: host.into(),
        }
    }

    /// A base URL `https://host[:port][/]`, or `http://` for a loopback test
    /// server such as `http://127.0.0.1:8080` (plain HTTP to any other host is
    /// refused: the request would travel in clear). Paths, queries and user
    /// info are refused.
    ///
    /// ```
    /// use ekyc_preflight::api::Endpoint;
    /// let local = Endpoint::custom("http://127.0.0.1:8080/")?;
    /// assert_eq!(local.host(), "127.0.0.1:8080");
    /// assert!(Endpoint::custom("https://example.com/path").is_err());
    /// assert!(Endpoint::custom("http://example.com").is_err());
    /// assert!(Endpoint::custom("http://[::1]:8080").is_ok());
    /// # Ok::<(), ekyc_preflight::api::RequestError>(())
    /// ```
    pub fn custom(base_url: &str) -> Result<Self, RequestError> {
        let bad = |reason: &str| RequestError::Endpoint {
            reason: reason.to_string(),
        };
        let (scheme, rest) = base_url
            .split_once("://")
            .ok_or_else(|| bad("expected http://host[:port] or https://host[:port]"))?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return Err(bad("the scheme must be http or https"));
        }
        let host = rest.strip_suffix('/').unwrap_or(rest);
        if host.is_empty() {
            return Err(bad("the host is empty"));
        }
        if host.contains(['/', '?', '#', '@', ' ']) {
            return Err(bad("only scheme, host and port are allowed"));
        }
        let Ok(authority) = host.parse::<http::uri::Authority>() else {
            return Err(bad("the host is not a valid host[:port]"));
        };
        if scheme == "http" && !is_loopback(authority.host()) {
            return Err(bad(
                "plain http is only for loopback test servers (localhost, 127.0.0.0/8, [::1]); \
                 use https: the request carries the signature, personal data and any STS token",
            ));
        }
        Ok(Endpoint {
            scheme,
            host: host.to_string(),
        })
    }

    /// `https` or `http`.
    ///
    /// ```
    /// use ekyc_preflight::api::Endpoint;
    /// assert_eq!(Endpoint::public().scheme(), "https");
    /// assert_eq!(Endpoint::custom("http://localhost:8080").unwrap().scheme(), "http");
    /// ```
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// The host, with `:port` if one was given; sent (and signed) as `host`.
    ///
    /// ```
    /// use ekyc_preflight::api::Endpoint;
    /// assert_eq!(Endpoint::custom("http://localhost:8080").unwrap().host(), "localhost:8080");
    /// ```
    pub fn host(&self) -> &str {
        &self.host
    }

    /// `scheme://host`.
    ///
    /// ```
    /// use ekyc_preflight::api::Endpoint;
    /// assert_eq!(Endpoint::https("ecs.aliyuncs.com").base_url(), "https://ecs.aliyuncs.com");
    /// ```
    pub fn base_url(&self) -> String {
        format!("{}://{}", self.scheme, self.host)
    }
}

/// `localhost` or a loopback IP address (IPv6 in brackets, as in a URL).
pub(super) fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl Default for Endpoint {
    fn default() -> Self {
        Endpoint::public()
    }
}
