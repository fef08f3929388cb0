//! The pipeline: sniff → probe → decode → plan → resize → orient → encode → re-check.

use fast_image_resize::Resizer;

use crate::pipeline::colour::{planes_to_rgb, ToSrgb};
use crate::pipeline::decode::{
    decode_shrunk, shrink_on_load_size, Decoded, Image8, Picture, Planes,
};
use crate::pipeline::encode::encode;
use crate::pipeline::geometry::{plan, Plan};
use crate::pipeline::header::Header;
use crate::pipeline::probe::probe;
use crate::pipeline::trellis;
use crate::prepared::{PrepareReport, Prepared};
use crate::Size;
use crate::{CheckOptions, Checker, Crop, Error, Face, ReadError, Role, Spec, Turn};

/// Each step of the byte-budget search that makes the picture smaller scales the target
/// by this much (about 8% fewer pixels a step); the minimum size stops it.
const SHRINK_STEP: f64 = 0.96;

/// Turns uploaded photos into images `EkycVerify` accepts.
///
/// Holds the [`Spec`] and scratch buffers reused from one call to the next, so a long-lived
/// `Preprocessor` per thread allocates little after its first picture.
///
/// ```
/// use ekyc_preflight::{Preprocessor, Spec};
/// # let photo = ekyc_preflight::doc_sample_png();
/// let mut pre = Preprocessor::new(Spec::default());
/// let prepared = pre.prepare(&photo)?;
/// assert!(prepared.jpeg().len() <= Spec::default().max_bytes);
/// # Ok::<(), ekyc_preflight::Error>(())
/// ```
#[derive(Debug)]
pub struct Preprocessor {
    spec: Spec,
    base64: bool,
    resizer: Resizer,
    /// The planes of the last JPEG our decoder took, their memory kept for the next.
    decoded: Planes,
    /// Resized planes of a JPEG our decoder took.
    planes: [Vec<u8>; 3],
    resized: Image8,
    oriented: Image8,
    /// The picture to encode when it came from a JPEG's planes (then `planar`).
    oriented_planes: Planes,
    planar: bool,
    /// Finds the faces on the source and judges every output from its bytes (its
    /// detector's and decoder's memory kept from one picture to the next).
    checker: Checker,
    /// The last colour profile seen and its conversion (`None`: nothing to do), so that
    /// photos from one camera do not build the same conversion again.
    last_profile: Option<(Vec<u8>, Option<ToSrgb>)>,
    /// The conversion of the picture being prepared, if it needs one.
    colour: Option<ToSrgb>,
    /// Scratch memory for the colour conversion.
    colour_scratch: Vec<u8>,
}

impl Default for Preprocessor {
    fn default() -> Self {
        Self::new(Spec::default())
    }
}

impl Clone for Preprocessor {
    fn clone(&self) -> Self {
        Self::new(self.spec)
            .with_base64(self.base64)
            .with_check(*self.checker.options())
    }
}

impl Preprocessor {
    /// A preprocessor for `spec`.
    ///
    /// ```
    /// use ekyc_preflight::{Preprocessor, Spec};
    /// let pre = Preprocessor::new(Spec { upscale: true, ..Spec::default() });
    /// assert!(pre.spec().upscale);
    /// ```
    pub fn new(spec: Spec) -> Self {
        Self {
            spec,
            base64: false,
            resizer: Resizer::new(),
            decoded: Planes::default(),
            planes: Default::default(),
            resized: Image8::default(),
            oriented: Image8::default(),
            oriented_planes: Planes::default(),
            planar: false,
            checker: Checker::new(spec, CheckOptions::default()),
            last_profile: None,
            colour: None,
            colour_scratch: Vec::new(),
        }
    }

    /// Also produce the Base64 text of each output. Disabled by default.
    ///
    /// ```
    /// use ekyc_preflight::Preprocessor;
    /// let pre = Preprocessor::default().with_base64(true);
    /// ```
    pub fn with_base64(mut self, base64: bool) -> Self {
        self.base64 = base64;
        self
    }

    /// The options of the [`check`](crate::check) run on every output (its report is
    /// [`PrepareReport::check`](crate::PrepareReport)). Default `CheckOptions::default()`;
    /// `analyse: false` keeps it to the header (microseconds instead of milliseconds).
    ///
    /// ```
    /// use ekyc_preflight::{CheckOptions, Preprocessor};
    /// let pre = Preprocessor::default().with_check(CheckOptions { analyse: false, ..CheckOptions::default() });
    /// ```
    pub fn with_check(mut self, options: CheckOptions) -> Self {
        self.checker = Checker::new(self.spec, options);
        self
    }

