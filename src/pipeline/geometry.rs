//! Stage 4b: the output's geometry, computed once from the header: orientation, portrait
//! turn and scale, before any pixel is touched.

use crate::face::Face;
use crate::pipeline::orient::Transform;
use crate::pipeline::orientation::Orientation;
use crate::spec::{FACE_WINDOW, PORTRAIT_WINDOW_ASPECT};
use crate::{Crop, Error, Spec, Turn};

/// Where the pixels go.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Plan {
    /// Stored pixels → output pixels (EXIF orientation, then the turn).
    pub(crate) transform: Transform,
    /// Quarter turns clockwise made after the EXIF orientation (0–3).
    pub(crate) turns: u8,
    /// What decided the turn, if one was made.
    pub(crate) turned_by: Option<TurnedBy>,
    /// The window kept, in stored pixels; `None` for the whole picture.
    pub(crate) crop: Option<Rect>,
    /// Stored size (width, height).
    pub(crate) stored: (u32, u32),
    /// Size shown, after orientation, turn and crop, before scaling (width, height).
    pub(crate) upright: (u32, u32),
    /// Output size (width, height).
    pub(crate) out: (u32, u32),
}

impl Plan {
    /// The size to resize the stored pixels (the crop's) to, before the transform.
    pub(crate) fn stored_target(&self) -> (u32, u32) {
        let (w, h) = self.out;
        self.transform.output_size(w, h)
    }

    /// The window kept, in stored pixels (the whole picture without a crop).
    pub(crate) fn window(&self) -> Rect {
        self.crop.unwrap_or(Rect {
            x: 0,
            y: 0,
            width: self.stored.0,
            height: self.stored.1,
        })
    }

    /// The size the whole stored picture must be decoded at, at least, for its window
    /// to reach [`stored_target`](Self::stored_target).
    pub(crate) fn decode_target(&self) -> (u32, u32) {
        let (tw, th) = self.stored_target();
        let window = self.window();
        let grow = |target: u32, whole: u32, part: u32| {
            (u64::from(target) * u64::from(whole)).div_ceil(u64::from(part.max(1))) as u32
        };
        (
            grow(tw, self.stored.0, window.width).min(self.stored.0.max(tw)),
            grow(th, self.stored.1, window.height).min(self.stored.1.max(th)),
        )
    }

    /// A point of the stored picture (its pixels at full size) in the output's pixels.
    pub(crate) fn stored_to_output(&self, [x, y]: [f32; 2]) -> [f32; 2] {
        let window = self.window();
        let (tw, th) = self.stored_target();
        let sx = tw as f32 / window.width.max(1) as f32;
        let sy = th as f32 / window.height.max(1) as f32;
        let p = ((x - window.x as f32) * sx, (y - window.y as f32) * sy);
        let (ox, oy) = self.transform.map_point(p, tw, th);
        [ox, oy]
    }
}

/// What decided a turn.
///
/// ```
/// use ekyc_preflight::TurnedBy;
/// assert_ne!(TurnedBy::Face, TurnedBy::Aspect);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum TurnedBy {
    /// The largest face, turned upright ([`Turn::Auto`]).
    Face,
    /// The aspect ratio alone: a landscape picture made portrait.
    Aspect,
}

/// A rectangle of pixels.
///
/// ```
/// use ekyc_preflight::Rect;
/// let r = Rect { x: 10, y: 20, width: 300, height: 400 };
/// assert_eq!(r.x + r.width, 310);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Rect {
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
}

