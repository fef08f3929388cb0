//! A face as reports give it: its box, score, six landmarks and roll, in the pixels of the
//! picture a report describes. Found by `check`'s detector; it guides `prepare`'s turn and
//! crop.

/// A face found in a picture, in that picture's pixel coordinates (x right, y down): for
/// `check`, the upright picture (EXIF orientation applied) at its stored resolution; for
/// the check in `prepare`'s report, the output.
///
/// ```
/// let report = ekyc_preflight::check(&ekyc_preflight::doc_sample_png());
/// // A gradient has no face: `check` says the service would answer NoFaceDetected.
/// assert!(report.faces.is_empty());
/// assert!(report.has(ekyc_preflight::Rule::Face));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Face {
    /// Left edge of the face's box.
    pub x: f32,
    /// Top edge of the box.
    pub y: f32,
    /// Width of the box.
    pub width: f32,
    /// Height of the box.
    pub height: f32,
    /// The detector's confidence, 0–1.
    pub score: f32,
    /// Six points of the face.
    pub landmarks: Landmarks,
    /// The face's roll in degrees, from its eye line (the direction from the subject's
    /// right eye to their left eye, y down): 0 upright, 90 when the face is turned a
    /// quarter turn clockwise (the top of the head to the picture's right), −90 counter-
    /// clockwise, 180 upside down.
    pub roll: f32,
}

/// Six points of a face, each `[x, y]` in the same pixels as its [`Face`]. Right and left
/// are the subject's: an upright face's right eye is on the picture's left.
///
/// ```
/// # let report = ekyc_preflight::check(&ekyc_preflight::doc_sample_png());
/// for face in &report.faces {
///     let [x, y] = face.landmarks.nose;
///     assert!(x.is_finite() && y.is_finite());
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Landmarks {
    /// Centre of the subject's right eye.
    pub right_eye: [f32; 2],
    /// Centre of the subject's left eye.
    pub left_eye: [f32; 2],
    /// Tip of the nose.
    pub nose: [f32; 2],
    /// Centre of the mouth.
    pub mouth: [f32; 2],
    /// The subject's right ear (tragion).
    pub right_ear: [f32; 2],
    /// The subject's left ear (tragion).
    pub left_ear: [f32; 2],
}

impl Face {
    /// Quarter turns clockwise (0–3) that bring the face upright, from its roll.
    ///
    /// ```
    /// # let report = ekyc_preflight::check(&ekyc_preflight::doc_sample_png());
    /// for face in &report.faces {
    ///     assert!(face.quarter_turns() < 4);
    /// }
    /// ```
    pub fn quarter_turns(&self) -> u8 {
        let k = (f64::from(self.roll) / 90.0).round() as i64;
        ((4 - k.rem_euclid(4)) % 4) as u8
    }

    /// The roll left once the face is turned upright by [`quarter_turns`](Self::quarter_turns):
    /// the tilt, −45° to 45°.
    ///
    /// ```
    /// # let report = ekyc_preflight::check(&ekyc_preflight::doc_sample_png());
    /// for face in &report.faces {
    ///     assert!(face.tilt().abs() <= 45.0);
    /// }
    /// ```
    pub fn tilt(&self) -> f32 {
        let r = f64::from(self.roll);
        (r - 90.0 * (r / 90.0).round()) as f32
    }

    /// The box's area in square pixels.
    ///
    /// ```
    /// # let report = ekyc_preflight::check(&ekyc_preflight::doc_sample_png());
    /// for face in &report.faces {
    ///     assert!(face.area() > 0.0);
    /// }
    /// ```
    pub fn area(&self) -> f32 {
        self.width.max(0.0) * self.height.max(0.0)
    }

    /// The face as seen through `map` (a point of this face's picture to a point of
    /// another), `mirrored` when `map` swaps the picture's left and right (the subject's
    /// right eye then lands on the picture's right: the labels follow the subject).
    pub(crate) fn mapped(&self, map: impl Fn([f32; 2]) -> [f32; 2], mirrored: bool) -> Face {
        let l = &self.landmarks;
        let corners = [
            [self.x, self.y],
            [self.x + self.width, self.y + self.height],
        ]
        .map(&map);
        let (x0, x1) = (
            corners[0][0].min(corners[1][0]),
            corners[0][0].max(corners[1][0]),
        );
        let (y0, y1) = (
            corners[0][1].min(corners[1][1]),
            corners[0][1].max(corners[1][1]),
        );
        let mut landmarks = Landmarks {
            right_eye: map(l.right_eye),
            left_eye: map(l.left_eye),
            nose: map(l.nose),
            mouth: map(l.mouth),
            right_ear: map(l.right_ear),
            left_ear: map(l.left_ear),
        };
        if mirrored {
            // The detector names the eyes by where they are; a mirror moved them.
            std::mem::swap(&mut landmarks.right_eye, &mut landmarks.left_eye);
            std::mem::swap(&mut landmarks.right_ear, &mut landmarks.left_ear);
        }
        Face {
            x: x0,
            y: y0,
            width: x1 - x0,
            height: y1 - y0,
            score: self.score,
            roll: roll(&landmarks),
            landmarks,
        }
    }
}

/// The roll of a face from its eye line, in degrees (−180, 180]: the direction from the
/// subject's right eye to their left eye, which points right in an upright face.
pub(crate) fn roll(l: &Landmarks) -> f32 {
    let (dx, dy) = (
        l.left_eye[0] - l.right_eye[0],
        l.left_eye[1] - l.right_eye[1],
    );
    let degrees = dy.atan2(dx).to_degrees();
    if degrees <= -180.0 {
        degrees + 360.0
    } else {
        degrees
    }
}
