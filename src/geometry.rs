//! Stage 4a: the output's geometry, computed once from the header: orientation, portrait
//! turn and scale, before any pixel is touched.

use crate::orient::{Orientation, Transform};
use crate::{Error, Spec, Turn};

/// Where the pixels go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Plan {
    /// Stored pixels → output pixels (EXIF orientation, then the portrait turn).
    pub(crate) transform: Transform,
    /// Whether the portrait turn was applied.
    pub(crate) turned: bool,
    /// Size shown, after orientation and turn, before scaling (width, height).
    pub(crate) upright: (u32, u32),
    /// Output size (width, height).
    pub(crate) out: (u32, u32),
}

impl Plan {
    /// The size to resize the stored pixels to, before the transform.
    pub(crate) fn stored_target(&self) -> (u32, u32) {
        let (w, h) = self.out;
        self.transform.output_size(w, h)
    }
}

/// Plans the output for a stored `width` × `height` picture. `scale_cap` (≤ 1) shrinks the
/// output below the target size, never below the minimum: the byte-budget search uses it.
pub(crate) fn plan(
    width: u32,
    height: u32,
    orientation: Orientation,
    spec: &Spec,
    scale_cap: f64,
) -> Result<Plan, Error> {
    let exif = Transform::from(orientation);
    let (sw, sh) = exif.output_size(width, height);
    let landscape = sw > sh;
    if landscape && spec.turn == Turn::Off {
        return Err(Error::Landscape {
            width: sw,
            height: sh,
        });
    }
    let turn = if landscape {
        Transform::turn(spec.turn)
    } else {
        Transform::IDENTITY
    };
    let transform = turn.after(exif);
    let (w, h) = transform.output_size(width, height);
    Ok(Plan {
        transform,
        turned: landscape,
        upright: (w, h),
        out: fit(w, h, spec, scale_cap)?,
    })
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
        plan(w, h, Orientation::from_exif(o).unwrap(), spec, 1.0).map(|p| p.out)
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
        let p = plan(3024, 4032, Orientation::Normal, &spec, 0.01).unwrap();
        assert_eq!(p.out, (480, 640));
    }
}
