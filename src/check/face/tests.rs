use super::*;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const MODELS: [Model; 2] = [Model::ShortRange, Model::FullRange];

fn photo(name: &str) -> image::RgbImage {
    image::open(format!("{ROOT}/testdata/faces/{name}"))
        .expect("test photo")
        .to_rgb8()
}

fn detect(img: &image::RgbImage, model: Model, min_score: f32) -> Vec<Detection> {
    Detector::new().detect(img.as_raw(), img.width(), img.height(), model, min_score)
}

/// The LCG `tools/blazeface/oracle.py` fills its noise input with.
fn noise(n: usize) -> Vec<f32> {
    let mut s: u32 = 12345;
    (0..n)
        .map(|_| {
            s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (s >> 8) as f32 / (1u32 << 23) as f32 - 1.0
        })
        .collect()
}

#[test]
fn embedded_models_parse() {
    // `net` returns None only if a model fails to parse: this proves it does not.
    for model in MODELS {
        let n = net(model).expect("model parses");
        assert_eq!(n.size, if model == Model::ShortRange { 128 } else { 256 });
    }
}

#[test]
fn corrupt_models_are_rejected() {
    let bytes: &[u8] = include_bytes!("models/blazeface_short.bin");
    assert!(Net::parse(&bytes[..bytes.len() - 4]).is_none());
    assert!(Net::parse(&bytes[4..]).is_none());
    for at in [8, 16, 40, 100, 1000] {
        let mut b = bytes.to_vec();
        b[at] ^= 0x40;
        // A flipped bit in a header/op word must not make it through unnoticed, and never panics.
        let _ = Net::parse(&b);
    }
}

/// `net`'s raw outputs for the NHWC `input` against onnxruntime's in
/// `tests/fixtures/blazeface/{fixture}.f32` (`anchors` score logits, then their
/// regressors): logits within 1e-3, regressors within 2e-3. Returns the logits.
fn assert_like_onnxruntime(net: &Net, input: &[f32], fixture: &str, anchors: usize) -> Vec<f32> {
    let bytes = std::fs::read(format!("{ROOT}/tests/fixtures/blazeface/{fixture}.f32")).unwrap();
    let want: Vec<f32> = bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    let (boxes, scores) = net.raw_outputs(&mut Scratch::default(), input);
    assert_eq!(scores.len(), anchors, "{fixture}");
    assert_eq!(boxes.len(), anchors * COORDS, "{fixture}");
    let diff = |a: &[f32], b: &[f32]| {
        a.iter()
            .zip(b)
            .map(|(x, y)| (x - y).abs())
            .fold(0f32, f32::max)
    };
    let ds = diff(&scores, &want[..anchors]);
    let db = diff(&boxes, &want[anchors..]);
    eprintln!("{fixture}: max |Δ| score logits {ds:.2e}, regressors {db:.2e}");
    assert!(ds < 1e-3, "{fixture}: score logits differ by {ds}");
    assert!(db < 2e-3, "{fixture}: regressors differ by {db}");
    scores
}

/// `testdata/faces/astronaut.jpg` box-averaged to 128 × 128 (the fixture `oracle.py`
/// writes), each pixel repeated `up` × `up` times, as the network's NHWC input.
fn astronaut_input(up: usize) -> Vec<f32> {
    let face = std::fs::read(format!("{ROOT}/tests/fixtures/blazeface/astronaut128.rgb")).unwrap();
    let size = 128 * up;
    let mut input = Vec::with_capacity(size * size * 3);
    for y in 0..size {
        for x in 0..size {
            let i = ((y / up) * 128 + x / up) * 3;
            input.extend(face[i..i + 3].iter().map(|&v| f32::from(v) / 127.5 - 1.0));
        }
    }
    input
}

#[test]
fn agrees_with_onnxruntime() {
    let mut detector = Detector::new();
    for (model, name, size) in [
        (Model::ShortRange, "short", 128),
        (Model::FullRange, "full", 256),
    ] {
        let net = net(model).expect("model parses");
        let input = astronaut_input(size / 128);
        for (tag, input) in [("face", input), ("noise", noise(size * size * 3))] {
            let scores = assert_like_onnxruntime(net, &input, &format!("{name}_{tag}"), ANCHORS);
            // The detector's own buffers give the same outputs.
            assert_eq!(
                detector.raw_outputs(&input, model).1,
                scores,
                "{name} {tag}"
            );
        }
    }
}

