//! The face rules: what the service will make of the faces found.

use std::borrow::Cow;

use crate::check::report::{Measure, Report, Severity, Value};
use crate::check::{finding, CheckOptions, Role};
use crate::face::Face;
use crate::{Rule, Spec, Turn};

/// Share of a face's box that may lie outside the picture before the face counts as cut
/// by the border (a detector's box reaches a little past the chin and brows, so a face
/// touching the border pokes out of it a little).
const MAX_OUTSIDE: f32 = 0.25;

/// Judges the faces found in a `width` × `height` picture (largest first) by the face
/// rules. `landscape_turn`: the quarter turns clockwise `prepare` would make of this
/// picture by its aspect ratio alone (`None` for a portrait picture), which fix a sideways
/// face only if they are the face's own.
pub(crate) fn judge_faces(
    report: &mut Report,
    faces: &[Face],
    (width, height): (u32, u32),
    spec: &Spec,
    options: &CheckOptions,
) {
    let Some(face) = faces.first() else {
        report.findings.push(finding(
            Rule::Face,
            Severity::Reject,
            Measure::Faces,
            Value::Number(0.0),
            Value::Text(Cow::Borrowed("one face")),
            "no face found: the service would answer NoFaceDetected".into(),
        ));
        return;
    };
    if faces.len() > 1 {
        report.findings.push(finding(
            Rule::Faces,
            Severity::Advice,
            Measure::Faces,
            Value::Number(faces.len() as f64),
            Value::Text(Cow::Borrowed("one face")),
            format!(
                "{} faces: the service crops the largest; one face is recommended",
                faces.len()
            ),
        ));
    }
    let (w, h) = (width as f32, height as f32);
    complete(report, face, (w, h));
    upright(report, face, (width, height), spec, options);
    frontal(report, face, options);
    if options.role == Role::Face {
        area(report, face, (w, h), options);
    }
}

/// `face_complete`: the eyes, nose and mouth inside the picture, and most of the box.
fn complete(report: &mut Report, face: &Face, (w, h): (f32, f32)) {
    let inside = |[x, y]: [f32; 2]| (0.0..=w).contains(&x) && (0.0..=h).contains(&y);
    let l = &face.landmarks;
    let points_inside = [l.right_eye, l.left_eye, l.nose, l.mouth]
        .into_iter()
        .all(inside);
    let visible = visible_area(face, (w, h));
    let outside = if face.area() > 0.0 {
        1.0 - visible / face.area()
    } else {
        1.0
    };
    if !points_inside || outside > MAX_OUTSIDE {
        report.findings.push(finding(
            Rule::FaceComplete,
            Severity::Reject,
            Measure::FaceOutside,
            Value::Number(f64::from(outside)),
            Value::Number(f64::from(MAX_OUTSIDE)),
            format!(
                "the face is cut by the border ({:.0}% of its box outside{})",
                outside * 100.0,
                if points_inside {
                    ""
                } else {
                    ", eyes, nose or mouth outside"
                }
            ),
        ));
    }
}

