//! The face: found by `check` in real photos (`testdata/faces/`, public domain) and in
//! pictures made from them (quarter turns, a landscape frame, two faces, a face cut by the
//! border, a document with a small portrait), the face rules each fires, and the geometry
//! `prepare` makes of them, its output read back by an independent decoder
//! (`jpeg-decoder`) and compared with the input turned and cropped as the report says.

use crate::common;

use common::*;
use ekyc_preflight::{
    check_with, ApiCode, CheckOptions, Checker, Crop, Preprocessor, Role, Rule, Severity, Spec,
    Turn, Turned, TurnedBy, Verdict,
};
use image::imageops::{self, FilterType};
use image::RgbImage;

fn photo(name: &str) -> RgbImage {
    let path = format!("{}/testdata/faces/{name}", env!("CARGO_MANIFEST_DIR"));
    image::open(path).unwrap().to_rgb8()
}

/// The astronaut (512 × 512) enlarged so that the pictures made of it are within the
/// document's sizes.
fn astronaut(side: u32) -> RgbImage {
    imageops::resize(&photo("astronaut.jpg"), side, side, FilterType::Triangle)
}

/// Grace Hopper (512 × 600) enlarged to 768 × 900: a portrait that is compliant as it is.
fn hopper() -> RgbImage {
    imageops::resize(&photo("grace_hopper.jpg"), 768, 900, FilterType::Triangle)
}

fn check(img: &RgbImage) -> ekyc_preflight::Report {
    check_with(
        &png(img.clone()),
        &Spec::default(),
        &CheckOptions::default(),
    )
}

fn finding(report: &ekyc_preflight::Report, rule: Rule) -> Option<&ekyc_preflight::Finding> {
    report.findings.iter().find(|f| f.rule == rule)
}

#[test]
fn the_face_of_each_photo_is_found_with_its_landmarks() {
    for img in [hopper(), astronaut(800)] {
        let report = check(&img);
        assert_eq!(report.faces.len(), 1, "{:?}", report.faces);
        let face = report.faces[0];
        assert!(face.score > 0.75, "{face:?}");
        let l = face.landmarks;
        let inside = |[x, y]: [f32; 2]| {
            (face.x..face.x + face.width).contains(&x)
                && (face.y..face.y + face.height).contains(&y)
        };
        assert!(inside(l.right_eye) && inside(l.left_eye) && inside(l.nose) && inside(l.mouth));
        // The subject's right eye is on the picture's left; eyes above nose above mouth.
        assert!(l.right_eye[0] < l.left_eye[0], "{face:?}");
        assert!(
            l.left_eye[1] < l.nose[1] && l.nose[1] < l.mouth[1],
            "{face:?}"
        );
        assert!(face.roll.abs() < 15.0, "{face:?}");
        assert_eq!(face.quarter_turns(), 0);
        for rule in [
            Rule::Face,
            Rule::Faces,
            Rule::FaceComplete,
            Rule::FaceUpright,
        ] {
            assert!(!report.has(rule), "{rule}: {:?}", report.findings);
        }
    }
    // Hopper's face is a small share of her portrait: the document's 60% advice.
    let report = check(&hopper());
    let area = finding(&report, Rule::FaceArea).expect("face_area advice");
    assert_eq!(area.severity, Severity::Advice);
}

#[test]
fn a_picture_without_a_face_is_rejected_as_no_face_detected() {
    let report = check(&photo_rgb(720, 960));
    assert!(report.faces.is_empty());
    let f = finding(&report, Rule::Face).expect("face rule");
    assert_eq!(f.severity, Severity::Reject);
    assert_eq!(f.api_code, Some(ApiCode::NoFaceDetected));
    assert_eq!(report.verdict, Verdict::Reject);
    // Off when asked: no face rules at all.
    let off = CheckOptions {
        detect_faces: false,
        ..CheckOptions::default()
    };
    let report = check_with(&png(photo_rgb(720, 960)), &Spec::default(), &off);
    assert!(!report.has(Rule::Face));
}