#[test]
fn the_window_network_agrees_with_onnxruntime() {
    // The full-range network on a 128 × 128 window (`Net::halved`) against onnxruntime
    // running the ONNX graph with its input and its written shapes halved
    // (`tools/blazeface/oracle.py`): the astronaut box-averaged to 128 × 128, and noise.
    let window = window_net().expect("the full-range network halves");
    assert_eq!(window.size, 128);
    assert_eq!(window.layers(), [(8, 2), (4, 6)]);
    let anchors = 8 * 8 * 2 + 4 * 4 * 6;
    let scores = assert_like_onnxruntime(window, &astronaut_input(1), "window_face", anchors);
    let best = scores.iter().copied().fold(f32::MIN, f32::max);
    assert!(
        sigmoid(best) > 0.75,
        "the astronaut scores {}",
        sigmoid(best)
    );
    assert_like_onnxruntime(window, &noise(3 * 128 * 128), "window_noise", anchors);
}

#[test]
fn fused_layers_give_the_same_bits_as_one_layer_at_a_time() {
    // Every depthwise layer of both networks is fused with its pointwise layer (and the
    // residual add after it where there is one), and the fused pass sums in the same
    // order: its outputs are the unfused pass's to the bit.
    for (model, pairs) in [(Model::ShortRange, 16), (Model::FullRange, 32)] {
        let fused = net(model).expect("model parses");
        let unfused = fused.unfused();
        assert_eq!(fused.fused_steps().0, pairs, "{model:?}");
        assert!(fused.fused_steps().1 >= pairs - 1, "{model:?}");
        let input = noise(3 * fused.size * fused.size);
        let outputs = |n: &Net| {
            let mut scratch = Scratch::default();
            n.input(&mut scratch).copy_from_slice(&input);
            let (mut scores, mut boxes) = (Vec::new(), Vec::new());
            n.run(&mut scratch, &mut scores, &mut boxes);
            scores
                .iter()
                .chain(&boxes)
                .map(|v| v.to_bits())
                .collect::<Vec<u32>>()
        };
        let (a, b) = (outputs(fused), outputs(&unfused));
        assert_eq!(a.len(), ANCHORS * (1 + COORDS));
        let differ = a.iter().zip(&b).filter(|(x, y)| x != y).count();
        assert_eq!(differ, 0, "{model:?}: {differ} outputs differ");
    }
}

/// Checks the best detection on an upright portrait is a plausible face box.
fn check_upright(d: &Detection, what: &str) {
    let [re, le] = [d.landmarks[0], d.landmarks[1]];
    assert!(d.score > 0.75, "{what}: score {}", d.score);
    assert_eq!(d.quarter_turns, 0, "{what}");
    for e in [re, le] {
        let inside = e[0] > d.x && e[0] < d.x + d.width && e[1] > d.y && e[1] < d.y + d.height;
        assert!(inside, "{what}: eye {e:?} outside the box {d:?}");
    }
    // The subject's right eye is on the picture's left, the eyes level.
    assert!(re[0] < le[0], "{what}: {d:?}");
    assert!(
        (re[1] - le[1]).abs() < 0.25 * (le[0] - re[0]),
        "{what}: eyes not level {d:?}"
    );
    // Nose below the eyes, mouth below the nose.
    assert!(
        d.landmarks[2][1] > re[1].max(le[1]) && d.landmarks[3][1] > d.landmarks[2][1],
        "{what}: {d:?}"
    );
}

#[test]
fn finds_the_faces_upright() {
    for model in MODELS {
        for (name, face) in [
            // (x0, y0, x1, y1): roughly where the face is.
            ("astronaut.jpg", [150.0, 50.0, 260.0, 190.0]),
            ("grace_hopper.jpg", [160.0, 100.0, 370.0, 360.0]),
        ] {
            let found = detect(&photo(name), model, 0.5);
            let what = format!("{name} {model:?}");
            assert_eq!(found.len(), 1, "{what}: {found:?}");
            let d = &found[0];
            eprintln!("{what}: {d:?}");
            check_upright(d, &what);
            // The box's centre on the face.
            let (cx, cy) = (d.x + d.width / 2.0, d.y + d.height / 2.0);
            assert!(
                cx > face[0] && cx < face[2] && cy > face[1] && cy < face[3],
                "{what}: {d:?}"
            );
        }
    }
}

/// Where picture point `p` of a `w` × `h` picture lands when the picture is turned
/// `turns` quarter turns clockwise.
fn turn_point(mut p: [f32; 2], mut w: f32, mut h: f32, turns: u8) -> [f32; 2] {
    for _ in 0..turns {
        p = [h - p[1], p[0]];
        std::mem::swap(&mut w, &mut h);
    }
    p
}

