//! `check` of the input and `prepare` of it in one call, decoding the photo once.

use crate::{Error, Prepared, Preprocessor, Report};

/// What [`Preprocessor::check_and_prepare`] gives: the input's report, as `check` makes
/// it, and the output, as `prepare` makes it.
///
/// ```
/// use ekyc_preflight::{Preprocessor, Rule};
/// # let photo = ekyc_preflight::doc_sample_png();
/// let both = Preprocessor::default().check_and_prepare(&photo);
/// assert!(both.input.has(Rule::Portrait));
/// assert!(both.output?.height() > 0);
/// # Ok::<(), ekyc_preflight::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Checked {
    /// The input judged as [`Checker::check`](crate::Checker::check) judges it, with this
    /// preprocessor's spec and check options.
    pub input: Report,
    /// The output, or why there is none, as [`Preprocessor::prepare`] gives it.
    pub output: Result<Prepared, Error>,
}

impl Preprocessor {
    /// [`Checker::check`](crate::Checker::check) of `data` (with this preprocessor's spec
    /// and [`with_check`](Self::with_check) options) and [`prepare`](Self::prepare) of it,
    /// decoding it once: the input's analysis (sharpness, exposure, faces) runs on the
    /// picture decoded for the output instead of a copy of its own. The output is the
    /// same, byte for byte, as `prepare`'s; the input's report has the same findings and
    /// verdict as `check`'s, its measures taken on that larger decoded copy (reduced to
    /// the same [`analysis_short_side`](crate::CheckOptions::analysis_short_side)), so
    /// they may differ from `check`'s in the last digits. An input refused before it is
    /// decoded gets `check`'s own report.
    ///
    /// ```
    /// use ekyc_preflight::{Checker, Preprocessor};
    /// # let photo = ekyc_preflight::doc_sample_png();
    /// let mut pre = Preprocessor::default();
    /// let both = pre.check_and_prepare(&photo);
    /// let input = Checker::default().check(&photo);
    /// assert_eq!(both.input.verdict, input.verdict);
    /// assert_eq!(both.output?.jpeg(), pre.prepare(&photo)?.jpeg());
    /// # Ok::<(), ekyc_preflight::Error>(())
    /// ```
    pub fn check_and_prepare(&mut self, data: &[u8]) -> Checked {
        let mut input = None;
        let mut jpeg = Vec::new();
        let report = self.prepare_judging(data, &mut jpeg, Some(&mut input));
        let input = input.unwrap_or_else(|| self.checker_of_input().check(data));
        let output = report.map(|report| self.finish(jpeg, report));
        Checked { input, output }
    }
}