#[test]
fn a_sideways_or_upside_down_face_is_found_and_its_turn_known() {
    let upright = hopper();
    let mut turned = upright.clone();
    // Turned clockwise r times, the face needs 4 − r clockwise turns to stand up.
    for r in 1..4u8 {
        turned = imageops::rotate90(&turned);
        let report = check(&turned);
        assert_eq!(report.faces.len(), 1, "turned {r}: {:?}", report.faces);
        let face = report.faces[0];
        assert_eq!(face.quarter_turns(), (4 - r) % 4, "turned {r}: {face:?}");
        let f = finding(&report, Rule::FaceUpright).expect("face_upright");
        assert_eq!(f.severity, Severity::WillFix, "turned {r}");
        // With the aspect turn only, a face the clockwise turn does not fix is a reject.
        let clockwise = Spec {
            turn: Turn::Clockwise,
            ..Spec::default()
        };
        let report = check_with(&png(turned.clone()), &clockwise, &CheckOptions::default());
        let f = finding(&report, Rule::FaceUpright).expect("face_upright");
        let fixed_by_aspect = r == 3 && turned.width() > turned.height();
        assert_eq!(
            f.severity,
            if fixed_by_aspect {
                Severity::WillFix
            } else {
                Severity::Reject
            },
            "turned {r} with Turn::Clockwise"
        );
    }
}

#[test]
fn two_faces_draw_the_advice_and_the_largest_comes_first() {
    let mut canvas = RgbImage::from_pixel(960, 1100, image::Rgb([200, 200, 200]));
    imageops::overlay(
        &mut canvas,
        &imageops::crop_imm(&hopper(), 134, 120, 500, 560).to_image(),
        0,
        0,
    );
    // A head-and-shoulders crop of the astronaut, a little smaller than Hopper's.
    let head = imageops::crop_imm(&astronaut(1400), 360, 120, 500, 560).to_image();
    let small = imageops::resize(&head, 440, 493, FilterType::Triangle);
    imageops::overlay(&mut canvas, &small, 500, 560);
    let report = check(&canvas);
    assert_eq!(report.faces.len(), 2, "{:?}", report.faces);
    assert!(report.faces[0].area() > report.faces[1].area());
    assert!(
        report.faces[0].x < 450.0,
        "Hopper's is the larger: {:?}",
        report.faces
    );
    assert_eq!(
        finding(&report, Rule::Faces).map(|f| f.severity),
        Some(Severity::Advice)
    );
}

#[test]
fn a_face_cut_by_the_border_is_rejected() {
    let whole = hopper();
    let face = check(&whole).faces[0];
    // Keep the picture from the middle of the face down and to its right.
    let (x, y) = (
        (face.x + face.width * 0.5) as u32,
        (face.y + face.height * 0.6) as u32,
    );
    let cut = imageops::crop_imm(
        &whole,
        x.min(287),
        y,
        whole.width() - x.min(287),
        whole.height() - y,
    )
    .to_image();
    let big = imageops::resize(
        &cut,
        cut.width() * 2,
        cut.height() * 2,
        FilterType::Triangle,
    );
    let report = check(&big);
    let rejected = report.has(Rule::Face)
        || finding(&report, Rule::FaceComplete).map(|f| f.severity) == Some(Severity::Reject);
    assert!(
        rejected,
        "a face half outside must be rejected: {:?} {:?}",
        report.faces, report.findings
    );
}

#[test]
fn a_document_portrait_is_found_with_the_id_role_and_not_asked_to_fill_the_picture() {
    let mut card = RgbImage::from_pixel(1000, 1400, image::Rgb([225, 228, 235]));
    let portrait = imageops::crop_imm(&astronaut(512), 150, 40, 200, 250).to_image();
    imageops::overlay(&mut card, &portrait, 80, 300);
    let id = CheckOptions {
        role: Role::Id,
        ..CheckOptions::default()
    };
    let report = check_with(&png(card), &Spec::default(), &id);
    assert_eq!(report.faces.len(), 1, "{:?}", report.faces);
    let face = report.faces[0];
    assert!(
        (80.0..280.0).contains(&(face.x + face.width / 2.0)),
        "{face:?}"
    );
    assert!(!report.has(Rule::FaceArea) && !report.has(Rule::Face));
}

/// PSNR of an output (decoded by `jpeg-decoder`) against a reference picture resized to
/// its size.
fn psnr_against(jpeg: &[u8], reference: &RgbImage) -> f64 {
    let out = decode_jpeg(jpeg);
    let reference = imageops::resize(reference, out.width, out.height, FilterType::Lanczos3);
    psnr(&out.rgb, reference.as_raw())
}