#[test]
fn a_window_around_a_hint_sees_a_small_face_in_the_turn_that_makes_it_upright() {
    // Grace Hopper 220 pixels high in a grey 1600 × 1000 frame (too small a face for the
    // short-range network), then that frame turned counter-clockwise `k` times, so that
    // the detector's turn `k` (clockwise) makes her upright.
    let mut frame = image::RgbImage::from_pixel(1600, 1000, image::Rgb([128, 128, 128]));
    let person = image::imageops::resize(
        &photo("grace_hopper.jpg"),
        188,
        220,
        image::imageops::FilterType::Lanczos3,
    );
    image::imageops::overlay(&mut frame, &person, 480 - 94, 400 - 110);
    let mut picture = frame;
    let mut detector = Detector::new();
    for k in 0..4u8 {
        let (w, h) = (picture.width(), picture.height());
        let rgb = picture.as_raw();
        // Whole passes in every turn find the face, and its turn.
        let found = detector.detect(rgb, w, h, Model::FullRange, 0.75);
        assert_eq!(found.len(), 1, "turn {k}: {found:?}");
        let face = found[0];
        assert_eq!(face.quarter_turns, k, "{face:?}");
        // A window around a hint on the face sees it in that turn.
        let seen = detector.full_range_near(rgb, w, h, &[face], 0.75, 1 << k);
        assert_eq!(seen, 1 << k, "turn {k}: {face:?}");
        // One around a hint on the far side of the picture does not reach it.
        let far = Detection {
            x: w as f32 - face.x - face.width,
            y: h as f32 - face.y - face.height,
            ..face
        };
        assert_eq!(detector.full_range_near(rgb, w, h, &[far], 0.75, 1 << k), 0);
        // No hint, nothing to look around; more hints than windows: every turn asked.
        assert_eq!(detector.full_range_near(rgb, w, h, &[], 0.75, ALL_TURNS), 0);
        let many = [far; MOST_WINDOWS + 1];
        assert_eq!(
            detector.full_range_near(rgb, w, h, &many, 0.75, 0b0110),
            0b0110
        );
        picture = image::imageops::rotate270(&picture);
    }
}

#[test]
fn finds_the_faces_in_every_quarter_turn() {
    for model in MODELS {
        for name in ["astronaut.jpg", "grace_hopper.jpg"] {
            let upright = photo(name);
            let (w, h) = (upright.width() as f32, upright.height() as f32);
            let base = detect(&upright, model, 0.5)[0];
            let mut turned = upright.clone();
            for r in 1..4u8 {
                turned = image::imageops::rotate90(&turned);
                let found = detect(&turned, model, 0.5);
                let what = format!("{name} {model:?} turned {r}");
                assert_eq!(found.len(), 1, "{what}: {found:?}");
                let d = found[0];
                assert_eq!(d.quarter_turns, (4 - r) % 4, "{what}: {d:?}");
                assert!(
                    (d.score - base.score).abs() < 0.01,
                    "{what}: {d:?} vs {base:?}"
                );
                for (got, want) in d.landmarks.iter().zip(base.landmarks) {
                    let want = turn_point(want, w, h, r);
                    let err = (got[0] - want[0]).abs().max((got[1] - want[1]).abs());
                    assert!(err < 2.0, "{what}: landmark {got:?}, expected {want:?}");
                }
                let corner = turn_point([base.x, base.y], w, h, r);
                let far = turn_point([base.x + base.width, base.y + base.height], w, h, r);
                let want = [
                    corner[0].min(far[0]),
                    corner[1].min(far[1]),
                    (far[0] - corner[0]).abs(),
                ];
                let err = (d.x - want[0])
                    .abs()
                    .max((d.y - want[1]).abs())
                    .max((d.width - want[2]).abs());
                assert!(err < 2.0, "{what}: {d:?}, expected box at {want:?}");
            }
        }
    }
}

#[test]
fn no_face_on_gradient_or_noise() {
    let (w, h) = (720u32, 960u32);
    let gradient = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([
            (x * 255 / w) as u8,
            (y * 255 / h) as u8,
            ((x + y) * 255 / (w + h)) as u8,
        ])
    });
    let mut s: u32 = 7;
    let noise = image::RgbImage::from_fn(w, h, |_, _| {
        s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        let b = s.to_le_bytes();
        image::Rgb([b[1], b[2], b[3]])
    });
    for model in MODELS {
        for (what, img) in [("gradient", &gradient), ("noise", &noise)] {
            let found = detect(img, model, 0.5);
            assert!(found.is_empty(), "{what} {model:?}: {found:?}");
        }
    }
}

