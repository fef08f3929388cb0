//! `ekyc-preflight request`: build, sign (and with feature `client`, send) an EkycVerify call.

use std::path::{Path, PathBuf};

use ekyc_preflight::api::{
    ekyc_verify_call, hash_user_id, parse_acs_date, CredentialChain, Endpoint, Environment,
    OpenApiCall, Signer,
};
use serde_json::{json, Value};

/// Arguments of `ekyc-preflight request`.
///
/// Parameters come from `--params` (a JSON object of the API document's
/// parameter names to string values) and from the flags, which override it.
/// Credentials come from the official SDKs' default chain
/// ([`CredentialChain`]); the exit statuses and the chain are in [`AFTER_HELP`].
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub(crate) struct RequestArgs {
    #[command(flatten)]
    p: Box<ParamFlags>,
    /// Send the parameters exactly as given, unchecked, like the official SDK
    /// (for conformance tests); the API will judge them.
    #[arg(long)]
    no_validate: bool,
    /// Validate the parameters but do not judge Base64 images given in
    /// --params with `check` (they must still be valid Base64 within the
    /// per-image limit). By default an image `check` rejects is refused
    /// before signing (exit 2).
    #[arg(long)]
    no_check_images: bool,
    /// `public` (default), `vpc`, or a base URL such as http://127.0.0.1:8080.
    #[arg(long, default_value = "public")]
    endpoint: String,
    /// Fix x-acs-date (YYYY-MM-DDTHH:MM:SSZ) to reproduce a request.
    #[arg(long)]
    date: Option<String>,
    /// Fix x-acs-signature-nonce to reproduce a request (never reuse one for real calls).
    #[arg(long)]
    nonce: Option<String>,
    /// The user-agent to send and sign.
    #[arg(long)]
    user_agent: Option<String>,
    /// Print the signed request as JSON instead of sending it. The output is
    /// exact and unredacted (the images, DocName, DocNo, the STS token and the
    /// signature): it is what would be sent, for the credential holder.
    #[arg(long)]
    dry_run: bool,
    /// Also retry, up to N times, outcomes that may have been processed and
    /// billed (HTTP 5xx, no answer after the request left). Each retry may be
    /// billed again. Outcomes that say the call was not processed (throttling,
    /// connection refused) are retried twice regardless.
    #[arg(long, value_name = "N", default_value_t = 0)]
    retries: u32,
    /// The deadline of the whole call in seconds, retries and waits included
    /// (default: the official SDK's 5 s connect + 10 s read).
    #[arg(long, value_name = "SECONDS", default_value = "15", value_parser = parse_seconds)]
    timeout: std::time::Duration,
}

/// The exit statuses, printed after `--help`.
const AFTER_HELP: &str = "\
Credentials, found as the official SDKs find them, the first source that has them:
  1. env: ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET
     (and ALIBABA_CLOUD_SECURITY_TOKEN for STS credentials)
  2. oidc_role_arn (RRSA): ALIBABA_CLOUD_OIDC_TOKEN_FILE, ALIBABA_CLOUD_ROLE_ARN and
     ALIBABA_CLOUD_OIDC_PROVIDER_ARN, exchanged at STS (ALIBABA_CLOUD_STS_REGION)
  3. cli_profile: ~/.aliyun/config.json, profile ALIBABA_CLOUD_PROFILE or `current`
     (modes AK, StsToken, RamRoleArn, EcsRamRole, OIDC)
  4. profile: ALIBABA_CLOUD_CREDENTIALS_FILE or ~/.alibabacloud/credentials (INI),
     section ALIBABA_CLOUD_PROFILE or `default`
  5. ecs_ram_role: the ECS instance's RAM role from the metadata service
     (off with ALIBABA_CLOUD_ECS_METADATA_DISABLED=true)
  6. credentials_uri: ALIBABA_CLOUD_CREDENTIALS_URI
The source used is printed as \"credentials_source\"; when none has credentials, what
each one said is printed on stderr (exit 2). Secrets are never printed, except by
--dry-run's exact request.