    /// The spec outputs are made to.
    ///
    /// ```
    /// use ekyc_preflight::{Preprocessor, Spec};
    /// assert_eq!(Preprocessor::default().spec(), &Spec::default());
    /// ```
    pub fn spec(&self) -> &Spec {
        &self.spec
    }

    /// Like [`prepare`](Self::prepare), reading the input from `reader`: at most
    /// [`Limits::max_input_bytes`](crate::Limits) and one byte more are read, so a stream
    /// longer than the limit is refused (`InputTooLarge`, its `bytes` the limit plus one:
    /// the rest is never read) without being held whole.
    ///
    /// # Errors
    /// [`ReadError::Io`] when reading fails, [`ReadError::Prepare`] as `prepare`.
    ///
    /// ```
    /// use ekyc_preflight::{Error, Limits, Preprocessor, ReadError, Spec};
    /// # let photo = ekyc_preflight::doc_sample_png();
    /// let prepared = Preprocessor::default().prepare_reader(&photo[..])?;
    /// assert!(prepared.height() > prepared.width());
    /// let tight = Spec { limits: Limits { max_input_bytes: 100, ..Limits::default() }, ..Spec::default() };
    /// let endless = std::io::repeat(0xFF);
    /// let err = Preprocessor::new(tight).prepare_reader(endless).unwrap_err();
    /// assert!(matches!(err, ReadError::Prepare(Error::InputTooLarge { bytes: 101, limit: 100 })));
    /// # Ok::<(), ReadError>(())
    /// ```
    pub fn prepare_reader(&mut self, reader: impl std::io::Read) -> Result<Prepared, ReadError> {
        let data = crate::input::read_bounded(reader, self.spec.limits.max_input_bytes, 0)
            .map_err(ReadError::Io)??;
        self.prepare(&data).map_err(ReadError::Prepare)
    }

    /// Like [`prepare_reader`](Self::prepare_reader), reading the file at `path` (a file
    /// larger than the limit is refused from its length, unread).
    ///
    /// # Errors
    /// [`ReadError::Io`] when the file cannot be opened or read, [`ReadError::Prepare`]
    /// as `prepare`.
    ///
    /// ```
    /// use ekyc_preflight::{Preprocessor, ReadError};
    /// let err = Preprocessor::default().prepare_path("no/such/file.jpg").unwrap_err();
    /// assert!(matches!(err, ReadError::Io(_)));
    /// ```
    pub fn prepare_path(
        &mut self,
        path: impl AsRef<std::path::Path>,
    ) -> Result<Prepared, ReadError> {
        let data = crate::input::read_path_bounded(path.as_ref(), self.spec.limits.max_input_bytes)
            .map_err(ReadError::Io)??;
        self.prepare(&data).map_err(ReadError::Prepare)
    }

    /// Gives back the memory kept from earlier pictures (decoded planes, resized and
    /// turned copies, the check's decoder and detector buffers, the last colour
    /// conversion), keeping the settings: after a burst of large photos, a service can
    /// trim its idle workers. The next `prepare` allocates afresh.
    ///
    /// ```
    /// use ekyc_preflight::Preprocessor;
    /// # let photo = ekyc_preflight::doc_sample_png();
    /// let mut pre = Preprocessor::default().with_base64(true);
    /// let before = pre.prepare(&photo)?;
    /// pre.trim();
    /// let after = pre.prepare(&photo)?;
    /// assert_eq!(before.jpeg(), after.jpeg());
    /// assert!(after.base64().is_some());
    /// # Ok::<(), ekyc_preflight::Error>(())
    /// ```
    pub fn trim(&mut self) {
        // A clone carries the settings and none of the buffers.
        *self = self.clone();
    }

    /// Turns `data` (a JPEG or PNG, any orientation) into a compliant JPEG.
    ///
    /// # Errors
    /// A typed [`Error`] naming the rule the input breaks beyond repair, or the limit it
    /// exceeds. No input makes it panic.
    ///
    /// ```
    /// use ekyc_preflight::{Error, Preprocessor};
    /// let err = Preprocessor::default().prepare(b"not an image").unwrap_err();
    /// assert!(matches!(err, Error::UnsupportedFormat { found: "text" }));
    /// ```
    pub fn prepare(&mut self, data: &[u8]) -> Result<Prepared, Error> {
        let mut jpeg = Vec::new();
        let report = self.prepare_into(data, &mut jpeg)?;
        Ok(self.finish(jpeg, report))
    }