/// Plans the output for a stored `width` × `height` picture. `face`: the largest face, in
/// stored pixels, if one was looked for and found (it guides the turn and the crop where
/// the spec says so). `scale_cap` (≤ 1) shrinks the output below the target size, never
/// below the minimum: the byte-budget search uses it.
pub(crate) fn plan(
    width: u32,
    height: u32,
    orientation: Orientation,
    spec: &Spec,
    face: Option<&Face>,
    scale_cap: f64,
) -> Result<Plan, Error> {
    let exif = Transform::from(orientation);
    let (sw, sh) = exif.output_size(width, height);
    let landscape = sw > sh;
    // The face upright as EXIF shows it.
    let shown = face.map(|f| {
        f.mapped(
            |[x, y]| {
                let (x, y) = exif.map_point((x, y), width, height);
                [x, y]
            },
            exif.mirrors(),
        )
    });
    let (turns, turned_by) = match (spec.turn, shown) {
        (Turn::Auto, Some(f)) => {
            let k = f.quarter_turns();
            (k, (k != 0).then_some(TurnedBy::Face))
        }
        (Turn::Off, _) => (0, None),
        (turn, _) if landscape => (
            if turn == Turn::CounterClockwise { 3 } else { 1 },
            Some(TurnedBy::Aspect),
        ),
        _ => (0, None),
    };
    let transform = Transform::quarter_turns(turns).after(exif);
    let (tw, th) = transform.output_size(width, height);
    // The face as it will be shown: the window is chosen around it.
    let face_shown = face.map(|f| {
        f.mapped(
            |[x, y]| {
                let (x, y) = transform.map_point((x, y), width, height);
                [x, y]
            },
            transform.mirrors(),
        )
    });
    let window = match face_shown {
        Some(f) if spec.crop == Crop::Face => Some(face_window(&f, (tw, th), spec)),
        Some(f) if tw > th && spec.turn == Turn::Auto => Some(portrait_window(&f, (tw, th))),
        _ => None,
    };
    if tw > th && window.is_none() {
        return Err(Error::Landscape {
            width: sw,
            height: sh,
        });
    }
    // The window back in stored pixels.
    let crop = window.map(|(x0, y0, x1, y1)| {
        let back = transform.inverted();
        let a = back.map_point((x0, y0), tw, th);
        let b = back.map_point((x1, y1), tw, th);
        let (left, right) = (a.0.min(b.0), a.0.max(b.0));
        let (top, bottom) = (a.1.min(b.1), a.1.max(b.1));
        let x = (left.round().max(0.0) as u32).min(width.saturating_sub(1));
        let y = (top.round().max(0.0) as u32).min(height.saturating_sub(1));
        Rect {
            x,
            y,
            width: ((right.round() as u32).min(width) - x).max(1),
            height: ((bottom.round() as u32).min(height) - y).max(1),
        }
    });
    let (cw, ch) = match crop {
        Some(r) => transform.output_size(r.width, r.height),
        None => (tw, th),
    };
    Ok(Plan {
        transform,
        turns,
        turned_by,
        crop,
        stored: (width, height),
        upright: (cw, ch),
        out: fit(cw, ch, spec, scale_cap)?,
    })
}

/// A portrait window (3 : 4, [`PORTRAIT_WINDOW_ASPECT`]) of a landscape `w` × `h`
/// picture, as tall as the picture, centred on the face across and moved inside the
/// picture: (left, top, right, bottom). Widened to hold the face's box with
/// [`FACE_WINDOW`]'s side margins, up to just under square.
fn portrait_window(face: &Face, (w, h): (u32, u32)) -> (f32, f32, f32, f32) {
    let (w, h) = (w as f32, h as f32);
    let wanted =
        (h * PORTRAIT_WINDOW_ASPECT).max(face.width + 2.0 * FACE_WINDOW.side * face.height);
    let width = wanted.min(h - 1.0).min(w);
    let centre = face.x + face.width / 2.0;
    let left = (centre - width / 2.0).clamp(0.0, w - width);
    (left, 0.0, left + width, h)
}

/// The window around a face for [`Crop::Face`]: the face's box with [`FACE_WINDOW`]'s
/// margins, made portrait, grown to the smallest size the spec allows without enlarging
/// (the minimum output size in source pixels), and moved inside the picture:
/// (left, top, right, bottom).
fn face_window(face: &Face, (w, h): (u32, u32), spec: &Spec) -> (f32, f32, f32, f32) {
    let (w, h) = (w as f32, h as f32);
    let m = FACE_WINDOW;
    let mut top = face.y - m.above * face.height;
    let mut bottom = face.y + face.height * (1.0 + m.below);
    let mut left = face.x - m.side * face.height;
    let mut right = face.x + face.width + m.side * face.height;
    // Portrait: taller than wide, by the smallest margin the output's rounding keeps.
    let min_h = (right - left) * (1.0 + 2.0 * spec.max_stretch as f32).max(1.02);
    if bottom - top < min_h {
        let grow = (min_h - (bottom - top)) / 2.0;
        top -= grow;
        bottom += grow;
    }
    // No smaller than the minimum output, in source pixels (as far as the picture goes).
    let grow_to = |lo: &mut f32, hi: &mut f32, min: f32| {
        if *hi - *lo < min {
            let grow = (min - (*hi - *lo)) / 2.0;
            *lo -= grow;
            *hi += grow;
        }
    };
    grow_to(&mut left, &mut right, (spec.min_width as f32).min(w));
    grow_to(&mut top, &mut bottom, (spec.min_height as f32).min(h));
    // Inside the picture: moved first, cut only where it is larger than the picture.
    let fit = |lo: f32, hi: f32, side: f32| {
        let len = (hi - lo).min(side);
        let lo = lo.clamp(0.0, side - len);
        (lo, lo + len)
    };
    let (left, right) = fit(left, right, w);
    let (top, bottom) = fit(top, bottom, h);
    (left, top, right, bottom)
}

