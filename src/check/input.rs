//! `check` of an input given as a reader or a path, read within the input limit.

use super::findings::from_error;
use super::{Checker, Report};
use crate::input::{read_bounded, read_path_bounded};
use crate::Error;

impl Checker {
    /// Like [`check`](Self::check), reading the input from `reader`: at most
    /// [`Limits::max_input_bytes`](crate::Limits) and one byte more are read, as
    /// [`Preprocessor::prepare_reader`](crate::Preprocessor::prepare_reader) reads, so a
    /// stream longer than the limit is never held whole. Its report is then a `Reject`
    /// with rule [`InputLimit`](crate::Rule::InputLimit) (`ToolargeImage`), its measured
    /// `file_bytes` the limit plus one (the rest is never read), and no format.
    ///
    /// # Errors
    /// Only when reading fails; any bytes read get a report, as `check` gives.
    ///
    /// ```
    /// use ekyc_preflight::{CheckOptions, Checker, Limits, Rule, Spec, Verdict};
    /// # let photo = ekyc_preflight::doc_sample_png();
    /// let report = Checker::default().check_reader(&photo[..])?;
    /// assert_eq!(report, Checker::default().check(&photo));
    /// let tight = Spec { limits: Limits { max_input_bytes: 100, ..Limits::default() }, ..Spec::default() };
    /// let endless = std::io::repeat(0xFF);
    /// let report = Checker::new(tight, CheckOptions::default()).check_reader(endless)?;
    /// assert_eq!((report.verdict, report.bytes), (Verdict::Reject, 101));
    /// assert!(report.has(Rule::InputLimit));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn check_reader(&mut self, reader: impl std::io::Read) -> std::io::Result<Report> {
        let limit = self.spec.limits.max_input_bytes;
        Ok(match read_bounded(reader, limit, 0)? {
            Ok(data) => self.check(&data),
            Err(e) => self.refused(&e),
        })
    }

    /// Like [`check_reader`](Self::check_reader), reading the file at `path`: a file
    /// larger than the limit is judged from its length, unread (`Reject`, rule
    /// [`InputLimit`](crate::Rule::InputLimit), its `file_bytes` the file's length).
    ///
    /// # Errors
    /// When the file cannot be opened or read (a missing path: `NotFound`).
    ///
    /// ```
    /// use ekyc_preflight::Checker;
    /// let err = Checker::default().check_path("no/such/file.jpg").unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    /// ```
    pub fn check_path(&mut self, path: impl AsRef<std::path::Path>) -> std::io::Result<Report> {
        let limit = self.spec.limits.max_input_bytes;
        Ok(match read_path_bounded(path.as_ref(), limit)? {
            Ok(data) => self.check(&data),
            Err(e) => self.refused(&e),
        })
    }

    /// The report of an input refused before its bytes were judged (over the input
    /// limit); an invalid spec is reported first, as `check` reports it.
    fn refused(&self, e: &Error) -> Report {
        let bytes = match e {
            Error::InputTooLarge { bytes, .. } => *bytes,
            _ => 0,
        };
        let mut report = Report::new(bytes);
        let finding = match self.spec.validate() {
            Err(invalid) => from_error(&invalid),
            Ok(()) => from_error(e),
        };
        report.findings.push(finding);
        report.finish()
    }
}