    /// The output of `prepare`: the JPEG, its Base64 text if asked for, the report.
    pub(crate) fn finish(&self, jpeg: Vec<u8>, report: PrepareReport) -> Prepared {
        let base64 = self
            .base64
            .then(|| base64_simd::STANDARD.encode_to_string(&jpeg));
        Prepared {
            jpeg,
            base64,
            report,
        }
    }

    /// The checker judging inputs and outputs, with this preprocessor's spec and options.
    pub(crate) fn checker_of_input(&mut self) -> &mut Checker {
        &mut self.checker
    }

    /// Prepares many inputs in parallel on the current `rayon` thread pool (one
    /// `Preprocessor` per worker thread, sharing this one's spec and Base64 setting).
    /// Results come back in input order. Run it inside `rayon::ThreadPool::install` to
    /// bound the threads used; the JPEG decoder's own parallel work runs on the same pool.
    ///
    /// ```
    /// use ekyc_preflight::Preprocessor;
    /// # let photo = ekyc_preflight::doc_sample_png();
    /// let inputs = vec![photo.clone(), b"not an image".to_vec(), photo];
    /// let results = Preprocessor::default().prepare_batch(&inputs);
    /// assert!(results[0].is_ok() && results[1].is_err() && results[2].is_ok());
    /// ```
    pub fn prepare_batch<T: AsRef<[u8]> + Sync>(
        &self,
        inputs: &[T],
    ) -> Vec<Result<Prepared, Error>> {
        self.map_batch(inputs, |pre, data| pre.prepare(data.as_ref()))
    }

    /// Runs `f` over `items` in parallel on the current `rayon` thread pool and collects
    /// its results in input order, handing each call a `Preprocessor` with this one's
    /// settings. Each worker thread keeps its own from one item to the next, so its
    /// buffers are reused across the batch: the way to wrap [`prepare`](Self::prepare) in
    /// work of your own (reading the input, writing the output) per item.
    ///
    /// (`rayon`'s `map_init` would make a fresh one for every piece the work is split
    /// into, several per thread, each allocating its buffers anew.)
    ///
    /// ```
    /// use ekyc_preflight::Preprocessor;
    /// # let photo = ekyc_preflight::doc_sample_png();
    /// let inputs = vec![photo.clone(), photo];
    /// let sizes = Preprocessor::default()
    ///     .map_batch(&inputs, |pre, data| pre.prepare(data).map(|p| p.jpeg().len()));
    /// assert!(sizes.iter().all(|size| size.is_ok()));
    /// ```
    pub fn map_batch<T, R, F>(&self, items: &[T], f: F) -> Vec<R>
    where
        T: Sync,
        R: Send,
        F: Fn(&mut Preprocessor, &T) -> R + Sync,
    {
        crate::batch::map_kept(items, || self.clone(), f)
    }

    /// Like [`prepare`](Self::prepare), writing the JPEG into caller-owned `out` (cleared
    /// first, its capacity reused) and returning the report. Base64 is left to the caller
    /// (`base64_simd::STANDARD.encode_append`), into a buffer of their own.
    ///
    /// ```
    /// use ekyc_preflight::Preprocessor;
    /// # let photo = ekyc_preflight::doc_sample_png();
    /// let mut pre = Preprocessor::default();
    /// let mut out = Vec::new();
    /// let report = pre.prepare_into(&photo, &mut out)?;
    /// assert_eq!(report.bytes, out.len());
    /// # Ok::<(), ekyc_preflight::Error>(())
    /// ```
    pub fn prepare_into(&mut self, data: &[u8], out: &mut Vec<u8>) -> Result<PrepareReport, Error> {
        self.prepare_judging(data, out, None)
    }

