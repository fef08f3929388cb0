//! A `ureq` error in words, for the client and the credential sources' requests.

/// A ureq error in words that never carry the request (no URL, no header
/// value): the kind of failure only.
pub(crate) fn describe(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Timeout(t) => format!("timed out ({t})"),
        ureq::Error::Io(io) => match io.kind() {
            std::io::ErrorKind::UnexpectedEof => "the peer closed the connection".into(),
            kind => format!("I/O error: {kind}"),
        },
        ureq::Error::HostNotFound => "the host name did not resolve".into(),
        ureq::Error::ConnectionFailed => "the connection failed".into(),
        ureq::Error::Protocol(p) => format!("not an HTTP/1.1 answer: {p}"),
        ureq::Error::LargeResponseHeader(got, limit) => {
            format!("the answer's head is {got} bytes, over the {limit}-byte limit")
        }
        ureq::Error::Tls(t) => format!("TLS: {t}"),
        ureq::Error::Rustls(r) => format!("TLS: {r}"),
        ureq::Error::ConnectProxyFailed(_) | ureq::Error::InvalidProxyUrl => {
            "the proxy refused or could not be used".into()
        }
        ureq::Error::BadUri(_) | ureq::Error::Http(_) => {
            "the request is not a valid HTTP request".into()
        }
        ureq::Error::BodyExceedsLimit(limit) => format!("the body is over the {limit}-byte limit"),
        _ => "HTTP client error".into(),
    }
}