/// Scales a portrait (or square) `w` × `h` into the spec's bounds, keeping the aspect
/// ratio up to `spec.max_stretch`.
fn fit(w: u32, h: u32, spec: &Spec, scale_cap: f64) -> Result<(u32, u32), Error> {
    let (fw, fh) = (f64::from(w), f64::from(h));
    let aspect_error = || Error::AspectRatio {
        width: w,
        height: h,
        min_width: spec.min_width,
        max_width: spec.max_width,
        min_height: spec.min_height,
        max_height: spec.max_height,
    };
    // Scales that keep each side within its bounds.
    let s_min = (f64::from(spec.min_width) / fw).max(f64::from(spec.min_height) / fh);
    let s_max = (f64::from(spec.max_width) / fw).min(f64::from(spec.max_height) / fh);
    if s_min > s_max {
        return Err(aspect_error());
    }
    if s_min > 1.0 && !spec.upscale {
        return Err(Error::TooSmall {
            width: w,
            height: h,
            min_width: spec.min_width,
            min_height: spec.min_height,
        });
    }
    // The target: short side to `target_short_side`, never enlarged (upscaling only lifts
    // a picture to the minimum).
    let wanted = (f64::from(spec.target_short_side) / fw.min(fh)).min(1.0) * scale_cap;
    let s = wanted.clamp(s_min, s_max);
    let side = |x: f64, lo: u32, hi: u32| ((x * s).round() as u32).clamp(lo, hi);
    let ow = side(fw, spec.min_width, spec.max_width);
    let mut oh = side(fh, spec.min_height, spec.max_height);
    if oh <= ow {
        // Square, or rounding made it so: stretch by a pixel or a few. `validate` keeps
        // `max_width < max_height`, so `ow + 1` is within bounds.
        oh = ow + 1;
        let stretch = (f64::from(oh) / f64::from(ow)) / (fh / fw) - 1.0;
        if stretch > spec.max_stretch {
            return Err(aspect_error());
        }
    }
    Ok((ow, oh))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(w: u32, h: u32, o: u8, spec: &Spec) -> Result<(u32, u32), Error> {
        plan(w, h, Orientation::from_exif(o).unwrap(), spec, None, 1.0).map(|p| p.out)
    }

    #[test]
    fn phone_photo_lands_on_720_short_side() {
        let spec = Spec::default();
        assert_eq!(out(4032, 3024, 6, &spec).unwrap(), (720, 960));
        assert_eq!(out(4032, 3024, 1, &spec).unwrap(), (720, 960), "turned");
        assert_eq!(out(3024, 4032, 1, &spec).unwrap(), (720, 960));
    }

    #[test]
    fn sizes_between_minimum_and_target_are_kept() {
        let spec = Spec::default();
        assert_eq!(out(600, 800, 1, &spec).unwrap(), (600, 800));
        assert_eq!(out(480, 640, 1, &spec).unwrap(), (480, 640));
    }

    #[test]
    fn too_small_is_refused_unless_upscaling() {
        let spec = Spec::default();
        assert!(matches!(
            out(479, 640, 1, &spec),
            Err(Error::TooSmall { .. })
        ));
        assert!(matches!(
            out(500, 600, 1, &spec),
            Err(Error::TooSmall { .. })
        ));
        let up = Spec {
            upscale: true,
            ..spec
        };
        assert_eq!(out(500, 600, 1, &up).unwrap(), (533, 640));
        assert_eq!(out(30, 40, 1, &up).unwrap(), (480, 640));
    }

    #[test]
    fn extreme_aspect_is_refused_and_tall_fits() {
        let spec = Spec::default();
        assert!(matches!(
            out(1000, 5000, 1, &spec),
            Err(Error::AspectRatio { .. })
        ));
        assert_eq!(out(1000, 4000, 1, &spec).unwrap(), (480, 1920));
        assert_eq!(out(1000, 1100, 1, &spec).unwrap(), (720, 792));
    }

    #[test]
    fn square_is_stretched_by_a_pixel() {
        assert_eq!(out(1000, 1000, 1, &Spec::default()).unwrap(), (720, 721));
        let strict = Spec {
            max_stretch: 0.0,
            ..Spec::default()
        };
        assert!(matches!(
            out(1000, 1000, 1, &strict),
            Err(Error::AspectRatio { .. })
        ));
    }

    #[test]
    fn landscape_with_turn_off_is_refused() {
        let spec = Spec {
            turn: Turn::Off,
            ..Spec::default()
        };
        assert!(matches!(
            out(1200, 800, 1, &spec),
            Err(Error::Landscape { .. })
        ));
        assert_eq!(out(1200, 800, 6, &spec).unwrap(), (720, 1080));
    }

    #[test]
    fn scale_cap_never_goes_below_minimum() {
        let spec = Spec::default();
        let p = plan(3024, 4032, Orientation::Normal, &spec, None, 0.01).unwrap();
        assert_eq!(p.out, (480, 640));
    }
}