Exit status:
  0  the verification was done and passed (or --dry-run printed the request)
  1  the verification was done and did not pass (Result.Passed is not Y)
  2  usage or local error: bad arguments, missing credentials, an image refused
     by prepare/check, a request refused by validation before signing
  3  the service answered with an error: an HTTP error status, or HTTP 200 with a
     Code other than Success (InvalidAccessKeyId, Throttling.User, MissingParameter,
     HTTP 5xx, ...)
  4  no usable answer after the request may have been processed and billed:
     the deadline passed, the connection dropped, or a 2xx answer could not be
     read or has no Result; look the call up before sending it again
  5  the request never left (in full): connection refused, DNS, TLS, an upload
     the server stopped reading; it cannot have been processed

After sending, stdout holds one JSON object whose \"outcome\" is passed, not_passed,
no_verdict, service_error, no_answer, unreadable_answer or not_sent, with
\"attempts\"; every outcome but passed and not_passed is also explained on stderr.";

fn parse_seconds(s: &str) -> Result<std::time::Duration, String> {
    s.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v > 0.0 && *v <= 3600.0)
        .map(std::time::Duration::from_secs_f64)
        .ok_or_else(|| "expected a number of seconds above 0, at most 3600".into())
}

/// The EkycVerify parameters given as flags (boxed: they are many).
#[derive(Debug, clap::Args)]
struct ParamFlags {
    /// JSON file: an object of parameter names (ProductCode, MerchantBizId, ...) to string
    /// values. Without it, ProductCode defaults to eKYC_MIN; with it, nothing is defaulted.
    #[arg(long, value_name = "FILE")]
    params: Option<PathBuf>,
    /// SceneCode: up to 10 letters, digits or '_'.
    #[arg(long)]
    scene_code: Option<String>,
    /// MerchantBizId: up to 32 letters and digits, unique per call.
    #[arg(long)]
    merchant_biz_id: Option<String>,
    /// MerchantUserId, sent as given (see --hash-user-id).
    #[arg(long)]
    merchant_user_id: Option<String>,
    /// Send SHA-256 (hex) of --merchant-user-id instead of the raw value.
    #[arg(long, requires = "merchant_user_id")]
    hash_user_id: bool,
    /// DocType code, e.g. 01000000 (passport), 00000001 (Chinese mainland ID card).
    #[arg(long)]
    doc_type: Option<String>,
    /// DocName, the user's real name.
    #[arg(long)]
    doc_name: Option<String>,
    /// DocNo, the certificate number.
    #[arg(long)]
    doc_no: Option<String>,
    /// Certificate image file; run through `prepare`, sent as IdOcrPictureBase64.
    #[arg(long, value_name = "FILE", conflicts_with = "id_url")]
    id_image: Option<PathBuf>,
    /// Face image file; run through `prepare`, sent as FacePictureBase64.
    #[arg(long, value_name = "FILE", conflicts_with = "face_url")]
    face_image: Option<PathBuf>,
    /// IdOcrPictureUrl: an http(s) URL of the certificate image.
    #[arg(long, value_name = "URL")]
    id_url: Option<String>,
    /// FacePictureUrl: an http(s) URL of the face image.
    #[arg(long, value_name = "URL")]
    face_url: Option<String>,
    /// Crop: T or F.
    #[arg(long, value_parser = parse_flag)]
    crop: Option<String>,
    /// Authorize: T or F (T only with DocType 00000001, DocName and DocNo).
    #[arg(long, value_parser = parse_flag)]
    authorize: Option<String>,
    /// IdThreshold: 0 system default, 1 strict, 2 loose, 3 quality detection off.
    #[arg(long, value_parser = ["0", "1", "2", "3"])]
    id_threshold: Option<String>,
    /// FaceQualityCheck: T or F (in the official SDK, not in the document).
    #[arg(long, value_parser = parse_flag)]
    face_quality_check: Option<String>,
    /// IdSpoof: T or F (in the official SDK, not in the document).
    #[arg(long, value_parser = parse_flag)]
    id_spoof: Option<String>,
}