#[test]
fn an_upright_person_in_a_landscape_photo_is_cropped_to_portrait_not_laid_on_their_side() {
    let mut landscape = RgbImage::from_pixel(1600, 999, image::Rgb([90, 120, 160]));
    imageops::overlay(&mut landscape, &astronaut(999), 300, 0);
    let prepared = Preprocessor::default()
        .prepare(&png(landscape.clone()))
        .unwrap();
    let r = prepared.report();
    assert_eq!(r.turned, None, "{r:?}");
    let crop = r.crop.expect("a portrait window");
    assert!(crop.height > crop.width && crop.height == 999, "{crop:?}");
    assert_compliant(prepared.jpeg(), &Spec::default());
    // The output is that window, upright (an independent decoder's view of it).
    let window = imageops::crop_imm(&landscape, crop.x, crop.y, crop.width, crop.height).to_image();
    let db = psnr_against(prepared.jpeg(), &window);
    assert!(db > 30.0, "{db:.1} dB against the window");
    // And the face in it is upright and whole.
    let out = check_with(prepared.jpeg(), &Spec::default(), &CheckOptions::default());
    assert_eq!(out.faces.len(), 1);
    assert_eq!(out.faces[0].quarter_turns(), 0, "{:?}", out.faces);
    assert!(!out.has(Rule::FaceComplete) && !out.has(Rule::FaceUpright));
    // The report's own check saw the same face where the output has it.
    let theirs = r.check.faces[0];
    assert!(
        (theirs.x - out.faces[0].x).abs() < 12.0,
        "{theirs:?} {:?}",
        out.faces[0]
    );
    // The aspect turn alone lays the person on their side.
    let by_aspect = Preprocessor::new(Spec {
        turn: Turn::Clockwise,
        ..Spec::default()
    })
    .prepare(&png(landscape))
    .unwrap();
    let out = check_with(by_aspect.jpeg(), &Spec::default(), &CheckOptions::default());
    assert_eq!(by_aspect.report().turned, Some(Turned::Clockwise));
    assert_ne!(out.faces[0].quarter_turns(), 0, "{:?}", out.faces);
}

/// Grace Hopper 220 pixels high in a 1600 × 1000 grey frame, her face about 95 pixels
/// wide: a person standing in a landscape photo, too small for the short-range network
/// to see at all.
fn small_in_a_landscape_frame() -> RgbImage {
    let mut frame = RgbImage::from_pixel(1600, 1000, image::Rgb([128, 128, 128]));
    let person = imageops::resize(&photo("grace_hopper.jpg"), 188, 220, FilterType::Lanczos3);
    imageops::overlay(&mut frame, &person, 480 - 94, 400 - 110);
    frame
}

#[test]
fn a_small_upright_face_in_a_landscape_photo_is_found_and_kept_upright() {
    let landscape = small_in_a_landscape_frame();
    let r = check(&landscape);
    assert_eq!(r.faces.len(), 1, "{r:?}");
    let face = r.faces[0];
    assert_eq!(face.quarter_turns(), 0, "{face:?}");
    assert!(
        (386.0..574.0).contains(&(face.x + face.width / 2.0)),
        "{face:?}"
    );
    assert!(!r.has(Rule::Face), "{:?}", r.findings);
    // `prepare` crops a portrait window around her rather than laying her on her side.
    let prepared = Preprocessor::default().prepare(&png(landscape)).unwrap();
    let report = prepared.report();
    assert_eq!(report.turned, None, "{report:?}");
    let crop = report.crop.expect("a portrait window");
    assert!(crop.height > crop.width, "{crop:?}");
    assert!(crop.x <= 386 && crop.x + crop.width >= 574, "{crop:?}");
    let out = check_with(prepared.jpeg(), &Spec::default(), &CheckOptions::default());
    assert_eq!(out.faces.len(), 1, "{:?}", out.findings);
    assert_eq!(out.faces[0].quarter_turns(), 0, "{:?}", out.faces);
    // Taken sideways (no EXIF), the same picture is found on its side and turned upright.
    let sideways = imageops::rotate90(&small_in_a_landscape_frame());
    let prepared = Preprocessor::default().prepare(&png(sideways)).unwrap();
    assert_eq!(prepared.report().turned_by, Some(TurnedBy::Face));
    let out = check_with(prepared.jpeg(), &Spec::default(), &CheckOptions::default());
    assert_eq!(out.faces.len(), 1, "{:?}", out.findings);
    assert_eq!(out.faces[0].quarter_turns(), 0, "{:?}", out.faces);
}