#[test]
fn two_faces_side_by_side() {
    // Head-and-shoulders crops, each 300 × 360, so that the faces are large enough for
    // the short-range model too.
    let a = image::imageops::crop_imm(&photo("astronaut.jpg"), 70, 0, 300, 360).to_image();
    let g = photo("grace_hopper.jpg");
    let g = image::imageops::crop_imm(&g, 66, 60, 400, 480).to_image();
    let g = image::imageops::resize(&g, 300, 360, image::imageops::FilterType::Triangle);
    let mut both = image::RgbImage::new(600, 360);
    image::imageops::replace(&mut both, &a, 0, 0);
    image::imageops::replace(&mut both, &g, 300, 0);
    for model in MODELS {
        let found = detect(&both, model, 0.5);
        eprintln!("{model:?}: {found:?}");
        assert_eq!(found.len(), 2, "{model:?}: {found:?}");
        let mut xs: Vec<f32> = found.iter().map(|d| d.x + d.width / 2.0).collect();
        xs.sort_by(f32::total_cmp);
        assert!(
            xs[0] < a.width() as f32 && xs[1] > a.width() as f32,
            "{model:?}: {found:?}"
        );
        for d in &found {
            check_upright(d, &format!("side by side {model:?}"));
        }
    }
}

#[test]
fn degenerate_input_gives_nothing() {
    let mut d = Detector::new();
    for model in MODELS {
        assert!(d.detect(&[], 0, 0, model, 0.5).is_empty());
        assert!(d.detect(&[0; 3], 1, 0, model, 0.5).is_empty());
        assert!(d.detect(&[0; 5], 2, 1, model, 0.5).is_empty());
        assert!(d.detect(&[0; 3], u32::MAX, u32::MAX, model, 0.5).is_empty());
        // Tiny and thin pictures: no panic.
        assert!(d.detect(&[128; 3], 1, 1, model, 0.5).is_empty());
        let _ = d.detect(&vec![200; 3000 * 3], 3000, 1, model, 0.5);
        let _ = d.detect(&vec![200; 3000 * 3], 1, 3000, model, f32::NAN);
        assert!(d.raw_outputs(&[0.0; 5], model).0.is_empty());
    }
}

#[test]
fn a_search_continued_in_more_turns_finds_what_one_search_finds() {
    // `locate` asks the full-range network in some turns first and in the rest only if
    // needed: the two steps together must answer as one search in every turn does.
    let upright = photo("grace_hopper.jpg");
    let mut wide = image::RgbImage::from_pixel(
        upright.width() * 3,
        upright.height(),
        image::Rgb([90, 120, 80]),
    );
    image::imageops::overlay(&mut wide, &upright, i64::from(upright.width()), 0);
    let sideways = image::imageops::rotate90(&wide);
    for img in [&wide, &sideways] {
        let (w, h) = (img.width(), img.height());
        for model in MODELS {
            let mut d = Detector::new();
            let whole = d.detect_in(img.as_raw(), w, h, model, 0.5, ALL_TURNS);
            let first = d.detect_in(img.as_raw(), w, h, model, 0.5, 0b0011);
            let both = d.look_further(img.as_raw(), w, h, model, 0.5, 0b1100);
            assert!(!whole.is_empty(), "{model:?} finds the face");
            // The same faces (`seen` may differ: one search stops early at a sure upright
            // face in the picture as given, which the continued one was told to pass).
            let unseen = |v: &[Detection]| {
                v.iter()
                    .map(|d| Detection { seen: 0, ..*d })
                    .collect::<Vec<_>>()
            };
            assert_eq!(unseen(&both), unseen(&whole), "{model:?}");
            assert!(
                first.iter().all(|f| f.seen & 0b1100 == 0),
                "{model:?}: only the turns asked"
            );
        }
    }
}

/// The 12 MP photo without a face, decoded as `check` decodes it (a JPEG's planes, shrunk
/// on load): no face found.
#[test]
fn no_face_on_the_photo_without_one() {
    let data = std::fs::read(format!("{ROOT}/testdata/seeding-12mp-orientation6.jpg")).unwrap();
    let header = crate::pipeline::probe::probe(&data, &crate::Limits::default()).unwrap();
    let decoded = crate::pipeline::decode::decode_shrunk(
        &data,
        &header,
        &crate::Limits::default(),
        (640, 480),
        Default::default(),
    )
    .unwrap();
    let found = locate(
        &mut Detector::new(),
        decoded.picture(),
        crate::check::Role::Face,
        0.75,
        &mut crate::pipeline::decode::Image8::default(),
    );
    assert!(found.faces.is_empty(), "{:?}", found.faces);
}