fn parse_flag(s: &str) -> Result<String, String> {
    match s {
        "T" | "t" | "true" | "yes" | "1" => Ok("T".into()),
        "F" | "f" | "false" | "no" | "0" => Ok("F".into()),
        _ => Err("expected T or F".into()),
    }
}

/// A usage or local failure (bad arguments, I/O, a refused image, validation): exit status 2.
struct Fatal(String);

/// Runs the subcommand; returns the process exit code.
pub(crate) fn run(args: RequestArgs) -> i32 {
    match run_inner(args) {
        Ok(code) => code,
        Err(Fatal(msg)) => {
            eprintln!("ekyc-preflight request: {msg}");
            2
        }
    }
}

/// The Base64 of an image after the `prepare` pipeline.
fn prepared_base64(path: &Path, role: ekyc_preflight::Role) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let prepared = ekyc_preflight::Preprocessor::default()
        .with_base64(true)
        .with_check(ekyc_preflight::CheckOptions {
            role,
            ..ekyc_preflight::CheckOptions::default()
        })
        .prepare(&bytes)
        .map_err(|e| crate::common::refusal(path, &e))?;
    Ok(prepared.to_base64())
}

fn load_params(path: &Path) -> Result<Vec<(String, String)>, Fatal> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Fatal(format!("--params {}: {e}", path.display())))?;
    let value: Value = serde_json::from_str(&text)
        .map_err(|e| Fatal(format!("--params {}: not JSON: {e}", path.display())))?;
    let Value::Object(map) = value else {
        return Err(Fatal(format!(
            "--params {}: expected a JSON object of parameter names to strings",
            path.display()
        )));
    };
    map.into_iter()
        .map(|(k, v)| match v {
            Value::String(s) => Ok((k, s)),
            other => Err(Fatal(format!(
                "--params {}: {k} must be a string, got {other}",
                path.display()
            ))),
        })
        .collect()
}

fn set(params: &mut Vec<(String, String)>, name: &str, value: String) {
    params.retain(|(k, _)| k != name);
    params.push((name.to_string(), value));
}

fn build_call(args: &RequestArgs) -> Result<OpenApiCall, Fatal> {
    let mut params = match &args.p.params {
        Some(path) => load_params(path)?,
        None => Vec::new(),
    };
    if !params.iter().any(|(k, _)| k == "ProductCode") && args.p.params.is_none() {
        set(
            &mut params,
            "ProductCode",
            ekyc_preflight::api::PRODUCT_CODE.into(),
        );
    }
    let user_id = args.p.merchant_user_id.as_ref().map(|u| {
        if args.p.hash_user_id {
            hash_user_id(u)
        } else {
            u.clone()
        }
    });
    let mut id_b64 = None;
    if let Some(p) = &args.p.id_image {
        id_b64 = Some(prepared_base64(p, ekyc_preflight::Role::Id).map_err(Fatal)?);
    }
    let mut face_b64 = None;
    if let Some(p) = &args.p.face_image {
        face_b64 = Some(prepared_base64(p, ekyc_preflight::Role::Face).map_err(Fatal)?);
    }
    for (name, value) in [
        ("SceneCode", args.p.scene_code.clone()),
        ("MerchantBizId", args.p.merchant_biz_id.clone()),
        ("MerchantUserId", user_id),
        ("DocType", args.p.doc_type.clone()),
        ("DocName", args.p.doc_name.clone()),
        ("DocNo", args.p.doc_no.clone()),
        ("IdOcrPictureBase64", id_b64),
        ("IdOcrPictureUrl", args.p.id_url.clone()),
        ("FacePictureBase64", face_b64),
        ("FacePictureUrl", args.p.face_url.clone()),
        ("Crop", args.p.crop.clone()),
        ("Authorize", args.p.authorize.clone()),
        ("IdThreshold", args.p.id_threshold.clone()),
        ("FaceQualityCheck", args.p.face_quality_check.clone()),
        ("IdSpoof", args.p.id_spoof.clone()),
    ] {
        if let Some(v) = value {
            set(&mut params, name, v);
        }
    }
    if args.no_validate {
        return Ok(ekyc_verify_call(params));
    }
    // Base64 given directly (in --params) is decoded and judged by `check`
    // as an image file would be; images from --id-image/--face-image were
    // judged by `prepare` and are judged again here (the same verdict).
    let mut builder = ekyc_preflight::api::EkycVerifyRequestBuilder::default()
        .check_pictures(!args.no_check_images);
    for (k, v) in params {
        builder = builder.param(&k, v).map_err(|e| Fatal(e.to_string()))?;
    }
    builder
        .build()
        .map(|r| r.to_call())
        .map_err(|e| Fatal(e.to_string()))
}

