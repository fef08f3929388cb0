use super::profile::parse_ini;
use super::sts::rpc_signature;

#[test]
fn ini_as_the_sdks_read_it() {
    let ini = "# comment\n[default]\ntype = access_key # inline\naccess_key_id=id\n\n; other\n[b]\nKey: v\n";
    let s = parse_ini(ini).unwrap();
    assert_eq!(s["default"]["type"], "access_key");
    assert_eq!(s["default"]["access_key_id"], "id");
    assert_eq!(s["b"]["key"], "v");
    assert!(parse_ini("key = before any section").is_err());
    assert!(parse_ini("[open").is_err());
    assert!(parse_ini("[a]\njust words").is_err());
}

#[test]
fn rpc_signature_matches_the_documented_example() {
    // Alibaba Cloud's RPC signature document's example (ECS
    // DescribeRegions, secret "testsecret").
    let q: Vec<(&str, String)> = [
        ("AccessKeyId", "testid"),
        ("Action", "DescribeRegions"),
        ("Format", "XML"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
        ("SignatureVersion", "1.0"),
        ("Timestamp", "2016-02-23T12:46:24Z"),
        ("Version", "2014-05-26"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_string()))
    .collect();
    assert_eq!(
        rpc_signature("GET", &q, "testsecret"),
        "OLeaidS1JvxuMvnyHOwuJ+uX5qY="
    );
}