    /// [`prepare_into`](Self::prepare_into); with `input`, also the input's check, run on
    /// the picture decoded for the output (left `None` when the input is refused before
    /// it is decoded).
    pub(crate) fn prepare_judging(
        &mut self,
        data: &[u8],
        out: &mut Vec<u8>,
        input: Option<&mut Option<crate::Report>>,
    ) -> Result<PrepareReport, Error> {
        let spec = self.spec;
        spec.validate()?;
        let header = probe(data, &spec.limits)?;
        self.colour = self.colour_for(&header);
        // Plan before decoding: a picture the rules refuse is refused from its header, and
        // the decoder learns how small it may decode. Without a face (none looked for yet)
        // a landscape picture is planned turned, as `Turn::Auto` does when none is found.
        let stored = (header.width, header.height);
        let planned = |face: Option<&Face>, cap: f64| {
            let spec = Spec {
                turn: match (spec.turn, face) {
                    (Turn::Auto, None) => Turn::Clockwise,
                    (turn, _) => turn,
                },
                ..spec
            };
            plan(stored.0, stored.1, header.orientation, &spec, face, cap)
        };
        let wants_faces = spec.turn == Turn::Auto
            || spec.crop == Crop::Face
            || (self.checker.options().analyse && self.checker.options().detect_faces);
        // The first plan sizes the decode; a landscape picture that `Turn::Off` keeps may
        // still be cropped to its face, so it is decoded as if it were to be turned.
        let mut plan = match (spec.turn, spec.crop) {
            (Turn::Off, Crop::Face) => {
                let turned = Spec {
                    turn: Turn::Clockwise,
                    ..spec
                };
                plan(stored.0, stored.1, header.orientation, &turned, None, 1.0)?
            }
            _ => planned(None, 1.0)?,
        };
        let mut decoded = Some(self.decode(data, &header, plan.decode_target())?);
        if let (Some(input), Some(picture)) = (input, decoded.as_ref()) {
            *input = Some(
                self.checker
                    .check_knowing(data, None, Some(picture.picture())),
            );
        }
        // The faces, in stored pixels; the plan they guide.
        let mut faces = Vec::new();
        if wants_faces {
            let picture = decoded.as_ref().map(Decoded::picture);
            if let Some(picture) = picture {
                faces = self.checker.locate(picture).scaled_to(stored);
            }
            if let Some(face) = faces.first() {
                plan = planned(Some(face), 1.0)?;
                // A document is never cropped to its portrait unless asked: a landscape
                // card is turned by its aspect ratio, as without a face.
                if self.checker.options().role == Role::Id
                    && spec.crop == Crop::None
                    && plan.crop.is_some()
                {
                    faces.clear();
                    plan = planned(None, 1.0)?;
                }
            } else if spec.turn == Turn::Off {
                plan = planned(None, 1.0)?;
            }
            // A crop may need more pixels than the whole picture's plan decoded.
            let (dw, dh) = decoded.as_ref().map_or((0, 0), Decoded::size);
            let (nw, nh) = plan.decode_target();
            if dw < nw || dh < nh {
                decoded = Some(self.decode(data, &header, (nw, nh))?);
            }
        }
        let face = faces.first().copied();
        let budget = spec.byte_budget();
        let mut scale_cap = 1.0;
        let mut encodes = 0;
        loop {
            let picture = match decoded.take() {
                Some(picture) => picture,
                None => self.decode(data, &header, plan.decode_target())?,
            };
            let decoded_size = picture.size();
            self.render(picture, &plan)?;
            let (quality, fits) = self.encode_within(budget, out, &mut encodes)?;
            if fits {
                // The output is judged as `check` judges a file: from its bytes (what the
                // service will decode), with the faces found on the source in its pixels.
                let shown: Vec<Face> = faces
                    .iter()
                    .map(|f| f.mapped(|p| plan.stored_to_output(p), plan.transform.mirrors()))
                    .collect();
                let mut check = self.checker.check_knowing(out, Some(&shown), None);
                let trellis =
                    self.toward_advised_size(quality, out, &mut encodes, &shown, &mut check);
                let mut report =
                    self.report(data, &header, decoded_size, &plan, quality, out, encodes);
                report.trellis = trellis;
                verify(out, &spec, &report)?;
                report.check = check;
                return Ok(report);
            }
            // Not even the lowest quality fits: make the picture smaller, down to the
            // minimum size.
            let smaller = planned(face.as_ref(), scale_cap * SHRINK_STEP)?;
            if smaller.out == plan.out {
                return Err(Error::OverBudget {
                    bytes: out.len(),
                    budget,
                    quality,
                    width: plan.out.0,
                    height: plan.out.1,
                });
            }
            scale_cap *= SHRINK_STEP;
            plan = smaller;
        }
    }

    /// Decodes `data` for an output `target` large (stored orientation), shrinking on
    /// load as far as the resizer's margin allows, into the memory of the last picture
    /// decoded.
    fn decode(
        &mut self,
        data: &[u8],
        header: &Header,
        target: (u32, u32),
    ) -> Result<Decoded, Error> {
        let reuse = std::mem::take(&mut self.decoded);
        let size = shrink_on_load_size(target);
        decode_shrunk(data, header, &self.spec.limits, size, reuse)
    }