/// The signer, with credentials from the default chain, and the chain's
/// name for their source.
fn signer(args: &RequestArgs) -> Result<(Signer, String), Fatal> {
    let chain = CredentialChain::new(Environment::from_process());
    let resolved = chain.resolve().map_err(|e| {
        Fatal(format!(
            "{e} (sources tried in order: {}; see --help)",
            chain.sources().join(", ")
        ))
    })?;
    let mut signer = Signer::new(resolved.credentials);
    if let Some(d) = &args.date {
        let t = parse_acs_date(d)
            .ok_or_else(|| Fatal(format!("--date {d:?}: expected YYYY-MM-DDTHH:MM:SSZ")))?;
        signer = signer.with_clock(move || t);
    }
    if let Some(n) = &args.nonce {
        let n = n.clone();
        signer = signer.with_nonce_source(move || n.clone());
    }
    if let Some(ua) = &args.user_agent {
        signer = signer.with_user_agent(ua.clone());
    }
    Ok((signer, resolved.source))
}

fn endpoint(spec: &str) -> Result<Endpoint, Fatal> {
    match spec {
        "public" => Ok(Endpoint::public()),
        "vpc" => Ok(Endpoint::vpc()),
        url => Endpoint::custom(url).map_err(|e| Fatal(format!("--endpoint: {e}"))),
    }
}

fn print_json(v: &Value) {
    match serde_json::to_string_pretty(v) {
        Ok(s) => crate::common::say(&s),
        Err(e) => eprintln!("ekyc-preflight request: {e}"),
    }
}

fn run_inner(args: RequestArgs) -> Result<i32, Fatal> {
    let call = build_call(&args)?;
    let endpoint = endpoint(&args.endpoint)?;
    let (signer, source) = signer(&args)?;
    // A header or URL that cannot be sent (a control character in
    // --user-agent or --nonce) is refused here, for --dry-run too.
    let probe = signer.sign(&call, &endpoint);
    if let Err(e) = probe.to_http() {
        return Err(Fatal(format!(
            "the request cannot be sent as built ({e}): check --user-agent and --nonce for control characters"
        )));
    }
    if args.dry_run {
        let signed = probe;
        print_json(&json!({
            "method": signed.method,
            "url": signed.url,
            "headers": signed.headers.iter().map(|(k, v)| [k, v]).collect::<Vec<_>>(),
            "body": String::from_utf8_lossy(&signed.body),
            "canonical_request": signed.parts.canonical_request,
            "string_to_sign": signed.parts.string_to_sign,
            "authorization": signed.parts.authorization,
            "credentials_source": source,
        }));
        return Ok(0);
    }
    send(signer, endpoint, &call, &args, &source)
}

#[cfg(not(feature = "client"))]
fn send(
    _signer: Signer,
    _endpoint: Endpoint,
    _call: &OpenApiCall,
    _args: &RequestArgs,
    _source: &str,
) -> Result<i32, Fatal> {
    Err(Fatal(
        "this build cannot send (built without feature `client`); use --dry-run".into(),
    ))
}

/// The exit status of each outcome (see `--help`).
#[cfg(feature = "client")]
mod exit {
    pub(super) const PASSED: i32 = 0;
    pub(super) const NOT_PASSED: i32 = 1;
    pub(super) const SERVICE_ERROR: i32 = 3;
    pub(super) const NO_ANSWER: i32 = 4;
    pub(super) const NOT_SENT: i32 = 5;
}