/// `face_upright`: a face on its side or upside down, which `prepare` turns upright (with
/// [`Turn::Auto`], or when the turn it makes by the aspect ratio is the face's own); a
/// tilt beyond [`CheckOptions::max_roll`].
fn upright(
    report: &mut Report,
    face: &Face,
    (width, height): (u32, u32),
    spec: &Spec,
    options: &CheckOptions,
) {
    let turns = face.quarter_turns();
    let roll = Value::Number(f64::from(face.roll));
    if turns != 0 {
        let aspect_turn = match spec.turn {
            _ if width <= height => None,
            Turn::Auto | Turn::Clockwise => Some(1),
            Turn::CounterClockwise => Some(3),
            Turn::Off => None,
        };
        let fixed = spec.turn == Turn::Auto || aspect_turn == Some(turns);
        if options.role == Role::Id {
            // A document is turned by its aspect ratio: its portrait may end up sideways,
            // which the document does not forbid.
            report.findings.push(finding(
                Rule::FaceUpright,
                Severity::Advice,
                Measure::FaceRoll,
                roll,
                Value::Number(options.max_roll),
                "the document's portrait is not upright".into(),
            ));
            return;
        }
        let how = [
            "",
            "a quarter turn clockwise",
            "a half turn",
            "a quarter turn counter-clockwise",
        ][usize::from(turns)];
        report.findings.push(finding(
            Rule::FaceUpright,
            if fixed {
                Severity::WillFix
            } else {
                Severity::Reject
            },
            Measure::FaceRoll,
            roll,
            Value::Number(options.max_roll),
            if fixed {
                format!("the face is not upright: prepare turns the picture {how}")
            } else {
                format!("the face is not upright (it needs {how}, which this turn setting does not make)")
            },
        ));
    } else if f64::from(face.tilt().abs()) > options.max_roll {
        report.findings.push(finding(
            Rule::FaceUpright,
            Severity::Advice,
            Measure::FaceRoll,
            roll,
            Value::Number(options.max_roll),
            format!(
                "the face is tilted {:.0}° (more than {:.0}°)",
                face.tilt(),
                options.max_roll
            ),
        ));
    }
}

/// How far the nose sits off the centre between the eyes, along the eye line, as a share
/// of the face's width; and whether it lies beyond one of the eyes (a profile, one eye
/// hidden).
pub(crate) fn yaw(face: &Face) -> (f32, bool) {
    let l = &face.landmarks;
    let (ex, ey) = (
        l.left_eye[0] - l.right_eye[0],
        l.left_eye[1] - l.right_eye[1],
    );
    let eye_distance = (ex * ex + ey * ey).sqrt();
    if eye_distance <= f32::EPSILON {
        return (1.0, true);
    }
    let mid = [
        (l.left_eye[0] + l.right_eye[0]) / 2.0,
        (l.left_eye[1] + l.right_eye[1]) / 2.0,
    ];
    let along = ((l.nose[0] - mid[0]) * ex + (l.nose[1] - mid[1]) * ey) / eye_distance;
    let face_width = face.width.min(face.height).max(eye_distance);
    (along.abs() / face_width, along.abs() > eye_distance / 2.0)
}

/// `face_frontal`: the head turned away (advice), or so far that one eye is hidden
/// (reject).
fn frontal(report: &mut Report, face: &Face, options: &CheckOptions) {
    let (offset, profile) = yaw(face);
    if profile || f64::from(offset) > options.max_yaw_offset {
        report.findings.push(finding(
            Rule::FaceFrontal,
            if profile {
                Severity::Reject
            } else {
                Severity::Advice
            },
            Measure::FaceYaw,
            Value::Number(f64::from(offset)),
            Value::Number(options.max_yaw_offset),
            if profile {
                "the head is turned away from the camera: one eye is hidden".into()
            } else {
                "the head is turned away from the camera".into()
            },
        ));
    }
}

/// `face_area`: the largest face's box (inside the picture) as a share of the picture.
fn area(report: &mut Report, face: &Face, (w, h): (f32, f32), options: &CheckOptions) {
    let share = f64::from(visible_area(face, (w, h)) / (w * h).max(1.0));
    if share < options.min_face_area {
        report.findings.push(finding(
            Rule::FaceArea,
            Severity::Advice,
            Measure::FaceArea,
            Value::Number(share),
            Value::Number(options.min_face_area),
            format!(
                "the face covers {:.0}% of the image (over {:.0}% recommended; prepare --crop face makes it larger)",
                share * 100.0,
                options.min_face_area * 100.0
            ),
        ));
    }
}

/// The area of the face's box inside a `w` × `h` picture.
fn visible_area(face: &Face, (w, h): (f32, f32)) -> f32 {
    let clipped_w = (face.x + face.width).min(w) - face.x.max(0.0);
    let clipped_h = (face.y + face.height).min(h) - face.y.max(0.0);
    clipped_w.max(0.0) * clipped_h.max(0.0)
}