#[test]
fn a_checker_reused_across_pictures_finds_what_a_fresh_one_finds() {
    // The full-range network's windows run in the whole network's buffers, which still
    // hold the last pass's activations: a `Checker` kept for many pictures, as a service
    // keeps one, must give each the report a fresh one gives. The README's sample draws a
    // window (a hint in a quarter turn), the small faces whole passes.
    let sample = std::fs::read(format!(
        "{}/testdata/phone-orientation6.jpg",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let pictures = [
        sample,
        png(small_in_a_landscape_frame()),
        png(imageops::rotate90(&small_in_a_landscape_frame())),
        png(hopper()),
    ];
    let fresh: Vec<String> = pictures
        .iter()
        .map(|p| {
            format!(
                "{:?}",
                check_with(p, &Spec::default(), &CheckOptions::default())
            )
        })
        .collect();
    let mut kept = Checker::new(Spec::default(), CheckOptions::default());
    for order in [[0, 1, 2, 3], [3, 2, 1, 0]] {
        for i in order {
            let report = format!("{:?}", kept.check(&pictures[i]));
            assert_eq!(report, fresh[i], "picture {i}, order {order:?}");
        }
    }
    assert!(fresh[1].contains("faces: [Face"), "{}", fresh[1]);
}

#[test]
fn a_photo_taken_sideways_without_exif_comes_out_upright() {
    let upright = hopper();
    let sideways = imageops::rotate270(&upright);
    let prepared = Preprocessor::default().prepare(&png(sideways)).unwrap();
    let r = prepared.report();
    assert_eq!(r.turned, Some(Turned::Clockwise));
    assert_eq!(r.turned_by, Some(TurnedBy::Face));
    let db = psnr_against(prepared.jpeg(), &upright);
    assert!(db > 30.0, "{db:.1} dB against the upright photo");
    // Upside down: a half turn.
    let prepared = Preprocessor::default()
        .prepare(&png(imageops::rotate180(&upright)))
        .unwrap();
    assert_eq!(prepared.report().turned, Some(Turned::HalfTurn));
    assert!(psnr_against(prepared.jpeg(), &upright) > 30.0);
}

#[test]
fn crop_face_makes_the_face_a_larger_share_of_the_picture() {
    let whole = Preprocessor::default().prepare(&png(hopper())).unwrap();
    let face_share = |r: &ekyc_preflight::PrepareReport| {
        let f = r.check.faces[0];
        f.area() / (r.resized_to.width * r.resized_to.height) as f32
    };
    let cropped = Preprocessor::new(Spec {
        crop: Crop::Face,
        ..Spec::default()
    })
    .prepare(&png(hopper()))
    .unwrap();
    let (before, after) = (face_share(whole.report()), face_share(cropped.report()));
    assert!(after > before * 1.5, "{before:.2} → {after:.2}");
    let crop = cropped.report().crop.expect("cropped");
    assert!(crop.height > crop.width);
    assert_compliant(cropped.jpeg(), &Spec::default());
    let out = check_with(cropped.jpeg(), &Spec::default(), &CheckOptions::default());
    assert!(!out.has(Rule::FaceComplete), "{:?}", out.findings);
}

/// A small part of the labelled set (`tools/calibration/`), made here: the verdicts the
/// calibrated face thresholds give.
#[test]
fn damage_to_the_face_is_judged_on_the_face() {
    let quality = [Rule::Blur, Rule::Exposure, Rule::Contrast];
    let judged = |img: &RgbImage| {
        let report = check(img);
        assert_eq!(report.faces.len(), 1, "{:?}", report.findings);
        assert!(report.face_metrics.is_some());
        quality
            .iter()
            .copied()
            .filter(|&rule| report.has(rule))
            .collect::<Vec<_>>()
    };
    let noisy = |img: &RgbImage, seed: u32| {
        let mut state = seed;
        let mut out = img.clone();
        for p in out.pixels_mut() {
            for c in 0..3 {
                // Sum of four uniforms: roughly Gaussian, σ about 10.
                let mut sum = 0i32;
                for _ in 0..4 {
                    state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    sum += (state >> 24) as i32 - 128;
                }
                p[c] = (i32::from(p[c]) + sum * 10 / 148).clamp(0, 255) as u8;
            }
        }
        out
    };
    for img in [hopper(), astronaut(800)] {
        assert_eq!(judged(&img), [], "as taken");
        assert_eq!(judged(&noisy(&img, 7)), [], "with noise only");
        assert_eq!(judged(&imageops::blur(&img, 5.0)), [Rule::Blur], "blurred");
        assert_eq!(
            judged(&noisy(&imageops::blur(&img, 4.0), 7)),
            [Rule::Blur],
            "blurred under noise"
        );
        let dark = RgbImage::from_fn(img.width(), img.height(), |x, y| {
            image::Rgb(img.get_pixel(x, y).0.map(|v| v / 4))
        });
        assert_eq!(judged(&dark), [Rule::Exposure], "a quarter of the light");
    }
}
