//! STUB until the detector lands (branch face-detector).
#![allow(dead_code, unused_variables)]
mod found;
mod judge;

pub use found::{Face, Landmarks};
pub(crate) use found::locate;
pub(crate) use judge::judge_faces;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Model {
    ShortRange,
    FullRange,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Detection {
    pub(crate) x: f32,
    pub(crate) y: f32,
    pub(crate) width: f32,
    pub(crate) height: f32,
    pub(crate) score: f32,
    pub(crate) landmarks: [[f32; 2]; 6],
    pub(crate) quarter_turns: u8,
}

#[derive(Debug, Default)]
pub(crate) struct Detector {}

impl Detector {
    pub(crate) fn new() -> Self {
        Self {}
    }
    pub(crate) fn detect(
        &mut self,
        rgb: &[u8],
        width: u32,
        height: u32,
        model: Model,
        min_score: f32,
    ) -> Vec<Detection> {
        Vec::new()
    }
}