    /// The conversion to sRGB the picture needs, from its embedded profile (the README's
    /// colour policy): only for a colour picture (three-component JPEG, RGB or palette
    /// PNG) whose profile is RGB and not sRGB already. Nothing is parsed without a
    /// profile; the last profile's answer is kept.
    fn colour_for(&mut self, header: &Header) -> Option<ToSrgb> {
        let icc = header.icc.as_deref()?;
        let colour = match &header.jpeg {
            Some(jpeg) => jpeg.components == 3,
            None => header.channels >= 3,
        };
        if !colour {
            return None;
        }
        match &self.last_profile {
            Some((last, to)) if last.as_slice() == icc => to.clone(),
            _ => {
                let to = ToSrgb::from_icc(icc);
                self.last_profile = Some((icc.to_vec(), to.clone()));
                to
            }
        }
    }

    /// Resizes the decoded picture to the plan's size and applies its transform, into
    /// `self.oriented` or `self.oriented_planes`. A packed picture (full size, up to the
    /// limits), and the resizer's working buffer for it, are let go as soon as the resize
    /// is done: the peak memory is then the decoded picture's or the output's, never both.
    /// A JPEG's reduced planes are kept for the next call.
    fn render(&mut self, decoded: Decoded, plan: &Plan) -> Result<(), Error> {
        let (tw, th) = plan.stored_target();
        // The plan's window in the decoded picture's pixels.
        let (dw, dh) = decoded.size();
        let window = plan.window();
        let sx = f64::from(dw) / f64::from(plan.stored.0.max(1));
        let sy = f64::from(dh) / f64::from(plan.stored.1.max(1));
        let crop = plan.crop.map(|_| {
            [
                f64::from(window.x) * sx,
                f64::from(window.y) * sy,
                f64::from(window.width) * sx,
                f64::from(window.height) * sy,
            ]
        });
        match decoded {
            Decoded::Rgb(image) => {
                crate::pipeline::resize::resize(
                    &mut self.resizer,
                    &image,
                    crop,
                    tw,
                    th,
                    &mut self.resized,
                )?;
                drop(image);
                self.resizer.reset_internal_buffers();
                if let Some(to) = &self.colour {
                    to.apply(&mut self.resized.pixels, &mut self.colour_scratch);
                }
                plan.transform
                    .apply(&self.resized.pixels, tw, th, 3, &mut self.oriented.pixels);
                let (ow, oh) = plan.transform.output_size(tw, th);
                self.oriented.width = ow;
                self.oriented.height = oh;
                self.planar = false;
            }
            Decoded::Planes(planes) => {
                let (half, chroma) =
                    crate::pipeline::resize::chroma_size(self.spec.subsampling, tw, th);
                crate::pipeline::resize::resize_planes(
                    &mut self.resizer,
                    &planes,
                    crop,
                    (tw, th),
                    chroma,
                    &mut self.planes,
                )?;
                // Kept for the next picture, whose decoder reuses their memory rather than
                // fault in fresh pages.
                self.decoded = planes;
                self.resizer.reset_internal_buffers();
                let [y, cb, cr] = &self.planes;
                if let Some(to) = &self.colour {
                    // Converted at the output's size, as packed RGB, which the encoder
                    // takes as it is.
                    planes_to_rgb([y, cb, cr], (tw, th), half, &mut self.resized.pixels);
                    to.apply(&mut self.resized.pixels, &mut self.colour_scratch);
                    plan.transform.apply(
                        &self.resized.pixels,
                        tw,
                        th,
                        3,
                        &mut self.oriented.pixels,
                    );
                    let (ow, oh) = plan.transform.output_size(tw, th);
                    self.oriented.width = ow;
                    self.oriented.height = oh;
                    self.planar = false;
                    return Ok(());
                }
                plan.transform
                    .apply_planes([y, cb, cr], tw, th, half, &mut self.oriented_planes);
                self.planar = true;
            }
        }
        Ok(())
    }