#[cfg(feature = "client")]
fn send(
    signer: Signer,
    endpoint: Endpoint,
    call: &OpenApiCall,
    args: &RequestArgs,
    source: &str,
) -> Result<i32, Fatal> {
    use ekyc_preflight::api::{Client, ClientConfig, Failure};
    let config = ClientConfig {
        timeout: args.timeout,
        billable_retries: args.retries,
        ..ClientConfig::default()
    };
    match Client::with_config(signer, endpoint, config).verify_call(call) {
        Ok(answer) => {
            let resp = &answer.response;
            let result = resp.result.as_ref().map(|r| {
                json!({
                    "passed": r.passed,
                    "sub_code": r.sub_code.as_ref().map(|c| c.code()),
                    "sub_code_meaning": r.sub_code.as_ref().map(|c| c.meaning()),
                    "billed": r.sub_code.as_ref().and_then(|c| c.billed()),
                    "transaction_id": r.transaction_id,
                    "ext_face_info": r.ext_face_info.as_ref().map(|f| json!({
                        "face_passed": f.face_passed,
                        "face_comparison_score": f.face_comparison_score,
                        "face_attack": f.face_attack,
                        "authority_comparison_score": f.authority_comparison_score,
                    })),
                    "ext_id_info": r.ext_id_info.as_ref().map(|i| json!({
                        "id_passed": i.id_passed,
                        "ocr_id_info": i.ocr_id_info,
                        "spoof_result": i.spoof_info.as_ref().and_then(|s| s.spoof_result),
                        "spoof_type": i.spoof_info.as_ref().map(|s| s.spoof_type.clone()),
                    })),
                })
            });
            let (outcome, code) = match &resp.result {
                None => ("no_verdict", exit::NO_ANSWER),
                Some(r) if r.passed => ("passed", exit::PASSED),
                Some(_) => ("not_passed", exit::NOT_PASSED),
            };
            print_json(&json!({
                "outcome": outcome,
                "attempts": answer.attempts,
                "status": resp.status,
                "request_id": resp.request_id,
                "code": resp.code,
                "message": resp.message,
                "passed": resp.passed(),
                "result": result,
                "credentials_source": source,
            }));
            if resp.result.is_none() {
                eprintln!(
                    "ekyc-preflight request: EkycVerify answered HTTP {} without a Result, so there \
                     is no verdict; the call was probably processed and billed (request id {})",
                    resp.status,
                    if resp.request_id.is_empty() { "none" } else { &resp.request_id }
                );
            }
            Ok(code)
        }
        Err(e) => {
            let failure = e.failure();
            let (outcome, code) = match failure {
                Failure::NotSent { .. } => ("not_sent", exit::NOT_SENT),
                Failure::NoAnswer { .. } => ("no_answer", exit::NO_ANSWER),
                Failure::Unreadable { .. } => ("unreadable_answer", exit::NO_ANSWER),
                Failure::Api(_) => ("service_error", exit::SERVICE_ERROR),
                Failure::Credentials { .. } => ("no_credentials", 2),
                _ => ("no_answer", exit::NO_ANSWER),
            };
            let api = e.api_error();
            let status = match failure {
                Failure::Api(a) => Some(a.status),
                Failure::Unreadable { status, .. } => Some(*status),
                _ => None,
            };
            print_json(&json!({
                "outcome": outcome,
                "attempts": e.attempts(),
                "status": status,
                "code": api.map(|a| a.code.as_str()),
                "message": api.map(|a| a.message.as_str()),
                "request_id": api.and_then(|a| a.request_id.as_deref()),
                "retryable": api.map(|a| a.retryable()),
                "timed_out": e.timed_out(),
                "may_have_been_billed": failure.may_have_been_processed(),
                "error": e.to_string(),
                "credentials_source": source,
            }));
            eprintln!("ekyc-preflight request: {e}");
            Ok(code)
        }
    }
}
