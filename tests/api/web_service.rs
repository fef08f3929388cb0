//! The README's "In a web service" example (`examples/web_service.rs`), run as a module:
//! its pool answers a photo with a JPEG an independent decoder reads as portrait, and
//! each refusal with the status and JSON body the README's table gives.

#[path = "../../examples/web_service.rs"]
#[allow(dead_code, clippy::module_inception)]
mod web_service;

use ekyc_preflight::{Limits, Spec};
use web_service::Pool;

fn photo() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/phone-orientation6.jpg"
    ))
    .expect("testdata/phone-orientation6.jpg is part of the package")
}

#[test]
fn pool_answers_photos_and_refusals_concurrently() {
    let pool = Pool::new(2, 8, Spec::default());
    let photo = photo();
    let uploads: Vec<(Vec<u8>, u16)> = vec![
        (photo.clone(), 200),
        (b"not a photo".to_vec(), 415),
        (photo[..photo.len() / 3].to_vec(), 422),
        (photo, 200),
    ];
    let responses: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = uploads
            .iter()
            .map(|(data, _)| {
                let pool = &pool;
                let data = data.clone();
                scope.spawn(move || pool.handle(data))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for ((_, expected), response) in uploads.iter().zip(&responses) {
        assert_eq!(response.status, *expected, "{response:?}");
        if response.status == 200 {
            assert_eq!(response.content_type, "image/jpeg");
            let image =
                image::load_from_memory_with_format(&response.body, image::ImageFormat::Jpeg)
                    .expect("the body is a JPEG");
            assert!(
                image.height() > image.width(),
                "the sideways photo comes out portrait"
            );
        } else {
            let body: serde_json::Value =
                serde_json::from_slice(&response.body).expect("JSON body");
            assert_eq!(body["http_status"], u64::from(response.status), "{body}");
            assert!(
                body["rule"].is_string() && body["message"].is_string(),
                "{body}"
            );
        }
    }
}

#[test]
fn a_preprocessor_can_move_to_a_worker_thread() {
    fn send<T: Send>() {}
    send::<ekyc_preflight::Preprocessor>();
}

#[test]
fn pool_refuses_oversized_upload_before_queueing() {
    let limits = Limits {
        max_input_bytes: 1000,
        ..Limits::default()
    };
    let pool = Pool::new(
        1,
        1,
        Spec {
            limits,
            ..Spec::default()
        },
    );
    let response = pool.handle(photo());
    assert_eq!(response.status, 413);
}

/// A trimmed preprocessor (its kept buffers given back) still prepares, and its output
/// is the one it made before, as an independent decoder reads it.
#[test]
fn a_trimmed_preprocessor_prepares_the_same_output() {
    let mut pre = ekyc_preflight::Preprocessor::default();
    let photo = photo();
    let before = pre.prepare(&photo).expect("the test photo prepares");
    pre.trim();
    let after = pre.prepare(&photo).expect("it still prepares after trim");
    assert_eq!(before.jpeg(), after.jpeg());
    let image = image::load_from_memory_with_format(after.jpeg(), image::ImageFormat::Jpeg)
        .expect("a JPEG");
    assert!(image.height() > image.width());
    assert!(pre.prepare(b"not a photo").is_err());
}

/// `prepare_reader` reads no more than the limit and one byte: an endless stream is
/// refused as too large; `prepare_path` reads a file as `prepare` reads its bytes.
#[test]
fn reader_and_path_inputs_are_bounded_and_prepare_as_bytes_do() {
    use ekyc_preflight::{Error, Preprocessor, ReadError};
    let limits = Limits {
        max_input_bytes: 4096,
        ..Limits::default()
    };
    let mut tight = Preprocessor::new(Spec {
        limits,
        ..Spec::default()
    });
    match tight.prepare_reader(std::io::repeat(0)) {
        Err(ReadError::Prepare(Error::InputTooLarge {
            bytes: 4097,
            limit: 4096,
        })) => {}
        other => panic!("{other:?}"),
    }
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/phone-orientation6.jpg"
    );
    assert!(matches!(
        tight.prepare_path(path),
        Err(ReadError::Prepare(Error::InputTooLarge { .. }))
    ));
    let mut pre = Preprocessor::default();
    let from_bytes = pre.prepare(&photo()).unwrap();
    let from_path = pre.prepare_path(path).unwrap();
    let from_reader = pre.prepare_reader(&photo()[..]).unwrap();
    assert_eq!(from_bytes.jpeg(), from_path.jpeg());
    assert_eq!(from_bytes.jpeg(), from_reader.jpeg());
    assert!(matches!(
        pre.prepare_path("/no/such/file.jpg"),
        Err(ReadError::Io(_))
    ));
}