    /// The picture `render` left for the encoder.
    fn picture(&self) -> Picture<'_> {
        if self.planar {
            Picture::Planes(&self.oriented_planes)
        } else {
            Picture::Rgb(&self.oriented)
        }
    }

    /// Encodes the picture at the spec's quality, or the highest quality down to
    /// `min_quality` that fits `budget` (a binary search: at most 1 + log₂(range) + 1
    /// encodes). Returns the quality and whether it fits; `out` holds that encoding.
    fn encode_within(
        &mut self,
        budget: usize,
        out: &mut Vec<u8>,
        encodes: &mut u32,
    ) -> Result<(u8, bool), Error> {
        let spec = &self.spec;
        let picture = self.picture();
        let mut run = |q: u8, out: &mut Vec<u8>| -> Result<bool, Error> {
            *encodes += 1;
            encode(picture, q, spec.subsampling, out)?;
            Ok(out.len() <= budget)
        };
        if run(spec.quality, out)? {
            return Ok((spec.quality, true));
        }
        // Invariant: `lo` fits and `out` holds its encoding; `hi` does not fit. Trials go
        // into a second buffer, swapped in when they fit, so no quality is encoded twice.
        let (mut lo, mut hi) = (spec.min_quality, spec.quality);
        if !run(lo, out)? {
            return Ok((lo, false));
        }
        let mut trial = Vec::with_capacity(out.capacity());
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if run(mid, &mut trial)? {
                lo = mid;
                std::mem::swap(out, &mut trial);
            } else {
                hi = mid;
            }
        }
        Ok((lo, true))
    }

    /// With [`Spec::trellis`], an output whose plain encoding is above the advised size
    /// ([`Spec::recommended_max_bytes`]) is encoded again at the same quality with
    /// trellis quantisation, and the smaller kept (it fits the budget the larger did) if
    /// `check` judges it as it judges the plain one (`check`, of the plain output, becomes
    /// that of the kept one). Returns whether it was kept.
    fn toward_advised_size(
        &mut self,
        quality: u8,
        out: &mut Vec<u8>,
        encodes: &mut u32,
        shown: &[Face],
        check: &mut crate::Report,
    ) -> bool {
        if !self.spec.trellis || out.len() <= self.spec.recommended_max_bytes {
            return false;
        }
        *encodes += 1;
        let picture = self.picture();
        let Some(smaller) = trellis::encode_trellis(picture, quality, self.spec.subsampling)
            .filter(|smaller| smaller.len() < out.len())
        else {
            return false;
        };
        let judged = self.checker.check_knowing(&smaller, Some(shown), None);
        if !trellis::judged_alike(check, &judged) {
            return false;
        }
        *out = smaller;
        *check = judged;
        true
    }

    #[allow(clippy::too_many_arguments)]
    fn report(
        &self,
        data: &[u8],
        header: &Header,
        decoded_size: (u32, u32),
        plan: &Plan,
        quality: u8,
        out: &[u8],
        encodes: u32,
    ) -> PrepareReport {
        PrepareReport {
            source_format: header.format,
            source_bytes: data.len(),
            source_size: Size::new((header.width, header.height)),
            orientation: header.orientation,
            had_exif: header.has_exif,
            converted_to_srgb: self.colour.is_some(),
            turned: crate::Turned::from_quarter_turns(plan.turns),
            turned_by: plan.turned_by,
            crop: plan.crop,
            decoded_size: Size::new(decoded_size),
            resized_from: Size::new(plan.upright),
            resized_to: Size::new(plan.out),
            quality,
            bytes: out.len(),
            base64_bytes: Spec::base64_len(out.len()),
            encodes,
            trellis: false,
            check: crate::Report::new(out.len()),
        }
    }
}

/// The final re-check: the output is probed again from its bytes, and every rule of the
/// spec is checked against what the bytes say, not against what we meant to write.
fn verify(jpeg: &[u8], spec: &Spec, report: &PrepareReport) -> Result<(), Error> {
    fn fail<T>(reason: String) -> Result<T, Error> {
        Err(Error::Internal { reason })
    }
    let header = probe(jpeg, &crate::Limits::default())
        .or_else(|e| fail(format!("output does not probe: {e}")))?;
    let size = Size::new((header.width, header.height));
    if size != report.resized_to {
        return fail(format!("output is {size}, planned {}", report.resized_to));
    }
    if !(spec.min_width..=spec.max_width).contains(&size.width)
        || !(spec.min_height..=spec.max_height).contains(&size.height)
        || !size.is_portrait()
    {
        return fail(format!("output size {size} breaks the spec"));
    }
    if jpeg.len() > spec.max_bytes || Spec::base64_len(jpeg.len()) > spec.max_base64_bytes {
        return fail(format!("output of {} bytes is over budget", jpeg.len()));
    }
    if header.has_exif {
        return fail("output carries EXIF".into());
    }
    Ok(())
}
